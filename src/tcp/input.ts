// "Segment arrives" for a connection (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 other states), checks in the
// RFC's order: PAWS (RFC 7323 §5.3), sequence acceptability, RST (RFC 5961 §3.2), SYN (RFC 5961 §4.2), ACK
// (RFC 5961 §5.2 and recovery.ts), text, FIN.

import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TS_OPTION_BYTES } from '../wire/tcp.js';
import * as E from './errno.js';
import { seqGe, seqGt, seqLe, seqLt } from './seq.js';
import { TcpConnection, TcpState } from './connection.js';
import type { TcpEngine } from './engine.js';
import { processAck } from './recovery.js';
import { emitBareReset, emitReset, output } from './output.js';
import { armIdleTimer } from './timers.js';
import { listenerInput } from './listener.js';

/** Applies the options of a SYN or SYN-ACK (RFC 9293 §3.7.1, RFC 7323 §2-3, RFC 2018 §2). */
export function negotiateOptions(e: TcpEngine, c: TcpConnection): void {
  const o = e.opts;
  const cfg = e.config;
  let mss = o.mss >= 0 ? o.mss : 536;
  if (mss > cfg.mss) mss = cfg.mss;
  if (mss < 64) mss = 64;  // a tiny MSS option would only burn CPU (Linux clamps to 48..)
  c.peerMss = mss;
  if (cfg.windowScaling && c.rcvWscaleOffer >= 0 && o.windowScale >= 0) {
    c.wsOk = true;
    c.sndWscale = o.windowScale > 14 ? 14 : o.windowScale;
    c.rcvWscale = c.rcvWscaleOffer;
  } else {
    c.wsOk = false;
    c.sndWscale = 0;
    c.rcvWscale = 0;
  }
  c.sackOk = cfg.sack && o.sackPermitted;
  c.tsOk = cfg.timestamps && o.hasTimestamp;
  if (c.tsOk) c.tsRecent = o.tsVal;
  c.smss = c.peerMss - (c.tsOk ? TS_OPTION_BYTES : 0);
}

/** The handshake completed (SYN_SENT or SYN_RECEIVED -> ESTABLISHED). */
export function establish(e: TcpEngine, c: TcpConnection, ack: number, now: number): void {
  c.state = TcpState.ESTABLISHED;
  c.sndUna = ack;
  if (seqLt(c.sndNxt, ack)) c.sndNxt = ack;
  if (seqLt(c.sndMax, ack)) c.sndMax = ack;
  c.recover = c.iss;  // RFC 6582 §3.2 step 1: recover starts at the ISS
  c.highRxt = ack;
  const o = e.opts;
  let sampled = false;
  if (c.tsOk && o.hasTimestamp && o.tsEcr !== 0) {
    const r = ((now + c.tsOffset) - o.tsEcr) | 0;
    if (r >= 0) { c.rtt.sample(r); sampled = true; }
  } else if (c.rttTiming && c.retries === 0) { c.rtt.sample(now - c.rttStart); sampled = true; }
  // RFC 6298 §5.7: the SYN (or SYN-ACK) timed out and no sample came: data starts with a 3 s RTO.
  if (!sampled && c.retries > 0) c.rtt.restart(3000);
  c.rttTiming = false;
  c.retries = 0;
  e.wheel.cancel(c.rtxTimer);
  c.persisting = false;
  c.cc.setMss(c.smss);
  c.lastReceiveTime = now;
  armIdleTimer(e, c, now);
  e.counters.connectionsEstablished++;
}

function enterTimeWait(e: TcpEngine, c: TcpConnection, now: number): void {
  c.state = TcpState.TIME_WAIT;
  e.wheel.cancel(c.rtxTimer);
  c.persisting = false;
  c.timeWaitUntil = now + e.config.timeWaitMs;
  armIdleTimer(e, c, now);
  e.markReady(c);
}

function processFin(e: TcpEngine, c: TcpConnection, now: number): void {
  c.rcvFinPending = false;
  c.finReceived = true;
  c.rcvNxt = (c.rcvNxt + 1) | 0;
  c.ackNow = true;
  e.queueOutput(c);
  e.markReady(c);
  switch (c.state) {
    case TcpState.SYN_RECEIVED:
    case TcpState.ESTABLISHED: c.state = TcpState.CLOSE_WAIT; break;
    case TcpState.FIN_WAIT_1:
      if (c.finAcked) enterTimeWait(e, c, now); else c.state = TcpState.CLOSING;
      break;
    case TcpState.FIN_WAIT_2: enterTimeWait(e, c, now); break;
    default: break;
  }
}

/** RFC 9293 §3.10.7.4 second check, once RFC 5961 §3.2 found the RST exactly at RCV.NXT. */
function resetArrived(e: TcpEngine, c: TcpConnection): void {
  c.resetReceived = true;
  switch (c.state) {
    case TcpState.SYN_RECEIVED:
      e.enterClosed(c, E.ECONNREFUSED);  // a passive one is simply dropped (back to LISTEN)
      return;
    case TcpState.ESTABLISHED: case TcpState.FIN_WAIT_1: case TcpState.FIN_WAIT_2: case TcpState.CLOSE_WAIT:
      e.enterClosed(c, c.state === TcpState.CLOSE_WAIT ? E.EPIPE : E.ECONNRESET);
      return;
    default:
      e.enterClosed(c, 0);
  }
}

function synSentInput(e: TcpEngine, c: TcpConnection, now: number): void {
  const flags = e.segFlags;
  const seq = e.segSeq;
  const ack = e.segAck;
  const k = e.counters;
  if ((flags & TCP_ACK) !== 0 && (seqLe(ack, c.iss) || seqGt(ack, c.sndMax))) {
    k.dropAckUnacceptable++;
    if ((flags & TCP_RST) === 0) emitBareReset(e, c.localIp, c.remoteIp, c.localPort, c.remotePort, ack, 0, TCP_RST);
    return;
  }
  if ((flags & TCP_RST) !== 0) {
    if ((flags & TCP_ACK) !== 0) {
      k.rstReceived++;
      c.resetReceived = true;
      e.enterClosed(c, E.ECONNREFUSED);
    }
    return;
  }
  if ((flags & TCP_SYN) === 0) return;
  c.irs = seq;
  c.rcvNxt = (seq + 1) | 0;
  c.lastAckSent = c.rcvNxt;
  // Our SYN advertised a window before RCV.NXT was known: anchor its right edge now.
  const synWindow = c.receiveBuffer.window;
  c.rcvAdvRight = (c.rcvNxt + (synWindow > 65535 ? 65535 : synWindow)) | 0;
  negotiateOptions(e, c);
  c.sndWnd = e.segWnd;  // RFC 7323 §2.2: never scaled in a SYN
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = seq;
  c.sndWl2 = ack;
  c.lastReceiveTime = now;
  if ((flags & TCP_ACK) !== 0) {
    establish(e, c, ack, now);
    c.ackNow = true;
    e.queueOutput(c);
    e.markReady(c);
    if (e.segLen > 0) receiveData(e, c, c.rcvNxt, e.segDataOff, e.segLen, now);
    if ((flags & TCP_FIN) !== 0 && ((seq + 1 + e.segLen) | 0) === c.rcvNxt) processFin(e, c, now);
    return;
  }
  // Simultaneous open (RFC 9293 §3.10.7.3 fourth): SYN_RECEIVED and a SYN-ACK with our ISS.
  c.state = TcpState.SYN_RECEIVED;
  c.synNeeded = true;
  e.queueOutput(c);
}

export function segmentArrives(e: TcpEngine, c: TcpConnection, now: number): void {
  const s = c.state;
  if (s === TcpState.SYN_SENT) { synSentInput(e, c, now); return; }
  if (s === TcpState.CLOSED || s === TcpState.LISTEN) {
    e.resetForSegment(c.localIp, c.remoteIp, c.localPort, c.remotePort);
    return;
  }
  const k = e.counters;
  const o = e.opts;
  const segSeq = e.segSeq;
  const ack = e.segAck;
  let flags = e.segFlags;
  let seq = segSeq;
  let len = e.segLen;
  let dataOff = e.segDataOff;

  // TIME_WAIT: a new SYN above the old sequence space (or with a newer timestamp) may start a new connection
  // (RFC 1122 §4.2.2.13, RFC 6191).
  if (s === TcpState.TIME_WAIT && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN &&
      (seqGt(seq, c.rcvNxt) || (c.tsOk && o.hasTimestamp && seqGt(o.tsVal, c.tsRecent)))) {
    const l = e.findListener(c.localIp, c.localPort);
    if (l !== null) {
      e.finishTimeWait(c);
      listenerInput(e, l, now);
      return;
    }
  }

  // PAWS (RFC 7323 §5.3 R1): an old timestamp means an old duplicate.
  if (c.tsOk && o.hasTimestamp && (flags & TCP_RST) === 0 && seqLt(o.tsVal, c.tsRecent)) {
    k.dropPaws++;
    c.ackNow = true;
    e.queueOutput(c);
    return;
  }

  // Sequence acceptability (RFC 9293 §3.10.7.4 first check), in Linux's form: the segment must not end before
  // RCV.NXT nor start beyond the window's right edge.
  let wnd = (c.rcvAdvRight - c.rcvNxt) | 0;
  if (wnd < 0) wnd = 0;
  const endSeq = (seq + len + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0)) | 0;
  if (seqLt(endSeq, c.rcvNxt) || seqGt(seq, (c.rcvNxt + wnd) | 0)) {
    if ((flags & TCP_RST) !== 0) { k.dropOutOfWindow++; return; }
    if ((flags & TCP_SYN) !== 0) { e.challengeAck(c, now); return; }
    k.dropOutOfWindow++;
    if (len > 0 && seqLe((seq + len) | 0, c.rcvNxt)) {
      k.duplicateSegments++;
      if (c.sackOk) { c.dsackPending = true; c.dsackLeft = seq; c.dsackRight = (seq + len) | 0; }
    }
    c.ackNow = true;
    e.queueOutput(c);
    return;
  }

  // RST (RFC 5961 §3.2): exactly at RCV.NXT resets, anywhere else in the window draws a challenge ACK.
  if ((flags & TCP_RST) !== 0) {
    k.rstReceived++;
    if (seq === c.rcvNxt) resetArrived(e, c);
    else e.challengeAck(c, now);
    return;
  }

  // SYN (RFC 5961 §4.2): challenge ACK, except a retransmitted SYN in SYN_RECEIVED and the SYN-ACK of a
  // simultaneous open.
  if ((flags & TCP_SYN) !== 0) {
    if (s === TcpState.SYN_RECEIVED && seq === c.irs) {
      if ((flags & TCP_ACK) === 0) {
        if (c.listener !== null) { c.synNeeded = true; e.queueOutput(c); }
        return;
      }
      flags &= ~TCP_SYN;
      seq = (seq + 1) | 0;
    } else {
      e.challengeAck(c, now);
      return;
    }
  }

  // Trim to the window: before RCV.NXT (duplicate bytes, reported with D-SACK, RFC 2883 §4) and beyond it.
  if (seqLt(seq, c.rcvNxt)) {
    let dup = (c.rcvNxt - seq) | 0;
    if (dup > len) { flags &= ~TCP_FIN; dup = len; c.ackNow = true; }
    if (dup > 0) {
      k.duplicateSegments++;
      if (c.sackOk) { c.dsackPending = true; c.dsackLeft = seq; c.dsackRight = (seq + dup) | 0; }
      c.ackNow = true;
    }
    seq = (seq + dup) | 0;
    dataOff += dup;
    len -= dup;
  }
  const right = (c.rcvNxt + wnd) | 0;
  if (seqGt((seq + len) | 0, right)) {
    len = (right - seq) | 0;
    if (len < 0) len = 0;
    flags &= ~TCP_FIN;
    c.ackNow = true;
  }
  if (c.ackNow) e.queueOutput(c);

  c.lastReceiveTime = now;
  c.keepaliveSent = 0;
  // RFC 7323 §4.3: TS.Recent from a segment that covers Last.ACK.sent.
  if (c.tsOk && o.hasTimestamp && seqLe(segSeq, c.lastAckSent) && seqGe(o.tsVal, c.tsRecent)) c.tsRecent = o.tsVal;

  if ((flags & TCP_ACK) === 0) { k.dropNoAck++; return; }

  if (s === TcpState.SYN_RECEIVED) {
    if (!(seqGt(ack, c.sndUna) && seqLe(ack, c.sndMax))) {
      k.dropAckUnacceptable++;
      emitBareReset(e, c.localIp, c.remoteIp, c.localPort, c.remotePort, ack, 0, TCP_RST);
      return;
    }
    const l = c.listener;
    if (l !== null && l.acceptCount >= l.backlog) {
      // Linux keeps the connection half-open (tcp_abort_on_overflow = 0); the SYN-ACK retransmission asks again.
      k.dropAcceptQueueFull++;
      return;
    }
    establish(e, c, ack, now);
    c.sndWnd = e.segWnd * 2 ** c.sndWscale;
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = segSeq;
    c.sndWl2 = ack;
    if (l !== null) e.enqueueAccept(l, c);
    else e.markReady(c);
    e.queueOutput(c);
  } else {
    // RFC 5961 §5.2 ACK acceptability.
    if (seqGt(ack, c.sndMax)) {
      k.dropAckUnacceptable++;
      c.ackNow = true;
      e.queueOutput(c);
      return;
    }
    if (seqLt(ack, (c.sndUna - c.maxSndWnd) | 0)) {
      k.dropAckUnacceptable++;
      e.challengeAck(c, now);
      return;
    }
    const newWnd = e.segWnd * 2 ** c.sndWscale;
    const isDupCandidate = e.segLen === 0 && (e.segFlags & (TCP_SYN | TCP_FIN)) === 0 && newWnd === c.sndWnd;
    // Window update (RFC 9293 §3.10.7.4, SND.WL1/SND.WL2 rule).
    if (seqGe(ack, c.sndUna) && (seqLt(c.sndWl1, segSeq) || (c.sndWl1 === segSeq && seqLe(c.sndWl2, ack)))) {
      if (newWnd > c.sndWnd) e.queueOutput(c);
      c.sndWnd = newWnd;
      c.sndWl1 = segSeq;
      c.sndWl2 = ack;
      if (newWnd > c.maxSndWnd) c.maxSndWnd = newWnd;
    }
    processAck(e, c, ack, isDupCandidate, now);
    if (c.freed) return;
    switch (c.state) {
      case TcpState.FIN_WAIT_1:
        if (c.finAcked) {
          c.state = TcpState.FIN_WAIT_2;
          e.wheel.cancel(c.rtxTimer);
          e.markReady(c);
          armIdleTimer(e, c, now);
        }
        break;
      case TcpState.CLOSING:
        if (c.finAcked) enterTimeWait(e, c, now);
        break;
      case TcpState.LAST_ACK:
        if (c.finAcked) { e.enterClosed(c, 0); return; }
        break;
      case TcpState.TIME_WAIT:
        // Only a retransmitted FIN can arrive: acknowledge it and restart the 2 MSL wait.
        if ((e.segFlags & TCP_FIN) !== 0) {
          c.ackNow = true;
          e.queueOutput(c);
          c.timeWaitUntil = now + e.config.timeWaitMs;
          armIdleTimer(e, c, now);
        }
        return;
      default: break;
    }
  }

  // Segment text (seventh check).
  const st = c.state;
  if (len > 0 && (st === TcpState.ESTABLISHED || st === TcpState.FIN_WAIT_1 || st === TcpState.FIN_WAIT_2)) {
    if (c.orphan && seqGe(seq, c.rcvNxt)) {
      // Nobody will read it: the application closed (Linux resets, RFC 2525 §2.17 in spirit). What it wrote
      // before closing goes out first, as write() on a kernel socket would already have sent it: output is
      // batched to the end of the pass, and the reset must not overtake queued data and FIN.
      if (c.outputQueued) output(e, c, now);
      k.resetsOnClose++;
      emitReset(e, c, now);
      e.enterClosed(c, 0);
      return;
    }
    receiveData(e, c, seq, dataOff, len, now);
  }

  // FIN (eighth check); an out-of-order FIN waits until RCV.NXT reaches it.
  if ((flags & TCP_FIN) !== 0 && !c.finReceived) {
    const finSeq = (seq + len) | 0;
    if (finSeq === c.rcvNxt) processFin(e, c, now);
    else if (seqGt(finSeq, c.rcvNxt)) { c.rcvFinPending = true; c.rcvFinSeq = finSeq; c.ackNow = true; e.queueOutput(c); }
  } else if (c.rcvFinPending && !c.finReceived && c.rcvNxt === c.rcvFinSeq) {
    processFin(e, c, now);
  }
}

/** Stores in-window data (seq >= RCV.NXT) and decides the ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2). */
export function receiveData(e: TcpEngine, c: TcpConnection, seq: number, dataOff: number, len: number, now: number): void {
  const rb = c.receiveBuffer;
  const k = e.counters;
  const offset = (seq - c.rcvNxt) | 0;
  const hadGap = rb.outOfOrderCount > 0;
  if (offset > 0 && hadGap && c.sackOk) {
    // Entirely inside data already held out of order: a duplicate to report (RFC 2883 §4.1.3).
    const r = e.rangesScratch;
    const n = rb.outOfOrderRanges(r);
    for (let i = 0; i < n; i++) {
      if (offset >= r[2 * i] && offset + len <= r[2 * i + 1]) {
        c.dsackPending = true; c.dsackLeft = seq; c.dsackRight = (seq + len) | 0;
        k.duplicateSegments++;
        break;
      }
    }
  }
  const advanced = rb.write(offset, e.view.buf, dataOff, len);
  if (advanced < 0) {
    if (advanced === -1) k.dropReceiveRanges++; else k.dropReceiveNoMemory++;
    c.ackNow = true;
    e.queueOutput(c);
    return;
  }
  k.bytesIn += len;
  if (offset === 0) {
    c.rcvNxt = (c.rcvNxt + advanced) | 0;
    if (c.shutRead) rb.skip(rb.readable);
    if (hadGap) c.ackNow = true;  // it filled (part of) a gap: ACK at once (RFC 5681 §4.2)
    else {
      // At least every second full-sized segment (RFC 1122 §4.2.3.2, RFC 5681 §4.2). A segment longer than our MSS
      // (a GSO super-segment through a vnet_hdr TAP) carries two or more: held for the delayed-ACK timer, it drew
      // the kernel's tail-loss probe whenever it ended a flight.
      c.ackPendingSegments += len > e.config.mss - (c.tsOk ? TS_OPTION_BYTES : 0) ? 2 : 1;
      if (c.ackPendingSegments >= 2) c.ackNow = true;
      else if (!c.delackTimer.armed) e.wheel.arm(c.delackTimer, now + e.config.delayedAckMs);
    }
    if (advanced > 0) e.markReady(c);
  } else {
    k.outOfOrderSegments++;
    c.lastOooSeq = seq;
    c.lastOooValid = true;
    c.ackNow = true;  // out of order: duplicate ACK at once (RFC 5681 §4.2)
  }
  if (c.ackNow) e.queueOutput(c);
}
