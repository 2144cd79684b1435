// epserver: mTCP's epoll static-file web server (apps/example/epserver.c), written only against the mtcp_* API.
// HTTP/1.0 and HTTP/1.1 with keep-alive and pipelining, GET and HEAD, files of any size streamed through the
// send buffer, 400/404/431/501/505 answers, per-second statistics. One loop per context; stop() ends it through
// an mtcp_pipe the loop watches (as mTCP apps use pipes to wake an epoll loop).

import * as fs from 'node:fs';
import {
  AF_INET, SOCK_STREAM, INADDR_ANY, IPPROTO_TCP, TCP_NODELAY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR,
  MTCP_EPOLLHUP, MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL, MTCP_EPOLL_CTL_MOD, EAGAIN, EINTR, SOCKADDR_IN_SIZE,
  MtcpEpollEvent, SockaddrIn, htons, mtcp_accept, mtcp_bind, mtcp_close, mtcp_epoll_create, mtcp_epoll_ctl,
  mtcp_epoll_events, mtcp_epoll_wait, mtcp_errno, mtcp_listen, mtcp_pipe, mtcp_read, mtcp_setsock_nonblock,
  mtcp_setsockopt, mtcp_socket, mtcp_write, strerror, type mctx_t,
} from '../index.js';
import { DocumentRoot, RESOLVE_BAD_REQUEST } from './http/path.js';
import { contentTypeFor } from './http/mime.js';
import { HttpRequest, HttpRequestParser, PARSE_ERROR, PARSE_INCOMPLETE } from './http/request.js';
import { HttpDateCache, errorBody, writeResponseHead } from './http/response.js';
import { formatEpserverSecond } from './format.js';
import { pipeStopper } from './stop-pipe.js';

const MAX_EVENTS = 4096;
/** Request heads larger than this get 431 (mTCP reads at most 1024 bytes; browsers send up to ~8 KiB). */
const MAX_HEAD = 8192;
/** Files up to this size are kept in memory after their first request; larger ones are read in chunks. */
const CACHE_FILE_LIMIT = 64 * 1024 * 1024;
const CHUNK = 65536;
/** Resolved request-targets remembered (so a hot path costs one Map lookup, not realpath+stat syscalls). */
const TARGET_CACHE_LIMIT = 10000;

/** A file to serve: its bytes when cached, else its path for chunked reads. */
class FileEntry {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly contentType: string,
    readonly data: Uint8Array | null,
  ) {}
}

export interface EpserverOptions {
  wwwDir: string;
  port: number;
  backlog: number;
  /** Called with each per-second statistics line; null = no statistics. */
  onStats: ((line: string) => void) | null;
  /** Core number shown in the statistics line. */
  core?: number;
  /** Files up to this size are kept in memory; larger ones are read in chunks (default 64 MiB). */
  cacheFileLimit?: number;
}

export interface EpserverTotals {
  accepted: number;
  requests: number;
  responses2xx: number;
  notFound: number;
  badRequests: number;
  otherErrors: number;
  txBytes: number;
  closed: number;
}

export interface Epserver {
  done: Promise<EpserverTotals>;
  stop(): void;
  readonly totals: EpserverTotals;
}

/** One accepted connection's state. */
class HttpConnection {
  rx: Uint8Array = new Uint8Array(MAX_HEAD);
  rxFill = 0;
  readonly parser = new HttpRequestParser(MAX_HEAD);
  /** Request body bytes still to discard. */
  discard = 0;
  readonly head = new Uint8Array(1024);
  headLen = 0;
  headPos = 0;
  body: Uint8Array | null = null;
  file: FileEntry | null = null;
  fd = -1;
  chunk: Uint8Array | null = null;
  chunkStart = 0;
  chunkLen = 0;
  bodyPos = 0;
  bodyEnd = 0;
  keepAlive = false;
  sending = false;
  constructor(readonly sock: number) {}
}

/** Starts epserver on `mctx`; throws an Error naming the failing call if it cannot listen. */
export function startEpserver(mctx: mctx_t, options: EpserverOptions): Epserver {
  const docs = new DocumentRoot(options.wwwDir);
  const check = (r: number, what: string): number => {
    if (r < 0) throw new Error(`${what}: ${strerror(mtcp_errno(mctx))}`);
    return r;
  };
  const ep = check(mtcp_epoll_create(mctx, MAX_EVENTS), 'mtcp_epoll_create');
  const listener = check(mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0), 'mtcp_socket');
  mtcp_setsock_nonblock(mctx, listener);
  check(mtcp_bind(mctx, listener, new SockaddrIn(AF_INET, htons(options.port), INADDR_ANY), SOCKADDR_IN_SIZE), 'mtcp_bind');
  check(mtcp_listen(mctx, listener, options.backlog), 'mtcp_listen');
  check(mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, listener, new MtcpEpollEvent(MTCP_EPOLLIN, listener)), 'mtcp_epoll_ctl');
  const pipefd = [0, 0];
  check(mtcp_pipe(mctx, pipefd), 'mtcp_pipe');
  check(mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, pipefd[0]!, new MtcpEpollEvent(MTCP_EPOLLIN, pipefd[0])), 'mtcp_epoll_ctl');

  const totals: EpserverTotals = { accepted: 0, requests: 0, responses2xx: 0, notFound: 0, badRequests: 0, otherErrors: 0, txBytes: 0, closed: 0 };
  const second = { accepts: 0, requests: 0, txBytes: 0, notFound: 0, badRequests: 0 };
  const conns = new Map<number, HttpConnection>();
  const targets = new Map<string, FileEntry | number>();
  const dates = new HttpDateCache();
  const req = new HttpRequest();
  const ev = new MtcpEpollEvent();
  const errorBodies = new Map<number, Uint8Array>();

  const interest = (c: HttpConnection, events: number): void => {
    ev.events = events;
    ev.data.sockid = c.sock;
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_MOD, c.sock, ev);
  };

  const closeConnection = (c: HttpConnection): void => {
    if (c.fd >= 0) {
      fs.closeSync(c.fd);
      c.fd = -1;
    }
    conns.delete(c.sock);
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_DEL, c.sock, null);
    mtcp_close(mctx, c.sock);
    totals.closed++;
  };

  const lookup = (target: string): FileEntry | number => {
    const known = targets.get(target);
    if (known !== undefined) return known;
    const resolved = docs.resolve(target);
    let result: FileEntry | number;
    if (typeof resolved === 'number') {
      result = resolved === RESOLVE_BAD_REQUEST ? 400 : 404;
    } else {
      const size = fs.statSync(resolved).size;
      const data = size <= (options.cacheFileLimit ?? CACHE_FILE_LIMIT) ? new Uint8Array(fs.readFileSync(resolved)) : null;
      result = new FileEntry(resolved, data !== null ? data.length : size, contentTypeFor(resolved), data);
    }
    if (targets.size >= TARGET_CACHE_LIMIT) targets.clear();
    targets.set(target, result);
    return result;
  };

  const startResponse = (c: HttpConnection, status: number, file: FileEntry | null, head: boolean, keepAlive: boolean): void => {
    let length: number;
    let type: string;
    if (file !== null) {
      length = file.size;
      type = file.contentType;
    } else {
      let body = errorBodies.get(status);
      if (body === undefined) {
        body = errorBody(status);
        errorBodies.set(status, body);
      }
      c.body = body;
      length = body.length;
      type = 'text/plain; charset=utf-8';
    }
    c.keepAlive = keepAlive;
    c.headLen = writeResponseHead(c.head, 0, status, length, type, keepAlive, dates.get(Date.now()));
    c.headPos = 0;
    c.file = file;
    c.body = file !== null ? file.data : c.body;
    c.bodyPos = 0;
    c.bodyEnd = head ? 0 : length;
    c.chunkLen = 0;
    if (file !== null && file.data === null && !head) {
      c.fd = fs.openSync(file.path, 'r');
      if (c.chunk === null) c.chunk = new Uint8Array(CHUNK);
    }
    c.sending = true;
    if (status >= 200 && status < 300) totals.responses2xx++;
    else if (status === 404) { totals.notFound++; second.notFound++; }
    else if (status === 400 || status === 431 || status === 505) { totals.badRequests++; second.badRequests++; }
    else totals.otherErrors++;
  };

  /** Writes as much of the current response as the send buffer takes. Returns false if the connection closed. */
  const pump = (c: HttpConnection): boolean => {
    for (;;) {
      let n: number;
      if (c.headPos < c.headLen) {
        n = mtcp_write(mctx, c.sock, c.headPos === 0 ? c.head : c.head.subarray(c.headPos), c.headLen - c.headPos);
        if (n > 0) c.headPos += n;
      } else if (c.bodyPos < c.bodyEnd) {
        if (c.body !== null) {
          const view = c.body.subarray(c.bodyPos, c.bodyEnd);
          n = mtcp_write(mctx, c.sock, view, view.length);
        } else {
          // Chunked file read: the chunk holds bytes [chunkStart, chunkStart+chunkLen) of the file.
          if (c.bodyPos >= c.chunkStart + c.chunkLen) {
            c.chunkStart = c.bodyPos;
            c.chunkLen = fs.readSync(c.fd, c.chunk!, 0, Math.min(CHUNK, c.bodyEnd - c.bodyPos), c.bodyPos);
            if (c.chunkLen <= 0) {
              closeConnection(c); // the file shrank under us: the promised length cannot be sent
              return false;
            }
          }
          const from = c.bodyPos - c.chunkStart;
          n = mtcp_write(mctx, c.sock, c.chunk!.subarray(from, c.chunkLen), c.chunkLen - from);
        }
        if (n > 0) c.bodyPos += n;
      } else {
        // Response complete.
        c.sending = false;
        if (c.fd >= 0) {
          fs.closeSync(c.fd);
          c.fd = -1;
        }
        c.body = null;
        c.file = null;
        if (!c.keepAlive) {
          closeConnection(c);
          return false;
        }
        // A pipelined request may already be buffered.
        if (!processRequests(c)) return false;
        if (!c.sending) {
          interest(c, MTCP_EPOLLIN);
          return true;
        }
        continue;
      }
      if (n < 0) {
        if (mtcp_errno(mctx) === EAGAIN) {
          interest(c, MTCP_EPOLLOUT);
          return true;
        }
        closeConnection(c);
        return false;
      }
      totals.txBytes += n;
      second.txBytes += n;
    }
  };

  /** Parses buffered requests and starts the first response. Returns false if the connection closed. */
  const processRequests = (c: HttpConnection): boolean => {
    while (!c.sending) {
      if (c.discard > 0) {
        const d = Math.min(c.discard, c.rxFill);
        c.rx.copyWithin(0, d, c.rxFill);
        c.rxFill -= d;
        c.discard -= d;
        if (c.discard > 0) return true;
      }
      if (c.rxFill === 0) return true;
      const r = c.parser.parse(c.rx, 0, c.rxFill, req);
      if (r === PARSE_INCOMPLETE) {
        if (c.rxFill === c.rx.length) {
          startResponse(c, 431, null, false, false);
          c.rxFill = 0;
        }
        return true;
      }
      c.parser.reset();
      totals.requests++;
      second.requests++;
      if (r === PARSE_ERROR) {
        // The stream cannot be trusted after a malformed head: answer and close (RFC 9112 §9.6 allows it).
        startResponse(c, req.errorStatus, null, false, false);
        c.rxFill = 0;
        return true;
      }
      c.rx.copyWithin(0, r, c.rxFill);
      c.rxFill -= r;
      c.discard = req.contentLength;
      const isHead = req.method === 'HEAD';
      if (req.method !== 'GET' && !isHead) {
        startResponse(c, 501, null, false, req.keepAlive);
        continue;
      }
      let found: FileEntry | number;
      try {
        found = lookup(req.target);
      } catch {
        found = 404; // unreadable: as if absent
      }
      if (typeof found === 'number') startResponse(c, found, null, isHead, found === 404 ? req.keepAlive : false);
      else startResponse(c, 200, found, isHead, req.keepAlive);
    }
    return true;
  };

  const onReadable = (c: HttpConnection): void => {
    for (;;) {
      if (c.sending) return;
      const room = c.rx.length - c.rxFill;
      const n = mtcp_read(mctx, c.sock, c.rxFill === 0 ? c.rx : c.rx.subarray(c.rxFill), room);
      if (n === 0) {
        closeConnection(c);
        return;
      }
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) closeConnection(c);
        return;
      }
      c.rxFill += n;
      if (!processRequests(c)) return;
      if (c.sending) {
        pump(c);
        return;
      }
    }
  };

  const onAccept = (): void => {
    for (;;) {
      const s = mtcp_accept(mctx, listener, null, null);
      if (s < 0) return;
      totals.accepted++;
      second.accepts++;
      mtcp_setsock_nonblock(mctx, s);
      // Responses are written whole; Nagle would only delay the last segment (mTCP has no Nagle at all).
      mtcp_setsockopt(mctx, s, IPPROTO_TCP, TCP_NODELAY, 1, 4);
      const c = new HttpConnection(s);
      conns.set(s, c);
      mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, s, new MtcpEpollEvent(MTCP_EPOLLIN, s));
    }
  };

  let lastStats = performance.now();
  const maybeStats = (): void => {
    if (options.onStats === null) return;
    const now = performance.now();
    if (now - lastStats < 1000) return;
    options.onStats(formatEpserverSecond({
      core: options.core ?? 0, flows: conns.size, accepts: second.accepts, requests: second.requests,
      notFound: second.notFound, badRequests: second.badRequests, txBytes: second.txBytes, seconds: (now - lastStats) / 1000,
    }));
    lastStats = now;
    second.accepts = 0;
    second.requests = 0;
    second.txBytes = 0;
    second.notFound = 0;
    second.badRequests = 0;
  };

  const loop = async (): Promise<EpserverTotals> => {
    const events = mtcp_epoll_events(MAX_EVENTS);
    let stop = false;
    while (!stop) {
      const nevents = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, options.onStats !== null ? 1000 : -1);
      if (nevents < 0) {
        if (mtcp_errno(mctx) === EINTR) break;
        throw new Error(`mtcp_epoll_wait: ${strerror(mtcp_errno(mctx))}`);
      }
      for (let i = 0; i < nevents; i++) {
        const sock = events[i]!.data.sockid;
        const mask = events[i]!.events;
        if (sock === pipefd[0]) {
          stop = true;
          continue;
        }
        if (sock === listener) {
          onAccept();
          continue;
        }
        const c = conns.get(sock);
        if (c === undefined) continue;
        if (mask & MTCP_EPOLLERR) {
          closeConnection(c);
          continue;
        }
        if (c.sending && mask & (MTCP_EPOLLOUT | MTCP_EPOLLHUP)) {
          if (!pump(c)) continue;
        }
        if (!c.sending && mask & (MTCP_EPOLLIN | MTCP_EPOLLHUP)) onReadable(c);
      }
      maybeStats();
    }
    for (const c of [...conns.values()]) closeConnection(c);
    mtcp_close(mctx, listener);
    mtcp_close(mctx, pipefd[0]!);
    mtcp_close(mctx, ep);
    return totals;
  };

  return { done: loop(), totals, stop: pipeStopper(mctx, pipefd[1]!) };
}
