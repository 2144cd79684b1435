// mtcp_getsockopt, mtcp_setsockopt, mtcp_setsock_nonblock, mtcp_socket_ioctl. mTCP ignores every option
// (mtcp-inventory §1.7); here they work as on Linux (socket(7), tcp(7)), and unsupported ones fail with ENOPROTOOPT.

import {
  FIONBIO, FIONREAD, IPPROTO_TCP, MTCP_SOCK_EPOLL, MTCP_SOCK_LISTENER, MTCP_SOCK_PIPE, SOCK_STREAM, SOL_SOCKET,
  SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF, SO_TYPE, TCP_KEEPCNT, TCP_KEEPIDLE,
  TCP_KEEPINTVL, TCP_NODELAY,
} from './constants.js';
import { EBADF, EFAULT, EINVAL, EISCONN, ENOPROTOOPT, ENOTSOCK } from './errno.js';
import { checkContext, fail, type MtcpContext, type mctx_t } from './context.js';
import type { MtcpSocket, SocketOptions } from './socket.js';
import type { Socklen } from './sockaddr.js';
import type { TcpConnection } from '../tcp/connection.js';

/** An `int` option value or ioctl argument (C: int *). */
export interface IntBox {
  value: number;
}

/** struct linger (SO_LINGER). */
export class Linger {
  l_onoff: number;
  l_linger: number;
  constructor(l_onoff = 0, l_linger = 0) {
    this.l_onoff = l_onoff;
    this.l_linger = l_linger;
  }
}

export type OptionValue = IntBox | Linger;

const INT_SIZE = 4;
const LINGER_SIZE = 8;
/** Bounds of SO_RCVBUF/SO_SNDBUF: mTCP's minimum buffer (64 bytes) and a 64 MiB ceiling. */
const MIN_BUFFER = 64;
const MAX_BUFFER = 64 * 1024 * 1024;
const MAX_KEEPALIVE_SECONDS = 32767; // Linux MAX_TCP_KEEPIDLE / KEEPINTVL
const MAX_KEEPALIVE_PROBES = 127; // Linux MAX_TCP_KEEPCNT

/** Copies the socket's options onto its connection (after connect/accept, and when an option changes). */
export function applyOptionsToConnection(ctx: MtcpContext, o: SocketOptions, c: TcpConnection, _changed: boolean): void {
  const t = ctx.core.tcpConfig;
  c.noDelay = o.noDelay;
  c.keepalive = o.keepalive;
  c.keepaliveIdleMs = o.keepIdleSeconds > 0 ? o.keepIdleSeconds * 1000 : t.keepaliveIdleMs;
  c.keepaliveIntervalMs = o.keepIntervalSeconds > 0 ? o.keepIntervalSeconds * 1000 : t.keepaliveIntervalMs;
  c.keepaliveProbes = o.keepCount > 0 ? o.keepCount : t.keepaliveProbes;
  c.lingerOn = o.lingerOn;
  c.lingerSeconds = o.lingerSeconds;
}

function streamOrListener(ctx: MtcpContext, sockid: number): MtcpSocket | null {
  const s = ctx.sockets.get(sockid);
  if (s === null) {
    ctx.errno = EBADF;
    return null;
  }
  if (s.kind === MTCP_SOCK_EPOLL || s.kind === MTCP_SOCK_PIPE) {
    ctx.errno = ENOTSOCK;
    return null;
  }
  return s;
}

function intOf(optval: OptionValue | number | null | undefined): number | null {
  if (typeof optval === 'number') return Number.isFinite(optval) ? Math.trunc(optval) : null;
  if (optval && typeof (optval as IntBox).value === 'number') return Math.trunc((optval as IntBox).value);
  return null;
}

/**
 * mtcp_setsockopt(mctx, sockid, level, optname, optval, optlen): 0, or -1 with EBADF, ENOTSOCK (epoll or pipe id),
 * EFAULT (optval missing), EINVAL (optlen smaller than the option, or a value out of range), EISCONN
 * (SO_RCVBUF/SO_SNDBUF after connect or listen: the buffers exist by then), ENOPROTOOPT (an option mtcp-ts does not
 * implement). Supported: SOL_SOCKET SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER (a Linger; l_linger 0 = RST on close),
 * SO_RCVBUF, SO_SNDBUF; IPPROTO_TCP TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT. `optval` is an
 * IntBox ({ value }) or a plain number for int options.
 */
export function mtcp_setsockopt(mctx: mctx_t, sockid: number, level: number, optname: number,
  optval: OptionValue | number | null, optlen: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOrListener(ctx, sockid);
  if (s === null) return -1;
  if (optval === null || optval === undefined) return fail(ctx, EFAULT);
  const o = s.ownOptions();
  if (level === SOL_SOCKET && optname === SO_LINGER) {
    if (!(optlen >= LINGER_SIZE)) return fail(ctx, EINVAL);
    if (!(optval instanceof Linger)) return fail(ctx, EFAULT);
    if (!(optval.l_linger >= 0)) return fail(ctx, EINVAL);
    o.lingerOn = optval.l_onoff !== 0;
    o.lingerSeconds = Math.trunc(optval.l_linger);
  } else {
    if (!(optlen >= INT_SIZE)) return fail(ctx, EINVAL);
    const v = intOf(optval);
    if (v === null) return fail(ctx, EFAULT);
    if (level === SOL_SOCKET) {
      switch (optname) {
        case SO_REUSEADDR: o.reuseAddr = v !== 0; break;
        case SO_KEEPALIVE: o.keepalive = v !== 0; break;
        case SO_RCVBUF:
        case SO_SNDBUF: {
          if (s.conn !== null || s.kind === MTCP_SOCK_LISTENER) return fail(ctx, EISCONN);
          if (v <= 0) return fail(ctx, EINVAL);
          const size = Math.min(MAX_BUFFER, Math.max(MIN_BUFFER, v));
          if (optname === SO_RCVBUF) o.rcvbuf = size;
          else o.sndbuf = size;
          break;
        }
        default: return fail(ctx, ENOPROTOOPT);
      }
    } else if (level === IPPROTO_TCP) {
      switch (optname) {
        case TCP_NODELAY: o.noDelay = v !== 0; break;
        case TCP_KEEPIDLE:
          if (v < 1 || v > MAX_KEEPALIVE_SECONDS) return fail(ctx, EINVAL);
          o.keepIdleSeconds = v;
          break;
        case TCP_KEEPINTVL:
          if (v < 1 || v > MAX_KEEPALIVE_SECONDS) return fail(ctx, EINVAL);
          o.keepIntervalSeconds = v;
          break;
        case TCP_KEEPCNT:
          if (v < 1 || v > MAX_KEEPALIVE_PROBES) return fail(ctx, EINVAL);
          o.keepCount = v;
          break;
        default: return fail(ctx, ENOPROTOOPT);
      }
    } else {
      return fail(ctx, ENOPROTOOPT);
    }
  }
  if (s.conn !== null) {
    applyOptionsToConnection(ctx, o, s.conn, true);
    ctx.core.optionsChanged(s.conn);
  }
  return 0;
}

/**
 * mtcp_getsockopt(mctx, sockid, level, optname, optval, optlen): 0 with the value in `optval` and its size in
 * `*optlen`, or -1 with EBADF, ENOTSOCK, EFAULT (optval or optlen missing), EINVAL (*optlen smaller than the
 * option), ENOPROTOOPT. SO_ERROR reads and clears the pending error as Linux: ECONNREFUSED (RST answered our SYN),
 * ECONNRESET, ETIMEDOUT (retransmissions, SYN retries, keepalive or idle timeout exhausted), or 0. Also readable:
 * SO_TYPE and every option mtcp_setsockopt accepts (SO_RCVBUF/SO_SNDBUF give the sizes actually used).
 */
export function mtcp_getsockopt(mctx: mctx_t, sockid: number, level: number, optname: number,
  optval: OptionValue | null, optlen: Socklen | null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = streamOrListener(ctx, sockid);
  if (s === null) return -1;
  if (!optval || typeof optval !== 'object' || !optlen || typeof optlen !== 'object' || typeof optlen.value !== 'number') {
    return fail(ctx, EFAULT);
  }
  const o = s.options;
  const c = s.conn;
  const t = ctx.core.tcpConfig;
  if (level === SOL_SOCKET && optname === SO_LINGER) {
    if (optlen.value < LINGER_SIZE) return fail(ctx, EINVAL);
    if (!(optval instanceof Linger)) return fail(ctx, EFAULT);
    optval.l_onoff = o.lingerOn ? 1 : 0;
    optval.l_linger = o.lingerSeconds;
    optlen.value = LINGER_SIZE;
    return 0;
  }
  if (optlen.value < INT_SIZE) return fail(ctx, EINVAL);
  if (optval instanceof Linger) return fail(ctx, EFAULT);
  let v: number;
  if (level === SOL_SOCKET) {
    switch (optname) {
      case SO_ERROR: v = c !== null ? c.takeError() : 0; break;
      case SO_TYPE: v = SOCK_STREAM; break;
      case SO_REUSEADDR: v = o.reuseAddr ? 1 : 0; break;
      case SO_KEEPALIVE: v = o.keepalive ? 1 : 0; break;
      case SO_RCVBUF: v = c !== null ? c.rcvbuf : o.rcvbuf > 0 ? o.rcvbuf : t.rcvbuf; break;
      case SO_SNDBUF: v = c !== null ? c.sndbuf : o.sndbuf > 0 ? o.sndbuf : t.sndbuf; break;
      default: return fail(ctx, ENOPROTOOPT);
    }
  } else if (level === IPPROTO_TCP) {
    switch (optname) {
      case TCP_NODELAY: v = o.noDelay ? 1 : 0; break;
      case TCP_KEEPIDLE: v = o.keepIdleSeconds > 0 ? o.keepIdleSeconds : Math.round(t.keepaliveIdleMs / 1000); break;
      case TCP_KEEPINTVL: v = o.keepIntervalSeconds > 0 ? o.keepIntervalSeconds : Math.round(t.keepaliveIntervalMs / 1000); break;
      case TCP_KEEPCNT: v = o.keepCount > 0 ? o.keepCount : t.keepaliveProbes; break;
      default: return fail(ctx, ENOPROTOOPT);
    }
  } else {
    return fail(ctx, ENOPROTOOPT);
  }
  (optval as IntBox).value = v;
  optlen.value = INT_SIZE;
  return 0;
}

/**
 * mtcp_setsock_nonblock(mctx, sockid): 0, or -1 with EBADF. Every mtcp-ts socket is non-blocking already (as
 * mTCP's man pages state), so this only validates the id; it is kept so mTCP programs port unchanged.
 */
export function mtcp_setsock_nonblock(mctx: mctx_t, sockid: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  if (ctx.sockets.get(sockid) === null) return fail(ctx, EBADF);
  return 0;
}

/**
 * mtcp_socket_ioctl(mctx, sockid, request, argp): FIONREAD stores the bytes readable now (in-order data of a
 * connection, or of a pipe's read end) in argp.value; FIONBIO accepts any value (sockets stay non-blocking: 0
 * cannot make them blocking, as in mTCP). -1 with EBADF (bad id, or an epoll id as mTCP), EFAULT (argp missing),
 * EINVAL (another request, or FIONREAD on a listener).
 */
export function mtcp_socket_ioctl(mctx: mctx_t, sockid: number, request: number, argp: IntBox | null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = ctx.sockets.get(sockid);
  if (s === null || s.kind === MTCP_SOCK_EPOLL) return fail(ctx, EBADF);
  if (!argp || typeof argp !== 'object') return fail(ctx, EFAULT);
  if (request === FIONREAD) {
    if (s.kind === MTCP_SOCK_LISTENER) return fail(ctx, EINVAL);
    if (s.kind === MTCP_SOCK_PIPE) argp.value = s.pipe !== null ? s.pipe.readable : 0;
    else argp.value = s.conn !== null ? s.conn.bytesReadable : 0;
    return 0;
  }
  if (request === FIONBIO) return 0;
  return fail(ctx, EINVAL);
}
