// Runs one Node `net` figure: forks a server process and a client process (bench/node-peer.js) on 127.0.0.1
// and returns the figure. Everything is bounded by a timeout so a stuck peer cannot hang the bench.

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./node-peer.js', import.meta.url));

type Msg = Record<string, unknown>;

function spawnPeer(args: string[], fdLimit: number): ChildProcess {
  // Large idle-connection runs need more descriptors than the default soft limit: raise it for the child
  // through the shell (works as root or when the hard limit allows; otherwise fewer connections open and
  // the figure is computed over those that did).
  if (fdLimit > 0) {
    const cmd = `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" --expose-gc "$@"`;
    return fork(PEER, args, { execPath: '/bin/sh', execArgv: ['-c', cmd, process.execPath], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  return fork(PEER, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage(child: ChildProcess, type: string, timeoutMs: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`node peer: no "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: Msg): void => {
      if (m.type === 'error') {
        cleanup();
        reject(new Error(`node peer: ${String(m.message)}`));
      } else if (m.type === type) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`node peer exited with ${code} before "${type}"`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    if (child.connected) child.send({ type: 'exit' });
    else child.kill('SIGTERM');
  });
}

/** Asks the server for `n` listening ports chosen by the kernel (port 0), so runs never collide. */
async function withServer<T>(workload: string, n: number, fdLimit: number, body: (server: ChildProcess, ports: number[]) => Promise<T>): Promise<T> {
  const server = spawnPeer(['server', workload, new Array<string>(n).fill('0').join(',')], fdLimit);
  try {
    const ready = await nextMessage(server, 'ready', 10000);
    return await body(server, ready.ports as number[]);
  } finally {
    await stop(server);
  }
}

async function clientResult(args: string[], timeoutMs: number, fdLimit = 0): Promise<Msg> {
  const client = spawnPeer(['client', ...args], fdLimit);
  try {
    return await nextMessage(client, 'result', timeoutMs);
  } finally {
    await stop(client);
  }
}

/** Short connections per second: connect, 64 B request, 64 B response, close; `inflight` at once. */
export async function nodeCrr(inflight: number, seconds: number): Promise<number> {
  return withServer('crr', 1, 0, async (_server, p) => {
    const r = await clientResult(['crr', String(p[0]), String(inflight), String(seconds)], seconds * 1000 + 20000);
    return (r.completed as number) / (r.seconds as number);
  });
}

/** 64 B request/response transactions per second over `conns` persistent connections. */
export async function nodeRr(conns: number, seconds: number): Promise<number> {
  return withServer('rr', 1, 0, async (_server, p) => {
    const r = await clientResult(['rr', String(p[0]), String(conns), String(seconds)], seconds * 1000 + 20000);
    return (r.completed as number) / (r.seconds as number);
  });
}

/** Bulk Gbit/s on one connection, measured at the receiver. */
export async function nodeBulk(seconds: number): Promise<number> {
  return withServer('bulk', 1, 0, async (server, p) => {
    await clientResult(['bulk', String(p[0]), String(seconds)], seconds * 1000 + 20000);
    server.send({ type: 'report' });
    const r = await nextMessage(server, 'report', 10000);
    return ((r.bulkBytes as number) * 8) / (r.bulkSeconds as number) / 1e9;
  });
}

export interface IdleMemory {
  connections: number;
  heapPerConnection: number;
  rssPerConnection: number;
}

/** The descriptor limit a child gets after trying to raise it to `wanted`. */
function effectiveFdLimit(wanted: number): number {
  const out = execFileSync('/bin/sh', ['-c', `ulimit -n ${wanted} 2>/dev/null || ulimit -n $(ulimit -Hn) 2>/dev/null; ulimit -n`]).toString().trim();
  const n = Number(out);
  return Number.isFinite(n) ? n : 1024;
}

async function idlePair(conns: number, fdLimit: number, localAddress: string): Promise<{ n: number; heap: number; rss: number }> {
  return withServer('idle', Math.ceil(conns / 25000), fdLimit, async (server, p) => {
    const client = spawnPeer(['client', 'idle', p.join(','), String(conns), localAddress], fdLimit);
    try {
      const r = await nextMessage(client, 'result', 120000);
      server.send({ type: 'report' });
      const s = await nextMessage(server, 'report', 20000);
      const n = Math.min(r.completed as number, s.connections as number);
      return { n, heap: (r.heapDelta as number) + (s.heapDelta as number), rss: (r.rssDelta as number) + (s.rssDelta as number) };
    } finally {
      await stop(client);
    }
  });
}

/**
 * Memory per idle established connection: up to `conns` connections from a client process to a server
 * process, both ends counted: (client delta + server delta) / connections, after a full GC in each process.
 * Each process needs one descriptor per connection; when the limit cannot be raised that far (no
 * CAP_SYS_RESOURCE), fewer connections are opened and `connections` says how many. (Splitting 100,000 over
 * several process pairs was tried: the kernel's ephemeral-port search on 127.0.0.1 then makes the run take
 * minutes, far beyond the bench's budget.)
 */
export async function nodeIdle(conns: number): Promise<IdleMemory> {
  const limit = effectiveFdLimit(conns + 1000);
  const n = Math.max(1, Math.min(conns, limit - 200));
  const r = await idlePair(n, limit, '127.0.0.1');
  if (r.n === 0) throw new Error('no idle connection could be opened');
  return { connections: r.n, heapPerConnection: r.heap / r.n, rssPerConnection: r.rss / r.n };
}
