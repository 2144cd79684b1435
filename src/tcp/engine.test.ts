// The engine's application-facing contract: connect/listen errors, ephemeral ports, limits, readiness,
// listener close, buffers returned to their pools, the connection table under many connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTcpConfig } from './config.js';
import { TcpEngine, TcpConnection, TcpListener, TcpState } from './engine.js';
import { EADDRINUSE, ENOMEM, ENOTCONN, EINVAL } from './errno.js';

const A = 0x0a000001, B = 0x0a000002;

function pair(overrides = {}, overridesB = overrides) {
  const toA: Array<[number, number, Uint8Array]> = [];
  const toB: Array<[number, number, Uint8Array]> = [];
  const secret = new Uint8Array(32).fill(3);
  const a = new TcpEngine(defaultTcpConfig({ secret, ...overrides }), { sendSegment: (s, d, b, o, l) => { toB.push([s, d, b.slice(o, o + l)]); return 0; } }, 0);
  const b = new TcpEngine(defaultTcpConfig({ secret, ...overridesB }), { sendSegment: (s, d, b2, o, l) => { toA.push([s, d, b2.slice(o, o + l)]); return 0; } }, 0);
  const pump = (now: number) => {
    for (let i = 0; i < 100 && (toA.length > 0 || toB.length > 0 || true); i++) {
      a.flush(now); b.flush(now);
      if (toA.length === 0 && toB.length === 0) break;
      while (toB.length > 0) { const [s, d, x] = toB.shift()!; b.input(s, d, x, 0, x.length, now); }
      while (toA.length > 0) { const [s, d, x] = toA.shift()!; a.input(s, d, x, 0, x.length, now); }
    }
  };
  return { a, b, pump, toA, toB };
}

test('connect picks distinct ephemeral ports; an explicit busy 4-tuple is EADDRINUSE; bad ports EINVAL', () => {
  const { a } = pair();
  const c1 = a.connect(A, 0, B, 80, 0) as TcpConnection;
  const c2 = a.connect(A, 0, B, 80, 0) as TcpConnection;
  assert.equal(typeof c1, 'object');
  assert.notEqual(c1.localPort, c2.localPort);
  assert.ok(c1.localPort >= 1025 && c1.localPort <= 65535);
  assert.equal(a.connect(A, c1.localPort, B, 80, 0), -EADDRINUSE);
  assert.equal(a.connect(A, 0, B, 0, 0), -EINVAL);
  assert.equal(a.connect(A, 70000, B, 80, 0), -EINVAL);
  assert.equal(a.connectionCount, 2);
});

test('maxConcurrency bounds connections: connect gets ENOMEM, extra SYNs are dropped', () => {
  const { a, b, pump } = pair({ maxConcurrency: 2 });
  b.listen(0, 80, 10);
  a.connect(A, 0, B, 80, 0);
  a.connect(A, 0, B, 80, 0);
  assert.equal(a.connect(A, 0, B, 80, 0), -ENOMEM);
  pump(0);
  assert.equal(b.connectionCount, 2);
});

test('handshake between two engines, data both ways, readiness reported, clean close frees everything', () => {
  const { a, b, pump } = pair();
  const l = b.listen(0, 80, 10) as TcpListener;
  const c = a.connect(A, 0, B, 80, 0) as TcpConnection;
  assert.equal(a.receive(c, new Uint8Array(1), 0, 1, false, 0), -11);
  assert.equal(a.shutdown(c, 1, 0), -ENOTCONN);
  pump(0);
  const ready: Array<TcpConnection | TcpListener> = [];
  b.takeReady(ready);
  assert.ok(ready.includes(l));
  assert.equal(l.acceptable, true);
  const s = b.accept(l) as TcpConnection;
  assert.equal(s.state, TcpState.ESTABLISHED);
  assert.equal(c.state, TcpState.ESTABLISHED);
  assert.equal(b.accept(l), null);
  const msg = new TextEncoder().encode('hello, world');
  assert.equal(a.send(c, msg, 0, msg.length, 1), msg.length);
  pump(1);
  ready.length = 0;
  b.takeReady(ready);
  assert.ok(ready.includes(s));
  assert.equal(s.bytesReadable, msg.length);
  const buf = new Uint8Array(100);
  assert.equal(b.receive(s, buf, 0, 100, true, 1), msg.length);   // peek keeps it
  assert.equal(b.receive(s, buf, 0, 100, false, 1), msg.length);
  assert.deepEqual(buf.subarray(0, msg.length), msg);
  assert.equal(b.receive(s, buf, 0, 100, false, 1), -11);
  a.close(c, 2);
  pump(2);
  assert.equal(s.state, TcpState.CLOSE_WAIT);
  assert.equal(s.readHangup, true);
  assert.equal(b.receive(s, buf, 0, 100, false, 2), 0);
  b.close(s, 2);
  pump(3);
  a.advance(4); b.advance(4); pump(4);
  assert.equal(c.freed, true);
  assert.equal(s.freed, true);
  assert.equal(a.connectionCount + b.connectionCount, 0);
});

test('closeListener resets connections that were never accepted', () => {
  const { a, b, pump } = pair();
  const l = b.listen(0, 80, 10) as TcpListener;
  const c = a.connect(A, 0, B, 80, 0) as TcpConnection;
  pump(0);
  assert.equal(c.state, TcpState.ESTABLISHED);
  b.closeListener(l, 1);
  pump(1);
  assert.equal(c.state, TcpState.CLOSED);
  assert.equal(c.takeError(), 104);
  assert.equal(b.connectionCount, 0);
  assert.equal(b.listen(0, 80, 10) instanceof TcpListener, true);  // the port is free again
});

test('many connections: table growth keeps every lookup right', () => {
  const { a, b, pump } = pair({ maxConcurrency: 5000, maxBuffers: 5000 });
  const l = b.listen(0, 80, 5000) as TcpListener;
  const cs: TcpConnection[] = [];
  for (let i = 0; i < 3000; i++) cs.push(a.connect(A, 0, B, 80, 0) as TcpConnection);
  pump(0);
  let n = 0;
  while (b.accept(l) !== null) n++;
  assert.equal(n, 3000);
  for (const c of cs) assert.equal(c.state, TcpState.ESTABLISHED);
  for (const c of cs) assert.equal(a.lookup(c.localIp, c.localPort, c.remoteIp, c.remotePort), c);
});

test('send returns what fits in sndbuf, then EAGAIN; the buffer goes back to the pool on close', () => {
  const { a, b, pump } = pair({ sndbuf: 4096, rcvbuf: 4096 });
  const l = b.listen(0, 80, 10) as TcpListener;
  const c = a.connect(A, 0, B, 80, 0) as TcpConnection;
  pump(0);
  b.accept(l);
  const big = new Uint8Array(10000);
  assert.equal(a.send(c, big, 0, big.length, 0), 4096);
  assert.equal(a.send(c, big, 0, big.length, 0), -11);
  assert.equal(c.writable, false);
  assert.equal(c.sendBuffer.hasStorage, true);
  a.abort(c, 0);
  assert.equal(c.freed, true);
  assert.equal(c.sendBuffer.length, 0);
  assert.equal(c.sendBuffer.hasStorage, false);   // back in the pool
  assert.equal(c.receiveBuffer.hasStorage, false);
});

test('buffer pool exhausted: send gets ENOMEM, arriving data is dropped and counted, then retransmitted', () => {
  const { a, b, pump } = pair({ maxBuffers: 1 }, { maxBuffers: 10 });
  const l = b.listen(0, 80, 10) as TcpListener;
  const c1 = a.connect(A, 0, B, 80, 0) as TcpConnection;
  const c2 = a.connect(A, 0, B, 80, 0) as TcpConnection;
  pump(0);
  const s1 = b.accept(l) as TcpConnection;
  const s2 = b.accept(l) as TcpConnection;
  const data = new Uint8Array(100);
  assert.equal(a.send(c1, data, 0, 100, 1), 100);
  assert.equal(a.send(c2, data, 0, 100, 1), -ENOMEM);   // a's only send block is c1's
  assert.equal(b.send(s2, data, 0, 100, 1), 100);
  pump(1);
  assert.equal(s1.bytesReadable, 100);
  assert.equal(c2.bytesReadable, 100);                  // a's only receive block
  assert.equal(b.send(s1, data, 0, 100, 2), 100);
  pump(2);
  assert.equal(c1.bytesReadable, 0);                    // no receive block for c1: dropped, counted
  assert.ok(a.counters.dropReceiveNoMemory >= 1);
  const buf = new Uint8Array(100);
  assert.equal(a.receive(c2, buf, 0, 100, false, 3), 100);
  a.close(c2, 3);                                       // c2's receive block goes back to the pool
  a.advance(2000); b.advance(2000); pump(2000);         // s1's retransmission now finds a block
  assert.equal(c1.bytesReadable, 100);
});

test('bad arguments are errno values, never exceptions', () => {
  const { a, b, pump } = pair();
  assert.equal(a.connect(A, 0, B, 80, 0, { rcvbuf: 0 }), -EINVAL);
  assert.equal(a.connect(A, 0, B, 80, 0, { sndbuf: 1.5 }), -EINVAL);
  const l = b.listen(0, 80, 10) as TcpListener;
  const c = a.connect(A, 0, B, 80, 0, { rcvbuf: 100000, sndbuf: 100000 }) as TcpConnection;
  pump(0);
  assert.equal(c.receiveBuffer.capacity, 100000);
  b.accept(l);
  const buf = new Uint8Array(10);
  assert.equal(a.send(c, buf, 5, 10, 1), -EINVAL);
  assert.equal(a.send(c, buf, -1, 2, 1), -EINVAL);
  assert.equal(a.receive(c, buf, 0, 11, false, 1), -EINVAL);
  assert.equal(a.send(c, buf, 0, 0, 1), 0);
});

test('a listener sizes the connections it accepts: its rcvbuf sets their window and scale, its sndbuf their send ring', () => {
  const { a, b, pump, toA } = pair();   // engine default buffers: 8192
  const l = b.listen(0, 80, 10, 300000, 2048) as TcpListener;
  assert.equal(b.listen(0, 81, 10, 10, 2048), -EINVAL);
  a.connect(A, 0, B, 80, 0);
  a.flush(0);
  pump(0);
  const c = b.accept(l) as TcpConnection;
  assert.equal(c.rcvbuf, 300000);
  assert.equal(c.sndbuf, 2048);
  assert.equal(c.rcvWscale, 3);        // 65535 << 3 covers 300000 (RFC 7323 §2.3)
  assert.equal(b.send(c, new Uint8Array(5000), 0, 5000, 0), 2048);
  assert.equal(toA.length, 0);
});

test('data written just before close is sent before the RST that data arriving after the close draws', () => {
  // One poll-loop pass: the application writes 33 bytes and closes (output waits for the end of the pass), and
  // in the same pass the peer's data arrives for the orphaned connection. The reset must not overtake the
  // queued bytes and FIN, as it cannot on a kernel socket whose write() already sent them.
  const { a, b, pump, toA, toB } = pair();
  const l = b.listen(0, 80, 10) as TcpListener;
  const ca = a.connect(A, 0, B, 80, 0) as TcpConnection;
  pump(0);
  const cb = b.accept(l) as TcpConnection;
  assert.equal(b.send(cb, new Uint8Array(500).fill(7), 0, 500, 0), 500);
  b.flush(0);                                     // the peer's data is on the wire, not yet delivered
  const verdict = new Uint8Array(33).fill(0x5a);
  assert.equal(a.send(ca, verdict, 0, 33, 0), 33);
  a.close(ca, 0);                                 // no flush in between
  while (toA.length > 0) { const [s, d, x] = toA.shift()!; a.input(s, d, x, 0, x.length, 0); }
  a.flush(0);
  while (toB.length > 0) { const [s, d, x] = toB.shift()!; b.input(s, d, x, 0, x.length, 0); }
  const got = new Uint8Array(64);
  assert.equal(b.receive(cb, got, 0, 64, false, 0), 33);
  assert.deepEqual(got.subarray(0, 33), verdict);
  assert.equal(a.counters.resetsOnClose, 1);
  // Then the FIN (CLOSE_WAIT) and the reset: in CLOSE_WAIT Linux's tcp_reset reports EPIPE.
  assert.equal(cb.finReceived, true);
  assert.equal(b.receive(cb, got, 0, 64, false, 0), -32);
});

test('data received before a reset stays readable ahead of ECONNRESET (as Linux: tcp_reset keeps the receive queue)', () => {
  const { a, b, pump, toB } = pair();
  const l = b.listen(0, 80, 10) as TcpListener;
  const ca = a.connect(A, 0, B, 80, 0) as TcpConnection;
  pump(0);
  const cb = b.accept(l) as TcpConnection;
  assert.equal(a.send(ca, new Uint8Array(100).fill(9), 0, 100, 0), 100);
  a.flush(0);
  a.abort(ca, 0);                                  // data, then RST
  while (toB.length > 0) { const [s, d, x] = toB.shift()!; b.input(s, d, x, 0, x.length, 0); }
  assert.equal(cb.state, TcpState.CLOSED);
  assert.equal(cb.readable, true);
  const got = new Uint8Array(200);
  assert.equal(b.receive(cb, got, 0, 200, false, 0), 100);
  assert.equal(got[99], 9);
  assert.equal(b.receive(cb, got, 0, 200, false, 0), -104);
  b.close(cb, 0);
  assert.equal(cb.freed, true);
  assert.equal(cb.receiveBuffer.hasStorage, false);  // back in the pool
});
