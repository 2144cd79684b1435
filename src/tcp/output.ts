// Segment building and the send policy: SYN/SYN-ACK options, the advertised window (receiver SWS avoidance),
// data segmentation under cwnd and the peer's window, Nagle (RFC 896), sender SWS avoidance (RFC 1122
// §4.2.3.4), limited transmit (RFC 3042), loss-recovery transmission (recovery.ts), ACKs with SACK/D-SACK.

import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, writeTcpHeader, tcpOptionsLength, setTcpChecksum } from '../wire/tcp.js';
import type { TcpOptions } from '../wire/tcp.js';
import { tcpChecksum, pseudoHeaderSum, finishChecksum } from '../wire/checksum.js';
import { seqGt, seqLt, seqLe } from './seq.js';
import { TcpConnection, TcpState } from './connection.js';
import type { TcpEngine } from './engine.js';
import { recoverySend, effectiveCwnd } from './recovery.js';

/** RFC 7323 §2.3: the smallest shift that lets the window field cover the whole receive buffer (at most 14). */
export function windowScaleFor(rcvbuf: number): number {
  let s = 0;
  while (s < 14 && 65535 * 2 ** s < rcvbuf) s++;
  return s;
}

/** Queues our FIN after the buffered data (close or shutdown(SHUT_WR)); the state moves as Linux does. */
export function queueFin(e: TcpEngine, c: TcpConnection): void {
  c.finQueued = true;
  c.finSeq = (c.sndUna + c.sendBuffer.length) | 0;
  if (c.state === TcpState.ESTABLISHED) c.state = TcpState.FIN_WAIT_1;
  else if (c.state === TcpState.CLOSE_WAIT) c.state = TcpState.LAST_ACK;
  e.queueOutput(c);
}

/** The window field to send, moving the advertised right edge per RFC 1122 §4.2.3.3 (never to the left). */
function windowField(e: TcpEngine, c: TcpConnection): number {
  const rb = c.receiveBuffer;
  if (!c.orphan) {
    const right = (c.rcvNxt + rb.window) | 0;
    const grow = (right - c.rcvAdvRight) | 0;
    if (grow > 0) {
      let threshold = e.config.mss;
      if (rb.capacity >> 1 < threshold) threshold = rb.capacity >> 1;
      if (grow >= threshold) c.rcvAdvRight = right;
    }
  }
  let wnd = (c.rcvAdvRight - c.rcvNxt) | 0;
  if (wnd < 0) wnd = 0;
  const field = wnd >>> c.rcvWscale;
  return field > 65535 ? 65535 : field;
}

/** Fills e.outOpts for a segment of c; returns the options' length. */
function buildOptions(e: TcpEngine, c: TcpConnection, flags: number, now: number): number {
  const o = e.outOpts;
  o.reset();
  if ((flags & TCP_SYN) !== 0) {
    const cfg = e.config;
    o.mss = cfg.mss;
    const active = (flags & TCP_ACK) === 0;  // a SYN offers what we support; a SYN-ACK answers what was offered
    if (active ? cfg.sack : c.sackOk) o.sackPermitted = true;
    if (active ? cfg.timestamps : c.tsOk) o.setTimestamp((now + c.tsOffset) | 0, c.tsRecent);
    if (active ? c.rcvWscaleOffer >= 0 : c.wsOk) o.windowScale = c.rcvWscaleOffer;
    return tcpOptionsLength(o);
  }
  if ((flags & TCP_RST) !== 0) return 0;
  if (c.tsOk) o.setTimestamp((now + c.tsOffset) | 0, c.tsRecent);
  if (c.sackOk && (flags & TCP_ACK) !== 0) addSackBlocks(e, c);
  return o.sackCount > 0 || o.hasTimestamp ? tcpOptionsLength(o) : 0;
}

/** RFC 2018 §4 / RFC 2883: a D-SACK block first, then the block with the latest segment, then the others. */
function addSackBlocks(e: TcpEngine, c: TcpConnection): void {
  const o = e.outOpts;
  if (c.dsackPending) {
    o.addSackBlock(c.dsackLeft, c.dsackRight);
    e.counters.dsackSent++;
  }
  const rb = c.receiveBuffer;
  if (rb.outOfOrderCount === 0) return;
  const r = e.rangesScratch;
  const n = rb.outOfOrderRanges(r);
  const base = c.rcvNxt;
  let first = -1;
  if (c.lastOooValid) {
    const rel = (c.lastOooSeq - base) | 0;
    for (let i = 0; i < n; i++) if (rel >= r[2 * i] && rel < r[2 * i + 1]) { first = i; break; }
  }
  if (first >= 0) o.addSackBlock((base + r[2 * first]) | 0, (base + r[2 * first + 1]) | 0);
  // Then the others, highest first: the ones nearest the latest data are the most useful (RFC 2018 §4).
  for (let i = n - 1; i >= 0; i--) {
    if (i === first) continue;
    if (!o.addSackBlock((base + r[2 * i]) | 0, (base + r[2 * i + 1]) | 0)) break;
  }
}

/**
 * Builds and sends one segment of c. Payload: `len` bytes from the send buffer at `bufOffset` (offset from
 * snd.una). Returns the payload length actually sent (the options may leave less room than asked).
 */
export function emitSegment(e: TcpEngine, c: TcpConnection, seq: number, flags: number, bufOffset: number,
  len: number, now: number): number {
  const optLen = buildOptions(e, c, flags, now);
  // Payload per wire segment. With TSO a data segment may be longer: the link cuts it into pieces of `room`.
  const room = c.peerMss - optLen;
  const tso = e.tsoMaxSegment;
  const limit = tso > room ? tso : room;
  if (len > limit) {
    len = limit;
    flags &= ~TCP_FIN;
  }
  const isSyn = (flags & TCP_SYN) !== 0;
  let window: number;
  if (isSyn) {
    // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
    const avail = c.receiveBuffer.window;
    window = avail > 65535 ? 65535 : avail;
    c.rcvAdvRight = (c.rcvNxt + window) | 0;
  } else if ((flags & TCP_RST) !== 0) window = 0;
  else window = windowField(e, c);
  const ack = (flags & TCP_ACK) !== 0 ? c.rcvNxt : 0;
  const buf = e.txBuf;
  const hl = writeTcpHeader(buf, 0, c.localPort, c.remotePort, seq, ack, flags, window, 0, optLen === 0 ? null : e.outOpts);
  if (len > 0) c.sendBuffer.copyOut(bufOffset, buf, hl, len);
  const k = e.counters;
  let result: number;
  if (tso > 0) {
    // Checksum offload: only the pseudo-header sum goes in; the link (or the kernel behind it) completes the
    // checksum of every piece (virtio_net_hdr NEEDS_CSUM), so the payload is never summed here.
    setTcpChecksum(buf, 0, ~finishChecksum(pseudoHeaderSum(c.localIp, c.remoteIp, 6, hl + len)) & 0xffff);
    const gso = len > room ? room : 0;
    if (gso > 0) k.tsoSegmentsOut++;
    result = e.sink.sendSegmentOffload!(c.localIp | 0, c.remoteIp | 0, buf, 0, hl + len, gso);
  } else {
    setTcpChecksum(buf, 0, tcpChecksum(buf, 0, hl + len, c.localIp, c.remoteIp));
    result = e.sink.sendSegment(c.localIp, c.remoteIp, buf, 0, hl + len);
  }
  // A refused segment (e.g. a full transmit ring) is as good as lost: the retransmission machinery covers it.
  if (result < 0) k.sinkErrors++;
  k.segmentsOut++;
  if (len > 0) { k.dataSegmentsOut++; k.bytesOut += len; }
  if ((flags & TCP_RST) !== 0) k.rstSent++;
  if ((flags & TCP_ACK) !== 0) {
    c.lastAckSent = c.rcvNxt;
    c.ackNow = false;
    c.ackPendingSegments = 0;
    c.windowUpdatePending = false;
    c.dsackPending = false;
    if (c.delackTimer.armed) e.wheel.cancel(c.delackTimer);
  }
  c.lastSendTime = now;
  return len;
}

/** A segment that belongs to no connection (RST for no connection, SYN-cookie SYN-ACK); no payload. */
export function emitStateless(e: TcpEngine, localIp: number, remoteIp: number, localPort: number, remotePort: number,
  seq: number, ack: number, flags: number, window: number, options: TcpOptions | null): void {
  const buf = e.txBuf;
  const hl = writeTcpHeader(buf, 0, localPort, remotePort, seq, ack, flags, window, 0, options);
  setTcpChecksum(buf, 0, tcpChecksum(buf, 0, hl, localIp, remoteIp));
  if (e.sink.sendSegment(localIp, remoteIp, buf, 0, hl) < 0) e.counters.sinkErrors++;
  e.counters.segmentsOut++;
  if ((flags & TCP_RST) !== 0) e.counters.rstSent++;
}

/** A RST for no connection: RFC 9293 §3.10.7.1 fields, no options. */
export function emitBareReset(e: TcpEngine, localIp: number, remoteIp: number, localPort: number, remotePort: number,
  seq: number, ack: number, flags: number): void {
  emitStateless(e, localIp, remoteIp, localPort, remotePort, seq, ack, flags, 0, null);
}

/** Abortive close: RST|ACK at snd.nxt, as Linux's tcp_send_active_reset. */
export function emitReset(e: TcpEngine, c: TcpConnection, now: number): void {
  emitSegment(e, c, c.sndMax, TCP_RST | TCP_ACK, 0, 0, now);
}

/** A pure ACK (also window updates, challenge ACKs, duplicate ACKs). It carries the highest sequence number
 *  sent, not snd.nxt pulled back by a timeout: the peer may already hold those bytes and would find an ACK
 *  below RCV.NXT unacceptable. */
export function emitAck(e: TcpEngine, c: TcpConnection, now: number): void {
  emitSegment(e, c, c.sndMax, TCP_ACK, 0, 0, now);
}

/** Zero-window and keepalive probe: an ACK carrying snd.una - 1, which the peer must answer (RFC 9293 §3.8.4). */
export function emitProbe(e: TcpEngine, c: TcpConnection, now: number): void {
  emitSegment(e, c, (c.sndUna - 1) | 0, TCP_ACK, 0, 0, now);
}

function armRtx(e: TcpEngine, c: TcpConnection, now: number): void {
  if (c.rtxTimer.armed && !c.persisting) {
    // RFC 8985 §7.2: new data moves the probe timeout; an RTO armed while one segment was in flight (PTO then
    // above the RTO) becomes a probe once the flight grows, never later than the RTO deadline.
    const pto = probeTimeout(e, c);
    if (pto >= 0 && now + pto < (c.tlpArmed ? Infinity : c.rtxTimer.deadline)) {
      c.tlpArmed = true;
      e.wheel.arm(c.rtxTimer, now + pto);
    }
    return;
  }
  armRtxOrProbe(e, c, now);
}

/** Added to 2·SRTT: covers the clock's 1 ms granularity and the peer's processing (Linux adds 2 ms too). */
const PTO_MIN_MS = 2;
/** Worst-case delayed ACK of the peer when only one segment is in flight (RFC 8985 §7.2 WCDelAckT). */
const PTO_DELACK_MS = 200;
/** Probes per episode before the RTO takes over (RFC 8985 §7.3 sends one; see sendTailLossProbe). */
export const TLP_MAX_PROBES = 3;

/** Arms the retransmission timer for data in flight: as a tail loss probe timer (RFC 8985 §7.2) when a probe
 *  is allowed and the PTO comes before the RTO, else as the RTO (RFC 6298 §5.1). */
export function armRtxOrProbe(e: TcpEngine, c: TcpConnection, now: number): void {
  c.persisting = false;
  const pto = probeTimeout(e, c);
  if (pto >= 0) {
    c.tlpArmed = true;
    e.wheel.arm(c.rtxTimer, now + pto);
    return;
  }
  c.tlpArmed = false;
  e.wheel.arm(c.rtxTimer, now + c.rtt.rto);
}

/** RFC 8985 §7.2 PTO in ms when a probe may be scheduled and comes before the RTO, else -1. Unlike §7.2 a probe
 *  is also allowed during loss recovery, and up to TLP_MAX_PROBES per episode, each PTO twice the one before. */
function probeTimeout(e: TcpEngine, c: TcpConnection): number {
  if (!e.config.tailLossProbe || !c.sackOk || c.tlpProbes >= TLP_MAX_PROBES || !c.rtt.hasSample ||
      c.rtt.backoffs !== 0 || c.sndMax === c.sndUna) return -1;
  let pto = (c.rtt.srttEighths + 3) >> 2; // 2*SRTT rounded up to whole ms
  if (((c.sndMax - c.sndUna) | 0) <= c.smss) pto += PTO_DELACK_MS;
  pto = (pto + PTO_MIN_MS) * (1 << c.tlpProbes);
  return pto < c.rtt.rto ? pto : -1;
}

/**
 * The probe timeout expired (RFC 8985 §7.3): resend one segment that makes the peer answer at once, then the
 * next probe (or the RTO) watches the flight. False if no probe could be sent.
 * Outside recovery the probe is the highest-sequence segment, not new data as §7.3 prefers: a receiver may
 * delay its ACK of one in-order segment (Linux: 40 ms, against a PTO of a few ms), while a duplicate or
 * out-of-order segment is ACKed immediately (RFC 9293 §3.10.7.4, RFC 5681 §4.2); that ACK, with its SACK or
 * D-SACK, tells whether the tail was lost or only its ACKs. In recovery it is the first un-SACKed segment:
 * received already (only the ACKs were lost), it draws a D-SACK and the cumulative ACK; lost, it fills the hole.
 * Measured against Linux under 5% loss both ways, where the peer sends one ACK per burst and a lost ACK
 * stalls the flight: one probe per episode left most of the time in 200 ms RTOs (docs/interop.md).
 */
export function sendTailLossProbe(e: TcpEngine, c: TcpConnection, now: number): boolean {
  c.tlpArmed = false;
  let n: number;
  if (c.inRecovery) {
    let limit = -1;
    if (c.sackScoreCount > 0 && seqGt(c.sackScore[0], c.sndUna)) limit = (c.sackScore[0] - c.sndUna) | 0;
    n = retransmitAt(e, c, c.sndUna, now, limit);
  } else {
    let end = c.sndMax;
    if (c.finQueued && ((c.finSeq + 1) | 0) === end) end = c.finSeq;
    let len = (end - c.sndUna) | 0;
    if (len > c.smss) len = c.smss;
    n = retransmitAt(e, c, (end - len) | 0, now);
  }
  if (n <= 0) return false;
  c.tlpOutstanding = true;
  c.tlpProbes++;
  e.counters.tlpSent++;
  armRtxOrProbe(e, c, now);
  return true;
}

/** Emits whatever c needs now: SYN / SYN-ACK, retransmissions, new data, FIN, ACK. */
export function output(e: TcpEngine, c: TcpConnection, now: number): void {
  const s = c.state;
  if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
    if (c.synNeeded) {
      c.synNeeded = false;
      if (c.retries === 0) { c.rttTiming = true; c.rttSeq = (c.iss + 1) | 0; c.rttStart = now; }
      else c.rttTiming = false;
      emitSegment(e, c, c.iss, s === TcpState.SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK, 0, 0, now);
      c.sndNxt = (c.iss + 1) | 0;
      c.sndMax = c.sndNxt;
      armRtx(e, c, now);
      return;
    }
    if (s === TcpState.SYN_RECEIVED && c.ackNow) emitAck(e, c, now);  // challenge ACK
    return;
  }
  if (s === TcpState.CLOSED || s === TcpState.LISTEN) return;
  let sent = false;
  if (s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT || s === TcpState.FIN_WAIT_1 ||
      s === TcpState.CLOSING || s === TcpState.LAST_ACK) {
    sent = sendData(e, c, now);
  }
  if (!sent && (c.ackNow || c.windowUpdatePending)) emitAck(e, c, now);
}

/** Sends retransmissions and new data allowed by the windows; true if a segment (carrying an ACK) went out. */
function sendData(e: TcpEngine, c: TcpConnection, now: number): boolean {
  let sent = false;
  if (c.retransmitHead) {
    c.retransmitHead = false;
    if (seqLt(c.sndUna, c.sndMax)) {
      retransmitAt(e, c, c.sndUna, now);
      sent = true;
    }
  }
  if (c.inRecovery && c.sackOk) {
    if (recoverySend(e, c, now)) sent = true;
    return sent;
  }
  const sb = c.sendBuffer;
  const dataEnd = c.finQueued ? c.finSeq : (c.sndUna + sb.length) | 0;
  let cwnd = sendCwnd(c);
  let wnd = c.sndWnd < cwnd ? c.sndWnd : cwnd;
  for (;;) {
    const inFlight = (c.sndNxt - c.sndUna) | 0;
    let canSend = wnd - inFlight;
    const avail = (dataEnd - c.sndNxt) | 0;
    if (avail <= 0) break;
    if (canSend <= 0) break;
    let len = avail < c.smss ? avail : c.smss;
    if (len > canSend) len = canSend;
    if (len < c.smss && len < avail) {
      // Window-limited small segment: sender SWS avoidance (RFC 1122 §4.2.3.4) waits unless it is at least half
      // the largest window the peer offered; the persist timer forces it out eventually.
      if (len < (c.maxSndWnd >> 1)) break;
    } else if (len < c.smss && !c.finQueued && !c.noDelay && c.sndMax !== c.sndUna && seqGe(c.sndNxt, c.sndMax)) {
      // Nagle (RFC 896, RFC 1122 §4.2.3.4): hold a small segment while data is unacknowledged.
      break;
    }
    const tso = e.tsoMaxSegment;
    if (tso > 0 && len === c.smss) {
      // TSO: one segment carrying the full-sized segments the loop would send one by one (RFC 9293 §3.8.6.2.1
      // and Nagle apply to each piece as before), cut to a multiple of SMSS; the tail rides along only when
      // Nagle would not hold it (TCP_NODELAY or FIN queued).
      let max = avail < canSend ? avail : canSend;
      if (max > tso) max = tso;
      let big = max - (max % c.smss);
      if (max === avail && (c.noDelay || c.finQueued)) big = max;
      if (big > len) len = big;
    }
    const seq = c.sndNxt;
    const isRetransmit = seqLt(seq, c.sndMax);
    let flags = TCP_ACK;
    if (len === avail) flags |= TCP_PSH;
    if (c.finQueued && ((seq + len) | 0) === c.finSeq) flags |= TCP_FIN;
    const n = emitSegment(e, c, seq, flags, (seq - c.sndUna) | 0, len, now);
    const finOut = (flags & TCP_FIN) !== 0 && n === len;
    c.sndNxt = (seq + n + (finOut ? 1 : 0)) | 0;
    if (seqGt(c.sndNxt, c.sndMax)) {
      if (!c.rttTiming && !c.tsOk && !isRetransmit) { c.rttTiming = true; c.rttSeq = c.sndNxt; c.rttStart = now; }
      c.sndMax = c.sndNxt;
    }
    if (isRetransmit) { e.counters.retransmits++; c.rttTiming = false; }
    sent = true;
    armRtx(e, c, now);
    cwnd = sendCwnd(c);
    wnd = c.sndWnd < cwnd ? c.sndWnd : cwnd;
  }
  // A FIN with no data before it (or after the data went out).
  if (c.finQueued && c.sndNxt === c.finSeq && ((c.sndNxt - c.sndUna) | 0) < (c.sndWnd > 0 ? c.sndWnd : 1)) {
    const isRetransmit = seqLt(c.finSeq, c.sndMax);
    emitSegment(e, c, c.finSeq, TCP_FIN | TCP_ACK, 0, 0, now);
    c.sndNxt = (c.finSeq + 1) | 0;
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
    if (isRetransmit) e.counters.retransmits++;
    sent = true;
    armRtx(e, c, now);
  }
  // Data in flight must always be watched by the retransmission timer, even when nothing could be sent now
  // (a zero window after a timeout pulled SND.NXT back).
  if (c.sndMax !== c.sndUna && !c.rtxTimer.armed) armRtx(e, c, now);
  // Nothing in flight but data waiting: the persist timer probes a zero window and forces out segments that
  // SWS avoidance or a tiny window hold back (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17).
  if (c.sndMax === c.sndUna && seqLt(c.sndNxt, c.finQueued ? ((c.finSeq + 1) | 0) : dataEnd) && !c.rtxTimer.armed) {
    c.persisting = true;
    c.tlpArmed = false;
    let t = c.rtt.rto * 2 ** c.persistBackoff;
    if (t > e.config.rtoMaxMs) t = e.config.rtoMaxMs;
    e.wheel.arm(c.rtxTimer, now + t);
  }
  return sent;
}

/** cwnd for new data: NewReno inflation in recovery; limited transmit (RFC 3042) allows cwnd + 2*SMSS after
 *  the first two duplicate ACKs. */
function sendCwnd(c: TcpConnection): number {
  const w = effectiveCwnd(c);
  if (!c.inRecovery && c.dupAcks > 0 && c.dupAcks < 3) return w + c.dupAcks * c.smss;
  return w;
}

function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** Retransmits one segment starting at seq (at most SMSS, not past the next SACKed range or the data end). */
export function retransmitAt(e: TcpEngine, c: TcpConnection, seq: number, now: number, limit = -1): number {
  const sb = c.sendBuffer;
  const off = (seq - c.sndUna) | 0;
  let len = sb.length - off;
  // A retransmission never reaches past what was sent (that would be new data, with its own accounting).
  const sentBeyond = (c.sndMax - seq) | 0;
  if (len > sentBeyond) len = sentBeyond;
  if (len > c.smss) len = c.smss;
  if (limit >= 0 && len > limit) len = limit;
  let flags = TCP_ACK;
  if (len < 0) len = 0;
  if (len > 0 && len === sb.length - off) flags |= TCP_PSH;  // the last queued byte, as when first sent
  if (c.finQueued && ((seq + len) | 0) === c.finSeq && seqLt(c.finSeq, c.sndMax)) flags |= TCP_FIN;
  if (len === 0 && (flags & TCP_FIN) === 0) return 0;
  const n = emitSegment(e, c, seq, flags, off, len, now);
  e.counters.retransmits++;
  c.rttTiming = false;  // Karn's algorithm
  c.rxtMark = c.sndMax;
  c.rxtMarkValid = true;
  if (seq === c.sndUna) {
    // The oldest outstanding segment went out again: its timer starts over (as Linux re-arms on a head
    // retransmission), else the RTO would fire at once on a segment sent an instant ago.
    c.headRxtMark = c.sndMax;
    c.headRxtValid = true;
    c.persisting = false;
    c.tlpArmed = false;
    e.wheel.arm(c.rtxTimer, now + c.rtt.rto);
  }
  const end = (seq + n + ((flags & TCP_FIN) !== 0 && n === len ? 1 : 0)) | 0;
  if (seqGt(end, c.highRxt)) c.highRxt = end;
  if (seqLe(c.sndNxt, seq) && seqLt(c.sndNxt, end)) c.sndNxt = end;
  armRtx(e, c, now);
  return n > 0 ? n : 1;
}

/** One segment of new data (or the FIN) of at most `budget` bytes within the peer's window (RFC 6675 NextSeg
 *  rule 2). Returns the sequence space sent, 0 if nothing could go. */
export function sendNewSegment(e: TcpEngine, c: TcpConnection, now: number, budget: number): number {
  const dataEnd = c.finQueued ? c.finSeq : (c.sndUna + c.sendBuffer.length) | 0;
  const avail = (dataEnd - c.sndNxt) | 0;
  const room = c.sndWnd - ((c.sndNxt - c.sndUna) | 0);
  if (avail <= 0) {
    if (c.finQueued && c.sndNxt === c.finSeq && seqGe(c.finSeq, c.sndMax)) {
      emitSegment(e, c, c.finSeq, TCP_FIN | TCP_ACK, 0, 0, now);
      c.sndNxt = c.sndMax = (c.finSeq + 1) | 0;
      armRtx(e, c, now);
      return 1;
    }
    return 0;
  }
  let len = avail < c.smss ? avail : c.smss;
  if (len > budget) len = budget;
  if (len > room) len = room;
  if (len <= 0) return 0;
  const seq = c.sndNxt;
  let flags = TCP_ACK;
  if (len === avail) flags |= TCP_PSH;
  if (c.finQueued && ((seq + len) | 0) === c.finSeq) flags |= TCP_FIN;
  const n = emitSegment(e, c, seq, flags, (seq - c.sndUna) | 0, len, now);
  const finOut = (flags & TCP_FIN) !== 0 && n === len;
  c.sndNxt = (seq + n + (finOut ? 1 : 0)) | 0;
  if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
  armRtx(e, c, now);
  return n + (finOut ? 1 : 0);
}
