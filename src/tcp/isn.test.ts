import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsnGenerator } from './isn.js';

const A = 0x0a000001;
const B = 0x0a000002;

function secret(seed: number): Uint8Array {
  const s = new Uint8Array(32);
  for (let i = 0; i < 32; i++) s[i] = (seed * 37 + i * 11) & 255;
  return s;
}

test('ISN advances by 250 per millisecond for one 4-tuple (RFC 6528 4 µs clock)', () => {
  const g = new IsnGenerator(secret(1));
  const a = g.next(A, 80, B, 40000, 1000);
  assert.equal(g.next(A, 80, B, 40000, 1000), a);
  assert.equal(g.next(A, 80, B, 40000, 1001), (a + 250) >>> 0);
  assert.equal(g.next(A, 80, B, 40000, 1000.5), (a + 125) >>> 0);
  // wraps modulo 2^32: 2^32 / 250 ms later it is back
  assert.equal(g.next(A, 80, B, 40000, 1000 + 4294967296 / 250), a);
  assert.ok(Number.isInteger(a) && a >= 0 && a <= 0xffffffff);
});

test('ISN changes with every element of the 4-tuple and with the secret', () => {
  const g = new IsnGenerator(secret(1));
  const base = g.next(A, 80, B, 40000, 5000);
  const variants = [
    g.next(A + 1, 80, B, 40000, 5000),
    g.next(A, 81, B, 40000, 5000),
    g.next(A, 80, B + 1, 40000, 5000),
    g.next(A, 80, B, 40001, 5000),
    g.next(B, 40000, A, 80, 5000), // the reverse direction
    new IsnGenerator(secret(2)).next(A, 80, B, 40000, 5000),
  ];
  const all = new Set([base, ...variants]);
  assert.equal(all.size, 7);
  // the offsets between 4-tuples are not small (no shared linear clock)
  for (const v of variants) {
    const d = Math.abs(((v - base) | 0));
    assert.ok(d > 1_000_000, `offset ${d}`);
  }
  assert.throws(() => new IsnGenerator(new Uint8Array(8)), RangeError);
});
