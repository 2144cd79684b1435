import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link } from '../link/link.js';
import { MemorySwitch } from '../link/memory.js';
import { ARP_REPLY, ARP_REQUEST, ArpView, writeArp } from '../wire/arp.js';
import { finishChecksum, onesComplementSum, pseudoHeaderSum, tcpChecksum } from '../wire/checksum.js';
import { BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetView, writeEthernetHeader } from '../wire/ethernet.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_UNREACH_PORT, ICMP_UNREACH_PROTOCOL, IcmpView, writeIcmpEcho } from '../wire/icmp.js';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP, Ipv4View, writeIpv4Header } from '../wire/ipv4.js';
import { ArpCache, ARP_FAILED } from './arp-cache.js';
import { NetCounters, RX_OUTCOMES } from './counters.js';
import {
  ARP_QUEUE_CAPACITY, EHOSTUNREACH, EMSGSIZE, ENETUNREACH, ICMP_ERROR_BURST, NetInterface, type TransportHandler,
} from './interface.js';
import { RouteTable } from './route-table.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const MAC_A = new Uint8Array([2, 0, 0, 0, 0, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 0, 2]);
const MAC_X = new Uint8Array([2, 0, 0, 0, 0, 0x99]);
const IP_A = ip(10, 0, 0, 1);
const IP_B = ip(10, 0, 0, 2);

/** A link whose receive batch the test fills and whose sent frames it reads back. */
class FakeLink implements Link {
  readonly name = 'fake';
  readonly maxFrameSize = 1514;
  readonly counters = newLinkCounters();
  readonly rx = new FrameBatch(MAX_BURST, 1514);
  readonly tx = new FrameBatch(MAX_BURST, 1514);
  readonly sent: Uint8Array[] = [];
  receive(): number {
    return this.rx.count;
  }
  reserve(length: number): number {
    if (this.tx.count >= this.tx.capacity || length > this.maxFrameSize) return -1;
    const i = this.tx.count++;
    this.tx.lengths[i] = length;
    return this.tx.offsets[i];
  }
  flush(): number {
    const n = this.tx.count;
    for (let i = 0; i < n; i++) this.sent.push(this.tx.data.slice(this.tx.offsets[i], this.tx.offsets[i] + this.tx.lengths[i]));
    this.tx.count = 0;
    return n;
  }
  setReadableHandler(): void {}
  close(): void {}
  /** Puts frames in the receive batch. */
  load(frames: Uint8Array[]): void {
    this.rx.count = 0;
    for (const frame of frames) {
      const i = this.rx.count++;
      this.rx.data.set(frame, this.rx.offsets[i]);
      this.rx.lengths[i] = frame.length;
    }
  }
  take(): Uint8Array[] {
    this.flush();
    return this.sent.splice(0);
  }
}

function makeHost(link: Link, mac: Uint8Array, address: number, options: { gateway?: number; mtu?: number; arp?: ArpCache } = {}) {
  const counters = new NetCounters();
  const arp = options.arp ?? new ArpCache();
  const routes = new RouteTable();
  const iface = new NetInterface({ name: 'eth0', link, mac, ip: address, prefixLength: 24, gateway: options.gateway, mtu: options.mtu ?? 1500 }, arp, routes, counters);
  return { iface, counters, arp, routes };
}

function ipv4Frame(dstMac: Uint8Array, src: number, dst: number, protocol: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const frame = new Uint8Array(14 + 20 + payload.length);
  writeEthernetHeader(frame, 0, dstMac, MAC_X, ETHERTYPE_IPV4);
  writeIpv4Header(frame, 14, src, dst, protocol, payload.length, ttl, 1, false);
  frame.set(payload, 34);
  return frame;
}

function echoRequest(id: number, seq: number, dataLength: number): Uint8Array {
  const icmp = new Uint8Array(8 + dataLength);
  for (let i = 0; i < dataLength; i++) icmp[8 + i] = i;
  writeIcmpEcho(icmp, 0, ICMP_ECHO_REQUEST, id, seq, null, 8, dataLength);
  return icmp;
}

function udpDatagram(src: number, dst: number, srcPort: number, dstPort: number, data: number): Uint8Array {
  const udp = new Uint8Array(8 + data);
  udp[0] = srcPort >>> 8; udp[1] = srcPort; udp[2] = dstPort >>> 8; udp[3] = dstPort; udp[4] = 0; udp[5] = 8 + data;
  const c = finishChecksum(onesComplementSum(udp, 0, udp.length, pseudoHeaderSum(src, dst, IP_PROTO_UDP, udp.length)));
  udp[6] = c >>> 8; udp[7] = c;
  return udp;
}

function tcpSyn(src: number, dst: number): Uint8Array {
  const tcp = new Uint8Array(20);
  tcp[0] = 0x9c; tcp[1] = 0x40; tcp[2] = 0; tcp[3] = 80; tcp[12] = 5 << 4; tcp[13] = 0x02; tcp[14] = 0xff; tcp[15] = 0xff;
  const c = tcpChecksum(tcp, 0, 20, src, dst);
  tcp[16] = c >>> 8; tcp[17] = c;
  return tcp;
}

function outcomes(counters: NetCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of RX_OUTCOMES) if (counters[name] !== 0) out[name] = counters[name];
  return out;
}

/** Runs both hosts of a memory switch until no frame moves (bounded), at virtual time `now`. */
function pump(now: number, ...ifaces: NetInterface[]): void {
  for (let round = 0; round < 20; round++) {
    let moved = 0;
    for (const iface of ifaces) {
      while (iface.link.receive() > 0) moved += iface.processReceived(now);
      iface.poll(now);
      iface.flush();
    }
    if (moved === 0) return;
  }
  throw new Error('pump: frames still moving after 20 rounds');
}

test('two hosts on a memory switch resolve each other with ARP and exchange ICMP echo', () => {
  const sw = new MemorySwitch();
  const a = makeHost(sw.createPort('a'), MAC_A, IP_A);
  const b = makeHost(sw.createPort('b'), MAC_B, IP_B);
  const replies: [number, number, number, number][] = [];
  a.iface.setEchoReplyHandler({ echoReply: (src, id, seq, buf, off, len) => replies.push([src, id, seq, len + buf[off + 3] - 3 - seq]) });
  assert.equal(a.iface.sendPing(IP_B, 0x1234, 7, 56, 0), 0);
  assert.equal(a.counters.arpQueued, 1, 'the request waits for ARP');
  assert.equal(a.iface.arpQueueLength, 1);
  pump(0, a.iface, b.iface);
  assert.deepEqual(replies, [[IP_B, 0x1234, 7, 56]]);
  assert.equal(a.iface.arpQueueLength, 0);
  assert.deepEqual(outcomes(a.counters), { arpReplyAccepted: 1, icmpEchoReplyReceived: 1 });
  assert.deepEqual(outcomes(b.counters), { arpRequestAnswered: 1, icmpEchoAnswered: 1 });
  assert.equal(a.counters.arpRequestsSent, 1);
  assert.equal(b.counters.arpRepliesSent, 1);
  assert.equal(a.counters.arpLearned, 1);
  assert.equal(b.counters.arpLearned, 1, 'B learnt A from the request addressed to it');
  assert.equal(b.counters.icmpEchoRepliesSent, 1);
  assert.equal(b.counters.arpQueued, 0, 'B replied without asking: it had learnt A');
  // Second ping: no ARP at all.
  assert.equal(a.iface.sendPing(IP_B, 0x1234, 8, 1472, 10), 0);
  pump(10, a.iface, b.iface);
  assert.deepEqual(replies[1], [IP_B, 0x1234, 8, 1472]);
  assert.equal(a.counters.arpRequestsSent, 1);
  assert.equal(a.counters.rxFrames, a.counters.rxOutcomeTotal());
  assert.equal(b.counters.rxFrames, b.counters.rxOutcomeTotal());
  assert.equal(a.iface.sendPing(IP_B, 1, 1, 1473, 10), -EMSGSIZE);
});

test('unanswered ARP: 3 requests 1 s apart, queued datagrams dropped and counted, EHOSTUNREACH during the hold', () => {
  const link = new FakeLink();
  const a = makeHost(link, MAC_A, IP_A);
  const ghost = ip(10, 0, 0, 99);
  assert.equal(a.iface.sendPing(ghost, 1, 1, 8, 0), 0);
  assert.equal(a.iface.sendPing(ghost, 1, 2, 8, 1), 0);
  let sent = link.take();
  assert.equal(sent.length, 1, 'one request for two datagrams');
  const arpView = new ArpView();
  assert.ok(arpView.wrap(sent[0], 14, 46));
  assert.equal(arpView.operation, ARP_REQUEST);
  assert.equal(arpView.targetIp, ghost);
  assert.equal(arpView.senderIp, IP_A);
  assert.equal(sent[0].length, 60);
  assert.deepEqual([...sent[0].subarray(0, 6)], [...BROADCAST_MAC]);
  assert.equal(a.iface.nextDeadline(), 1000);
  a.iface.poll(999);
  assert.equal(link.take().length, 0);
  a.iface.poll(1000);
  assert.equal(link.take().length, 1);
  a.iface.poll(2000);
  assert.equal(link.take().length, 1);
  assert.equal(a.counters.arpRequestsSent, 3);
  assert.equal(a.counters.arpResolveFailed, 0);
  a.iface.poll(3000);
  assert.equal(link.take().length, 0);
  assert.equal(a.counters.arpResolveFailed, 2);
  assert.equal(a.iface.arpQueueLength, 0);
  assert.equal(a.arp.stateOf(a.arp.find(ghost)), ARP_FAILED);
  assert.equal(a.iface.nextDeadline(), Infinity);
  assert.equal(a.iface.sendPing(ghost, 1, 3, 8, 3500), -EHOSTUNREACH);
  assert.equal(a.counters.arpHostUnreachable, 1);
  a.iface.poll(4000); // hold over: the entry is released
  assert.equal(a.iface.sendPing(ghost, 1, 4, 8, 4001), 0);
  sent = link.take();
  assert.equal(sent.length, 1);
  assert.equal(a.counters.arpRequestsSent, 4);
});

test('the ARP wait queue is bounded: the oldest datagram is dropped and counted', () => {
  const link = new FakeLink();
  const a = makeHost(link, MAC_A, IP_A);
  for (let i = 0; i < ARP_QUEUE_CAPACITY + 5; i++) assert.equal(a.iface.sendPing(IP_B, 9, i, 4, 0), 0);
  assert.equal(a.counters.arpQueueOverflow, 5);
  assert.equal(a.iface.arpQueueLength, ARP_QUEUE_CAPACITY);
  link.take();
  // The reply arrives: the 64 youngest leave in order.
  const reply = new Uint8Array(60);
  writeEthernetHeader(reply, 0, MAC_A, MAC_B, ETHERTYPE_ARP);
  writeArp(reply, 14, ARP_REPLY, MAC_B, IP_B, MAC_A, IP_A);
  link.load([reply]);
  a.iface.processReceived(5);
  const out = link.take();
  assert.equal(out.length, ARP_QUEUE_CAPACITY);
  const icmp = new IcmpView();
  for (let i = 0; i < out.length; i++) {
    assert.deepEqual([...out[i].subarray(0, 6)], [...MAC_B]);
    assert.ok(icmp.wrap(out[i], 34, out[i].length - 34));
    assert.equal(icmp.sequence, i + 5);
  }
});

test('static ARP entries and a gateway: no ARP traffic, off-subnet traffic goes to the gateway MAC', () => {
  const link = new FakeLink();
  const arp = new ArpCache();
  const gw = ip(10, 0, 0, 254);
  arp.addStatic(gw, 32, MAC_X);
  const a = makeHost(link, MAC_A, IP_A, { gateway: gw, arp });
  assert.equal(a.iface.sendPing(ip(8, 8, 8, 8), 1, 1, 0, 0), 0);
  const [frame] = link.take();
  assert.deepEqual([...frame.subarray(0, 6)], [...MAC_X]);
  const v = new Ipv4View();
  assert.equal(v.wrap(frame, 14, frame.length - 14), 0);
  assert.equal(v.dst, ip(8, 8, 8, 8));
  assert.equal(v.src, IP_A);
  assert.equal(v.ttl, 64);
  assert.equal(v.dontFragment, true);
  assert.equal(a.counters.arpRequestsSent, 0);
  const lonely = makeHost(new FakeLink(), MAC_A, IP_A);
  assert.equal(lonely.iface.sendPing(ip(8, 8, 8, 8), 1, 1, 0, 0), -ENETUNREACH);
  assert.equal(lonely.counters.txNoRoute, 1);
});

test('IPv4 input checks: each bad datagram lands on its own counter', () => {
  const link = new FakeLink();
  const a = makeHost(link, MAC_A, IP_A);
  a.arp.addStatic(IP_B, 32, MAC_B);
  const good = () => ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_ICMP, echoRequest(1, 1, 4));
  const frames: Uint8Array[] = [];
  let f = good(); f[14] = 0x65; frames.push(f); // version 6
  f = good(); f[14] = 0x44; frames.push(f); // IHL 4
  f = good(); f[24] ^= 1; frames.push(f); // checksum
  f = good(); f[16] = 0x7f; frames.push(f); // total length > frame
  f = ipv4Frame(MAC_A, IP_B, ip(10, 0, 0, 3), IP_PROTO_ICMP, echoRequest(1, 1, 4)); frames.push(f); // not for us
  f = ipv4Frame(MAC_A, ip(127, 0, 0, 1), IP_A, IP_PROTO_ICMP, echoRequest(1, 1, 4)); frames.push(f); // loopback source
  f = ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_ICMP, echoRequest(1, 1, 4), 0); frames.push(f); // TTL 0
  f = ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_ICMP, echoRequest(1, 1, 4), 1); frames.push(f); // TTL 1 is fine for a host
  f = good(); f[20] |= 0x20; f[24] = 0; f[25] = 0; // MF set, checksum recomputed
  { const c = finishChecksum(onesComplementSum(f, 14, 20, 0)); f[24] = c >>> 8; f[25] = c; } frames.push(f);
  f = ipv4Frame(MAC_A, IP_B, IP_A, 200, new Uint8Array(8)); frames.push(f); // unknown protocol
  f = new Uint8Array(10); frames.push(f); // runt
  f = good(); f.set(MAC_B, 0); frames.push(f); // not our MAC
  f = good(); f[12] = 0x86; f[13] = 0xdd; frames.push(f); // IPv6
  f = ipv4Frame(BROADCAST_MAC, IP_B, ip(10, 0, 0, 255), IP_PROTO_ICMP, echoRequest(1, 1, 4)); frames.push(f); // echo to broadcast
  f = good(); f[34 + 8] ^= 0xff; frames.push(f); // ICMP checksum
  link.load(frames);
  assert.equal(a.iface.processReceived(0), frames.length);
  assert.deepEqual(outcomes(a.counters), {
    ethTooShort: 1, ethNotForUs: 1, ethUnknownType: 1, ipBadVersion: 1, ipBadHeaderLength: 1, ipBadChecksum: 1,
    ipBadTotalLength: 1, ipNotForUs: 1, ipBadSource: 1, ipTtlZero: 1, ipFragment: 1, ipUnknownProtocol: 1,
    icmpEchoAnswered: 1, icmpEchoToBroadcast: 1, icmpMalformed: 1,
  });
  assert.equal(a.counters.rxFrames, frames.length);
  const sent = link.take();
  assert.equal(sent.length, 2, 'one echo reply and one protocol unreachable');
  const icmp = new IcmpView();
  assert.ok(icmp.wrap(sent[0], 34, sent[0].length - 34));
  assert.equal(icmp.type, ICMP_ECHO_REPLY);
  assert.ok(icmp.wrap(sent[1], 34, sent[1].length - 34));
  assert.equal(icmp.type, ICMP_DEST_UNREACH);
  assert.equal(icmp.code, ICMP_UNREACH_PROTOCOL);
  assert.equal(sent[1][34 + 8 + 9], 200, 'quotes the offending header');
});

test('UDP gets port unreachable (rate-limited), TCP without handler protocol unreachable, with handler delivered', () => {
  const link = new FakeLink();
  const a = makeHost(link, MAC_A, IP_A);
  a.arp.addStatic(IP_B, 32, MAC_B);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) frames.push(ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_UDP, udpDatagram(IP_B, IP_A, 5000, 53, 4)));
  const badUdp = udpDatagram(IP_B, IP_A, 5000, 53, 4); badUdp[8] ^= 1;
  frames.push(ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_UDP, badUdp));
  frames.push(ipv4Frame(BROADCAST_MAC, IP_B, ip(10, 0, 0, 255), IP_PROTO_UDP, udpDatagram(IP_B, ip(10, 0, 0, 255), 68, 67, 4)));
  link.load(frames);
  a.iface.processReceived(0);
  assert.equal(a.counters.udpNoPort, 21);
  assert.equal(a.counters.udpBadChecksum, 1);
  assert.equal(a.counters.icmpErrorsSent, ICMP_ERROR_BURST);
  assert.equal(a.counters.icmpErrorsRateLimited, 20 - ICMP_ERROR_BURST);
  assert.equal(a.counters.icmpErrorsSuppressed, 1, 'never about a broadcast');
  const sent = link.take();
  assert.equal(sent.length, ICMP_ERROR_BURST);
  const icmp = new IcmpView();
  assert.ok(icmp.wrap(sent[0], 34, sent[0].length - 34));
  assert.equal(icmp.code, ICMP_UNREACH_PORT);
  assert.equal(icmp.payloadLength, 28, 'IP header + 8 bytes quoted');
  // 100 ms later the bucket has 10 more tokens.
  link.load([ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_UDP, udpDatagram(IP_B, IP_A, 5000, 53, 4))]);
  a.iface.processReceived(100);
  assert.equal(link.take().length, 1);

  link.load([ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_TCP, tcpSyn(IP_B, IP_A))]);
  a.iface.processReceived(200);
  assert.equal(a.counters.tcpNoHandler, 1);
  const [unreach] = link.take();
  assert.ok(icmp.wrap(unreach, 34, unreach.length - 34));
  assert.equal(icmp.code, ICMP_UNREACH_PROTOCOL);

  const seen: number[][] = [];
  const handler: TransportHandler = { input: (src, dst, buf, off, len, now) => seen.push([src, dst, off, len, buf[off + 13], now]) };
  a.iface.setTransportHandler(IP_PROTO_TCP, handler);
  link.load([ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_TCP, tcpSyn(IP_B, IP_A))]);
  a.iface.processReceived(300);
  assert.deepEqual(seen, [[IP_B, IP_A, link.rx.offsets[0] + 34, 20, 0x02, 300]]);
  assert.equal(a.counters.tcpDelivered, 1);
  assert.equal(link.take().length, 0);
  assert.equal(a.counters.rxFrames, a.counters.rxOutcomeTotal());

  // The ICMP error handler sees the quoted datagram of an unreachable coming back.
  const errors: number[][] = [];
  a.iface.setIcmpErrorHandler({ icmpError: (src, type, code, buf, off, len) => errors.push([src, type, code, buf[off + 9], len]) });
  link.load([ipv4Frame(MAC_A, IP_B, IP_A, IP_PROTO_ICMP, unreach.subarray(34))]);
  a.iface.processReceived(400);
  assert.deepEqual(errors, [[IP_B, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, IP_PROTO_TCP, 28]]);
  assert.equal(a.counters.icmpErrorReceived, 1);
});

test('ARP: learning rules, conflicts, bad senders and not-for-us requests', () => {
  const link = new FakeLink();
  const a = makeHost(link, MAC_A, IP_A);
  const arpFrame = (op: number, dstMac: Uint8Array, senderMac: Uint8Array, senderIp: number, targetIp: number) => {
    const f = new Uint8Array(60);
    writeEthernetHeader(f, 0, dstMac, senderMac, ETHERTYPE_ARP);
    writeArp(f, 14, op, senderMac, senderIp, op === ARP_REQUEST ? new Uint8Array(6) : MAC_A, targetIp);
    return f;
  };
  const other = ip(10, 0, 0, 7);
  link.load([
    arpFrame(ARP_REQUEST, BROADCAST_MAC, MAC_B, IP_B, other), // not for us: B not learnt
    arpFrame(ARP_REQUEST, BROADCAST_MAC, MAC_X, IP_A, other), // someone claims our address
    arpFrame(ARP_REQUEST, BROADCAST_MAC, BROADCAST_MAC, IP_B, IP_A), // broadcast sender MAC
    arpFrame(ARP_REQUEST, BROADCAST_MAC, MAC_B, 0, IP_A), // RFC 5227 probe: answered, not learnt
  ]);
  a.iface.processReceived(0);
  assert.deepEqual(outcomes(a.counters), { arpNotForUs: 1, arpAddressConflict: 1, arpBadSender: 1, arpRequestAnswered: 1 });
  assert.equal(a.arp.find(IP_B), -1);
  const [reply] = link.take();
  const ev = new EthernetView();
  assert.ok(ev.wrap(reply, 0, reply.length));
  assert.equal(ev.ethertype, ETHERTYPE_ARP);
  assert.deepEqual([...reply.subarray(0, 6)], [...MAC_B]);
  const v = new ArpView();
  assert.ok(v.wrap(reply, 14, 46));
  assert.equal(v.operation, ARP_REPLY);
  assert.equal(v.senderIp, IP_A);
  assert.deepEqual([...reply.subarray(v.senderMacOffset, v.senderMacOffset + 6)], [...MAC_A]);
  // Now a request to us from B: learnt; a later broadcast from B with a new MAC updates the entry.
  link.load([arpFrame(ARP_REQUEST, BROADCAST_MAC, MAC_B, IP_B, IP_A), arpFrame(ARP_REQUEST, BROADCAST_MAC, MAC_X, IP_B, other)]);
  a.iface.processReceived(1);
  assert.equal(a.counters.arpLearned, 1);
  assert.equal(a.counters.arpUpdated, 1);
  const mac = new Uint8Array(6);
  assert.ok(a.arp.resolveInto(IP_B, mac, 0) >= 0);
  assert.deepEqual([...mac], [...MAC_X]);
  link.take();
  // Near expiry, use of the entry triggers one unicast refresh request.
  assert.equal(a.iface.sendPing(IP_B, 1, 1, 0, 1 + a.arp.reachableMs - 1000), 0);
  const out = link.take();
  assert.equal(out.length, 2);
  assert.ok(v.wrap(out[0], 14, 46));
  assert.equal(v.operation, ARP_REQUEST);
  assert.deepEqual([...out[0].subarray(0, 6)], [...MAC_X], 'unicast poll (RFC 1122 §2.3.2.1)');
  assert.deepEqual([...out[1].subarray(0, 6)], [...MAC_X]);
  assert.equal(a.iface.sendPing(IP_B, 1, 2, 0, 2 + a.arp.reachableMs - 1000), 0);
  assert.equal(link.take().length, 1, 'only one refresh');
  a.iface.poll(1 + a.arp.reachableMs);
  assert.equal(a.counters.arpExpired, 1);
});
