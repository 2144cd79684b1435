// NewReno congestion control: RFC 5681 slow start and congestion avoidance with appropriate byte counting
// (RFC 3465), window reductions of RFC 5681 §3.1/§3.2, recovery arithmetic of RFC 6582.

import type { CongestionControl } from './congestion.js';
import { INITIAL_SSTHRESH, checkMss, initialWindow, slowStartIncrease } from './common.js';

export class NewReno implements CongestionControl {
  readonly name = 'reno' as const;
  declare mss: number;
  declare cwnd: number;
  declare ssthresh: number;
  /** Bytes acknowledged in congestion avoidance not yet turned into window (RFC 3465 §2.1 bytes_acked). */
  private declare bytesAcked: number;
  private declare lastAckTime: number;
  private declare started: boolean;

  constructor(mss: number, now: number) {
    checkMss(mss);
    this.mss = mss;
    this.cwnd = initialWindow(mss);
    this.ssthresh = INITIAL_SSTHRESH;
    this.bytesAcked = 0;
    this.lastAckTime = now;
    this.started = false;
  }

  onAck(acked: number, _rttMs: number, now: number, _bytesInFlight: number): void {
    this.lastAckTime = now;
    this.started = true;
    if (acked <= 0) return;
    if (this.cwnd < this.ssthresh) {
      this.cwnd += slowStartIncrease(acked, this.mss);
      return;
    }
    // Congestion avoidance: one SMSS per cwnd bytes acknowledged (RFC 3465 §2.1, RFC 5681 §3.1 eq. 3).
    this.bytesAcked += acked;
    if (this.bytesAcked >= this.cwnd) {
      this.bytesAcked -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  onEnterRecovery(now: number, bytesInFlight: number): void {
    this.lastAckTime = now;
    this.started = true;
    this.ssthresh = this.halfFlight(bytesInFlight);
    this.cwnd = this.ssthresh;
    this.bytesAcked = 0;
  }

  onExitRecovery(now: number): void {
    this.lastAckTime = now;
    this.cwnd = this.ssthresh;
    this.bytesAcked = 0;
  }

  onRetransmitTimeout(now: number, bytesInFlight: number): void {
    this.lastAckTime = now;
    this.started = true;
    this.ssthresh = this.halfFlight(bytesInFlight);
    this.cwnd = this.mss; // loss window, RFC 5681 §3.1
    this.bytesAcked = 0;
  }

  onIdle(now: number, rtoMs: number): void {
    if (now - this.lastAckTime <= rtoMs) return;
    const iw = initialWindow(this.mss);
    if (this.cwnd > iw) this.cwnd = iw;
    this.bytesAcked = 0;
    this.lastAckTime = now;
  }

  setMss(mss: number): void {
    checkMss(mss);
    this.mss = mss;
    if (!this.started) this.cwnd = initialWindow(mss);
  }

  /** max(FlightSize / 2, 2*SMSS), RFC 5681 §3.1 eq. 4. */
  private halfFlight(bytesInFlight: number): number {
    const half = Math.floor(bytesInFlight / 2);
    return half > 2 * this.mss ? half : 2 * this.mss;
  }
}
