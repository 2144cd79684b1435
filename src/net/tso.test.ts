// NetInterface.sendTcpOffload: TCP segments with a partial checksum (and super-segments for TSO) on links that
// take offloads (a vnet_hdr TAP), and the software fallback on links that do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link } from '../link/link.js';
import { finishChecksum, pseudoHeaderSum, verifyTcpChecksum } from '../wire/checksum.js';
import { IP_PROTO_TCP, Ipv4View } from '../wire/ipv4.js';
import { ArpCache } from './arp-cache.js';
import { NetCounters } from './counters.js';
import { EMSGSIZE, ENOBUFS, NetInterface } from './interface.js';
import { RouteTable } from './route-table.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const MAC_A = new Uint8Array([2, 0, 0, 0, 0, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 0, 2]);
const IP_A = ip(192, 168, 7, 1);   // >= 2^31: crosses calls as int32
const IP_B = ip(192, 168, 7, 2);
const IP_C = ip(192, 168, 7, 3);   // never resolved
const GSO_FRAME = 14 + 65535;

/** A link shaped like TapLink: vnetHdr/gso flags and markTxOffload recording what was asked per frame. */
class OffloadFakeLink implements Link {
  readonly name = 'fake-tap';
  readonly maxFrameSize: number;
  readonly counters = newLinkCounters();
  readonly rx: FrameBatch;
  readonly tx: FrameBatch;
  readonly vnetHdr: boolean;
  readonly gso: boolean;
  readonly marks: number[] = [];
  readonly sent: Array<{ frame: Uint8Array; gso: number }> = [];
  constructor(vnetHdr: boolean, maxFrameSize: number) {
    this.vnetHdr = vnetHdr;
    this.maxFrameSize = maxFrameSize;
    this.gso = vnetHdr && maxFrameSize >= GSO_FRAME;
    this.rx = new FrameBatch(4, maxFrameSize);
    this.tx = new FrameBatch(MAX_BURST, maxFrameSize);
  }
  receive(): number { return 0; }
  reserve(length: number): number {
    if (this.tx.count >= this.tx.capacity || length > this.maxFrameSize) return -1;
    const i = this.tx.count++;
    this.tx.lengths[i] = length;
    this.marks[i] = -1;
    return this.tx.offsets[i];
  }
  markTxOffload(gsoSize: number): void {
    if (!this.vnetHdr) throw new Error('checksum offload needs vnetHdr');
    if (gsoSize > 0 && !this.gso) throw new Error('no gso');
    this.marks[this.tx.count - 1] = gsoSize;
  }
  flush(): number {
    const n = this.tx.count;
    for (let i = 0; i < n; i++) {
      this.sent.push({ frame: this.tx.data.slice(this.tx.offsets[i], this.tx.offsets[i] + this.tx.lengths[i]), gso: this.marks[i] });
    }
    this.tx.count = 0;
    return n;
  }
  setReadableHandler(): void {}
  close(): void {}
}

function setup(link: Link): NetInterface {
  const arp = new ArpCache();
  arp.addStatic(IP_B, 32, MAC_B);
  return new NetInterface({ name: 'p0', link, mac: MAC_A, ip: IP_A, prefixLength: 24, mtu: 1500 }, arp, new RouteTable(), new NetCounters());
}

/** A TCP segment of `payload` bytes (20-byte header) whose checksum field holds the pseudo-header sum. */
function partialSegment(payload: number, dst = IP_B): Uint8Array {
  const s = new Uint8Array(20 + payload);
  s[0] = 0x9c; s[1] = 0x41; s[2] = 0x00; s[3] = 0x50;  // ports 40001 -> 80
  s[4] = 0x80; s[7] = 1;                                // seq 0x80000001
  s[12] = 5 << 4; s[13] = 0x18;                         // ACK|PSH
  s[14] = 0xff; s[15] = 0xff;
  for (let i = 0; i < payload; i++) s[20 + i] = (i * 13 + 5) & 255;
  const p = ~finishChecksum(pseudoHeaderSum(IP_A, dst, IP_PROTO_TCP, s.length)) & 0xffff;
  s[16] = p >> 8; s[17] = p & 255;
  return s;
}

test('offload link: a 64000-byte super-segment leaves as ONE frame > MTU, marked with its GSO size, checksum left partial', () => {
  const link = new OffloadFakeLink(true, GSO_FRAME);
  const iface = setup(link);
  assert.deepEqual([iface.txChecksumOffload, iface.txGso], [true, true]);
  const seg = partialSegment(64000);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, seg, 0, seg.length, 1448, 0), 0);
  iface.flush();
  assert.equal(link.sent.length, 1);
  const { frame, gso } = link.sent[0];
  assert.equal(gso, 1448);
  assert.equal(frame.length, 14 + 20 + 64020);
  assert.deepEqual(frame.subarray(0, 6), MAC_B);
  const v = new Ipv4View();
  assert.equal(v.wrap(frame, 14, frame.length - 14), 0);
  assert.equal(v.totalLength, 20 + 64020);
  assert.equal(v.protocol, IP_PROTO_TCP);
  assert.deepEqual(frame.subarray(34), seg, 'the segment as given: the link completes the checksum');
  assert.equal(iface.counters.ipSent, 1);
  // A small segment (gso 0) still goes with the checksum offloaded.
  const small = partialSegment(100);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, small, 0, small.length, 0, 0), 0);
  iface.flush();
  assert.equal(link.sent[1].gso, 0);
  assert.deepEqual(link.sent[1].frame.subarray(34), small);
});

test('vnet_hdr without GSO: small segments offload the checksum, super-segments are EMSGSIZE', () => {
  const link = new OffloadFakeLink(true, 1514);
  const iface = setup(link);
  assert.deepEqual([iface.txChecksumOffload, iface.txGso], [true, false]);
  const big = partialSegment(3000);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, big, 0, big.length, 1448, 0), -EMSGSIZE);
  assert.equal(iface.counters.txTooBig, 1);
  const small = partialSegment(1000);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, small, 0, small.length, 0, 0), 0);
  iface.flush();
  assert.deepEqual(link.sent.map((s) => s.gso), [0]);
});

test('plain link: the partial checksum is completed in software; a super-segment is EMSGSIZE', () => {
  const link = new OffloadFakeLink(false, 1514);
  const iface = setup(link);
  assert.deepEqual([iface.txChecksumOffload, iface.txGso], [false, false]);
  const seg = partialSegment(1460);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, seg, 0, seg.length, 0, 0), 0);
  iface.flush();
  assert.equal(link.sent.length, 1);
  assert.equal(link.sent[0].gso, -1, 'not marked');
  const frame = link.sent[0].frame;
  assert.equal(frame.length, 1514);
  assert.ok(verifyTcpChecksum(frame, 34, 1480, IP_A, IP_B), 'full checksum on the wire');
  assert.deepEqual(frame.subarray(54), seg.subarray(20));
  const big = partialSegment(2896);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_B | 0, big, 0, big.length, 1448, 0), -EMSGSIZE);
});

test('unresolved next hop: a small segment is held with its checksum completed; a super-segment is refused (ENOBUFS)', () => {
  const link = new OffloadFakeLink(true, GSO_FRAME);
  const iface = setup(link);
  const big = partialSegment(10000, IP_C);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_C | 0, big, 0, big.length, 1448, 0), -ENOBUFS);
  const seg = partialSegment(500, IP_C);
  assert.equal(iface.sendTcpOffload(IP_A | 0, IP_C | 0, seg, 0, seg.length, 0, 0), 0);
  iface.flush();
  // Only the ARP request left; the segment waits in the queue with a full checksum (frames leaving the queue
  // carry no offload mark).
  assert.equal(link.sent.length, 1);
  assert.equal(link.sent[0].frame[12], 0x08);
  assert.equal(link.sent[0].frame[13], 0x06);
  assert.equal(iface.counters.arpRequestsSent, 1);
  assert.ok(verifyTcpChecksum(seg, 0, seg.length, IP_A, IP_C), 'completed in place before it was queued');
});
