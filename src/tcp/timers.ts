// Timer expiry: retransmission (RFC 6298 §5.4-5.7, SYN retries), persist (RFC 9293 §3.8.6.1 zero-window
// probes, RFC 1122 §4.2.3.4 override of SWS avoidance), keepalive (RFC 1122 §4.2.3.6), idle timeout
// (mTCP's tcp_timeout), FIN_WAIT_2 timeout and TIME_WAIT.

import * as E from './errno.js';
import { TcpConnection, TcpState } from './connection.js';
import type { TcpEngine } from './engine.js';
import { clearScoreboard } from './recovery.js';
import { emitProbe, emitReset, sendNewSegment, sendTailLossProbe } from './output.js';

export function rtxTimerFired(e: TcpEngine, c: TcpConnection, now: number): void {
  if (c.persisting) { persistFired(e, c, now); return; }
  const s = c.state;
  const k = e.counters;
  if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
    c.retries++;
    if (c.retries > e.config.synRetries) {
      k.timeouts++;
      e.enterClosed(c, E.ETIMEDOUT);
      return;
    }
    c.rtt.backoff();
    c.synNeeded = true;
    e.queueOutput(c);
    return;
  }
  if (c.sndMax === c.sndUna) return;
  if (c.tlpArmed) {
    // RFC 8985 §7.3: the probe timeout, not the RTO. Outside its conditions the RTO simply takes over.
    c.tlpArmed = false;
    if (sendTailLossProbe(e, c, now)) return;
    e.wheel.arm(c.rtxTimer, now + c.rtt.rto);
    return;
  }
  c.retries++;
  k.retransmitTimeouts++;
  if (c.retries > e.config.dataRetries) {
    k.timeouts++;
    e.enterClosed(c, E.ETIMEDOUT);
    return;
  }
  // RFC 6298 §5.5-5.6 and RFC 5681 §3.1: back off, shrink cwnd to one segment, resend from snd.una.
  c.cc.onRetransmitTimeout(now, c.flightSize);
  c.rtt.backoff();
  c.recoveryInflation = 0;
  c.dupAcks = 0;
  c.headRxtValid = false;
  c.rxtMarkValid = false;
  c.recover = (c.sndMax - 1) | 0;  // RFC 6582 §4: the highest sequence number transmitted before the timeout
  c.highRxt = c.sndUna;
  c.rttTiming = false;
  if (c.sackOk && c.sndWnd > 0 && !scoreboardSuspect(c)) {
    // RFC 6675 §5.1 lets the sender keep the SACK information (as Linux does unless the receiver reneges):
    // every un-SACKed byte is taken as lost and resent by the recovery rules, SACKed data is not sent again.
    c.inRecovery = true;
    c.rtoRecovery = true;
    c.sndNxt = c.sndMax;
    c.lostEnd = c.sndMax;
  } else {
    c.inRecovery = false;
    c.rtoRecovery = false;
    clearScoreboard(c);   // RFC 2018 §8: after a timeout without trustworthy SACK data, go back to SND.UNA
    c.sndNxt = c.sndUna;
  }
  // A closed peer window lets nothing be resent: ask for the window instead (RFC 9293 §3.8.6.1).
  if (c.sndWnd === 0) { emitProbe(e, c, now); k.zeroWindowProbes++; }
  e.queueOutput(c);
}

/** The receiver may have reneged (RFC 2018 §8): it SACKs the byte at SND.UNA without acknowledging it, or
 *  several timeouts in a row passed without progress. Then the scoreboard is not trusted. */
function scoreboardSuspect(c: TcpConnection): boolean {
  if (c.sackScoreCount === 0) return false;
  return c.sackScore[0] === c.sndUna || c.retries >= 3;
}

function persistFired(e: TcpEngine, c: TcpConnection, now: number): void {
  c.persisting = false;
  const s = c.state;
  if (s !== TcpState.ESTABLISHED && s !== TcpState.CLOSE_WAIT && s !== TcpState.FIN_WAIT_1 &&
      s !== TcpState.CLOSING && s !== TcpState.LAST_ACK) return;
  if (c.sndMax !== c.sndUna) return;
  const room = c.sndWnd - ((c.sndNxt - c.sndUna) | 0);
  if (room > 0) {
    // The window is open but SWS avoidance or Nagle held the data back: send what fits.
    if (sendNewSegment(e, c, now, room) > 0) return;
  }
  emitProbe(e, c, now);
  e.counters.zeroWindowProbes++;
  if (c.persistBackoff < 16) c.persistBackoff++;
  c.persisting = true;
  c.tlpArmed = false;
  let t = c.rtt.rto * 2 ** c.persistBackoff;
  if (t > e.config.rtoMaxMs) t = e.config.rtoMaxMs;
  e.wheel.arm(c.rtxTimer, now + t);
}

function keepaliveApplies(c: TcpConnection): boolean {
  const s = c.state;
  return c.keepalive && (s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT || s === TcpState.FIN_WAIT_2);
}

/** Arms the idle timer for the earliest of TIME_WAIT end, FIN_WAIT_2 timeout, idle timeout, next keepalive. */
export function armIdleTimer(e: TcpEngine, c: TcpConnection, now: number): void {
  const s = c.state;
  const cfg = e.config;
  let d = Infinity;
  if (s === TcpState.TIME_WAIT) d = c.timeWaitUntil;
  else {
    if (s === TcpState.FIN_WAIT_2 && c.orphan) {
      if (c.finWait2Until === 0) c.finWait2Until = now + cfg.finWait2TimeoutMs;
      d = c.finWait2Until;
    }
    if (cfg.idleTimeoutMs > 0 && s === TcpState.ESTABLISHED && !c.orphan) {
      const last = c.lastReceiveTime > c.lastSendTime ? c.lastReceiveTime : c.lastSendTime;
      const t = last + cfg.idleTimeoutMs;
      if (t < d) d = t;
    }
    if (keepaliveApplies(c)) {
      // With data in flight the retransmission timer watches the peer; look again one idle period later.
      const t = c.sndMax !== c.sndUna ? now + c.keepaliveIdleMs :
        c.lastReceiveTime + c.keepaliveIdleMs + c.keepaliveSent * c.keepaliveIntervalMs;
      if (t < d) d = t;
    }
  }
  if (d === Infinity) { e.wheel.cancel(c.idleTimer); return; }
  e.wheel.arm(c.idleTimer, d > now ? d : now + 1);
}

export function idleTimerFired(e: TcpEngine, c: TcpConnection, now: number): void {
  const s = c.state;
  const k = e.counters;
  const cfg = e.config;
  if (s === TcpState.TIME_WAIT) {
    if (now >= c.timeWaitUntil) { e.finishTimeWait(c); return; }
    armIdleTimer(e, c, now);
    return;
  }
  if (s === TcpState.FIN_WAIT_2 && c.orphan && c.finWait2Until !== 0 && now >= c.finWait2Until) {
    k.finWait2Timeouts++;
    emitReset(e, c, now);
    e.enterClosed(c, 0);
    return;
  }
  if (cfg.idleTimeoutMs > 0 && s === TcpState.ESTABLISHED && !c.orphan) {
    const last = c.lastReceiveTime > c.lastSendTime ? c.lastReceiveTime : c.lastSendTime;
    if (now - last >= cfg.idleTimeoutMs) {
      // mTCP's tcp_timeout; unlike mTCP we tell the peer (RST), so it does not keep a half-open connection.
      k.idleTimeouts++;
      emitReset(e, c, now);
      e.enterClosed(c, E.ETIMEDOUT);
      return;
    }
  }
  if (keepaliveApplies(c) && c.sndMax === c.sndUna) {
    if (now - c.lastReceiveTime >= c.keepaliveIdleMs + c.keepaliveSent * c.keepaliveIntervalMs) {
      if (c.keepaliveSent >= c.keepaliveProbes) {
        k.keepaliveTimeouts++;
        emitReset(e, c, now);
        e.enterClosed(c, E.ETIMEDOUT);
        return;
      }
      emitProbe(e, c, now);
      c.keepaliveSent++;
      k.keepaliveProbes++;
    }
  }
  armIdleTimer(e, c, now);
}
