// Benchmark of the TCP engine alone (no links, no IP): two engines joined by an in-memory queue. Engines and queues
// share one slab (as a host's engines and links do), so segment copies are native copyWithin calls.
//   node --expose-gc dist/bench/engine.js [MiB] [connections]
// 1. Bulk transfer: segments processed per second (engine input + output), both engines together.
// 2. Memory: heap bytes per idle ESTABLISHED connection endpoint, over `connections` connections.
// Not a test: prints numbers.

import { copyBytes } from '../src/link/copy.js';
import { Slab } from '../src/link/slab.js';
import { defaultTcpConfig } from '../src/tcp/config.js';
import { TcpEngine, TcpConnection, TcpListener, TcpState } from '../src/tcp/engine.js';

const A_IP = 0x0a000001, B_IP = 0x0a000002, PORT = 5001;

/** A FIFO of copied segments in preallocated slots (the "wire"). */
class SegmentQueue {
  readonly data: Uint8Array;
  readonly len: Int32Array;
  readonly src: Float64Array;
  readonly dst: Float64Array;
  head = 0;
  count = 0;
  constructor(readonly slots: number, readonly slotSize: number, slab: Slab) {
    const data = slab.carve(slots * slotSize);
    if (data === null) throw new Error('slab too small for the queue');
    this.data = data;
    this.len = new Int32Array(slots);
    this.src = new Float64Array(slots);
    this.dst = new Float64Array(slots);
  }
  push(src: number, dst: number, buf: Uint8Array, off: number, len: number): number {
    if (this.count === this.slots) return -105;
    const i = (this.head + this.count) % this.slots;
    copyBytes(buf, off, this.data, i * this.slotSize, len);
    this.len[i] = len; this.src[i] = src; this.dst[i] = dst;
    this.count++;
    return 0;
  }
  drainInto(e: TcpEngine, now: number): number {
    let n = 0;
    while (this.count > 0) {
      const i = this.head;
      e.input(this.src[i], this.dst[i], this.data, i * this.slotSize, this.len[i], now);
      this.head = (this.head + 1) % this.slots;
      this.count--;
      n++;
    }
    return n;
  }
}

function makePair(rcvbuf: number, sndbuf: number, maxConcurrency: number) {
  // Both queues, both transmit scratches and every buffer of both engines (capped at 1 GiB by Slab).
  const slab = new Slab(2 * 65536 * 1600 + 2 * 65600 + 2 * maxConcurrency * (rcvbuf + sndbuf));
  const toB = new SegmentQueue(65536, 1600, slab), toA = new SegmentQueue(65536, 1600, slab);
  const cfg = { rcvbuf, sndbuf, maxConcurrency, maxBuffers: maxConcurrency, timeWaitMs: 0, idleTimeoutMs: -1, synBacklog: 1 << 20, acceptBacklogMax: 1 << 20 };
  const a = new TcpEngine(defaultTcpConfig(cfg), { sendSegment: (s, d, b, o, l) => toB.push(s, d, b, o, l) }, 0, slab);
  const b = new TcpEngine(defaultTcpConfig(cfg), { sendSegment: (s, d, b2, o, l) => toA.push(s, d, b2, o, l) }, 0, slab);
  return { a, b, toA, toB };
}

function bulk(mib: number): void {
  const { a, b, toA, toB } = makePair(1 << 20, 1 << 20, 16);
  const l = b.listen(B_IP, PORT, 16) as TcpListener;
  const c = a.connect(A_IP, 0, B_IP, PORT, 0) as TcpConnection;
  let s: TcpConnection | null = null;
  const chunk = new Uint8Array(65536);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i & 0xff;
  const rx = new Uint8Array(1 << 20);
  const total = mib * 1048576;
  let sent = 0, received = 0, now = 0;
  const t0 = process.hrtime.bigint();
  while (received < total) {
    now += 0.05;  // 50 µs per pass of virtual time
    a.flush(now);
    toB.drainInto(b, now);
    b.advance(now);
    if (s === null) s = b.accept(l);
    if (s !== null) {
      for (;;) { const r = b.receive(s, rx, 0, rx.length, false, now); if (r <= 0) break; received += r; }
    }
    b.flush(now);
    toA.drainInto(a, now);
    a.advance(now);
    if (c.state === TcpState.ESTABLISHED) {
      while (sent < total) { const r = a.send(c, chunk, 0, Math.min(chunk.length, total - sent), now); if (r <= 0) break; sent += r; }
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const segs = a.counters.segmentsIn + b.counters.segmentsIn;
  console.log(`bulk ${mib} MiB: ${secs.toFixed(3)} s, ${segs} segments in, ${Math.round(segs / secs)} segments/s, ` +
    `${(total * 8 / secs / 1e9).toFixed(2)} Gbit/s of payload`);
}

let retained: unknown = null;

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc(); gc();
  return process.memoryUsage().heapUsed;
}

function idle(n: number): void {
  const { a, b, toA, toB } = makePair(8192, 8192, n + 16);
  const l = b.listen(B_IP, PORT, n + 16) as TcpListener;
  const keep: TcpConnection[] = new Array(2 * n);
  let k = 0;
  const before = heapUsed();
  let now = 1;
  for (let i = 0; i < n; i++) {
    const c = a.connect(A_IP, 0, B_IP, PORT, now);
    if (typeof c === 'number') throw new Error(`connect ${c}`);
    keep[k++] = c;
    if (i % 256 === 255 || i === n - 1) {
      for (let round = 0; round < 4; round++) {
        a.flush(now); toB.drainInto(b, now); b.flush(now); toA.drainInto(a, now); a.flush(now); toB.drainInto(b, now);
      }
      for (;;) { const s = b.accept(l); if (s === null) break; keep[k++] = s; }
      now += 1;
    }
  }
  let established = 0;
  for (let i = 0; i < k; i++) if (keep[i].state === TcpState.ESTABLISHED) established++;
  const after = heapUsed();
  retained = [keep, a, b, toA, toB];  // keep everything reachable across the measurement
  console.log(`idle: ${established} established endpoints (${n} connections), ` +
    `${Math.round((after - before) / established)} heap bytes per endpoint`);
}

const mib = Number(process.argv[2] ?? 256);
if (retained !== null) throw new Error('unreachable');
const conns = Number(process.argv[3] ?? 10000);
idle(conns);
bulk(Math.min(mib, 16)); // warm-up
bulk(mib);
