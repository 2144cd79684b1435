// 100,000 random and mutated frames thrown at one interface: no exception, and every frame is counted
// under exactly one outcome (the outcome counters sum to the number thrown). Seeded: a failure names its seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link } from '../link/link.js';
import { SeededRandom } from '../link/random.js';
import { ARP_REPLY, ARP_REQUEST, writeArp } from '../wire/arp.js';
import { finishChecksum, onesComplementSum, pseudoHeaderSum, tcpChecksum } from '../wire/checksum.js';
import { BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEthernetHeader } from '../wire/ethernet.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, writeIcmpEcho } from '../wire/icmp.js';
import { IP_PROTO_ICMP, IP_PROTO_TCP, IP_PROTO_UDP, writeIpv4Header } from '../wire/ipv4.js';
import { ArpCache } from './arp-cache.js';
import { NetCounters, RX_OUTCOMES } from './counters.js';
import { NetInterface, type TransportHandler } from './interface.js';
import { RouteTable } from './route-table.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const OUR_MAC = new Uint8Array([2, 0, 0, 0, 0, 1]);
const PEER_MAC = new Uint8Array([2, 0, 0, 0, 0, 2]);
const OUR_IP = ip(10, 0, 0, 1);
const PEER_IP = ip(10, 0, 0, 2);

/** Receive batch filled by the test; transmitted frames are only counted (and checked for sane length). */
class FuzzLink implements Link {
  readonly name = 'fuzz';
  readonly maxFrameSize = 1514;
  readonly counters = newLinkCounters();
  readonly rx = new FrameBatch(MAX_BURST, 1514);
  readonly tx = new FrameBatch(MAX_BURST, 1514);
  sentFrames = 0;
  receive(): number { return this.rx.count; }
  reserve(length: number): number {
    if (this.tx.count >= this.tx.capacity || length > this.maxFrameSize) return -1;
    const i = this.tx.count++;
    this.tx.lengths[i] = length;
    return this.tx.offsets[i];
  }
  flush(): number {
    const n = this.tx.count;
    for (let i = 0; i < n; i++) assert.ok(this.tx.lengths[i] >= 42 && this.tx.lengths[i] <= 1514);
    this.sentFrames += n;
    this.tx.count = 0;
    return n;
  }
  setReadableHandler(): void {}
  close(): void {}
}

function fixIpv4Checksum(frame: Uint8Array, at: number): void {
  const ihl = (frame[at] & 15) * 4;
  if (ihl < 20 || at + ihl > frame.length) return;
  frame[at + 10] = 0;
  frame[at + 11] = 0;
  const c = finishChecksum(onesComplementSum(frame, at, ihl, 0));
  frame[at + 10] = c >>> 8;
  frame[at + 11] = c;
}

/** Valid frames of every kind the interface handles, to be mutated. */
function templates(): Uint8Array[] {
  const list: Uint8Array[] = [];
  const arp = (op: number, dst: Uint8Array, targetIp: number) => {
    const f = new Uint8Array(60);
    writeEthernetHeader(f, 0, dst, PEER_MAC, ETHERTYPE_ARP);
    writeArp(f, 14, op, PEER_MAC, PEER_IP, op === ARP_REPLY ? OUR_MAC : new Uint8Array(6), targetIp);
    return f;
  };
  list.push(arp(ARP_REQUEST, BROADCAST_MAC, OUR_IP), arp(ARP_REPLY, OUR_MAC, OUR_IP), arp(ARP_REQUEST, BROADCAST_MAC, ip(10, 0, 0, 9)));
  const ipv4 = (dstMac: Uint8Array, dst: number, protocol: number, payload: Uint8Array) => {
    const f = new Uint8Array(34 + payload.length);
    writeEthernetHeader(f, 0, dstMac, PEER_MAC, ETHERTYPE_IPV4);
    writeIpv4Header(f, 14, PEER_IP, dst, protocol, payload.length, 64, 7, true);
    f.set(payload, 34);
    return f;
  };
  for (const type of [ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, ICMP_DEST_UNREACH]) {
    const icmp = new Uint8Array(8 + 32);
    writeIcmpEcho(icmp, 0, type, 1, 2, null, 8, 32);
    list.push(ipv4(OUR_MAC, OUR_IP, IP_PROTO_ICMP, icmp));
  }
  const udp = new Uint8Array(12);
  udp[1] = 9; udp[3] = 53; udp[5] = 12;
  const uc = finishChecksum(onesComplementSum(udp, 0, 12, pseudoHeaderSum(PEER_IP, OUR_IP, IP_PROTO_UDP, 12)));
  udp[6] = uc >>> 8; udp[7] = uc;
  list.push(ipv4(OUR_MAC, OUR_IP, IP_PROTO_UDP, udp));
  const tcp = new Uint8Array(24);
  tcp[1] = 80; tcp[3] = 80; tcp[12] = 0x60; tcp[13] = 0x02; tcp[20] = 2; tcp[21] = 4; tcp[22] = 5; tcp[23] = 0xb4;
  const tc = tcpChecksum(tcp, 0, 24, PEER_IP, OUR_IP);
  tcp[16] = tc >>> 8; tcp[17] = tc;
  list.push(ipv4(OUR_MAC, OUR_IP, IP_PROTO_TCP, tcp));
  list.push(ipv4(BROADCAST_MAC, ip(10, 0, 0, 255), IP_PROTO_UDP, udp));
  list.push(ipv4(OUR_MAC, OUR_IP, 89, new Uint8Array(16)));
  return list;
}

function mutate(rng: SeededRandom, template: Uint8Array, out: Uint8Array): number {
  let len = template.length;
  out.set(template);
  const kind = rng.nextInt(8);
  if (kind === 0) {
    // Pure garbage of a random length, sometimes with a plausible Ethernet type.
    len = rng.nextInt(200);
    for (let i = 0; i < len; i++) out[i] = rng.nextInt(256);
    if (len >= 14 && rng.next() < 0.5) { out.set(OUR_MAC, 0); out[12] = 0x08; out[13] = rng.next() < 0.5 ? 0x00 : 0x06; }
    return len;
  }
  if (kind === 1) return rng.nextInt(len); // truncated
  if (kind === 2) {
    // Edge values in IPv4 header fields, checksum repaired so deeper checks run.
    const field = [14, 16, 17, 20, 21, 22, 23, 26, 30][rng.nextInt(9)];
    out[field] = [0, 1, 0x45, 0x46, 0x4f, 0xff, 0x20, 0x40, 0x7f][rng.nextInt(9)];
    fixIpv4Checksum(out, 14);
    return len;
  }
  // 1 to 4 random byte changes anywhere; half the time the IPv4 checksum is repaired afterwards.
  const flips = 1 + rng.nextInt(4);
  for (let i = 0; i < flips; i++) out[rng.nextInt(len)] = rng.nextInt(256);
  if (kind >= 6) len = Math.min(1514, len + rng.nextInt(64)); // trailing bytes (padding or junk)
  if (rng.next() < 0.5 && out[12] === 0x08 && out[13] === 0x00) fixIpv4Checksum(out, 14);
  if (kind === 5) { out.set(OUR_MAC, 0); out.set(template.subarray(6, 14), 6); }
  return len;
}

test('100,000 random and mutated frames: no exception, every frame counted exactly once', () => {
  const seed = 0x5eed0001;
  const rng = new SeededRandom(seed);
  const link = new FuzzLink();
  const counters = new NetCounters();
  const arp = new ArpCache();
  const routes = new RouteTable();
  const iface = new NetInterface({ name: 'eth0', link, mac: OUR_MAC, ip: OUR_IP, prefixLength: 24, gateway: ip(10, 0, 0, 254), mtu: 1500 }, arp, routes, counters);
  let delivered = 0;
  const handler: TransportHandler = {
    input(src, dst, buf, off, len) {
      assert.equal(dst, OUR_IP);
      assert.ok(off >= 0 && len >= 0 && off + len <= buf.length);
      delivered++;
    },
  };
  const list = templates();
  const scratch = new Uint8Array(1514);
  const total = 100000;
  let thrown = 0;
  let now = 0;
  try {
    while (thrown < total) {
      const batch = Math.min(MAX_BURST, total - thrown);
      link.rx.count = 0;
      for (let i = 0; i < batch; i++) {
        const len = mutate(rng, list[rng.nextInt(list.length)], scratch);
        const slot = link.rx.count++;
        link.rx.data.set(scratch.subarray(0, len), link.rx.offsets[slot]);
        link.rx.lengths[slot] = len;
      }
      // Half the run without a TCP handler (protocol unreachable path), half with one.
      iface.setTransportHandler(IP_PROTO_TCP, thrown < total / 2 ? null : handler);
      assert.equal(iface.processReceived(now), batch);
      thrown += batch;
      now += 3;
      iface.poll(now);
      iface.flush();
    }
  } catch (error) {
    throw new Error(`fuzz failed at frame ${thrown} (seed ${seed}): ${String(error)}`);
  }
  assert.equal(counters.rxFrames, total);
  assert.equal(counters.rxOutcomeTotal(), total);
  assert.equal(delivered, counters.tcpDelivered);
  const hit = RX_OUTCOMES.filter((name) => counters[name] > 0);
  // The mutations reach deep: most outcomes occur (ARP conflicts and TCP-to-broadcast need exact values).
  assert.ok(hit.length >= 24, `only ${hit.length} outcomes hit: ${hit.join(' ')}`);
  for (const name of ['ethTooShort', 'ethNotForUs', 'arpRequestAnswered', 'ipBadChecksum', 'ipBadTotalLength', 'ipFragment',
    'icmpEchoAnswered', 'icmpMalformed', 'udpNoPort', 'udpBadChecksum', 'tcpDelivered', 'tcpNoHandler', 'ipUnknownProtocol'] as const) {
    assert.ok(counters[name] > 0, `${name} never hit: ${counters.format()}`);
  }
  assert.ok(link.sentFrames > 0);
  if (process.env.FUZZ_VERBOSE) console.log(counters.format());
});
