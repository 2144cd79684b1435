// The ARP side of one interface (RFC 826, RFC 1122 §2.3.2): answers requests and learns from ARP packets,
// resolves next hops into MAC addresses with retries, and holds the datagrams waiting for a resolution,
// sending them once the answer comes. The shared table is an ArpCache; the interface writes the IPv4
// datagrams and asks this class for the destination MAC. Nothing is allocated per frame.
import { EHOSTUNREACH, ENOBUFS } from '../errno.js';
import { copyBytes } from '../link/copy.js';
import type { Link } from '../link/link.js';
import { ARP_LEN, ARP_REPLY, ARP_REQUEST, ArpView, writeArp } from '../wire/arp.js';
import { BROADCAST_MAC, ETH_HEADER_LEN, ETHERTYPE_ARP, writeEthernetHeader } from '../wire/ethernet.js';
import {
  ARP_FAILED, ARP_INCOMPLETE, ARP_REACHABLE, LEARN_CREATED, LEARN_RESOLVED, LEARN_UPDATED, type ArpCache,
} from './arp-cache.js';
import { ArpWaitQueue } from './arp-queue.js';
import type { NetCounters } from './counters.js';

/** Datagrams that can wait for ARP resolution per interface; beyond it the oldest is dropped. */
export const ARP_QUEUE_CAPACITY = 64;
/** A REACHABLE entry still in use this close to its expiry is re-confirmed by a unicast request (RFC 1122 §2.3.2.1). */
const ARP_REFRESH_BEFORE_MS = 5000;
const ARP_FRAME_LEN = 60; // minimum Ethernet frame without FCS; ARP is padded to it as mTCP and Linux do
export const ZERO_MAC = new Uint8Array(6);

/**
 * RFC 1122 §3.2.1.3: 0.0.0.0 (this host), 127/8 loopback, class D/E and limited broadcast never source a
 * datagram (or an ARP packet) that reaches us.
 */
export function isUnusableSource(ip: number): boolean {
  const top = ip >>> 24;
  return ip === 0 || top === 127 || top >= 224;
}

/** Reserves a transmit slot on `link`, flushing the burst once when it is full; the offset or -1. */
export function reserveOrFlush(link: Link, length: number): number {
  let at = link.reserve(length);
  if (at < 0) {
    link.flush();
    at = link.reserve(length);
  }
  return at;
}

/** The address of the interface an ArpResolver serves. */
export interface ArpResolverOwner {
  readonly id: number;
  readonly link: Link;
  readonly mac: Uint8Array;
  readonly ip: number;
  readonly broadcast: number;
  readonly counters: NetCounters;
  readonly arp: ArpCache;
}

export class ArpResolver {
  /** The MAC resolve() found: the destination of the frame being sent. */
  readonly nextHopMac: Uint8Array;
  /** Datagrams (whole frames, destination MAC left blank) waiting for their next hop to resolve. */
  readonly waiting: ArpWaitQueue;
  private readonly owner: ArpResolverOwner;
  private readonly view: ArpView;
  private readonly scratchMac: Uint8Array;
  private nextAgingAt: number;

  constructor(owner: ArpResolverOwner, frameSize: number) {
    this.owner = owner;
    this.nextHopMac = new Uint8Array(6);
    this.waiting = new ArpWaitQueue(ARP_QUEUE_CAPACITY, frameSize);
    this.view = new ArpView();
    this.scratchMac = new Uint8Array(6);
    this.nextAgingAt = 0;
  }

  /** An ARP packet at buf[off, off+len) (the Ethernet payload) arrived for this interface. */
  receive(buf: Uint8Array, off: number, len: number, now: number): void {
    const owner = this.owner;
    const c = owner.counters;
    const a = this.view;
    if (!a.wrap(buf, off, len)) {
      c.arpMalformed++;
      return;
    }
    const senderIp = a.senderIp;
    const senderMacOffset = a.senderMacOffset;
    if ((buf[senderMacOffset] & 1) !== 0 || (senderIp !== 0 && isUnusableSource(senderIp)) || senderIp === owner.broadcast) {
      c.arpBadSender++;
      return;
    }
    const operation = a.operation; // ArpView.wrap admits only requests and replies
    if (senderIp === owner.ip) {
      // Another station claims our address (RFC 5227 §2.4); never learn it.
      c.arpAddressConflict++;
      return;
    }
    const forUs = a.targetIp === owner.ip;
    // RFC 826 "merge": refresh a known sender; add it only when the packet is addressed to us. A sender of
    // 0.0.0.0 (an RFC 5227 probe) is answered but not learnt.
    if (senderIp !== 0) {
      const learnt = owner.arp.learn(senderIp, buf, senderMacOffset, forUs, owner.id, now);
      if (learnt === LEARN_CREATED) c.arpLearned++;
      else if (learnt === LEARN_UPDATED) c.arpUpdated++;
      else if (learnt === LEARN_RESOLVED) {
        c.arpLearned++;
        this.sendPending(senderIp);
      }
    }
    if (!forUs) {
      c.arpNotForUs++;
      return;
    }
    if (operation === ARP_REQUEST) {
      c.arpRequestAnswered++;
      this.send(ARP_REPLY, buf, senderMacOffset, senderIp);
    } else {
      c.arpReplyAccepted++;
    }
  }

  /**
   * Puts the MAC of nextHop (a broadcast address gives the broadcast MAC) in nextHopMac; false when it is not
   * known yet (then hold() the datagram). A neighbour about to expire is re-confirmed on the way.
   */
  resolve(nextHop: number, broadcast: boolean, now: number): boolean {
    if (broadcast) {
      this.nextHopMac.set(BROADCAST_MAC);
      return true;
    }
    const arp = this.owner.arp;
    const found = arp.resolveInto(nextHop, this.nextHopMac, 0);
    if (found < 0) return false;
    if (found < arp.capacity) this.maybeRefresh(found, now);
    return true;
  }

  /**
   * Takes room in the wait queue for a frame of `frameLength` bytes to nextHop, starting its resolution if
   * none is under way. Returns the frame's offset in waiting.data (the caller writes it, destination MAC
   * blank), or -EHOSTUNREACH (resolution failed recently) or -ENOBUFS (ARP table full).
   */
  hold(nextHop: number, frameLength: number, now: number): number {
    const c = this.owner.counters;
    const arp = this.owner.arp;
    let slot = arp.find(nextHop);
    if (slot >= 0 && arp.stateOf(slot) === ARP_FAILED) {
      c.arpHostUnreachable++;
      return -EHOSTUNREACH;
    }
    if (slot < 0 || arp.stateOf(slot) !== ARP_INCOMPLETE) {
      slot = arp.beginResolution(nextHop, this.owner.id, now);
      if (slot < 0) {
        c.arpTableFull++;
        return -ENOBUFS;
      }
      this.send(ARP_REQUEST, null, 0, nextHop);
      arp.markRequestSent(slot, now);
    }
    const waiting = this.waiting;
    if (waiting.isFull) {
      // Full: the oldest datagram makes room (fresh data is more useful to TCP than stale).
      waiting.dropOldest();
      c.arpQueueOverflow++;
    }
    c.arpQueued++;
    return waiting.offsetOf(waiting.append(nextHop, frameLength, now));
  }

  /** ARP retries, giving up, aging of the shared table and of the wait queue. */
  poll(now: number): void {
    const owner = this.owner;
    const arp = owner.arp;
    const c = owner.counters;
    if (arp.incompleteCount > 0) {
      for (let slot = 0; slot < arp.capacity; slot++) {
        if (arp.stateOf(slot) !== ARP_INCOMPLETE || arp.ownerOf(slot) !== owner.id || arp.deadlineOf(slot) > now) continue;
        const ip = arp.ipOf(slot);
        if (arp.requestsOf(slot) >= arp.maxRequests) {
          arp.markFailed(slot, now);
          // No ICMP: we are the source of these datagrams (the send already returned 0).
          c.arpResolveFailed += this.waiting.removeFor(ip);
        } else {
          this.send(ARP_REQUEST, null, 0, ip);
          arp.markRequestSent(slot, now);
        }
      }
    }
    if (!this.waiting.isEmpty) {
      // Datagrams whose resolution vanished (entry evicted or replaced) do not wait forever.
      c.arpResolveFailed += this.waiting.removeOlderThan(now - (arp.maxRequests + 1) * arp.retryMs);
    }
    if (now >= this.nextAgingAt) {
      c.arpExpired += arp.expire(now);
      this.nextAgingAt = now + 1000;
    }
  }

  /** When poll() next has a retry or a give-up to do for this interface, Infinity when none. */
  nextDeadline(): number {
    const arp = this.owner.arp;
    const id = this.owner.id;
    let deadline = Infinity;
    if (arp.incompleteCount === 0) return deadline;
    for (let slot = 0; slot < arp.capacity; slot++) {
      if (arp.stateOf(slot) === ARP_INCOMPLETE && arp.ownerOf(slot) === id && arp.deadlineOf(slot) < deadline) deadline = arp.deadlineOf(slot);
    }
    return deadline;
  }

  /** Sends an ARP request (targetMac null = broadcast) or reply to targetIp. */
  private send(operation: number, targetMac: Uint8Array | null, targetMacOff: number, targetIp: number): void {
    const owner = this.owner;
    const at = reserveOrFlush(owner.link, ARP_FRAME_LEN);
    if (at < 0) {
      owner.counters.txNoBuffer++;
      return;
    }
    const tx = owner.link.tx.data;
    const dstMac = this.nextHopMac;
    if (targetMac === null) dstMac.set(BROADCAST_MAC);
    else for (let i = 0; i < 6; i++) dstMac[i] = targetMac[targetMacOff + i];
    writeEthernetHeader(tx, at, dstMac, owner.mac, ETHERTYPE_ARP);
    writeArp(tx, at + ETH_HEADER_LEN, operation, owner.mac, owner.ip, targetMac === null ? ZERO_MAC : dstMac, targetIp);
    tx.fill(0, at + ETH_HEADER_LEN + ARP_LEN, at + ARP_FRAME_LEN);
    if (operation === ARP_REQUEST) owner.counters.arpRequestsSent++;
    else owner.counters.arpRepliesSent++;
  }

  /** Re-confirms a learnt neighbour that is still in use shortly before it would expire (one unicast request). */
  private maybeRefresh(slot: number, now: number): void {
    const arp = this.owner.arp;
    if (arp.stateOf(slot) === ARP_REACHABLE && arp.requestsOf(slot) === 0 && arp.deadlineOf(slot) - now < ARP_REFRESH_BEFORE_MS) {
      // nextHopMac holds the neighbour's MAC here; copy it aside because send() reuses nextHopMac.
      const ip = arp.ipOf(slot);
      this.scratchMac.set(this.nextHopMac);
      this.send(ARP_REQUEST, this.scratchMac, 0, ip);
      this.nextHopMac.set(this.scratchMac);
      arp.markRequestSent(slot, now);
    }
  }

  /** Sends, in order, every queued datagram whose next hop just resolved. */
  private sendPending(nextHop: number): void {
    const waiting = this.waiting;
    if (waiting.isEmpty) return;
    const owner = this.owner;
    const c = owner.counters;
    if (owner.arp.resolveInto(nextHop, this.nextHopMac, 0) < 0) return;
    const capacity = waiting.capacity;
    for (let found = waiting.findFrom(0, nextHop); found >= 0; found = waiting.findFrom(Math.floor(found / capacity) + 1, nextHop)) {
      const i = found % capacity;
      const length = waiting.lengthOf(i);
      waiting.remove(i);
      const at = reserveOrFlush(owner.link, length);
      if (at < 0) {
        c.txNoBuffer++;
        continue;
      }
      const tx = owner.link.tx.data;
      copyBytes(waiting.data, waiting.offsetOf(i), tx, at, length);
      for (let b = 0; b < 6; b++) tx[at + b] = this.nextHopMac[b];
      c.ipSent++;
    }
    waiting.skipEmpty();
  }
}
