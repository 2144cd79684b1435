// Test tooling: throw-away Linux network namespaces for interop tests against the kernel.
// Every namespace gets a unique name, is deleted by destroy() (also on process exit, SIGINT and SIGTERM),
// and every process started in it runs in its own process group so destroy() can kill the whole tree.
// Used by tests only; needs root (or CI, where tests run as root).

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  /** Exit code, or null when killed by a signal (e.g. on timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Whether root-only tests may run. Outside CI without root it calls t.skip() with a message and returns
 *  false; in CI (CI=true) it never skips, so a missing privilege there fails loudly. */
export function rootTestsEnabled(t: { skip(message?: string): void }): boolean {
  if (process.env.CI === 'true') return true;
  if (process.platform === 'linux' && process.getuid?.() === 0) return true;
  t.skip('needs root for network namespaces and TAP devices: run as root, or in CI (CI=true, as root)');
  return false;
}

const live = new Set<TestNetns>();
let hooksInstalled = false;
let counter = 0;

function destroyAll(): void {
  for (const ns of [...live]) ns.destroy();
}

function onSignal(signal: NodeJS.Signals): void {
  destroyAll();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal); // default action now: terminate with that signal
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', destroyAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs a command synchronously; throws with its stderr when it fails. */
function mustRun(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Names of the network namespaces that exist now (`ip netns list`). */
export function listNetns(): string[] {
  return mustRun('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.length > 0);
}

export class TestNetns {
  readonly name: string;
  private readonly groups: Set<ChildProcess>;
  private capturePath: string;
  private captureDir: string;
  private destroyed: boolean;

  private constructor(name: string) {
    this.name = name;
    this.groups = new Set();
    this.capturePath = '';
    this.captureDir = '';
    this.destroyed = false;
  }

  /** Creates a namespace named `${prefix}-${pid}-${n}` with its loopback up. */
  static create(prefix: string): TestNetns {
    installHooks();
    const name = `${prefix}-${process.pid}-${++counter}`;
    mustRun('ip', ['netns', 'add', name]);
    const ns = new TestNetns(name);
    live.add(ns);
    try {
      ns.ip('link', 'set', 'lo', 'up');
    } catch (err) {
      ns.destroy();
      throw err;
    }
    return ns;
  }

  /** Runs `ip -n NAME ...args` synchronously; throws with ip's message on failure. Returns stdout. */
  ip(...args: string[]): string {
    return mustRun('ip', ['-n', this.name, ...args]);
  }

  /** Runs `cmd args` inside the namespace synchronously (setup steps such as sysctl); throws on failure. */
  runSync(cmd: string, ...args: string[]): string {
    if (this.destroyed) throw new Error(`netns ${this.name} is destroyed`);
    return mustRun('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  /** Starts `cmd args` inside the namespace, in its own process group (killed by destroy()). */
  exec(cmd: string, args: string[] = [], opts: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error(`netns ${this.name} is destroyed`);
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: 'pipe', ...opts, detached: true });
    this.groups.add(child);
    child.once('exit', () => this.groups.delete(child));
    child.once('error', () => this.groups.delete(child));
    return child;
  }

  /** Runs a shell command line inside the namespace and collects its output. After `timeoutMs` the
   *  process group is killed and the result says timedOut. */
  run(cmdline: string, timeoutMs = 10_000): Promise<RunResult> {
    return new Promise((resolvePromise, reject) => {
      const child = this.exec('sh', ['-c', cmdline]);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stdout, stderr, timedOut });
      });
    });
  }

  /**
   * Starts tcpdump on `ifname` inside the namespace, writing every frame to a pcap file (packet-buffered,
   * so a killed tcpdump loses nothing). Resolves with the file's path once tcpdump listens. destroy()
   * deletes the file unless asked to keep it.
   */
  capture(ifname: string, timeoutMs = 5_000): Promise<string> {
    if (this.capturePath !== '') return Promise.reject(new Error(`netns ${this.name}: a capture already runs`));
    this.captureDir = mkdtempSync(join(tmpdir(), `${this.name}-`));
    const path = join(this.captureDir, `${ifname}.pcap`);
    this.capturePath = path;
    const child = this.exec('tcpdump', ['-i', ifname, '-n', '-U', '-s', '0', '-w', path]);
    return tcpdumpListening(child, ifname, path, timeoutMs);
  }

  /**
   * Kills every process group started here, deletes the namespace (its TAPs and veths go with it once no fd
   * holds them) and the capture, unless keepCapture: then the pcap stays and its path is printed.
   * Idempotent; also runs on process exit.
   */
  destroy(opts: { keepCapture?: boolean } = {}): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    for (const child of this.groups) killGroup(child);
    this.groups.clear();
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
    if (this.capturePath !== '') {
      if (opts.keepCapture === true && existsSync(this.capturePath)) {
        process.stderr.write(`netns ${this.name}: pcap of this run kept at ${this.capturePath}\n`);
      } else {
        rmSync(this.captureDir, { recursive: true, force: true });
      }
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/**
 * Runs `body` with a fresh namespace and destroys it afterwards, also when body throws; on failure the pcap
 * (if body started a capture) is kept and its path printed.
 */
export async function withNetns<T>(prefix: string, body: (ns: TestNetns) => Promise<T>): Promise<T> {
  const ns = TestNetns.create(prefix);
  let ok = false;
  try {
    const result = await body(ns);
    ok = true;
    return result;
  } finally {
    ns.destroy({ keepCapture: !ok });
  }
}

/** Resolves with `path` once tcpdump says it is listening on `ifname`; rejects if it exits, fails to start
 *  (tcpdump not installed) or says nothing within `timeoutMs`. */
export function tcpdumpListening(child: ChildProcess, ifname: string, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump on ${ifname} did not start: ${stderr}`)), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolvePromise(path);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump on ${ifname} exited ${code}: ${stderr.trim()}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump could not start (apt-get install tcpdump): ${err.message}`));
    });
  });
}
