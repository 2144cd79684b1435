// Kernel-side peers and observers for the interop suite, each run inside a test's network namespace:
// nginx (HTTP server), socat (bulk sender/receiver hashed with SHA-256), `ss -ti` parsing (the kernel's view of
// a connection: retransmissions, bytes), waiting for listeners, and running the scapy probes.

import { createHash, randomFillSync } from 'node:crypto';
import { chmodSync, closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TestNetns } from '../src/testing/netns.js';
import { sleep } from './fixture.js';

/** The only python with scapy here (Debian's python3-scapy); a pyenv shim on PATH may lack it. */
export const PYTHON = '/usr/bin/python3';

/** Waits until something in the namespace listens on ip:port (TCP); throws after timeoutMs. */
export async function waitForTcpListen(ns: TestNetns, ip: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const want = `${ip}:${port}`;
  for (;;) {
    const r = await ns.run(`ss -Hltn 'sport = :${port}'`, 5_000);
    if (r.stdout.split('\n').some((line) => line.split(/\s+/).includes(want))) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${want} in ${ns.name} after ${timeoutMs} ms (ss: ${r.stdout.trim()} ${r.stderr.trim()})`);
    await sleep(50);
  }
}

export interface NginxOptions {
  /** Directory served as the document root (made world-readable: nginx workers do not run as root). */
  root: string;
  /** Directory for nginx.conf and nginx's temporary files. */
  dir: string;
  ip: string;
  port: number;
  /** nginx `worker_processes` (default 1). */
  workers?: number;
}

export interface NginxServer {
  /** Kills nginx (also done by the namespace's destroy()). */
  stop(): void;
  /** What nginx wrote to stderr so far. */
  stderr(): string;
}

/** Starts Debian's nginx in the namespace, serving `root` on ip:port, and waits until it listens. */
export async function startNginx(ns: TestNetns, opts: NginxOptions): Promise<NginxServer> {
  const conf = join(opts.dir, 'nginx.conf');
  const tmp = (name: string) => join(opts.dir, name);
  chmodSync(opts.dir, 0o755);
  chmodSync(opts.root, 0o755);
  // keepalive_requests: ab -k and epwget reuse one connection for many requests (nginx's default is 1000).
  writeFileSync(conf, `daemon off;
worker_processes ${opts.workers ?? 1};
error_log stderr warn;
pid ${tmp('nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  sendfile off;
  keepalive_timeout 60;
  keepalive_requests 1000000;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  default_type application/octet-stream;
  server { listen ${opts.ip}:${opts.port}; root ${opts.root}; }
}
`);
  const child = ns.exec('nginx', ['-c', conf, '-e', 'stderr']);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout?.resume();
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (err) => {
    exited = true;
    stderr += `nginx could not start (apt-get install nginx-light): ${err.message}`;
  });
  const stop = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exited) throw new Error(`nginx exited: ${stderr.trim()}`);
      try {
        await waitForTcpListen(ns, opts.ip, opts.port, 200);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { stop, stderr: () => stderr };
}

/**
 * Writes `bytes` random bytes to `path` in 16 MiB pieces (no 256 MiB buffer in memory); returns their SHA-256.
 */
export function writeRandomFile(path: string, bytes: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0;) {
      const n = Math.min(left, chunk.length);
      const piece = chunk.subarray(0, n);
      randomFillSync(piece);
      hash.update(piece);
      writeSync(fd, piece);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export interface StreamDigest {
  bytes: number;
  sha256: string;
  /** socat's exit code (null when killed). */
  code: number | null;
  stderr: string;
}

/**
 * Runs `socat -u <address> STDOUT` in the namespace and hashes everything it receives. `address` is a socat
 * address: 'TCP-LISTEN:5001,bind=10.77.0.1,reuseaddr' (the kernel accepts) or 'TCP:10.77.0.2:5001' (the kernel
 * connects). Resolves when socat exits (the peer closed). `progress.bytes` follows the count meanwhile.
 */
export function socatReceive(ns: TestNetns, address: string, progress?: { bytes: number }): Promise<StreamDigest> {
  const child = ns.exec('socat', ['-u', address, 'STDOUT']);
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (progress !== undefined) progress.bytes = bytes;
    hash.update(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolvePromise, reject) => {
    child.once('error', (err) => reject(new Error(`socat could not start (apt-get install socat): ${err.message}`)));
    child.once('close', (code) => resolvePromise({ bytes, sha256: hash.digest('hex'), code, stderr }));
  });
}

/**
 * Runs `socat OPEN:<file>!!STDOUT <address>` in the namespace: sends the file to the peer (an echo server) and
 * hashes what comes back, both directions at once. After the file's end socat half-closes and waits up to
 * `drainSeconds` for the peer to finish and close.
 */
export function socatExchange(ns: TestNetns, file: string, address: string, drainSeconds = 60): Promise<StreamDigest> {
  const child = ns.exec('socat', ['-t', String(drainSeconds), '-b', '65536', `OPEN:${file},rdonly!!STDOUT`, address]);
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolvePromise, reject) => {
    child.once('error', (err) => reject(new Error(`socat could not start (apt-get install socat): ${err.message}`)));
    child.once('close', (code) => resolvePromise({ bytes, sha256: hash.digest('hex'), code, stderr }));
  });
}

/**
 * Runs `socat -u OPEN:<file> <address>` in the namespace: sends the file's bytes to the peer and closes.
 * Resolves with socat's exit code and stderr.
 */
export function socatSendFile(ns: TestNetns, file: string, address: string): Promise<{ code: number | null; stderr: string }> {
  const child = ns.exec('socat', ['-u', `OPEN:${file},rdonly`, address]);
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolvePromise, reject) => {
    child.once('error', (err) => reject(new Error(`socat could not start (apt-get install socat): ${err.message}`)));
    child.once('close', (code) => resolvePromise({ code, stderr }));
  });
}

/** One TCP connection as `ss -ti` shows it. Counters ss leaves out when zero are 0 here. */
export interface SsConnection {
  state: string;
  local: string;
  peer: string;
  /** Congestion control named in the info line ('cubic', 'reno', ...), '' if none. */
  congestion: string;
  /** Total retransmitted segments (second number of `retrans:a/b`). */
  retransTotal: number;
  /** Retransmitted segments still unacknowledged (first number of `retrans:a/b`). */
  retransOutstanding: number;
  bytesRetrans: number;
  bytesSent: number;
  bytesAcked: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  /** Every `key:value` (and `send`/`pacing_rate`/`delivery_rate` value) of the info line, as text. */
  fields: Record<string, string>;
  /** Bare words of the info line (ts, sack, cubic, app_limited, ...). */
  flags: string[];
}

const SPACED_KEYS = new Set(['send', 'pacing_rate', 'delivery_rate']);
const CONGESTION = new Set(['cubic', 'reno', 'bbr', 'dctcp', 'vegas', 'westwood', 'htcp', 'bic', 'highspeed', 'illinois', 'scalable', 'yeah', 'hybla', 'lp', 'veno', 'nv', 'cdg']);

/**
 * Parses `ss -ti` (or `ss -tin`, with or without the header line): a connection line
 * "STATE RECV-Q SEND-Q LOCAL PEER [PROCESS]" followed by an indented info line.
 */
export function parseSsTi(text: string): SsConnection[] {
  const out: SsConnection[] = [];
  let current: SsConnection | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('State ')) continue;
    if (/^\s/.test(line)) {
      if (current === null) throw new Error(`ss info line without a connection line: ${line.trim()}`);
      parseInfo(current, line.trim().split(/\s+/));
      continue;
    }
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) throw new Error(`unexpected ss line: ${line}`);
    current = {
      state: cols[0], local: cols[3], peer: cols[4], congestion: '',
      retransTotal: 0, retransOutstanding: 0, bytesRetrans: 0, bytesSent: 0, bytesAcked: 0, bytesReceived: 0,
      segsOut: 0, segsIn: 0, fields: {}, flags: [],
    };
    out.push(current);
  }
  return out;
}

function parseInfo(c: SsConnection, tokens: string[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (SPACED_KEYS.has(tok) && i + 1 < tokens.length) {
      c.fields[tok] = tokens[++i];
      continue;
    }
    const colon = tok.indexOf(':');
    if (colon < 0) {
      c.flags.push(tok);
      if (CONGESTION.has(tok)) c.congestion = tok;
      continue;
    }
    const key = tok.slice(0, colon);
    const value = tok.slice(colon + 1);
    c.fields[key] = value;
    switch (key) {
      case 'retrans': {
        const m = /^(\d+)\/(\d+)$/.exec(value);
        if (m === null) throw new Error(`unexpected retrans field: ${tok}`);
        c.retransOutstanding = Number(m[1]);
        c.retransTotal = Number(m[2]);
        break;
      }
      case 'bytes_retrans': c.bytesRetrans = Number(value); break;
      case 'bytes_sent': c.bytesSent = Number(value); break;
      case 'bytes_acked': c.bytesAcked = Number(value); break;
      case 'bytes_received': c.bytesReceived = Number(value); break;
      case 'segs_out': c.segsOut = Number(value); break;
      case 'segs_in': c.segsIn = Number(value); break;
      default: break;
    }
  }
}

/** `ss -tin` in the namespace, parsed; `filter` is an ss filter expression such as "dport = :5001". */
export async function ssTcpInfo(ns: TestNetns, filter = ''): Promise<SsConnection[]> {
  const r = await ns.run(`ss -tin ${filter === '' ? '' : `'${filter}'`}`, 5_000);
  if (r.code !== 0) throw new Error(`ss -tin failed (${r.code}): ${r.stderr.trim()}`);
  return parseSsTi(r.stdout);
}

export interface ProbeResult {
  passed: boolean;
  /** The probe's PASS/FAIL line ('' if it printed none). */
  line: string;
  code: number | null;
  output: string;
}

/**
 * Runs interop/probes/<name>.py against target:port inside the namespace (the namespace's kernel RSTs must be
 * suppressed first: InteropNet.suppressKernelRsts()).
 */
export async function runProbe(ns: TestNetns, name: string, target: string, port: number, extra: string[] = [], timeoutMs = 30_000): Promise<ProbeResult> {
  const script = join(process.cwd(), 'interop', 'probes', `${name}.py`);
  const quoted = [PYTHON, script, target, String(port), ...extra].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // No __pycache__ in the source tree from importing probelib.
  const r = await ns.run(`PYTHONDONTWRITEBYTECODE=1 ${quoted}`, timeoutMs);
  const output = `${r.stdout}${r.stderr}`;
  const line = r.stdout.split('\n').find((l) => l.startsWith('PASS ') || l.startsWith('FAIL ')) ?? '';
  return { passed: r.code === 0 && line.startsWith('PASS '), line, code: r.code, output: r.timedOut ? `${output}\n(timed out after ${timeoutMs} ms)` : output };
}
