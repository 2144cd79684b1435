// The transmission control block (RFC 9293 §3.3.1) and the listener. Plain data with every field set in the
// constructor so V8 keeps one hidden class; the behaviour lives in input.ts, output.ts, recovery.ts, engine.ts.

import { Timer } from './timer-wheel.js';
import { SendBuffer } from './send-buffer.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { RttEstimator } from './rtt.js';
import type { CongestionControl } from './congestion/congestion.js';

export enum TcpState {
  CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT,
}

export const TIMER_RTX = 1;     // retransmission (SYN, data, FIN) or zero-window probe (persist)
export const TIMER_DELACK = 2;  // delayed ACK
export const TIMER_IDLE = 3;    // keepalive, idle timeout, FIN_WAIT_2 and TIME_WAIT: deadlines computed on fire

/** Most SACK scoreboard ranges kept by a sender (RFC 6675 §3); beyond it the lowest ones are kept. */
export const SCOREBOARD_MAX = 16;
/** Shared by connections that never saw a SACK block: the scoreboard is allocated on first use. */
export const NO_SCOREBOARD = new Int32Array(0);

/** Told when the application changes an option that needs timers or output (the engine). */
export interface ConnectionObserver {
  connectionOptionsChanged(c: TcpConnection): void;
}

export interface ConnectionOptions {
  rcvbuf?: number; sndbuf?: number; noDelay?: boolean; keepalive?: boolean;
}

export class TcpListener {
  localIp: number;
  localPort: number;
  socketId: number;
  backlog: number;
  /** Receive and send buffer sizes of the connections it accepts (SO_RCVBUF/SO_SNDBUF set before listen). */
  rcvbuf: number;
  sndbuf: number;
  /** Connections that completed the handshake, oldest first (intrusive list through acceptNext). */
  acceptHead: TcpConnection | null;
  acceptTail: TcpConnection | null;
  acceptCount: number;
  /** Connections of this listener still in SYN_RECEIVED. */
  synCount: number;
  open: boolean;
  /** Last time a SYN cookie was sent: cookie ACKs are only honoured shortly after (as Linux). */
  cookieTime: number;
  readyNext: TcpConnection | TcpListener | null;
  readyQueued: boolean;

  constructor(localIp: number, localPort: number, backlog: number, rcvbuf: number, sndbuf: number) {
    this.localIp = localIp;
    this.localPort = localPort;
    this.socketId = -1;
    this.backlog = backlog;
    this.rcvbuf = rcvbuf;
    this.sndbuf = sndbuf;
    this.acceptHead = null;
    this.acceptTail = null;
    this.acceptCount = 0;
    this.synCount = 0;
    this.open = true;
    this.cookieTime = -Infinity;
    this.readyNext = null;
    this.readyQueued = false;
  }

  get acceptable(): boolean {
    return this.acceptCount > 0;
  }
}

export class TcpConnection {
  state: TcpState;
  localIp: number;
  localPort: number;
  remoteIp: number;
  remotePort: number;
  socketId: number;
  /** Hash of the 4-tuple and the next connection in the same bucket of the engine's table. */
  hash: number;
  hashNext: TcpConnection | null;
  inTable: boolean;
  /** The listener that created it (passive open), until accepted. */
  listener: TcpListener | null;
  acceptNext: TcpConnection | null;
  /** Accepted by the application, or created by connect(). */
  owned: boolean;
  /** The application gave up the handle (close()); the engine frees the connection when done. */
  orphan: boolean;

  // Send sequence space (RFC 9293 §3.3.1). sndMax is the highest sequence number sent so far; sndNxt is pulled
  // back to sndUna after a retransmission timeout (RFC 5681 §3.1 / RFC 6298 §5.4: retransmit from the oldest).
  // Sequence numbers and timestamps (tsRecent, tsOffset) are held in int32 form, see seq.ts.
  iss: number;
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  sndWnd: number;
  sndWl1: number;
  sndWl2: number;
  maxSndWnd: number;
  /** Shift applied to the peer's window fields (RFC 7323 §2.3). */
  sndWscale: number;

  // Receive sequence space.
  irs: number;
  rcvNxt: number;
  /** Right edge of the window we last advertised: never moved left (RFC 9293 §3.8.6.2.2). */
  rcvAdvRight: number;
  /** Shift applied to our window fields. */
  rcvWscale: number;
  /** Out-of-order FIN seen: its sequence number, processed when rcvNxt reaches it. */
  rcvFinSeq: number;
  rcvFinPending: boolean;
  lastAckSent: number;

  /** Largest payload the peer accepts (its MSS option, 536 without, RFC 9293 §3.7.1), capped by ours. */
  peerMss: number;
  /** Payload bytes per full-sized data segment after fixed options (timestamps): the sender's SMSS. */
  smss: number;
  tsOk: boolean;
  tsRecent: number;
  tsOffset: number;
  sackOk: boolean;
  wsOk: boolean;
  /** Our window-scale offer (kept for the SYN / SYN-ACK retransmission). */
  rcvWscaleOffer: number;

  sendBuffer: SendBuffer;
  receiveBuffer: ReceiveBuffer;
  rcvbuf: number;
  sndbuf: number;

  // Application-side state.
  finQueued: boolean;       // FIN to be sent after the buffered data (close or shutdown(SHUT_WR))
  finSeq: number;           // its sequence number (snd.una + buffered bytes when queued)
  finReceived: boolean;
  shutRead: boolean;
  error: number;            // SO_ERROR, 0 none
  resetReceived: boolean;
  private noDelayOption: boolean;
  private keepaliveOption: boolean;
  private keepaliveIdleOption: number;
  private keepaliveIntervalOption: number;
  private keepaliveProbesOption: number;
  private readonly observer: ConnectionObserver;
  lingerOn: boolean;
  lingerSeconds: number;

  // Timers and their bookkeeping.
  rtxTimer: Timer;
  delackTimer: Timer;
  idleTimer: Timer;
  rtt: RttEstimator;
  retries: number;          // RTO expiries in a row (SYN or data)
  persistBackoff: number;   // zero-window probes in a row
  persisting: boolean;
  lastReceiveTime: number;  // last segment from the peer (keepalive / idle)
  lastSendTime: number;
  keepaliveSent: number;
  timeWaitUntil: number;
  finWait2Until: number;
  /** RTT measurement without timestamps (Karn: only on never-retransmitted data): sequence and send time. */
  rttSeq: number;
  rttStart: number;
  rttTiming: boolean;

  cc: CongestionControl;
  // Loss recovery (RFC 6582, RFC 6675).
  dupAcks: number;
  inRecovery: boolean;
  recover: number;
  highRxt: number;          // highest retransmitted sequence in this recovery (RFC 6675 HighRxt)
  rescueRxt: number;
  sackScore: Int32Array;    // sorted disjoint [left, right) ranges above sndUna, SACKed by the peer (lazy)
  sackScoreCount: number;
  sackedBytes: number;
  lostEnd: number;          // every un-SACKed byte below it is taken as lost (RFC 6675 IsLost)
  retransmitHead: boolean;  // send one segment from sndUna on the next output (fast retransmit / partial ACK)
  headRxtMark: number;      // SND.MAX when the segment at SND.UNA was last retransmitted (lost-retransmission check)
  headRxtValid: boolean;
  recoveryInflation: number; // NewReno without SACK: cwnd inflation by duplicate ACKs (RFC 6582 §3.2)
  /** Recovery entered by a retransmission timeout with the SACK scoreboard kept (RFC 6675 §5.1): every
   *  un-SACKed byte is lost, cwnd grows by slow start, and it ends without the fast-recovery cwnd reset. */
  rtoRecovery: boolean;
  /** The retransmission timer is armed as a tail loss probe timer (RFC 8985 §7.2), not as the RTO. */
  tlpArmed: boolean;
  /** A tail loss probe was sent and no ACK has advanced SND.UNA since (§7.3). */
  tlpOutstanding: boolean;
  /** Probes sent since SND.UNA last advanced (each waits twice as long as the one before; at most
   *  TLP_MAX_PROBES, then the RTO). */
  tlpProbes: number;
  /** SND.MAX when the latest retransmission went out: once SACKs reach DupThresh segments beyond it, every
   *  retransmission still un-SACKed is lost (RFC 8985 §6.2 with the transmission order as the clock). */
  rxtMark: number;
  rxtMarkValid: boolean;

  // ACK generation.
  ackNow: boolean;
  ackPendingSegments: number;  // in-order data segments received since our last ACK
  windowUpdatePending: boolean;
  dsackLeft: number;        // duplicate range to report first in the next ACK (RFC 2883)
  dsackRight: number;
  dsackPending: boolean;
  lastOooSeq: number;       // most recent out-of-order segment (first SACK block, RFC 2018 §4)
  lastOooValid: boolean;

  // Engine lists.
  outputQueued: boolean;
  outputNext: TcpConnection | null;
  readyQueued: boolean;
  readyNext: TcpConnection | TcpListener | null;
  /** Control segment to send with the next output: SYN / SYN-ACK resend, RST. */
  synNeeded: boolean;
  rstNeeded: boolean;
  freed: boolean;

  constructor(localIp: number, localPort: number, remoteIp: number, remotePort: number, hash: number,
    sendBuffer: SendBuffer, receiveBuffer: ReceiveBuffer, rtt: RttEstimator, cc: CongestionControl,
    observer: ConnectionObserver) {
    this.state = TcpState.CLOSED;
    this.localIp = localIp;
    this.localPort = localPort;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
    this.socketId = -1;
    this.hash = hash;
    this.hashNext = null;
    this.inTable = false;
    this.listener = null;
    this.acceptNext = null;
    this.owned = false;
    this.orphan = false;
    this.iss = 0;
    this.sndUna = 0;
    this.sndNxt = 0;
    this.sndMax = 0;
    this.sndWnd = 0;
    this.sndWl1 = 0;
    this.sndWl2 = 0;
    this.maxSndWnd = 0;
    this.sndWscale = 0;
    this.irs = 0;
    this.rcvNxt = 0;
    this.rcvAdvRight = 0;
    this.rcvWscale = 0;
    this.rcvFinSeq = 0;
    this.rcvFinPending = false;
    this.lastAckSent = 0;
    this.peerMss = 536;
    this.smss = 536;
    this.tsOk = false;
    this.tsRecent = 0;
    this.tsOffset = 0;
    this.sackOk = false;
    this.wsOk = false;
    this.rcvWscaleOffer = -1;
    this.sendBuffer = sendBuffer;
    this.receiveBuffer = receiveBuffer;
    this.rcvbuf = receiveBuffer.capacity;
    this.sndbuf = sendBuffer.capacity;
    this.finQueued = false;
    this.finSeq = 0;
    this.finReceived = false;
    this.shutRead = false;
    this.error = 0;
    this.resetReceived = false;
    this.noDelayOption = false;
    this.keepaliveOption = false;
    this.keepaliveIdleOption = 0;
    this.keepaliveIntervalOption = 0;
    this.keepaliveProbesOption = 0;
    this.observer = observer;
    this.lingerOn = false;
    this.lingerSeconds = 0;
    this.rtxTimer = new Timer(this, TIMER_RTX);
    this.delackTimer = new Timer(this, TIMER_DELACK);
    this.idleTimer = new Timer(this, TIMER_IDLE);
    this.rtt = rtt;
    this.retries = 0;
    this.persistBackoff = 0;
    this.persisting = false;
    this.lastReceiveTime = 0;
    this.lastSendTime = 0;
    this.keepaliveSent = 0;
    this.timeWaitUntil = 0;
    this.finWait2Until = 0;
    this.rttSeq = 0;
    this.rttStart = 0;
    this.rttTiming = false;
    this.cc = cc;
    this.dupAcks = 0;
    this.inRecovery = false;
    this.recover = 0;
    this.highRxt = 0;
    this.rescueRxt = 0;
    this.sackScore = NO_SCOREBOARD;
    this.sackScoreCount = 0;
    this.sackedBytes = 0;
    this.lostEnd = 0;
    this.retransmitHead = false;
    this.headRxtMark = 0;
    this.headRxtValid = false;
    this.recoveryInflation = 0;
    this.rtoRecovery = false;
    this.tlpArmed = false;
    this.tlpOutstanding = false;
    this.tlpProbes = 0;
    this.rxtMark = 0;
    this.rxtMarkValid = false;
    this.ackNow = false;
    this.ackPendingSegments = 0;
    this.windowUpdatePending = false;
    this.dsackLeft = 0;
    this.dsackRight = 0;
    this.dsackPending = false;
    this.lastOooSeq = 0;
    this.lastOooValid = false;
    this.outputQueued = false;
    this.outputNext = null;
    this.readyQueued = false;
    this.readyNext = null;
    this.synNeeded = false;
    this.rstNeeded = false;
    this.freed = false;
  }

  // Options the application may set at any time (TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT): the
  // engine hears of each change, to flush what Nagle held or to (re)arm the keepalive timer.
  get noDelay(): boolean { return this.noDelayOption; }
  set noDelay(v: boolean) { const changed = v !== this.noDelayOption; this.noDelayOption = v; if (changed) this.observer.connectionOptionsChanged(this); }
  get keepalive(): boolean { return this.keepaliveOption; }
  set keepalive(v: boolean) { const changed = v !== this.keepaliveOption; this.keepaliveOption = v; if (changed) this.observer.connectionOptionsChanged(this); }
  get keepaliveIdleMs(): number { return this.keepaliveIdleOption; }
  set keepaliveIdleMs(v: number) { const changed = v !== this.keepaliveIdleOption; this.keepaliveIdleOption = v; if (changed) this.observer.connectionOptionsChanged(this); }
  get keepaliveIntervalMs(): number { return this.keepaliveIntervalOption; }
  set keepaliveIntervalMs(v: number) { const changed = v !== this.keepaliveIntervalOption; this.keepaliveIntervalOption = v; if (changed) this.observer.connectionOptionsChanged(this); }
  get keepaliveProbes(): number { return this.keepaliveProbesOption; }
  set keepaliveProbes(v: number) { const changed = v !== this.keepaliveProbesOption; this.keepaliveProbesOption = v; if (changed) this.observer.connectionOptionsChanged(this); }

  /** Data, end of file or an error is waiting for the application (EPOLLIN). */
  get readable(): boolean {
    return this.receiveBuffer.readable > 0 || this.finReceived || this.shutRead || this.error !== 0 ||
      (this.state === TcpState.CLOSED && this.owned);
  }

  /** send() would not block: room in the send buffer while sending is possible, or an error to report. */
  get writable(): boolean {
    const s = this.state;
    if (this.error !== 0) return true;
    if (s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT) return !this.finQueued && this.sendBuffer.free > 0;
    return s === TcpState.CLOSED || this.finQueued;
  }

  /** Both directions are closed or the connection is gone (EPOLLHUP, as Linux: SHUTDOWN_MASK or CLOSE). */
  get hangup(): boolean {
    return this.state === TcpState.CLOSED || this.state === TcpState.TIME_WAIT ||
      ((this.finReceived || this.shutRead) && this.finQueued);
  }

  /** The peer's FIN arrived (EPOLLRDHUP). */
  get readHangup(): boolean {
    return this.finReceived;
  }

  get bytesReadable(): number {
    return this.receiveBuffer.readable;
  }

  /** SO_ERROR: read and clear. */
  takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  /** Our FIN was acknowledged. */
  get finAcked(): boolean {
    return this.finQueued && ((this.sndUna - this.finSeq) | 0) > 0;
  }

  /** Bytes sent and not yet acknowledged (sequence space, SYN and FIN included). */
  get flightSize(): number {
    return (this.sndMax - this.sndUna) | 0;
  }
}
