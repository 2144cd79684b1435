// mtcp-perf server: accepts any number of clients; each connection's hello chooses its session.

import {
  AF_INET, SOCK_STREAM, INADDR_ANY, IPPROTO_TCP, TCP_NODELAY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR,
  MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL, EINTR, SOCKADDR_IN_SIZE, MtcpEpollEvent, SockaddrIn, htons, inet_ntoa,
  ntohs, mtcp_accept, mtcp_bind, mtcp_close, mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_events, mtcp_epoll_wait,
  mtcp_errno, mtcp_listen, mtcp_pipe, mtcp_setsock_nonblock, mtcp_setsockopt, mtcp_socket, socklen,
  strerror, type mctx_t,
} from '../../index.js';
import { DataPattern, HELLO_SIZE, MODE_BULK, MODE_CRR, RecordReader, decodeHello } from './protocol.js';
import { BulkSession, RrServerSession, SessionDriver } from './session.js';
import { pipeStopper } from '../stop-pipe.js';

export interface PerfServerOptions {
  port: number;
  /** Called with one line per finished connection (crr connections are counted, not printed); null = silent. */
  onLine: ((line: string) => void) | null;
}

export interface PerfServerTotals {
  connections: number;
  matched: number;
  failed: number;
  bytesReceived: number;
  bytesSent: number;
}

export interface PerfServer {
  done: Promise<PerfServerTotals>;
  stop(): void;
  readonly totals: PerfServerTotals;
}

class ServerConn {
  readonly hello = new RecordReader(HELLO_SIZE);
  mode = 0;
  peer = '';
  constructor(readonly driver: SessionDriver) {}
}

const MODE_NAMES = ['', 'bulk', 'rr', 'crr'];

export function startPerfServer(mctx: mctx_t, options: PerfServerOptions): PerfServer {
  const check = (r: number, what: string): number => {
    if (r < 0) throw new Error(`${what}: ${strerror(mtcp_errno(mctx))}`);
    return r;
  };
  const ep = check(mtcp_epoll_create(mctx, 4096), 'mtcp_epoll_create');
  const listener = check(mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0), 'mtcp_socket');
  mtcp_setsock_nonblock(mctx, listener);
  check(mtcp_bind(mctx, listener, new SockaddrIn(AF_INET, htons(options.port), INADDR_ANY), SOCKADDR_IN_SIZE), 'mtcp_bind');
  check(mtcp_listen(mctx, listener, 4096), 'mtcp_listen');
  check(mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, listener, new MtcpEpollEvent(MTCP_EPOLLIN, listener)), 'mtcp_epoll_ctl');
  const pipefd = [0, 0];
  check(mtcp_pipe(mctx, pipefd), 'mtcp_pipe');
  check(mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, pipefd[0]!, new MtcpEpollEvent(MTCP_EPOLLIN, pipefd[0])), 'mtcp_epoll_ctl');

  const totals: PerfServerTotals = { connections: 0, matched: 0, failed: 0, bytesReceived: 0, bytesSent: 0 };
  const conns = new Map<number, ServerConn>();
  const patterns = new Map<number, DataPattern>();
  const readBuf = SessionDriver.buffer();
  const peerAddr = new SockaddrIn();
  const peerLen = socklen();

  const patternFor = (seed: number): DataPattern => {
    let p = patterns.get(seed);
    if (p === undefined) {
      p = new DataPattern(seed);
      patterns.set(seed, p);
    }
    return p;
  };

  const finish = (c: ServerConn): void => {
    const d = c.driver;
    const s = d.session;
    conns.delete(d.sock);
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_DEL, d.sock, null);
    mtcp_close(mctx, d.sock);
    const ok = s !== null && s.complete && s.matched && d.failure === '';
    if (ok) totals.matched++;
    else totals.failed++;
    if (s !== null) {
      totals.bytesReceived += s.bytesReceived;
      totals.bytesSent += s.bytesSent;
    }
    if (options.onLine !== null && (c.mode !== MODE_CRR || !ok)) {
      const what = s === null ? 'no valid hello' : `${MODE_NAMES[c.mode]}: received ${s.bytesReceived} B, sent ${s.bytesSent} B` + (s.transactions > 0 ? `, ${s.transactions} transactions` : '');
      const why = ok ? 'data matched' : `FAILED: ${d.failure || s?.error || (s !== null && !s.complete ? `connection ended early (${s instanceof BulkSession ? s.progress() : 'rr'})` : 'mismatch')}`;
      options.onLine(`[server] ${c.peer} ${what}: ${why}`);
    }
  };

  const onHello = (c: ServerConn) => (buf: Uint8Array, len: number): number => {
    const used = c.hello.feed(buf, 0, len);
    if (!c.hello.complete) return used;
    try {
      const h = decodeHello(c.hello.record, 0);
      c.mode = h.mode;
      const pattern = patternFor(h.seed);
      c.driver.session = h.mode === MODE_BULK ? new BulkSession(pattern, h, false, performance.now()) : new RrServerSession(pattern, h);
    } catch (e) {
      c.driver.failure = (e as Error).message;
    }
    return used;
  };

  const service = (c: ServerConn, mask: number): void => {
    const d = c.driver;
    if (mask & (MTCP_EPOLLIN | MTCP_EPOLLERR)) d.readAll(onHello(c));
    if (d.failure === '') d.writeAll(performance.now());
    // The client closes first once it has everything; an error or EOF ends the connection here.
    if (d.eof || d.failure !== '') finish(c);
  };

  const onAccept = (): void => {
    for (;;) {
      peerLen.value = SOCKADDR_IN_SIZE;
      const s = mtcp_accept(mctx, listener, peerAddr, peerLen);
      if (s < 0) return;
      totals.connections++;
      mtcp_setsock_nonblock(mctx, s);
      mtcp_setsockopt(mctx, s, IPPROTO_TCP, TCP_NODELAY, 1, 4);
      const c = new ServerConn(new SessionDriver(mctx, ep, s, null, readBuf));
      c.peer = `${inet_ntoa(peerAddr.sin_addr)}:${ntohs(peerAddr.sin_port)}`;
      conns.set(s, c);
      mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, s, new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLOUT, s));
      service(c, MTCP_EPOLLIN);
    }
  };

  const loop = async (): Promise<PerfServerTotals> => {
    const events = mtcp_epoll_events(4096);
    let stop = false;
    while (!stop) {
      const n = await mtcp_epoll_wait(mctx, ep, events, events.length, -1);
      if (n < 0) {
        if (mtcp_errno(mctx) === EINTR) break;
        throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
      }
      for (let i = 0; i < n; i++) {
        const sock = events[i]!.data.sockid;
        if (sock === pipefd[0]) {
          stop = true;
          continue;
        }
        if (sock === listener) {
          onAccept();
          continue;
        }
        const c = conns.get(sock);
        if (c !== undefined) service(c, events[i]!.events);
      }
    }
    for (const c of [...conns.values()]) finish(c);
    mtcp_close(mctx, listener);
    mtcp_close(mctx, pipefd[0]!);
    mtcp_close(mctx, ep);
    return totals;
  };

  return { done: loop(), totals, stop: pipeStopper(mctx, pipefd[1]!) };
}
