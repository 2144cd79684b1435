// One byte slab per host, like mTCP's per-core preallocated memory pools: a plain ArrayBuffer from which the
// host's link frame batches and rings and its TCP engines' buffers and transmit scratch are carved once, by bump
// allocation. A copy between two views of one ArrayBuffer is a native copyWithin that allocates nothing
// (copy.ts copyBytes); between two buffers it takes a slower word loop. Carved views are never returned: a pool
// that releases a block keeps it for reuse (tcp/buffer-pool.ts).
//
// A plain ArrayBuffer, not a resizable one: element access on views of resizable buffers measured ~2x slower
// on Node 20 (another elements kind, polymorphic sites). `new ArrayBuffer(n)` is calloc'd, so pages are
// committed only when first touched: a large slab costs address space, not memory, until it is used.

/** Carved views start on a cache line. */
export const SLAB_ALIGN = 64;
/** Largest slab a host makes (1 GiB): bounds the address space a host reserves when the configuration asks for
 *  more (for example max_num_buffers 10000 with 1 MiB socket buffers); beyond it blocks are standalone arrays. */
export const SLAB_MAX_BYTES = 1 << 30;

export class Slab {
  /** A view of the whole slab. */
  readonly bytes: Uint8Array;
  private carved: number;

  /** byteLength is rounded up to SLAB_ALIGN and capped at SLAB_MAX_BYTES. */
  constructor(byteLength: number) {
    if (!(byteLength >= 0)) throw new RangeError(`Slab: bad byteLength ${byteLength}`);
    const size = Math.min(SLAB_MAX_BYTES, Math.ceil(byteLength / SLAB_ALIGN) * SLAB_ALIGN);
    this.bytes = new Uint8Array(new ArrayBuffer(size));
    this.carved = 0;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Bytes handed out so far (alignment padding included). */
  get used(): number {
    return this.carved;
  }

  /** A view of `length` bytes at the next SLAB_ALIGN-aligned offset, or null when the slab has no room left. */
  carve(length: number): Uint8Array | null {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`Slab.carve: bad length ${length}`);
    const at = this.carved;
    if (length > this.bytes.length - at) return null;
    this.carved = Math.min(this.bytes.length, at + Math.ceil(length / SLAB_ALIGN) * SLAB_ALIGN);
    return new Uint8Array(this.bytes.buffer, at, length);
  }

  /** True when `bytes` was carved from this slab (a copy between it and another carved view is native). */
  holds(bytes: Uint8Array): boolean {
    return bytes.buffer === this.bytes.buffer;
  }
}

/**
 * `length` bytes carved from `slab` when it has room, else a standalone array (no slab, or the slab is full):
 * the fallback works the same, only copies to and from it take the word loop.
 */
export function carveOrAllocate(slab: Slab | null, length: number): Uint8Array {
  if (slab !== null) {
    const carved = slab.carve(length);
    if (carved !== null) return carved;
  }
  return new Uint8Array(length);
}
