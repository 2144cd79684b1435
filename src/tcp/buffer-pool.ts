// Per-core pool of fixed-size byte blocks for send and receive rings (mTCP keeps `max_num_buffers` chunks per
// core). Blocks are created on demand up to maxBlocks and recycled, so an idle connection holds no buffer.
// New blocks are carved from the host's slab while it has room (link/slab.ts), so that copies between them and
// the link's frames are native; beyond it they are standalone arrays (copies then take the word loop).

import { carveOrAllocate, type Slab } from '../link/slab.js';

export class BufferPool {
  declare readonly blockSize: number;
  declare readonly maxBlocks: number;
  private declare readonly freeBlocks: Uint8Array[];
  private declare created: number;
  private declare used: number;
  private declare readonly slab: Slab | null;

  constructor(blockSize: number, maxBlocks: number, slab: Slab | null = null) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`BufferPool: bad blockSize ${blockSize}`);
    if (!Number.isInteger(maxBlocks) || maxBlocks < 0) throw new RangeError(`BufferPool: bad maxBlocks ${maxBlocks}`);
    this.blockSize = blockSize;
    this.maxBlocks = maxBlocks;
    this.freeBlocks = [];
    this.created = 0;
    this.used = 0;
    this.slab = slab;
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
    return carveOrAllocate(this.slab, this.blockSize);
  }

  release(block: Uint8Array): void {
    if (block.length !== this.blockSize) throw new RangeError('BufferPool.release: block is not from this pool');
    if (this.used === 0) throw new Error('BufferPool.release: more blocks released than acquired');
    this.used--;
    this.freeBlocks.push(block);
  }
}
