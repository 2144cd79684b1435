// Command lines of the three tools, with mTCP's flags (apps/example/epserver.c, epwget.c) plus ours.
// Every parser throws a UsageError whose message names the problem; the entry points print it with the usage.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseSize } from '../apps/perf/protocol.js';
import { parseTargetUrl, type TargetUrl } from '../apps/url.js';

export class UsageError extends Error {}

function toInt(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${name} must be an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const EPSERVER_USAGE =
  'usage: epserver -p WWW_DIR -f CONF [-N CORES] [-c CORE_ID] [-b BACKLOG] [--port PORT] [-h]';

export interface EpserverArgs {
  wwwDir: string;
  configFile: string;
  cores: number | undefined;
  coreId: number | undefined;
  backlog: number;
  port: number;
  help: boolean;
}

export function parseEpserverArgs(argv: string[]): EpserverArgs {
  const { values, positionals } = parse(argv, {
    p: { type: 'string' }, f: { type: 'string' }, N: { type: 'string' }, c: { type: 'string' },
    b: { type: 'string' }, port: { type: 'string' }, h: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const help = values.h === true || values.help === true;
  if (help) return { wwwDir: '', configFile: '', cores: undefined, coreId: undefined, backlog: 4096, port: 80, help };
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (typeof values.p !== 'string') throw new UsageError('-p WWW_DIR is required');
  if (typeof values.f !== 'string') throw new UsageError('-f CONF is required');
  return {
    wwwDir: values.p,
    configFile: values.f,
    cores: toInt('-N', values.N as string | undefined, 1, 1024),
    coreId: toInt('-c', values.c as string | undefined, 0, 1023),
    backlog: toInt('-b', values.b as string | undefined, 1, 1 << 20) ?? 4096,
    port: toInt('--port', values.port as string | undefined, 1, 65535) ?? 80,
    help,
  };
}

export const EPWGET_USAGE =
  'usage: epwget URL REQUESTS [-N CORES] [-c CONCURRENCY] -f CONF [-o OUTFILE] [-n CORE_ID]\n' +
  '       URL: 10.0.0.1/file, 10.0.0.1:8080/file or http://10.0.0.1/file';

export interface EpwgetArgs {
  url: TargetUrl;
  requests: number;
  cores: number | undefined;
  /** Total concurrency over all cores; undefined = mTCP's default of 100 per core. */
  concurrency: number | undefined;
  configFile: string;
  outPrefix: string | undefined;
  coreId: number | undefined;
  help: boolean;
}

export function parseEpwgetArgs(argv: string[]): EpwgetArgs {
  const { values, positionals } = parse(argv, {
    N: { type: 'string' }, c: { type: 'string' }, f: { type: 'string' }, o: { type: 'string' },
    n: { type: 'string' }, h: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const help = values.h === true || values.help === true;
  if (help) {
    return { url: { ip: 0, host: '', port: 80, path: '/' }, requests: 0, cores: undefined, concurrency: undefined, configFile: '', outPrefix: undefined, coreId: undefined, help };
  }
  if (positionals.length !== 2) throw new UsageError('URL and REQUESTS are required');
  let url: TargetUrl;
  try {
    url = parseTargetUrl(positionals[0]!);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const requests = toInt('REQUESTS', positionals[1], 1, Number.MAX_SAFE_INTEGER)!;
  if (typeof values.f !== 'string') throw new UsageError('-f CONF is required');
  return {
    url,
    requests,
    cores: toInt('-N', values.N as string | undefined, 1, 1024),
    concurrency: toInt('-c', values.c as string | undefined, 1, 10_000_000),
    configFile: values.f,
    outPrefix: values.o as string | undefined,
    coreId: toInt('-n', values.n as string | undefined, 0, 1023),
    help,
  };
}

export const PERF_USAGE = [
  'usage: mtcp-perf server -f CONF [--port 5001]',
  '       mtcp-perf client HOST -f CONF [--port 5001] [options]',
  '       mtcp-perf --local [options] [--impair SPEC] [--seed N] [--cc cubic|reno] [--mtu 1500]',
  'options: --mode bulk|rr|crr   --bytes SIZE (e.g. 64M)   --time SECONDS   --dir up|down|both',
  '         --size SIZE (request and response) | --request SIZE --response SIZE',
  '         -C CONNECTIONS   --transactions N (per connection, rr)   --interval SECONDS',
  'impair:  loss=0.05,reorder=0.05,duplicate=0.01,corrupt=0.001[,delay=MS,jitter=MS,rate=MBPS]',
].join('\n');

export type PerfMode = 'bulk' | 'rr' | 'crr';

export interface PerfArgs {
  role: 'server' | 'client' | 'local';
  host: string;
  configFile: string | undefined;
  port: number;
  mode: PerfMode;
  bytes: number;
  durationSec: number;
  up: boolean;
  down: boolean;
  requestSize: number;
  responseSize: number;
  connections: number;
  transactions: number;
  impair: string | undefined;
  seed: number;
  cc: 'cubic' | 'reno' | undefined;
  mtu: number;
  intervalSec: number;
  help: boolean;
}

export function parsePerfArgs(argv: string[]): PerfArgs {
  const { values, positionals } = parse(argv, {
    f: { type: 'string' }, port: { type: 'string' }, mode: { type: 'string' }, bytes: { type: 'string' },
    time: { type: 'string' }, dir: { type: 'string' }, size: { type: 'string' }, request: { type: 'string' },
    response: { type: 'string' }, C: { type: 'string' }, transactions: { type: 'string' },
    local: { type: 'boolean' }, impair: { type: 'string' }, seed: { type: 'string' }, cc: { type: 'string' },
    mtu: { type: 'string' }, interval: { type: 'string' }, h: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const help = values.h === true || values.help === true;
  let role: PerfArgs['role'];
  let host = '';
  const local = values.local === true;
  if (local) {
    role = 'local';
    if (positionals.length > 0 && positionals[0] !== 'client') throw new UsageError(`unexpected argument "${positionals[0]}" with --local`);
  } else if (help) {
    role = 'client';
  } else if (positionals[0] === 'server') {
    role = 'server';
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  } else if (positionals[0] === 'client') {
    role = 'client';
    if (positionals.length !== 2) throw new UsageError('client needs HOST');
    host = positionals[1]!;
  } else {
    throw new UsageError('first argument must be "server" or "client" (or use --local)');
  }
  if ((role === 'server' || role === 'client') && !help && typeof values.f !== 'string') {
    throw new UsageError('-f CONF is required');
  }
  if (!local && (values.impair !== undefined || values.cc !== undefined || values.mtu !== undefined)) {
    throw new UsageError('--impair, --cc and --mtu apply to --local runs; set them in the config file otherwise');
  }
  const mode = (values.mode ?? 'bulk') as string;
  if (mode !== 'bulk' && mode !== 'rr' && mode !== 'crr') throw new UsageError(`--mode must be bulk, rr or crr, got "${mode}"`);
  const dir = (values.dir ?? 'up') as string;
  if (dir !== 'up' && dir !== 'down' && dir !== 'both') throw new UsageError(`--dir must be up, down or both, got "${dir}"`);
  const cc = values.cc as string | undefined;
  if (cc !== undefined && cc !== 'cubic' && cc !== 'reno') throw new UsageError(`--cc must be cubic or reno, got "${cc}"`);
  const sizeOf = (name: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    try {
      return parseSize(v as string);
    } catch (e) {
      throw new UsageError(`${name}: ${(e as Error).message}`);
    }
  };
  const bytes = sizeOf('--bytes', values.bytes) ?? 0;
  let durationSec = 0;
  if (values.time !== undefined) {
    durationSec = Number(values.time);
    if (!(durationSec > 0) || durationSec > 86400) throw new UsageError(`--time must be a number of seconds > 0, got "${values.time}"`);
  }
  const transactions = toInt('--transactions', values.transactions as string | undefined, 1, 2 ** 31) ?? 0;
  if (bytes === 0 && durationSec === 0 && transactions === 0) durationSec = 10;
  const size = sizeOf('--size', values.size);
  const requestSize = sizeOf('--request', values.request) ?? size ?? 64;
  const responseSize = sizeOf('--response', values.response) ?? size ?? 64;
  if (requestSize < 1 || responseSize < 1 || requestSize > 1 << 20 || responseSize > 1 << 20) {
    throw new UsageError('request and response sizes must be between 1 byte and 1M');
  }
  let intervalSec = 1;
  if (values.interval !== undefined) {
    intervalSec = Number(values.interval);
    if (!(intervalSec > 0)) throw new UsageError('--interval must be > 0');
  }
  return {
    role,
    host,
    configFile: values.f as string | undefined,
    port: toInt('--port', values.port as string | undefined, 1, 65535) ?? 5001,
    mode,
    bytes,
    durationSec,
    up: dir === 'up' || dir === 'both',
    down: dir === 'down' || dir === 'both',
    requestSize,
    responseSize,
    connections: toInt('-C', values.C as string | undefined, 1, 100000) ?? (mode === 'crr' ? 16 : 1),
    transactions,
    impair: values.impair as string | undefined,
    seed: toInt('--seed', values.seed as string | undefined, 0, 0xffffffff) ?? 1,
    cc: cc as PerfArgs['cc'],
    mtu: toInt('--mtu', values.mtu as string | undefined, 576, 9000) ?? 1500,
    intervalSec,
    help,
  };
}
