// An echo server and an echo client written only against the mTCP API, the way an mTCP program is (compare mTCP's
// apps/example/epserver.c and epwget.c): non-blocking sockets, one epoll loop, errno after -1. The server echoes
// every byte back; the client opens `connections` connections (at most `concurrency` at once), sends each one a
// deterministic byte pattern, checks that exactly those bytes come back, and closes it. A pipe stops the server.

import {
  AF_INET, SOCK_STREAM, INADDR_ANY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR, MTCP_EPOLLHUP, MTCP_EPOLL_CTL_ADD,
  MTCP_EPOLL_CTL_MOD, MTCP_EPOLL_CTL_DEL, EAGAIN, EINPROGRESS, EINTR, SockaddrIn, MtcpEpollEvent, htons,
  inet_addr, mtcp_epoll_events, mtcp_socket, mtcp_setsock_nonblock, mtcp_bind, mtcp_listen, mtcp_accept,
  mtcp_connect, mtcp_close, mtcp_read, mtcp_write, mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_wait, mtcp_errno,
  mtcp_pipe, strerror, SOCKADDR_IN_SIZE, type mctx_t,
} from '../../index.js';

const MAX_EVENTS = 1024;
const BUF_SIZE = 16384;

/** Byte `i` of connection `k`'s pattern. */
export function patternByte(k: number, i: number): number {
  return (k * 131 + i * 7 + (i >>> 8)) & 0xff;
}

export interface EchoServerStats {
  accepted: number;
  closed: number;
  bytes: number;
}

export interface EchoServer {
  /** Resolves when the server loop has ended (after stop()). */
  done: Promise<EchoServerStats>;
  /** Asks the loop to end, through an mtcp_pipe the loop watches. */
  stop(): void;
}

/** A connection of the echo server: the first `held` bytes of buf were read and are not yet written back. While it
 *  holds bytes it waits for EPOLLOUT, not EPOLLIN (`events`: what it is registered for). */
interface EchoConnection {
  buf: Uint8Array;
  held: number;
  events: number;
}

/** Starts an echo server on `port` (all local addresses) in context `mctx`. Throws if it cannot listen. */
export function startEchoServer(mctx: mctx_t, port: number): EchoServer {
  const ep = mtcp_epoll_create(mctx, MAX_EVENTS);
  if (ep < 0) throw new Error(`mtcp_epoll_create: ${strerror(mtcp_errno(mctx))}`);
  const listener = mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0);
  if (listener < 0) throw new Error(`mtcp_socket: ${strerror(mtcp_errno(mctx))}`);
  mtcp_setsock_nonblock(mctx, listener);
  const addr = new SockaddrIn(AF_INET, htons(port), INADDR_ANY);
  if (mtcp_bind(mctx, listener, addr, SOCKADDR_IN_SIZE) < 0) throw new Error(`mtcp_bind: ${strerror(mtcp_errno(mctx))}`);
  if (mtcp_listen(mctx, listener, 4096) < 0) throw new Error(`mtcp_listen: ${strerror(mtcp_errno(mctx))}`);
  mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, listener, new MtcpEpollEvent(MTCP_EPOLLIN, listener));
  const pipefd = [0, 0];
  if (mtcp_pipe(mctx, pipefd) < 0) throw new Error(`mtcp_pipe: ${strerror(mtcp_errno(mctx))}`);
  mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, pipefd[0], new MtcpEpollEvent(MTCP_EPOLLIN, pipefd[0]));

  const stats: EchoServerStats = { accepted: 0, closed: 0, bytes: 0 };
  const conns = new Map<number, EchoConnection>();
  const ev = new MtcpEpollEvent();

  const closeConnection = (sock: number): void => {
    conns.delete(sock);
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_DEL, sock, null);
    mtcp_close(mctx, sock);
    stats.closed++;
  };

  const watch = (sock: number, c: EchoConnection, events: number): void => {
    if (c.events === events) return;
    c.events = events;
    ev.events = events;
    ev.data.sockid = sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_MOD, sock, ev);
  };

  /** Writes back what `c` holds; what the send buffer cannot take stays at the front of c.buf. False if closed. */
  const writeHeld = (sock: number, c: EchoConnection): boolean => {
    while (c.held > 0) {
      const n = mtcp_write(mctx, sock, c.buf, c.held);
      if (n < 0) {
        if (mtcp_errno(mctx) === EAGAIN) break;
        closeConnection(sock);
        return false;
      }
      // Moved, not sliced: the steady state allocates nothing, so the stack never waits for a GC the echo caused.
      if (n < c.held) c.buf.copyWithin(0, n, c.held);
      c.held -= n;
    }
    watch(sock, c, c.held > 0 ? MTCP_EPOLLOUT : MTCP_EPOLLIN);
    return true;
  };

  const handleRead = (sock: number, c: EchoConnection): void => {
    while (c.held === 0) { // send buffer full: wait for EPOLLOUT before reading more
      const n = mtcp_read(mctx, sock, c.buf, BUF_SIZE);
      if (n === 0) { closeConnection(sock); return; }
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) closeConnection(sock);
        return;
      }
      stats.bytes += n;
      c.held = n;
      if (!writeHeld(sock, c)) return;
    }
  };

  const loop = async (): Promise<EchoServerStats> => {
    const events = mtcp_epoll_events(MAX_EVENTS);
    for (;;) {
      const nevents = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, -1);
      if (nevents < 0) {
        if (mtcp_errno(mctx) === EINTR) break;
        throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
      }
      let stop = false;
      for (let i = 0; i < nevents; i++) {
        const sock = events[i].data.sockid;
        const mask = events[i].events;
        if (sock === pipefd[0]) { stop = true; continue; }
        if (sock === listener) {
          for (;;) {
            const c = mtcp_accept(mctx, listener, null, null);
            if (c < 0) break;
            stats.accepted++;
            mtcp_setsock_nonblock(mctx, c);
            conns.set(c, { buf: new Uint8Array(BUF_SIZE), held: 0, events: MTCP_EPOLLIN });
            mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(MTCP_EPOLLIN, c));
          }
          continue;
        }
        const c = conns.get(sock);
        if (c === undefined) continue;
        if ((mask & MTCP_EPOLLOUT) && !writeHeld(sock, c)) continue;
        if (mask & MTCP_EPOLLIN) handleRead(sock, c);
        else if (mask & (MTCP_EPOLLERR | MTCP_EPOLLHUP)) closeConnection(sock);
      }
      if (stop) break;
    }
    for (const sock of [...conns.keys()]) closeConnection(sock);
    mtcp_close(mctx, listener);
    mtcp_close(mctx, pipefd[0]);
    mtcp_close(mctx, ep);
    return stats;
  };

  const done = loop();
  return {
    done,
    stop: () => {
      mtcp_write(mctx, pipefd[1], new Uint8Array([1]), 1);
      mtcp_close(mctx, pipefd[1]);
    },
  };
}

export interface EchoClientOptions {
  connections: number;
  concurrency: number;
  bytesPerConnection: number;
  /** Give up after this long (ms); remaining connections count as failed. */
  timeoutMs?: number;
}

export interface EchoClientStats {
  completed: number;
  failed: number;
  /** Bytes echoed back and verified. */
  bytes: number;
  /** First few failure reasons. */
  errors: string[];
}

interface ClientConn {
  index: number;
  sent: number;
  received: number;
}

/** Runs the echo client against `serverIp:port` (dotted text) from context `mctx`. */
export async function runEchoClient(mctx: mctx_t, serverIp: string, port: number, options: EchoClientOptions): Promise<EchoClientStats> {
  const ep = mtcp_epoll_create(mctx, MAX_EVENTS);
  if (ep < 0) throw new Error(`mtcp_epoll_create: ${strerror(mtcp_errno(mctx))}`);
  const server = new SockaddrIn(AF_INET, htons(port), inet_addr(serverIp));
  const stats: EchoClientStats = { completed: 0, failed: 0, bytes: 0, errors: [] };
  const conns = new Map<number, ClientConn>();
  const size = options.bytesPerConnection;
  const out = new Uint8Array(Math.min(size, BUF_SIZE));
  const inBuf = new Uint8Array(BUF_SIZE);
  const ev = new MtcpEpollEvent();
  let started = 0;
  const deadline = performance.now() + (options.timeoutMs ?? 60000);

  const failConn = (sock: number, why: string): void => {
    stats.failed++;
    if (stats.errors.length < 5) stats.errors.push(why);
    conns.delete(sock);
    mtcp_close(mctx, sock);
  };

  const startOne = (): void => {
    const sock = mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0);
    if (sock < 0) { stats.failed++; stats.errors.push(`mtcp_socket: ${strerror(mtcp_errno(mctx))}`); started++; return; }
    mtcp_setsock_nonblock(mctx, sock);
    const r = mtcp_connect(mctx, sock, server, SOCKADDR_IN_SIZE);
    if (r < 0 && mtcp_errno(mctx) !== EINPROGRESS) {
      failConn(sock, `mtcp_connect: ${strerror(mtcp_errno(mctx))}`);
      started++;
      return;
    }
    conns.set(sock, { index: started++, sent: 0, received: 0 });
    ev.events = MTCP_EPOLLOUT | MTCP_EPOLLIN;
    ev.data.sockid = sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, sock, ev);
  };

  const sendMore = (sock: number, c: ClientConn): void => {
    while (c.sent < size) {
      const n0 = Math.min(out.length, size - c.sent);
      for (let i = 0; i < n0; i++) out[i] = patternByte(c.index, c.sent + i);
      const n = mtcp_write(mctx, sock, out, n0);
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) failConn(sock, `mtcp_write: ${strerror(mtcp_errno(mctx))}`);
        return;
      }
      c.sent += n;
    }
    ev.events = MTCP_EPOLLIN;
    ev.data.sockid = sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_MOD, sock, ev);
  };

  const receive = (sock: number, c: ClientConn): void => {
    for (;;) {
      const n = mtcp_read(mctx, sock, inBuf, BUF_SIZE);
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) failConn(sock, `mtcp_read: ${strerror(mtcp_errno(mctx))}`);
        return;
      }
      if (n === 0) { failConn(sock, `connection ${c.index}: EOF after ${c.received} of ${size} bytes`); return; }
      for (let i = 0; i < n; i++) {
        if (inBuf[i] !== patternByte(c.index, c.received + i)) {
          failConn(sock, `connection ${c.index}: byte ${c.received + i} differs`);
          return;
        }
      }
      c.received += n;
      stats.bytes += n;
      if (c.received > size) { failConn(sock, `connection ${c.index}: more bytes than sent`); return; }
      if (c.received === size) {
        stats.completed++;
        conns.delete(sock);
        mtcp_close(mctx, sock);
        return;
      }
    }
  };

  const events = mtcp_epoll_events(MAX_EVENTS);
  while (started < options.connections || conns.size > 0) {
    while (started < options.connections && conns.size < options.concurrency) startOne();
    if (conns.size === 0) continue;
    if (performance.now() > deadline) {
      for (const sock of [...conns.keys()]) failConn(sock, 'timed out');
      stats.failed += options.connections - started;
      break;
    }
    const nevents = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, 100);
    if (nevents < 0) throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
    for (let i = 0; i < nevents; i++) {
      const sock = events[i].data.sockid;
      const c = conns.get(sock);
      if (c === undefined) continue;
      const mask = events[i].events;
      if (mask & MTCP_EPOLLERR) { failConn(sock, `connection ${c.index}: EPOLLERR`); continue; }
      if ((mask & MTCP_EPOLLOUT) && c.sent < size) sendMore(sock, c);
      if (!conns.has(sock)) continue;
      if (mask & (MTCP_EPOLLIN | MTCP_EPOLLHUP)) receive(sock, c);
    }
  }
  mtcp_close(mctx, ep);
  return stats;
}
