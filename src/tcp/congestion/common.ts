// Pieces shared by the congestion controllers. All windows are in bytes.

/** ssthresh before any congestion: "arbitrarily high" (RFC 5681 §3.1), here the largest scaled window. */
export const INITIAL_SSTHRESH = 0x40000000;

/** Initial window, RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)). */
export function initialWindow(mss: number): number {
  const floor = 2 * mss > 14600 ? 2 * mss : 14600;
  return 10 * mss < floor ? 10 * mss : floor;
}

/** Slow-start increase with appropriate byte counting, RFC 3465 §2.2 with L = 2*SMSS. */
export function slowStartIncrease(acked: number, mss: number): number {
  return acked < 2 * mss ? acked : 2 * mss;
}

export function checkMss(mss: number): void {
  if (!Number.isInteger(mss) || mss < 1) throw new RangeError(`congestion control: bad MSS ${mss}`);
}
