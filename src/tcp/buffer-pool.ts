// Per-core pool of fixed-size byte blocks for send and receive rings (mTCP keeps `max_num_buffers` chunks per
// core). Blocks are created on demand up to maxBlocks and recycled, so an idle connection holds no buffer.

export class BufferPool {
  declare readonly blockSize: number;
  declare readonly maxBlocks: number;
  private declare readonly freeBlocks: Uint8Array[];
  private declare created: number;
  private declare used: number;

  constructor(blockSize: number, maxBlocks: number) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`BufferPool: bad blockSize ${blockSize}`);
    if (!Number.isInteger(maxBlocks) || maxBlocks < 0) throw new RangeError(`BufferPool: bad maxBlocks ${maxBlocks}`);
    this.blockSize = blockSize;
    this.maxBlocks = maxBlocks;
    this.freeBlocks = [];
    this.created = 0;
    this.used = 0;
  }

  /** Blocks currently handed out. */
  get inUse(): number {
    return this.used;
  }

  /** Blocks ever created (handed out + idle in the pool). */
  get allocated(): number {
    return this.created;
  }

  /** A block of blockSize bytes, or null when maxBlocks are out (the caller maps this to ENOMEM/ENOBUFS).
   *  Contents of a recycled block are stale: rings never read bytes they have not written. */
  acquire(): Uint8Array | null {
    if (this.used >= this.maxBlocks) return null;
    this.used++;
    const block = this.freeBlocks.pop();
    if (block !== undefined) return block;
    this.created++;
    return new Uint8Array(this.blockSize);
  }

  release(block: Uint8Array): void {
    if (block.length !== this.blockSize) throw new RangeError('BufferPool.release: block is not from this pool');
    if (this.used === 0) throw new Error('BufferPool.release: more blocks released than acquired');
    this.used--;
    this.freeBlocks.push(block);
  }
}

/** Below this length a byte loop beats `set(subarray())` (measured on Node 20: the loop copies ~0.6 GB/s, set
 *  costs ~50 ns fixed then >20 GB/s). */
const SMALL_COPY = 32;

/**
 * Copies len bytes src[srcOff..] -> dst[dstOff..]. Node 20 has no allocation-free bulk copy between two typed
 * arrays (Buffer#copy also builds a view), so bulk copies create one short-lived subarray view: a deliberate
 * exception to the no-subarray rule, ~40x faster per 1460-byte segment than a byte loop.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, len: number): void {
  if (len <= SMALL_COPY) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
    return;
  }
  if (srcOff === 0 && len === src.length) dst.set(src, dstOff);
  else dst.set(src.subarray(srcOff, srcOff + len), dstOff);
}
