import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './buffer-pool.js';
import { ReceiveBuffer, RECEIVE_NO_MEMORY, RECEIVE_TOO_MANY_RANGES } from './receive-buffer.js';

/** Byte at stream position p: the same sequence number always carries the same byte. */
function byteAt(p: number): number {
  return (p * 131 + (p >> 8)) & 255;
}
function stream(start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = byteAt(start + i);
  return out;
}
function ranges(rb: ReceiveBuffer): number[] {
  const out = new Int32Array(64);
  const n = rb.outOfOrderRanges(out);
  return Array.from(out.subarray(0, 2 * n));
}
/** Seeded xorshift32. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

test('in-order writes advance the edge; reads consume; window follows', () => {
  const pool = new BufferPool(20, 1);
  const rb = new ReceiveBuffer(pool, 4);
  assert.equal(rb.capacity, 20);
  assert.equal(rb.window, 20);
  assert.equal(pool.inUse, 0);
  assert.equal(rb.write(0, stream(0, 8), 0, 8), 8);
  assert.equal(pool.inUse, 1);
  assert.equal(rb.readable, 8);
  assert.equal(rb.window, 12);
  const out = new Uint8Array(5);
  assert.equal(rb.peek(out, 0, 5), 5);
  assert.deepEqual(out, stream(0, 5));
  assert.equal(rb.readable, 8);
  assert.equal(rb.read(out, 0, 5), 5);
  assert.deepEqual(out, stream(0, 5));
  assert.equal(rb.readable, 3);
  assert.equal(rb.window, 17);
  rb.release();
  assert.equal(pool.inUse, 0);
});

test('bytes beyond the window are cut off', () => {
  const rb = new ReceiveBuffer(new BufferPool(10, 1), 4);
  assert.equal(rb.write(0, stream(0, 15), 0, 15), 10);
  assert.equal(rb.window, 0);
  assert.equal(rb.write(0, stream(10, 3), 0, 3), 0);
  const out = new Uint8Array(4);
  assert.equal(rb.read(out, 0, 4), 4);
  assert.deepEqual(out, stream(0, 4));
  // 4 free now: out-of-order data at offset 2 is cut at 4
  assert.equal(rb.write(2, stream(12, 5), 0, 5), 0);
  assert.deepEqual(ranges(rb), [2, 4]);
  assert.equal(rb.write(6, stream(16, 1), 0, 1), 0);
  assert.deepEqual(ranges(rb), [2, 4]);
  assert.equal(rb.write(0, stream(10, 2), 0, 2), 4);
  assert.equal(rb.readable, 10);
  const all = new Uint8Array(10);
  assert.equal(rb.read(all, 0, 10), 10);
  assert.deepEqual(all, stream(4, 10));
});

test('out-of-order insertion in every order of 5 segments gives the right edge and data', () => {
  const segs = [[0, 3], [3, 4], [7, 2], [9, 5], [14, 3]]; // [start, len] covering 0..17
  const perms: number[][] = [];
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) perms.push(prefix);
    for (let k = 0; k < rest.length; k++) permute([...prefix, rest[k]], [...rest.slice(0, k), ...rest.slice(k + 1)]);
  };
  permute([], [0, 1, 2, 3, 4]);
  assert.equal(perms.length, 120);
  for (const order of perms) {
    const rb = new ReceiveBuffer(new BufferPool(32, 1), 3);
    const have = new Array<boolean>(5).fill(false);
    let edge = 0;
    for (const s of order) {
      const [start, len] = segs[s];
      const adv = rb.write(start - edge, stream(start, len), 0, len);
      have[s] = true;
      let newEdge = 0;
      for (let k = 0; k < 5 && have[k]; k++) newEdge = segs[k][0] + segs[k][1];
      assert.equal(adv, newEdge - edge, `order ${order} seg ${s}`);
      edge = newEdge;
      assert.equal(rb.readable, edge);
    }
    assert.equal(rb.outOfOrderCount, 0);
    const out = new Uint8Array(17);
    assert.equal(rb.read(out, 0, 17), 17);
    assert.deepEqual(out, stream(0, 17));
  }
});

test('ranges merge when they touch or overlap and are reported relative to rcv.nxt', () => {
  const rb = new ReceiveBuffer(new BufferPool(100, 1), 3);
  assert.equal(rb.write(10, stream(10, 5), 0, 5), 0);
  assert.equal(rb.write(30, stream(30, 5), 0, 5), 0);
  assert.deepEqual(ranges(rb), [10, 15, 30, 35]);
  assert.equal(rb.write(15, stream(15, 3), 0, 3), 0); // touches the first
  assert.deepEqual(ranges(rb), [10, 18, 30, 35]);
  assert.equal(rb.write(20, stream(20, 2), 0, 2), 0);
  assert.deepEqual(ranges(rb), [10, 18, 20, 22, 30, 35]);
  assert.equal(rb.write(12, stream(12, 20), 0, 20), 0); // swallows three into one
  assert.deepEqual(ranges(rb), [10, 35]);
  assert.equal(rb.write(0, stream(0, 4), 0, 4), 4);
  assert.deepEqual(ranges(rb), [6, 31]);
  assert.equal(rb.write(0, stream(4, 6), 0, 6), 31);
  assert.equal(rb.outOfOrderCount, 0);
  const out = new Uint8Array(35);
  assert.equal(rb.read(out, 0, 40), 35);
  assert.deepEqual(out, stream(0, 35));
});

test('more than maxRanges returns -1 and stores nothing', () => {
  const rb = new ReceiveBuffer(new BufferPool(100, 1), 2);
  assert.equal(rb.write(10, stream(10, 2), 0, 2), 0);
  assert.equal(rb.write(20, stream(20, 2), 0, 2), 0);
  assert.equal(rb.write(30, stream(30, 2), 0, 2), RECEIVE_TOO_MANY_RANGES);
  assert.equal(rb.write(5, stream(5, 2), 0, 2), RECEIVE_TOO_MANY_RANGES);
  assert.deepEqual(ranges(rb), [10, 12, 20, 22]);
  // filling the hole at the front reduces the count and still succeeds
  assert.equal(rb.write(0, stream(0, 3), 0, 3), 3);
  // extending or bridging existing ranges is allowed when full
  assert.equal(rb.write(9, stream(12, 10), 0, 10), 0);
  assert.deepEqual(ranges(rb), [7, 19]);
  // data written at a refused offset must not have been stored: fill stream 3..10 and see exactly 0..22
  assert.equal(rb.write(0, stream(3, 4), 0, 4), 4);
  assert.deepEqual(ranges(rb), [3, 15]);
  assert.equal(rb.write(0, stream(7, 3), 0, 3), 15);
  assert.equal(rb.readable, 22);
  const out = new Uint8Array(22);
  rb.read(out, 0, 22);
  assert.deepEqual(out, stream(0, 22));
  // with maxRanges = 0 only in-order data is accepted
  const strict = new ReceiveBuffer(new BufferPool(10, 1), 0);
  assert.equal(strict.write(1, stream(1, 2), 0, 2), RECEIVE_TOO_MANY_RANGES);
  assert.equal(strict.write(0, stream(0, 2), 0, 2), 2);
});

test('a refused write leaves earlier bytes intact (nothing stored)', () => {
  const rb = new ReceiveBuffer(new BufferPool(16, 1), 1);
  assert.equal(rb.write(4, stream(4, 2), 0, 2), 0);
  const junk = new Uint8Array(4).fill(0xee);
  assert.equal(rb.write(8, junk, 0, 4), RECEIVE_TOO_MANY_RANGES);
  assert.equal(rb.write(0, stream(0, 4), 0, 4), 6);
  assert.equal(rb.write(0, stream(6, 6), 0, 6), 6);
  const out = new Uint8Array(12);
  rb.read(out, 0, 12);
  assert.deepEqual(out, stream(0, 12));
});

test('overlapping and duplicate writes are idempotent', () => {
  const rb = new ReceiveBuffer(new BufferPool(50, 1), 4);
  assert.equal(rb.write(5, stream(5, 10), 0, 10), 0);
  assert.equal(rb.write(5, stream(5, 10), 0, 10), 0);
  assert.equal(rb.write(7, stream(7, 3), 0, 3), 0);
  assert.deepEqual(ranges(rb), [5, 15]);
  assert.equal(rb.write(0, stream(0, 8), 0, 8), 15);
  assert.equal(rb.write(0, stream(15, 5), 0, 5), 5);
  const out = new Uint8Array(20);
  rb.read(out, 0, 20);
  assert.deepEqual(out, stream(0, 20));
});

test('pool exhaustion: write returns RECEIVE_NO_MEMORY and stores nothing', () => {
  const pool = new BufferPool(16, 1);
  const a = new ReceiveBuffer(pool, 2);
  const b = new ReceiveBuffer(pool, 2);
  assert.equal(a.write(0, stream(0, 1), 0, 1), 1);
  assert.equal(b.write(0, stream(0, 1), 0, 1), RECEIVE_NO_MEMORY);
  assert.equal(b.readable, 0);
  assert.equal(b.ensureStorage(), false);
  a.release();
  assert.equal(b.ensureStorage(), true);
  assert.equal(b.write(0, stream(0, 1), 0, 1), 1);
});

test('wrap-around at every ring position for in-order and out-of-order data', () => {
  const cap = 11;
  for (let head = 0; head < cap; head++) {
    for (let gap = 0; gap < cap; gap++) {
      const rb = new ReceiveBuffer(new BufferPool(cap, 1), 2);
      // move the head to `head` while keeping one byte so the head does not reset
      assert.equal(rb.write(0, stream(0, head + 1), 0, head + 1), head + 1);
      const skip = new Uint8Array(cap);
      assert.equal(rb.read(skip, 0, head), head);
      // stream position head is at ring index head; out-of-order data gap bytes later, up to the window
      const len = cap - 1 - gap;
      if (len > 0) assert.equal(rb.write(gap, stream(head + 1 + gap, len), 0, len), gap === 0 ? len : 0);
      if (gap > 0) assert.equal(rb.write(0, stream(head + 1, gap), 0, gap), gap + Math.max(len, 0));
      assert.equal(rb.readable, cap);
      for (let n = 0; n <= cap; n++) {
        const out = new Uint8Array(n);
        assert.equal(rb.peek(out, 0, n), n);
        assert.deepEqual(out, stream(head, n), `head ${head} gap ${gap} n ${n}`);
      }
    }
  }
});

test('randomized model test against a byte array (seeded, bounded)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed * 7919);
    const cap = 16 + Math.floor(rand() * 300);
    const maxRanges = Math.floor(rand() * 5);
    const rb = new ReceiveBuffer(new BufferPool(cap, 1), maxRanges);
    // Model: stream positions [readPos, readPos + cap) -> has byte?
    let readPos = 0; // next byte the application reads
    let nxt = 0; // rcv.nxt
    const have = new Map<number, boolean>();
    for (let step = 0; step < 400; step++) {
      if (rand() < 0.6) {
        const offset = Math.floor(rand() * (cap + 20));
        const len = Math.floor(rand() * 80);
        const window = cap - (nxt - readPos);
        const end = Math.min(offset + len, window);
        // model: compute ranges after insertion
        const trial = new Map(have);
        for (let p = nxt + offset; p < nxt + end; p++) trial.set(p, true);
        let edge = nxt;
        while (trial.get(edge)) edge++;
        let count = 0;
        for (let p = edge; p < readPos + cap; p++) if (trial.get(p) && !trial.get(p - 1)) count++;
        const got = rb.write(offset, stream(nxt + offset, len), 0, len);
        if (len === 0 || offset >= window) {
          assert.equal(got, 0);
        } else if (count > maxRanges) {
          assert.equal(got, RECEIVE_TOO_MANY_RANGES, `seed ${seed} step ${step}`);
        } else {
          assert.equal(got, edge - nxt, `seed ${seed} step ${step}`);
          for (const [k, v] of trial) have.set(k, v);
          nxt = edge;
        }
      } else {
        const n = Math.floor(rand() * 60);
        const out = new Uint8Array(n);
        const got = rb.read(out, 0, n);
        assert.equal(got, Math.min(n, nxt - readPos));
        assert.deepEqual(out.subarray(0, got), stream(readPos, got));
        for (let p = readPos; p < readPos + got; p++) have.delete(p);
        readPos += got;
      }
      assert.equal(rb.readable, nxt - readPos);
      assert.equal(rb.window, cap - (nxt - readPos));
      const expect: number[] = [];
      for (let p = nxt; p < readPos + cap; p++) {
        if (have.get(p) && !have.get(p - 1)) expect.push(p - nxt);
        if (have.get(p) && !have.get(p + 1)) expect.push(p + 1 - nxt);
      }
      assert.deepEqual(ranges(rb), expect, `seed ${seed} step ${step}`);
    }
  }
});
