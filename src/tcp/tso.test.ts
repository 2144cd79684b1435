// TSO (tsoMaxSegment > 0): the engine hands the sink data segments longer than one MSS with a partial checksum,
// and the sink (here a software stand-in for the kernel's GSO) cuts them into MSS pieces. Without TSO every
// segment stays within the MSS and carries a full checksum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTcpConfig } from './config.js';
import { TcpEngine, TcpConnection, TcpListener, TSO_MAX_PAYLOAD, type SegmentSink } from './engine.js';
import { tcpChecksum, verifyTcpChecksum, pseudoHeaderSum, onesComplementSum, finishChecksum } from '../wire/checksum.js';
import { TCP_FIN, TCP_PSH, TCP_SYN } from '../wire/tcp.js';

const A = 0x0a000001, B = 0xc0a80002;
const SMSS = 1460 - 12;  // timestamps on

interface Sent { seq: number; flags: number; payload: number; gso: number; offload: boolean }

function seqOf(b: Uint8Array): number { return ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0; }
function headerLength(b: Uint8Array): number { return (b[12] >> 4) * 4; }

/** Cuts a super-segment as Linux's tcp_gso_segment does: header and options copied, seq advanced, PSH/FIN on the
 *  last piece only, each checksum completed. */
function segmentLikeKernel(seg: Uint8Array, gso: number, src: number, dst: number): Uint8Array[] {
  const hl = headerLength(seg);
  const payload = seg.length - hl;
  if (gso === 0) {
    const whole = seg.slice();
    const csum = tcpChecksum(whole, 0, whole.length, src, dst);
    whole[16] = csum >> 8; whole[17] = csum & 255;
    return [whole];
  }
  const out: Uint8Array[] = [];
  const seq0 = seqOf(seg);
  for (let at = 0; at < payload; at += gso) {
    const n = Math.min(gso, payload - at);
    const p = new Uint8Array(hl + n);
    p.set(seg.subarray(0, hl), 0);
    p.set(seg.subarray(hl + at, hl + at + n), hl);
    const s = (seq0 + at) >>> 0;
    p[4] = s >>> 24; p[5] = (s >> 16) & 255; p[6] = (s >> 8) & 255; p[7] = s & 255;
    if (at + n < payload) p[13] &= ~(TCP_FIN | TCP_PSH);
    const csum = tcpChecksum(p, 0, p.length, src, dst);
    p[16] = csum >> 8; p[17] = csum & 255;
    out.push(p);
  }
  return out;
}

/**
 * Engine a (TSO on or off) sends to engine b (plain) through a GSO stand-in. `drop(seq, len)` may drop a wire
 * piece going a -> b. Returns the engines, the pump and what a sent (one entry per segment a handed over).
 */
function pair(tso: number, drop: (seq: number, len: number) => boolean = () => false, tailLossProbe = true) {
  const secret = new Uint8Array(32).fill(5);
  const sent: Sent[] = [];
  const toB: Uint8Array[] = [];
  const toA: Uint8Array[] = [];
  const partialOk: boolean[] = [];
  const sinkA: SegmentSink = {
    sendSegment: (s, d, b, o, l) => {
      const seg = b.slice(o, o + l);
      assert.ok(verifyTcpChecksum(seg, 0, l, s, d), 'full checksum without offload');
      sent.push({ seq: seqOf(seg), flags: seg[13], payload: l - headerLength(seg), gso: 0, offload: false });
      toB.push(seg);
      return 0;
    },
    sendSegmentOffload: (s, d, b, o, l, gso) => {
      const seg = b.slice(o, o + l);
      // The field must hold the folded pseudo-header sum: summing the segment with it then gives the checksum.
      const field = (seg[16] << 8) | seg[17];
      partialOk.push(field === (~finishChecksum(pseudoHeaderSum(s >>> 0, d >>> 0, 6, l)) & 0xffff));
      seg[16] = 0; seg[17] = 0;
      const full = finishChecksum(onesComplementSum(seg, 0, l, field));
      seg[16] = full >> 8; seg[17] = full & 255;
      assert.ok(verifyTcpChecksum(seg, 0, l, s >>> 0, d >>> 0), 'completing the partial checksum gives a valid one');
      sent.push({ seq: seqOf(seg), flags: seg[13], payload: l - headerLength(seg), gso, offload: true });
      for (const p of segmentLikeKernel(seg, gso, s >>> 0, d >>> 0)) {
        if (!drop(seqOf(p), p.length - headerLength(p))) toB.push(p);
      }
      return 0;
    },
  };
  const cfg = { secret, rcvbuf: 1 << 20, sndbuf: 1 << 20 };
  const a = new TcpEngine(defaultTcpConfig({ ...cfg, tsoMaxSegment: tso, tailLossProbe }), sinkA, 0);
  const b = new TcpEngine(defaultTcpConfig(cfg), { sendSegment: (s, d, x, o, l) => { toA.push(x.slice(o, o + l)); return 0; } }, 0);
  const pump = (now: number, rounds = 200) => {
    for (let i = 0; i < rounds; i++) {
      a.flush(now); b.flush(now);
      if (toA.length === 0 && toB.length === 0) break;
      while (toB.length > 0) { const x = toB.shift()!; b.input(A, B, x, 0, x.length, now); }
      b.flush(now);
      while (toA.length > 0) { const x = toA.shift()!; a.input(B, A, x, 0, x.length, now); }
    }
  };
  return { a, b, pump, sent, partialOk };
}

function connect(p: ReturnType<typeof pair>): { c: TcpConnection; s: TcpConnection } {
  const l = p.b.listen(0, 80, 10) as TcpListener;
  const c = p.a.connect(A, 0, B, 80, 0) as TcpConnection;
  p.pump(0);
  const s = p.b.accept(l) as TcpConnection;
  assert.ok(s instanceof TcpConnection);
  return { c, s };
}

function pattern(n: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (i * 131 + (i >> 8)) & 255;
  return d;
}

/** Sends all of `data` from c (a) and reads it at s (b), pumping with time advancing; returns what b read. */
function transfer(p: ReturnType<typeof pair>, c: TcpConnection, s: TcpConnection, data: Uint8Array, t0: number): Uint8Array {
  const got = new Uint8Array(data.length);
  let w = 0, r = 0, now = t0;
  for (let round = 0; round < 5000 && r < data.length; round++) {
    if (w < data.length) {
      const n = p.a.send(c, data, w, data.length - w, now);
      if (n > 0) w += n;
    }
    p.pump(now);
    const m = p.b.receive(s, got, r, got.length - r, false, now);
    if (m > 0) r += m;
    now += 1;
    p.a.advance(now); p.b.advance(now);
  }
  assert.equal(r, data.length);
  return got;
}

test('without TSO every data segment is at most one MSS and carries a full checksum', () => {
  const p = pair(0);
  const { c, s } = connect(p);
  const data = pattern(300_000);
  assert.deepEqual(transfer(p, c, s, data, 1), data);
  const dataSegs = p.sent.filter((x) => x.payload > 0);
  assert.ok(dataSegs.length >= Math.ceil(300_000 / SMSS));
  assert.equal(Math.max(...dataSegs.map((x) => x.payload)), SMSS);
  assert.equal(p.sent.filter((x) => x.offload).length, 0);
  assert.equal(p.a.counters.tsoSegmentsOut, 0);
});

test('with TSO the first flight is ONE segment of the initial window, later ones grow to the 64 KiB cap', () => {
  const p = pair(65535);
  const { c, s } = connect(p);
  assert.equal(p.a.tsoMaxSegment, TSO_MAX_PAYLOAD);
  // The SYN also went out with a partial checksum and no GSO.
  assert.equal(p.sent[0].flags, TCP_SYN);
  assert.deepEqual([p.sent[0].offload, p.sent[0].gso], [true, 0]);
  const data = pattern(4 << 20);
  assert.deepEqual(transfer(p, c, s, data, 1), data);
  const dataSegs = p.sent.filter((x) => x.payload > 0);
  // RFC 6928 initial window: 10 segments, here as one super-segment cut at SMSS.
  assert.deepEqual(dataSegs[0], { seq: (c.iss + 1) >>> 0, flags: 0x10, payload: 10 * SMSS, gso: SMSS, offload: true });
  const cap = Math.floor(TSO_MAX_PAYLOAD / SMSS) * SMSS;  // 45 pieces: 65160 bytes
  assert.equal(cap, 65160);
  assert.equal(Math.max(...dataSegs.map((x) => x.payload)), cap);
  for (const x of dataSegs) {
    assert.equal(x.offload, true);
    assert.equal(x.gso, x.payload > SMSS ? SMSS : 0);
  }
  assert.ok(p.partialOk.length > 0 && p.partialOk.every((ok) => ok), 'every partial checksum was the pseudo-header sum');
  // Far fewer segments than MSS pieces: 4 MiB is at least 2897 pieces.
  assert.ok(dataSegs.length < 200, `${dataSegs.length} segments for 4 MiB`);
  assert.equal(p.a.counters.tsoSegmentsOut, dataSegs.filter((x) => x.gso > 0).length);
  assert.equal(p.a.counters.retransmits, 0);
});

test('TSO keeps Nagle: the sub-MSS tail waits; with TCP_NODELAY or a queued FIN it rides in the same segment', () => {
  {
    const p = pair(65535);
    const { c } = connect(p);
    const before = p.sent.length;
    assert.equal(p.a.send(c, pattern(5000), 0, 5000, 1), 5000);
    p.a.flush(1);
    const segs = p.sent.slice(before);
    assert.deepEqual(segs.map((x) => [x.payload, x.gso, x.flags]), [[3 * SMSS, SMSS, 0x10]]);
  }
  {
    const p = pair(65535);
    const { c } = connect(p);
    c.noDelay = true;
    const before = p.sent.length;
    assert.equal(p.a.send(c, pattern(5000), 0, 5000, 1), 5000);
    p.a.flush(1);
    assert.deepEqual(p.sent.slice(before).map((x) => [x.payload, x.gso, x.flags]), [[5000, SMSS, 0x10 | TCP_PSH]]);
  }
  {
    const p = pair(65535);
    const { c, s } = connect(p);
    const before = p.sent.length;
    assert.equal(p.a.send(c, pattern(5000), 0, 5000, 1), 5000);
    p.a.close(c, 1);
    p.a.flush(1);
    assert.deepEqual(p.sent.slice(before).map((x) => [x.payload, x.gso, x.flags]), [[5000, SMSS, 0x10 | TCP_PSH | TCP_FIN]]);
    p.pump(2);
    assert.equal(s.finReceived, true);
    const got = new Uint8Array(6000);
    assert.equal(p.b.receive(s, got, 0, 6000, false, 2), 5000);
    assert.deepEqual(got.subarray(0, 5000), pattern(5000));
  }
});

test('TSO honours a small tsoMaxSegment: segments are whole multiples of SMSS up to it', () => {
  const p = pair(3 * SMSS + 100);
  const { c, s } = connect(p);
  const data = pattern(200_000);
  assert.deepEqual(transfer(p, c, s, data, 1), data);
  const sizes = p.sent.filter((x) => x.payload > 0).map((x) => x.payload);
  assert.equal(Math.max(...sizes), 3 * SMSS);
});

test('TSO loss recovery: a lost piece of a super-segment is retransmitted as one MSS (SACK), the transfer completes', () => {
  let lostSeq = -1;
  let dropped = 0;
  const p = pair(65535, (seq) => {
    // Drop the 4th piece of the first data flight, once.
    if (lostSeq >= 0 && seq === lostSeq && dropped === 0) { dropped++; return true; }
    return false;
  });
  const { c, s } = connect(p);
  lostSeq = (c.iss + 1 + 3 * SMSS) >>> 0;
  const data = pattern(1 << 20);
  assert.deepEqual(transfer(p, c, s, data, 1), data);
  assert.equal(dropped, 1);
  const resent = p.sent.filter((x) => x.seq === lostSeq);
  assert.equal(resent.length, 1, 'the lost piece went out again exactly once as its own segment');
  assert.deepEqual([resent[0].payload, resent[0].gso], [SMSS, 0]);
  assert.equal(p.a.counters.retransmits, 1);
  assert.equal(p.a.counters.retransmitTimeouts, 0);
});

test('tsoMaxSegment > 0 needs a sink that offloads', () => {
  assert.throws(() => new TcpEngine(defaultTcpConfig({ tsoMaxSegment: 65535 }), { sendSegment: () => 0 }, 0),
    /tsoMaxSegment > 0 needs a sink with sendSegmentOffload/);
  assert.throws(() => new TcpEngine(defaultTcpConfig({ tsoMaxSegment: -1 }), { sendSegment: () => 0 }, 0), /must be >= 0/);
});

test('TSO after a retransmission timeout: a whole lost super-segment is resent from SND.UNA and the data arrives intact', () => {
  let firstSeq = -1;
  let dropped = 0;
  // Drop every piece of the first flight (the initial window), once each. No tail loss probe: it would resend
  // the last piece first (loss-recovery.test.ts); this test is about the RTO path.
  const p = pair(65535, (seq, len) => {
    if (firstSeq < 0 || len === 0) return false;
    const rel = (seq - firstSeq) >>> 0;
    if (rel < 10 * SMSS && dropped < 10) { dropped++; return true; }
    return false;
  }, false);
  const { c, s } = connect(p);
  firstSeq = (c.iss + 1) >>> 0;
  const data = pattern(300_000);
  assert.deepEqual(transfer(p, c, s, data, 1), data);
  assert.equal(dropped, 10);
  assert.equal(p.a.counters.retransmitTimeouts, 1);
  const resent = p.sent.filter((x) => x.seq === firstSeq && x.payload > 0);
  assert.equal(resent.length, 2, 'the first flight, then its retransmission from SND.UNA');
  assert.deepEqual([resent[1].payload, resent[1].gso], [SMSS, 0], 'after the RTO cwnd is one segment');
});
