// The sans-I/O TCP engine of one core: connection and listener tables, the application calls, timers and the
// output queue. Segments and the current time go in (input, advance), segments come out through the sink
// (flush). Segment processing itself is in input.ts/listener.ts, segment building in output.ts.

import { TcpView, TcpOptions, TCP_ACK, TCP_RST, TCP_SYN, TCP_FIN } from '../wire/tcp.js';
import { verifyTcpChecksum } from '../wire/checksum.js';
import * as E from './errno.js';
import { TcpConfig } from './config.js';
import { TcpConnection, TcpListener, TcpState, TIMER_RTX, TIMER_DELACK, ConnectionOptions, ConnectionObserver } from './connection.js';
import { Timer, TimerWheel } from './timer-wheel.js';
import { BufferPool } from './buffer-pool.js';
import { carveOrAllocate, type Slab } from '../link/slab.js';
import { SendBuffer } from './send-buffer.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { RttEstimator } from './rtt.js';
import { createCongestionControl } from './congestion/congestion.js';
import { IsnGenerator } from './isn.js';
import { SynCookies } from './syn-cookies.js';
import { EphemeralPorts } from './ephemeral-ports.js';
import { TcpCounters } from './counters.js';
import { ConnectionTable } from './table.js';
import { segmentArrives } from './input.js';
import { listenerInput } from './listener.js';
import { output, emitReset, emitBareReset, windowScaleFor, queueFin } from './output.js';
import { rtxTimerFired, idleTimerFired, armIdleTimer } from './timers.js';

export { TcpConnection, TcpListener, TcpState, TcpCounters };
export type { ConnectionOptions };

export interface SegmentSink {
  /** buf[off,off+len) is a complete TCP segment, checksum filled. Returns 0 or -errno. */
  sendSegment(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number): number;
  /**
   * Needed when the engine's tsoMaxSegment > 0. buf[off,off+len) is a complete TCP segment whose checksum field
   * holds only the folded pseudo-header sum (RFC 9293 §3.1; the link completes it). With gsoSize > 0 its payload
   * is longer than gsoSize and the link must cut it into pieces of gsoSize payload bytes, each with the header
   * and options copied, sequence numbers advanced, PSH and FIN on the last piece only (Linux tcp_gso_segment).
   * Returns 0 or -errno.
   */
  sendSegmentOffload?(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number, gsoSize: number): number;
}

/** Largest TCP payload in one IPv4 packet with the longest headers: 65535 - 20 (IP) - 60 (TCP). */
export const TSO_MAX_PAYLOAD = 65535 - 20 - 60;

/** The transmit scratch one segment is built in: the largest IPv4 payload plus a TCP header with options. */
export const TX_SCRATCH_BYTES = 65536 + 60;

/** mTCP's smallest buffer is 64 bytes; 1 GiB keeps the window arithmetic in 32 bits. */
function validBufferSize(n: number): boolean {
  return Number.isInteger(n) && n >= 64 && n <= 1 << 30;
}

function validRange(buf: Uint8Array, off: number, len: number): boolean {
  return Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0 && off + len <= buf.length;
}

/** Out-of-order ranges a receiver keeps per connection (and so at most this many SACK blocks to choose from). */
const RECEIVE_MAX_RANGES = 16;

export class TcpEngine implements ConnectionObserver {
  readonly config: TcpConfig;
  readonly sink: SegmentSink;
  readonly counters: TcpCounters;
  readonly wheel: TimerWheel;
  readonly isn: IsnGenerator;
  readonly cookies: SynCookies;
  readonly ports: EphemeralPorts;
  /** Most payload bytes in one data segment when the sink segments (TSO); 0 when every segment is <= MSS. */
  readonly tsoMaxSegment: number;

  private readonly table: ConnectionTable;
  private readonly listeners: Map<number, TcpListener>;
  private readonly sendPools: Map<number, BufferPool>;
  private readonly receivePools: Map<number, BufferPool>;
  /** The host's slab: buffers and txBuf are carved from it, so payload copies to and from frames are native. */
  private readonly slab: Slab | null;

  // Work lists (intrusive).
  private outputHead: TcpConnection | null;
  private outputTail: TcpConnection | null;
  private readyHead: TcpConnection | TcpListener | null;
  private readyTail: TcpConnection | TcpListener | null;

  // Per-segment scratch, reused (no allocation per segment).
  readonly view: TcpView;
  readonly opts: TcpOptions;
  readonly outOpts: TcpOptions;
  readonly txBuf: Uint8Array;
  readonly rangesScratch: Int32Array;
  segSrcIp: number;
  segDstIp: number;
  segSeq: number;
  segAck: number;
  segFlags: number;
  segWnd: number;
  segDataOff: number;
  segLen: number;
  now: number;

  // RFC 5961 §7 challenge ACK limit: a count per one-second window for the whole engine.
  private challengeWindowStart: number;
  private challengeCount: number;

  private readonly fireTimer: (t: Timer) => void;
  private portProbeLocalIp: number;
  private portProbeRemoteIp: number;
  private portProbeRemotePort: number;
  private readonly portInUse: (port: number) => boolean;

  constructor(config: TcpConfig, sink: SegmentSink, now: number, slab: Slab | null = null) {
    this.config = config;
    this.sink = sink;
    let tso = config.tsoMaxSegment;
    if (!(tso >= 0)) throw new Error(`tsoMaxSegment ${tso} must be >= 0`);
    if (tso > 0 && typeof sink.sendSegmentOffload !== 'function') {
      throw new Error('tsoMaxSegment > 0 needs a sink with sendSegmentOffload (a link that segments and completes checksums)');
    }
    if (tso > TSO_MAX_PAYLOAD) tso = TSO_MAX_PAYLOAD;
    this.tsoMaxSegment = Math.floor(tso);
    this.counters = new TcpCounters();
    this.wheel = new TimerWheel(now);
    const key16 = config.secret.subarray(0, 16);
    this.isn = new IsnGenerator(key16);
    this.cookies = new SynCookies(config.secret.subarray(16, 32));
    this.ports = new EphemeralPorts(key16);
    this.table = new ConnectionTable((config.secret[0] << 24) | (config.secret[5] << 16) | (config.secret[9] << 8) | config.secret[13]);
    this.listeners = new Map();
    this.sendPools = new Map();
    this.receivePools = new Map();
    this.slab = slab;
    this.outputHead = null;
    this.outputTail = null;
    this.readyHead = null;
    this.readyTail = null;
    this.view = new TcpView();
    this.opts = new TcpOptions();
    this.outOpts = new TcpOptions();
    this.txBuf = carveOrAllocate(slab, TX_SCRATCH_BYTES);
    this.rangesScratch = new Int32Array(2 * RECEIVE_MAX_RANGES + 2);
    this.segSrcIp = 0; this.segDstIp = 0; this.segSeq = 0; this.segAck = 0; this.segFlags = 0; this.segWnd = 0;
    this.segDataOff = 0; this.segLen = 0;
    this.now = now;
    this.challengeWindowStart = now;
    this.challengeCount = 0;
    this.fireTimer = (t: Timer) => this.onTimer(t);
    this.portProbeLocalIp = 0; this.portProbeRemoteIp = 0; this.portProbeRemotePort = 0;
    this.portInUse = (port: number) =>
      this.lookup(this.portProbeLocalIp, port, this.portProbeRemoteIp, this.portProbeRemotePort) !== null ||
      this.findListener(this.portProbeLocalIp, port) !== null;
  }

  // ---------------------------------------------------------------- segment input

  input(srcIp: number, dstIp: number, buf: Uint8Array, off: number, len: number, now: number): void {
    this.now = now;
    const c0 = this.counters;
    c0.segmentsIn++;
    const v = this.view;
    if (!v.wrap(buf, off, len)) { c0.dropMalformed++; return; }
    if (!verifyTcpChecksum(buf, off, len, srcIp, dstIp)) { c0.dropChecksum++; return; }
    if (!v.parseOptions(this.opts)) { c0.dropMalformed++; return; }
    const srcPort = v.srcPort;
    const dstPort = v.dstPort;
    if (srcPort === 0 || dstPort === 0) { c0.dropMalformed++; return; }
    this.segSrcIp = srcIp;
    this.segDstIp = dstIp;
    this.segSeq = v.seq;
    this.segAck = v.ack;
    this.segFlags = v.flags;
    this.segWnd = v.window;
    this.segDataOff = v.payloadOffset;
    this.segLen = v.payloadLength;
    const c = this.lookup(dstIp, dstPort, srcIp, srcPort);
    if (c !== null) {
      segmentArrives(this, c, now);
      return;
    }
    const l = this.findListener(dstIp, dstPort);
    if (l !== null) {
      listenerInput(this, l, now);
      return;
    }
    c0.dropNoConnection++;
    this.resetForSegment(dstIp, srcIp, dstPort, srcPort);
  }

  /** RFC 9293 §3.10.7.1: a segment for no connection gets a RST unless it is a RST. */
  resetForSegment(localIp: number, remoteIp: number, localPort: number, remotePort: number): void {
    const flags = this.segFlags;
    if ((flags & TCP_RST) !== 0) return;
    if ((flags & TCP_ACK) !== 0) {
      emitBareReset(this, localIp, remoteIp, localPort, remotePort, this.segAck, 0, TCP_RST);
    } else {
      let n = this.segLen;
      if ((flags & TCP_SYN) !== 0) n++;
      if ((flags & TCP_FIN) !== 0) n++;
      emitBareReset(this, localIp, remoteIp, localPort, remotePort, 0, (this.segSeq + n) | 0, TCP_RST | TCP_ACK);
    }
  }

  // ---------------------------------------------------------------- time and output

  advance(now: number): void {
    this.now = now;
    this.wheel.advance(now, this.fireTimer);
  }

  flush(now: number): void {
    this.now = now;
    // Detach the list first: output() may queue the connection again (it then runs on the next flush).
    let c = this.outputHead;
    this.outputHead = null;
    this.outputTail = null;
    while (c !== null) {
      const next = c.outputNext;
      c.outputNext = null;
      c.outputQueued = false;
      if (!c.freed) {
        output(this, c, now);
        if (c.state === TcpState.TIME_WAIT && c.timeWaitUntil <= now) this.finishTimeWait(c);
      }
      c = next;
    }
  }

  nextDeadline(): number {
    if (this.outputHead !== null) return this.now;
    return this.wheel.nextDeadline();
  }

  queueOutput(c: TcpConnection): void {
    if (c.outputQueued || c.freed) return;
    c.outputQueued = true;
    if (this.outputTail === null) this.outputHead = c;
    else this.outputTail.outputNext = c;
    this.outputTail = c;
  }

  markReady(x: TcpConnection | TcpListener): void {
    if (x.readyQueued) return;
    x.readyQueued = true;
    x.readyNext = null;
    if (this.readyTail === null) this.readyHead = x;
    else this.readyTail.readyNext = x;
    this.readyTail = x;
  }

  takeReady(out: Array<TcpConnection | TcpListener>): number {
    let n = 0;
    let x = this.readyHead;
    this.readyHead = null;
    this.readyTail = null;
    while (x !== null) {
      const next: TcpConnection | TcpListener | null = x.readyNext;
      x.readyNext = null;
      x.readyQueued = false;
      if (x instanceof TcpListener || (!x.freed && !x.orphan)) { out.push(x); n++; }
      x = next;
    }
    return n;
  }

  /** RFC 5961 §7: sends a challenge ACK unless the per-second limit is reached. */
  challengeAck(c: TcpConnection, now: number): void {
    if (now - this.challengeWindowStart >= 1000) {
      this.challengeWindowStart = now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.config.challengeAckLimit) {
      this.counters.challengeAcksSuppressed++;
      return;
    }
    this.challengeCount++;
    this.counters.challengeAcks++;
    c.ackNow = true;
    this.queueOutput(c);
  }

  private onTimer(t: Timer): void {
    const c = t.owner as TcpConnection;
    if (c.freed) return;
    this.counters.timersFired++;
    if (t.kind === TIMER_RTX) rtxTimerFired(this, c, this.now);
    else if (t.kind === TIMER_DELACK) {
      if (c.ackPendingSegments > 0) { c.ackNow = true; this.queueOutput(c); this.counters.delayedAcks++; }
    } else idleTimerFired(this, c, this.now);
  }

  // ---------------------------------------------------------------- tables

  /** Connections in the table (every state but CLOSED). */
  get connectionCount(): number {
    return this.table.count;
  }

  lookup(localIp: number, localPort: number, remoteIp: number, remotePort: number): TcpConnection | null {
    return this.table.lookup(localIp, localPort, remoteIp, remotePort);
  }

  tableRemove(c: TcpConnection): void {
    this.table.remove(c);
  }

  private static listenerKey(ip: number, port: number): number {
    return port * 4294967296 + ip;
  }

  findListener(localIp: number, localPort: number): TcpListener | null {
    const l = this.listeners.get(TcpEngine.listenerKey(localIp, localPort));
    if (l !== undefined) return l;
    const w = this.listeners.get(TcpEngine.listenerKey(0, localPort));
    return w === undefined ? null : w;
  }

  private pool(map: Map<number, BufferPool>, size: number): BufferPool {
    let p = map.get(size);
    if (p === undefined) {
      p = new BufferPool(size, this.config.maxBuffers, this.slab);
      map.set(size, p);
    }
    return p;
  }

  /** A new connection (state CLOSED, not in the table). Buffers take storage from the pools on first use. */
  newConnection(localIp: number, localPort: number, remoteIp: number, remotePort: number, rcvbuf: number,
    sndbuf: number, now: number): TcpConnection {
    const cfg = this.config;
    const c = new TcpConnection(localIp, localPort, remoteIp, remotePort,
      this.table.hash(localIp, localPort, remoteIp, remotePort),
      new SendBuffer(this.pool(this.sendPools, sndbuf)),
      new ReceiveBuffer(this.pool(this.receivePools, rcvbuf), RECEIVE_MAX_RANGES),
      new RttEstimator(cfg.rtoMinMs, cfg.rtoMaxMs, cfg.rtoInitialMs),
      createCongestionControl(cfg.cc, cfg.mss, now), this);
    c.keepaliveIdleMs = cfg.keepaliveIdleMs;
    c.keepaliveIntervalMs = cfg.keepaliveIntervalMs;
    c.keepaliveProbes = cfg.keepaliveProbes;
    c.rcvWscaleOffer = cfg.windowScaling ? windowScaleFor(rcvbuf) : -1;
    // RFC 7323 §5.4: a per-connection timestamp offset, here a keyed hash of the reversed 4-tuple.
    c.tsOffset = this.isn.next(remoteIp, remotePort, localIp, localPort, 0) | 0;
    c.lastReceiveTime = now;
    return c;
  }

  /** Adds a connection to the table (the 4-tuple must be free). */
  insert(c: TcpConnection): void {
    this.table.insert(c);
  }

  /** Removes a connection for good: table, timers, buffers, lists. */
  freeConnection(c: TcpConnection): void {
    if (c.freed) return;
    this.tableRemove(c);
    this.wheel.cancel(c.rtxTimer);
    this.wheel.cancel(c.delackTimer);
    this.wheel.cancel(c.idleTimer);
    c.sendBuffer.release();
    c.receiveBuffer.release();
    if (c.listener !== null) {
      const l = c.listener;
      if (c.state === TcpState.SYN_RECEIVED) l.synCount--;
      else this.unlinkAccept(l, c);
      c.listener = null;
    }
    c.freed = true;
    this.counters.connectionsFreed++;
  }

  private unlinkAccept(l: TcpListener, c: TcpConnection): void {
    let p: TcpConnection | null = null;
    let x = l.acceptHead;
    while (x !== null && x !== c) { p = x; x = x.acceptNext; }
    if (x === null) return;
    if (p === null) l.acceptHead = c.acceptNext; else p.acceptNext = c.acceptNext;
    if (l.acceptTail === c) l.acceptTail = p;
    c.acceptNext = null;
    l.acceptCount--;
  }

  /** A passive connection finished the handshake: onto its listener's accept queue. */
  enqueueAccept(l: TcpListener, c: TcpConnection): void {
    l.synCount--;
    c.acceptNext = null;
    if (l.acceptTail === null) l.acceptHead = c; else l.acceptTail.acceptNext = c;
    l.acceptTail = c;
    l.acceptCount++;
    this.markReady(l);
  }

  /**
   * The connection is over (reset, timeout, end of TIME_WAIT). It leaves the table; if the application still
   * holds it, it stays CLOSED with `error` pending until close(), else it is freed.
   */
  enterClosed(c: TcpConnection, error: number): void {
    const wasSynReceivedPassive = c.state === TcpState.SYN_RECEIVED && c.listener !== null;
    if (wasSynReceivedPassive) { this.freeConnection(c); return; }
    if (c.listener !== null) { this.freeConnection(c); return; }  // still on an accept queue
    c.state = TcpState.CLOSED;
    if (!c.owned || c.orphan) { this.freeConnection(c); return; }
    if (error !== 0) c.error = error;
    this.tableRemove(c);
    this.wheel.cancel(c.rtxTimer);
    this.wheel.cancel(c.delackTimer);
    this.wheel.cancel(c.idleTimer);
    c.sendBuffer.release();
    // Data received before a reset stays readable ahead of the error, as on Linux (tcp_reset purges only the
    // write queue): those bytes were acknowledged, so dropping them here would lose them silently.
    if (error !== 0 && c.receiveBuffer.readable === 0) c.receiveBuffer.release();
    this.markReady(c);
  }

  finishTimeWait(c: TcpConnection): void {
    this.enterClosed(c, 0);
  }

  // ---------------------------------------------------------------- application calls

  /** `rcvbuf`/`sndbuf` size the connections it accepts (default: the engine's configuration). */
  listen(localIp: number, localPort: number, backlog: number, rcvbuf = this.config.rcvbuf,
    sndbuf = this.config.sndbuf): TcpListener | number {
    if (localPort <= 0 || localPort > 65535) return -E.EINVAL;
    if (!validBufferSize(rcvbuf) || !validBufferSize(sndbuf)) return -E.EINVAL;
    if (this.listeners.has(TcpEngine.listenerKey(localIp, localPort))) return -E.EADDRINUSE;
    if (localIp !== 0 && this.listeners.has(TcpEngine.listenerKey(0, localPort))) return -E.EADDRINUSE;
    if (localIp === 0) {
      for (const l of this.listeners.values()) if (l.localPort === localPort) return -E.EADDRINUSE;
    }
    let b = backlog <= 0 ? 1 : backlog;
    if (b > this.config.acceptBacklogMax) b = this.config.acceptBacklogMax;
    const l = new TcpListener(localIp, localPort, b, rcvbuf, sndbuf);
    this.listeners.set(TcpEngine.listenerKey(localIp, localPort), l);
    return l;
  }

  closeListener(l: TcpListener, now: number): void {
    if (!l.open) return;
    l.open = false;
    this.listeners.delete(TcpEngine.listenerKey(l.localIp, l.localPort));
    // Unaccepted connections are reset (Linux inet_csk_listen_stop); half-open ones are dropped.
    let c = l.acceptHead;
    while (c !== null) {
      const next = c.acceptNext;
      c.acceptNext = null;
      c.listener = null;
      emitReset(this, c, now);
      c.orphan = true;
      this.freeConnection(c);
      c = next;
    }
    l.acceptHead = null; l.acceptTail = null; l.acceptCount = 0;
    if (l.synCount > 0) {
      this.table.forEach((x) => { if (x.listener === l) { x.listener = null; this.freeConnection(x); } });
      l.synCount = 0;
    }
  }

  accept(l: TcpListener): TcpConnection | null {
    const c = l.acceptHead;
    if (c === null) return null;
    l.acceptHead = c.acceptNext;
    if (l.acceptHead === null) l.acceptTail = null;
    l.acceptCount--;
    c.acceptNext = null;
    c.listener = null;
    c.owned = true;
    return c;
  }

  connect(localIp: number, localPort: number, remoteIp: number, remotePort: number, now: number,
    options?: ConnectionOptions): TcpConnection | number {
    this.now = now;
    if (remotePort <= 0 || remotePort > 65535 || localPort < 0 || localPort > 65535) return -E.EINVAL;
    if (this.connectionCount >= this.config.maxConcurrency) return -E.ENOMEM;
    if (localPort === 0) {
      this.portProbeLocalIp = localIp;
      this.portProbeRemoteIp = remoteIp;
      this.portProbeRemotePort = remotePort;
      localPort = this.ports.pick(localIp, remoteIp, remotePort, this.portInUse);
      if (localPort < 0) return -E.EADDRNOTAVAIL;
    } else if (this.lookup(localIp, localPort, remoteIp, remotePort) !== null) return -E.EADDRINUSE;
    const rcvbuf = options?.rcvbuf ?? this.config.rcvbuf;
    const sndbuf = options?.sndbuf ?? this.config.sndbuf;
    if (!validBufferSize(rcvbuf) || !validBufferSize(sndbuf)) return -E.EINVAL;
    const c = this.newConnection(localIp, localPort, remoteIp, remotePort, rcvbuf, sndbuf, now);
    if (options?.noDelay !== undefined) c.noDelay = options.noDelay;
    if (options?.keepalive !== undefined) c.keepalive = options.keepalive;
    c.owned = true;
    c.iss = this.isn.next(localIp, localPort, remoteIp, remotePort, now) | 0;
    c.sndUna = c.iss; c.sndNxt = c.iss; c.sndMax = c.iss; c.recover = c.iss; c.highRxt = c.iss;
    c.state = TcpState.SYN_SENT;
    c.synNeeded = true;
    this.table.insert(c);
    this.queueOutput(c);
    this.counters.activeOpens++;
    return c;
  }

  send(c: TcpConnection, buf: Uint8Array, off: number, len: number, now: number): number {
    this.now = now;
    if (c.freed || c.orphan) return -E.EBADF;
    if (c.error !== 0) return -c.takeError();
    const s = c.state;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) return -E.EAGAIN;
    if (s !== TcpState.ESTABLISHED && s !== TcpState.CLOSE_WAIT) return s === TcpState.CLOSED && !c.resetReceived && c.finQueued === false && c.sndMax === 0 ? -E.ENOTCONN : -E.EPIPE;
    if (c.finQueued) return -E.EPIPE;
    if (!validRange(buf, off, len)) return -E.EINVAL;
    if (len === 0) return 0;
    const n = c.sendBuffer.write(buf, off, len);
    if (n < 0) return -E.ENOMEM;
    if (n === 0) return -E.EAGAIN;
    this.queueOutput(c);
    return n;
  }

  receive(c: TcpConnection, buf: Uint8Array, off: number, len: number, peek: boolean, now: number): number {
    this.now = now;
    if (c.freed || c.orphan) return -E.EBADF;
    const rb = c.receiveBuffer;
    if (!validRange(buf, off, len)) return -E.EINVAL;
    if (rb.readable > 0 && !c.shutRead) {
      if (len === 0) return 0;
      if (peek) return rb.peek(buf, off, len);
      const n = rb.read(buf, off, len);
      this.maybeWindowUpdate(c);
      return n;
    }
    if (c.error !== 0) return -c.takeError();
    if (c.finReceived || c.shutRead) return 0;
    const s = c.state;
    if (s === TcpState.CLOSED) return c.resetReceived ? 0 : (c.sndMax === 0 ? -E.ENOTCONN : 0);
    return -E.EAGAIN;
  }

  /** After a read: advertise the opened window if it at least doubled and moved by the SWS threshold (RFC 1122 §4.2.3.3). */
  private maybeWindowUpdate(c: TcpConnection): void {
    const s = c.state;
    if (s !== TcpState.ESTABLISHED && s !== TcpState.FIN_WAIT_1 && s !== TcpState.FIN_WAIT_2) return;
    const cap = c.receiveBuffer.capacity;
    const current = (c.rcvAdvRight - c.rcvNxt) | 0;
    const possible = c.receiveBuffer.window;
    let threshold = this.config.mss;
    if (cap >> 1 < threshold) threshold = cap >> 1;
    if (possible - current >= threshold && possible >= 2 * current) {
      c.windowUpdatePending = true;
      this.queueOutput(c);
    }
  }

  shutdown(c: TcpConnection, how: 0 | 1 | 2, now: number): number {
    this.now = now;
    if (c.freed || c.orphan) return -E.EBADF;
    const s = c.state;
    if (s === TcpState.CLOSED || s === TcpState.LISTEN || s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) return -E.ENOTCONN;
    if (how === 0 || how === 2) {
      c.shutRead = true;
      c.receiveBuffer.skip(c.receiveBuffer.readable);
      this.markReady(c);
    }
    if (how === 1 || how === 2) {
      if (!c.finQueued) queueFin(this, c);
      this.markReady(c);
    }
    return 0;
  }

  close(c: TcpConnection, now: number): void {
    this.now = now;
    if (c.freed || c.orphan) return;
    c.orphan = true;
    c.socketId = -1;
    const s = c.state;
    if (s === TcpState.CLOSED || s === TcpState.SYN_SENT) { this.freeConnection(c); return; }
    const unread = c.receiveBuffer.readable > 0 && !c.shutRead;
    if (unread || (c.lingerOn && c.lingerSeconds === 0) || s === TcpState.SYN_RECEIVED) {
      // RFC 2525 §2.17: closing with unread data resets; SO_LINGER 0 is an abortive close.
      if (unread) this.counters.resetsOnClose++;
      emitReset(this, c, now);
      this.freeConnection(c);
      return;
    }
    c.receiveBuffer.release();
    if (s === TcpState.ESTABLISHED || s === TcpState.CLOSE_WAIT) queueFin(this, c);
    else if (s === TcpState.FIN_WAIT_2) armIdleTimer(this, c, now);
    else if (s === TcpState.TIME_WAIT && c.timeWaitUntil <= now) this.freeConnection(c);
  }

  /** A connection option changed (setter on TcpConnection): flush what Nagle held, re-arm keepalive. */
  connectionOptionsChanged(c: TcpConnection): void {
    if (c.freed) return;
    const s = c.state;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED || s === TcpState.CLOSED) return;
    if (c.noDelay) this.queueOutput(c);
    armIdleTimer(this, c, this.now);
  }

  /** TCP_NODELAY: turning it on sends what Nagle held back. */
  setNoDelay(c: TcpConnection, on: boolean, now: number): void {
    this.now = now;
    c.noDelay = on;
  }

  /** SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT (values <= 0 keep the current ones). */
  setKeepalive(c: TcpConnection, on: boolean, idleMs: number, intervalMs: number, probes: number, now: number): void {
    this.now = now;
    if (idleMs > 0) c.keepaliveIdleMs = idleMs;
    if (intervalMs > 0) c.keepaliveIntervalMs = intervalMs;
    if (probes > 0) c.keepaliveProbes = probes;
    c.keepalive = on;
  }

  abort(c: TcpConnection, now: number): void {
    this.now = now;
    if (c.freed) return;
    c.orphan = true;
    c.socketId = -1;
    const s = c.state;
    if (s !== TcpState.CLOSED && s !== TcpState.SYN_SENT && s !== TcpState.TIME_WAIT && s !== TcpState.LISTEN) emitReset(this, c, now);
    this.freeConnection(c);
  }
}
