// Our stack as the kernel's peer: its programs (epserver, epwget, the echo server of the API examples) run as
// child processes inside the test's namespace on an mtcp.conf with io = tap, attached to a TAP the fixture
// created beforehand (persistent, so the kernel side is configured before the stack starts and nothing races).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { PREFIX_LENGTH, STACK_IP, sleep, type InteropNet } from './fixture.js';

/** Our stack's MAC on the TAP (mtcp.conf's default for 10.77.0.2, written out so tests can expect it). */
export const STACK_MAC = '02:00:0a:4d:00:02';

export interface StackConfOptions {
  cc?: 'cubic' | 'reno';
  rcvbuf?: number;
  sndbuf?: number;
  vnetHdr?: boolean;
  /** Extra mtcp.conf lines. */
  extra?: string[];
}

/** Writes an mtcp.conf for our stack on the fixture's TAP; returns its path. */
export function writeStackConf(net: InteropNet, opts: StackConfOptions = {}): string {
  const path = join(net.dir, 'mtcp.conf');
  const lines = [
    'io = tap',
    'num_cores = 1',
    'max_concurrency = 20000',
    'max_num_buffers = 20000',
    `rcvbuf = ${opts.rcvbuf ?? 262144}`,
    `sndbuf = ${opts.sndbuf ?? 262144}`,
    'tcp_timeout = 30',
    'tcp_timewait = 0',
    `cc = ${opts.cc ?? 'cubic'}`,
    `port = ${net.tap}`,
    `${net.tap}.ip = ${STACK_IP}/${PREFIX_LENGTH}`,
    `${net.tap}.mac = ${STACK_MAC}`,
    `${net.tap}.vnet_hdr = ${opts.vnetHdr === true ? 1 : 0}`,
    ...(opts.extra ?? []),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Compiled entry points of our programs (this file lives in <out>/interop/, they in <out>/src/). */
export const PROGRAMS = {
  epserver: fileURLToPath(new URL('../src/cli/epserver.js', import.meta.url)),
  epwget: fileURLToPath(new URL('../src/cli/epwget.js', import.meta.url)),
  echo: fileURLToPath(new URL('../src/api/examples/echo-main.js', import.meta.url)),
  bulk: fileURLToPath(new URL('./bulk-app.js', import.meta.url)),
} as const;

export type ProgramName = keyof typeof PROGRAMS;

export class StackProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stdoutText: string;
  private stderrText: string;

  constructor(child: ChildProcess) {
    this.child = child;
    this.stdoutText = '';
    this.stderrText = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdoutText += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderrText += s));
    this.exited = new Promise((resolvePromise) => {
      child.once('close', (code, signal) => resolvePromise({ code, signal }));
      child.once('error', (err) => {
        this.stderrText += `spawn failed: ${err.message}`;
        resolvePromise({ code: null, signal: null });
      });
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Both streams, for failure messages. */
  output(): string {
    return `--- stdout ---\n${this.stdoutText}--- stderr ---\n${this.stderrText}`;
  }

  /** Resolves when stdout contains `text`; rejects if the process exits first or after timeoutMs. */
  async waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => (done = true));
    while (!this.stdoutText.includes(text)) {
      if (done) throw new Error(`program exited before printing "${text}":\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`program did not print "${text}" within ${timeoutMs} ms:\n${this.output()}`);
      await sleep(20);
    }
  }

  /** Waits for the program to exit on its own; after timeoutMs it is stopped (stop()) and timedOut is true. */
  async finish(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const first = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (first !== 'timeout') return { ...first, timedOut: false };
    const r = await this.stop();
    return { ...r, timedOut: true };
  }

  /** SIGINT (the programs' ^C: print totals and exit), then SIGKILL after graceMs. */
  async stop(graceMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-pid, 'SIGINT');
      } catch {
        // already gone
      }
      const t = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      const r = await this.exited;
      clearTimeout(t);
      return r;
    }
    return this.exited;
  }
}

/**
 * How a program of ours is scheduled. realtime: SCHED_RR for every thread of the process, the tests' stand-in for
 * the dedicated core mTCP gives each stack thread (see realtimeSchedulingUnavailable()): V8's and libuv's helper
 * threads at priority HELPER_RT_PRIORITY (`chrt -r 1`), and once the program is ready, its JS thread, which runs the
 * stack, at STACK_RT_PRIORITY above them.
 */
export interface ProgramOptions {
  realtime?: boolean;
}

/** Linux scheduling policy number of SCHED_RR (sched.h). */
export const SCHED_RR = 2;
/** RT priority of the helper threads of a realtime program (inherited from `chrt -r 1` at their creation). */
export const HELPER_RT_PRIORITY = 1;
/**
 * RT priority of the JS thread of a realtime program. It must be above the helpers': SCHED_RR threads of equal
 * priority take turns when a 100 ms time slice ends, and a trace (docs/interop.md) caught our JS thread waiting
 * 15 ms behind one of its own V8 helper threads that way, long enough for the kernel's tail-loss probe.
 */
export const STACK_RT_PRIORITY = 2;

let realtimeProbe: string | null = null;

/**
 * Whether `chrt -r 1` can start a process here and the RT bandwidth limit can be lifted (withRealtimeLimitLifted):
 * '' when both can, else why not (no chrt, no CAP_SYS_NICE, an RT group scheduling budget of 0 in this cgroup, a
 * read-only /proc/sys). Probed once.
 *
 * Why the clean-link bulk runs want it: Linux sends a tail-loss probe 2*SRTT (RFC 8985 §7.2) + 2 ms after its last
 * transmission when no ACK came, 4-7 ms here (SRTT is well under 1 ms on a TAP), while a runnable thread that loses
 * its CPU on a busy host waits at least one scheduler tick (4 ms at HZ=250). Our stack ACKs from the process's one
 * JS thread, so a stack that is preempted (or paused by a GC whose helper threads wait for a CPU) while the kernel
 * has data in flight draws spurious probes. With SCHED_RR it keeps its CPU, as mTCP's pinned threads keep theirs
 * (docs/interop.md has the measurements).
 */
export function realtimeSchedulingUnavailable(): string {
  if (realtimeProbe === null) {
    const r = spawnSync('chrt', ['-r', '1', 'true'], { encoding: 'utf8', timeout: 5_000 });
    realtimeProbe = r.error ? `chrt not runnable (${r.error.message}; apt-get install util-linux)` :
      r.status !== 0 ? `chrt -r 1 failed: ${r.stderr.trim()}` : rtRuntimeUnwritable();
  }
  return realtimeProbe;
}

/** The kernel's RT bandwidth limit: RT threads may run this many µs per sched_rt_period_us (-1: no limit). */
export const RT_RUNTIME_PATH = '/proc/sys/kernel/sched_rt_runtime_us';

/** '' if RT_RUNTIME_PATH can be written (checked by writing back its value), else why not. */
function rtRuntimeUnwritable(): string {
  try {
    writeFileSync(RT_RUNTIME_PATH, readFileSync(RT_RUNTIME_PATH, 'utf8').trim());
    return '';
  } catch (e) {
    return `${RT_RUNTIME_PATH} cannot be written (${(e as Error).message})`;
  }
}

/**
 * Runs `fn` with the kernel's RT bandwidth limit lifted (sched_rt_runtime_us = -1) when `opts.realtime`, and puts
 * the old value back afterwards, also when `fn` throws or the process exits first (or gets SIGTERM or SIGINT). With the default (950000 µs per
 * 1 s period) a SCHED_RR thread kept busy for a whole period is throttled: its CPU idles for the period's last
 * 45-49 ms (traced here with a busy loop), and a stack that cannot run for that long draws the kernel's tail-loss
 * probe (the echo server's JS thread, busy for the 2 s of the both-ways run, was caught idle for 28 ms). An mTCP
 * core is a CPU given to the stack alone; since Linux 6.12 the deadline "fair server" keeps ordinary threads from
 * starving without this limit, and our processes only run for one bounded transfer.
 */
export async function withRealtimeLimitLifted<T>(opts: ProgramOptions, fn: () => Promise<T>): Promise<T> {
  if (opts.realtime !== true) return fn();
  const old = readFileSync(RT_RUNTIME_PATH, 'utf8').trim();
  const restore = (): void => writeFileSync(RT_RUNTIME_PATH, old);
  // A test process stopped by a signal runs no 'exit' listener: restore, then die of the signal as before.
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    process.kill(process.pid, signal);
  };
  writeFileSync(RT_RUNTIME_PATH, '-1');
  process.once('exit', restore);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', restore);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    restore();
  }
}

/** The scheduling of thread `tid` of process `pid`: fields 40 (rt_priority) and 41 (policy: 0 SCHED_OTHER,
 *  2 SCHED_RR ...) of its stat. */
export function threadScheduling(pid: number, tid = pid): { policy: number; priority: number } {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { policy: Number(fields[41 - 3]), priority: Number(fields[40 - 3]) };
}

/** The scheduling policy of thread `tid` of process `pid`. */
export function schedulingPolicy(pid: number, tid = pid): number {
  return threadScheduling(pid, tid).policy;
}

/** Raises the JS thread (tid = pid) of a realtime program to STACK_RT_PRIORITY; its helper threads keep theirs. */
function raiseStackThread(p: StackProcess): void {
  const pid = p.child.pid;
  if (pid === undefined) throw new Error(`program did not start:\n${p.output()}`);
  // Without -a, chrt changes the one thread whose id it is given.
  const r = spawnSync('chrt', ['-r', '-p', String(STACK_RT_PRIORITY), String(pid)], { encoding: 'utf8', timeout: 5_000 });
  if (r.error !== undefined || r.status !== 0) throw new Error(`chrt -r -p ${STACK_RT_PRIORITY} ${pid} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

/**
 * Starts one of our programs in the namespace with `node`, from the repository root (the TAP addon is found
 * under build/Release there). The fixture's TAP must exist (net.createTap()). With `realtime` (check
 * realtimeSchedulingUnavailable() first) the process runs under `chrt -r 1`; the start* helpers below then raise
 * its JS thread to STACK_RT_PRIORITY once it is ready.
 */
export function startProgram(net: InteropNet, program: ProgramName, args: string[], opts: ProgramOptions = {}): StackProcess {
  const argv = [PROGRAMS[program], ...args];
  const child = opts.realtime === true
    ? net.ns.exec('chrt', ['-r', '1', process.execPath, ...argv], { cwd: process.cwd() })
    : net.ns.exec(process.execPath, argv, { cwd: process.cwd() });
  return new StackProcess(child);
}

/** epserver serving `wwwDir` on port 80; resolves once it serves. */
export async function startEpserver(net: InteropNet, conf: string, wwwDir: string): Promise<StackProcess> {
  const p = startProgram(net, 'epserver', ['-p', wwwDir, '-f', conf]);
  await p.waitFor('epserver: serving');
  return p;
}

/** interop/bulk-app.ts as a sink (reads and hashes) or a source (sends `file`) on `port`; resolves once it listens. */
export async function startBulkApp(net: InteropNet, conf: string, role: 'sink' | 'source', port: number, file = '', opts: ProgramOptions = {}): Promise<StackProcess> {
  const p = startProgram(net, 'bulk', [role, '-f', conf, '-p', String(port), ...(role === 'source' ? ['--file', file] : [])], opts);
  await p.waitFor(`bulk-app listening on port ${port}`);
  if (opts.realtime === true) raiseStackThread(p);
  return p;
}

/** The API example's echo server on `port`; resolves once it listens. */
export async function startEchoServer(net: InteropNet, conf: string, port: number, opts: ProgramOptions = {}): Promise<StackProcess> {
  const p = startProgram(net, 'echo', ['server', '-f', conf, '-p', String(port)], opts);
  await p.waitFor(`echo server listening on port ${port}`);
  if (opts.realtime === true) raiseStackThread(p);
  return p;
}
