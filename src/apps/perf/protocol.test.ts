import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BulkReceiver, BulkSender, DataPattern, HELLO_SIZE, MODE_BULK, MODE_RR, OutChunk, RrClient, RrServer,
  decodeHello, encodeHello, parseSize,
} from './protocol.js';

/** Deterministic chunk sizes for splitting streams. */
function chunker(seed: number): (max: number) => number {
  let x = seed;
  return (max) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return 1 + ((x >>> 8) % max);
  };
}

test('hello round-trips and validates', () => {
  const buf = new Uint8Array(HELLO_SIZE + 3);
  const h = { mode: MODE_BULK, directions: 3, bytes: 5 * 2 ** 32 + 7, durationMs: 1500, requestSize: 0, responseSize: 0, seed: 0xdeadbeef, transactions: 0 };
  assert.equal(encodeHello(h, buf, 3), HELLO_SIZE);
  assert.deepEqual(decodeHello(buf, 3), h);
  buf[3] = 0;
  assert.throws(() => decodeHello(buf, 3), /bad magic/);
  const bad = new Uint8Array(HELLO_SIZE);
  encodeHello({ ...h, mode: MODE_RR, requestSize: 0, responseSize: 64 }, bad, 0);
  assert.throws(() => decodeHello(bad, 0), /sizes must be >= 1/);
});

test('bulk stream moves exact bytes through random splits and verifies', () => {
  const pattern = new DataPattern(42);
  const total = 3 * 65536 + 12345 + (1 << 20); // crosses blocks and the pattern wrap
  const sender = new BulkSender(pattern, total, 0);
  const receiver = new BulkReceiver();
  const out = new OutChunk();
  const next = chunker(7);
  let steps = 0;
  while (!receiver.done && steps++ < 100000) {
    sender.next(0, out);
    if (out.len === 0) break;
    const n = Math.min(out.len, next(9000));
    const used = receiver.feed(out.buf, out.off, n);
    assert.equal(used, n);
    sender.consumed(out, n);
  }
  assert.equal(receiver.done, true);
  assert.equal(receiver.matched, true, receiver.error);
  assert.equal(receiver.bytesReceived, total);
  assert.equal(sender.bytesSent, total);
  sender.next(0, out);
  assert.equal(out.len, 0);
  assert.equal(sender.done, true);
});

test('a corrupted payload byte is detected', () => {
  const pattern = new DataPattern(1);
  const sender = new BulkSender(pattern, 100000, 0);
  const receiver = new BulkReceiver();
  const out = new OutChunk();
  let flipped = false;
  for (let steps = 0; steps < 1000 && !receiver.done; steps++) {
    sender.next(0, out);
    const copy = out.buf.slice(out.off, out.off + out.len);
    if (!flipped && out.len > 1000) {
      copy[500] ^= 1;
      flipped = true;
    }
    receiver.feed(copy, 0, copy.length);
    sender.consumed(out, out.len);
  }
  assert.equal(flipped, true);
  assert.equal(receiver.done, true);
  assert.equal(receiver.matched, false);
  assert.equal(receiver.error, "SHA-256 of the received data differs from the sender's");
});

test('time-limited sender ends at the deadline', () => {
  const sender = new BulkSender(new DataPattern(3), 0, 1000);
  const receiver = new BulkReceiver();
  const out = new OutChunk();
  let now = 0;
  for (let steps = 0; steps < 100 && !receiver.done; steps++) {
    sender.next(now, out);
    receiver.feed(out.buf, out.off, out.len);
    sender.consumed(out, out.len);
    now += 100;
  }
  assert.equal(receiver.done, true);
  assert.equal(receiver.matched, true);
  assert.ok(receiver.bytesReceived > 0);
  assert.equal(receiver.bytesReceived % 65536, 0);
});

test('rr: transactions complete and trailers verify, with byte-splitting', () => {
  const pattern = new DataPattern(9);
  const client = new RrClient(pattern, 64, 1000, 50, 0);
  const server = new RrServer(pattern, 64, 1000);
  const out = new OutChunk();
  const next = chunker(3);
  for (let steps = 0; steps < 100000 && !client.done; steps++) {
    client.next(0, out);
    if (out.len > 0) {
      const n = Math.min(out.len, next(40));
      assert.equal(server.feed(out.buf, out.off, n), n);
      client.consumed(out, n);
    }
    server.next(out);
    if (out.len > 0) {
      const n = Math.min(out.len, next(700));
      assert.equal(client.feed(out.buf, out.off, n), n);
      server.consumed(out, n);
    }
  }
  assert.equal(client.done, true);
  assert.equal(client.matched, true, client.error);
  assert.equal(client.transactions, 50);
  assert.equal(server.transactions, 50);
  assert.equal(server.done, true);
});

test('rr: a corrupted response is detected by the trailer', () => {
  const pattern = new DataPattern(9);
  const client = new RrClient(pattern, 16, 16, 1, 0);
  const server = new RrServer(pattern, 16, 16);
  const out = new OutChunk();
  client.next(0, out);
  server.feed(out.buf, out.off, out.len);
  client.consumed(out, out.len);
  server.next(out);
  const copy = out.buf.slice(out.off, out.off + out.len);
  copy[3] ^= 0x80;
  client.feed(copy, 0, copy.length);
  server.consumed(out, out.len);
  server.next(out);
  assert.equal(out.len, 64);
  client.feed(out.buf, out.off, out.len);
  assert.equal(client.done, true);
  assert.equal(client.matched, false);
  assert.equal(client.error, 'received response bytes differ from what the server sent');
});

test('parseSize', () => {
  assert.equal(parseSize('64M'), 64 * 1024 * 1024);
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('1k'), 1024);
  assert.equal(parseSize('2G'), 2 * 1024 ** 3);
  assert.throws(() => parseSize('12X'), /invalid size "12X"/);
});
