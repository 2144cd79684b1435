// One bulk TCP connection on mtcp-ts, for the TAP suite (bench/tap-suite.ts), written only against the mtcp_* API.
//   send CONF HOST PORT SECONDS : connects to a kernel sink, writes for SECONDS, then shuts down its sending
//                                 side and waits for the sink's FIN, so the timed interval ends when the kernel
//                                 has received every byte (the sink closes only after reading our FIN).
//   recv CONF PORT              : listens, accepts one connection, reads until the peer's FIN.
// It prints "ready" once the TAP exists (recv: and it listens); send then waits for a line on stdin, so the suite
// can configure the kernel side of the TAP and start the sink first. At the end it prints one JSON line
// {"mode","bytes","seconds","cpuSeconds"} and exits 0.
// Bounded: gives up (exit 1) if the whole transfer has not ended SECONDS + 30 s after "go".

import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_ERROR, INADDR_ANY, SHUT_WR, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR,
  MTCP_EPOLLHUP, MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_MOD, EAGAIN, EINPROGRESS, SOCKADDR_IN_SIZE, MtcpEpollEvent,
  SockaddrIn, htonl, htons, inetAtonHost, mtcp_accept, mtcp_bind, mtcp_close, mtcp_connect, mtcp_epoll_create,
  mtcp_epoll_ctl, mtcp_epoll_events, mtcp_epoll_wait, mtcp_errno, mtcp_getsockopt, mtcp_init_rss, mtcp_listen,
  mtcp_read, mtcp_setsock_nonblock, mtcp_shutdown, mtcp_socket, mtcp_write, socklen, strerror, type mctx_t,
} from '../src/index.js';
import { mtcp_destroy, startMtcp } from '../src/cli/common.js';

const CHUNK = 65536;
const MAX_EVENTS = 16;
const GUARD_MS = 30_000;

export interface BulkResult {
  mode: 'send' | 'recv';
  bytes: number;
  seconds: number;
  /** CPU time (user + system) this process used in the timed interval; a TAP write's kernel work counts here. */
  cpuSeconds: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1e6;
}

function must(mctx: mctx_t, what: string, rc: number): number {
  if (rc < 0) throw new Error(`${what}: ${strerror(mtcp_errno(mctx))}`);
  return rc;
}

function socketError(mctx: mctx_t, sock: number): number {
  const box = { value: 0 };
  mtcp_getsockopt(mctx, sock, SOL_SOCKET, SO_ERROR, box, socklen(4));
  return box.value;
}

/** Sends for `seconds`, then SHUT_WR and waits for the peer's FIN. Times from the first write to that FIN. */
export async function bulkSend(mctx: mctx_t, host: string, port: number, seconds: number): Promise<BulkResult> {
  const ip = inetAtonHost(host);
  if (ip < 0) throw new Error(`bad IPv4 address ${host}`);
  const ep = must(mctx, 'mtcp_epoll_create', mtcp_epoll_create(mctx, MAX_EVENTS));
  must(mctx, 'mtcp_init_rss', mtcp_init_rss(mctx, INADDR_ANY, 1, htonl(ip), htons(port)));
  const sock = must(mctx, 'mtcp_socket', mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0));
  mtcp_setsock_nonblock(mctx, sock);
  if (mtcp_connect(mctx, sock, new SockaddrIn(AF_INET, htons(port), htonl(ip)), SOCKADDR_IN_SIZE) < 0 && mtcp_errno(mctx) !== EINPROGRESS) {
    throw new Error(`mtcp_connect: ${strerror(mtcp_errno(mctx))}`);
  }
  const ev = new MtcpEpollEvent(MTCP_EPOLLOUT, sock);
  mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, sock, ev);
  const events = mtcp_epoll_events(MAX_EVENTS);
  const data = new Uint8Array(CHUNK);
  const sink = new Uint8Array(CHUNK);
  const giveUp = performance.now() + seconds * 1000 + GUARD_MS;
  let connected = false;
  let draining = false;
  let bytes = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let stopAt = 0;
  while (performance.now() < giveUp) {
    const n = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, 100);
    if (n < 0) throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
    const mask = n > 0 ? events[0]!.events : 0;
    if (!connected) {
      if (mask === 0) continue;
      const err = socketError(mctx, sock);
      if (err !== 0 || (mask & (MTCP_EPOLLERR | MTCP_EPOLLHUP)) !== 0) throw new Error(`connect to ${host}:${port}: ${strerror(err)}`);
      connected = true;
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      stopAt = t0 + seconds * 1000;
    }
    if (!draining) {
      if ((mask & (MTCP_EPOLLERR | MTCP_EPOLLHUP)) !== 0) throw new Error(`connection failed while sending: ${strerror(socketError(mctx, sock))}`);
      while (performance.now() < stopAt) {
        const w = mtcp_write(mctx, sock, data, CHUNK);
        if (w < 0) {
          if (mtcp_errno(mctx) === EAGAIN) break;
          throw new Error(`mtcp_write: ${strerror(mtcp_errno(mctx))}`);
        }
        bytes += w;
      }
      if (performance.now() >= stopAt) {
        must(mctx, 'mtcp_shutdown', mtcp_shutdown(mctx, sock, SHUT_WR));
        draining = true;
        ev.events = MTCP_EPOLLIN;
        mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_MOD, sock, ev);
      }
      continue;
    }
    if (mask === 0) continue;
    for (;;) {
      const r = mtcp_read(mctx, sock, sink, CHUNK);
      if (r === 0) {
        const elapsed = (performance.now() - t0) / 1000;
        const cpuSeconds = cpuSince(cpu0);
        mtcp_close(mctx, sock);
        mtcp_close(mctx, ep);
        return { mode: 'send', bytes, seconds: elapsed, cpuSeconds };
      }
      if (r < 0) {
        if (mtcp_errno(mctx) === EAGAIN) break;
        throw new Error(`mtcp_read while waiting for the sink's FIN: ${strerror(mtcp_errno(mctx))}`);
      }
    }
  }
  throw new Error(`no end within ${seconds} s + ${GUARD_MS / 1000} s (connected ${connected}, ${bytes} bytes written)`);
}

/** Accepts one connection on `port` and reads until its FIN. Times from the first byte read to the FIN. */
export async function bulkReceive(mctx: mctx_t, port: number, guardSeconds: number, onListening: () => void): Promise<BulkResult> {
  const ep = must(mctx, 'mtcp_epoll_create', mtcp_epoll_create(mctx, MAX_EVENTS));
  const listener = must(mctx, 'mtcp_socket', mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0));
  mtcp_setsock_nonblock(mctx, listener);
  must(mctx, 'mtcp_bind', mtcp_bind(mctx, listener, new SockaddrIn(AF_INET, htons(port), INADDR_ANY), SOCKADDR_IN_SIZE));
  must(mctx, 'mtcp_listen', mtcp_listen(mctx, listener, 16));
  mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, listener, new MtcpEpollEvent(MTCP_EPOLLIN, listener));
  onListening();
  const events = mtcp_epoll_events(MAX_EVENTS);
  const buf = new Uint8Array(CHUNK);
  const giveUp = performance.now() + guardSeconds * 1000 + GUARD_MS;
  let sock = -1;
  let bytes = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  while (performance.now() < giveUp) {
    const n = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, 100);
    if (n < 0) throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
    if (sock < 0) {
      const c = mtcp_accept(mctx, listener, null, null);
      if (c < 0) continue;
      sock = c;
      mtcp_setsock_nonblock(mctx, sock);
      mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, sock, new MtcpEpollEvent(MTCP_EPOLLIN, sock));
    }
    for (;;) {
      const r = mtcp_read(mctx, sock, buf, CHUNK);
      if (r === 0) {
        const elapsed = (performance.now() - t0) / 1000;
        const cpuSeconds = cpuSince(cpu0);
        mtcp_close(mctx, sock);
        mtcp_close(mctx, listener);
        mtcp_close(mctx, ep);
        return { mode: 'recv', bytes, seconds: elapsed, cpuSeconds };
      }
      if (r < 0) {
        if (mtcp_errno(mctx) === EAGAIN) break;
        throw new Error(`mtcp_read: ${strerror(mtcp_errno(mctx))}`);
      }
      if (bytes === 0) {
        t0 = performance.now();
        cpu0 = process.cpuUsage();
      }
      bytes += r;
    }
  }
  throw new Error(`no end within ${guardSeconds} s + ${GUARD_MS / 1000} s (${bytes} bytes read)`);
}

/** Resolves at the first line on stdin (the suite's "go"); rejects if stdin closes first. */
function waitForGo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin });
    const closed = (): void => reject(new Error('stdin closed before "go"'));
    rl.once('close', closed);
    rl.once('line', () => {
      rl.off('close', closed);
      rl.close();
      resolve();
    });
  });
}

async function main(argv: string[]): Promise<void> {
  const [mode, conf, a, b, c] = argv;
  if ((mode !== 'send' || c === undefined) && (mode !== 'recv' || a === undefined)) {
    process.stderr.write('usage: tap-bulk send CONF HOST PORT SECONDS | tap-bulk recv CONF PORT\n');
    process.exit(2);
  }
  const [ctx] = await startMtcp(conf!, undefined);
  let result: BulkResult;
  try {
    if (mode === 'send') {
      process.stdout.write('ready\n');
      await waitForGo();
      result = await bulkSend(ctx!, a!, Number(b), Number(c));
    } else {
      result = await bulkReceive(ctx!, Number(a), 60, () => process.stdout.write('ready\n'));
    }
  } finally {
    await mtcp_destroy();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`tap-bulk: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
