// Retransmission timeout per RFC 6298. Karn's algorithm (§3) is the caller's duty: feed samples only from
// segments never retransmitted, or from timestamp echoes (RFC 7323 §4.2), which are unambiguous.

/** Clock granularity G of RFC 6298 §2: the timer wheel ticks in 1 ms. */
const CLOCK_GRANULARITY_MS = 1;
/** K of RFC 6298 §2. */
const K = 4;

export class RttEstimator {
  declare readonly minRtoMs: number;
  declare readonly maxRtoMs: number;
  declare readonly initialRtoMs: number;
  declare srtt: number;
  declare rttvar: number;
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
    this.srtt = 0;
    this.rttvar = 0;
    this.rto = this.clamp(initialRtoMs); // §2.1: 1 s before any sample
    this.hasSample = false;
    this.backoffs = 0;
  }

  /** Adds a measurement R (ms) and recomputes the RTO (§2.2, §2.3); also ends any backoff. */
  sample(rttMs: number): void {
    if (!(rttMs >= 0) || rttMs === Infinity) throw new RangeError(`RttEstimator.sample: bad RTT ${rttMs}`);
    if (!this.hasSample) {
      this.srtt = rttMs;
      this.rttvar = rttMs / 2;
      this.hasSample = true;
    } else {
      // RTTVAR first, with the old SRTT (§2.3); alpha = 1/8, beta = 1/4.
      const err = this.srtt - rttMs;
      this.rttvar = 0.75 * this.rttvar + 0.25 * (err < 0 ? -err : err);
      this.srtt = 0.875 * this.srtt + 0.125 * rttMs;
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
    this.srtt = 0;
    this.rttvar = 0;
    this.hasSample = false;
    this.backoffs = 0;
    this.rto = this.clamp(rtoMs);
  }

  private computed(): number {
    const variance = K * this.rttvar;
    return this.clamp(this.srtt + (variance > CLOCK_GRANULARITY_MS ? variance : CLOCK_GRANULARITY_MS));
  }

  private clamp(rto: number): number {
    if (rto < this.minRtoMs) return this.minRtoMs;
    if (rto > this.maxRtoMs) return this.maxRtoMs;
    return rto;
  }
}
