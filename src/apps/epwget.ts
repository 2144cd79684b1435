// epwget: mTCP's epoll HTTP load generator (apps/example/epwget.c), written only against the mtcp_* API. Opens
// connections up to the concurrency, sends one HTTP/1.0 request on each (as mTCP does), checks the status and
// byte count of every response, prints one progress line per second and a final summary.

import * as fs from 'node:fs';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_ERROR, INADDR_ANY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR, MTCP_EPOLLHUP,
  MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_MOD, EAGAIN, EINPROGRESS, SOCKADDR_IN_SIZE, MtcpEpollEvent, SockaddrIn, htonl,
  htons, errnoName, mtcp_close, mtcp_connect, mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_events,
  mtcp_epoll_wait, mtcp_errno, mtcp_getsockopt, mtcp_init_rss, mtcp_read, mtcp_setsock_nonblock, mtcp_socket,
  mtcp_write, socklen, strerror, type mctx_t,
} from '../index.js';
import { HttpResponseParser } from './http/response-parser.js';
import { buildGetRequest, type TargetUrl } from './url.js';
import { formatEpwgetSecond, formatEpwgetSummary, type EpwgetSummary } from './format.js';

const READ_BUF = 65536;

/** Cumulative figures of a run, readable while it runs (several cores' runs can be summed for one line). */
export class EpwgetCounters {
  connects = 0;
  readBytes = 0;
  writeBytes = 0;
  completed = 0;
  errors = 0;
  respTotalUs = 0;
  /** Largest response time since the last takeRespMax(). */
  respMaxUs = 0;

  takeRespMax(): number {
    const m = this.respMaxUs;
    this.respMaxUs = 0;
    return m;
  }
}

/** Per-second line from counter snapshots: `now` and `before` are cumulative sums over one or more runs. */
export function epwgetSecondLine(now: EpwgetCounters, before: EpwgetCounters, respMaxUs: number, seconds: number): string {
  const completes = now.completed - before.completed;
  return formatEpwgetSecond({
    connects: now.connects - before.connects, readBytes: now.readBytes - before.readBytes,
    writeBytes: now.writeBytes - before.writeBytes, completes, completedTotal: now.completed, errorsTotal: now.errors,
    respTimeAvgUs: completes > 0 ? (now.respTotalUs - before.respTotalUs) / completes : 0, respTimeMaxUs: respMaxUs, seconds,
  });
}

/** Copies the cumulative fields of `from` into `to` (or adds them when `add`). */
export function snapshotCounters(to: EpwgetCounters, from: EpwgetCounters, add: boolean): void {
  const k = add ? 1 : 0;
  to.connects = to.connects * k + from.connects;
  to.readBytes = to.readBytes * k + from.readBytes;
  to.writeBytes = to.writeBytes * k + from.writeBytes;
  to.completed = to.completed * k + from.completed;
  to.errors = to.errors * k + from.errors;
  to.respTotalUs = to.respTotalUs * k + from.respTotalUs;
}

export interface EpwgetOptions {
  url: TargetUrl;
  requests: number;
  concurrency: number;
  /** Body of request n goes to `${outPrefix}.${n}` (or to outPrefix itself for a single request). */
  outPrefix?: string;
  /** Called once per second with the progress line; null = silent. */
  onProgress: ((line: string) => void) | null;
  /** A request not finished after this many ms counts as an error ("timed out"); 0 = no limit. */
  requestTimeoutMs?: number;
  /** Live cumulative counters of this run (created when absent). */
  counters?: EpwgetCounters;
}

export interface EpwgetResult extends EpwgetSummary {
  /** Body size of the first complete response (mTCP's "Response size set to"). */
  responseSize: number;
  ok: boolean;
}

class Request {
  readonly parser = new HttpResponseParser();
  sent = 0;
  connected = false;
  fd = -1;
  readBytes = 0;
  constructor(readonly sock: number, readonly index: number, readonly started: number) {}
}

/** Runs the load; resolves with the summary once every request has completed or failed. */
export async function runEpwget(mctx: mctx_t, options: EpwgetOptions): Promise<EpwgetResult> {
  const ep = mtcp_epoll_create(mctx, options.concurrency * 3 + 16);
  if (ep < 0) throw new Error(`mtcp_epoll_create: ${strerror(mtcp_errno(mctx))}`);
  // As epwget.c: source addresses from this host's interface towards the server.
  if (mtcp_init_rss(mctx, INADDR_ANY, 1, htonl(options.url.ip), htons(options.url.port)) < 0) {
    throw new Error(`mtcp_init_rss: ${strerror(mtcp_errno(mctx))} (no route to ${options.url.host}?)`);
  }
  const server = new SockaddrIn(AF_INET, htons(options.url.port), htonl(options.url.ip));
  const request = buildGetRequest(options.url);
  const buf = new Uint8Array(READ_BUF);
  const ev = new MtcpEpollEvent();
  const errBox = { value: 0 };
  const errLen = socklen(4);
  const inflight = new Map<number, Request>();
  const reasons: Record<string, number> = {};
  const timeoutMs = options.requestTimeoutMs ?? 0;

  let started = 0;
  let completed = 0;
  let errors = 0;
  let responseSize = -1;
  let bodyBytes = 0;
  let totalBytes = 0;
  const live = options.counters ?? new EpwgetCounters();
  const before = new EpwgetCounters();

  const fail = (r: Request | null, reason: string): void => {
    errors++;
    live.errors++;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (r !== null) finish(r);
  };

  const finish = (r: Request): void => {
    inflight.delete(r.sock);
    if (r.fd >= 0) {
      fs.closeSync(r.fd);
      r.fd = -1;
    }
    mtcp_close(mctx, r.sock);
  };

  const startOne = (): void => {
    const index = started++;
    const sock = mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0);
    if (sock < 0) {
      fail(null, `mtcp_socket: ${errnoName(mtcp_errno(mctx)) ?? mtcp_errno(mctx)}`);
      return;
    }
    mtcp_setsock_nonblock(mctx, sock);
    const r = new Request(sock, index, performance.now());
    if (mtcp_connect(mctx, sock, server, SOCKADDR_IN_SIZE) < 0 && mtcp_errno(mctx) !== EINPROGRESS) {
      inflight.set(sock, r);
      fail(r, `connect: ${errnoName(mtcp_errno(mctx)) ?? mtcp_errno(mctx)}`);
      return;
    }
    inflight.set(sock, r);
    live.connects++;
    ev.events = MTCP_EPOLLOUT;
    ev.data.sockid = sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, sock, ev);
    if (options.outPrefix !== undefined) {
      const name = options.requests === 1 ? options.outPrefix : `${options.outPrefix}.${index}`;
      r.fd = fs.openSync(name, 'w');
    }
  };

  const socketError = (r: Request): string => {
    errLen.value = 4;
    mtcp_getsockopt(mctx, r.sock, SOL_SOCKET, SO_ERROR, errBox, errLen);
    const e = errBox.value;
    return e !== 0 ? (errnoName(e) ?? `errno ${e}`) : 'unknown error';
  };

  const sendRequest = (r: Request): void => {
    while (r.sent < request.length) {
      const n = mtcp_write(mctx, r.sock, r.sent === 0 ? request : request.subarray(r.sent), request.length - r.sent);
      if (n < 0) {
        if (mtcp_errno(mctx) === EAGAIN) return;
        fail(r, `write: ${errnoName(mtcp_errno(mctx)) ?? mtcp_errno(mctx)}`);
        return;
      }
      r.sent += n;
      live.writeBytes += n;
    }
    ev.events = MTCP_EPOLLIN;
    ev.data.sockid = r.sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_MOD, r.sock, ev);
  };

  const judge = (r: Request): void => {
    const p = r.parser;
    if (p.failed) {
      fail(r, p.error.startsWith('connection closed') ? 'truncated response' : `bad response: ${p.error}`);
      return;
    }
    if (p.status !== 200) {
      fail(r, `status ${p.status}`);
      return;
    }
    if (responseSize < 0) responseSize = p.bodyReceived;
    else if (p.bodyReceived !== responseSize) {
      fail(r, 'response size mismatch');
      return;
    }
    completed++;
    live.completed++;
    bodyBytes += p.bodyReceived;
    const us = (performance.now() - r.started) * 1000;
    live.respTotalUs += us;
    if (us > live.respMaxUs) live.respMaxUs = us;
    finish(r);
  };

  const receive = (r: Request): void => {
    for (;;) {
      const n = mtcp_read(mctx, r.sock, buf, READ_BUF);
      if (n === 0) {
        r.parser.endOfStream();
        judge(r);
        return;
      }
      if (n < 0) {
        const e = mtcp_errno(mctx);
        if (e === EAGAIN) return;
        fail(r, `read: ${errnoName(e) ?? e}`);
        return;
      }
      live.readBytes += n;
      totalBytes += n;
      r.readBytes += n;
      const used = r.parser.feed(buf, 0, n);
      if (r.fd >= 0 && r.parser.bodyLength > 0) fs.writeSync(r.fd, buf, r.parser.bodyOffset, r.parser.bodyLength);
      if (used < n && !r.parser.failed) {
        fail(r, 'bytes after the end of the response');
        return;
      }
      if (r.parser.failed || r.parser.done) {
        // HTTP/1.0 + Connection: Close: the response is complete at Content-Length; mTCP closes right away too.
        judge(r);
        return;
      }
    }
  };

  const begin = performance.now();
  let lastLine = begin;
  const events = mtcp_epoll_events(1024);
  while (started < options.requests || inflight.size > 0) {
    while (started < options.requests && inflight.size < options.concurrency) startOne();
    if (inflight.size === 0) continue;
    const nevents = await mtcp_epoll_wait(mctx, ep, events, events.length, 100);
    if (nevents < 0) throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
    for (let i = 0; i < nevents; i++) {
      const r = inflight.get(events[i]!.data.sockid);
      if (r === undefined) continue;
      const mask = events[i]!.events;
      if (mask & MTCP_EPOLLERR) {
        fail(r, `connection: ${socketError(r)}`);
        continue;
      }
      if (mask & MTCP_EPOLLOUT && r.sent < request.length) sendRequest(r);
      if (!inflight.has(r.sock)) continue;
      if (mask & (MTCP_EPOLLIN | MTCP_EPOLLHUP)) receive(r);
    }
    const now = performance.now();
    if (timeoutMs > 0) {
      for (const r of [...inflight.values()]) if (now - r.started > timeoutMs) fail(r, 'timed out');
    }
    if (options.onProgress !== null && now - lastLine >= 1000) {
      options.onProgress(epwgetSecondLine(live, before, live.takeRespMax(), (now - lastLine) / 1000));
      snapshotCounters(before, live, false);
      lastLine = now;
    }
  }
  mtcp_close(mctx, ep);
  const seconds = (performance.now() - begin) / 1000;
  return {
    requested: options.requests, completed, errors, incompletes: options.requests - completed - errors, reasons,
    seconds, bodyBytes, totalBytes, responseSize, ok: completed === options.requests && errors === 0,
  };
}

export { formatEpwgetSummary };
