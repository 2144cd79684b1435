// Big-endian (network byte order) field access on a Uint8Array, without DataView or allocation.
// Callers check lengths first; these functions do not.

export function read16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

/** Unsigned 32-bit. */
export function read32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/**
 * The same 32 bits in int32 form (>= 2^31 reads as negative), for wrap-around quantities (sequence numbers,
 * timestamps): V8 keeps any int32 as a small integer, while a uint32 >= 2^31 is boxed wherever it is stored
 * in an object or crosses a call that is not inlined.
 */
export function readInt32(b: Uint8Array, i: number): number {
  return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
}

export function write16(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 8;
  b[i + 1] = v;
}

export function write32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}
