// The impairment decorator: seeded loss, duplication, reordering, delay with jitter, bit corruption and a
// rate limit on any link, in either or both directions, in the manner of Linux netem (which this project's
// kernels lack). Every decision comes from a SeededRandom drawn a fixed number of times per frame, so the
// same seed and the same frames in give the same decisions. Held frames wait in bounded queues that real
// timers release.

import { performance } from 'node:perf_hooks';
import { ETH_HEADER_LEN } from '../wire/ethernet.js';
import { Arena, copyFrame, slotSizeFor } from './copy.js';
import { FrameRing } from './frame-ring.js';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link, type LinkCounters } from './link.js';
import type { Slab } from './slab.js';
import { countReceived, reserveFrame } from './queued-link.js';
import { SeededRandom } from './random.js';
import { ReadableSignal } from './readable.js';

export type ImpairmentDirection = 'tx' | 'rx' | 'both';

export interface ImpairmentOptions {
  seed: number;
  /** Probability that a frame is dropped. */
  loss?: number;
  /** Probability that a frame is delivered twice (the copy first, unaltered). */
  duplicate?: number;
  /** Probability that a frame is held back and released after the next frame (or after reorderHoldMs). */
  reorder?: number;
  /** Fixed extra latency of every frame, milliseconds. */
  delayMs?: number;
  /** Uniform variation of the latency in [-jitterMs, +jitterMs] (clamped at 0); order is kept. */
  jitterMs?: number;
  /** Probability that one random bit after the Ethernet header is flipped. */
  corrupt?: number;
  /** Largest rate, megabits per second: frames leave no faster than their length at this rate. */
  rateMbps?: number;
  /** Which frames are impaired: sent (tx), received (rx) or both (default). */
  direction?: ImpairmentDirection;
  /** Longest time a reordered frame waits for a successor, milliseconds (default 10). */
  reorderHoldMs?: number;
  /** Frames each direction's hold queue keeps; more are dropped and counted as overflowed (default 1024,
   *  fewer for frames over 16 KiB). */
  queueFrames?: number;
  /** The host's slab (slab.ts): the link's bursts and queues are carved from it while it has room. */
  slab?: Slab;
}

export interface ImpairmentCounters {
  /** Frames dropped by the loss decision. */
  dropped: number;
  /** Extra copies made. */
  duplicated: number;
  /** Frames held back to be overtaken. */
  reordered: number;
  /** Frames with one bit flipped. */
  corrupted: number;
  /** Frames given a positive delay (delayMs + jitter). */
  delayed: number;
  /** Frames that had to wait for the rate limit. */
  rateLimited: number;
  /** Frames dropped because a hold queue was full. */
  overflowed: number;
}

/** Draws per frame: loss, duplicate, corrupt, corrupted bit, reorder, jitter. */
const DRAWS_PER_FRAME = 6;

/** The impairments of one direction: decisions, the reorder slot and the hold queue. */
class ImpairmentStage {
  readonly queue: FrameRing;
  private readonly random: SeededRandom;
  private readonly held: Uint8Array;
  private readonly heldArena: Arena;
  private heldLength = 0;
  private heldPresent = false;
  private heldDeadline = 0;
  private heldJitter = 0;
  private lastRelease = 0;
  private rateBusyUntil = 0;
  private readonly loss: number;
  private readonly duplicate: number;
  private readonly reorder: number;
  private readonly corrupt: number;
  private readonly delayMs: number;
  private readonly jitterMs: number;
  /** Milliseconds per byte at the rate limit; 0 when unlimited. */
  private readonly msPerByte: number;
  private readonly reorderHoldMs: number;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  /** The time of the batch being admitted, and the jitter of the frame being queued (see begin()). */
  private now = 0;
  private frameJitter = 0;
  private readonly draws = new Float64Array(DRAWS_PER_FRAME);

  constructor(options: ImpairmentOptions, seed: number, slotSize: number, private readonly counters: ImpairmentCounters, private readonly onTimer: () => void) {
    const queueFrames = options.queueFrames ?? defaultHoldQueueFrames(slotSize);
    this.queue = new FrameRing(queueFrames, slotSize, options.slab ?? null);
    this.random = new SeededRandom(seed);
    this.held = new Uint8Array(slotSize);
    this.heldArena = new Arena(this.held, slotSize);
    this.loss = options.loss ?? 0;
    this.duplicate = options.duplicate ?? 0;
    this.reorder = options.reorder ?? 0;
    this.corrupt = options.corrupt ?? 0;
    this.delayMs = options.delayMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.msPerByte = options.rateMbps === undefined ? 0 : 8 / (options.rateMbps * 1000);
    this.reorderHoldMs = options.reorderHoldMs ?? 10;
  }

  /** Room in the hold queue for a whole burst, each frame possibly duplicated. */
  get hasRoomForBurst(): boolean {
    return this.queue.capacity - this.queue.count >= 2 * MAX_BURST + 1;
  }

  /** True when a frame in the queue may leave now. */
  hasDue(now: number): boolean {
    return this.queue.count > 0 && this.queue.headReleaseTime() <= now;
  }

  /**
   * Sets the time for the frames admitted next (once per batch: a double passed per call would be boxed).
   */
  begin(now: number): void {
    this.now = now;
  }

  /** Decides the fate of one frame (which it may modify in place) and queues what passes. */
  admit(frames: Arena, offset: number, length: number): void {
    const draws = this.draws;
    // Always the same draws per frame, so a frame's decisions never depend on earlier outcomes.
    this.random.fill(draws, DRAWS_PER_FRAME);
    if (draws[0] < this.loss) {
      this.counters.dropped++;
      return;
    }
    this.frameJitter = this.jitterMs > 0 ? (draws[5] * 2 - 1) * this.jitterMs : 0;
    if (draws[1] < this.duplicate) {
      this.counters.duplicated++;
      this.enqueue(frames, offset, length); // the copy, unaltered, as netem does
    }
    if (draws[2] < this.corrupt && length > ETH_HEADER_LEN) {
      // Flip a bit the checksums above must catch; the Ethernet header is left alone because no FCS is
      // modelled here (a NIC would drop a frame whose FCS fails, which is just loss).
      this.counters.corrupted++;
      const bit = Math.floor(draws[3] * 4294967296) % ((length - ETH_HEADER_LEN) * 8);
      const at = offset + ETH_HEADER_LEN + (bit >>> 3);
      frames.view.setUint8(at, frames.view.getUint8(at) ^ (1 << (bit & 7)));
    }
    if (draws[4] < this.reorder && !this.heldPresent && length <= this.held.length) {
      this.counters.reordered++;
      copyFrame(this.heldArena, 0, this.held.length, frames, offset, length);
      this.heldLength = length;
      this.heldPresent = true;
      this.heldDeadline = this.now + this.reorderHoldMs;
      this.heldJitter = this.frameJitter;
      return;
    }
    this.enqueue(frames, offset, length);
    if (this.heldPresent) this.releaseHeld();
  }

  /** Releases a reordered frame whose successor did not come in time. */
  expireHeld(now: number): void {
    this.now = now;
    if (this.heldPresent && now >= this.heldDeadline) this.releaseHeld();
  }

  /** (Re)arms the timer for the next held frame or reorder deadline. */
  arm(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    if (this.queue.count > 0 && this.queue.headReleaseTime() > now) next = this.queue.headReleaseTime();
    if (this.heldPresent && this.heldDeadline < next) next = this.heldDeadline;
    if (next === Number.POSITIVE_INFINITY) return;
    if (this.timer !== null) {
      if (this.timerAt <= next) return;
      clearTimeout(this.timer);
    }
    this.timerAt = next;
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(next - now)));
  }

  /** Called first thing by the timer callback. */
  timerFired(): void {
    this.timer = null;
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.clear();
    this.heldPresent = false;
  }

  private releaseHeld(): void {
    this.heldPresent = false;
    this.frameJitter = this.heldJitter;
    this.enqueue(this.heldArena, 0, this.heldLength);
  }

  /** Queues a copy of the frame, released after the delay (this.frameJitter included) and the rate limit. */
  private enqueue(frames: Arena, offset: number, length: number): void {
    const now = this.now;
    let release = now;
    const latency = this.delayMs + this.frameJitter;
    if (latency > 0) {
      release = now + latency;
      this.counters.delayed++;
    }
    if (release < this.lastRelease) release = this.lastRelease; // keep order: jitter does not reorder
    let busyUntil = this.rateBusyUntil;
    if (this.msPerByte > 0) {
      // The frame leaves when the previous one has finished at the rate limit.
      if (busyUntil > release) {
        release = busyUntil;
        this.counters.rateLimited++;
      }
      busyUntil = release + length * this.msPerByte;
    }
    const slot = this.queue.push(frames, offset, length);
    if (slot < 0) {
      this.counters.overflowed++;
      return;
    }
    this.queue.releaseTimes[slot] = release;
    this.lastRelease = release;
    this.rateBusyUntil = busyUntil;
  }
}

function checkProbability(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) throw new Error(`impairment ${name} must be a probability in [0, 1], got ${value}`);
}

function checkNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw new Error(`impairment ${name} must be a finite number >= 0, got ${value}`);
}

export function validateImpairment(options: ImpairmentOptions): void {
  if (!Number.isFinite(options.seed)) throw new Error(`impairment seed must be a finite number, got ${options.seed}`);
  checkProbability('loss', options.loss);
  checkProbability('duplicate', options.duplicate);
  checkProbability('reorder', options.reorder);
  checkProbability('corrupt', options.corrupt);
  checkNonNegative('delayMs', options.delayMs);
  checkNonNegative('jitterMs', options.jitterMs);
  checkNonNegative('reorderHoldMs', options.reorderHoldMs);
  if (options.rateMbps !== undefined && !(options.rateMbps > 0 && Number.isFinite(options.rateMbps))) {
    throw new Error(`impairment rateMbps must be a finite number > 0, got ${options.rateMbps}`);
  }
  if (options.queueFrames !== undefined && !(Number.isInteger(options.queueFrames) && options.queueFrames >= 2 * MAX_BURST + 1)) {
    throw new Error(`impairment queueFrames must be an integer >= ${2 * MAX_BURST + 1}, got ${options.queueFrames}`);
  }
  const direction = options.direction;
  if (direction !== undefined && direction !== 'tx' && direction !== 'rx' && direction !== 'both') {
    throw new Error(`impairment direction must be tx, rx or both, got ${String(direction)}`);
  }
}

/** An impairment hold queue's default length: 1024 frames, fewer for big (GSO) frames so it stays within about 16 MiB. */
export function defaultHoldQueueFrames(slotSize: number): number {
  return Math.max(2 * MAX_BURST + 1, Math.min(1024, Math.floor(16 * 1024 * 1024 / slotSize)));
}

export class ImpairedLink implements Link {
  readonly name: string;
  readonly maxFrameSize: number;
  /** Frames and bytes accepted by flush() and returned by receive(); drops where the inner link refused. */
  readonly counters: LinkCounters;
  readonly rx: FrameBatch;
  readonly tx: FrameBatch;
  /** Decisions taken, both directions together. */
  readonly impairmentCounters: ImpairmentCounters;
  private readonly txStage: ImpairmentStage | null;
  private readonly rxStage: ImpairmentStage | null;
  private readonly rxArena: Arena;
  private readonly txArena: Arena;
  private readonly innerRxArena: Arena;
  private readonly innerTxArena: Arena;
  private readonly signal: ReadableSignal;
  private readonly onInnerReadable: () => void;
  private closed = false;
  /** Bytes reserved since the last flush() when sends pass straight through. */
  private passThroughBytes = 0;

  constructor(private readonly inner: Link, options: ImpairmentOptions) {
    validateImpairment(options);
    const direction = options.direction ?? 'both';
    this.name = inner.name;
    this.maxFrameSize = inner.maxFrameSize;
    this.counters = newLinkCounters();
    this.impairmentCounters = { dropped: 0, duplicated: 0, reordered: 0, corrupted: 0, delayed: 0, rateLimited: 0, overflowed: 0 };
    const slotSize = slotSizeFor(inner.maxFrameSize);
    // Each direction draws from its own generator, so interleaving sends and receives changes nothing.
    this.txStage = direction === 'rx' ? null
      : new ImpairmentStage(options, options.seed, slotSize, this.impairmentCounters, () => this.onTxTimer());
    this.rxStage = direction === 'tx' ? null
      : new ImpairmentStage(options, options.seed + 0x632be5ab, slotSize, this.impairmentCounters, () => this.onRxTimer());
    // An unimpaired direction passes straight through to the inner link's own arenas.
    const slab = options.slab ?? null;
    this.tx = this.txStage === null ? inner.tx : new FrameBatch(MAX_BURST, slotSize, slab);
    this.rx = this.rxStage === null ? inner.rx : new FrameBatch(MAX_BURST, slotSize, slab);
    this.txArena = new Arena(this.tx.data, this.tx.slotSize);
    this.rxArena = new Arena(this.rx.data, this.rx.slotSize);
    this.innerTxArena = new Arena(inner.tx.data, inner.tx.slotSize, false);
    this.innerRxArena = new Arena(inner.rx.data, inner.rx.slotSize);
    const rxStage = this.rxStage;
    this.signal = new ReadableSignal(() => rxStage !== null && rxStage.hasDue(performance.now()));
    this.onInnerReadable = () => this.innerReadable();
  }

  receive(): number {
    if (this.closed) {
      this.rx.count = 0;
      return 0;
    }
    const stage = this.rxStage;
    if (stage === null) {
      const passed = this.inner.receive();
      countReceived(this.counters, this.rx, passed);
      return passed;
    }
    const now = performance.now();
    this.pumpRx(stage, now);
    const rx = this.rx;
    rx.count = 0;
    const taken = stage.queue.drainInto(rx, this.rxArena, MAX_BURST, now);
    countReceived(this.counters, rx, taken);
    stage.arm(now);
    this.signal.received();
    return taken;
  }

  reserve(length: number): number {
    if (this.txStage === null) {
      const offset = this.inner.reserve(length);
      if (offset >= 0) this.passThroughBytes += length;
      return offset;
    }
    return this.closed ? -1 : reserveFrame(this.tx, length, this.maxFrameSize);
  }

  flush(): number {
    const stage = this.txStage;
    if (stage === null) {
      const sent = this.closed ? 0 : this.inner.flush();
      this.counters.txFrames += sent;
      this.counters.txBytes += this.passThroughBytes;
      this.passThroughBytes = 0;
      return sent;
    }
    const tx = this.tx;
    const count = tx.count;
    tx.count = 0;
    if (this.closed) return 0;
    const now = performance.now();
    stage.begin(now);
    for (let i = 0; i < count; i++) {
      const length = tx.lengths[i];
      this.counters.txFrames++;
      this.counters.txBytes += length;
      stage.admit(this.txArena, tx.offsets[i], length);
    }
    this.drainTx(stage, now);
    stage.arm(now);
    return count;
  }

  setReadableHandler(handler: (() => void) | null): void {
    if (this.closed) return;
    if (this.rxStage === null) {
      this.inner.setReadableHandler(handler);
      return;
    }
    this.signal.setHandler(handler);
    this.inner.setReadableHandler(handler === null ? null : this.onInnerReadable);
  }

  /** Drops every held frame, stops the timers and closes the inner link. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal.close();
    this.txStage?.close();
    this.rxStage?.close();
    this.inner.close();
  }

  /** Takes frames from the inner link through the impairments, while the hold queue has room. */
  private pumpRx(stage: ImpairmentStage, now: number): void {
    const innerRx = this.inner.rx;
    stage.begin(now);
    for (let round = 0; round < 16 && stage.hasRoomForBurst; round++) {
      const count = this.inner.receive();
      for (let i = 0; i < count; i++) stage.admit(this.innerRxArena, innerRx.offsets[i], innerRx.lengths[i]);
      if (count === 0) break;
    }
  }

  /** Hands the frames that are due to the inner link. */
  private drainTx(stage: ImpairmentStage, now: number): void {
    const queue = stage.queue;
    const inner = this.inner;
    let staged = 0;
    while (queue.count > 0 && queue.headReleaseTime() <= now) {
      const length = queue.headLength();
      let offset = inner.reserve(length);
      if (offset < 0 && staged > 0) {
        inner.flush();
        staged = 0;
        offset = inner.reserve(length);
      }
      if (offset < 0) this.counters.txDropped++;
      else {
        // At a slot start of the usual layout the whole slot may be written; otherwise only the frame.
        const slotSize = inner.tx.slotSize;
        const room = offset % slotSize === 0 && offset + slotSize <= inner.tx.data.length ? slotSize : length;
        copyFrame(this.innerTxArena, offset, room, queue.arena, queue.headOffset(), length);
        staged++;
      }
      queue.shift();
    }
    if (staged > 0) inner.flush();
  }

  private innerReadable(): void {
    const stage = this.rxStage;
    if (this.closed || stage === null) return;
    const now = performance.now();
    this.pumpRx(stage, now);
    stage.arm(now);
    this.signal.notifyNow();
  }

  private onTxTimer(): void {
    const stage = this.txStage;
    if (stage === null) return;
    stage.timerFired();
    if (this.closed) return;
    const now = performance.now();
    stage.expireHeld(now);
    this.drainTx(stage, now);
    stage.arm(now);
  }

  private onRxTimer(): void {
    const stage = this.rxStage;
    if (stage === null) return;
    stage.timerFired();
    if (this.closed) return;
    const now = performance.now();
    stage.expireHeld(now);
    stage.arm(now);
    this.signal.notifyNow();
  }
}

const PROBABILITY_KEYS: Record<string, 'loss' | 'duplicate' | 'reorder' | 'corrupt'> = {
  loss: 'loss', duplicate: 'duplicate', dup: 'duplicate', reorder: 'reorder', corrupt: 'corrupt',
};
const MILLISECOND_KEYS: Record<string, 'delayMs' | 'jitterMs' | 'reorderHoldMs'> = {
  delay: 'delayMs', jitter: 'jitterMs', hold: 'reorderHoldMs',
};

/**
 * Parses "loss=0.05,reorder=0.05,duplicate=0.01,corrupt=0.001,delay=5,jitter=2,rate=100[,direction=tx]".
 * Probabilities may be written as percentages ("5%"), times with "ms", the rate with "mbit".
 * Throws an Error naming the offending item.
 */
export function parseImpairment(spec: string): Omit<ImpairmentOptions, 'seed'> {
  const result: Omit<ImpairmentOptions, 'seed'> = {};
  const seen = new Set<string>();
  for (const rawItem of spec.split(',')) {
    const item = rawItem.trim();
    if (item === '') continue;
    const bad = (why: string): Error => new Error(`parseImpairment: bad item "${item}": ${why}`);
    const equals = item.indexOf('=');
    if (equals <= 0) throw bad('expected key=value');
    const key = item.slice(0, equals).trim().toLowerCase();
    const value = item.slice(equals + 1).trim().toLowerCase();
    if (seen.has(key)) throw bad(`${key} given twice`);
    seen.add(key);
    if (key === 'direction') {
      if (value !== 'tx' && value !== 'rx' && value !== 'both') throw bad('direction must be tx, rx or both');
      result.direction = value;
      continue;
    }
    const number = (suffix: string): number => {
      const text = suffix !== '' && value.endsWith(suffix) ? value.slice(0, -suffix.length).trim() : value;
      const parsed = text === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(parsed)) throw bad(`"${value}" is not a number`);
      return parsed;
    };
    if (key in PROBABILITY_KEYS) {
      const probability = value.endsWith('%') ? number('%') / 100 : number('');
      if (!(probability >= 0 && probability <= 1)) throw bad(`${key} must be a probability in [0, 1] (or 0% to 100%)`);
      result[PROBABILITY_KEYS[key]] = probability;
    } else if (key in MILLISECOND_KEYS) {
      const ms = number('ms');
      if (!(ms >= 0)) throw bad(`${key} must be >= 0 milliseconds`);
      result[MILLISECOND_KEYS[key]] = ms;
    } else if (key === 'rate') {
      const mbps = number('mbit');
      if (!(mbps > 0)) throw bad('rate must be > 0 megabits per second');
      result.rateMbps = mbps;
    } else if (key === 'queue') {
      const frames = number('');
      if (!Number.isInteger(frames) || frames < 2 * MAX_BURST + 1) throw bad(`queue must be an integer >= ${2 * MAX_BURST + 1}`);
      result.queueFrames = frames;
    } else {
      throw bad(`unknown key "${key}" (known: loss, duplicate, reorder, corrupt, delay, jitter, rate, hold, queue, direction)`);
    }
  }
  return result;
}
