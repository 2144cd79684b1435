import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatch } from './link.js';
import { SLAB_ALIGN, SLAB_MAX_BYTES, Slab, carveOrAllocate } from './slab.js';

test('slab carves 64-byte aligned views of one buffer until it is full, then returns null', () => {
  const slab = new Slab(1000);
  assert.equal(slab.size, 1024); // rounded up to SLAB_ALIGN
  const a = slab.carve(100);
  const b = slab.carve(1);
  assert.ok(a !== null && b !== null);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.length, 100);
  assert.equal(b.byteOffset, 2 * SLAB_ALIGN);
  assert.equal(b.length, 1);
  assert.equal(a.buffer, slab.bytes.buffer);
  assert.ok(slab.holds(a) && slab.holds(b));
  assert.equal(slab.used, 3 * SLAB_ALIGN);
  assert.equal(slab.carve(1024 - 3 * SLAB_ALIGN + 1), null);
  const rest = slab.carve(1024 - 3 * SLAB_ALIGN);
  assert.ok(rest !== null);
  assert.equal(rest.byteOffset + rest.length, 1024);
  assert.equal(slab.carve(1), null);
  assert.equal(slab.carve(0)?.length, 0);
  assert.throws(() => slab.carve(-1), RangeError);
});

test('slab size is capped at SLAB_MAX_BYTES', () => {
  assert.equal(SLAB_MAX_BYTES, 1 << 30);
  assert.equal(new Slab(0).size, 0);
  assert.throws(() => new Slab(Number.NaN), RangeError);
});

test('carveOrAllocate falls back to a standalone array when there is no slab or it is full', () => {
  const slab = new Slab(128);
  const inSlab = carveOrAllocate(slab, 100);
  assert.ok(slab.holds(inSlab));
  const outside = carveOrAllocate(slab, 100);
  assert.ok(!slab.holds(outside));
  assert.equal(outside.length, 100);
  assert.equal(carveOrAllocate(null, 7).length, 7);
});

test('FrameBatch takes its arena from a slab when given one', () => {
  const slab = new Slab(64 * 1536 + 64);
  const batch = new FrameBatch(64, 1536, slab);
  assert.ok(slab.holds(batch.data));
  assert.equal(batch.data.length, 64 * 1536);
  assert.equal(batch.offsets[63], 63 * 1536);
  const standalone = new FrameBatch(64, 1536, slab); // no room left
  assert.ok(!slab.holds(standalone.data));
  assert.equal(standalone.data.length, 64 * 1536);
});
