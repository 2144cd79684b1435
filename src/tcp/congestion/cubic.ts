// CUBIC congestion control, RFC 9438: window growth W_cubic(t) = C*(t - K)^3 + W_max (§4.2) in congestion
// avoidance, the Reno-friendly estimate W_est (§4.3), multiplicative decrease by beta_cubic = 0.7 (§4.6), fast
// convergence (§4.7) and the timeout rule (§4.8). Slow start is RFC 5681 with ABC (RFC 3465); no HyStart.
// Windows are bytes outside, segments inside the cubic formulas (C is in segments/s^3).

import type { CongestionControl } from './congestion.js';
import { INITIAL_SSTHRESH, checkMss, initialWindow, slowStartIncrease } from './common.js';

export const CUBIC_C = 0.4;
export const CUBIC_BETA = 0.7;
/** alpha_cubic = 3 * (1 - beta) / (1 + beta), RFC 9438 §4.3. */
const ALPHA_CUBIC = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
const NO_EPOCH = -1;

export class Cubic implements CongestionControl {
  readonly name = 'cubic' as const;
  declare mss: number;
  declare cwnd: number;
  declare ssthresh: number;
  /** W_max in bytes: the window before the last reduction (after fast convergence). 0 = none yet. */
  declare wMax: number;
  /** cwnd before the last reduction (cwnd_prior, RFC 9438 §4.6). */
  declare cwndPrior: number;
  /** K in seconds for the current epoch. */
  declare k: number;
  /** Start of the current congestion-avoidance epoch (ms), or -1 outside one. */
  declare epochStart: number;
  /** Reno-friendly estimate W_est in bytes (§4.3). */
  declare wEst: number;
  /** Smoothed RTT from the samples given to onAck (ms), 0 before any. */
  declare srtt: number;
  private declare fraction: number; // sub-byte growth carried between ACKs so cwnd stays an integer
  private declare afterTimeout: boolean;
  private declare lastAckTime: number;
  private declare started: boolean;

  constructor(mss: number, now: number) {
    checkMss(mss);
    this.mss = mss;
    this.cwnd = initialWindow(mss);
    this.ssthresh = INITIAL_SSTHRESH;
    this.wMax = 0;
    this.cwndPrior = 0;
    this.k = 0;
    this.epochStart = NO_EPOCH;
    this.wEst = 0;
    this.srtt = 0;
    this.fraction = 0;
    this.afterTimeout = false;
    this.lastAckTime = now;
    this.started = false;
  }

  /** W_cubic(t) in bytes for t seconds into the current epoch (§4.2, Figure 1). */
  wCubic(tSeconds: number): number {
    const d = tSeconds - this.k;
    return (CUBIC_C * d * d * d) * this.mss + this.wMax;
  }

  onAck(acked: number, rttMs: number, now: number, _bytesInFlight: number): void {
    this.lastAckTime = now;
    this.started = true;
    if (rttMs >= 0) this.srtt = this.srtt === 0 ? rttMs : 0.875 * this.srtt + 0.125 * rttMs;
    if (acked <= 0) return;
    if (this.cwnd < this.ssthresh) {
      this.cwnd += slowStartIncrease(acked, this.mss);
      return;
    }
    if (this.epochStart === NO_EPOCH) this.startEpoch(now);
    const mss = this.mss;
    const cwnd = this.cwnd;
    const t = (now - this.epochStart) / 1000;

    // Reno-friendly estimate (§4.3): alpha per RTT, 1 once W_est passed cwnd_prior.
    const alpha = this.wEst >= this.cwndPrior ? 1 : ALPHA_CUBIC;
    this.wEst += (alpha * mss * acked) / cwnd;

    // Target W_cubic(t + RTT), limited to [cwnd, 1.5*cwnd] (§4.2). (Inline: a call returning a double boxes it.)
    const d = t - this.k;
    const wNow = CUBIC_C * d * d * d * mss + this.wMax;
    const dAhead = d + this.srtt / 1000;
    let target = CUBIC_C * dAhead * dAhead * dAhead * mss + this.wMax;
    if (target < cwnd) target = cwnd;
    else if (target > 1.5 * cwnd) target = 1.5 * cwnd;

    let growth: number;
    if (wNow < this.wEst) {
      // Reno-friendly region: cwnd follows W_est (§4.3).
      growth = this.wEst > cwnd ? this.wEst - cwnd : 0;
    } else {
      // Concave/convex regions: (target - cwnd)/cwnd segments per acknowledged segment (§4.4, §4.5).
      growth = ((target - cwnd) * acked) / cwnd;
    }
    const total = growth + this.fraction;
    const whole = Math.floor(total);
    this.fraction = total - whole;
    this.cwnd = cwnd + whole;
  }

  onEnterRecovery(now: number, bytesInFlight: number): void {
    this.lastAckTime = now;
    this.reduce(bytesInFlight);
    this.cwnd = this.ssthresh;
  }

  onExitRecovery(now: number): void {
    this.lastAckTime = now;
    this.cwnd = this.ssthresh;
    this.epochStart = NO_EPOCH;
  }

  onRetransmitTimeout(now: number, bytesInFlight: number): void {
    this.lastAckTime = now;
    this.reduce(bytesInFlight);
    this.cwnd = this.mss;
    // §4.8: the first congestion avoidance after a timeout uses K = 0 and W_max = cwnd at its start.
    this.afterTimeout = true;
  }

  onIdle(now: number, rtoMs: number): void {
    if (now - this.lastAckTime <= rtoMs) return;
    const iw = initialWindow(this.mss);
    if (this.cwnd > iw) this.cwnd = iw;
    // Idle time is no growth time: the next ACK in congestion avoidance starts a new epoch.
    this.epochStart = NO_EPOCH;
    this.lastAckTime = now;
  }

  setMss(mss: number): void {
    checkMss(mss);
    this.mss = mss;
    if (!this.started) this.cwnd = initialWindow(mss);
  }

  /** Congestion event (§4.6, §4.7): fast convergence, then ssthresh = flight * beta, at least 2*SMSS. */
  private reduce(bytesInFlight: number): void {
    this.started = true;
    const cwnd = this.cwnd;
    this.cwndPrior = cwnd;
    this.wMax = cwnd < this.wMax ? (cwnd * (1 + CUBIC_BETA)) / 2 : cwnd;
    const ss = Math.floor(bytesInFlight * CUBIC_BETA);
    this.ssthresh = ss > 2 * this.mss ? ss : 2 * this.mss;
    this.epochStart = NO_EPOCH;
    this.fraction = 0;
  }

  /** First ACK of a congestion-avoidance stage: t = 0, K from W_max and cwnd_epoch (§4.2 eq. 2). */
  private startEpoch(now: number): void {
    this.epochStart = now;
    this.wEst = this.cwnd;
    if (this.afterTimeout || this.wMax <= this.cwnd) {
      // After a timeout (§4.8), or above the old maximum (e.g. slow start ended without loss): grow convexly
      // from here.
      this.afterTimeout = false;
      this.wMax = this.cwnd;
      this.k = 0;
    } else {
      this.k = Math.cbrt((this.wMax - this.cwnd) / this.mss / CUBIC_C);
    }
  }
}
