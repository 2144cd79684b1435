// One network interface (an mTCP "port") of one stack context: Ethernet in and out, IPv4 input checks
// (RFC 791, RFC 1122 §3.2.1), ICMP echo and errors (RFC 792, RFC 1122 §3.2.2), and the send path for
// transport segments with routing. ARP and next-hop resolution are its ArpResolver's (arp-resolver.ts).
// Every frame received is counted under exactly one outcome (see counters.ts). Nothing is allocated per
// frame: views and scratch buffers are preallocated.
import { prefixMaskOf } from '../config/values.js';
import { EHOSTUNREACH, EMSGSIZE, ENETUNREACH, ENOBUFS } from '../errno.js';
import { copyBytes } from '../link/copy.js';
import type { Link } from '../link/link.js';
import { finishChecksum, onesComplementSum, pseudoHeaderSum } from '../wire/checksum.js';
import { ETH_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetView, macEquals, writeEthernetHeader } from '../wire/ethernet.js';
import {
  ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, ICMP_UNREACH_PORT, ICMP_UNREACH_PROTOCOL,
  IcmpView, writeIcmpEcho, writeIcmpError,
} from '../wire/icmp.js';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP, IPV4_HEADER_MIN, Ipv4View, writeIpv4Header } from '../wire/ipv4.js';
import type { ArpCache } from './arp-cache.js';
import { ARP_QUEUE_CAPACITY, ArpResolver, ZERO_MAC, isUnusableSource, reserveOrFlush } from './arp-resolver.js';
import type { NetCounters } from './counters.js';
import type { RoutedInterface, RouteTable } from './route-table.js';

// The errno values sendIpv4 returns (negated), re-exported for callers that import them from here.
export { EHOSTUNREACH, EMSGSIZE, ENETUNREACH, ENOBUFS };
export { ARP_QUEUE_CAPACITY };

/** Receives the transport payload of a datagram addressed to us: buf[off, off+len). */
export interface TransportHandler {
  input(src: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void;
}

/** Receives ICMP echo replies (for ping); the echoed data is buf[off, off+len). */
export interface EchoReplyHandler {
  echoReply(src: number, identifier: number, sequence: number, buf: Uint8Array, off: number, len: number, now: number): void;
}

/**
 * Receives ICMP destination-unreachable and time-exceeded messages addressed to us, so that a transport can
 * act on hard errors (RFC 1122 §4.2.3.9). buf[off, off+len) is the quoted original datagram: its IP header
 * and at least the first 8 bytes of its payload (RFC 792).
 */
export interface IcmpErrorHandler {
  icmpError(src: number, type: number, code: number, buf: Uint8Array, off: number, len: number, now: number): void;
}

export interface NetInterfaceOptions {
  name: string;
  link: Link;
  mac: Uint8Array;
  ip: number;
  prefixLength: number;
  /** Default gateway through this interface (adds a /0 route), 0 or absent for none. */
  gateway?: number;
  mtu: number;
}

/**
 * A link that takes per-frame offload requests, as TapLink does with vnet_hdr: markTxOffload(gsoSize) on the
 * frame reserved last means its TCP/UDP checksum holds only the pseudo-header sum (completed by the link), and
 * with gsoSize > 0 that it is a super-frame the link cuts into pieces of gsoSize payload bytes (TSO/GSO).
 */
interface TxOffloadLink extends Link {
  readonly vnetHdr: boolean;
  readonly gso: boolean;
  markTxOffload(gsoSize: number): void;
}

function txOffloadOf(link: Link): TxOffloadLink | null {
  const l = link as Partial<TxOffloadLink>;
  return l.vnetHdr === true && typeof l.markTxOffload === 'function' ? (link as TxOffloadLink) : null;
}

/** Offset of the checksum field in a TCP header (RFC 9293 §3.1). */
const TCP_CHECKSUM_AT = 16;

/** ICMP error token bucket (RFC 1812 §4.3.2.8): burst and sustained rate per interface. */
export const ICMP_ERROR_BURST = 10;
export const ICMP_ERRORS_PER_SECOND = 100;
const DEFAULT_TTL = 64; // RFC 1700 / Linux default

let nextInterfaceId = 1;

export class NetInterface implements RoutedInterface {
  readonly id: number;
  readonly name: string;
  readonly link: Link;
  readonly mac: Uint8Array;
  readonly ip: number;
  readonly prefixLength: number;
  readonly netmask: number;
  /** Directed broadcast address of the interface's subnet. */
  readonly broadcast: number;
  readonly gateway: number;
  readonly mtu: number;
  readonly counters: NetCounters;
  readonly arp: ArpCache;
  readonly routes: RouteTable;

  private readonly handlers: (TransportHandler | null)[];
  private echoHandler: EchoReplyHandler | null;
  private icmpErrorHandler: IcmpErrorHandler | null;
  private readonly eth: EthernetView;
  private readonly ipv4: Ipv4View;
  private readonly icmp: IcmpView;
  /** Builds ICMP messages before they go through sendIpv4. */
  private readonly scratch: Uint8Array;
  /** ip and broadcast as int32, for the send path (see sendIpv4). */
  private readonly ipBits: number;
  private readonly broadcastBits: number;
  private ipIdentification: number;
  private icmpTokens: number;
  private icmpRefilledAt: number;
  private readonly resolver: ArpResolver;
  /** The link when it takes offload requests, else null. */
  private readonly offloadLink: TxOffloadLink | null;
  /** TCP segments may leave with a partial checksum that the link completes (sendTcpOffload). */
  readonly txChecksumOffload: boolean;
  /** TCP super-segments up to 64 KiB may leave as one frame that the link cuts at the MSS (TSO). */
  readonly txGso: boolean;

  constructor(options: NetInterfaceOptions, arp: ArpCache, routes: RouteTable, counters: NetCounters) {
    if (options.mac.length !== 6 || (options.mac[0] & 1) !== 0) throw new Error(`interface ${options.name}: MAC must be 6 bytes, unicast`);
    if (!(options.prefixLength >= 1 && options.prefixLength <= 31)) throw new Error(`interface ${options.name}: prefix length must be 1..31`);
    if (options.mtu < 68 || options.mtu + ETH_HEADER_LEN > options.link.maxFrameSize) {
      throw new Error(`interface ${options.name}: MTU ${options.mtu} needs frames of ${options.mtu + ETH_HEADER_LEN} bytes, link ${options.link.name} carries ${options.link.maxFrameSize}`);
    }
    this.id = nextInterfaceId++;
    this.name = options.name;
    this.link = options.link;
    this.mac = Uint8Array.from(options.mac);
    this.ip = options.ip >>> 0;
    this.prefixLength = options.prefixLength;
    this.netmask = prefixMaskOf(options.prefixLength);
    this.broadcast = (this.ip | ~this.netmask) >>> 0;
    this.ipBits = this.ip | 0;
    this.broadcastBits = this.broadcast | 0;
    this.gateway = (options.gateway ?? 0) >>> 0;
    this.mtu = options.mtu;
    this.counters = counters;
    this.arp = arp;
    this.routes = routes;
    this.handlers = new Array<TransportHandler | null>(256).fill(null);
    this.echoHandler = null;
    this.icmpErrorHandler = null;
    this.eth = new EthernetView();
    this.ipv4 = new Ipv4View();
    this.icmp = new IcmpView();
    this.scratch = new Uint8Array(this.mtu);
    this.ipIdentification = 0;
    this.icmpTokens = ICMP_ERROR_BURST;
    this.icmpRefilledAt = 0;
    this.resolver = new ArpResolver(this, ETH_HEADER_LEN + this.mtu);
    this.offloadLink = txOffloadOf(this.link);
    this.txChecksumOffload = this.offloadLink !== null;
    this.txGso = this.offloadLink !== null && this.offloadLink.gso;
    routes.addInterface(this, this.prefixLength);
    if (this.gateway !== 0) routes.addRoute(0, 0, this.name, this.gateway);
  }

  setTransportHandler(protocol: number, handler: TransportHandler | null): void {
    if (protocol === IP_PROTO_ICMP) throw new Error('ICMP is handled by the interface itself');
    this.handlers[protocol & 255] = handler;
  }

  setEchoReplyHandler(handler: EchoReplyHandler | null): void {
    this.echoHandler = handler;
  }

  setIcmpErrorHandler(handler: IcmpErrorHandler | null): void {
    this.icmpErrorHandler = handler;
  }

  /** Datagrams currently waiting for ARP resolution. */
  get arpQueueLength(): number {
    return this.resolver.waiting.length;
  }

  // ---------------------------------------------------------------------------------------------- receive

  /** Processes every frame of link.rx (after the caller's link.receive()); returns how many. */
  processReceived(now: number): number {
    const rx = this.link.rx;
    const count = rx.count;
    for (let i = 0; i < count; i++) this.receiveFrame(rx.data, rx.offsets[i], rx.lengths[i], now);
    return count;
  }

  /** Processes one Ethernet frame buf[off, off+len). Public for tests and for links that hand frames singly. */
  receiveFrame(buf: Uint8Array, off: number, len: number, now: number): void {
    const c = this.counters;
    c.rxFrames++;
    const eth = this.eth;
    if (!eth.wrap(buf, off, len)) {
      c.ethTooShort++;
      return;
    }
    const linkBroadcast = eth.isBroadcast;
    // mTCP leaves the destination unchecked (promiscuous NICs); a host on a shared segment must not take
    // frames meant for others. Multicast groups are not joined, so multicast is not for us either.
    if (!linkBroadcast && !macEquals(buf, eth.dstOffset, this.mac, 0)) {
      c.ethNotForUs++;
      return;
    }
    const type = eth.ethertype;
    if (type === ETHERTYPE_IPV4) this.receiveIpv4(buf, eth.payloadOffset, eth.payloadLength, linkBroadcast, now);
    else if (type === ETHERTYPE_ARP) this.resolver.receive(buf, eth.payloadOffset, eth.payloadLength, now);
    else c.ethUnknownType++;
  }

  private receiveIpv4(buf: Uint8Array, off: number, len: number, linkBroadcast: boolean, now: number): void {
    const c = this.counters;
    const ip = this.ipv4;
    if (ip.wrap(buf, off, len) !== 0) {
      this.countIpv4Error(buf, off, len);
      return;
    }
    const src = ip.src;
    const dst = ip.dst;
    if (isUnusableSource(src) || src === this.broadcast) {
      c.ipBadSource++;
      return;
    }
    const dstBroadcast = dst === 0xffffffff || dst === this.broadcast;
    // Strong host model: only this interface's address and broadcasts. RFC 1122 §3.3.6: a unicast datagram
    // that arrived as a link-layer broadcast SHOULD be discarded.
    if (!dstBroadcast && (dst !== this.ip || linkBroadcast)) {
      c.ipNotForUs++;
      return;
    }
    if (ip.ttl === 0) {
      // RFC 791: TTL 0 means the datagram must be destroyed (a host accepts TTL 1, RFC 1122 §3.2.1.7).
      c.ipTtlZero++;
      return;
    }
    if (ip.isFragment) {
      // No reassembly (as mTCP): fragments are counted and dropped; we never fragment and always send DF.
      c.ipFragment++;
      return;
    }
    const payloadOff = ip.payloadOffset;
    const payloadLen = ip.payloadLength;
    const protocol = ip.protocol;
    const broadcastAny = dstBroadcast || linkBroadcast;
    if (protocol === IP_PROTO_TCP) {
      if (broadcastAny) {
        c.tcpToBroadcast++; // RFC 1122 §4.2.3.10: TCP is unicast only
        return;
      }
      const handler = this.handlers[IP_PROTO_TCP];
      if (handler === null) {
        c.tcpNoHandler++;
        this.sendIcmpError(ICMP_UNREACH_PROTOCOL, buf, off, src, broadcastAny, now);
        return;
      }
      c.tcpDelivered++;
      handler.input(src, dst, buf, payloadOff, payloadLen, now);
    } else if (protocol === IP_PROTO_ICMP) {
      this.receiveIcmp(buf, payloadOff, payloadLen, src, dstBroadcast, now);
    } else if (protocol === IP_PROTO_UDP) {
      this.receiveUdp(buf, off, payloadOff, payloadLen, src, dst, broadcastAny, now);
    } else {
      const handler = this.handlers[protocol];
      if (handler !== null) {
        c.ipDelivered++;
        handler.input(src, dst, buf, payloadOff, payloadLen, now);
        return;
      }
      c.ipUnknownProtocol++;
      this.sendIcmpError(ICMP_UNREACH_PROTOCOL, buf, off, src, broadcastAny, now);
    }
  }

  /** Counts a datagram Ipv4View rejected, classified by the first failed check (RFC 1122 §3.2.1.1-2). */
  private countIpv4Error(buf: Uint8Array, off: number, len: number): void {
    const c = this.counters;
    const headerLength = len >= 1 ? (buf[off] & 15) * 4 : 0;
    const totalLength = len >= 4 ? (buf[off + 2] << 8) | buf[off + 3] : 0;
    if (len < 1 || buf[off] >>> 4 !== 4) c.ipBadVersion++;
    else if (headerLength < IPV4_HEADER_MIN || headerLength > len) c.ipBadHeaderLength++;
    else if (totalLength < headerLength || totalLength > len) c.ipBadTotalLength++;
    else c.ipBadChecksum++;
  }

  private receiveIcmp(buf: Uint8Array, off: number, len: number, src: number, dstBroadcast: boolean, now: number): void {
    const c = this.counters;
    const icmp = this.icmp;
    if (!icmp.wrap(buf, off, len)) {
      c.icmpMalformed++;
      return;
    }
    const type = icmp.type;
    if (type === ICMP_ECHO_REQUEST) {
      if (dstBroadcast) {
        c.icmpEchoToBroadcast++; // RFC 1122 §3.2.2.6: MAY be silently discarded (smurf amplification)
        return;
      }
      c.icmpEchoAnswered++;
      const n = writeIcmpEcho(this.scratch, 0, ICMP_ECHO_REPLY, icmp.identifier, icmp.sequence, buf, icmp.payloadOffset,
        Math.min(icmp.payloadLength, this.mtu - IPV4_HEADER_MIN - 8));
      if (this.sendIpv4(this.ipBits, src, IP_PROTO_ICMP, this.scratch, 0, n, now) === 0) c.icmpEchoRepliesSent++;
    } else if (type === ICMP_ECHO_REPLY) {
      c.icmpEchoReplyReceived++;
      const handler = this.echoHandler;
      if (handler !== null) handler.echoReply(src, icmp.identifier, icmp.sequence, buf, icmp.payloadOffset, icmp.payloadLength, now);
    } else if (type === ICMP_DEST_UNREACH || type === ICMP_TIME_EXCEEDED) {
      c.icmpErrorReceived++;
      // mTCP only logs these. The handler (if any) decides; the quote must hold an IP header + 8 bytes.
      const handler = this.icmpErrorHandler;
      const quoteOff = icmp.payloadOffset;
      const quoteLen = icmp.payloadLength;
      if (handler !== null && quoteLen >= IPV4_HEADER_MIN + 8 && buf[quoteOff] >>> 4 === 4 && (buf[quoteOff] & 15) * 4 + 8 <= quoteLen) {
        handler.icmpError(src, type, icmp.code, buf, quoteOff, quoteLen, now);
      }
    } else {
      c.icmpOtherType++;
    }
  }

  private receiveUdp(
    buf: Uint8Array, ipOff: number, off: number, len: number, src: number, dst: number, broadcastAny: boolean, now: number,
  ): void {
    const c = this.counters;
    const udpLength = len >= 8 ? (buf[off + 4] << 8) | buf[off + 5] : 0;
    if (udpLength < 8 || udpLength > len) {
      c.udpMalformed++;
      return;
    }
    const checksum = (buf[off + 6] << 8) | buf[off + 7];
    // RFC 768: checksum 0 means none was computed; otherwise it covers the pseudo-header and the datagram.
    if (checksum !== 0 && finishChecksum(onesComplementSum(buf, off, udpLength, pseudoHeaderSum(src, dst, IP_PROTO_UDP, udpLength))) !== 0) {
      c.udpBadChecksum++;
      return;
    }
    const handler = this.handlers[IP_PROTO_UDP];
    if (handler !== null) {
      c.ipDelivered++;
      handler.input(src, dst, buf, off, udpLength, now);
      return;
    }
    c.udpNoPort++;
    this.sendIcmpError(ICMP_UNREACH_PORT, buf, ipOff, src, broadcastAny, now); // RFC 1122 §4.1.3.1
  }

  /** Destination unreachable about the datagram at buf[ipOff...] (its header is in this.ipv4). */
  private sendIcmpError(code: number, buf: Uint8Array, ipOff: number, to: number, broadcastAny: boolean, now: number): void {
    const c = this.counters;
    // RFC 1122 §3.2.2: never about a broadcast/multicast datagram (link or IP) or a non-initial fragment;
    // sources that are not a single host were already dropped.
    if (broadcastAny) {
      c.icmpErrorsSuppressed++;
      return;
    }
    // RFC 1812 §4.3.2.8: rate-limit errors with a token bucket.
    const elapsed = now - this.icmpRefilledAt;
    if (elapsed > 0) {
      this.icmpTokens = Math.min(ICMP_ERROR_BURST, this.icmpTokens + (elapsed * ICMP_ERRORS_PER_SECOND) / 1000);
      this.icmpRefilledAt = now;
    }
    if (this.icmpTokens < 1) {
      c.icmpErrorsRateLimited++;
      return;
    }
    this.icmpTokens -= 1;
    const n = writeIcmpError(this.scratch, 0, ICMP_DEST_UNREACH, code, buf, ipOff, this.ipv4.totalLength);
    if (this.sendIpv4(this.ipBits, to, IP_PROTO_ICMP, this.scratch, 0, n, now) === 0) c.icmpErrorsSent++;
  }

  // ------------------------------------------------------------------------------------------------- send

  /**
   * Sends one IPv4 datagram whose payload is buf[off, off+len): route, next hop, ARP (queueing while
   * resolving), headers and payload written into a link tx slot. src 0 = the outgoing interface's address.
   * Returns 0 (sent or queued) or -ENETUNREACH, -EHOSTUNREACH, -EMSGSIZE, -ENOBUFS.
   */
  sendIpv4(src: number, dst: number, protocol: number, buf: Uint8Array, off: number, len: number, now: number): number {
    // Addresses travel on as int32 (x | 0): a uint32 >= 2^31 passed to a call V8 does not inline is boxed.
    src |= 0;
    dst |= 0;
    if (dst === -1) return this.sendRouted(src, dst, protocol, buf, off, len, dst, now);
    const routes = this.routes;
    const route = routes.lookup(dst);
    if (route < 0) {
      this.counters.txNoRoute++;
      return -ENETUNREACH;
    }
    return routes.routeInterface(route).sendRouted(src, dst, protocol, buf, off, len, routes.nextHop(route, dst) | 0, now);
  }

  /** Sends on this interface to the given next hop (RoutedInterface). */
  sendRouted(src: number, dst: number, protocol: number, buf: Uint8Array, off: number, len: number, nextHop: number, now: number): number {
    const c = this.counters;
    if (len + IPV4_HEADER_MIN > this.mtu) {
      c.txTooBig++;
      return -EMSGSIZE;
    }
    src |= 0;
    dst |= 0;
    nextHop |= 0;
    if (src === 0) src = this.ipBits;
    const frameLength = ETH_HEADER_LEN + IPV4_HEADER_MIN + len;
    const resolver = this.resolver;
    if (!resolver.resolve(nextHop, nextHop === -1 || nextHop === this.broadcastBits, now)) {
      return this.queueForResolution(src, dst, protocol, buf, off, len, nextHop, now);
    }
    const at = reserveOrFlush(this.link, frameLength);
    if (at < 0) {
      c.txNoBuffer++;
      return -ENOBUFS;
    }
    const tx = this.link.tx.data;
    writeEthernetHeader(tx, at, resolver.nextHopMac, this.mac, ETHERTYPE_IPV4);
    writeIpv4Header(tx, at + ETH_HEADER_LEN, src, dst, protocol, len, DEFAULT_TTL, this.nextIdentification(), true);
    copyBytes(buf, off, tx, at + ETH_HEADER_LEN + IPV4_HEADER_MIN, len);
    c.ipSent++;
    return 0;
  }

  /**
   * Sends the TCP segment buf[off, off+len) whose checksum field holds only the folded pseudo-header sum, as one
   * datagram. On a link that takes offloads the frame is marked so (the link completes the checksum) and, with
   * gsoSize > 0, may exceed the MTU: the link cuts it into pieces of gsoSize payload bytes (TSO). Elsewhere, or
   * while the next hop is unresolved (the wait queue holds MTU-sized frames without marks), the checksum is
   * completed here, in buf, and the segment takes the ordinary path; a segment larger than the MTU then fails
   * with -EMSGSIZE (no GSO on the link) or -ENOBUFS (next hop not resolved yet). Otherwise 0 or -errno as sendIpv4.
   */
  sendTcpOffload(src: number, dst: number, buf: Uint8Array, off: number, len: number, gsoSize: number, now: number): number {
    src |= 0;
    dst |= 0;
    const routes = this.routes;
    const route = routes.lookup(dst);
    if (route < 0) {
      this.counters.txNoRoute++;
      return -ENETUNREACH;
    }
    const out = routes.routeInterface(route);
    if (!(out instanceof NetInterface)) return out.sendRouted(src, dst, IP_PROTO_TCP, buf, off, this.completeTcpChecksum(buf, off, len), routes.nextHop(route, dst) | 0, now);
    return out.sendRoutedTcpOffload(src, dst, buf, off, len, gsoSize, routes.nextHop(route, dst) | 0, now);
  }

  private sendRoutedTcpOffload(src: number, dst: number, buf: Uint8Array, off: number, len: number, gsoSize: number, nextHop: number, now: number): number {
    const c = this.counters;
    const link = this.offloadLink;
    const fitsMtu = len + IPV4_HEADER_MIN <= this.mtu;
    if (link === null || (gsoSize > 0 && !link.gso) || len + IPV4_HEADER_MIN > 0xffff) {
      if (!fitsMtu) {
        c.txTooBig++;
        return -EMSGSIZE;
      }
      return this.sendRouted(src, dst, IP_PROTO_TCP, buf, off, this.completeTcpChecksum(buf, off, len), nextHop, now);
    }
    if (src === 0) src = this.ipBits;
    const resolver = this.resolver;
    if (!resolver.resolve(nextHop, false, now)) {
      // The TCP retransmission (one MSS, after the RTO) takes the ordinary path and starts the resolution.
      if (!fitsMtu) {
        c.txNoBuffer++;
        return -ENOBUFS;
      }
      return this.sendRouted(src, dst, IP_PROTO_TCP, buf, off, this.completeTcpChecksum(buf, off, len), nextHop, now);
    }
    const at = reserveOrFlush(link, ETH_HEADER_LEN + IPV4_HEADER_MIN + len);
    if (at < 0) {
      c.txNoBuffer++;
      return -ENOBUFS;
    }
    const tx = link.tx.data;
    writeEthernetHeader(tx, at, resolver.nextHopMac, this.mac, ETHERTYPE_IPV4);
    writeIpv4Header(tx, at + ETH_HEADER_LEN, src, dst, IP_PROTO_TCP, len, DEFAULT_TTL, this.nextIdentification(), true);
    // A native copy when buf and the link's batch share the host's slab (link/slab.ts), else the word loop.
    copyBytes(buf, off, tx, at + ETH_HEADER_LEN + IPV4_HEADER_MIN, len);
    link.markTxOffload(gsoSize > 0 && len + IPV4_HEADER_MIN > this.mtu ? gsoSize : 0);
    c.ipSent++;
    return 0;
  }

  /** Replaces the pseudo-header sum in the TCP checksum field of buf[off, off+len) by the full checksum; returns len. */
  private completeTcpChecksum(buf: Uint8Array, off: number, len: number): number {
    // The field holds the pseudo-header sum, so summing the segment as it is covers the pseudo-header too.
    const sum = finishChecksum(onesComplementSum(buf, off, len, 0));
    buf[off + TCP_CHECKSUM_AT] = sum >>> 8;
    buf[off + TCP_CHECKSUM_AT + 1] = sum & 0xff;
    return len;
  }

  /** Sends an ICMP echo request with payloadLength bytes of a pattern; 0 or -errno as sendIpv4. */
  sendPing(dst: number, identifier: number, sequence: number, payloadLength: number, now: number): number {
    if (payloadLength < 0 || payloadLength > this.mtu - IPV4_HEADER_MIN - 8) return -EMSGSIZE;
    const s = this.scratch;
    for (let i = 0; i < payloadLength; i++) s[8 + i] = (sequence + i) & 0xff;
    const n = writeIcmpEcho(s, 0, ICMP_ECHO_REQUEST, identifier, sequence, null, 8, payloadLength);
    const result = this.sendIpv4(0, dst, IP_PROTO_ICMP, s, 0, n, now);
    if (result === 0) this.counters.icmpEchoRequestsSent++;
    return result;
  }

  /** ARP retries, giving up, aging of the shared table and of the wait queue. Call once per loop pass. */
  poll(now: number): void {
    this.resolver.poll(now);
  }

  flush(): number {
    return this.link.flush();
  }

  /**
   * When poll() next has work for this interface's ARP resolutions (a retry or a give-up), Infinity when none.
   * Aging needs no precise timer: it runs on any later poll().
   */
  nextDeadline(): number {
    return this.resolver.nextDeadline();
  }

  // -------------------------------------------------------------------------------------------- internals

  private nextIdentification(): number {
    const id = this.ipIdentification;
    this.ipIdentification = (id + 1) & 0xffff;
    return id;
  }

  /** Holds the datagram until nextHop resolves (ArpResolver.hold); 0 or -errno as sendIpv4. */
  private queueForResolution(
    src: number, dst: number, protocol: number, buf: Uint8Array, off: number, len: number, nextHop: number, now: number,
  ): number {
    const waiting = this.resolver.waiting;
    const at = this.resolver.hold(nextHop, ETH_HEADER_LEN + IPV4_HEADER_MIN + len, now);
    if (at < 0) return at;
    const data = waiting.data;
    writeEthernetHeader(data, at, ZERO_MAC, this.mac, ETHERTYPE_IPV4);
    writeIpv4Header(data, at + ETH_HEADER_LEN, src, dst, protocol, len, DEFAULT_TTL, this.nextIdentification(), true);
    copyBytes(buf, off, data, at + ETH_HEADER_LEN + IPV4_HEADER_MIN, len);
    return 0;
  }
}
