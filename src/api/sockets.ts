// mtcp_socket, mtcp_bind, mtcp_listen, mtcp_accept, mtcp_connect, mtcp_close, mtcp_abort, mtcp_shutdown,
// mtcp_getsockname, mtcp_getpeername (mtcp_api.h). Errors follow mTCP's man pages, then mTCP's code
// (mtcp-inventory §1.3), then Linux socket(2) semantics; docs/api.md lists every deviation from mTCP.

import {
  AF_INET, IPPROTO_TCP, MTCP_SOCK_EPOLL, MTCP_SOCK_LISTENER, MTCP_SOCK_PIPE, MTCP_SOCK_STREAM, SHUT_RD, SHUT_RDWR,
  SHUT_WR, SOCKADDR_IN_SIZE, SOCK_STREAM,
} from './constants.js';
import {
  EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EALREADY, EBADF, EFAULT, EINPROGRESS, EINVAL, EISCONN, ENETUNREACH,
  ENFILE, ENOTCONN, ENOTSOCK, EPROTONOSUPPORT,
} from './errno.js';
import { checkContext, fail, type MtcpContext, type mctx_t } from './context.js';
import { detachPollable } from './epoll.js';
import { MtcpSocket } from './socket.js';
import { htonl, htons, ntohl, ntohs } from './byte-order.js';
import { isSockaddrIn, type SockaddrIn, type Socklen } from './sockaddr.js';
import { TcpState, type TcpConnection } from '../tcp/connection.js';
import { applyOptionsToConnection } from './sockopt.js';

/** The socket at `sockid`, or null with EBADF (out of range or unused), as mTCP's range/unused checks. */
export function socketOf(ctx: MtcpContext, sockid: number): MtcpSocket | null {
  const s = ctx.sockets.get(sockid);
  if (s === null) {
    ctx.errno = EBADF;
    return null;
  }
  return s;
}

/** A stream or listening socket, or null with EBADF / ENOTSOCK. */
export function streamOf(ctx: MtcpContext, sockid: number): MtcpSocket | null {
  const s = socketOf(ctx, sockid);
  if (s === null) return null;
  if (s.kind !== MTCP_SOCK_STREAM && s.kind !== MTCP_SOCK_LISTENER) {
    ctx.errno = ENOTSOCK;
    return null;
  }
  return s;
}

/**
 * Writes a C struct sockaddr_in of `hostIp:hostPort` into `addr`, truncated to `*addrlen` bytes as the kernel does
 * (family in bytes 0-1, port 2-3, address 4-7), and stores the full size (16) in `*addrlen`.
 */
function copyOutAddress(addr: SockaddrIn | null | undefined, addrlen: Socklen, hostIp: number, hostPort: number): void {
  const room = addrlen.value;
  if (addr) {
    if (room >= 2) addr.sin_family = AF_INET;
    if (room >= 4) addr.sin_port = htons(hostPort);
    if (room >= 8) addr.sin_addr.s_addr = htonl(hostIp);
  }
  addrlen.value = SOCKADDR_IN_SIZE;
}

/** Validates an (addr, addrlen) output pair: EFAULT for a missing box, EINVAL for a negative or non-integer length. */
function checkOutLength(ctx: MtcpContext, addr: SockaddrIn | null | undefined, addrlen: Socklen | null | undefined): boolean {
  if (!addrlen || typeof addrlen.value !== 'number') {
    ctx.errno = EFAULT;
    return false;
  }
  if (!Number.isInteger(addrlen.value) || addrlen.value < 0) {
    ctx.errno = EINVAL;
    return false;
  }
  if (addrlen.value > 0 && !isSockaddrIn(addr)) {
    ctx.errno = EFAULT;
    return false;
  }
  return true;
}

/**
 * mtcp_socket(mctx, domain, type, protocol): a new stream socket id, or -1 with EAFNOSUPPORT (domain is not
 * AF_INET), EINVAL (type is not exactly SOCK_STREAM, as mTCP: type flags are rejected), EPROTONOSUPPORT (protocol is
 * neither 0 nor IPPROTO_TCP), ENFILE (the context's socket table, max_concurrency ids, is full), EINVAL/EPERM (ctx).
 */
export function mtcp_socket(mctx: mctx_t, domain: number, type: number, protocol: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  if (domain !== AF_INET) return fail(ctx, EAFNOSUPPORT);
  if (type !== SOCK_STREAM) return fail(ctx, EINVAL);
  if (protocol !== 0 && protocol !== IPPROTO_TCP) return fail(ctx, EPROTONOSUPPORT);
  const id = ctx.sockets.allocate((i) => new MtcpSocket(i, MTCP_SOCK_STREAM));
  if (id < 0) return fail(ctx, ENFILE);
  return id;
}

/** True if another socket of the context holds (ip, port) in a way that conflicts with `s` (SO_REUSEADDR rules). */
function addressTaken(ctx: MtcpContext, s: MtcpSocket, ip: number, port: number): boolean {
  let taken = false;
  ctx.sockets.forEach((o) => {
    if (taken || o === s || !o.bound || o.boundPort !== port) return;
    if (o.kind !== MTCP_SOCK_STREAM && o.kind !== MTCP_SOCK_LISTENER) return;
    if (o.boundIp !== ip && o.boundIp !== 0 && ip !== 0) return;
    // Linux: with SO_REUSEADDR on both, only a listening socket blocks the address.
    if (s.options.reuseAddr && o.options.reuseAddr && o.kind !== MTCP_SOCK_LISTENER) return;
    taken = true;
  });
  return taken;
}

/**
 * mtcp_bind(mctx, sockid, addr, addrlen): 0, or -1 with EBADF, ENOTSOCK, EINVAL (addr missing, already bound,
 * sa_family not AF_INET or addrlen < sizeof(struct sockaddr_in)), EADDRNOTAVAIL (the IP is not one of the context's
 * interface addresses), EADDRINUSE (another socket of this context is bound to that address and port).
 */
export function mtcp_bind(mctx: mctx_t, sockid: number, addr: SockaddrIn | null, addrlen: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (!addr) return fail(ctx, EINVAL);
  if (!isSockaddrIn(addr)) return fail(ctx, EFAULT);
  if (s.bound || s.conn !== null || s.kind === MTCP_SOCK_LISTENER) return fail(ctx, EINVAL);
  if (addr.sin_family !== AF_INET || !(addrlen >= SOCKADDR_IN_SIZE)) return fail(ctx, EINVAL);
  const ip = ntohl(addr.sin_addr.s_addr);
  const port = ntohs(addr.sin_port);
  if (ip !== 0 && !ctx.core.isLocalAddress(ip)) return fail(ctx, EADDRNOTAVAIL);
  if (port !== 0 && addressTaken(ctx, s, ip, port)) return fail(ctx, EADDRINUSE);
  s.boundIp = ip;
  s.boundPort = port;
  s.bound = true;
  return 0;
}

/** First port of Linux's ephemeral range free for a listener on `ip` in this context, or -1. */
function pickListenPort(ctx: MtcpContext, s: MtcpSocket, ip: number): number {
  for (let port = 32768; port <= 60999; port++) {
    if (!addressTaken(ctx, s, ip, port)) return port;
  }
  return -1;
}

/**
 * mtcp_listen(mctx, sockid, backlog): 0, or -1 with EBADF, ENOTSOCK, EINVAL (backlog <= 0 or > max_concurrency, as
 * mTCP; or the socket is connected), EADDRINUSE (a listener already holds that port on this context). An unbound
 * socket is given an ephemeral port, as Linux does. Listening again on a listener only updates nothing and returns
 * 0 (Linux; mTCP fails with EADDRINUSE).
 */
export function mtcp_listen(mctx: mctx_t, sockid: number, backlog: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (!Number.isInteger(backlog) || backlog <= 0 || backlog > ctx.sockets.capacity) return fail(ctx, EINVAL);
  if (s.kind === MTCP_SOCK_LISTENER) return 0;
  if (s.conn !== null) return fail(ctx, EINVAL);
  let port = s.boundPort;
  if (port === 0) {
    port = pickListenPort(ctx, s, s.boundIp);
    if (port < 0) return fail(ctx, EADDRINUSE);
  } else if (addressTaken(ctx, s, s.boundIp, port)) {
    return fail(ctx, EADDRINUSE);
  }
  const o = s.options;
  const l = ctx.core.engine.listen(s.boundIp, port, backlog, o.rcvbuf > 0 ? o.rcvbuf : undefined,
    o.sndbuf > 0 ? o.sndbuf : undefined);
  if (typeof l === 'number') return fail(ctx, -l);
  l.socketId = s.id;
  s.listener = l;
  s.kind = MTCP_SOCK_LISTENER;
  s.bound = true;
  s.boundPort = port;
  return 0;
}

/**
 * mtcp_accept(mctx, sockid, addr, addrlen): the id of a new socket for an established connection (data may already
 * be waiting), with the peer's address in `addr` when given; or -1 with EBADF (bad id), ENOTSOCK (epoll or pipe id),
 * EINVAL (not a listening socket, or *addrlen < 0), EFAULT (addr without addrlen), EAGAIN (no connection waiting:
 * sockets never block), ENFILE (no free socket id; the connection stays queued).
 */
export function mtcp_accept(mctx: mctx_t, sockid: number, addr: SockaddrIn | null = null,
  addrlen: Socklen | null = null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (s.kind !== MTCP_SOCK_LISTENER || s.listener === null) return fail(ctx, EINVAL);
  if (addr && (!addrlen || !isSockaddrIn(addr))) return fail(ctx, EFAULT);
  if (addrlen && typeof addrlen !== 'object') return fail(ctx, EFAULT);
  if (addrlen && (!Number.isInteger(addrlen.value) || addrlen.value < 0)) return fail(ctx, EINVAL);
  if (ctx.sockets.used >= ctx.sockets.capacity) return fail(ctx, ENFILE);
  const c = ctx.core.engine.accept(s.listener);
  if (c === null) return fail(ctx, EAGAIN);
  const id = ctx.sockets.allocate((i) => new MtcpSocket(i, MTCP_SOCK_STREAM));
  const a = ctx.sockets.get(id) as MtcpSocket;
  a.conn = c;
  c.socketId = id;
  a.bound = true;
  a.boundIp = c.localIp;
  a.boundPort = c.localPort;
  a.inheritOptions(s);
  applyOptionsToConnection(ctx, a.options, c, false);
  if (addrlen) copyOutAddress(addr, addrlen, c.remoteIp, c.remotePort);
  return id;
}

/** The source IP for a connection to `remoteIp`: the bound one, an mtcp_init_rss() address, or the routed port's. */
function sourceAddressFor(ctx: MtcpContext, s: MtcpSocket, remoteIp: number): number {
  if (s.boundIp !== 0) return s.boundIp;
  if (ctx.rssCount > 0) {
    const ip = (ctx.rssBase + ctx.rssNext) >>> 0;
    ctx.rssNext = (ctx.rssNext + 1) % ctx.rssCount;
    return ip;
  }
  return ctx.core.sourceAddressFor(remoteIp);
}

/**
 * mtcp_connect(mctx, sockid, addr, addrlen): starts the three-way handshake and returns -1 with EINPROGRESS (sockets
 * are non-blocking; completion is reported as EPOLLOUT, failure as EPOLLERR with SO_ERROR ECONNREFUSED or
 * ETIMEDOUT). Other errors: EBADF, ENOTSOCK (not a stream socket, e.g. a listener, as mTCP), EFAULT (addr missing),
 * EAFNOSUPPORT (family not AF_INET or addrlen < 16), EISCONN (already connected), EALREADY (a connect is in
 * progress), ENETUNREACH (no route to the address), EADDRNOTAVAIL (no free local port), EADDRINUSE (the bound
 * address is used by a connection to the same peer), ENOMEM (max_concurrency connections exist), EINVAL (several
 * cores per host and the bound port's flow hashes to another core, as mTCP).
 */
export function mtcp_connect(mctx: mctx_t, sockid: number, addr: SockaddrIn | null, addrlen: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = socketOf(ctx, sockid);
  if (s === null) return -1;
  if (s.kind !== MTCP_SOCK_STREAM) return fail(ctx, ENOTSOCK);
  if (!isSockaddrIn(addr)) return fail(ctx, EFAULT);
  if (addr.sin_family !== AF_INET || !(addrlen >= SOCKADDR_IN_SIZE)) return fail(ctx, EAFNOSUPPORT);
  const old = s.conn;
  if (old !== null) {
    if (old.state === TcpState.SYN_SENT) return fail(ctx, EALREADY);
    if (old.state !== TcpState.CLOSED) return fail(ctx, EISCONN);
    // A failed attempt (refused, timed out): Linux lets the socket connect again.
    ctx.core.engine.close(old, ctx.core.now());
    old.socketId = -1;
    s.conn = null;
  }
  const remoteIp = ntohl(addr.sin_addr.s_addr);
  const remotePort = ntohs(addr.sin_port);
  const localIp = sourceAddressFor(ctx, s, remoteIp);
  if (localIp === 0) return fail(ctx, ENETUNREACH);
  // Several cores per host: the local port must hash to this core's queue (mTCP's RSS rule, EINVAL for an explicit
  // bind that does not), or the replies would reach another core.
  let localPort = s.boundPort;
  if (localPort === 0) {
    localPort = ctx.core.pickLocalPort(localIp, remoteIp, remotePort);
    if (localPort < 0) return fail(ctx, EADDRNOTAVAIL);
  } else if (!ctx.core.ownsFlow(localIp, localPort, remoteIp, remotePort)) {
    return fail(ctx, EINVAL);
  }
  const o = s.options;
  const c = ctx.core.engine.connect(localIp, localPort, remoteIp, remotePort, ctx.core.now(), {
    rcvbuf: o.rcvbuf > 0 ? o.rcvbuf : undefined,
    sndbuf: o.sndbuf > 0 ? o.sndbuf : undefined,
    noDelay: o.noDelay,
    keepalive: o.keepalive,
  });
  if (typeof c === 'number') return fail(ctx, -c);
  c.socketId = s.id;
  s.conn = c;
  s.bound = true;
  s.boundIp = c.localIp;
  s.boundPort = c.localPort;
  applyOptionsToConnection(ctx, o, c, false);
  ctx.core.kick();
  return fail(ctx, EINPROGRESS);
}

/** Frees a socket id after removing the socket from every epoll set. */
function releaseSocket(ctx: MtcpContext, s: MtcpSocket): void {
  detachPollable(s);
  ctx.sockets.release(s.id);
}

/**
 * mtcp_close(mctx, sockid): releases the id and returns 0. A connection is closed gracefully (FIN after the
 * buffered data; RST instead when SO_LINGER is on with a zero timeout or unread data remains, RFC 2525 §2.17); a
 * listener is removed and its unaccepted connections are reset; an epoll instance ends its pending waits with
 * EBADF; a pipe end shows EOF (or EPIPE) at the other end. Errors: EBADF (bad id); ENOTCONN for a stream socket that
 * never connected nor listened (mTCP's behaviour and man page; the id is released all the same).
 */
export function mtcp_close(mctx: mctx_t, sockid: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = socketOf(ctx, sockid);
  if (s === null) return -1;
  const now = ctx.core.now();
  let result = 0;
  switch (s.kind) {
    case MTCP_SOCK_STREAM:
      if (s.conn !== null) {
        s.conn.socketId = -1;
        ctx.core.engine.close(s.conn, now);
        s.conn = null;
      } else {
        result = fail(ctx, ENOTCONN);
      }
      break;
    case MTCP_SOCK_LISTENER:
      if (s.listener !== null) {
        s.listener.socketId = -1;
        ctx.core.engine.closeListener(s.listener, now);
        s.listener = null;
      }
      break;
    case MTCP_SOCK_EPOLL:
      if (s.epoll !== null) {
        s.epoll.clear();
        ctx.interruptEpoll(s.epoll, EBADF);
        s.epoll = null;
      }
      break;
    case MTCP_SOCK_PIPE:
      if (s.pipe !== null) s.pipe.close(s.pipeEnd);
      s.pipe = null;
      break;
  }
  releaseSocket(ctx, s);
  ctx.core.kick();
  return result;
}

/**
 * mtcp_abort(mctx, sockid): resets the connection (RST) and releases the id; 0, or -1 with EBADF, ENOTSOCK (not a
 * stream socket), ENOTCONN (no connection). Not declared in mTCP's mtcp_api.h but present in its api.c.
 */
export function mtcp_abort(mctx: mctx_t, sockid: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = socketOf(ctx, sockid);
  if (s === null) return -1;
  if (s.kind !== MTCP_SOCK_STREAM) return fail(ctx, ENOTSOCK);
  if (s.conn === null) return fail(ctx, ENOTCONN);
  s.conn.socketId = -1;
  ctx.core.engine.abort(s.conn, ctx.core.now());
  s.conn = null;
  releaseSocket(ctx, s);
  ctx.core.kick();
  return 0;
}

/**
 * mtcp_shutdown(mctx, sockid, how) — not in mTCP; shutdown(2): SHUT_WR sends FIN after the buffered data, SHUT_RD
 * discards further input (reads return 0), SHUT_RDWR both. 0, or -1 with EBADF, ENOTSOCK, EINVAL (bad `how`),
 * ENOTCONN (not connected).
 */
export function mtcp_shutdown(mctx: mctx_t, sockid: number, how: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return fail(ctx, EINVAL);
  const c = s.conn;
  if (c === null || c.state === TcpState.SYN_SENT || c.state === TcpState.CLOSED) return fail(ctx, ENOTCONN);
  const r = ctx.core.engine.shutdown(c, how as 0 | 1 | 2, ctx.core.now());
  if (r < 0) return fail(ctx, -r);
  ctx.core.kick();
  return 0;
}

/**
 * mtcp_getsockname(mctx, sockid, addr, addrlen): the local address — bound, chosen by connect/listen, or, for an
 * accepted socket, the local end of the connection (mTCP returns the peer there: a bug not reproduced). An unbound
 * socket gives AF_INET 0.0.0.0:0. Errors: EBADF, ENOTSOCK, EINVAL (*addrlen negative), EFAULT (addrlen missing, or
 * addr missing with *addrlen > 0).
 */
export function mtcp_getsockname(mctx: mctx_t, sockid: number, addr: SockaddrIn | null, addrlen: Socklen | null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (!checkOutLength(ctx, addr, addrlen)) return -1;
  const c = s.conn;
  if (c !== null) copyOutAddress(addr, addrlen as Socklen, c.localIp, c.localPort);
  else copyOutAddress(addr, addrlen as Socklen, s.boundIp, s.boundPort);
  return 0;
}

/** Linux answers getpeername in every state but CLOSE and SYN_SENT (inet_getname). */
function hasPeer(c: TcpConnection | null): c is TcpConnection {
  return c !== null && c.state !== TcpState.CLOSED && c.state !== TcpState.SYN_SENT && c.state !== TcpState.LISTEN;
}

/**
 * mtcp_getpeername(mctx, sockid, addr, addrlen): the peer's address in every connected state, CLOSE_WAIT included
 * (mTCP answers only in ESTABLISHED). Errors: EBADF, ENOTSOCK, EINVAL (*addrlen negative), EFAULT (as
 * getsockname), ENOTCONN (listening, connecting, never connected, or the connection is gone).
 */
export function mtcp_getpeername(mctx: mctx_t, sockid: number, addr: SockaddrIn | null, addrlen: Socklen | null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOf(ctx, sockid);
  if (s === null) return -1;
  if (!checkOutLength(ctx, addr, addrlen)) return -1;
  const c = s.conn;
  if (!hasPeer(c)) return fail(ctx, ENOTCONN);
  copyOutAddress(addr, addrlen as Socklen, c.remoteIp, c.remotePort);
  return 0;
}

