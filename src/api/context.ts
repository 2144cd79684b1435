// mctx_t: the application's handle on one per-core context (mTCP's struct mtcp_context), with the context's
// socket table and its own errno. A failing call returns -1 and stores the error here; read it with mtcp_errno().
// Calls that fail before a valid context is known (bad handle, no mtcp_init) store it in the process-wide errno.

import { EINVAL, EPERM } from './errno.js';
import { SocketTable } from './socket-table.js';
import type { MtcpSocket } from './socket.js';
import type { EpollInstance } from './epoll.js';
import type { CoreContext } from '../core/context.js';

/** Resolvers of pending mtcp_epoll_wait calls, so shutdown can end them with EINTR. */
export interface PendingWait {
  readonly epoll: EpollInstance;
  interrupt(errnum: number): void;
}

export class MtcpContext {
  /** The core this context runs on (its index among the contexts created from one configuration). */
  readonly cpu: number;
  readonly core: CoreContext;
  readonly sockets: SocketTable<MtcpSocket>;
  /** errno of the last failed call on this context. */
  errno: number;
  /** mtcp_destroy_context() was called: every call now fails with EPERM (mTCP's ctx->done). */
  done: boolean;
  /** Pending mtcp_epoll_wait calls, in no order (an array: a Set allocates as it grows and shrinks, per wait). */
  readonly waits: PendingWait[];
  /** mtcp_init_rss(): source addresses for connect() (host order), used round-robin. */
  rssBase: number;
  rssCount: number;
  rssNext: number;

  constructor(cpu: number, core: CoreContext, maxConcurrency: number) {
    this.cpu = cpu;
    this.core = core;
    this.sockets = new SocketTable<MtcpSocket>(maxConcurrency);
    this.errno = 0;
    this.done = false;
    this.waits = [];
    this.rssBase = 0;
    this.rssCount = 0;
    this.rssNext = 0;
  }

  addWait(w: PendingWait): void {
    this.waits.push(w);
  }

  removeWait(w: PendingWait): void {
    const waits = this.waits;
    const i = waits.indexOf(w);
    if (i < 0) return;
    waits[i] = waits[waits.length - 1];
    waits.pop();
  }

  /** Ends every pending mtcp_epoll_wait with -1 and `errnum` (EINTR on shutdown and SIGINT). */
  interruptWaits(errnum: number): void {
    for (const w of [...this.waits]) w.interrupt(errnum);
  }

  /** Ends the pending waits on one epoll instance (it is being closed). */
  interruptEpoll(epoll: EpollInstance, errnum: number): void {
    for (const w of [...this.waits]) if (w.epoll === epoll) w.interrupt(errnum);
  }
}

/** The context handle type of the mTCP API. */
export type mctx_t = MtcpContext;

let processErrno = 0;

/** Sets the process-wide errno (calls without a valid context). Returns -1 for `return setProcessErrno(E)`. */
export function setProcessErrno(errnum: number): -1 {
  processErrno = errnum;
  return -1;
}

/**
 * errno after a failed call: that of `mctx` (each context has its own, so two contexts never see each other's), or,
 * without an argument or for an invalid handle, the process-wide one set by calls that had no valid context
 * (mtcp_init, mtcp_getconf, a null mctx ...).
 */
export function mtcp_errno(mctx?: mctx_t | null): number {
  return mctx instanceof MtcpContext ? mctx.errno : processErrno;
}

/** Stores `errnum` as the context's errno and returns -1 (`return fail(ctx, EBADF)`). */
export function fail(ctx: MtcpContext, errnum: number): -1 {
  ctx.errno = errnum;
  return -1;
}

/**
 * mTCP's GetMTCPManager(): the context if usable. A null/foreign handle sets the process errno to EINVAL; a context
 * being destroyed sets EPERM on it. Returns null in both cases.
 */
export function checkContext(mctx: unknown): MtcpContext | null {
  if (!(mctx instanceof MtcpContext)) {
    processErrno = EINVAL;
    return null;
  }
  if (mctx.done) {
    mctx.errno = EPERM;
    return null;
  }
  return mctx;
}
