// One small interface for the congestion controllers (RFC 5681 NewReno, RFC 9438 CUBIC), chosen with mTCP's
// `cc = cubic|reno` key. Windows are in bytes. The connection owns loss detection and recovery (RFC 6675 /
// RFC 6582); the controller only says how cwnd and ssthresh move.

import { Cubic } from './cubic.js';
import { NewReno } from './newreno.js';

export type CongestionName = 'cubic' | 'reno';

export interface CongestionControl {
  readonly name: CongestionName;
  /** Sender MSS the windows are counted in. */
  readonly mss: number;
  cwnd: number;
  ssthresh: number;
  /** New data acknowledged outside recovery: `acked` bytes (ABC, RFC 3465 with L = 2*SMSS in slow start);
   *  rttMs = -1 if this ACK gave no sample. */
  onAck(acked: number, rttMs: number, now: number, bytesInFlight: number): void;
  /** Fast retransmit entered (RFC 5681 §3.2 step 2, RFC 6582, RFC 9438 §4.6): sets ssthresh, and cwnd = ssthresh
   *  (RFC 6675 §5 step 4.2). Without SACK the engine inflates and deflates its usable window itself during
   *  NewReno recovery (RFC 6582 §3.2 steps 4-5, tcp/recovery.ts), leaving cwnd = ssthresh here. */
  onEnterRecovery(now: number, bytesInFlight: number): void;
  /** Full ACK ended recovery: cwnd = ssthresh (RFC 6582 §3.2 step 6, option 2). */
  onExitRecovery(now: number): void;
  /** RTO fired: ssthresh from the flight size (Reno: /2, CUBIC: *0.7, at least 2*SMSS), cwnd = 1 SMSS
   *  (RFC 5681 §3.1 eq. 4, RFC 9438 §4.8). */
  onRetransmitTimeout(now: number, bytesInFlight: number): void;
  /** Call when sending resumes with nothing in flight: if no ACK came for more than rtoMs, cwnd is cut to
   *  min(cwnd, IW) (RFC 5681 §4.1 restart window). */
  onIdle(now: number, rtoMs: number): void;
  /** The negotiated MSS; before the first ACK or loss the window restarts at the RFC 6928 initial window. */
  setMss(mss: number): void;
}

export function createCongestionControl(name: CongestionName, mss: number, now: number): CongestionControl {
  if (name === 'cubic') return new Cubic(mss, now);
  if (name === 'reno') return new NewReno(mss, now);
  throw new Error(`unknown congestion control "${String(name)}" (cubic or reno)`);
}
