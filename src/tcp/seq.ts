// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4, RFC 1982 serial numbers). Values are held in int32 form
// (`x | 0`: V8 keeps every int32 unboxed, a uint32 >= 2^31 is boxed when stored or passed); comparisons use the
// sign of the 32-bit difference, which is the same for either form.

export function seqAdd(a: number, n: number): number {
  return (a + n) | 0;
}

/** a - b as a signed 32-bit distance. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** True when lo <= x < hi in sequence space. */
export function seqInWindow(x: number, lo: number, hi: number): boolean {
  return ((x - lo) | 0) >= 0 && ((x - hi) | 0) < 0;
}
