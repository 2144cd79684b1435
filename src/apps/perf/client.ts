// mtcp-perf client: bulk (bytes and/or seconds, either or both directions), rr (request/response on C persistent
// connections) and crr (connect, request, response, close; C at a time). Every byte is checked with SHA-256.

import {
  AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, SOL_SOCKET, SO_ERROR, MTCP_EPOLLIN, MTCP_EPOLLOUT,
  MTCP_EPOLLERR, MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL, EINPROGRESS, SOCKADDR_IN_SIZE, MtcpEpollEvent,
  SockaddrIn, errnoName, htonl, htons, mtcp_close, mtcp_connect, mtcp_epoll_create, mtcp_epoll_ctl,
  mtcp_epoll_events, mtcp_epoll_wait, mtcp_errno, mtcp_getsockopt, mtcp_setsock_nonblock, mtcp_setsockopt,
  mtcp_shutdown, mtcp_socket, socklen, strerror, SHUT_WR, type mctx_t,
} from '../../index.js';
import { DIR_CLIENT_TO_SERVER, DIR_SERVER_TO_CLIENT, DataPattern, MODE_BULK, MODE_CRR, MODE_RR, type PerfHello } from './protocol.js';
import { BulkSession, RrClientSession, SessionDriver, type PerfSession } from './session.js';
import { formatPerfInterval, formatPerfVerdict, mbits } from '../format.js';

export interface PerfClientOptions {
  /** Server address, host byte order. */
  serverIp: number;
  port: number;
  mode: 'bulk' | 'rr' | 'crr';
  bytes: number;
  durationSec: number;
  up: boolean;
  down: boolean;
  requestSize: number;
  responseSize: number;
  connections: number;
  /** rr: per connection; crr: total connections; 0 = by time. */
  transactions: number;
  seed: number;
  intervalSec: number;
  onLine: ((line: string) => void) | null;
}

export interface PerfClientResult {
  matched: boolean;
  /** The summary lines, the last one being the verdict. */
  summary: string[];
  seconds: number;
  bytesSent: number;
  bytesReceived: number;
  /** rr: transactions; crr: completed connections. */
  transactions: number;
  failures: number;
}

interface Active {
  driver: SessionDriver;
  connected: boolean;
  /** SHUT_WR sent: the session is complete on our side; waiting for the server's EOF. */
  shut: boolean;
}

export async function runPerfClient(mctx: mctx_t, o: PerfClientOptions): Promise<PerfClientResult> {
  const ep = mtcp_epoll_create(mctx, 4096);
  if (ep < 0) throw new Error(`mtcp_epoll_create: ${strerror(mtcp_errno(mctx))}`);
  const pattern = new DataPattern(o.seed);
  const server = new SockaddrIn(AF_INET, htons(o.port), htonl(o.serverIp));
  const mode = o.mode === 'bulk' ? MODE_BULK : o.mode === 'rr' ? MODE_RR : MODE_CRR;
  const hello: PerfHello = {
    mode,
    directions: (o.up ? DIR_CLIENT_TO_SERVER : 0) | (o.down ? DIR_SERVER_TO_CLIENT : 0),
    bytes: mode === MODE_BULK ? o.bytes : 0,
    durationMs: mode === MODE_CRR ? 0 : Math.round(o.durationSec * 1000),
    requestSize: o.requestSize,
    responseSize: o.responseSize,
    seed: o.seed,
    transactions: mode === MODE_RR ? o.transactions : 1,
  };
  const readBuf = SessionDriver.buffer();
  const active = new Map<number, Active>();
  const errBox = { value: 0 };
  const errLen = socklen(4);
  const failures: string[] = [];
  let failureCount = 0;
  let finishedSent = 0;
  let finishedReceived = 0;
  let finishedTransactions = 0;
  let opened = 0;
  const begin = performance.now();
  const crrDeadline = mode === MODE_CRR && o.durationSec > 0 ? begin + o.durationSec * 1000 : 0;
  const crrTotal = mode === MODE_CRR ? o.transactions : 0;
  // A time-limited run gives connections this long after the limit to finish, then counts them as failed,
  // so one stuck connection cannot hold the run for minutes of retransmission back-off.
  const GRACE_MS = 5000;
  const hardStop = o.durationSec > 0 ? begin + o.durationSec * 1000 + GRACE_MS : 0;

  const fail = (why: string): void => {
    failureCount++;
    if (failures.length < 5) failures.push(why);
  };

  const open = (): void => {
    const sock = mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0);
    if (sock < 0) {
      fail(`mtcp_socket: ${errnoName(mtcp_errno(mctx))}`);
      opened++;
      return;
    }
    opened++;
    mtcp_setsock_nonblock(mctx, sock);
    if (mode !== MODE_BULK) mtcp_setsockopt(mctx, sock, IPPROTO_TCP, TCP_NODELAY, 1, 4);
    if (mtcp_connect(mctx, sock, server, SOCKADDR_IN_SIZE) < 0 && mtcp_errno(mctx) !== EINPROGRESS) {
      fail(`connect: ${errnoName(mtcp_errno(mctx))}`);
      mtcp_close(mctx, sock);
      return;
    }
    const now = performance.now();
    const session: PerfSession = mode === MODE_BULK
      ? new BulkSession(pattern, hello, true, now)
      : new RrClientSession(pattern, hello, now, mode === MODE_RR ? o.transactions : 1);
    active.set(sock, { driver: new SessionDriver(mctx, ep, sock, session, readBuf), connected: false, shut: false });
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, sock, new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLOUT, sock));
  };

  const close = (a: Active): void => {
    const d = a.driver;
    const s = d.session!;
    active.delete(d.sock);
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_DEL, d.sock, null);
    mtcp_close(mctx, d.sock);
    finishedSent += s.bytesSent;
    finishedReceived += s.bytesReceived;
    finishedTransactions += mode === MODE_CRR ? (s.complete && s.matched ? 1 : 0) : s.transactions;
    if (d.failure !== '') fail(d.failure);
    else if (!s.complete) fail('connection closed before the session completed');
    else if (!s.matched) fail(s.error || 'data mismatch');
  };

  const wantMore = (): boolean => {
    if (mode !== MODE_CRR) return opened < o.connections;
    if (crrTotal > 0) return opened < crrTotal;
    return performance.now() < crrDeadline;
  };

  const totals = (): { sent: number; received: number; tx: number } => {
    let sent = finishedSent;
    let received = finishedReceived;
    let tx = finishedTransactions;
    for (const a of active.values()) {
      sent += a.driver.session!.bytesSent;
      received += a.driver.session!.bytesReceived;
      if (mode !== MODE_CRR) tx += a.driver.session!.transactions;
    }
    return { sent, received, tx };
  };

  const events = mtcp_epoll_events(4096);
  let lastTime = begin;
  let last = { sent: 0, received: 0, tx: 0 };
  const intervalMs = o.intervalSec * 1000;
  for (;;) {
    while (active.size < o.connections && wantMore()) open();
    if (active.size === 0) break;
    const n = await mtcp_epoll_wait(mctx, ep, events, events.length, 100);
    if (n < 0) throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const a = active.get(events[i]!.data.sockid);
      if (a === undefined) continue;
      const mask = events[i]!.events;
      const d = a.driver;
      if (mask & MTCP_EPOLLERR && !a.connected) {
        errLen.value = 4;
        mtcp_getsockopt(mctx, d.sock, SOL_SOCKET, SO_ERROR, errBox, errLen);
        d.failure = `connect: ${errnoName(errBox.value) ?? 'error'}`;
        close(a);
        continue;
      }
      if (mask & MTCP_EPOLLOUT) a.connected = true;
      if (mask & (MTCP_EPOLLIN | MTCP_EPOLLERR)) d.readAll(null);
      if (d.failure === '' && !d.eof) d.writeAll(now);
      if (d.eof || d.failure !== '') close(a);
      else if (d.session!.complete && !a.shut) {
        // Half-close and let the server close first (it does on our EOF): everything we wrote, the last
        // verdict included, reaches it before any FIN, and neither side closes with unread data.
        a.shut = true;
        if (mtcp_shutdown(mctx, d.sock, SHUT_WR) < 0) close(a);
      }
    }
    if (hardStop > 0 && now > hardStop) {
      for (const a of [...active.values()]) {
        a.driver.failure = `still unfinished ${GRACE_MS / 1000} s after the time limit`;
        close(a);
      }
    }
    if (o.onLine !== null && now - lastTime >= intervalMs) {
      const t = totals();
      o.onLine(formatPerfInterval((lastTime - begin) / 1000, (now - begin) / 1000, t.sent - last.sent, t.received - last.received, t.tx - last.tx, o.mode));
      last = t;
      lastTime = now;
    }
  }
  mtcp_close(mctx, ep);
  const seconds = (performance.now() - begin) / 1000;
  const t = totals();
  const summary: string[] = [];
  if (mode === MODE_BULK) {
    if (o.up) summary.push(`bulk up:   ${t.sent} bytes in ${seconds.toFixed(2)} s = ${mbits(t.sent, seconds).toFixed(2)} Mbit/s`);
    if (o.down) summary.push(`bulk down: ${t.received} bytes in ${seconds.toFixed(2)} s = ${mbits(t.received, seconds).toFixed(2)} Mbit/s`);
  } else if (mode === MODE_RR) {
    summary.push(`rr: ${t.tx} transactions of ${o.requestSize}/${o.responseSize} B on ${o.connections} connection(s) in ${seconds.toFixed(2)} s = ${(t.tx / seconds).toFixed(0)} transactions/s`);
  } else {
    summary.push(`crr: ${t.tx} connections (${o.requestSize}/${o.responseSize} B, ${o.connections} at a time) in ${seconds.toFixed(2)} s = ${(t.tx / seconds).toFixed(0)} connections/s`);
  }
  for (const f of failures) summary.push(`failure: ${f}`);
  if (failureCount > failures.length) summary.push(`... and ${failureCount - failures.length} more failures`);
  const nothing = mode === MODE_BULK ? t.sent + t.received === 0 && o.bytes > 0 : t.tx === 0;
  const matched = failureCount === 0 && !nothing;
  const detail = matched
    ? `SHA-256 verified, ${mode === MODE_BULK ? `${t.sent + t.received} bytes` : `${t.tx} ${o.mode === 'crr' ? 'connections' : 'transactions'}`}`
    : failureCount > 0 ? `${failureCount} failure(s)` : 'no data moved';
  summary.push(formatPerfVerdict(matched, detail));
  return { matched, summary, seconds, bytesSent: t.sent, bytesReceived: t.received, transactions: t.tx, failures: failureCount };
}
