// mtcp_epoll_create, mtcp_epoll_create1, mtcp_epoll_ctl, mtcp_epoll_wait (mtcp_epoll.h). mTCP has no man page for
// them; the semantics are epoll(7)'s (see epoll.ts). mtcp_epoll_wait is the one call that waits: it returns a
// Promise, and while the application awaits it the context's stack runs (receives, fires timers, sends).

import { MTCP_SOCK_EPOLL, O_CLOEXEC } from './constants.js';
import { EBADF, EFAULT, EINVAL, ENFILE } from './errno.js';
import { checkContext, fail, type MtcpContext, type PendingWait, type mctx_t } from './context.js';
import { EpollInstance, type MtcpEpollEvent } from './epoll.js';
import { MtcpSocket } from './socket.js';

/** Longest setTimeout delay Node accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function keepAlive(): void {}

/**
 * Waits without a time limit keep the process alive through one shared timer, referenced while at least one such
 * wait is pending: a Timeout per wait was the largest share of the garbage an application's epoll loop made (about a
 * third, sampled in a 256 MiB TAP run), and each scavenge pauses the thread that runs the stack.
 */
let unlimitedWaits = 0;
let keepAliveTimer: NodeJS.Timeout | null = null;

function holdProcess(): void {
  if (unlimitedWaits++ > 0) return;
  if (keepAliveTimer === null) keepAliveTimer = setInterval(keepAlive, MAX_TIMER_MS);
  else keepAliveTimer.ref();
}

function releaseProcess(): void {
  if (--unlimitedWaits === 0) keepAliveTimer?.unref();
}

/** Pending waits per epoll instance, oldest first: a wake-up is offered to them in order. */
const waitersOf = new WeakMap<EpollInstance, EpollWait[]>();

class EpollWait implements PendingWait {
  readonly epoll: EpollInstance;
  private readonly ctx: MtcpContext;
  private readonly events: MtcpEpollEvent[];
  private readonly maxevents: number;
  private readonly timeout: number;
  private readonly resolve: (n: number) => void;
  private timer: NodeJS.Timeout | null;
  /** A wait without limit that holds the process (holdProcess()). */
  private holding: boolean;
  private finished: boolean;
  readonly check: () => void;

  constructor(ctx: MtcpContext, epoll: EpollInstance, events: MtcpEpollEvent[], maxevents: number, timeout: number,
    resolve: (n: number) => void) {
    this.ctx = ctx;
    this.epoll = epoll;
    this.events = events;
    this.maxevents = maxevents;
    this.timeout = timeout;
    this.resolve = resolve;
    this.timer = null;
    this.holding = false;
    this.finished = false;
    this.check = () => {
      if (this.finished) return;
      const n = this.epoll.collect(this.events, this.maxevents);
      if (n > 0 || this.timeout === 0) this.finish(n);
      else if (this.timer === null && !this.holding) this.armTimer();
    };
  }

  /** Starts the wait's time limit (none for timeout 0; for no limit, the process is held while it waits). */
  armTimer(): void {
    if (this.timeout > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.finished) this.finish(this.epoll.collect(this.events, this.maxevents));
      }, Math.min(this.timeout, MAX_TIMER_MS));
    } else if (this.timeout < 0 && !this.holding) {
      this.holding = true;
      holdProcess();
    }
  }

  finish(n: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.holding) {
      this.holding = false;
      releaseProcess();
    }
    this.ctx.removeWait(this);
    const list = waitersOf.get(this.epoll);
    if (list !== undefined) {
      // Removed in place, keeping the order (splice would allocate the array of removed entries).
      const i = list.indexOf(this);
      if (i >= 0) {
        for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
        list.pop();
      }
    }
    this.resolve(n);
  }

  interrupt(errnum: number): void {
    if (this.finished) return;
    this.ctx.errno = errnum;
    this.finish(-1);
  }
}

function dispatchWake(epoll: EpollInstance): void {
  const list = waitersOf.get(epoll);
  if (list === undefined) return;
  // Each waiter collects in turn; the first ones take what is ready, later ones find nothing and keep waiting.
  // The usual single waiter is checked without copying the list (one allocation less per wake-up).
  if (list.length === 1) {
    list[0].check();
    return;
  }
  for (const w of [...list]) {
    w.check();
    if (!epoll.mayHaveEvents) break;
  }
}

function createEpoll(ctx: MtcpContext): number {
  const id = ctx.sockets.allocate((i) => {
    const s = new MtcpSocket(i, MTCP_SOCK_EPOLL);
    const ep = new EpollInstance(i);
    ep.onWake = () => dispatchWake(ep);
    waitersOf.set(ep, []);
    s.epoll = ep;
    return s;
  });
  return id < 0 ? fail(ctx, ENFILE) : id;
}

/**
 * mtcp_epoll_create(mctx, size): a new epoll instance id, or -1 with EINVAL (size <= 0), ENFILE (socket table full),
 * EINVAL/EPERM (ctx). `size` is only checked, as in Linux. A context may have any number of instances.
 */
export function mtcp_epoll_create(mctx: mctx_t, size: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  if (!Number.isInteger(size) || size <= 0) return fail(ctx, EINVAL);
  return createEpoll(ctx);
}

/** mtcp_epoll_create1(mctx, flags): as mtcp_epoll_create; flags must be 0 or O_CLOEXEC (else EINVAL). */
export function mtcp_epoll_create1(mctx: mctx_t, flags: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  if (flags !== 0 && flags !== O_CLOEXEC) return fail(ctx, EINVAL);
  return createEpoll(ctx);
}

/**
 * mtcp_epoll_ctl(mctx, epid, op, sockid, event): MTCP_EPOLL_CTL_ADD, _MOD or _DEL `sockid` in the interest list of
 * `epid`. EPOLLERR and EPOLLHUP are always reported; EPOLLET, EPOLLONESHOT and EPOLLRDHUP work as in Linux; a
 * socket may be in several instances. Returns 0, or -1 with EBADF (epid or sockid not a valid id), EINVAL (epid is
 * not an epoll instance, sockid is an epoll instance or equals epid, unknown op, or event missing for ADD/MOD),
 * EEXIST (ADD of a registered socket), ENOENT (MOD/DEL of an unregistered one).
 */
export function mtcp_epoll_ctl(mctx: mctx_t, epid: number, op: number, sockid: number,
  event: MtcpEpollEvent | null): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  const e = ctx.sockets.get(epid);
  const t = ctx.sockets.get(sockid);
  if (e === null || t === null) return fail(ctx, EBADF);
  if (e.kind !== MTCP_SOCK_EPOLL || e.epoll === null) return fail(ctx, EINVAL);
  if (t === e || t.kind === MTCP_SOCK_EPOLL) return fail(ctx, EINVAL);
  const r = e.epoll.ctl(op, t, event);
  return r < 0 ? fail(ctx, -r) : 0;
}

/**
 * mtcp_epoll_wait(mctx, epid, events, maxevents, timeout): waits until sockets of `epid` are ready, at most `timeout`
 * ms (0: do not wait; negative: no limit), and resolves to the number of entries written to events[0..n) (0 on
 * timeout): one entry per socket with every ready flag, as Linux (mTCP gives one flag per entry). Resolves -1 with
 * EBADF (bad epid), EINVAL (epid not an epoll instance, maxevents <= 0), EFAULT (events not an array), EINTR (the
 * context was destroyed or SIGINT arrived while waiting), EBADF (the instance was closed while waiting). Missing
 * entries of `events` up to maxevents are created.
 */
export function mtcp_epoll_wait(mctx: mctx_t, epid: number, events: MtcpEpollEvent[], maxevents: number,
  timeout: number): Promise<number> {
  const ctx = checkContext(mctx);
  if (ctx === null) return Promise.resolve(-1);
  const s = ctx.sockets.get(epid);
  if (s === null) return Promise.resolve(fail(ctx, EBADF));
  if (s.kind !== MTCP_SOCK_EPOLL || s.epoll === null) return Promise.resolve(fail(ctx, EINVAL));
  if (!Array.isArray(events)) return Promise.resolve(fail(ctx, EFAULT));
  if (!Number.isInteger(maxevents) || maxevents <= 0) return Promise.resolve(fail(ctx, EINVAL));
  const epoll = s.epoll;
  const t = Number.isFinite(timeout) ? Math.trunc(timeout) : -1;
  return new Promise<number>((resolve) => {
    const w = new EpollWait(ctx, epoll, events, maxevents, t, resolve);
    ctx.addWait(w);
    waitersOf.get(epoll)!.push(w);
    // With entries on the ready list (or timeout 0), yield once to the event loop before collecting, so that the
    // stack and the links run even when the application calls mtcp_epoll_wait in a loop while events are pending
    // (there is no second thread to run them). With no ready entry nothing could be collected now: the wait
    // starts its time limit and the next readiness change wakes it (EpollInstance.onWake), without that extra turn.
    if (t === 0 || epoll.hasReadyEntry()) setImmediate(w.check);
    else w.armTimer();
  });
}
