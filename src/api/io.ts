// mtcp_read, mtcp_recv, mtcp_readv, mtcp_write, mtcp_writev. Never blocking: no data gives EAGAIN. End of file
// gives 0; a reset connection gives ECONNRESET once, then 0, as Linux (mTCP shows a reset as EOF: not reproduced).

import { MSG_PEEK, MTCP_SOCK_EPOLL, MTCP_SOCK_LISTENER, MTCP_SOCK_PIPE } from './constants.js';
import { EAGAIN, EBADF, EFAULT, EINVAL, ENOTCONN, ENOTSOCK } from './errno.js';
import { checkContext, fail, type MtcpContext, type mctx_t } from './context.js';
import type { MtcpSocket } from './socket.js';
import { TcpState } from '../tcp/connection.js';

/** IOV_MAX on Linux. */
export const IOV_MAX = 1024;

function ioSocket(ctx: MtcpContext, sockid: number): MtcpSocket | null {
  const s = ctx.sockets.get(sockid);
  if (s === null) {
    ctx.errno = EBADF;
    return null;
  }
  if (s.kind === MTCP_SOCK_EPOLL) {
    ctx.errno = ENOTSOCK;
    return null;
  }
  return s;
}

function checkBuffer(ctx: MtcpContext, buf: Uint8Array, len: number): boolean {
  if (!(buf instanceof Uint8Array)) {
    ctx.errno = EFAULT;
    return false;
  }
  if (!Number.isInteger(len) || len < 0 || len > buf.length) {
    ctx.errno = len < 0 ? EINVAL : EFAULT;
    return false;
  }
  return true;
}

/** Connection states in which mTCP lets the application read (ESTABLISHED, FIN_WAIT_1/2, CLOSE_WAIT) plus the
 * states a half-closed or reset connection reaches while the application still holds it. */
function readState(s: TcpState): boolean {
  return s !== TcpState.SYN_SENT && s !== TcpState.SYN_RECEIVED && s !== TcpState.LISTEN;
}

function receiveInto(ctx: MtcpContext, s: MtcpSocket, buf: Uint8Array, off: number, len: number, peek: boolean): number {
  if (s.kind === MTCP_SOCK_PIPE) {
    if (s.pipe === null) return -EBADF;
    return s.pipe.read(s.pipeEnd, buf, off, len, peek);
  }
  if (s.kind === MTCP_SOCK_LISTENER) return -ENOTCONN;
  const c = s.conn;
  if (c === null || !readState(c.state)) return -ENOTCONN;
  if (len === 0) return 0; // recv(2) of zero bytes returns 0 at once
  const n = ctx.core.engine.receive(c, buf, off, len, peek, ctx.core.now());
  if (n > 0 && !peek) ctx.core.kick(); // a window update may be due
  return n;
}

/**
 * mtcp_recv(mctx, sockid, buf, len, flags): copies up to `len` bytes of in-order data into buf[0..len); flags 0
 * consumes them, MSG_PEEK leaves them. Returns the count, 0 at end of file (the peer's FIN, or after shutdown
 * SHUT_RD), or -1 with EBADF, ENOTSOCK (epoll id), ENOTCONN (not connected, connecting, or listening), EAGAIN (no
 * data yet), ECONNRESET (the peer reset the connection; reported once), EINVAL (flags other than 0 / MSG_PEEK, as
 * mTCP; or len < 0), EFAULT (buf not a Uint8Array or len > buf.length). On a pipe id it reads the pipe.
 */
export function mtcp_recv(mctx: mctx_t, sockid: number, buf: Uint8Array, len: number, flags: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = ioSocket(ctx, sockid);
  if (s === null) return -1;
  if (flags !== 0 && flags !== MSG_PEEK) return fail(ctx, EINVAL);
  if (!checkBuffer(ctx, buf, len)) return -1;
  const n = receiveInto(ctx, s, buf, 0, len, flags === MSG_PEEK);
  return n < 0 ? fail(ctx, -n) : n;
}

/** mtcp_read(mctx, sockid, buf, len) = mtcp_recv(mctx, sockid, buf, len, 0). */
export function mtcp_read(mctx: mctx_t, sockid: number, buf: Uint8Array, len: number): number {
  return mtcp_recv(mctx, sockid, buf, len, 0);
}

function checkIov(ctx: MtcpContext, iov: Uint8Array[], iovcnt: number): boolean {
  if (!Array.isArray(iov)) {
    ctx.errno = EFAULT;
    return false;
  }
  if (!Number.isInteger(iovcnt) || iovcnt < 0 || iovcnt > IOV_MAX) {
    ctx.errno = EINVAL;
    return false;
  }
  if (iovcnt > iov.length) {
    ctx.errno = EFAULT;
    return false;
  }
  for (let i = 0; i < iovcnt; i++) {
    if (!(iov[i] instanceof Uint8Array)) {
      ctx.errno = EFAULT;
      return false;
    }
  }
  return true;
}

/**
 * mtcp_readv(mctx, sockid, iov, iovcnt): as mtcp_read, filling the buffers iov[0..iovcnt) in order; returns the
 * total. Errors as mtcp_recv, plus EINVAL (iovcnt < 0 or > IOV_MAX) and EFAULT (iov[i] not a Uint8Array). Works on
 * pipes too (mTCP's does not).
 */
export function mtcp_readv(mctx: mctx_t, sockid: number, iov: Uint8Array[], iovcnt: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = ioSocket(ctx, sockid);
  if (s === null) return -1;
  if (!checkIov(ctx, iov, iovcnt)) return -1;
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const b = iov[i];
    if (b.length === 0) continue;
    const n = receiveInto(ctx, s, b, 0, b.length, false);
    if (n < 0) {
      if (total > 0) break;
      return fail(ctx, -n);
    }
    total += n;
    if (n < b.length) break;
  }
  return total;
}

function sendFrom(ctx: MtcpContext, s: MtcpSocket, buf: Uint8Array, off: number, len: number): number {
  if (s.kind === MTCP_SOCK_PIPE) {
    if (s.pipe === null) return -EBADF;
    return s.pipe.write(s.pipeEnd, buf, off, len);
  }
  if (s.kind === MTCP_SOCK_LISTENER) return -ENOTCONN;
  const c = s.conn;
  if (c === null || c.state === TcpState.SYN_SENT || c.state === TcpState.SYN_RECEIVED) return -ENOTCONN;
  const n = ctx.core.engine.send(c, buf, off, len, ctx.core.now());
  if (n > 0) ctx.core.kick();
  return n;
}

/** mTCP: writing 0 bytes to a connection fails with EAGAIN (non-blocking); not connected is still ENOTCONN. */
function emptyWrite(ctx: MtcpContext, s: MtcpSocket): number {
  const c = s.conn;
  if (s.kind === MTCP_SOCK_LISTENER || c === null || c.state === TcpState.SYN_SENT) return fail(ctx, ENOTCONN);
  return fail(ctx, EAGAIN);
}

/**
 * mtcp_write(mctx, sockid, buf, len): copies up to `len` bytes of buf into the send buffer; returns the count
 * (partial writes are normal), or -1 with EBADF, ENOTSOCK, ENOTCONN (not connected, or still connecting, as mTCP),
 * EAGAIN (send buffer full; also len == 0 on a connection, as mTCP), EPIPE (after shutdown SHUT_WR or close by
 * the peer's reset; no SIGPIPE exists here), ECONNRESET, EFAULT/EINVAL (bad buffer or length), ENOMEM (no send
 * buffer left in the context's pool). On a pipe id it writes the pipe.
 */
export function mtcp_write(mctx: mctx_t, sockid: number, buf: Uint8Array, len: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = ioSocket(ctx, sockid);
  if (s === null) return -1;
  if (!checkBuffer(ctx, buf, len)) return -1;
  if (len === 0 && s.kind !== MTCP_SOCK_PIPE) return emptyWrite(ctx, s);
  const n = sendFrom(ctx, s, buf, 0, len);
  return n < 0 ? fail(ctx, -n) : n;
}

/**
 * mtcp_writev(mctx, sockid, iov, iovcnt): as mtcp_write for the buffers iov[0..iovcnt) in order, stopping at the
 * first partial copy; returns the total. Errors as mtcp_write, plus EINVAL/EFAULT for a bad iovec.
 */
export function mtcp_writev(mctx: mctx_t, sockid: number, iov: Uint8Array[], iovcnt: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const s = ioSocket(ctx, sockid);
  if (s === null) return -1;
  if (!checkIov(ctx, iov, iovcnt)) return -1;
  let wanted = 0;
  for (let i = 0; i < iovcnt; i++) wanted += iov[i].length;
  if (wanted === 0 && s.kind !== MTCP_SOCK_PIPE) return emptyWrite(ctx, s);
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const b = iov[i];
    if (b.length === 0) continue;
    const n = sendFrom(ctx, s, b, 0, b.length);
    if (n < 0) {
      if (total > 0) break;
      return fail(ctx, -n);
    }
    total += n;
    if (n < b.length) break;
  }
  return total;
}

