import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './buffer-pool.js';
import { SendBuffer } from './send-buffer.js';

function pattern(start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (start + i) * 31 & 255;
  return out;
}

test('storage is taken on the first write and returned by release', () => {
  const pool = new BufferPool(16, 1);
  const sb = new SendBuffer(pool);
  assert.equal(sb.capacity, 16);
  assert.equal(pool.inUse, 0);
  assert.equal(sb.write(new Uint8Array(0), 0, 0), 0);
  assert.equal(pool.inUse, 0);
  assert.equal(sb.write(pattern(0, 4), 0, 4), 4);
  assert.equal(pool.inUse, 1);
  assert.equal(sb.length, 4);
  assert.equal(sb.free, 12);
  sb.release();
  assert.equal(pool.inUse, 0);
  assert.equal(sb.length, 0);
  assert.equal(sb.hasStorage, false);
});

test('write returns -1 when the pool is exhausted', () => {
  const pool = new BufferPool(16, 1);
  const a = new SendBuffer(pool);
  const b = new SendBuffer(pool);
  assert.equal(a.write(pattern(0, 3), 0, 3), 3);
  assert.equal(b.write(pattern(0, 3), 0, 3), -1);
  assert.equal(b.length, 0);
  a.release();
  assert.equal(b.write(pattern(0, 3), 0, 3), 3);
});

test('write is limited to free space', () => {
  const sb = new SendBuffer(new BufferPool(10, 1));
  assert.equal(sb.write(pattern(0, 7), 0, 7), 7);
  assert.equal(sb.write(pattern(7, 7), 0, 7), 3);
  assert.equal(sb.free, 0);
  assert.equal(sb.write(pattern(10, 1), 0, 1), 0);
  const out = new Uint8Array(10);
  sb.copyOut(0, out, 0, 10);
  assert.deepEqual(out, pattern(0, 10));
});

test('wrap-around at every head position, every offset and length', () => {
  const cap = 13;
  for (let head = 0; head < cap; head++) {
    const sb = new SendBuffer(new BufferPool(cap, 1));
    // Put the ring head at index `head`, then fill the ring so the data wraps at cap - head.
    assert.equal(sb.write(pattern(1000, head), 0, head), head);
    assert.equal(sb.write(pattern(0, cap - head), 0, cap - head), cap - head);
    sb.consume(head);
    assert.equal(sb.write(pattern(cap - head, head + 1), 0, head + 1), head);
    assert.equal(sb.length, cap);
    for (let off = 0; off < cap; off++) {
      for (let n = 0; off + n <= cap; n++) {
        const out = new Uint8Array(n + 2);
        sb.copyOut(off, out, 1, n);
        assert.equal(out[0], 0);
        assert.equal(out[n + 1], 0);
        assert.deepEqual(out.subarray(1, n + 1), pattern(off, n), `head ${head} off ${off} n ${n}`);
      }
    }
    sb.consume(5);
    assert.equal(sb.write(pattern(cap, 5), 0, 5), 5);
    const out = new Uint8Array(cap);
    sb.copyOut(0, out, 0, cap);
    assert.deepEqual(out, pattern(5, cap));
  }
});

test('streaming through a small ring preserves every byte (large copies too)', () => {
  const cap = 4096;
  const sb = new SendBuffer(new BufferPool(cap, 1));
  let written = 0;
  let acked = 0;
  const out = new Uint8Array(cap);
  for (let step = 0; step < 200; step++) {
    const want = (step * 977) % 3000 + 1;
    const src = pattern(written, want);
    written += sb.write(src, 0, want);
    const n = Math.min(sb.length, (step * 1311) % 2500 + 1);
    sb.copyOut(0, out, 0, n);
    assert.deepEqual(out.subarray(0, n), pattern(acked, n));
    sb.consume(n);
    acked += n;
  }
  assert.equal(written - acked, sb.length);
  assert.ok(acked > 100000);
});

test('copyOut and consume reject ranges outside the bytes held', () => {
  const sb = new SendBuffer(new BufferPool(8, 1));
  sb.write(pattern(0, 4), 0, 4);
  assert.throws(() => sb.copyOut(2, new Uint8Array(8), 0, 3), RangeError);
  assert.throws(() => sb.consume(5), RangeError);
  sb.copyOut(4, new Uint8Array(1), 0, 0);
});
