// ARP table (RFC 826) shared by the interfaces of one stack context: static entries (mTCP's arp.conf, /32 or
// whole prefixes), dynamic entries learnt from ARP traffic, pending resolutions with retries, and aging.
// Fixed capacity (mTCP's MAX_ARPENTRY = 1024), preallocated typed arrays: lookups allocate nothing.
import { prefixMaskOf } from '../config/values.js';

export const ARP_FREE = 0;
/** A request is outstanding; datagrams wait in the owning interface's queue. */
export const ARP_INCOMPLETE = 1;
export const ARP_REACHABLE = 2;
export const ARP_STATIC = 3;
/** Resolution failed; sends are refused (EHOSTUNREACH) until the hold time ends. */
export const ARP_FAILED = 4;

export const LEARN_NONE = 0;
export const LEARN_CREATED = 1;
export const LEARN_UPDATED = 2;
/** An INCOMPLETE entry got its answer: the owner should send what it queued. */
export const LEARN_RESOLVED = 3;
/** A static entry is never overwritten by ARP traffic. */
export const LEARN_STATIC_KEPT = 4;

export interface ArpCacheOptions {
  /** Entries (static + dynamic). Default 1024. */
  capacity?: number;
  /** Lifetime of a learnt entry without new ARP traffic, ms. Default 60000. */
  reachableMs?: number;
  /** Interval between requests for one address, ms. Default 1000 (mTCP's pending-request timeout). */
  retryMs?: number;
  /** Requests sent before giving up. Default 3 (Linux's mcast_solicit). */
  maxRequests?: number;
  /** How long a failed address refuses sends, ms. Default 1000. */
  failedHoldMs?: number;
}

export class ArpCache {
  readonly capacity: number;
  readonly reachableMs: number;
  readonly retryMs: number;
  readonly maxRequests: number;
  readonly failedHoldMs: number;
  /** Entries in state ARP_INCOMPLETE (lets interfaces skip their retry scan when 0). */
  incompleteCount = 0;

  private readonly ips: Uint32Array;
  private readonly states: Uint8Array;
  private readonly macs: Uint8Array;
  /** REACHABLE: expiry; INCOMPLETE: time of the next request; FAILED: end of the hold. */
  private readonly deadlines: Float64Array;
  private readonly requests: Uint8Array;
  private readonly owners: Int32Array;
  /**
   * Exact entries by address, keyed by the address's int32 form (ip | 0): a key >= 2^31 would be a heap
   * number, allocated on every lookup.
   */
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: Int32Array;
  private freeCount: number;

  // Static prefix entries (prefix < 32), longest prefix first.
  private readonly prefixIps: Uint32Array;
  private readonly prefixMasks: Uint32Array;
  private readonly prefixLengths: Uint8Array;
  private readonly prefixMacs: Uint8Array;
  private prefixCount = 0;

  constructor(options: ArpCacheOptions = {}) {
    this.capacity = options.capacity ?? 1024;
    this.reachableMs = options.reachableMs ?? 60000;
    this.retryMs = options.retryMs ?? 1000;
    this.maxRequests = options.maxRequests ?? 3;
    this.failedHoldMs = options.failedHoldMs ?? 1000;
    const n = this.capacity;
    this.ips = new Uint32Array(n);
    this.states = new Uint8Array(n);
    this.macs = new Uint8Array(n * 6);
    this.deadlines = new Float64Array(n);
    this.requests = new Uint8Array(n);
    this.owners = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
    for (let i = 0; i < n; i++) this.freeSlots[i] = n - 1 - i;
    this.freeCount = n;
    this.prefixIps = new Uint32Array(n);
    this.prefixMasks = new Uint32Array(n);
    this.prefixLengths = new Uint8Array(n);
    this.prefixMacs = new Uint8Array(n * 6);
  }

  /** Adds a static entry (arp.conf). A /32 is an exact entry; a shorter prefix maps a whole subnet to one MAC. */
  addStatic(ip: number, prefixLength: number, mac: Uint8Array): void {
    if (this.prefixCount + (this.capacity - this.freeCount) >= this.capacity) throw new Error(`ARP table full (${this.capacity} entries)`);
    if (prefixLength === 32) {
      let slot = this.slotOf.get(ip | 0);
      if (slot === undefined) slot = this.allocate(ip >>> 0);
      else if (this.states[slot] === ARP_INCOMPLETE) this.incompleteCount--;
      this.states[slot] = ARP_STATIC;
      this.macs.set(mac.subarray(0, 6), slot * 6);
      this.deadlines[slot] = Infinity;
      return;
    }
    const mask = prefixMaskOf(prefixLength);
    let at = this.prefixCount;
    while (at > 0 && this.prefixLengths[at - 1] < prefixLength) {
      this.prefixIps[at] = this.prefixIps[at - 1];
      this.prefixMasks[at] = this.prefixMasks[at - 1];
      this.prefixLengths[at] = this.prefixLengths[at - 1];
      this.prefixMacs.copyWithin(at * 6, (at - 1) * 6, at * 6);
      at--;
    }
    this.prefixIps[at] = (ip & mask) >>> 0;
    this.prefixMasks[at] = mask;
    this.prefixLengths[at] = prefixLength;
    this.prefixMacs.set(mac.subarray(0, 6), at * 6);
    this.prefixCount++;
  }

  /** Slot of the exact entry for ip, or -1. */
  find(ip: number): number {
    const slot = this.slotOf.get(ip | 0);
    return slot === undefined ? -1 : slot;
  }

  stateOf(slot: number): number {
    return this.states[slot];
  }

  ipOf(slot: number): number {
    return this.ips[slot];
  }

  ownerOf(slot: number): number {
    return this.owners[slot];
  }

  deadlineOf(slot: number): number {
    return this.deadlines[slot];
  }

  requestsOf(slot: number): number {
    return this.requests[slot];
  }

  /**
   * Copies the MAC for ip into out[outOff, outOff+6) when it is known (static, reachable, or a static prefix).
   * Returns the exact slot (>= 0), `capacity` for a static prefix match, or -1 when unknown.
   */
  resolveInto(ip: number, out: Uint8Array, outOff: number): number {
    const slot = this.slotOf.get(ip | 0);
    if (slot !== undefined) {
      const state = this.states[slot];
      if (state === ARP_REACHABLE || state === ARP_STATIC) {
        const m = slot * 6;
        for (let i = 0; i < 6; i++) out[outOff + i] = this.macs[m + i];
        return slot;
      }
    }
    for (let p = 0; p < this.prefixCount; p++) {
      if (((ip & this.prefixMasks[p]) >>> 0) === this.prefixIps[p]) {
        const m = p * 6;
        for (let i = 0; i < 6; i++) out[outOff + i] = this.prefixMacs[m + i];
        return this.capacity;
      }
    }
    return -1;
  }

  /** Starts resolving ip for interface `owner`: a new INCOMPLETE entry due for its first request now. -1 if full. */
  beginResolution(ip: number, owner: number, now: number): number {
    let slot = this.slotOf.get(ip | 0);
    if (slot === undefined) {
      if (this.freeCount === 0 && !this.evictOldest()) return -1;
      slot = this.allocate(ip >>> 0);
    } else if (this.states[slot] === ARP_INCOMPLETE) {
      return slot;
    }
    this.states[slot] = ARP_INCOMPLETE;
    this.incompleteCount++;
    this.owners[slot] = owner;
    this.requests[slot] = 0;
    this.deadlines[slot] = now;
    return slot;
  }

  /** Records that a request went out for slot: the next one is due retryMs later. */
  markRequestSent(slot: number, now: number): void {
    if (this.requests[slot] < 255) this.requests[slot]++;
    if (this.states[slot] === ARP_INCOMPLETE) this.deadlines[slot] = now + this.retryMs;
  }

  /** Gives up on an INCOMPLETE entry: FAILED for failedHoldMs. */
  markFailed(slot: number, now: number): void {
    if (this.states[slot] === ARP_INCOMPLETE) this.incompleteCount--;
    this.states[slot] = ARP_FAILED;
    this.deadlines[slot] = now + this.failedHoldMs;
  }

  /**
   * Applies RFC 826's merge step for a sender (ip, mac at mac[macOff..]): an existing dynamic entry takes the
   * MAC and becomes REACHABLE; a new entry is created only when `create` (the packet was addressed to us).
   */
  learn(ip: number, mac: Uint8Array, macOff: number, create: boolean, owner: number, now: number): number {
    let slot = this.slotOf.get(ip | 0);
    let result: number;
    if (slot === undefined) {
      if (!create) return LEARN_NONE;
      if (this.freeCount === 0 && !this.evictOldest()) return LEARN_NONE;
      slot = this.allocate(ip);
      this.owners[slot] = owner;
      result = LEARN_CREATED;
    } else {
      const state = this.states[slot];
      if (state === ARP_STATIC) return LEARN_STATIC_KEPT;
      if (state === ARP_INCOMPLETE) {
        this.incompleteCount--;
        result = LEARN_RESOLVED;
      } else {
        result = LEARN_UPDATED;
      }
    }
    this.states[slot] = ARP_REACHABLE;
    this.requests[slot] = 0;
    this.deadlines[slot] = now + this.reachableMs;
    const m = slot * 6;
    for (let i = 0; i < 6; i++) this.macs[m + i] = mac[macOff + i];
    return result;
  }

  /** Removes REACHABLE entries past their lifetime and FAILED entries past their hold; returns how many. */
  expire(now: number): number {
    let expired = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      const state = this.states[slot];
      if ((state === ARP_REACHABLE || state === ARP_FAILED) && this.deadlines[slot] <= now) {
        this.release(slot);
        if (state === ARP_REACHABLE) expired++;
      }
    }
    return expired;
  }

  /** Current entries, for printing ("ARP Table:" at startup, as mTCP does) and tests. */
  describe(): { ip: number; prefixLength: number; mac: string; state: number }[] {
    const hex = (bytes: Uint8Array, off: number) => Array.from(bytes.subarray(off, off + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
    const out = [];
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.states[slot] !== ARP_FREE) out.push({ ip: this.ips[slot], prefixLength: 32, mac: hex(this.macs, slot * 6), state: this.states[slot] });
    }
    for (let p = 0; p < this.prefixCount; p++) {
      out.push({ ip: this.prefixIps[p], prefixLength: this.prefixLengths[p], mac: hex(this.prefixMacs, p * 6), state: ARP_STATIC });
    }
    return out;
  }

  private allocate(ip: number): number {
    const slot = this.freeSlots[--this.freeCount];
    this.ips[slot] = ip;
    this.slotOf.set(ip | 0, slot);
    return slot;
  }

  private release(slot: number): void {
    if (this.states[slot] === ARP_INCOMPLETE) this.incompleteCount--;
    this.states[slot] = ARP_FREE;
    this.slotOf.delete(this.ips[slot] | 0);
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Frees the REACHABLE entry closest to expiry (or a FAILED one) to make room; false if none can go. */
  private evictOldest(): boolean {
    let victim = -1;
    for (let slot = 0; slot < this.capacity; slot++) {
      const state = this.states[slot];
      if ((state === ARP_REACHABLE || state === ARP_FAILED) && (victim < 0 || this.deadlines[slot] < this.deadlines[victim])) victim = slot;
    }
    if (victim < 0) return false;
    this.release(victim);
    return true;
  }
}
