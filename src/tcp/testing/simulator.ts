// A seeded two-engine network simulator for long randomized runs: engines A (client) and B (server) joined
// by a virtual wire that loses, reorders, duplicates and corrupts segments. Each side streams `bytes` of
// seeded pseudo-random data to the other at once, then half-closes; both verify what they received by SHA-256
// and close. Everything derives from the seed, so a failure reproduces exactly.

import { createHash, type Hash } from 'node:crypto';
import { defaultTcpConfig, TcpConfig } from '../config.js';
import { TcpEngine, TcpConnection, TcpListener, TcpState } from '../engine.js';

export interface SimOptions {
  seed: number;
  bytes: number;              // per direction
  cc: 'cubic' | 'reno';
  loss: number; reorder: number; duplicate: number; corrupt: number;
  delayMs: number;            // one-way base delay
  jitterMs: number;           // extra delay of a reordered segment: uniform in [0, jitterMs)
  config?: Partial<TcpConfig>;
  maxVirtualMs?: number;
  /** Called for every segment put on the wire (debugging). */
  trace?: (now: number, fromA: boolean, segment: Uint8Array) => void;
}

export interface SimResult {
  virtualMs: number;
  sentDigestA: string; receivedDigestB: string;
  sentDigestB: string; receivedDigestA: string;
  receivedA: number; receivedB: number;
  freedA: boolean; freedB: boolean;
  segments: number;
  stats: { lost: number; reordered: number; duplicated: number; corrupted: number };
  engineA: TcpEngine; engineB: TcpEngine;
}

/** Small seeded PRNG (mulberry32). */
export class Prng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

interface Packet { time: number; order: number; toB: boolean; src: number; dst: number; data: Uint8Array; }

/** Binary min-heap of packets by (time, order). */
class PacketQueue {
  private items: Packet[] = [];
  get size(): number { return this.items.length; }
  peekTime(): number { return this.items.length === 0 ? Infinity : this.items[0].time; }
  private less(a: Packet, b: Packet): boolean { return a.time < b.time || (a.time === b.time && a.order < b.order); }
  push(p: Packet): void {
    const h = this.items;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): Packet {
    const h = this.items;
    const top = h[0];
    const last = h.pop() as Packet;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** One direction of the application stream: a seeded byte generator plus a hash of what was produced. */
class StreamSource {
  private state: number;
  readonly hash: Hash = createHash('sha256');
  produced = 0;
  constructor(seed: number, readonly total: number) { this.state = seed >>> 0 || 1; }
  fill(buf: Uint8Array, n: number): void {
    let x = this.state;
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      buf[i] = x & 0xff;
    }
    this.state = x;
  }
}

const A_IP = 0x0a000001, B_IP = 0x0a000002, B_PORT = 5001;

/** The engines and connections of the last simulate() call, for post-mortem debugging of a failure. */
export const lastSimulation: { engineA: TcpEngine | null; engineB: TcpEngine | null; a: TcpConnection | null; b: TcpConnection | null } =
  { engineA: null, engineB: null, a: null, b: null };

export function simulate(opt: SimOptions): SimResult {
  const rng = new Prng(opt.seed);
  const wire = new PacketQueue();
  let order = 0;
  let now = 0;
  const stats = { lost: 0, reordered: 0, duplicated: 0, corrupted: 0 };
  let segments = 0;
  const send = (toB: boolean) => (src: number, dst: number, buf: Uint8Array, off: number, len: number): number => {
    segments++;
    if (opt.trace !== undefined) opt.trace(now, toB, buf.subarray(off, off + len));
    if (rng.next() < opt.loss) { stats.lost++; return 0; }
    const copies = rng.next() < opt.duplicate ? 2 : 1;
    if (copies === 2) stats.duplicated++;
    for (let k = 0; k < copies; k++) {
      const data = buf.slice(off, off + len);
      if (rng.next() < opt.corrupt) {
        stats.corrupted++;
        data[Math.floor(rng.next() * len)] ^= 1 << Math.floor(rng.next() * 8);
      }
      let delay = opt.delayMs;
      if (rng.next() < opt.reorder) { stats.reordered++; delay += rng.next() * opt.jitterMs; }
      wire.push({ time: now + delay, order: order++, toB, src, dst, data });
    }
    return 0;
  };
  const secretA = new Uint8Array(32), secretB = new Uint8Array(32);
  for (let i = 0; i < 32; i++) { secretA[i] = (opt.seed * 7 + i * 13) & 0xff; secretB[i] = (opt.seed * 11 + i * 17 + 1) & 0xff; }
  const base = { cc: opt.cc, rcvbuf: 262144, sndbuf: 262144, timeWaitMs: 0, idleTimeoutMs: -1, ...opt.config };
  const engineA = new TcpEngine(defaultTcpConfig({ ...base, secret: secretA }), { sendSegment: send(true) }, 0);
  const engineB = new TcpEngine(defaultTcpConfig({ ...base, secret: secretB }), { sendSegment: send(false) }, 0);
  const listener = engineB.listen(B_IP, B_PORT, 16) as TcpListener;
  const ca = engineA.connect(A_IP, 0, B_IP, B_PORT, 0);
  if (typeof ca === 'number') throw new Error(`connect failed ${ca}`);
  let cb: TcpConnection | null = null;
  lastSimulation.engineA = engineA; lastSimulation.engineB = engineB; lastSimulation.a = ca; lastSimulation.b = null;

  const srcA = new StreamSource(opt.seed ^ 0x1234567, opt.bytes);
  const srcB = new StreamSource(opt.seed ^ 0x7654321, opt.bytes);
  const rxHashA = createHash('sha256'), rxHashB = createHash('sha256');
  let receivedA = 0, receivedB = 0;
  let eofA = false, eofB = false, closedA = false, closedB = false, shutA = false, shutB = false;
  const chunk = new Uint8Array(65536);
  const pending = { a: new Uint8Array(65536), aLen: 0, aOff: 0, b: new Uint8Array(65536), bLen: 0, bOff: 0 };
  const rx = new Uint8Array(65536);

  const pump = (e: TcpEngine, c: TcpConnection, src: StreamSource, side: 'a' | 'b'): void => {
    // Write as much as the send buffer takes.
    for (let guard = 0; guard < 64; guard++) {
      let len = side === 'a' ? pending.aLen - pending.aOff : pending.bLen - pending.bOff;
      if (len === 0) {
        const n = Math.min(65536, src.total - src.produced);
        if (n === 0) break;
        const buf = side === 'a' ? pending.a : pending.b;
        src.fill(buf, n);
        src.hash.update(buf.subarray(0, n));
        src.produced += n;
        if (side === 'a') { pending.aLen = n; pending.aOff = 0; } else { pending.bLen = n; pending.bOff = 0; }
        len = n;
      }
      const buf = side === 'a' ? pending.a : pending.b;
      const off = side === 'a' ? pending.aOff : pending.bOff;
      const r = e.send(c, buf, off, len, now);
      if (r <= 0) break;
      if (side === 'a') pending.aOff += r; else pending.bOff += r;
    }
  };

  const maxMs = opt.maxVirtualMs ?? 3_600_000;
  for (let steps = 0; ; steps++) {
    if (now > maxMs) throw new Error(`simulation did not finish by ${maxMs} virtual ms (seed ${opt.seed})`);
    // Deliver what is due.
    while (wire.size > 0 && wire.peekTime() <= now) {
      const p = wire.pop();
      (p.toB ? engineB : engineA).input(p.src, p.dst, p.data, 0, p.data.length, now);
    }
    engineA.advance(now);
    engineB.advance(now);
    if (cb === null) { cb = engineB.accept(listener); lastSimulation.b = cb; }
    // Applications.
    if (!closedA && (ca.state === TcpState.ESTABLISHED || ca.state === TcpState.CLOSE_WAIT)) pump(engineA, ca, srcA, 'a');
    if (cb !== null && !closedB && (cb.state === TcpState.ESTABLISHED || cb.state === TcpState.CLOSE_WAIT)) pump(engineB, cb, srcB, 'b');
    if (!shutA && srcA.produced === srcA.total && pending.aOff === pending.aLen && ca.state !== TcpState.SYN_SENT) { engineA.shutdown(ca, 1, now); shutA = true; }
    if (cb !== null && !shutB && srcB.produced === srcB.total && pending.bOff === pending.bLen) { engineB.shutdown(cb, 1, now); shutB = true; }
    for (let guard = 0; guard < 64 && !eofA && !closedA; guard++) {
      const r = engineA.receive(ca, rx, 0, rx.length, false, now);
      if (r > 0) { rxHashA.update(rx.subarray(0, r)); receivedA += r; } else { if (r === 0) eofA = true; else if (r !== -11) throw new Error(`A receive ${r} (seed ${opt.seed})`); break; }
    }
    for (let guard = 0; cb !== null && guard < 64 && !eofB && !closedB; guard++) {
      const r = engineB.receive(cb, rx, 0, rx.length, false, now);
      if (r > 0) { rxHashB.update(rx.subarray(0, r)); receivedB += r; } else { if (r === 0) eofB = true; else if (r !== -11) throw new Error(`B receive ${r} (seed ${opt.seed})`); break; }
    }
    if (ca.state === TcpState.CLOSED && !closedA && ca.error !== 0) throw new Error(`A failed: error ${ca.error}, state CLOSED (seed ${opt.seed})`);
    if (cb !== null && cb.state === TcpState.CLOSED && !closedB && cb.error !== 0) throw new Error(`B failed: error ${cb.error} (seed ${opt.seed})`);
    if (eofA && shutA && !closedA) { engineA.close(ca, now); closedA = true; }
    if (cb !== null && eofB && shutB && !closedB) { engineB.close(cb, now); closedB = true; }
    engineA.flush(now);
    engineB.flush(now);
    if (closedA && closedB && ca.freed && cb !== null && cb.freed && wire.size === 0) break;
    if (closedA && closedB && ca.freed && cb !== null && cb.freed && engineA.nextDeadline() === Infinity && engineB.nextDeadline() === Infinity) {
      // Only stray packets remain on the wire; let them arrive (they must only draw RSTs).
      now = wire.peekTime();
      continue;
    }
    const next = Math.min(wire.peekTime(), engineA.nextDeadline(), engineB.nextDeadline());
    if (next === Infinity) throw new Error(`simulation stalled at ${now} ms: A ${TcpState[ca.state]} B ${cb === null ? '-' : TcpState[cb.state]} (seed ${opt.seed})`);
    now = next > now ? next : now + 0;
    if (next <= now && steps % 1000000 === 999999) throw new Error(`simulation spins at ${now} (seed ${opt.seed})`);
  }
  return {
    virtualMs: now,
    sentDigestA: srcA.hash.digest('hex'), receivedDigestB: rxHashB.digest('hex'),
    sentDigestB: srcB.hash.digest('hex'), receivedDigestA: rxHashA.digest('hex'),
    receivedA, receivedB, freedA: ca.freed, freedB: cb !== null && cb.freed, segments, stats, engineA, engineB,
  };
}
