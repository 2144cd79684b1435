import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from './copy.js';

const LENGTHS: number[] = [];
for (let n = 0; n <= 70; n++) LENGTHS.push(n);
LENGTHS.push(1448, 1460, 9000, 65000);

const SENTINEL = 0xa5;
const PAD = 16;

/** Byte i of the source pattern: not periodic in 4 or 8, so a word taken from the wrong offset shows. */
function pattern(i: number): number {
  return (i * 7 + (i >> 8) * 13 + 1) & 0xff;
}

/** Checks dst[d, d+len) holds src pattern bytes from s, and PAD bytes either side still hold the sentinel. */
function checkCopied(dst: Uint8Array, d: number, src: Uint8Array, s: number, len: number, what: string): void {
  for (let i = -PAD; i < 0; i++) if (dst[d + i] !== SENTINEL) assert.fail(`${what}: byte ${i} before the target written`);
  for (let i = 0; i < len; i++) {
    if (dst[d + i] !== src[s + i]) assert.fail(`${what}: byte ${i} is ${dst[d + i]}, expected ${src[s + i]}`);
  }
  for (let i = len; i < len + PAD; i++) if (dst[d + i] !== SENTINEL) assert.fail(`${what}: byte ${i - len} after the target written`);
}

test('copyBytes between two buffers: every alignment pair 0..7 x 0..7, lengths 0..70 and 1448/1460/9000/65000', () => {
  const src = new Uint8Array(65000 + 64);
  for (let i = 0; i < src.length; i++) src[i] = pattern(i);
  const dst = new Uint8Array(65000 + 64 + 2 * PAD);
  dst.fill(SENTINEL);
  let copies = 0;
  for (let sa = 0; sa < 8; sa++) {
    for (let da = 0; da < 8; da++) {
      for (const len of LENGTHS) {
        const d = PAD + da;
        copyBytes(src, sa, dst, d, len);
        checkCopied(dst, d, src, sa, len, `src align ${sa}, dst align ${da}, length ${len}`);
        dst.fill(SENTINEL, d, d + len);
        copies++;
      }
    }
  }
  assert.equal(copies, 64 * 75);
});

test('copyBytes honours the byteOffset of views that do not start their buffer', () => {
  const srcBuffer = new ArrayBuffer(4096);
  const all = new Uint8Array(srcBuffer);
  for (let i = 0; i < all.length; i++) all[i] = pattern(i);
  const dstBuffer = new ArrayBuffer(4096 + 2 * PAD);
  for (let so = 0; so < 8; so++) {
    for (let dOff = 0; dOff < 8; dOff++) {
      const src = new Uint8Array(srcBuffer, so, 2048);
      const dst = new Uint8Array(dstBuffer, dOff, 3000);
      new Uint8Array(dstBuffer).fill(SENTINEL);
      copyBytes(src, 5, dst, PAD + 3, 1460);
      checkCopied(dst, PAD + 3, src, 5, 1460, `view offsets ${so}/${dOff}`);
    }
  }
});

test('copyBytes reads no word past the source buffer whose length is not a multiple of 4', () => {
  for (let size = 100; size < 108; size++) {
    const src = new Uint8Array(size);
    for (let i = 0; i < size; i++) src[i] = pattern(i);
    for (let sa = 0; sa < 8; sa++) {
      for (let da = 0; da < 8; da++) {
        for (const len of [33, 34, 35, 36, 37, 60, size - 8 - sa]) {
          const s = size - len; // the range ends at the buffer's last byte
          const dst = new Uint8Array(len + 2 * PAD + 8);
          dst.fill(SENTINEL);
          copyBytes(src, s, dst, PAD + da, len);
          checkCopied(dst, PAD + da, src, s, len, `size ${size}, src at ${s}, dst align ${da}, length ${len}`);
        }
      }
    }
  }
});

test('copyBytes within one buffer moves bytes like memmove, overlapping or not, through views at any offset', () => {
  const buffer = new ArrayBuffer(20000);
  const whole = new Uint8Array(buffer);
  const a = new Uint8Array(buffer, 3, 19000);
  const b = new Uint8Array(buffer, 8000, 12000);
  const reference = new Uint8Array(20000);
  let copies = 0;
  for (const [src, dst] of [[whole, whole], [a, whole], [whole, b], [a, b], [b, a]] as const) {
    for (const len of [0, 1, 5, 16, 17, 31, 33, 70, 1448, 1460]) {
      for (const delta of [-9, -4, -1, 0, 1, 3, 4, 8, 9, 2000]) {
        for (let align = 0; align < 8; align++) {
          // Absolute positions in the buffer; the offsets passed are relative to each view.
          const s = 8200 + align;
          const d = s + delta;
          const srcOff = s - src.byteOffset;
          const dstOff = d - dst.byteOffset;
          for (let i = 0; i < whole.length; i++) whole[i] = pattern(i);
          reference.set(whole);
          reference.copyWithin(d, s, s + len); // the specification of memmove
          copyBytes(src, srcOff, dst, dstOff, len);
          for (let i = 0; i < whole.length; i++) {
            if (whole[i] !== reference[i]) assert.fail(`len ${len}, delta ${delta}, align ${align}: byte ${i} differs`);
          }
          copies++;
        }
      }
    }
  }
  assert.equal(copies, 5 * 10 * 10 * 8);
});
