// Receive ring: in-order bytes the application has not read, followed by out-of-order data stored in place
// at its final position. An assembler keeps the out-of-order ranges as sorted, disjoint, non-touching
// [start, end) offsets relative to rcv.nxt, at most maxRanges of them (RFC 9293 §3.10.7.4: segments beyond
// rcv.nxt "should be held for later processing"; the bound keeps the cost and memory fixed).

import { copyBytes } from '../link/copy.js';
import type { BufferPool } from './buffer-pool.js';

/** write(): storing the segment would need more than maxRanges out-of-order ranges; nothing stored. */
export const RECEIVE_TOO_MANY_RANGES = -1;
/** write(): no storage could be taken from the pool (mTCP: CLOSED with NO_MEM); nothing stored. */
export const RECEIVE_NO_MEMORY = -2;

export class ReceiveBuffer {
  declare readonly capacity: number;
  declare readonly maxRanges: number;
  private declare readonly pool: BufferPool;
  private declare block: Uint8Array | null;
  private declare head: number; // ring index of the first unread byte
  private declare inOrder: number; // readable bytes; rcv.nxt is head + inOrder in the ring
  private declare readonly ranges: Int32Array; // [start0, end0, start1, end1, ...] relative to rcv.nxt
  private declare rangeCount: number;

  constructor(pool: BufferPool, maxRanges: number) {
    if (!Number.isInteger(maxRanges) || maxRanges < 0) throw new RangeError(`ReceiveBuffer: bad maxRanges ${maxRanges}`);
    this.pool = pool;
    this.capacity = pool.blockSize;
    this.maxRanges = maxRanges;
    this.block = null;
    this.head = 0;
    this.inOrder = 0;
    this.ranges = new Int32Array(2 * maxRanges + 2);
    this.rangeCount = 0;
  }

  get readable(): number {
    return this.inOrder;
  }

  /** Bytes that may arrive beyond rcv.nxt (advertised window before scaling). */
  get window(): number {
    return this.capacity - this.inOrder;
  }

  get outOfOrderCount(): number {
    return this.rangeCount;
  }

  /** True once storage has been taken from the pool. */
  get hasStorage(): boolean {
    return this.block !== null;
  }

  /** Takes storage from the pool now (it is otherwise taken by the first write); false if the pool is empty. */
  ensureStorage(): boolean {
    if (this.block !== null) return true;
    const block = this.pool.acquire();
    if (block === null) return false;
    this.block = block;
    return true;
  }

  /**
   * Places data that starts `offset` bytes after rcv.nxt (the caller trims bytes before rcv.nxt). Bytes beyond
   * the window are cut off. Returns how far the in-order edge advanced (0 if the data only filled out-of-order
   * space or lay outside the window), RECEIVE_TOO_MANY_RANGES (-1) or RECEIVE_NO_MEMORY (-2) with nothing stored.
   * Overlap with data already held is harmless (the same sequence numbers carry the same bytes).
   */
  write(offset: number, src: Uint8Array, srcOff: number, len: number): number {
    if (offset < 0 || len < 0) throw new RangeError(`ReceiveBuffer.write: offset ${offset}, len ${len}`);
    const window = this.capacity - this.inOrder;
    if (len === 0 || offset >= window) return 0;
    const end = offset + len > window ? window : offset + len;

    // Ranges i..j-1 overlap or touch [offset, end) and merge with it.
    const r = this.ranges;
    const count = this.rangeCount;
    let i = 0;
    while (i < count && r[2 * i + 1] < offset) i++;
    let j = i;
    while (j < count && r[2 * j] <= end) j++;
    let mergedStart = offset;
    let mergedEnd = end;
    if (j > i) {
      if (r[2 * i] < mergedStart) mergedStart = r[2 * i];
      if (r[2 * j - 1] > mergedEnd) mergedEnd = r[2 * j - 1];
    }
    // Ranges never start at 0 (that data is in order), so mergedStart === 0 means offset === 0 and i === 0.
    const countAfter = count - (j - i) + (mergedStart === 0 ? 0 : 1);
    if (countAfter > this.maxRanges) return RECEIVE_TOO_MANY_RANGES;
    if (this.block === null && !this.ensureStorage()) return RECEIVE_NO_MEMORY;

    const block = this.block as Uint8Array;
    const n = end - offset;
    let pos = this.head + this.inOrder + offset;
    if (pos >= this.capacity) pos -= this.capacity;
    const first = this.capacity - pos;
    if (n <= first) {
      copyBytes(src, srcOff, block, pos, n);
    } else {
      copyBytes(src, srcOff, block, pos, first);
      copyBytes(src, srcOff + first, block, 0, n - first);
    }

    if (mergedStart === 0) {
      // The in-order edge moves to mergedEnd; drop ranges 0..j-1 and rebase the rest on the new rcv.nxt.
      for (let k = j; k < count; k++) {
        r[2 * (k - j)] = r[2 * k] - mergedEnd;
        r[2 * (k - j) + 1] = r[2 * k + 1] - mergedEnd;
      }
      this.rangeCount = countAfter;
      this.inOrder += mergedEnd;
      return mergedEnd;
    }
    if (j === i) {
      for (let k = count - 1; k >= i; k--) {
        r[2 * k + 2] = r[2 * k];
        r[2 * k + 3] = r[2 * k + 1];
      }
    } else if (j - i > 1) {
      for (let k = j; k < count; k++) {
        r[2 * (k - j + i + 1)] = r[2 * k];
        r[2 * (k - j + i + 1) + 1] = r[2 * k + 1];
      }
    }
    r[2 * i] = mergedStart;
    r[2 * i + 1] = mergedEnd;
    this.rangeCount = countAfter;
    return 0;
  }

  /** Copies up to len in-order bytes to dst and consumes them; returns the count. */
  read(dst: Uint8Array, dstOff: number, len: number): number {
    const n = this.peek(dst, dstOff, len);
    if (n > 0) {
      this.inOrder -= n;
      if (this.inOrder === 0 && this.rangeCount === 0) {
        this.head = 0; // nothing stored: restart at the front so the next data lands contiguously
      } else {
        this.head += n;
        if (this.head >= this.capacity) this.head -= this.capacity;
      }
    }
    return n;
  }

  /** Copies up to len in-order bytes to dst without consuming them (MSG_PEEK); returns the count. */
  peek(dst: Uint8Array, dstOff: number, len: number): number {
    const n = len < this.inOrder ? len : this.inOrder;
    if (n <= 0) return 0;
    const block = this.block as Uint8Array;
    const first = this.capacity - this.head;
    if (n <= first) {
      copyBytes(block, this.head, dst, dstOff, n);
    } else {
      copyBytes(block, this.head, dst, dstOff, first);
      copyBytes(block, 0, dst, dstOff + first, n - first);
    }
    return n;
  }

  /** Discards up to n in-order bytes without copying them; returns the count. */
  skip(n: number): number {
    const k = n < this.inOrder ? n : this.inOrder;
    if (k <= 0) return 0;
    this.inOrder -= k;
    this.head += k;
    if (this.head >= this.capacity) this.head -= this.capacity;
    return k;
  }

  /** Out-of-order ranges as [start, end) offsets relative to rcv.nxt, ascending, in out[2i], out[2i+1]
   *  (as many as fit in out). Returns the number written. */
  outOfOrderRanges(out: Int32Array): number {
    const fit = out.length >> 1;
    const n = this.rangeCount < fit ? this.rangeCount : fit;
    for (let k = 0; k < 2 * n; k++) out[k] = this.ranges[k];
    return n;
  }

  /** Returns the storage to the pool and forgets everything held (when empty, or on abort). */
  release(): void {
    if (this.block !== null) {
      this.pool.release(this.block);
      this.block = null;
    }
    this.head = 0;
    this.inOrder = 0;
    this.rangeCount = 0;
  }
}
