// Epoll instances with Linux epoll(7) semantics (mTCP only emulates them, inventory §1.4/§1.6): an interest list per
// instance, a ready list of entries that may be ready, true level-triggered reporting (an entry stays on the ready
// list while its condition holds), EPOLLET (reported once per notification), EPOLLONESHOT (disarmed after one
// report until MOD), EPOLLERR and EPOLLHUP always reported, one combined mask per socket per wait, any number of
// instances per context and a socket in several instances.

import {
  MTCP_EPOLLERR, MTCP_EPOLLET, MTCP_EPOLLHUP, MTCP_EPOLLONESHOT, MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_DEL,
  MTCP_EPOLL_CTL_MOD,
} from './constants.js';
import { EEXIST, EFAULT, EINVAL, ENOENT } from './errno.js';

/** mtcp_epoll_data_t. C has a union; here each field is kept and copied as a whole. */
export class MtcpEpollData {
  ptr: unknown;
  sockid: number;
  u32: number;
  u64: number | bigint;
  constructor(sockid = 0) {
    this.ptr = null;
    this.sockid = sockid;
    this.u32 = 0;
    this.u64 = 0;
  }
}

/** struct mtcp_epoll_event. */
export class MtcpEpollEvent {
  events: number;
  data: MtcpEpollData;
  constructor(events = 0, sockid = 0) {
    this.events = events >>> 0;
    this.data = new MtcpEpollData(sockid);
  }
}

/** An array of `n` zeroed events for mtcp_epoll_wait (C: calloc(n, sizeof(struct mtcp_epoll_event))). */
export function mtcp_epoll_events(n: number): MtcpEpollEvent[] {
  const out = new Array<MtcpEpollEvent>(n);
  for (let i = 0; i < n; i++) out[i] = new MtcpEpollEvent();
  return out;
}

function copyData(to: MtcpEpollData, from: MtcpEpollData): void {
  to.ptr = from.ptr;
  to.sockid = from.sockid;
  to.u32 = from.u32;
  to.u64 = from.u64;
}

/** True if `event` has the shape of a struct mtcp_epoll_event (C would fault otherwise). */
export function isEpollEvent(event: unknown): event is MtcpEpollEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as MtcpEpollEvent;
  return typeof e.events === 'number' && typeof e.data === 'object' && e.data !== null;
}

/** Anything an epoll instance can watch: a socket of the context. */
export interface Pollable {
  readonly id: number;
  /** Head of the list of epoll entries watching this object (linked through EpollEntry.nextOfTarget). */
  epollHead: EpollEntry | null;
  /** Current readiness as MTCP_EPOLL* bits (IN, OUT, ERR, HUP, RDHUP). */
  pollMask(): number;
}

const PRIVATE_BITS = (MTCP_EPOLLONESHOT | MTCP_EPOLLET) >>> 0;

export class EpollEntry {
  readonly target: Pollable;
  readonly epoll: EpollInstance;
  /** Registered mask, ERR|HUP included (Linux adds them on ADD/MOD); only private bits after a ONESHOT report. */
  events: number;
  readonly data: MtcpEpollData;
  onReadyList: boolean;
  prevReady: EpollEntry | null;
  nextReady: EpollEntry | null;
  nextOfTarget: EpollEntry | null;

  constructor(target: Pollable, epoll: EpollInstance) {
    this.target = target;
    this.epoll = epoll;
    this.events = 0;
    this.data = new MtcpEpollData();
    this.onReadyList = false;
    this.prevReady = null;
    this.nextReady = null;
    this.nextOfTarget = null;
  }
}

/** Tells every epoll instance watching `target` that its readiness may have grown (Linux: the wait-queue callback). */
export function notifyPollable(target: Pollable): void {
  let e = target.epollHead;
  if (e === null) return;
  const mask = target.pollMask();
  for (; e !== null; e = e.nextOfTarget) {
    if ((mask & e.events) !== 0) e.epoll.markReady(e);
  }
}

/** Removes `target` from every epoll instance (closing a socket does this, as closing the last fd does in Linux). */
export function detachPollable(target: Pollable): void {
  let e = target.epollHead;
  while (e !== null) {
    const next = e.nextOfTarget;
    e.epoll.forget(e);
    e = next;
  }
  target.epollHead = null;
}

export class EpollInstance {
  readonly id: number;
  private readonly interest = new Map<number, EpollEntry>();
  private readyHead: EpollEntry | null = null;
  private readyTail: EpollEntry | null = null;
  /** Called (once per batch of markReady calls, from a microtask) when entries join the ready list. */
  onWake: (() => void) | null = null;
  private wakeQueued = false;
  private readonly runWake = (): void => {
    this.wakeQueued = false;
    if (this.onWake !== null) this.onWake();
  };

  constructor(id: number) {
    this.id = id;
  }

  /** Number of sockets in the interest list. */
  get size(): number {
    return this.interest.size;
  }

  /** True if the ready list is not empty (entries on it may still turn out not ready). */
  get mayHaveEvents(): boolean {
    return this.readyHead !== null;
  }

  /**
   * True if an entry on the ready list is ready now. Entries found not ready on the way are dropped from the list,
   * as collect() would drop them (they return with the next readiness change), so the walk is paid once.
   */
  hasReadyEntry(): boolean {
    let e = this.readyHead;
    while (e !== null) {
      if ((e.target.pollMask() & e.events) !== 0) return true;
      const next = e.nextReady;
      this.unlinkReady(e);
      e = next;
    }
    return false;
  }

  /** The registered entry for `target`, if any. */
  entryOf(target: Pollable): EpollEntry | undefined {
    const e = this.interest.get(target.id);
    return e !== undefined && e.target === target ? e : undefined;
  }

  /**
   * mtcp_epoll_ctl for a valid target: 0 or -errno (EEXIST on ADD of a registered socket, ENOENT on MOD/DEL of an
   * unregistered one, EINVAL for an unknown op or a missing event on ADD/MOD).
   */
  ctl(op: number, target: Pollable, event: MtcpEpollEvent | null | undefined): number {
    const existing = this.entryOf(target);
    if (event && !isEpollEvent(event)) return -EFAULT;
    if (op === MTCP_EPOLL_CTL_ADD) {
      if (!event) return -EINVAL;
      if (existing !== undefined) return -EEXIST;
      const e = new EpollEntry(target, this);
      e.events = ((event.events >>> 0) | MTCP_EPOLLERR | MTCP_EPOLLHUP) >>> 0;
      copyData(e.data, event.data);
      this.interest.set(target.id, e);
      e.nextOfTarget = target.epollHead;
      target.epollHead = e;
      if ((target.pollMask() & e.events) !== 0) this.markReady(e);
      return 0;
    }
    if (op === MTCP_EPOLL_CTL_MOD) {
      if (!event) return -EINVAL;
      if (existing === undefined) return -ENOENT;
      existing.events = ((event.events >>> 0) | MTCP_EPOLLERR | MTCP_EPOLLHUP) >>> 0;
      copyData(existing.data, event.data);
      if ((target.pollMask() & existing.events) !== 0) this.markReady(existing);
      return 0;
    }
    if (op === MTCP_EPOLL_CTL_DEL) {
      if (existing === undefined) return -ENOENT;
      this.forget(existing);
      let p = target.epollHead;
      if (p === existing) target.epollHead = existing.nextOfTarget;
      else {
        while (p !== null && p.nextOfTarget !== existing) p = p.nextOfTarget;
        if (p !== null) p.nextOfTarget = existing.nextOfTarget;
      }
      existing.nextOfTarget = null;
      return 0;
    }
    return -EINVAL;
  }

  /** Puts `e` on the ready list (if not there) and schedules a wake-up. */
  markReady(e: EpollEntry): void {
    if (e.onReadyList) return;
    e.onReadyList = true;
    e.prevReady = this.readyTail;
    e.nextReady = null;
    if (this.readyTail !== null) this.readyTail.nextReady = e;
    else this.readyHead = e;
    this.readyTail = e;
    if (!this.wakeQueued && this.onWake !== null) {
      this.wakeQueued = true;
      queueMicrotask(this.runWake);
    }
  }

  private unlinkReady(e: EpollEntry): void {
    if (!e.onReadyList) return;
    if (e.prevReady !== null) e.prevReady.nextReady = e.nextReady;
    else this.readyHead = e.nextReady;
    if (e.nextReady !== null) e.nextReady.prevReady = e.prevReady;
    else this.readyTail = e.prevReady;
    e.prevReady = null;
    e.nextReady = null;
    e.onReadyList = false;
  }

  /** Drops `e` from this instance (interest and ready lists); the target's list is the caller's business. */
  forget(e: EpollEntry): void {
    this.unlinkReady(e);
    if (this.interest.get(e.target.id) === e) this.interest.delete(e.target.id);
  }

  /**
   * Moves up to `maxevents` ready sockets into `events` (one entry per socket with its whole current mask, as Linux)
   * and returns how many. Level-triggered entries that are still ready go to the tail of the ready list, so a busy
   * socket cannot starve the others; edge-triggered and one-shot entries leave it.
   */
  collect(events: MtcpEpollEvent[], maxevents: number): number {
    let n = 0;
    // Entries re-queued during this pass are appended after `last` and must not be visited twice.
    const last = this.readyTail;
    let e = this.readyHead;
    while (e !== null && n < maxevents) {
      const next = e === last ? null : e.nextReady;
      this.unlinkReady(e);
      const ready = (e.target.pollMask() & e.events) >>> 0;
      if (ready !== 0) {
        let out = events[n];
        if (!isEpollEvent(out)) out = events[n] = new MtcpEpollEvent();
        out.events = ready;
        copyData(out.data, e.data);
        n++;
        if ((e.events & MTCP_EPOLLONESHOT) !== 0) e.events = (e.events & PRIVATE_BITS) >>> 0;
        else if ((e.events & MTCP_EPOLLET) === 0) this.markReadyQuiet(e);
      }
      e = next;
    }
    return n;
  }

  private markReadyQuiet(e: EpollEntry): void {
    const saved = this.onWake;
    this.onWake = null;
    this.markReady(e);
    this.onWake = saved;
  }

  /** Removes every entry (closing the epoll instance). */
  clear(): void {
    for (const e of this.interest.values()) {
      this.unlinkReady(e);
      const t = e.target;
      let p = t.epollHead;
      if (p === e) t.epollHead = e.nextOfTarget;
      else {
        while (p !== null && p.nextOfTarget !== e) p = p.nextOfTarget;
        if (p !== null) p.nextOfTarget = e.nextOfTarget;
      }
    }
    this.interest.clear();
    this.onWake = null;
  }
}

const EVENT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x001, 'MTCP_EPOLLIN'], [0x002, 'MTCP_EPOLLPRI'], [0x004, 'MTCP_EPOLLOUT'], [0x008, 'MTCP_EPOLLERR'],
  [0x010, 'MTCP_EPOLLHUP'], [0x040, 'MTCP_EPOLLRDNORM'], [0x080, 'MTCP_EPOLLRDBAND'], [0x100, 'MTCP_EPOLLWRNORM'],
  [0x200, 'MTCP_EPOLLWRBAND'], [0x400, 'MTCP_EPOLLMSG'], [0x2000, 'MTCP_EPOLLRDHUP'], [0x40000000, 'MTCP_EPOLLONESHOT'],
  [0x80000000, 'MTCP_EPOLLET'],
];

/**
 * EventToString (mtcp_epoll.h): the flag's name ("MTCP_EPOLLIN"); "MTCP_EPOLLNONE" for 0. A combined mask gives the
 * names joined by '|' (mTCP asserts instead), unknown bits in hex.
 */
export function EventToString(event: number): string {
  let mask = event >>> 0;
  if (mask === 0) return 'MTCP_EPOLLNONE';
  const parts: string[] = [];
  for (const [bit, name] of EVENT_NAMES) {
    if ((mask & bit) !== 0) {
      parts.push(name);
      mask = (mask & ~bit) >>> 0;
    }
  }
  if (mask !== 0) parts.push(`0x${mask.toString(16)}`);
  return parts.join('|');
}
