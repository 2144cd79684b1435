// Retransmission timeout per RFC 6298. Karn's algorithm (§3) is the caller's duty: feed samples only from
// segments never retransmitted, or from timestamp echoes (RFC 7323 §4.2), which are unambiguous.
//
// Integer fixed point, as BSD and Linux keep it: SRTT in eighths of a millisecond and the variance term
// K*RTTVAR = 4*RTTVAR in eighths too, so alpha = 1/8 and beta = 1/4 become shifts and every field and
// intermediate is a small integer. Floating-point SRTT/RTTVAR boxed ~120 B of HeapNumbers per sample wherever
// V8 ran the update unoptimised (a cold call once per RTT). Samples are integer ms (`now` is).

/** Clock granularity G of RFC 6298 §2 in eighths of a ms: the timer wheel ticks in 1 ms. */
const GRANULARITY_EIGHTHS = 8;
/**
 * Samples above this (about 4.7 hours) count as this: it keeps srtt + variance (at most 40 times a sample, in
 * eighths) below 2^30, a small integer in V8. The RTO is clamped far below anyway.
 */
const MAX_SAMPLE_MS = 1 << 24;

export class RttEstimator {
  declare readonly minRtoMs: number;
  declare readonly maxRtoMs: number;
  declare readonly initialRtoMs: number;
  /** SRTT in eighths of a millisecond (RFC 6298 §2). */
  declare srttEighths: number;
  /** K * RTTVAR = 4 * RTTVAR in eighths of a millisecond: the variance term of the RTO (§2.2, §2.3). */
  declare varianceEighths: number;
  /** The current RTO in whole milliseconds. */
  declare rto: number;
  declare hasSample: boolean;
  /** Backoffs since the last sample or resetBackoff(). */
  declare backoffs: number;

  constructor(minRtoMs: number, maxRtoMs: number, initialRtoMs: number) {
    if (!(minRtoMs > 0 && maxRtoMs >= minRtoMs && initialRtoMs > 0)) {
      throw new RangeError(`RttEstimator: bad bounds min ${minRtoMs} max ${maxRtoMs} initial ${initialRtoMs}`);
    }
    this.minRtoMs = minRtoMs;
    this.maxRtoMs = maxRtoMs;
    this.initialRtoMs = initialRtoMs;
    this.srttEighths = 0;
    this.varianceEighths = 0;
    this.rto = this.clamp(initialRtoMs); // §2.1: 1 s before any sample
    this.hasSample = false;
    this.backoffs = 0;
  }

  /** SRTT in ms (a multiple of 1/8; may be fractional: for tests and diagnostics, not per-ACK code). */
  get srtt(): number {
    return this.srttEighths / 8;
  }

  /** RTTVAR in ms (a multiple of 1/32; may be fractional, as srtt). */
  get rttvar(): number {
    return this.varianceEighths / 32;
  }

  /** Adds a measurement R (integer ms; a fraction is dropped) and recomputes the RTO (§2.2, §2.3); also ends
   *  any backoff. */
  sample(rttMs: number): void {
    if (!(rttMs >= 0) || rttMs === Infinity) throw new RangeError(`RttEstimator.sample: bad RTT ${rttMs}`);
    const r = rttMs < MAX_SAMPLE_MS ? rttMs | 0 : MAX_SAMPLE_MS;
    if (!this.hasSample) {
      // SRTT = R, RTTVAR = R/2, so 4*RTTVAR = 2R; in eighths 8R and 16R.
      this.srttEighths = r << 3;
      this.varianceEighths = r << 4;
      this.hasSample = true;
    } else {
      // RTTVAR first, with the old SRTT (§2.3). 4*RTTVAR' = 3/4 * 4*RTTVAR + |SRTT - R|, so in eighths the
      // new error term is |srttEighths - 8R| unscaled. SRTT' = 7/8 SRTT + 1/8 R: in eighths, minus 1/8 of
      // itself, plus R. Each shift drops less than one unit (1/8 ms) and keeps the estimate on the high side.
      let err = this.srttEighths - (r << 3);
      if (err < 0) err = -err;
      this.varianceEighths = this.varianceEighths - (this.varianceEighths >> 2) + err;
      this.srttEighths = this.srttEighths - (this.srttEighths >> 3) + r;
    }
    this.backoffs = 0;
    this.rto = this.computed();
  }

  /** Timer expired: RTO = RTO * 2, capped at the maximum (§5.5). */
  backoff(): void {
    this.backoffs++;
    this.rto = this.clamp(this.rto * 2);
  }

  /** Drops the backoff: the RTO goes back to the estimate (or the initial value without a sample). */
  resetBackoff(): void {
    this.backoffs = 0;
    this.rto = this.hasSample ? this.computed() : this.clamp(this.initialRtoMs);
  }

  /** Forgets the estimate (RFC 6298 §5.7: after SYN retransmissions the RTO restarts at 3 s when data
   *  transmission begins; the caller passes that value, or the initial RTO). */
  restart(rtoMs: number): void {
    this.srttEighths = 0;
    this.varianceEighths = 0;
    this.hasSample = false;
    this.backoffs = 0;
    this.rto = this.clamp(rtoMs);
  }

  /** RTO = SRTT + max(G, K*RTTVAR) (§2.3), rounded up to whole ms (the timer's unit; never below the
   *  estimate), then clamped (§2.4, §2.5). */
  private computed(): number {
    const v = this.varianceEighths;
    return this.clamp((this.srttEighths + (v > GRANULARITY_EIGHTHS ? v : GRANULARITY_EIGHTHS) + 7) >> 3);
  }

  private clamp(rto: number): number {
    if (rto < this.minRtoMs) return this.minRtoMs;
    if (rto > this.maxRtoMs) return this.maxRtoMs;
    return rto;
  }
}
