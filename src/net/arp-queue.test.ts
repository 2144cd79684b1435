import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArpWaitQueue } from './arp-queue.js';

test('wait queue: FIFO per next hop, removal out of order, oldest dropped when full, age limit', () => {
  const q = new ArpWaitQueue(4, 100);
  assert.ok(q.isEmpty);
  const a1 = q.append(1, 10, 0);
  const b1 = q.append(2, 20, 1);
  const a2 = q.append(1, 30, 2);
  assert.deepEqual([a1, b1, a2], [0, 1, 2]);
  assert.equal(q.offsetOf(a2), 200);
  assert.equal(q.length, 3);
  const first = q.findFrom(0, 1);
  assert.equal(first % 4, a1);
  const second = q.findFrom(Math.floor(first / 4) + 1, 1);
  assert.equal(second % 4, a2);
  assert.equal(q.findFrom(Math.floor(second / 4) + 1, 1), -1);
  assert.equal(q.removeFor(1), 2);
  assert.equal(q.length, 1);
  assert.equal(q.lengthOf(b1), 20);
  q.append(3, 40, 3);
  q.append(3, 50, 4); // ring: b1 (head), hole left by a2, 40, 50
  assert.ok(q.isFull);
  assert.equal(q.length, 3);
  assert.throws(() => q.append(3, 1, 4), /full/);
  q.dropOldest(); // b1 goes, and the head skips the hole
  assert.ok(!q.isFull);
  assert.equal(q.findFrom(0, 2), -1, 'the oldest (next hop 2) went');
  q.append(3, 60, 5);
  assert.equal(q.length, 3);
  assert.equal(q.removeOlderThan(5), 2);
  assert.equal(q.length, 1);
  assert.equal(q.removeOlderThan(6), 1);
  assert.ok(q.isEmpty);
});
