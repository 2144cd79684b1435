// A bounded FIFO of frames in fixed-size preallocated slots, each with a release time. Used as a port's
// receive queue and as the hold queue of delayed frames. Pushing copies the frame; nothing is allocated.

import { Arena, copyFrame } from './copy.js';
import type { FrameBatch } from './link.js';
import { carveOrAllocate, type Slab } from './slab.js';

export class FrameRing {
  readonly data: Uint8Array;
  readonly arena: Arena;
  readonly lengths: Int32Array;
  /** When each frame may leave the ring (milliseconds, caller's clock); 0 when not used. */
  readonly releaseTimes: Float64Array;
  head = 0;
  count = 0;

  constructor(readonly capacity: number, readonly slotSize: number, slab: Slab | null = null) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`FrameRing: capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(slotSize) || slotSize < 1) throw new Error(`FrameRing: slotSize must be a positive integer, got ${slotSize}`);
    this.data = carveOrAllocate(slab, capacity * slotSize);
    this.arena = new Arena(this.data, slotSize);
    this.lengths = new Int32Array(capacity);
    this.releaseTimes = new Float64Array(capacity);
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /**
   * Copies the frame at src[offset, offset+length) into the tail slot, with release time 0; returns the
   * slot's index (to set releaseTimes[index]), or -1 when the ring is full or the frame too big.
   */
  push(src: Arena, offset: number, length: number): number {
    if (this.count === this.capacity || length > this.slotSize) return -1;
    const tail = this.tailIndex();
    copyFrame(this.arena, tail * this.slotSize, this.slotSize, src, offset, length);
    this.commit(tail, length);
    return tail;
  }

  /** Copies a whole array (a received datagram) into the tail slot; false when full or too big. */
  pushWhole(frame: Uint8Array): boolean {
    const length = frame.length;
    if (this.count === this.capacity || length > this.slotSize) return false;
    const tail = this.tailIndex();
    this.data.set(frame, tail * this.slotSize); // whole-array set: native copy, no view needed
    this.commit(tail, length);
    return true;
  }

  /** Offset in `data` of the oldest frame (valid when count > 0). */
  headOffset(): number {
    return this.head * this.slotSize;
  }

  headLength(): number {
    return this.lengths[this.head];
  }

  headReleaseTime(): number {
    return this.releaseTimes[this.head];
  }

  shift(): void {
    if (this.count === 0) return;
    this.head++;
    if (this.head === this.capacity) this.head = 0;
    this.count--;
  }

  /**
   * Moves up to `max` frames whose release time is <= now into the slots of `batch` (whose arena is
   * `batchArena`) from batch.count on, and updates batch.count. Returns how many were moved.
   */
  drainInto(batch: FrameBatch, batchArena: Arena, max: number, now: number): number {
    let moved = 0;
    const limit = Math.min(max, batch.capacity - batch.count);
    while (moved < limit && this.count > 0 && this.releaseTimes[this.head] <= now) {
      const length = this.lengths[this.head];
      const slot = batch.count;
      copyFrame(batchArena, batch.offsets[slot], batch.slotSize, this.arena, this.head * this.slotSize, length);
      batch.lengths[slot] = length;
      batch.count = slot + 1;
      this.shift();
      moved++;
    }
    return moved;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private tailIndex(): number {
    const tail = this.head + this.count;
    return tail >= this.capacity ? tail - this.capacity : tail;
  }

  private commit(tail: number, length: number): void {
    this.lengths[tail] = length;
    this.releaseTimes[tail] = 0;
    this.count++;
  }
}
