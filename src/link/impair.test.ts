import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImpairedLink, parseImpairment, type ImpairmentOptions } from './impair.js';
import { MemorySwitch, type MemoryPort } from './memory.js';
import { internetChecksum, mac, numberedFrame, receiveAll, sameBytes, sendFrames } from './test-frames.js';

/** A numbered frame whose last two bytes make its payload's Internet checksum verify (any 1-bit flip shows). */
function checkedFrame(sequence: number, length = 100): Uint8Array {
  const frame = numberedFrame(mac(2), mac(1), sequence, length);
  const view = new DataView(frame.buffer);
  view.setUint16(length - 2, 0);
  view.setUint16(length - 2, internetChecksum(frame, 14, length - 14));
  return frame;
}

function intact(frame: Uint8Array): boolean {
  return internetChecksum(frame, 14, frame.length - 14) === 0;
}

function sequenceOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset).getUint32(14);
}

function setup(options: ImpairmentOptions, queueFrames = 1024): { sw: MemorySwitch; a: ImpairedLink; b: MemoryPort } {
  const sw = new MemorySwitch({ queueFrames });
  const a = new ImpairedLink(sw.createPort('a'), options);
  const b = sw.createPort('b');
  return { sw, a, b };
}

/** Sends `count` checked frames from a, draining b after every burst; returns what b got. */
function pump(a: ImpairedLink, b: MemoryPort, count: number, length = 100): Uint8Array[] {
  const got: Uint8Array[] = [];
  for (let start = 0; start < count; start += 64) {
    const burst: Uint8Array[] = [];
    for (let i = start; i < Math.min(count, start + 64); i++) burst.push(checkedFrame(i, length));
    sendFrames(a, burst);
    got.push(...receiveAll(b));
  }
  return got;
}

test('same seed, same decisions: identical output and counters; another seed differs', () => {
  const options = { loss: 0.1, duplicate: 0.05, reorder: 0.1, corrupt: 0.05 };
  const runs = [11, 11, 12].map((seed) => {
    const { sw, a, b } = setup({ seed, ...options });
    const got = pump(a, b, 2000);
    const counters = { ...a.impairmentCounters };
    sw.close();
    a.close();
    return { got, counters };
  });
  assert.deepEqual(runs[1].counters, runs[0].counters);
  assert.equal(runs[1].got.length, runs[0].got.length);
  for (let i = 0; i < runs[0].got.length; i++) assert.ok(sameBytes(runs[1].got[i], runs[0].got[i]), `frame ${i}`);
  assert.notDeepEqual(runs[2].counters, runs[0].counters);
});

test('rates within tolerance over 100,000 frames, every counter checked against what arrived', () => {
  const n = 100_000;
  const p = { loss: 0.05, duplicate: 0.01, corrupt: 0.001 };
  const { sw, a, b } = setup({ seed: 2024, ...p, direction: 'tx' });
  const got = pump(a, b, n);
  const c = a.impairmentCounters;
  const within = (name: string, observed: number, probability: number, trials: number): void => {
    const mean = probability * trials;
    const sigma = Math.sqrt(trials * probability * (1 - probability));
    assert.ok(Math.abs(observed - mean) <= 4 * sigma, `${name}: ${observed}, expected ${mean} +- ${4 * sigma}`);
  };
  within('dropped', c.dropped, p.loss, n);
  within('duplicated', c.duplicated, p.duplicate, n - c.dropped);
  within('corrupted', c.corrupted, p.corrupt, n - c.dropped);
  assert.equal(c.reordered, 0);
  assert.equal(c.delayed, 0);
  assert.equal(c.rateLimited, 0);
  assert.equal(c.overflowed, 0);
  // What arrived matches the decisions exactly.
  assert.equal(got.length, n - c.dropped + c.duplicated);
  assert.equal(got.filter((f) => !intact(f)).length, c.corrupted); // duplicates are made before corruption
  // Every frame not dropped arrives intact at least once, unless it was corrupted and not duplicated.
  const distinct = new Set(got.filter(intact).map(sequenceOf)).size;
  assert.ok(distinct <= n - c.dropped && distinct >= n - c.dropped - c.corrupted, `distinct intact ${distinct}`);
  assert.equal(a.counters.txFrames, n);
  assert.equal(a.counters.txBytes, n * 100);
  assert.equal(b.counters.rxFrames, got.length);
  sw.close();
  a.close();
});

test('reordering over 100,000 frames: each held frame arrives exactly once, late', async () => {
  const n = 100_000;
  const { sw, a, b } = setup({ seed: 5, reorder: 0.05 });
  const got = pump(a, b, n);
  await sleep(30); // the last held frame, if any, is released by its timer
  got.push(...receiveAll(b));
  const c = a.impairmentCounters;
  const sigma = Math.sqrt(n * 0.05 * 0.95);
  assert.ok(Math.abs(c.reordered - n * 0.05) <= 4 * sigma, `reordered ${c.reordered}`);
  assert.equal(got.length, n);
  let highest = -1;
  let late = 0;
  for (const frame of got) {
    const sequence = sequenceOf(frame);
    if (sequence < highest) late++;
    else highest = sequence;
  }
  assert.ok(late === c.reordered || late === c.reordered - 1, `late ${late}, reordered ${c.reordered}`);
  assert.deepEqual(new Set(got.map(sequenceOf)).size, n);
  sw.close();
  a.close();
});

test('reorder=1 swaps pairs; an unpaired frame leaves when its hold time ends', async () => {
  const { sw, a, b } = setup({ seed: 1, reorder: 1, reorderHoldMs: 20 });
  sendFrames(a, [0, 1, 2, 3, 4].map((i) => checkedFrame(i)));
  const sent = performance.now();
  assert.deepEqual(receiveAll(b).map(sequenceOf), [1, 0, 3, 2]);
  await sleep(5);
  const early = receiveAll(b).length;
  if (performance.now() - sent < 18) assert.equal(early, 0, 'held until its hold time ends');
  await sleep(40);
  assert.deepEqual(receiveAll(b).map(sequenceOf), [4]);
  assert.equal(a.impairmentCounters.reordered, 3);
  sw.close();
  a.close();
});

test('loss=1 drops all, duplicate=1 doubles all, corrupt=1 flips exactly one bit after the Ethernet header', () => {
  {
    const { sw, a, b } = setup({ seed: 3, loss: 1 });
    assert.equal(pump(a, b, 100).length, 0);
    assert.equal(a.impairmentCounters.dropped, 100);
    sw.close();
  }
  {
    const { sw, a, b } = setup({ seed: 3, duplicate: 1 });
    const got = pump(a, b, 100);
    assert.deepEqual(got.map(sequenceOf), Array.from({ length: 200 }, (_, i) => i >> 1));
    assert.equal(a.impairmentCounters.duplicated, 100);
    sw.close();
  }
  {
    const { sw, a, b } = setup({ seed: 3, corrupt: 1 });
    const got = pump(a, b, 100);
    assert.equal(got.length, 100);
    const bitPositions = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const original = checkedFrame(i);
      let flipped = 0;
      for (let k = 0; k < original.length; k++) {
        const x = original[k] ^ got[i][k];
        for (let bit = 0; bit < 8; bit++) {
          if (x & (1 << bit)) {
            flipped++;
            assert.ok(k >= 14, 'Ethernet header untouched');
            bitPositions.add(k * 8 + bit);
          }
        }
      }
      assert.equal(flipped, 1, `frame ${i}`);
      assert.equal(intact(got[i]), false);
    }
    assert.ok(bitPositions.size > 80, 'bits are spread over the frame');
    assert.equal(a.impairmentCounters.corrupted, 100);
    sw.close();
  }
});

test('delay holds frames in order for the delay, and counts them', async () => {
  const { sw, a, b } = setup({ seed: 9, delayMs: 40, direction: 'tx' });
  const start = performance.now();
  sendFrames(a, Array.from({ length: 10 }, (_, i) => checkedFrame(i)));
  assert.equal(receiveAll(b).length, 0);
  await sleep(20);
  const early = receiveAll(b).length;
  if (performance.now() - start < 38) assert.equal(early, 0, 'not before the delay');
  const got: Uint8Array[] = [];
  while (got.length < 10 && performance.now() - start < 2000) {
    await sleep(5);
    got.push(...receiveAll(b));
  }
  assert.ok(performance.now() - start >= 40);
  assert.deepEqual(got.map(sequenceOf), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(a.impairmentCounters.delayed, 10);
  sw.close();
  a.close();
});

test('jitter varies the delay within bounds and keeps order', async () => {
  const { sw, a, b } = setup({ seed: 4, delayMs: 20, jitterMs: 15 });
  const start = performance.now();
  const arrivals: number[] = [];
  const got: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) {
    sendFrames(a, [checkedFrame(i)]);
    await sleep(2);
    for (const f of receiveAll(b)) {
      got.push(f);
      arrivals.push(performance.now() - start);
    }
  }
  while (got.length < 20 && performance.now() - start < 2000) {
    await sleep(2);
    for (const f of receiveAll(b)) {
      got.push(f);
      arrivals.push(performance.now() - start);
    }
  }
  assert.deepEqual(got.map(sequenceOf), Array.from({ length: 20 }, (_, i) => i));
  assert.ok(arrivals[0] >= 5, `first arrival ${arrivals[0]} ms`);
  assert.equal(a.impairmentCounters.delayed, 20);
  sw.close();
  a.close();
});

test('rate limit spaces frames at the given rate and counts the waits', async () => {
  // 1 Mbit/s: a 1000-byte frame takes 8 ms.
  const { sw, a, b } = setup({ seed: 1, rateMbps: 1 });
  const start = performance.now();
  sendFrames(a, Array.from({ length: 10 }, (_, i) => checkedFrame(i, 1000)));
  assert.equal(receiveAll(b).length, 1, 'the first frame leaves at once');
  const got: Uint8Array[] = [];
  while (got.length < 9 && performance.now() - start < 3000) {
    await sleep(5);
    got.push(...receiveAll(b));
  }
  const elapsed = performance.now() - start;
  assert.equal(got.length, 9);
  assert.ok(elapsed >= 72, `10 frames of 8 ms took only ${elapsed} ms`);
  assert.equal(a.impairmentCounters.rateLimited, 9);
  sw.close();
  a.close();
});

test('a full hold queue drops and counts the overflow', () => {
  // 0.01 Mbit/s: 800 ms per frame, so only the first leaves during the test.
  const { sw, a, b } = setup({ seed: 1, rateMbps: 0.01, queueFrames: 129 });
  sendFrames(a, Array.from({ length: 300 }, (_, i) => checkedFrame(i, 1000)));
  assert.equal(receiveAll(b).length, 1);
  assert.equal(a.impairmentCounters.overflowed, 170);
  sw.close();
  a.close(); // clears the timer of the 129 frames still held
});

test('rx impairment: frames delayed on receive, handler called asynchronously when they are due', async () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = new ImpairedLink(sw.createPort('b'), { seed: 8, delayMs: 30, loss: 0.5, direction: 'rx' });
  let calls = 0;
  const got: Uint8Array[] = [];
  b.setReadableHandler(() => {
    calls++;
    got.push(...receiveAll(b));
  });
  const start = performance.now();
  sendFrames(a, Array.from({ length: 40 }, (_, i) => checkedFrame(i)));
  await sleep(10);
  if (performance.now() - start < 28) assert.equal(calls, 0, 'nothing due before the delay');
  while (got.length + b.impairmentCounters.dropped < 40 && performance.now() - start < 2000) await sleep(5);
  assert.ok(calls >= 1);
  assert.equal(got.length, 40 - b.impairmentCounters.dropped);
  assert.ok(b.impairmentCounters.dropped > 5 && b.impairmentCounters.dropped < 35);
  assert.equal(b.impairmentCounters.delayed, got.length);
  assert.equal(b.counters.rxFrames, got.length);
  // tx passes straight through, untouched and uncounted by the impairments.
  sendFrames(b, [checkedFrame(99)]);
  assert.equal(sequenceOf(receiveAll(a)[0]), 99);
  assert.equal(b.counters.txFrames, 1);
  assert.equal(b.counters.txBytes, 100);
  b.close();
  sw.close();
});

test('parseImpairment reads every key and names the bad item', () => {
  assert.deepEqual(parseImpairment('loss=0.05,reorder=0.05,duplicate=0.01,corrupt=0.001,delay=5,jitter=2,rate=100'), {
    loss: 0.05, reorder: 0.05, duplicate: 0.01, corrupt: 0.001, delayMs: 5, jitterMs: 2, rateMbps: 100,
  });
  assert.deepEqual(parseImpairment(' loss=5% , delay=10ms,rate=1.5mbit,direction=rx,hold=3,queue=256,dup=0 '), {
    loss: 0.05, delayMs: 10, rateMbps: 1.5, direction: 'rx', reorderHoldMs: 3, queueFrames: 256, duplicate: 0,
  });
  assert.deepEqual(parseImpairment(''), {});
  assert.throws(() => parseImpairment('loss=2'), /bad item "loss=2": loss must be a probability/);
  assert.throws(() => parseImpairment('loss=0.1,lost=0.1'), /bad item "lost=0.1": unknown key "lost"/);
  assert.throws(() => parseImpairment('delay=-1'), /bad item "delay=-1": delay must be >= 0/);
  assert.throws(() => parseImpairment('rate=0'), /bad item "rate=0": rate must be > 0/);
  assert.throws(() => parseImpairment('jitter=abc'), /bad item "jitter=abc": "abc" is not a number/);
  assert.throws(() => parseImpairment('loss'), /bad item "loss": expected key=value/);
  assert.throws(() => parseImpairment('loss=0.1,loss=0.2'), /bad item "loss=0.2": loss given twice/);
  assert.throws(() => parseImpairment('direction=up'), /bad item "direction=up"/);
  assert.throws(() => new ImpairedLink(new MemorySwitch().createPort('x'), { seed: 1, loss: 1.5 }), /loss must be a probability/);
});

test('over a real asynchronous link (UDP): rx impairment driven by the inner readable handler', async () => {
  const { UdpLink } = await import('./udp.js');
  const { createSocket } = await import('node:dgram');
  const ports: number[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    ports.push(socket.address().port);
    socket.close();
  }
  const a = await UdpLink.open({ name: 'a', local: { host: '127.0.0.1', port: ports[0] }, remote: { host: '127.0.0.1', port: ports[1] } });
  const inner = await UdpLink.open({ name: 'b', local: { host: '127.0.0.1', port: ports[1] }, remote: { host: '127.0.0.1', port: ports[0] } });
  const b = new ImpairedLink(inner, { seed: 77, loss: 0.2, reorder: 0.1, direction: 'rx' });
  const got: Uint8Array[] = [];
  b.setReadableHandler(() => got.push(...receiveAll(b)));
  sendFrames(a, Array.from({ length: 200 }, (_, i) => checkedFrame(i)));
  const start = performance.now();
  while (got.length + b.impairmentCounters.dropped < 200 && performance.now() - start < 3000) await sleep(5);
  const c = b.impairmentCounters;
  assert.equal(got.length, 200 - c.dropped);
  assert.ok(c.dropped > 15 && c.dropped < 70, `dropped ${c.dropped}`);
  assert.ok(c.reordered > 3, `reordered ${c.reordered}`);
  assert.equal(new Set(got.map(sequenceOf)).size, got.length);
  assert.equal(inner.counters.rxFrames, 200);
  b.close();
  a.close();
});
