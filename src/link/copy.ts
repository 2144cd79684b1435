// Copying bytes without allocating: the one copy function of the stack (copyBytes) and whole-frame copies
// between preallocated arenas (copyFrame).
//
// Node has no allocation-free memcpy between two ArrayBuffers given (offset, length): TypedArray#set needs a
// view of exactly the source bytes (subarray: ~170 B of garbage per copy) and Buffer#copy makes one
// internally. Inside ONE ArrayBuffer, copyWithin on a view of the whole buffer is a native memmove that
// allocates nothing; that is why a host carves its frame batches and TCP buffers from one slab (slab.ts).
// Between two buffers copyBytes takes an Int32Array word loop (shift-merging when the two offsets differ
// mod 4), about 6x slower than the native copy but allocation-free. Measured on Node 20 (this machine):
// 1448 bytes by copyWithin ~60 ns, by the word loop ~300 ns (same alignment mod 4) to ~450 ns (different).
// copyFrame keeps one view per arena slot, made at construction, so that a whole source slot can be copied
// natively into another buffer with TypedArray#set when the destination has room for it (the bytes past the
// frame are don't-care).

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
  if (length > SMALL_FRAME && src.bytes.buffer !== dst.bytes.buffer) {
    const slotSize = src.slotSize;
    if (slotSize <= dstRoom) {
      const slot = (srcOffset / slotSize) | 0;
      if (slot * slotSize === srcOffset && slot < src.slots.length) {
        dst.bytes.set(src.slots[slot], dstOffset);
        return;
      }
    }
  }
  copyBytes(src.bytes, srcOffset, dst.bytes, dstOffset, length);
}

/** Up to this many bytes a byte loop is used (no view lookup); measured: 16 B by loop ~30 ns, copyWithin ~18 ns
 *  plus the lookup. */
const TINY_COPY = 16;
/** Between two buffers, up to this many bytes the byte loop beats the word loop's set-up. */
const SMALL_COPY = 32;

/** Views over one whole ArrayBuffer, made once per buffer: bytes for copyWithin, words for the word loop. */
class WholeBuffer {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  constructor(readonly buffer: ArrayBufferLike) {
    this.bytes = new Uint8Array(buffer);
    this.words = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  }
}

// The two buffers used last (a copy has a source and a target), then a WeakMap for the rest: found without
// allocating once a buffer has been seen. A buffer nothing else references can be collected (the WeakMap does not
// hold it); the two recent entries hold at most two buffers until two others are copied.
const NO_BUFFER = new WholeBuffer(new ArrayBuffer(0));
let recent0 = NO_BUFFER;
let recent1 = NO_BUFFER;
const wholeBuffers = new WeakMap<ArrayBufferLike, WholeBuffer>();

function wholeBufferOf(buffer: ArrayBufferLike): WholeBuffer {
  if (recent0.buffer === buffer) return recent0;
  let whole = recent1;
  if (whole.buffer !== buffer) {
    const found = wholeBuffers.get(buffer);
    if (found === undefined) {
      whole = new WholeBuffer(buffer);
      wholeBuffers.set(buffer, whole);
    } else {
      whole = found;
    }
  }
  recent1 = recent0;
  recent0 = whole;
  return whole;
}

/**
 * Copies src[srcOff, srcOff+len) to dst[dstOff, dstOff+len), allocating nothing. Within one ArrayBuffer the
 * ranges may overlap (memmove). Writes no byte of dst outside the target range.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, len: number): void {
  if (len <= TINY_COPY) {
    // Backwards when the target starts inside the source range of the same buffer (memmove semantics).
    if (src.buffer === dst.buffer && src.byteOffset + srcOff < dst.byteOffset + dstOff) {
      for (let i = len - 1; i >= 0; i--) dst[dstOff + i] = src[srcOff + i];
    } else {
      for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
    }
    return;
  }
  const srcBuffer = src.buffer;
  const dstBuffer = dst.buffer;
  const s = src.byteOffset + srcOff;
  const d = dst.byteOffset + dstOff;
  if (srcBuffer === dstBuffer) {
    wholeBufferOf(srcBuffer).bytes.copyWithin(d, s, s + len);
    return;
  }
  if (len <= SMALL_COPY) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
    return;
  }
  const from = wholeBufferOf(srcBuffer);
  const to = wholeBufferOf(dstBuffer);
  copyAcross(from.bytes, from.words, s, to.bytes, to.words, d, len);
}

/** Int32Array elements are in platform byte order; the merge below assumes the low bits are the first byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The word loop between two different buffers (whole-buffer views, absolute byte offsets, len > 32). Bytes up to the
 * first 4-aligned target byte go one by one, then whole target words; a source offset not 4-aligned is handled by
 * merging two source words per target word (little-endian: the lower-addressed bytes are the low bits). The last
 * source word read is the one holding the range's last byte of a target word, never beyond; words that would
 * reach past the source's Int32Array (a buffer length not a multiple of 4) are left to the byte tail.
 */
function copyAcross(sb: Uint8Array, sw: Int32Array, s: number, db: Uint8Array, dw: Int32Array, d: number, len: number): void {
  const head = (4 - (d & 3)) & 3;
  for (let i = 0; i < head; i++) db[d + i] = sb[s + i];
  s += head;
  d += head;
  const shift = (s & 3) << 3;
  // A big-endian platform would need the shifts mirrored; it takes the byte loop instead.
  let words = shift === 0 || LITTLE_ENDIAN ? (len - head) >> 2 : 0;
  let si = s >> 2;
  // The merge reads word si + words (the one after the last word it starts in) when the offset is unaligned.
  const lastRead = shift === 0 ? si + words - 1 : si + words;
  if (words > 0 && lastRead >= sw.length) words--;
  let di = d >> 2;
  const end = di + words;
  // Unrolled by 8: measured ~25% faster than by 4 (1448 B: ~315 vs ~430 ns aligned, ~450 vs ~550 ns merged).
  const end8 = end - 7;
  if (shift === 0) {
    for (; di < end8; di += 8, si += 8) {
      dw[di] = sw[si];
      dw[di + 1] = sw[si + 1];
      dw[di + 2] = sw[si + 2];
      dw[di + 3] = sw[si + 3];
      dw[di + 4] = sw[si + 4];
      dw[di + 5] = sw[si + 5];
      dw[di + 6] = sw[si + 6];
      dw[di + 7] = sw[si + 7];
    }
    for (; di < end; di++, si++) dw[di] = sw[si];
  } else {
    const back = 32 - shift;
    let cur = sw[si];
    for (; di < end8; di += 8, si += 8) {
      const w1 = sw[si + 1];
      const w2 = sw[si + 2];
      const w3 = sw[si + 3];
      const w4 = sw[si + 4];
      const w5 = sw[si + 5];
      const w6 = sw[si + 6];
      const w7 = sw[si + 7];
      const w8 = sw[si + 8];
      dw[di] = (cur >>> shift) | (w1 << back);
      dw[di + 1] = (w1 >>> shift) | (w2 << back);
      dw[di + 2] = (w2 >>> shift) | (w3 << back);
      dw[di + 3] = (w3 >>> shift) | (w4 << back);
      dw[di + 4] = (w4 >>> shift) | (w5 << back);
      dw[di + 5] = (w5 >>> shift) | (w6 << back);
      dw[di + 6] = (w6 >>> shift) | (w7 << back);
      dw[di + 7] = (w7 >>> shift) | (w8 << back);
      cur = w8;
    }
    for (; di < end; di++) {
      si++;
      const next = sw[si];
      dw[di] = (cur >>> shift) | (next << back);
      cur = next;
    }
  }
  const done = head + (words << 2);
  s -= head;
  d -= head;
  for (let i = done; i < len; i++) db[d + i] = sb[s + i];
}

/** Private buffer size for warmUpCopyAcross: a multiple of 4 that holds its longest copy at offset 3. */
const WARM_UP_BYTES = 68;

/**
 * Gives every branch of copyAcross type feedback before V8 optimises it. A loop first reached after optimisation
 * (e.g. the aligned remainder, when a workload's copies were all unaligned until then) had no feedback, and the
 * optimised code bailed out there ("Insufficient type feedback for generic keyed access"), 0-116 times per run of
 * the 48 MiB engine bench. Runs once at module load on private buffers (no caller's buffer, not the two-buffer
 * cache): every target alignment (head 0-3 bytes), every source alignment (word copy or merge), 7-16 target words
 * (the unrolled loops, every remainder 0-7) with 0-3 tail bytes, and a source range ending at the source buffer's
 * last byte (one word fewer for the merge's read-ahead). Alignments vary fastest, so all paths are covered within
 * the first calls, in case the optimising compiler starts before the loop ends.
 */
function warmUpCopyAcross(): void {
  const srcBytes = new Uint8Array(WARM_UP_BYTES);
  const dstBytes = new Uint8Array(WARM_UP_BYTES);
  for (let i = 0; i < WARM_UP_BYTES; i++) srcBytes[i] = (i * 37 + 200) & 0xff;
  const srcWords = new Int32Array(srcBytes.buffer);
  const dstWords = new Int32Array(dstBytes.buffer);
  for (let len = 33; len <= 64; len++) {
    for (let s = 0; s < 4; s++) {
      for (let d = 0; d < 4; d++) {
        copyAcross(srcBytes, srcWords, s, dstBytes, dstWords, d, len);
        if (len === 33) copyAcross(srcBytes, srcWords, WARM_UP_BYTES - len - s, dstBytes, dstWords, d, len + s);
      }
    }
  }
}
warmUpCopyAcross();
