import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArpCache, ARP_FAILED, ARP_INCOMPLETE, ARP_REACHABLE, ARP_STATIC, LEARN_CREATED, LEARN_NONE, LEARN_RESOLVED,
  LEARN_STATIC_KEPT, LEARN_UPDATED,
} from './arp-cache.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const mac = (last: number) => new Uint8Array([2, 0, 0, 0, 0, last]);

test('static entries: exact and prefix (longest first), never overwritten by ARP traffic', () => {
  const arp = new ArpCache();
  arp.addStatic(ip(10, 0, 0, 9), 32, mac(9));
  arp.addStatic(ip(10, 0, 1, 0), 16, mac(16));
  arp.addStatic(ip(10, 0, 1, 0), 24, mac(24));
  const out = new Uint8Array(8);
  assert.equal(arp.resolveInto(ip(10, 0, 0, 9), out, 1), arp.find(ip(10, 0, 0, 9)));
  assert.deepEqual([...out.subarray(1, 7)], [...mac(9)]);
  assert.equal(arp.resolveInto(ip(10, 0, 1, 77), out, 0), arp.capacity);
  assert.equal(out[5], 24);
  assert.equal(arp.resolveInto(ip(10, 0, 2, 77), out, 0), arp.capacity);
  assert.equal(out[5], 16);
  assert.equal(arp.resolveInto(ip(10, 1, 0, 1), out, 0), -1);
  assert.equal(arp.learn(ip(10, 0, 0, 9), mac(99), 0, true, 1, 0), LEARN_STATIC_KEPT);
  assert.equal(arp.stateOf(arp.find(ip(10, 0, 0, 9))), ARP_STATIC);
  arp.resolveInto(ip(10, 0, 0, 9), out, 0);
  assert.equal(out[5], 9);
});

test('dynamic life cycle: resolve, learn, refresh, age out; failure and hold', () => {
  const arp = new ArpCache({ reachableMs: 1000, retryMs: 100, maxRequests: 2, failedHoldMs: 300 });
  const a = ip(10, 0, 0, 2);
  const out = new Uint8Array(6);
  assert.equal(arp.learn(a, mac(2), 0, false, 1, 0), LEARN_NONE, 'not addressed to us: nothing created');
  const slot = arp.beginResolution(a, 7, 10);
  assert.equal(arp.stateOf(slot), ARP_INCOMPLETE);
  assert.equal(arp.ownerOf(slot), 7);
  assert.equal(arp.incompleteCount, 1);
  assert.equal(arp.deadlineOf(slot), 10);
  assert.equal(arp.beginResolution(a, 7, 20), slot, 'second call reuses the pending entry');
  arp.markRequestSent(slot, 10);
  assert.equal(arp.requestsOf(slot), 1);
  assert.equal(arp.deadlineOf(slot), 110);
  assert.equal(arp.resolveInto(a, out, 0), -1);
  assert.equal(arp.learn(a, mac(2), 0, false, 1, 50), LEARN_RESOLVED);
  assert.equal(arp.incompleteCount, 0);
  assert.equal(arp.stateOf(slot), ARP_REACHABLE);
  assert.equal(arp.requestsOf(slot), 0);
  assert.equal(arp.resolveInto(a, out, 0), slot);
  assert.deepEqual([...out], [...mac(2)]);
  assert.equal(arp.learn(a, mac(3), 0, false, 1, 500), LEARN_UPDATED);
  assert.equal(arp.deadlineOf(slot), 1500);
  assert.equal(arp.expire(1499), 0);
  assert.equal(arp.expire(1500), 1);
  assert.equal(arp.find(a), -1);

  const s2 = arp.beginResolution(a, 7, 2000);
  arp.markFailed(s2, 2000);
  assert.equal(arp.stateOf(s2), ARP_FAILED);
  assert.equal(arp.incompleteCount, 0);
  assert.equal(arp.expire(2299), 0);
  assert.equal(arp.expire(2300), 0, 'failed entries are released without counting as expired');
  assert.equal(arp.find(a), -1);
  assert.equal(arp.learn(a, mac(4), 0, true, 1, 3000), LEARN_CREATED);
  assert.equal(arp.describe().length, 1);
  assert.equal(arp.describe()[0].mac, '02:00:00:00:00:04');
});

test('a full table evicts the learnt entry closest to expiry, never static or pending ones', () => {
  const arp = new ArpCache({ capacity: 3, reachableMs: 1000 });
  arp.addStatic(ip(10, 0, 0, 1), 32, mac(1));
  arp.learn(ip(10, 0, 0, 2), mac(2), 0, true, 1, 0);
  arp.learn(ip(10, 0, 0, 3), mac(3), 0, true, 1, 10);
  assert.equal(arp.learn(ip(10, 0, 0, 4), mac(4), 0, true, 1, 20), LEARN_CREATED);
  assert.equal(arp.find(ip(10, 0, 0, 2)), -1, 'oldest learnt entry evicted');
  assert.ok(arp.find(ip(10, 0, 0, 1)) >= 0);
  const p1 = arp.beginResolution(ip(10, 0, 0, 5), 1, 30);
  const p2 = arp.beginResolution(ip(10, 0, 0, 6), 1, 30);
  assert.ok(p1 >= 0 && p2 >= 0);
  assert.equal(arp.beginResolution(ip(10, 0, 0, 7), 1, 30), -1, 'only static and pending entries left');
  assert.throws(() => arp.addStatic(ip(10, 0, 0, 8), 32, mac(8)), /ARP table full/);
});
