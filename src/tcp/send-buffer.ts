// Send ring: bytes written by the application and not yet acknowledged. Offset 0 is the first unacknowledged
// byte (snd.una); data stays here until acknowledged so retransmission reads straight from the ring
// (RFC 9293 §3.8.1 retransmission queue). Storage comes from the pool on the first write.

import { copyBytes } from '../link/copy.js';
import type { BufferPool } from './buffer-pool.js';

export class SendBuffer {
  declare readonly capacity: number;
  private declare readonly pool: BufferPool;
  private declare block: Uint8Array | null;
  private declare head: number; // ring index of offset 0
  private declare held: number;

  constructor(pool: BufferPool) {
    this.pool = pool;
    this.capacity = pool.blockSize;
    this.block = null;
    this.head = 0;
    this.held = 0;
  }

  get length(): number {
    return this.held;
  }

  get free(): number {
    return this.capacity - this.held;
  }

  /** True once storage has been taken from the pool. */
  get hasStorage(): boolean {
    return this.block !== null;
  }

  /** Appends min(len, free) bytes; returns the count, or -1 when storage was needed and the pool is empty. */
  write(src: Uint8Array, off: number, len: number): number {
    let block = this.block;
    if (block === null) {
      if (len <= 0) return 0;
      block = this.pool.acquire();
      if (block === null) return -1;
      this.block = block;
    }
    const n = len < this.capacity - this.held ? len : this.capacity - this.held;
    if (n <= 0) return 0;
    let tail = this.head + this.held;
    if (tail >= this.capacity) tail -= this.capacity;
    const first = this.capacity - tail;
    if (n <= first) {
      copyBytes(src, off, block, tail, n);
    } else {
      copyBytes(src, off, block, tail, first);
      copyBytes(src, off + first, block, 0, n - first);
    }
    this.held += n;
    return n;
  }

  /** Copies len bytes starting `offset` bytes after snd.una into dst without consuming them. */
  copyOut(offset: number, dst: Uint8Array, dstOff: number, len: number): void {
    if (offset < 0 || len < 0 || offset + len > this.held) {
      throw new RangeError(`SendBuffer.copyOut: [${offset}, ${offset + len}) outside the ${this.held} bytes held`);
    }
    if (len === 0) return;
    const block = this.block as Uint8Array;
    let start = this.head + offset;
    if (start >= this.capacity) start -= this.capacity;
    const first = this.capacity - start;
    if (len <= first) {
      copyBytes(block, start, dst, dstOff, len);
    } else {
      copyBytes(block, start, dst, dstOff, first);
      copyBytes(block, 0, dst, dstOff + first, len - first);
    }
  }

  /** Drops n acknowledged bytes from the front. */
  consume(n: number): void {
    if (n < 0 || n > this.held) throw new RangeError(`SendBuffer.consume: ${n} of ${this.held} bytes held`);
    this.held -= n;
    if (this.held === 0) {
      this.head = 0; // keeps the next writes contiguous
    } else {
      this.head += n;
      if (this.head >= this.capacity) this.head -= this.capacity;
    }
  }

  /** Returns the storage to the pool (on close or abort); the buffer is then empty. */
  release(): void {
    if (this.block !== null) {
      this.pool.release(this.block);
      this.block = null;
    }
    this.head = 0;
    this.held = 0;
  }
}
