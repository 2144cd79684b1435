import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  onesComplementSum, finishChecksum, pseudoHeaderSum, tcpChecksum, verifyTcpChecksum, updateChecksum16,
  updateChecksum32,
} from './checksum.js';
import { hexToBytes, makeRng } from './testutil.js';

/** Plain reference: sum of words with a fold after each addition (RFC 1071 §4.1 style), complemented. */
function referenceChecksum(bytes: Uint8Array, off: number, len: number, start = 0): number {
  let sum = start;
  for (let i = 0; i < len; i += 2) {
    const word = (bytes[off + i] << 8) | (i + 1 < len ? bytes[off + i + 1] : 0);
    sum += word;
    if (sum > 0xffff) sum = (sum & 0xffff) + 1;
  }
  return ~sum & 0xffff;
}

test('RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
  const b = hexToBytes('0001f203f4f5f6f7');
  assert.equal(finishChecksum(onesComplementSum(b, 0, 8, 0)), ~0xddf2 & 0xffff);
});

test('a well-known IPv4 header checksums to its stored value 0xb861', () => {
  const hdr = hexToBytes('450000730000400040110000c0a80001c0a800c7');
  assert.equal(finishChecksum(onesComplementSum(hdr, 0, 20, 0)), 0xb861);
  hdr[10] = 0xb8; hdr[11] = 0x61;
  assert.equal(finishChecksum(onesComplementSum(hdr, 0, 20, 0)), 0);
});

test('odd length pads the last byte as the high byte; offsets are honoured', () => {
  const b = Uint8Array.of(0xee, 0x12, 0x34, 0x56);
  assert.equal(finishChecksum(onesComplementSum(b, 1, 3, 0)), ~(0x1234 + 0x5600) & 0xffff);
  assert.equal(finishChecksum(onesComplementSum(b, 1, 0, 0)), 0xffff);
  assert.throws(() => onesComplementSum(b, 2, 3, 0), RangeError);
});

test('random buffers match the reference, including very long ones and chained accumulators (seed 1071)', () => {
  const rng = makeRng(1071);
  for (let trial = 0; trial < 300; trial++) {
    const len = trial < 5 ? 65535 - trial : Math.floor(rng() * 3000);
    const off = Math.floor(rng() * 7);
    const b = new Uint8Array(off + len + 3);
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rng() * 256);
    assert.equal(finishChecksum(onesComplementSum(b, off, len, 0)), referenceChecksum(b, off, len), `trial ${trial}`);
    // Splitting at an even point and chaining the accumulator gives the same result.
    const cut = Math.floor(rng() * (len + 1)) & ~1;
    const acc = onesComplementSum(b, off + cut, len - cut, onesComplementSum(b, off, cut, 0));
    assert.equal(finishChecksum(acc), referenceChecksum(b, off, len), `split trial ${trial}`);
  }
});

test('all-0xff data folds correctly (largest sums)', () => {
  const b = new Uint8Array(70000).fill(0xff);
  assert.equal(finishChecksum(onesComplementSum(b, 0, b.length, 0)), referenceChecksum(b, 0, b.length));
  assert.equal(finishChecksum(onesComplementSum(b, 0, 4, 0x7fff8000)), referenceChecksum(b, 0, 4, 0xffff));
});

test('pseudoHeaderSum adds the address halves, protocol and length', () => {
  assert.equal(pseudoHeaderSum(0x0a4d0901, 0x0a4d0902, 6, 40), 0x0a4d + 0x0901 + 0x0a4d + 0x0902 + 6 + 40);
  assert.equal(pseudoHeaderSum(0xffffffff, 0xffffffff, 6, 0xffff), 4 * 0xffff + 6 + 0xffff);
});

test('tcpChecksum skips the checksum field; verifyTcpChecksum accepts the filled segment', () => {
  const rng = makeRng(793);
  for (let trial = 0; trial < 100; trial++) {
    const len = 20 + Math.floor(rng() * 200);
    const seg = new Uint8Array(len + 4);
    for (let i = 0; i < seg.length; i++) seg[i] = Math.floor(rng() * 256);
    const src = Math.floor(rng() * 2 ** 32) >>> 0;
    const dst = Math.floor(rng() * 2 ** 32) >>> 0;
    const c1 = tcpChecksum(seg, 2, len, src, dst);
    seg[2 + 16] = 0; seg[2 + 17] = 0;
    // Reference: pseudo-header bytes followed by the segment with a zero checksum field.
    const pseudo = new Uint8Array(12 + len);
    pseudo.set([src >>> 24, (src >>> 16) & 255, (src >>> 8) & 255, src & 255, dst >>> 24, (dst >>> 16) & 255, (dst >>> 8) & 255, dst & 255, 0, 6, len >>> 8, len & 255]);
    pseudo.set(seg.subarray(2, 2 + len), 12);
    assert.equal(c1, referenceChecksum(pseudo, 0, pseudo.length), `trial ${trial}`);
    assert.equal(tcpChecksum(seg, 2, len, src, dst), c1);
    assert.equal(verifyTcpChecksum(seg, 2, len, src, dst), c1 === 0);
    seg[2 + 16] = c1 >>> 8; seg[2 + 17] = c1 & 0xff;
    assert.equal(verifyTcpChecksum(seg, 2, len, src, dst), true);
    assert.equal(verifyTcpChecksum(seg, 2, len, src ^ 1, dst), false);
    seg[2 + 20] ^= 0x40;
    assert.equal(verifyTcpChecksum(seg, 2, len, src, dst), false);
  }
  assert.equal(verifyTcpChecksum(new Uint8Array(10), 0, 20, 1, 2), false);
  assert.throws(() => tcpChecksum(new Uint8Array(40), 0, 17, 1, 2), RangeError);
});

test('RFC 1624 incremental update equals a full recomputation (seed 1624)', () => {
  const rng = makeRng(1624);
  for (let trial = 0; trial < 2000; trial++) {
    const len = 2 * (1 + Math.floor(rng() * 40));
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = trial % 50 === 0 ? 0xff : Math.floor(rng() * 256);
    const before = finishChecksum(onesComplementSum(b, 0, len, 0));
    const at = 2 * Math.floor(rng() * (len / 2));
    const oldWord = (b[at] << 8) | b[at + 1];
    const newWord = trial % 7 === 0 ? 0 : trial % 11 === 0 ? 0xffff : Math.floor(rng() * 65536);
    b[at] = newWord >>> 8; b[at + 1] = newWord & 0xff;
    const after = finishChecksum(onesComplementSum(b, 0, len, 0));
    // All-zero data is the one case where the two forms of zero differ (RFC 1624 §3); it cannot occur in
    // an IPv4 header (version 4) or under the TCP pseudo-header (protocol 6).
    const expected = b.every((x) => x === 0) ? 0 : after;
    assert.equal(updateChecksum16(before, oldWord, newWord), expected, `trial ${trial} at ${at}`);
  }
});

test('RFC 1624 32-bit update (an address change) equals a full recomputation', () => {
  const rng = makeRng(32);
  for (let trial = 0; trial < 500; trial++) {
    const b = new Uint8Array(20);
    for (let i = 0; i < 20; i++) b[i] = Math.floor(rng() * 256);
    const before = finishChecksum(onesComplementSum(b, 0, 20, 0));
    const oldValue = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) >>> 0;
    const newValue = Math.floor(rng() * 2 ** 32) >>> 0;
    b[12] = newValue >>> 24; b[13] = (newValue >>> 16) & 255; b[14] = (newValue >>> 8) & 255; b[15] = newValue & 255;
    assert.equal(updateChecksum32(before, oldValue, newValue), finishChecksum(onesComplementSum(b, 0, 20, 0)));
  }
});

test('int32 forms of addresses give the same pseudo-header sum and TCP checksum', () => {
  assert.equal(pseudoHeaderSum(0xc0a80001 | 0, 0xfffffffe | 0, 6, 20), pseudoHeaderSum(0xc0a80001, 0xfffffffe, 6, 20));
  const seg = new Uint8Array(24).fill(0x5a);
  assert.equal(tcpChecksum(seg, 0, 24, 0xc0a80001 | 0, 0x80000000 | 0), tcpChecksum(seg, 0, 24, 0xc0a80001, 0x80000000));
  assert.equal(updateChecksum32(0x1234, 0xc0a80001 | 0, 0x0a000001), updateChecksum32(0x1234, 0xc0a80001, 0x0a000001));
});
