// Segments for a listener (RFC 9293 §3.10.7.2 LISTEN): new connections in SYN_RECEIVED, bounded by the SYN
// backlog; past it, stateless SYN cookies (RFC 4987 §3.6) whose returning ACK creates the connection.

import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TS_OPTION_BYTES } from '../wire/tcp.js';
import { TcpListener, TcpState } from './connection.js';
import type { TcpEngine } from './engine.js';
import { negotiateOptions, segmentArrives } from './input.js';
import { emitStateless } from './output.js';
import { armIdleTimer } from './timers.js';

/** Cookies are honoured this long after the last one was sent (two cookie periods of 64 s, as Linux). */
const COOKIE_ACCEPT_MS = 2 * 64 * 1000;

const cookieOptions = { windowScale: -1, sackPermitted: false };

export function listenerInput(e: TcpEngine, l: TcpListener, now: number): void {
  const flags = e.segFlags;
  const k = e.counters;
  const v = e.view;
  if ((flags & TCP_RST) !== 0) return;
  if ((flags & TCP_ACK) !== 0) {
    if ((flags & TCP_SYN) === 0 && now - l.cookieTime <= COOKIE_ACCEPT_MS && cookieAck(e, l, now)) return;
    k.dropListen++;
    e.resetForSegment(e.segDstIp, e.segSrcIp, v.dstPort, v.srcPort);
    return;
  }
  if ((flags & TCP_SYN) === 0 || (flags & TCP_FIN) !== 0) { k.dropListen++; return; }
  const cfg = e.config;
  if (e.connectionCount >= cfg.maxConcurrency) { k.dropSynBacklog++; return; }
  if (l.acceptCount >= l.backlog) { k.dropAcceptQueueFull++; return; }
  if (l.synCount >= cfg.synBacklog) { sendCookie(e, l, now); return; }

  const c = e.newConnection(e.segDstIp, v.dstPort, e.segSrcIp, v.srcPort, l.rcvbuf, l.sndbuf, now);
  c.listener = l;
  l.synCount++;
  negotiateOptions(e, c);
  c.irs = e.segSeq;
  c.rcvNxt = (e.segSeq + 1) | 0;
  c.lastAckSent = c.rcvNxt;
  c.iss = e.isn.next(c.localIp, c.localPort, c.remoteIp, c.remotePort, now) | 0;
  c.sndUna = c.iss; c.sndNxt = c.iss; c.sndMax = c.iss; c.recover = c.iss; c.highRxt = c.iss;
  c.sndWnd = e.segWnd;
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = e.segSeq;
  c.sndWl2 = c.iss;
  c.state = TcpState.SYN_RECEIVED;
  c.synNeeded = true;
  e.insert(c);
  e.queueOutput(c);
  k.passiveOpens++;
}

/** A SYN-ACK whose ISN is a cookie (RFC 4987 §3.6); options ride in the timestamp when the SYN had one. */
function sendCookie(e: TcpEngine, l: TcpListener, now: number): void {
  const cfg = e.config;
  const o = e.opts;
  const v = e.view;
  let mss = o.mss >= 0 ? o.mss : 536;
  if (mss > cfg.mss) mss = cfg.mss;
  const iss = e.cookies.encode(e.segDstIp, v.dstPort, e.segSrcIp, v.srcPort, e.segSeq, mss, now);
  const ts = cfg.timestamps && o.hasTimestamp;
  const peerWs = ts && cfg.windowScaling && o.windowScale >= 0 ? (o.windowScale > 14 ? 14 : o.windowScale) : -1;
  const sack = ts && cfg.sack && o.sackPermitted;
  const tsEcr = o.tsVal;
  const out = e.outOpts;
  out.reset();
  out.mss = cfg.mss;
  if (ts) out.setTimestamp(e.cookies.encodeTimestamp(now, peerWs, sack), tsEcr);
  out.sackPermitted = sack;
  if (peerWs >= 0) out.windowScale = windowScaleOffer(l.rcvbuf);
  const window = l.rcvbuf > 65535 ? 65535 : l.rcvbuf;
  emitStateless(e, e.segDstIp, e.segSrcIp, v.dstPort, v.srcPort, iss, (e.segSeq + 1) | 0, TCP_SYN | TCP_ACK, window, out);
  l.cookieTime = now;
  e.counters.cookiesSent++;
}

function windowScaleOffer(rcvbuf: number): number {
  let s = 0;
  while (s < 14 && 65535 * 2 ** s < rcvbuf) s++;
  return s;
}

/** The ACK that completes a cookie handshake: rebuild the connection from the cookie. */
function cookieAck(e: TcpEngine, l: TcpListener, now: number): boolean {
  const v = e.view;
  const o = e.opts;
  const cfg = e.config;
  const k = e.counters;
  const seq = e.segSeq;
  const ack = e.segAck;
  const mss = e.cookies.decode(e.segDstIp, v.dstPort, e.segSrcIp, v.srcPort, (seq - 1) | 0, (ack - 1) | 0, now);
  if (mss < 0) { k.cookiesRejected++; return false; }
  if (l.acceptCount >= l.backlog || e.connectionCount >= cfg.maxConcurrency) { k.dropAcceptQueueFull++; return true; }
  const c = e.newConnection(e.segDstIp, v.dstPort, e.segSrcIp, v.srcPort, l.rcvbuf, l.sndbuf, now);
  c.listener = l;
  l.synCount++;  // balanced by enqueueAccept
  c.iss = (ack - 1) | 0;
  c.irs = (seq - 1) | 0;
  c.rcvNxt = seq;
  c.lastAckSent = seq;
  c.sndUna = ack; c.sndNxt = ack; c.sndMax = ack;
  c.peerMss = mss < cfg.mss ? mss : cfg.mss;
  if (cfg.timestamps && o.hasTimestamp) {
    c.tsOk = true;
    c.tsRecent = o.tsVal;
    cookieOptions.windowScale = -1;
    cookieOptions.sackPermitted = false;
    e.cookies.decodeTimestamp(o.tsEcr, cookieOptions);
    if (cookieOptions.windowScale >= 0 && cfg.windowScaling) {
      c.wsOk = true;
      c.sndWscale = cookieOptions.windowScale;
      c.rcvWscale = windowScaleOffer(l.rcvbuf);
      c.rcvWscaleOffer = c.rcvWscale;
    }
    c.sackOk = cookieOptions.sackPermitted && cfg.sack;
    // Our timestamps continue from the one the peer echoed, so its PAWS sees them increase.
    c.tsOffset = (o.tsEcr + 1 - now) | 0;
  }
  c.smss = c.peerMss - (c.tsOk ? TS_OPTION_BYTES : 0);
  c.rcvAdvRight = (seq + (l.rcvbuf > 65535 ? 65535 : l.rcvbuf)) | 0;
  c.sndWnd = e.segWnd * 2 ** c.sndWscale;
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = seq;
  c.sndWl2 = ack;
  c.recover = c.iss;
  c.highRxt = ack;
  c.state = TcpState.ESTABLISHED;
  c.cc.setMss(c.smss);
  e.insert(c);
  armIdleTimer(e, c, now);
  e.enqueueAccept(l, c);
  k.cookiesAccepted++;
  k.connectionsEstablished++;
  k.passiveOpens++;
  // Data or FIN riding on the ACK is processed as in ESTABLISHED.
  if (e.segLen > 0 || (e.segFlags & TCP_FIN) !== 0) segmentArrives(e, c, now);
  return true;
}
