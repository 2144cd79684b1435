// TAP benchmarks against the Linux kernel (root only). Six figures, each the median of `runs` runs:
//   1. HTTP requests/s measured by `wrk -t1 -c64 -dS`: epserver on mtcp-ts over a TAP, against Node's `http`
//      server on the kernel, reached over a veth pair between two network namespaces;
//   2. the same with `vnet_hdr = 1` (checksum offload, TSO) on the TAP;
//   3. bulk Gbit/s on one connection, mtcp-ts sending over the TAP (bench/tap-bulk.ts) to a kernel sink (socat),
//      against kernel-to-kernel `iperf3` over the veth pair;  4. the same with `vnet_hdr = 1`;
//   5. bulk Gbit/s, mtcp-ts receiving from a kernel source (socat), against the same iperf3;  6. with vnet_hdr.
// Only 10.77.x.x addresses inside namespaces made here; every namespace (and with it the veths and TAPs) is
// deleted afterwards, also on failure or ^C (src/testing/netns.ts). Servers and our stack run pinned to CPU 1, the
// kernel-side client to CPU 0 (when taskset exists and there are two CPUs). Method and figures:
// docs/benchmarks-tap.md.  Run: node dist/bench/tap-suite.js [--seconds 5] [--runs 3]  (repo root, root, addon built)

import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tapAvailable } from '../src/link/tap.js';
import { withNetns, type TestNetns } from '../src/testing/netns.js';
import { formatTable, formatValue, makeRecord, type FigureRecord } from './results.js';
import { parseIperf3Json, parseWrk } from './tap-parse.js';

/** The record type of the whole bench suite (bench/results.ts). */
export type BenchRecord = FigureRecord;

export interface TapBenchOptions {
  /** Length of one measured run (wrk -d, iperf3 -t, the bulk transfers), seconds. Default 5. */
  seconds?: number;
  /** Runs per figure; the figure is their median. Default 3. */
  runs?: number;
  /** wrk connections. Default 64. */
  connections?: number;
  /** Where progress lines go. Default: stderr. */
  log?: (line: string) => void;
}

const EPSERVER = fileURLToPath(new URL('../src/cli/epserver.js', import.meta.url));
const HTTP_SERVER = fileURLToPath(new URL('./tap-http-server.js', import.meta.url));
const TAP_BULK = fileURLToPath(new URL('./tap-bulk.js', import.meta.url));

const VETH_SERVER_IP = '10.77.1.1';
const VETH_CLIENT_IP = '10.77.1.2';
const TAP_KERNEL_IP = '10.77.2.1';
const TAP_STACK_IP = '10.77.2.2';
const TAP_IFNAME = 'mtbtap0';
/** The small file wrk fetches (the bodies are all the same size, like a static site's page). */
const PAGE = '/index.html';
const PAGE_BYTES = 1024;
const IPERF_PORT = 5201;
const BULK_PORT = 5001;

/** Why the suite cannot run here, or null when it can. */
export function tapSuiteUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the TAP benchmarks need Linux';
  if (process.getuid?.() !== 0) return 'the TAP benchmarks need root (network namespaces, /dev/net/tun)';
  const tap = tapAvailable();
  if (!tap.ok) return `TAP unavailable: ${tap.reason}`;
  for (const tool of ['ip', 'wrk', 'iperf3', 'curl', 'socat', 'ss', 'timeout']) {
    const pkg = tool === 'ip' || tool === 'ss' ? 'iproute2' : tool === 'timeout' ? 'coreutils' : tool;
    if (!hasCommand(tool)) return `\`${tool}\` is not installed (apt-get install ${pkg})`;
  }
  if (!fs.existsSync(EPSERVER)) return `${EPSERVER} is missing: build first (npm run build)`;
  return null;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** `taskset -c CPU` as a command prefix, or nothing when pinning is impossible here. */
function pinned(cpu: number): string[] {
  return os.cpus().length >= 2 && hasCommand('taskset') ? ['taskset', '-c', String(cpu)] : [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Started {
  child: ChildProcess;
  /** The last 4 KiB of its stdout and stderr. */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<void>;
}

/**
 * Starts `argv` in `ns` (own process group, killed when the namespace is destroyed) and resolves once its stdout
 * matches `ready`.
 */
function startProcess(ns: TestNetns, argv: string[], ready: RegExp, timeoutMs: number): Promise<Started> {
  const child = ns.exec(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let tail = '';
  let out = '';
  const keep = (s: string): void => {
    tail = (tail + s).slice(-4096);
  };
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const started: Started = { child, output: () => tail, exited };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')}: not ready within ${timeoutMs} ms: ${tail.trim()}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      keep(s);
      out = (out + s).slice(-4096);
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(started);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', keep);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (${code ?? signal}) before it was ready: ${tail.trim()}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Kills the process group of `p` and waits (at most 5 s) until it has exited, so its TAP is gone. */
async function stopProcess(p: Started): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined) {
    try {
      process.kill(-p.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.race([p.exited, sleep(5000)]);
}

/** Waits for `p` to exit by itself within `ms`; kills it and throws otherwise. */
async function awaitExit(p: Started, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms)));
  const timedOut = await Promise.race([p.exited.then(() => false), late]);
  clearTimeout(timer);
  if (timedOut) {
    await stopProcess(p);
    throw new Error(`${what} did not end within ${ms} ms: ${p.output().trim()}`);
  }
}

/** Polls `url` from `ns` (at most 40 tries, 1 s each) until it answers 200. */
async function waitForHttp(ns: TestNetns, url: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    const r = await ns.run(`curl -s -m 1 -o /dev/null -w '%{http_code}' ${url}`, 3000);
    if (r.stdout === '200') return;
    last = `curl exit ${r.code}, status ${r.stdout || 'none'}`;
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 (${last})`);
}

/** Polls until a TCP listener on `port` exists in `ns` (at most 40 tries). */
async function waitForListener(ns: TestNetns, port: number): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const r = await ns.run(`ss -Hltn 'sport = :${port}'`, 3000);
    if (r.stdout.includes(`:${port}`)) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on port ${port}`);
}

function disableIpv6(ns: TestNetns): void {
  // Keeps router solicitations and DAD frames off the links being measured.
  ns.runSync('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
}

/** Two namespaces joined by a veth pair: the server side 10.77.1.1/24, the client side 10.77.1.2/24. */
async function withVethPair<T>(body: (server: TestNetns, client: TestNetns) => Promise<T>): Promise<T> {
  return withNetns('mtbsrv', (server) => withNetns('mtbcli', async (client) => {
    disableIpv6(server);
    disableIpv6(client);
    server.ip('link', 'add', 'mtbv0', 'type', 'veth', 'peer', 'name', 'mtbv1', 'netns', client.name);
    server.ip('addr', 'add', `${VETH_SERVER_IP}/24`, 'dev', 'mtbv0');
    client.ip('addr', 'add', `${VETH_CLIENT_IP}/24`, 'dev', 'mtbv1');
    server.ip('link', 'set', 'mtbv0', 'up');
    client.ip('link', 'set', 'mtbv1', 'up');
    return body(server, client);
  }));
}

/** One namespace for the TAP runs; `conf` is the mtcp.conf (io = tap) the processes use. */
async function withTapNetns<T>(dir: string, vnetHdr: boolean, body: (ns: TestNetns, conf: string) => Promise<T>): Promise<T> {
  const conf = path.join(dir, vnetHdr ? 'tap-vnet.conf' : 'tap.conf');
  fs.writeFileSync(conf, tapConfig(vnetHdr));
  return withNetns('mtbtap', async (ns) => {
    disableIpv6(ns);
    return body(ns, conf);
  });
}

/**
 * Starts a process of ours that opens the TAP (the device appears with it and vanishes when it exits), and once
 * it says `ready`, gives the kernel side of the TAP 10.77.2.1/24.
 */
async function startOnTap(ns: TestNetns, argv: string[], ready: RegExp): Promise<Started> {
  const p = await startProcess(ns, [...pinned(1), process.execPath, ...argv], ready, 20_000);
  try {
    ns.ip('addr', 'add', `${TAP_KERNEL_IP}/24`, 'dev', TAP_IFNAME);
    ns.ip('link', 'set', TAP_IFNAME, 'up');
  } catch (e) {
    await stopProcess(p);
    throw e;
  }
  return p;
}

/** The mtcp.conf of the TAP runs (config/apps/tap-server.conf with our names and addresses). */
export function tapConfig(vnetHdr: boolean): string {
  return [
    'io = tap',
    'num_cores = 1',
    'max_concurrency = 20000',
    'max_num_buffers = 20000',
    'rcvbuf = 262144',
    'sndbuf = 262144',
    'tcp_timeout = 30',
    'tcp_timewait = 0',
    `port = ${TAP_IFNAME}`,
    `${TAP_IFNAME}.ip = ${TAP_STACK_IP}/24`,
    `${TAP_IFNAME}.mac = 02:00:00:77:02:02`,
    ...(vnetHdr ? [`${TAP_IFNAME}.vnet_hdr = 1`] : []),
    '',
  ].join('\n');
}

/** The served folder: one 1 KiB page. */
function makeWww(dir: string): void {
  const www = path.join(dir, 'www');
  fs.mkdirSync(www);
  const page = Buffer.alloc(PAGE_BYTES);
  for (let i = 0; i < PAGE_BYTES; i++) page[i] = i % 64 === 63 ? 0x0a : 0x61 + (i % 26);
  fs.writeFileSync(path.join(www, PAGE.slice(1)), page);
}

type Settings = Required<Omit<TapBenchOptions, 'log'>>;

/** The runs of one figure's side, and what went wrong. After a failure the series takes no more runs. */
class Series {
  runs: number[] = [];
  notes: string[] = [];
  failed = false;
  constructor(readonly what: string) {}

  /** Takes one run; a failure is noted (and logged) instead of thrown, so the other series go on. */
  async take(log: (s: string) => void, run: (notes: string[]) => Promise<number>): Promise<void> {
    if (this.failed) return;
    try {
      this.runs.push(await run(this.notes));
    } catch (e) {
      this.failed = true;
      this.notes.push(`${this.what} failed: ${(e as Error).message}`);
      log(`  ${this.what} failed: ${(e as Error).message}`);
    }
  }

  fail(reason: string, log: (s: string) => void): void {
    this.failed = true;
    this.notes.push(`${this.what} failed: ${reason}`);
    log(`  ${this.what} failed: ${reason}`);
  }
}

function wrkCommand(url: string, connections: number, seconds: number): string {
  return `${pinned(0).join(' ')} wrk -t1 -c${connections} -d${seconds}s ${url}`.trim();
}

/** One wrk run from `client`; req/s. Socket errors and non-2xx answers go to `notes`. */
async function wrkOnce(client: TestNetns, url: string, o: Settings, notes: string[], log: (s: string) => void): Promise<number> {
  const cmd = wrkCommand(url, o.connections, o.seconds);
  const r = await client.run(cmd, (o.seconds + 15) * 1000);
  if (r.timedOut) throw new Error(`${cmd} did not finish`);
  const w = parseWrk(r.stdout);
  if (w.socketErrors > 0 || w.non2xx > 0) notes.push(`${url}: ${w.socketErrors} socket errors, ${w.non2xx} non-2xx in one run`);
  log(`  ${cmd}: ${w.requestsPerSecond.toFixed(0)} req/s (${w.requests} requests)`);
  return w.requestsPerSecond;
}

/** One iperf3 run from `client` to the server side of the veth pair; Gbit/s the receiver saw. */
async function iperf3Once(client: TestNetns, o: Settings, log: (s: string) => void): Promise<number> {
  const cmd = `${pinned(0).join(' ')} iperf3 -c ${VETH_SERVER_IP} -p ${IPERF_PORT} -t ${o.seconds} -J`.trim();
  const r = await client.run(cmd, (o.seconds + 15) * 1000);
  if (r.timedOut) throw new Error(`${cmd} did not finish`);
  const res = parseIperf3Json(r.stdout);
  log(`  ${cmd}: ${(res.receivedBitsPerSecond / 1e9).toFixed(2)} Gbit/s (${res.retransmits} retransmits)`);
  return res.receivedBitsPerSecond / 1e9;
}

/**
 * One single-connection transfer between our stack (bench/tap-bulk.js, a new process) and socat on the kernel
 * side of the TAP; Gbit/s as our side timed it. send: from our first write to the sink's FIN (sent once the sink
 * has read everything); recv: from our first byte read to the source's FIN.
 */
async function tapBulkOnce(ns: TestNetns, conf: string, mode: 'send' | 'recv', o: Settings, notes: string[], log: (s: string) => void): Promise<number> {
  const pin = pinned(0).join(' ');
  const argv = mode === 'send'
    ? [TAP_BULK, 'send', conf, TAP_KERNEL_IP, String(BULK_PORT), String(o.seconds)]
    : [TAP_BULK, 'recv', conf, String(BULK_PORT)];
  const p = await startOnTap(ns, argv, /^ready$/m);
  let kernelCmd: string;
  let sinkBytes = -1;
  try {
    if (mode === 'send') {
      kernelCmd = `${pin} socat -u TCP-LISTEN:${BULK_PORT},bind=${TAP_KERNEL_IP},reuseaddr STDOUT | wc -c`.trim();
      const sink = ns.run(kernelCmd, (o.seconds + 40) * 1000);
      await waitForListener(ns, BULK_PORT);
      p.child.stdin!.write('go\n');
      await awaitExit(p, (o.seconds + 35) * 1000, 'tap-bulk send');
      const r = await sink;
      sinkBytes = Number(r.stdout.trim());
    } else {
      kernelCmd = `${pin} timeout ${o.seconds} socat -u -b 65536 OPEN:/dev/zero TCP:${TAP_STACK_IP}:${BULK_PORT}`.trim();
      const r = await ns.run(kernelCmd, (o.seconds + 10) * 1000);
      if (r.code !== 124) throw new Error(`${kernelCmd}: exit ${r.code}: ${r.stderr.trim()}`); // 124: ended by timeout
      await awaitExit(p, 35_000, 'tap-bulk recv');
    }
  } finally {
    await stopProcess(p);
  }
  if (p.child.exitCode !== 0) throw new Error(`tap-bulk ${mode} exited ${p.child.exitCode ?? p.child.signalCode}: ${p.output().trim()}`);
  const res = JSON.parse(p.output().trim().split('\n').pop()!) as { bytes: number; seconds: number; cpuSeconds: number };
  if (mode === 'send' && sinkBytes !== res.bytes) notes.push(`sent ${res.bytes} bytes, the kernel sink counted ${sinkBytes}`);
  const gbps = (res.bytes * 8) / res.seconds / 1e9;
  const cpu = Math.round((100 * res.cpuSeconds) / res.seconds);
  log(`  tap-bulk ${mode} (${path.basename(conf)}) | ${kernelCmd}: ${gbps.toFixed(2)} Gbit/s (${res.bytes} bytes in ${res.seconds.toFixed(2)} s, our CPU ${cpu} %)`);
  return gbps;
}

function record(name: string, unit: string, ours: Series, kernel: Series, method: string): BenchRecord {
  return makeRecord(name, unit, true, ours.runs, kernel.runs, [method, ...ours.notes, ...kernel.notes].join('; '));
}

interface TapSide {
  ns: TestNetns;
  conf: string;
  label: string;
  http: Series;
  send: Series;
  recv: Series;
}

/**
 * All runs, with every topology up at once so that runs of the kernel and of our stack alternate (machine noise
 * then spreads over both sides): the veth pair and two TAP namespaces (without and with vnet_hdr).
 */
async function measureAll(dir: string, o: Settings, log: (s: string) => void): Promise<{ kernelHttp: Series; iperf: Series; taps: TapSide[] }> {
  const www = path.join(dir, 'www');
  const kernelHttp = new Series('Node http over veth');
  const iperf = new Series('iperf3 over veth');
  const taps: TapSide[] = [];
  await withVethPair((server, client) => withTapNetns(dir, false, (ns0, conf0) => withTapNetns(dir, true, async (ns1, conf1) => {
    for (const [ns, conf, label] of [[ns0, conf0, 'TAP'], [ns1, conf1, 'TAP + vnet_hdr']] as const) {
      taps.push({ ns, conf, label, http: new Series(`epserver over ${label}`), send: new Series(`bulk send over ${label}`), recv: new Series(`bulk receive over ${label}`) });
    }
    const kernelUrl = `http://${VETH_SERVER_IP}${PAGE}`;
    const tapUrl = `http://${TAP_STACK_IP}${PAGE}`;

    log('tap-suite: HTTP (Node http over veth, epserver over TAP, epserver over TAP + vnet_hdr, alternating)');
    const servers: Started[] = [];
    try {
      try {
        servers.push(await startProcess(server, [...pinned(1), process.execPath, HTTP_SERVER, www, VETH_SERVER_IP, '80'], /^ready /m, 10_000));
        await waitForHttp(client, kernelUrl);
        await client.run(wrkCommand(kernelUrl, o.connections, 1), 15_000); // warm-up
      } catch (e) {
        kernelHttp.fail((e as Error).message, log);
      }
      for (const t of taps) {
        try {
          servers.push(await startOnTap(t.ns, [EPSERVER, '-p', www, '-f', t.conf], /epserver: serving/));
          await waitForHttp(t.ns, tapUrl);
          await t.ns.run(wrkCommand(tapUrl, o.connections, 1), 15_000); // warm-up
        } catch (e) {
          t.http.fail((e as Error).message, log);
        }
      }
      for (let i = 0; i < o.runs; i++) {
        await kernelHttp.take(log, (notes) => wrkOnce(client, kernelUrl, o, notes, log));
        for (const t of taps) await t.http.take(log, (notes) => wrkOnce(t.ns, tapUrl, o, notes, log));
      }
    } finally {
      for (const p of servers) await stopProcess(p);
    }

    log('tap-suite: bulk (iperf3 over veth, our send and receive over TAP and TAP + vnet_hdr, alternating)');
    try {
      const argv = [...pinned(1), 'iperf3', '-s', '-B', VETH_SERVER_IP, '-p', String(IPERF_PORT)];
      server.exec(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      await waitForListener(server, IPERF_PORT);
    } catch (e) {
      iperf.fail((e as Error).message, log);
    }
    for (let i = 0; i < o.runs; i++) {
      await iperf.take(log, () => iperf3Once(client, o, log));
      for (const t of taps) await t.send.take(log, (notes) => tapBulkOnce(t.ns, t.conf, 'send', o, notes, log));
      for (const t of taps) await t.recv.take(log, (notes) => tapBulkOnce(t.ns, t.conf, 'recv', o, notes, log));
    }
  })));
  return { kernelHttp, iperf, taps };
}

/**
 * Runs the six figures. Returns no records (and logs why) when not root, TAP is unavailable or a tool is
 * missing. A figure that fails keeps its record with null values and the reason in `note`.
 */
export async function runTapBenchmarks(options: TapBenchOptions = {}): Promise<BenchRecord[]> {
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const o: Settings = { seconds: options.seconds ?? 5, runs: options.runs ?? 3, connections: options.connections ?? 64 };
  const why = tapSuiteUnavailable();
  if (why !== null) {
    log(`tap-suite: skipped: ${why}`);
    return [];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-tapbench-'));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  // ^C: netns.ts deletes the namespaces and re-raises the signal; this removes the folder, and re-raises the signal
  // itself when no other handler is left to do it (so the default action, termination, still happens).
  const onSignal = (signal: NodeJS.Signals): void => {
    removeDir();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', removeDir);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    makeWww(dir);
    const { kernelHttp, iperf, taps } = await measureAll(dir, o, log);
    const wrkMethod = `wrk -t1 -c${o.connections} -d${o.seconds}s, ${PAGE_BYTES} B file; node = Node http on the kernel over veth`;
    const sendMethod = `1 connection, ${o.seconds} s; ours = tap-bulk send -> socat sink over the TAP; node = kernel-to-kernel iperf3 over veth`;
    const recvMethod = `1 connection, ${o.seconds} s; ours = socat source -> tap-bulk recv over the TAP; node = kernel-to-kernel iperf3 over veth`;
    return [
      record('HTTP req/s, epserver over TAP', 'req/s', taps[0]!.http, kernelHttp, wrkMethod),
      record('HTTP req/s, epserver over TAP + vnet_hdr', 'req/s', taps[1]!.http, kernelHttp, wrkMethod),
      record('bulk send Gbit/s over TAP', 'Gbit/s', taps[0]!.send, iperf, sendMethod),
      record('bulk send Gbit/s over TAP + vnet_hdr (TSO)', 'Gbit/s', taps[1]!.send, iperf, sendMethod),
      record('bulk receive Gbit/s over TAP', 'Gbit/s', taps[0]!.recv, iperf, recvMethod),
      record('bulk receive Gbit/s over TAP + vnet_hdr', 'Gbit/s', taps[1]!.recv, iperf, recvMethod),
    ];
  } finally {
    removeDir();
    process.removeListener('exit', removeDir);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`tap-suite: ${name} needs a positive number\n`);
    process.exit(2);
  }
  return v;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const seconds = argValue(args, '--seconds', 5);
  const runs = argValue(args, '--runs', 3);
  const records = await runTapBenchmarks({ seconds, runs });
  if (records.length > 0) {
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`\nmtcp-ts over TAP vs the Linux kernel, median of ${runs} runs of ${seconds} s (node ${process.version}, ${os.cpus().length} CPUs, load average ${load})`);
    console.log('("node net" column: the kernel baseline named in each note)\n');
    console.log(formatTable(records));
    console.log('');
    for (const r of records) {
      console.log(`${r.name}: ours [${r.mtcpRuns.map(formatValue).join(', ')}], kernel [${r.nodeRuns.map(formatValue).join(', ')}]; ${r.note}`);
    }
  }
}
