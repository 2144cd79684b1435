// ACK processing on the sender side (RFC 9293 §3.10.7.4 fifth check, ESTABLISHED rules): RTT samples, the
// congestion controller, duplicate-ACK counting, fast retransmit, NewReno (RFC 6582) and SACK-based loss
// recovery (RFC 6675) with a scoreboard of SACKed ranges, and limited transmit (RFC 3042, used in output.ts).

import { seqGt, seqGe, seqLt, seqLe } from './seq.js';
import { TcpConnection, SCOREBOARD_MAX } from './connection.js';
import type { TcpEngine } from './engine.js';
import type { TcpOptions } from '../wire/tcp.js';
import { retransmitAt, sendNewSegment, armRtxOrProbe } from './output.js';

const DUP_THRESH = 3;

/** cwnd as the sender uses it: with NewReno inflation during recovery without SACK. */
export function effectiveCwnd(c: TcpConnection): number {
  let w = c.cc.cwnd;
  if (c.inRecovery && !c.sackOk) {
    w += c.recoveryInflation;
    if (w < c.smss) w = c.smss;
  }
  return w;
}

/** Merges the SACK blocks of an ACK into the scoreboard (RFC 6675 §4 Update()); D-SACKs (RFC 2883 §4) are
 *  counted and ignored. Returns true when a block covered data not SACKed before. */
export function updateScoreboard(e: TcpEngine, c: TcpConnection, o: TcpOptions, ack: number): boolean {
  let grew = false;
  const b = o.sackBlocks;
  for (let i = 0; i < o.sackCount; i++) {
    let l = b[2 * i];
    let r = b[2 * i + 1];
    if (!seqLt(l, r)) continue;
    if (i === 0 && (seqLe(r, ack) || (o.sackCount > 1 && seqGe(l, b[2]) && seqLe(r, b[3])))) {
      e.counters.dsackReceived++;
      continue;
    }
    if (seqLt(l, c.sndUna)) l = c.sndUna;
    if (seqGt(r, c.sndMax)) r = c.sndMax;
    if (!seqLt(l, r)) continue;
    if (insertRange(c, l, r)) grew = true;
  }
  if (grew) recomputeScoreboard(c);
  return grew;
}

/** Inserts [l, r) into the sorted, disjoint scoreboard; true if it added bytes. */
function insertRange(c: TcpConnection, l: number, r: number): boolean {
  if (c.sackScore.length === 0) c.sackScore = new Int32Array(2 * SCOREBOARD_MAX + 2);
  const s = c.sackScore;
  const n = c.sackScoreCount;
  let i = 0;
  while (i < n && seqLt(s[2 * i + 1], l)) i++;
  let j = i;
  while (j < n && seqLe(s[2 * j], r)) j++;
  if (j - i === 1 && seqLe(s[2 * i], l) && seqGe(s[2 * i + 1], r)) return false;  // already held
  let nl = l, nr = r;
  if (j > i) {
    if (seqLt(s[2 * i], nl)) nl = s[2 * i];
    if (seqGt(s[2 * j - 1], nr)) nr = s[2 * j - 1];
  }
  const removed = j - i;
  const newCount = n - removed + 1;
  if (newCount > SCOREBOARD_MAX) {
    // Full: keep the lowest ranges, they matter most for retransmission; drop the new one if it is highest.
    if (i >= SCOREBOARD_MAX - 1) return false;
    c.sackScoreCount = n - 1;
    return insertRange(c, l, r);
  }
  if (removed !== 1) s.copyWithin(2 * (i + 1), 2 * j, 2 * n);
  s[2 * i] = nl;
  s[2 * i + 1] = nr;
  c.sackScoreCount = newCount;
  return true;
}

/** Drops scoreboard ranges below snd.una and recomputes the totals. */
export function pruneScoreboard(c: TcpConnection): void {
  const s = c.sackScore;
  let n = c.sackScoreCount;
  if (n === 0) return;
  let k = 0;
  while (k < n && seqLe(s[2 * k + 1], c.sndUna)) k++;
  if (k > 0) { s.copyWithin(0, 2 * k, 2 * n); n -= k; }
  if (n > 0 && seqLt(s[0], c.sndUna)) s[0] = c.sndUna;
  c.sackScoreCount = n;
  recomputeScoreboard(c);
}

export function clearScoreboard(c: TcpConnection): void {
  c.sackScoreCount = 0;
  c.sackedBytes = 0;
  c.lostEnd = c.sndUna;
}

/** sackedBytes and lostEnd: an un-SACKed byte is lost when more than (DupThresh-1)*SMSS bytes above it were
 *  SACKed, or DupThresh separate ranges lie above it (RFC 6675 §4 IsLost, by ranges rather than segments). */
function recomputeScoreboard(c: TcpConnection): void {
  const s = c.sackScore;
  const n = c.sackScoreCount;
  let total = 0;
  let lost = c.sndUna;
  let found = false;
  for (let i = n - 1; i >= 0; i--) {
    total += (s[2 * i + 1] - s[2 * i]) | 0;
    if (!found && (total > (DUP_THRESH - 1) * c.smss || n - i >= DUP_THRESH)) { lost = s[2 * i]; found = true; }
  }
  c.sackedBytes = total;
  if (seqGt(lost, c.lostEnd) || !c.inRecovery) c.lostEnd = lost;
  if (seqLt(c.lostEnd, c.sndUna)) c.lostEnd = c.sndUna;
}

/** Bytes in [a, b) not covered by the scoreboard. */
function unsacked(c: TcpConnection, a: number, b: number): number {
  if (!seqLt(a, b)) return 0;
  let n = (b - a) | 0;
  const s = c.sackScore;
  for (let i = 0; i < c.sackScoreCount; i++) {
    const l = seqLt(s[2 * i], a) ? a : s[2 * i];
    const r = seqGt(s[2 * i + 1], b) ? b : s[2 * i + 1];
    if (seqLt(l, r)) n -= (r - l) | 0;
  }
  return n;
}

/** RFC 6675 §4 SetPipe(): bytes believed in the network. Not-lost bytes count once, retransmitted lost bytes
 *  once, retransmitted not-lost bytes twice. */
export function pipe(c: TcpConnection): number {
  const una = c.sndUna;
  const hr = seqLt(c.highRxt, una) ? una : c.highRxt;
  return unsacked(c, una, c.sndMax) - unsacked(c, una, c.lostEnd) + unsacked(c, una, hr);
}

/** The first un-SACKed sequence number at or above `from` and below `limit`, or -1; its un-SACKed run length
 *  goes to runLength. */
let runLength = 0;
function nextUnsacked(c: TcpConnection, from: number, limit: number): number {
  let x = from;
  const s = c.sackScore;
  for (let i = 0; i < c.sackScoreCount; i++) {
    if (seqLe(s[2 * i + 1], x)) continue;
    if (seqLe(s[2 * i], x)) { x = s[2 * i + 1]; continue; }
    // x lies before range i
    if (!seqLt(x, limit)) return -1;
    const end = seqLt(s[2 * i], limit) ? s[2 * i] : limit;
    runLength = (end - x) | 0;
    return x;
  }
  if (!seqLt(x, limit)) return -1;
  runLength = (limit - x) | 0;
  return x;
}

/** RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS, send NextSeg(). True if anything was sent. */
export function recoverySend(e: TcpEngine, c: TcpConnection, now: number): boolean {
  let sent = false;
  let cwnd = c.cc.cwnd;
  // RFC 6675 §5 step (4.2): cwnd = ssthresh during fast recovery; after a timeout cwnd is in slow start.
  if (!c.rtoRecovery && c.cc.ssthresh < cwnd) cwnd = c.cc.ssthresh;
  let p = pipe(c);
  for (let guard = 0; guard < 1024 && cwnd - p >= c.smss; guard++) {
    const from = seqLt(c.highRxt, c.sndUna) ? c.sndUna : c.highRxt;
    // Rule 1: the first lost, un-SACKed, not yet retransmitted segment.
    let seq = nextUnsacked(c, from, c.lostEnd);
    if (seq !== -1) {
      const n = retransmitAt(e, c, seq, now, runLength);
      if (n <= 0) break;
      p += n;
      sent = true;
      continue;
    }
    // Rule 2: new data.
    const n2 = sendNewSegment(e, c, now, c.smss);
    if (n2 > 0) { p += n2; sent = true; continue; }
    // Rule 3: an un-SACKed segment that is not yet judged lost, below the highest SACKed octet (1.a, 1.b).
    if (c.sackScoreCount === 0) break;
    seq = nextUnsacked(c, from, c.sackScore[2 * c.sackScoreCount - 1]);
    if (seq !== -1) {
      const n = retransmitAt(e, c, seq, now, runLength);
      if (n <= 0) break;
      p += n;
      sent = true;
      continue;
    }
    break;
  }
  return sent;
}

/** Lost retransmissions of any hole (RFC 8985 §6.2, with transmission order for time): data first sent after
 *  the latest retransmission is SACKed DupThresh segments beyond it, yet retransmitted bytes below HighRxt are
 *  still missing. They were sent before that data, so they are lost: NextSeg rule 1 resends them. */
function detectLostRetransmissions(e: TcpEngine, c: TcpConnection): boolean {
  if (!c.inRecovery || !c.rxtMarkValid || c.sackScoreCount === 0 || !seqLt(c.sndUna, c.highRxt)) return false;
  const highest = c.sackScore[2 * c.sackScoreCount - 1];
  if (!seqGt(highest, (c.rxtMark + (DUP_THRESH - 1) * c.smss) | 0)) return false;
  if (unsacked(c, c.sndUna, c.highRxt) === 0) return false;
  c.rxtMarkValid = false;
  c.headRxtValid = false;
  if (seqLt(c.lostEnd, c.highRxt)) c.lostEnd = c.highRxt;  // rule 3 retransmissions were below no lost mark
  c.highRxt = c.sndUna;
  e.counters.lostRetransmitsDetected++;
  return true;
}

/**
 * Processes an acceptable ACK (SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.MAX) in a synchronized state.
 * `isDupCandidate`: the segment carries no data, SYN or FIN and leaves the window unchanged (RFC 5681 §2).
 */
export function processAck(e: TcpEngine, c: TcpConnection, ack: number, isDupCandidate: boolean, now: number): void {
  const o = e.opts;
  let sackGrew = false;
  if (c.sackOk && o.sackCount > 0) sackGrew = updateScoreboard(e, c, o, ack);
  if (seqGt(ack, c.sndUna)) {
    const acked = (ack - c.sndUna) | 0;
    const sb = c.sendBuffer;
    const dataAcked = acked < sb.length ? acked : sb.length;
    // RTT sample: timestamps (RFC 7323 §4.2) or one timed segment (RFC 6298 §3, Karn).
    let rttMs = -1;
    if (c.tsOk && o.hasTimestamp && o.tsEcr !== 0) {
      const r = ((now + c.tsOffset) - o.tsEcr) | 0;
      if (r >= 0) rttMs = r;
    } else if (c.rttTiming && seqGe(ack, c.rttSeq)) {
      rttMs = now - c.rttStart;
      c.rttTiming = false;
    }
    if (rttMs >= 0) c.rtt.sample(rttMs);
    c.retries = 0;
    c.tlpOutstanding = false;  // the probe's episode ends with new data acknowledged (RFC 8985 §7.4)
    c.tlpProbes = 0;
    const flight = c.flightSize;
    sb.consume(dataAcked);
    c.sndUna = ack;
    if (seqLt(c.sndNxt, ack)) c.sndNxt = ack;
    if (seqLt(c.highRxt, ack)) c.highRxt = ack;
    pruneScoreboard(c);
    if (c.inRecovery) {
      if (seqGt(ack, c.recover)) {  // RFC 6582 §3.2 step 3: everything up to and including recover is acked
        c.inRecovery = false;
        c.recoveryInflation = 0;
        c.dupAcks = 0;
        c.headRxtValid = false;
        c.rxtMarkValid = false;
        // After a timeout cwnd restarted from one segment (RFC 5681 §3.1): it keeps growing, no reset.
        if (c.rtoRecovery) { c.rtoRecovery = false; c.cc.onAck(dataAcked, rttMs, now, flight); }
        else c.cc.onExitRecovery(now);
      } else if (c.rtoRecovery) {
        // Resending the holes after a timeout: slow start from one segment (RFC 5681 §3.1).
        c.cc.onAck(dataAcked, rttMs, now, flight);
      } else {
        // Partial ACK (RFC 6582 §3.2 step 5): the next hole is lost too; deflate by what was acked.
        c.retransmitHead = !c.sackOk;
        c.headRxtValid = false;  // the retransmitted head was acknowledged: a new head
        if (c.sackOk) {
          // The whole segment at the new SND.UNA is lost, not only its first byte (that made 1-byte resends).
          let end = (ack + c.smss) | 0;
          if (seqGt(end, c.sndMax)) end = c.sndMax;
          if (seqLt(c.lostEnd, end)) c.lostEnd = end;
        }
        else {
          c.recoveryInflation -= acked;
          if (acked >= c.smss) c.recoveryInflation += c.smss;
        }
      }
    } else {
      c.dupAcks = 0;
      c.cc.onAck(dataAcked, rttMs, now, flight);
    }
    // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
    if (c.sndMax === c.sndUna) { if (c.rtxTimer.armed && !c.persisting) e.wheel.cancel(c.rtxTimer); }
    else armRtxOrProbe(e, c, now);
    c.persistBackoff = 0;
    if (sackGrew && c.sackOk) detectLostRetransmissions(e, c);
    if (dataAcked > 0) e.markReady(c);
    e.queueOutput(c);
    return;
  }
  if (ack !== c.sndUna || c.sndMax === c.sndUna) return;
  if (!isDupCandidate && !sackGrew) return;
  // A duplicate ACK (RFC 5681 §2; with SACK, RFC 6675 §5 counts ACKs that SACK new data).
  c.dupAcks++;
  if (c.inRecovery) {
    if (!c.sackOk) c.recoveryInflation += c.smss;  // RFC 6582 §3.2 step 4
    else if (sackGrew && c.headRxtValid && c.sackScoreCount > 0) {
      // Lost retransmission (in the spirit of RACK, RFC 8985): data sent after the head was retransmitted has
      // been SACKed, DupThresh segments' worth beyond it, yet the head is still missing: send it again now
      // rather than wait for the RTO.
      const highest = c.sackScore[2 * c.sackScoreCount - 1];
      if (seqGt(highest, (c.headRxtMark + (DUP_THRESH - 1) * c.smss) | 0)) {
        c.headRxtValid = false;
        c.retransmitHead = true;
        e.counters.lostRetransmits++;
      } else detectLostRetransmissions(e, c);
    } else if (sackGrew) detectLostRetransmissions(e, c);
    // New SACK information shows the path alive: a pending probe waits a full PTO from now (as RFC 8985 §7.2
    // restarts it on cumulative ACKs; in recovery SND.UNA may not move for a while).
    if (sackGrew && c.tlpArmed) armRtxOrProbe(e, c, now);
    e.queueOutput(c);
    return;
  }
  // A tail loss probe SACKed while data sent a PTO (>= 2 SRTT) before it is still missing: by RACK's rule
  // (RFC 8985 §6.2, a segment is lost when one sent after it is delivered and it is older than RTT + reordering
  // window) every hole below the highest SACKed range is lost.
  const tlpRevealed = c.tlpOutstanding && sackGrew && c.sackScoreCount > 0;
  const lossDetected = c.dupAcks >= DUP_THRESH || (c.sackOk && seqGt(c.lostEnd, c.sndUna)) || tlpRevealed;
  if (lossDetected && seqGt(ack, c.recover)) {
    // Fast retransmit (RFC 5681 §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4).
    c.inRecovery = true;
    c.recover = (c.sndMax - 1) | 0;  // RFC 6582 §3.2 step 2: the highest sequence number transmitted
    c.cc.onEnterRecovery(now, c.flightSize);
    e.counters.fastRetransmits++;
    if (c.sackOk) {
      // RFC 6675 §5 step (4.3): the first segment presumed dropped goes out now, whatever the pipe says.
      e.counters.sackRecoveries++;
      c.highRxt = c.sndUna;
      if (seqLt(c.lostEnd, (c.sndUna + 1) | 0)) c.lostEnd = (c.sndUna + 1) | 0;
      if (tlpRevealed) {
        const top = c.sackScore[2 * c.sackScoreCount - 2];
        if (seqGt(top, c.lostEnd)) c.lostEnd = top;
      }
      c.retransmitHead = true;
    } else {
      // cwnd = ssthresh + 3*SMSS (RFC 6582 §3.2 step 3), whatever the controller set.
      c.recoveryInflation = c.cc.ssthresh + DUP_THRESH * c.smss - c.cc.cwnd;
      c.retransmitHead = true;
    }
  }
  e.queueOutput(c);
}
