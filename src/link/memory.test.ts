import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_BURST } from './link.js';
import { MemorySwitch } from './memory.js';
import { BROADCAST, mac, numberedFrame, receiveAll, sameBytes, sendFrames } from './test-frames.js';

test('delivers a unicast frame byte for byte and counts it', () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  const frame = numberedFrame(mac(2), mac(1), 7, 100);
  assert.equal(sendFrames(a, [frame]), 1);
  const got = receiveAll(b);
  assert.equal(got.length, 1);
  assert.ok(sameBytes(got[0], frame));
  assert.deepEqual({ ...a.counters }, { rxFrames: 0, rxBytes: 0, txFrames: 1, txBytes: 100, rxDropped: 0, txDropped: 0 });
  assert.deepEqual({ ...b.counters }, { rxFrames: 1, rxBytes: 100, txFrames: 0, txBytes: 0, rxDropped: 0, txDropped: 0 });
  assert.equal(sw.counters.flooded, 1); // mac(2) was not learnt yet
  sw.close();
});

test('learns source MACs, unicasts to the learnt port, floods unknown and broadcast', () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  const c = sw.createPort('c');
  // a (mac 1) broadcasts: b and c get it, a does not; the switch learns mac 1 on a.
  sendFrames(a, [numberedFrame(BROADCAST, mac(1), 1)]);
  assert.equal(receiveAll(a).length, 0);
  assert.equal(receiveAll(b).length, 1);
  assert.equal(receiveAll(c).length, 1);
  assert.equal(sw.lookup(mac(1)), a);
  assert.equal(sw.lookup(mac(2)), null);
  // b (mac 2) answers a: unicast, c sees nothing.
  sendFrames(b, [numberedFrame(mac(1), mac(2), 2)]);
  assert.equal(receiveAll(a).length, 1);
  assert.equal(receiveAll(c).length, 0);
  assert.equal(sw.lookup(mac(2)), b);
  // To an unknown unicast address: flooded to a and b, not back to c.
  sendFrames(c, [numberedFrame(mac(9), mac(3), 3)]);
  assert.equal(receiveAll(a).length, 1);
  assert.equal(receiveAll(b).length, 1);
  assert.equal(receiveAll(c).length, 0);
  // A multicast destination (01:00:5e:...) is flooded too.
  sendFrames(a, [numberedFrame(new Uint8Array([1, 0, 0x5e, 0, 0, 1]), mac(1), 4)]);
  assert.equal(receiveAll(b).length + receiveAll(c).length, 2);
  // A frame for a station learnt on the sending port is filtered.
  sendFrames(a, [numberedFrame(mac(1), mac(1), 5)]);
  assert.equal(receiveAll(b).length + receiveAll(c).length, 0);
  assert.deepEqual({ ...sw.counters }, { unicast: 1, flooded: 3, filtered: 1, queueFull: 0, runts: 0, tableFull: 0 });
  // A station that moves is re-learnt on its new port.
  sendFrames(c, [numberedFrame(BROADCAST, mac(2), 6)]);
  assert.equal(sw.lookup(mac(2)), c);
  // After a port closes, its addresses are unknown and flooded to the remaining ports.
  receiveAll(a);
  receiveAll(b);
  c.close();
  sendFrames(a, [numberedFrame(mac(2), mac(1), 7)]);
  assert.equal(receiveAll(b).length, 1);
  assert.equal(sw.portCount, 2);
  sw.close();
});

test('a group source address is never learnt', () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  sw.createPort('b');
  sendFrames(a, [numberedFrame(mac(2), BROADCAST, 1)]);
  assert.equal(sw.lookup(BROADCAST), null);
  sw.close();
});

test('drops and counts when the receive ring is full', () => {
  const sw = new MemorySwitch({ queueFrames: 100 });
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 150; i++) frames.push(numberedFrame(mac(2), mac(1), i));
  assert.equal(sendFrames(a, frames), 150);
  assert.equal(b.queued, 100);
  assert.equal(b.counters.rxDropped, 50);
  assert.equal(sw.counters.queueFull, 50);
  const got = receiveAll(b);
  assert.equal(got.length, 100);
  // The oldest frames are kept, in order.
  for (let i = 0; i < 100; i++) assert.equal(new DataView(got[i].buffer).getUint32(14), i);
  sw.close();
});

test('bursts: reserve() takes at most MAX_BURST frames, receive() returns at most MAX_BURST', () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  assert.equal(a.tx.slotSize, 1536, 'slots rounded up to 64 bytes');
  for (let i = 0; i < MAX_BURST; i++) assert.equal(a.reserve(60), i * 1536);
  assert.equal(a.reserve(60), -1);
  assert.equal(a.tx.count, MAX_BURST);
  for (let i = 0; i < MAX_BURST; i++) a.tx.data.set(numberedFrame(mac(2), mac(1), i, 60), i * 1536);
  assert.equal(a.flush(), MAX_BURST);
  assert.equal(a.tx.count, 0);
  assert.equal(a.reserve(1515), -1, 'larger than maxFrameSize');
  assert.equal(a.reserve(1514), 0);
  a.tx.data.set(numberedFrame(mac(2), mac(1), 64, 1514), 0);
  assert.equal(a.flush(), 1);
  assert.equal(b.receive(), MAX_BURST);
  assert.equal(b.rx.count, MAX_BURST);
  assert.equal(b.receive(), 1);
  assert.equal(b.rx.lengths[0], 1514);
  assert.equal(b.receive(), 0);
  assert.equal(b.rx.count, 0);
  // A runt (shorter than an Ethernet header) is dropped and counted, not sent.
  assert.equal(a.reserve(10), 0);
  assert.equal(a.flush(), 0);
  assert.equal(a.counters.txDropped, 1);
  assert.equal(sw.counters.runts, 1);
  sw.close();
});

test('jumbo switch carries 9014-byte frames', () => {
  const sw = new MemorySwitch({ maxFrameSize: 9014 });
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  assert.equal(a.maxFrameSize, 9014);
  const frame = numberedFrame(mac(2), mac(1), 1, 9014);
  assert.equal(sendFrames(a, [frame]), 1);
  const got = receiveAll(b);
  assert.ok(sameBytes(got[0], frame));
  sw.close();
});

test('the readable handler fires asynchronously, once per batch, re-armed by receive()', async () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  let calls = 0;
  b.setReadableHandler(() => calls++);
  sendFrames(a, [numberedFrame(mac(2), mac(1), 1), numberedFrame(mac(2), mac(1), 2)]);
  assert.equal(calls, 0, 'not called from inside flush()');
  await nextTurn();
  assert.equal(calls, 1);
  sendFrames(a, [numberedFrame(mac(2), mac(1), 3)]);
  await nextTurn();
  await nextTurn();
  assert.equal(calls, 1, 'not called again before receive()');
  assert.equal(b.receive(), 3);
  assert.equal(calls, 1, 'not called from inside receive()');
  await nextTurn();
  assert.equal(calls, 1, 'nothing waiting, no call');
  sendFrames(a, [numberedFrame(mac(2), mac(1), 4)]);
  await nextTurn();
  assert.equal(calls, 2);
  // More than a burst waiting: after one receive() the handler is called again for the rest.
  b.receive();
  const many: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) many.push(numberedFrame(mac(2), mac(1), i));
  sendFrames(a, many);
  await nextTurn();
  assert.equal(calls, 3);
  assert.equal(b.receive(), MAX_BURST);
  await nextTurn();
  assert.equal(calls, 4);
  assert.equal(b.receive(), 36);
  // A handler set while frames wait is called (asynchronously).
  sendFrames(a, [numberedFrame(mac(2), mac(1), 5)]);
  let late = 0;
  b.setReadableHandler(() => late++);
  assert.equal(late, 0);
  await nextTurn();
  assert.equal(late, 1);
  // Removing the handler cancels a pending call.
  b.receive();
  sendFrames(a, [numberedFrame(mac(2), mac(1), 6)]);
  b.setReadableHandler(null);
  await nextTurn();
  assert.equal(late, 1);
  sw.close();
});

test('closed ports refuse traffic and close() is idempotent', () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  b.close();
  b.close();
  assert.equal(b.reserve(60), -1);
  assert.equal(b.receive(), 0);
  sendFrames(a, [numberedFrame(BROADCAST, mac(1), 1)]);
  assert.equal(b.counters.rxFrames, 0);
  assert.equal(b.isClosed, true);
});

test('rejects bad options', () => {
  assert.throws(() => new MemorySwitch({ maxFrameSize: 10 }), /maxFrameSize/);
  assert.throws(() => new MemorySwitch({ queueFrames: 0 }), /queueFrames/);
  assert.throws(() => new MemorySwitch({ macTableSize: 1000 }), /macTableSize/);
});

test('MAC table stops learning at 3/4 full and counts it', () => {
  const sw = new MemorySwitch({ macTableSize: 8 });
  const a = sw.createPort('a');
  sw.createPort('b');
  const frames: Uint8Array[] = [];
  for (let i = 1; i <= 10; i++) frames.push(numberedFrame(BROADCAST, mac(i), i));
  sendFrames(a, frames);
  assert.equal(sw.counters.tableFull, 4);
  for (let i = 1; i <= 6; i++) assert.equal(sw.lookup(mac(i)), a);
  assert.equal(sw.lookup(mac(7)), null);
  sw.close();
});
