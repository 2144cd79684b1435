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

interface Measured {
  runs: number[];
  notes: string[];
}

/** `runs` wrk runs from `client` (after a 1 s warm-up); req/s of each. */
async function measureWrk(client: TestNetns, url: string, o: Required<Omit<TapBenchOptions, 'log'>>, log: (s: string) => void): Promise<Measured> {
  const cmd = (s: number): string => `${pinned(0).join(' ')} wrk -t1 -c${o.connections} -d${s}s ${url}`.trim();
  await client.run(cmd(1), 15_000);
  const m: Measured = { runs: [], notes: [] };
  for (let i = 0; i < o.runs; i++) {
    const r = await client.run(cmd(o.seconds), (o.seconds + 15) * 1000);
    if (r.timedOut) throw new Error(`${cmd(o.seconds)} did not finish`);
    const w = parseWrk(r.stdout);
    if (w.socketErrors > 0 || w.non2xx > 0) m.notes.push(`run ${i + 1}: ${w.socketErrors} socket errors, ${w.non2xx} non-2xx`);
    log(`  ${cmd(o.seconds)}: ${w.requestsPerSecond.toFixed(0)} req/s (${w.requests} requests)`);
    m.runs.push(w.requestsPerSecond);
  }
  return m;
}

/**
 * `runs` single-connection transfers between our stack (bench/tap-bulk.js, one process per run) and socat on the
 * kernel side of the TAP; Gbit/s of each as our side timed it. send: from our first write to the sink's FIN
 * (sent once the sink has read everything); recv: from our first byte read to the source's FIN.
 */
async function measureTapBulk(ns: TestNetns, conf: string, mode: 'send' | 'recv', o: Required<Omit<TapBenchOptions, 'log'>>, log: (s: string) => void): Promise<Measured> {
  const m: Measured = { runs: [], notes: [] };
  const pin = pinned(0).join(' ');
  for (let i = 0; i < o.runs; i++) {
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
    const last = p.output().trim().split('\n').pop()!;
    const res = JSON.parse(last) as { bytes: number; seconds: number };
    if (mode === 'send' && sinkBytes !== res.bytes) m.notes.push(`run ${i + 1}: sent ${res.bytes} bytes, the kernel sink counted ${sinkBytes}`);
    const gbps = (res.bytes * 8) / res.seconds / 1e9;
    log(`  tap-bulk ${mode} | ${kernelCmd}: ${gbps.toFixed(2)} Gbit/s (${res.bytes} bytes in ${res.seconds.toFixed(2)} s)`);
    m.runs.push(gbps);
  }
  return m;
}

/** `runs` iperf3 runs from `client` to the server side of the veth pair; Gbit/s the receiver saw. */
async function measureIperf3(server: TestNetns, client: TestNetns, o: Required<Omit<TapBenchOptions, 'log'>>, log: (s: string) => void): Promise<Measured> {
  const argv = [...pinned(1), 'iperf3', '-s', '-B', VETH_SERVER_IP, '-p', String(IPERF_PORT)];
  server.exec(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  await waitForListener(server, IPERF_PORT);
  const cmd = `${pinned(0).join(' ')} iperf3 -c ${VETH_SERVER_IP} -p ${IPERF_PORT} -t ${o.seconds} -J`.trim();
  const m: Measured = { runs: [], notes: [] };
  for (let i = 0; i < o.runs; i++) {
    const r = await client.run(cmd, (o.seconds + 15) * 1000);
    if (r.timedOut) throw new Error(`${cmd} did not finish`);
    const res = parseIperf3Json(r.stdout);
    log(`  ${cmd}: ${(res.receivedBitsPerSecond / 1e9).toFixed(2)} Gbit/s (${res.retransmits} retransmits)`);
    m.runs.push(res.receivedBitsPerSecond / 1e9);
  }
  return m;
}

/** Runs `body`; on failure returns no runs and the reason as a note, so one broken figure keeps the others. */
async function attempt(what: string, log: (s: string) => void, body: () => Promise<Measured>): Promise<Measured> {
  try {
    return await body();
  } catch (e) {
    const reason = `${what} failed: ${(e as Error).message}`;
    log(`  ${reason}`);
    return { runs: [], notes: [reason] };
  }
}

function record(name: string, unit: string, ours: Measured, kernel: Measured, method: string): BenchRecord {
  return makeRecord(name, unit, true, ours.runs, kernel.runs, [method, ...ours.notes, ...kernel.notes].join('; '));
}

/**
 * Runs the six figures. Returns no records (and logs why) when not root, TAP is unavailable or a tool is
 * missing. A figure that fails keeps its record with null values and the reason in `note`.
 */
export async function runTapBenchmarks(options: TapBenchOptions = {}): Promise<BenchRecord[]> {
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const o = { seconds: options.seconds ?? 5, runs: options.runs ?? 3, connections: options.connections ?? 64 };
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
    const www = path.join(dir, 'www');
    log('tap-suite: kernel baselines over a veth pair (Node http, iperf3)');
    const kernel = await withVethPair(async (server, client) => {
      const http = await attempt('Node http over veth', log, async () => {
        await startProcess(server, [...pinned(1), process.execPath, HTTP_SERVER, www, VETH_SERVER_IP, '80'], /^ready /m, 10_000);
        await waitForHttp(client, `http://${VETH_SERVER_IP}${PAGE}`);
        return measureWrk(client, `http://${VETH_SERVER_IP}${PAGE}`, o, log);
      });
      const bulk = await attempt('iperf3 over veth', log, () => measureIperf3(server, client, o, log));
      return { http, bulk };
    });
    const tap: Array<{ http: Measured; send: Measured; recv: Measured }> = [];
    for (const vnetHdr of [false, true]) {
      const v = vnetHdr ? ' + vnet_hdr' : '';
      log(`tap-suite: mtcp-ts over a TAP${v}`);
      const none: Measured = { runs: [], notes: [] };
      let figures = { http: none, send: none, recv: none };
      const setup = await attempt(`TAP namespace${v}`, log, () => withTapNetns(dir, vnetHdr, async (ns, conf) => {
        const http = await attempt(`epserver over TAP${v}`, log, async () => {
          const ep = await startOnTap(ns, [EPSERVER, '-p', www, '-f', conf], /epserver: serving/);
          try {
            await waitForHttp(ns, `http://${TAP_STACK_IP}${PAGE}`);
            return await measureWrk(ns, `http://${TAP_STACK_IP}${PAGE}`, o, log);
          } finally {
            await stopProcess(ep);
          }
        });
        const send = await attempt(`bulk send over TAP${v}`, log, () => measureTapBulk(ns, conf, 'send', o, log));
        const recv = await attempt(`bulk receive over TAP${v}`, log, () => measureTapBulk(ns, conf, 'recv', o, log));
        figures = { http, send, recv };
        return none;
      }));
      if (setup.notes.length > 0) figures = { http: setup, send: setup, recv: setup };
      tap.push(figures);
    }
    const wrkMethod = `wrk -t1 -c${o.connections} -d${o.seconds}s, ${PAGE_BYTES} B file; node = Node http on the kernel over veth`;
    const sendMethod = `1 connection, ${o.seconds} s; ours = tap-bulk send -> socat sink over the TAP; node = kernel-to-kernel iperf3 over veth`;
    const recvMethod = `1 connection, ${o.seconds} s; ours = socat source -> tap-bulk recv over the TAP; node = kernel-to-kernel iperf3 over veth`;
    return [
      record('HTTP req/s, epserver over TAP', 'req/s', tap[0]!.http, kernel.http, wrkMethod),
      record('HTTP req/s, epserver over TAP + vnet_hdr', 'req/s', tap[1]!.http, kernel.http, wrkMethod),
      record('bulk send Gbit/s over TAP', 'Gbit/s', tap[0]!.send, kernel.bulk, sendMethod),
      record('bulk send Gbit/s over TAP + vnet_hdr (TSO)', 'Gbit/s', tap[1]!.send, kernel.bulk, sendMethod),
      record('bulk receive Gbit/s over TAP', 'Gbit/s', tap[0]!.recv, kernel.bulk, recvMethod),
      record('bulk receive Gbit/s over TAP + vnet_hdr', 'Gbit/s', tap[1]!.recv, kernel.bulk, recvMethod),
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
    console.log(`\nmtcp-ts over TAP vs the Linux kernel, median of ${runs} runs of ${seconds} s (node ${process.version}, ${os.cpus().length} CPUs)`);
    console.log('("node net" column: the kernel baseline named in each note)\n');
    console.log(formatTable(records));
    console.log('');
    for (const r of records) {
      console.log(`${r.name}: ours [${r.mtcpRuns.map(formatValue).join(', ')}], kernel [${r.nodeRuns.map(formatValue).join(', ')}]; ${r.note}`);
    }
  }
}
