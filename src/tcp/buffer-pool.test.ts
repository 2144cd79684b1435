import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from '../link/copy.js';
import { BufferPool } from './buffer-pool.js';
import { Slab } from '../link/slab.js';

test('pool hands out blocks up to maxBlocks, then null, and recycles released blocks', () => {
  const pool = new BufferPool(128, 2);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.ok(a !== null && b !== null);
  assert.notEqual(a, b);
  assert.equal(a.length, 128);
  assert.equal(pool.inUse, 2);
  assert.equal(pool.acquire(), null);
  pool.release(a);
  assert.equal(pool.inUse, 1);
  const c = pool.acquire();
  assert.equal(c, a);
  assert.equal(pool.allocated, 2);
});

test('pool rejects foreign blocks and over-release', () => {
  const pool = new BufferPool(64, 1);
  assert.throws(() => pool.release(new Uint8Array(64)), /more blocks released/);
  pool.acquire();
  assert.throws(() => pool.release(new Uint8Array(32)), /not from this pool/);
  assert.throws(() => new BufferPool(0, 1), RangeError);
});

test('copyBytes copies small and large ranges exactly', () => {
  for (const len of [0, 1, 31, 32, 33, 100]) {
    const src = new Uint8Array(200);
    for (let i = 0; i < 200; i++) src[i] = (i * 7 + 3) & 255;
    const dst = new Uint8Array(200);
    copyBytes(src, 5, dst, 11, len);
    for (let i = 0; i < 200; i++) {
      const expected = i >= 11 && i < 11 + len ? src[i - 6] : 0;
      assert.equal(dst[i], expected, `len ${len} byte ${i}`);
    }
  }
  const whole = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]);
  const out = new Uint8Array(40);
  copyBytes(whole, 0, out, 3, whole.length);
  assert.deepEqual(Array.from(out.subarray(3, 37)), Array.from(whole));
  assert.equal(out[2], 0);
  assert.equal(out[37], 0);
});

test('pool carves new blocks from a slab while it has room, then makes standalone ones', () => {
  const slab = new Slab(2 * 128);
  const pool = new BufferPool(100, 4, slab);
  const a = pool.acquire();
  const b = pool.acquire();
  const c = pool.acquire();
  assert.ok(a !== null && b !== null && c !== null);
  assert.ok(slab.holds(a) && slab.holds(b));
  assert.ok(!slab.holds(c));
  assert.equal(c.length, 100);
  assert.equal(b.byteOffset, 128);
  pool.release(a);
  assert.equal(pool.acquire(), a); // recycled, not carved again
  assert.equal(slab.used, 256);
});
