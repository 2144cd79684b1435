// Copying frames between preallocated arenas without allocating per frame.
//
// Node has no allocation-free memcpy between two ArrayBuffers given (offset, length): TypedArray#set
// needs a view of exactly the source bytes, and Buffer#copy makes one internally. Measured on Node 20:
// a JS word loop copies a 1514-byte frame in ~1 us; TypedArray#set of a view made once per *slot* does it
// in ~0.05 us. So an Arena keeps one view per slot, made at construction, and copyFrame copies a whole
// source slot natively when the destination has room for it (the bytes past the frame are don't-care),
// and falls back to the word loop for small frames or frames not at a slot start.

/** Frames up to this length are copied by the word loop (cheaper than a native call for a big slot). */
export const SMALL_FRAME = 256;

/**
 * The slot size this layer uses for frames of up to maxFrameSize bytes: rounded up to 64 so frames start
 * cache-line aligned and slots of arenas from different links (the TAP link rounds the same way) match,
 * which lets copyFrame take its native path.
 */
export function slotSizeFor(maxFrameSize: number): number {
  return (maxFrameSize + 63) & ~63;
}

/** A DataView over exactly the bytes of `bytes` (create once per arena, never per frame). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A byte arena divided in slots of slotSize bytes, with the views copyFrame needs, all made once. */
export class Arena {
  readonly view: DataView;
  readonly slots: Uint8Array[];

  /** `withSlots` = false for an arena only ever copied into. */
  constructor(readonly bytes: Uint8Array, readonly slotSize: number, withSlots = true) {
    this.view = viewOf(bytes);
    this.slots = [];
    if (withSlots && slotSize > SMALL_FRAME) {
      const count = Math.floor(bytes.length / slotSize);
      for (let i = 0; i < count; i++) this.slots.push(new Uint8Array(bytes.buffer, bytes.byteOffset + i * slotSize, slotSize));
    }
  }
}

/**
 * Copies the frame src.bytes[srcOffset, srcOffset+length) to dst.bytes at dstOffset. `dstRoom` is how many
 * bytes from dstOffset may be overwritten (at least `length`); ranges must not overlap.
 */
export function copyFrame(dst: Arena, dstOffset: number, dstRoom: number, src: Arena, srcOffset: number, length: number): void {
  if (length > SMALL_FRAME) {
    const slotSize = src.slotSize;
    if (slotSize <= dstRoom) {
      const slot = (srcOffset / slotSize) | 0;
      if (slot * slotSize === srcOffset && slot < src.slots.length) {
        dst.bytes.set(src.slots[slot], dstOffset);
        return;
      }
    }
  }
  copyBytes(dst.view, dstOffset, src.view, srcOffset, length);
}

/** Copies src[srcOffset, srcOffset+length) to dst[dstOffset, ...) in 32-bit words. Ranges must not overlap. */
export function copyBytes(dst: DataView, dstOffset: number, src: DataView, srcOffset: number, length: number): void {
  let i = 0;
  const wordsEnd = length - 3;
  for (; i < wordsEnd; i += 4) dst.setInt32(dstOffset + i, src.getInt32(srcOffset + i, true), true);
  for (; i < length; i++) dst.setUint8(dstOffset + i, src.getUint8(srcOffset + i));
}
