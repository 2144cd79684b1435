// A packetdrill-style script harness for the engine. One endpoint (the engine) talks to a scripted peer:
// `<` lines inject segments into the engine, `>` lines state the exact segment it must emit next, other lines
// call the application API or assert state. Time is virtual (seconds, absolute or `+relative`).
//
//   0     listen 8080
//   0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//   0     > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 0>
//   +0.01 < . 1:1(0) ack 1 win 514 <nop,nop,TS val 101 ecr 0>
//   +0    accept
//
// Sequence numbers are relative: inbound seq and outbound ack to the peer's ISN (PEER_ISN), outbound seq and
// inbound ack (and inbound SACK blocks) to the engine's ISS, learnt from its first SYN or SYN-ACK. Timestamps:
// outbound TS val and inbound TS ecr are relative to the engine's first TSval; inbound val / outbound ecr are
// absolute. `*` matches anything in an expectation; `<...>` accepts any options. Inbound payload bytes are
// pattern(relative seq); `recv` checks them. Commands: listen [port], accept [= none], connect, send N [= R],
// recv N [= R], peek N [= R], close, abort, shutdown rd|wr|rdwr [= R], state NAME, error NAME|0,
// readable|writable|hangup|readhup true|false, set nodelay|keepalive|linger ..., counter NAME = N, freed,
// peerport N, ready N (count of takeReady entries), window N (bytes the engine would accept).

import assert from 'node:assert/strict';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TcpOptions, TcpView, writeTcpHeader, setTcpChecksum } from '../../wire/tcp.js';
import { tcpChecksum } from '../../wire/checksum.js';
import * as E from '../errno.js';
import { defaultTcpConfig, TcpConfig } from '../config.js';
import { TcpEngine, TcpConnection, TcpListener, TcpState } from '../engine.js';

export const LOCAL_IP = 0xc0000201;   // 192.0.2.1
export const REMOTE_IP = 0xc0000202;  // 192.0.2.2
export const PEER_ISN = 1000000;

export function pattern(relSeq: number): number {
  return (relSeq * 31 + 7) & 0xff;
}

interface Emitted { time: number; bytes: Uint8Array; }

interface SegmentSpec {
  flags: number; start: number; end: number; len: number;
  ack: number | null; win: number | null; winAny: boolean;
  anyOptions: boolean; hasOptions: boolean;
  mss: number; wscale: number; sackOK: boolean;
  ts: boolean; tsVal: number | null; tsEcr: number | null;
  sack: number[]; badCsum: boolean;
}

const FLAG_CHARS: Record<string, number> = { S: TCP_SYN, F: TCP_FIN, R: TCP_RST, P: TCP_PSH, '.': TCP_ACK };

function errnoValue(name: string): number {
  const v = (E as Record<string, number>)[name];
  if (typeof v !== 'number') throw new Error(`unknown errno ${name}`);
  return v;
}

function parseNum(tok: string): number | null {
  if (tok === '*') return null;
  const n = Number(tok);
  if (!Number.isFinite(n)) throw new Error(`bad number ${tok}`);
  return n;
}

function parseSegment(text: string): SegmentSpec {
  const spec: SegmentSpec = { flags: 0, start: 0, end: 0, len: 0, ack: null, win: null, winAny: false,
    anyOptions: false, hasOptions: false, mss: -1, wscale: -1, sackOK: false, ts: false, tsVal: null, tsEcr: null,
    sack: [], badCsum: false };
  let rest = text.trim();
  const optStart = rest.indexOf('<');
  let optText = '';
  if (optStart >= 0) {
    const optEnd = rest.indexOf('>', optStart);
    if (optEnd < 0) throw new Error('unterminated options');
    optText = rest.slice(optStart + 1, optEnd).trim();
    rest = (rest.slice(0, optStart) + ' ' + rest.slice(optEnd + 1)).trim();
    spec.hasOptions = true;
  }
  const toks = rest.split(/\s+/);
  for (const ch of toks[0]) {
    const f = FLAG_CHARS[ch];
    if (f === undefined) throw new Error(`bad flag ${ch}`);
    spec.flags |= f;
  }
  const m = /^(-?\d+):(-?\d+)\((\d+)\)$/.exec(toks[1] ?? '');
  if (m === null) throw new Error(`bad sequence range ${toks[1]}`);
  spec.start = Number(m[1]); spec.end = Number(m[2]); spec.len = Number(m[3]);
  if (spec.end - spec.start !== spec.len) throw new Error(`range ${toks[1]} inconsistent`);
  for (let i = 2; i < toks.length; i++) {
    const t = toks[i];
    if (t === 'ack') spec.ack = parseNum(toks[++i]);
    else if (t === 'win') { const w = parseNum(toks[++i]); if (w === null) spec.winAny = true; else spec.win = w; }
    else if (t === 'badcsum') spec.badCsum = true;
    else if (t !== '') throw new Error(`unknown token ${t}`);
  }
  if (optText === '...') spec.anyOptions = true;
  else if (optText !== '') {
    for (const part of optText.split(',')) {
      const p = part.trim().split(/\s+/);
      switch (p[0]) {
        case 'nop': case 'eol': break;
        case 'mss': spec.mss = Number(p[1]); break;
        case 'wscale': spec.wscale = Number(p[1]); break;
        case 'sackOK': spec.sackOK = true; break;
        case 'TS': spec.ts = true; spec.tsVal = parseNum(p[2]); spec.tsEcr = parseNum(p[4]); break;
        case 'sack': for (let i = 1; i < p.length; i++) { const [a, b] = p[i].split(':'); spec.sack.push(Number(a), Number(b)); } break;
        default: throw new Error(`unknown option ${p[0]}`);
      }
    }
  }
  return spec;
}

function flagString(f: number): string {
  let s = '';
  if (f & TCP_SYN) s += 'S';
  if (f & TCP_FIN) s += 'F';
  if (f & TCP_RST) s += 'R';
  if (f & TCP_PSH) s += 'P';
  if (f & TCP_ACK) s += '.';
  return s;
}

export interface ScriptOptions { config?: Partial<TcpConfig>; /** The peer's ISN (default PEER_ISN). */ peerIsn?: number; }

/** Runs a script; throws an AssertionError naming the line on the first mismatch. Returns the harness. */
export function runScript(script: string, options: ScriptOptions = {}): ScriptHarness {
  const h = new ScriptHarness(options);
  h.run(script);
  return h;
}

export class ScriptHarness {
  readonly engine: TcpEngine;
  readonly emitted: Emitted[] = [];
  now = 0;
  conn: TcpConnection | null = null;
  listener: TcpListener | null = null;
  listenPort = 8080;
  remotePort = 40000;
  ourIss: number | null = null;
  ourTsBase: number | null = null;
  recvOffset = 1;      // next relative peer sequence number the application reads
  sendOffset = 0;      // bytes the application has written so far
  private readonly view = new TcpView();
  private readonly opts = new TcpOptions();
  private readonly inOpts = new TcpOptions();
  private readonly buf = new Uint8Array(70000);
  readonly peerIsn: number;
  private lineNo = 0;
  private line = '';

  constructor(options: ScriptOptions) {
    this.peerIsn = (options.peerIsn ?? PEER_ISN) >>> 0;
    const secret = new Uint8Array(32);
    for (let i = 0; i < 32; i++) secret[i] = i * 7 + 1;
    const config = defaultTcpConfig({ secret, ...options.config });
    this.engine = new TcpEngine(config, {
      sendSegment: (_l, _r, b, off, len) => { this.emitted.push({ time: this.now, bytes: b.slice(off, off + len) }); return 0; },
    }, 0);
  }

  private fail(msg: string): never {
    throw new assert.AssertionError({ message: `script line ${this.lineNo}: ${this.line.trim()}\n  ${msg}` });
  }

  /** Advances virtual time to t (ms), firing every timer on the way at its own deadline. */
  advanceTo(t: number): void {
    const e = this.engine;
    for (let guard = 0; guard < 100000; guard++) {
      const d = e.nextDeadline();
      if (d > t) break;
      if (d > this.now) this.now = d;
      e.advance(this.now);
      e.flush(this.now);
      if (d <= this.now && e.nextDeadline() <= this.now && guard > 1000) this.fail('timer loop does not advance');
    }
    this.now = t;
    e.advance(t);
    e.flush(t);
  }

  run(script: string): void {
    const lines = script.split('\n');
    let t = 0;
    for (let i = 0; i < lines.length; i++) {
      this.lineNo = i + 1;
      this.line = lines[i];
      const text = lines[i].replace(/#.*$/, '').trim();
      if (text === '') continue;
      const sp = text.indexOf(' ');
      const timeTok = sp < 0 ? text : text.slice(0, sp);
      const body = sp < 0 ? '' : text.slice(sp + 1).trim();
      const secs = timeTok.startsWith('+') ? Number(timeTok.slice(1)) : Number(timeTok);
      if (!Number.isFinite(secs)) this.fail(`bad time ${timeTok}`);
      t = Math.round((timeTok.startsWith('+') ? t + secs * 1000 : secs * 1000) * 1000) / 1000;
      if (t < this.now) this.fail(`time goes backwards`);
      try {
        if (body.startsWith('>')) {
          this.advanceTo(t);
          this.expect(parseSegment(body.slice(1)), t);
        } else {
          this.advanceTo(t);
          this.checkNoOutput();
          if (body.startsWith('<')) this.inject(parseSegment(body.slice(1)));
          else this.command(body);
          this.engine.flush(this.now);
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        this.fail((err as Error).message);
      }
    }
    this.checkNoOutput();
  }

  private checkNoOutput(): void {
    if (this.emitted.length > 0) this.fail(`unexpected output at ${this.emitted[0].time} ms: ${this.format(this.emitted[0].bytes)}`);
  }

  private get localPort(): number {
    return this.conn !== null ? this.conn.localPort : this.listenPort;
  }

  format(bytes: Uint8Array): string {
    const v = this.view;
    v.wrap(bytes, 0, bytes.length);
    v.parseOptions(this.opts);
    const o = this.opts;
    const iss = this.ourIss ?? v.seq;
    const seq = (v.seq - iss) | 0;
    let s = `${flagString(v.flags)} ${seq}:${seq + v.payloadLength}(${v.payloadLength})`;
    if (v.flags & TCP_ACK) s += ` ack ${(v.ack - this.peerIsn) | 0}`;
    s += ` win ${v.window}`;
    const parts: string[] = [];
    if (o.mss >= 0) parts.push(`mss ${o.mss}`);
    if (o.sackPermitted) parts.push('sackOK');
    if (o.hasTimestamp) parts.push(`TS val ${this.ourTsBase === null ? o.tsVal >>> 0 : (o.tsVal - this.ourTsBase) | 0} ecr ${o.tsEcr >>> 0}`);
    if (o.windowScale >= 0) parts.push(`wscale ${o.windowScale}`);
    if (o.sackCount > 0) {
      const b: string[] = [];
      for (let i = 0; i < o.sackCount; i++) b.push(`${(o.sackBlocks[2 * i] - this.peerIsn) | 0}:${(o.sackBlocks[2 * i + 1] - this.peerIsn) | 0}`);
      parts.push(`sack ${b.join(' ')}`);
    }
    if (parts.length > 0) s += ` <${parts.join(',')}>`;
    return s;
  }

  private expect(spec: SegmentSpec, t: number): void {
    const out = this.emitted.shift();
    if (out === undefined) this.fail(`expected ${flagString(spec.flags)} ${spec.start}:${spec.end}(${spec.len}) at ${t} ms, nothing was sent`);
    const text = this.format(out.bytes);
    const v = this.view;
    v.wrap(out.bytes, 0, out.bytes.length);
    if (!v.parseOptions(this.opts)) this.fail(`engine sent malformed options: ${text}`);
    const o = this.opts;
    if (Math.abs(out.time - t) > 2) this.fail(`sent at ${out.time} ms, expected at ${t} ms: ${text}`);
    if ((v.flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN | TCP_PSH)) !== spec.flags) this.fail(`flags differ: got ${text}`);
    if ((v.flags & TCP_SYN) !== 0 && this.ourIss === null) this.ourIss = v.seq;
    if (o.hasTimestamp && this.ourTsBase === null && spec.ts) this.ourTsBase = (o.tsVal - (spec.tsVal ?? 0)) >>> 0;
    const iss = this.ourIss ?? 0;
    if (((v.seq - iss) | 0) !== spec.start || v.payloadLength !== spec.len) this.fail(`sequence differs: got ${text}`);
    if (spec.ack !== null && ((v.ack - this.peerIsn) | 0) !== spec.ack) this.fail(`ack differs: got ${text}`);
    if (!spec.winAny && spec.win !== null && v.window !== spec.win) this.fail(`window differs: got ${text}`);
    if (spec.anyOptions) return;
    if (o.mss !== spec.mss) this.fail(`mss option differs: got ${text}`);
    if (o.windowScale !== spec.wscale) this.fail(`wscale option differs: got ${text}`);
    if (o.sackPermitted !== spec.sackOK) this.fail(`sackOK option differs: got ${text}`);
    if (o.hasTimestamp !== spec.ts) this.fail(`timestamp option differs: got ${text}`);
    if (spec.ts) {
      if (spec.tsVal !== null && (((o.tsVal - (this.ourTsBase ?? 0)) | 0) !== spec.tsVal)) this.fail(`TS val differs: got ${text}`);
      if (spec.tsEcr !== null && o.tsEcr !== (spec.tsEcr | 0)) this.fail(`TS ecr differs: got ${text}`);
    }
    if (o.sackCount * 2 !== spec.sack.length) this.fail(`SACK blocks differ: got ${text}`);
    for (let i = 0; i < spec.sack.length; i++) {
      if (((o.sackBlocks[i] - this.peerIsn) | 0) !== spec.sack[i]) this.fail(`SACK blocks differ: got ${text}`);
    }
    if (spec.len > 0 && this.conn !== null) {
      // Outbound payload is what the application wrote: bytes pattern(i) of the i-th byte sent.
      const off = v.payloadOffset;
      const first = (v.seq - iss - 1) | 0;
      for (let i = 0; i < spec.len; i++) {
        if (out.bytes[off + i] !== pattern(first + i)) this.fail(`payload byte ${i} differs`);
      }
    }
  }

  private inject(spec: SegmentSpec): void {
    const o = this.inOpts;
    o.reset();
    if (spec.mss >= 0) o.mss = spec.mss;
    if (spec.wscale >= 0) o.windowScale = spec.wscale;
    o.sackPermitted = spec.sackOK;
    if (spec.ts) o.setTimestamp(spec.tsVal ?? 0, spec.tsEcr === null ? 0 : ((this.ourTsBase ?? 0) + spec.tsEcr) >>> 0);
    const iss = this.ourIss ?? 0;
    for (let i = 0; i < spec.sack.length; i += 2) o.addSackBlock((iss + spec.sack[i]) >>> 0, (iss + spec.sack[i + 1]) >>> 0);
    const useOpts = spec.hasOptions;
    const seq = (this.peerIsn + spec.start) >>> 0;
    const ack = spec.ack === null ? 0 : (iss + spec.ack) >>> 0;
    const b = this.buf;
    const hl = writeTcpHeader(b, 0, this.remotePort, this.localPort, seq, ack, spec.flags, spec.win ?? 0, 0, useOpts ? o : null);
    for (let i = 0; i < spec.len; i++) b[hl + i] = pattern(spec.start + i);
    let csum = tcpChecksum(b, 0, hl + spec.len, REMOTE_IP, LOCAL_IP);
    if (spec.badCsum) csum ^= 0x5555;
    setTcpChecksum(b, 0, csum);
    this.engine.input(REMOTE_IP, LOCAL_IP, b, 0, hl + spec.len, this.now);
  }

  private expectValue(got: number, want: string | undefined, what: string): void {
    if (want === undefined) return;
    const w = /^-?\d+$/.test(want) ? Number(want) : -errnoValue(want);
    if (got !== w) this.fail(`${what} returned ${got}, expected ${w}`);
  }

  private command(body: string): void {
    const [left, right] = body.split('=').map((s) => s.trim());
    const toks = left.split(/\s+/);
    const e = this.engine;
    const c = this.conn;
    const need = (): TcpConnection => { if (c === null) this.fail('no connection'); return c; };
    switch (toks[0]) {
      case 'listen': {
        if (toks[1] !== undefined) this.listenPort = Number(toks[1]);
        const l = e.listen(0, this.listenPort, toks[2] !== undefined ? Number(toks[2]) : 128);
        if (typeof l === 'number') this.fail(`listen failed: ${l}`);
        this.listener = l;
        return;
      }
      case 'accept': {
        if (this.listener === null) this.fail('no listener');
        const a = e.accept(this.listener);
        if (right === 'none') { if (a !== null) this.fail('accept returned a connection'); return; }
        if (a === null) this.fail('accept returned nothing');
        this.conn = a;
        return;
      }
      case 'connect': {
        const r = e.connect(LOCAL_IP, toks[1] !== undefined ? Number(toks[1]) : 0, REMOTE_IP, this.remotePort, this.now);
        if (typeof r === 'number') { this.expectValue(r, right, 'connect'); return; }
        this.conn = r;
        return;
      }
      case 'send': {
        const n = Number(toks[1]);
        const src = new Uint8Array(n);
        for (let i = 0; i < n; i++) src[i] = pattern(this.sendOffset + i);
        const r = e.send(need(), src, 0, n, this.now);
        if (r > 0) this.sendOffset += r;
        this.expectValue(r, right ?? String(n), 'send');
        return;
      }
      case 'recv': case 'peek': {
        const n = Number(toks[1]);
        const dst = new Uint8Array(n);
        const r = e.receive(need(), dst, 0, n, toks[0] === 'peek', this.now);
        this.expectValue(r, right, toks[0]);
        for (let i = 0; i < r; i++) if (dst[i] !== pattern(this.recvOffset + i)) this.fail(`received byte ${i} differs`);
        if (r > 0 && toks[0] === 'recv') this.recvOffset += r;
        return;
      }
      case 'close': e.close(need(), this.now); return;
      case 'abort': e.abort(need(), this.now); return;
      case 'shutdown': {
        const how = toks[1] === 'rd' ? 0 : toks[1] === 'wr' ? 1 : 2;
        this.expectValue(e.shutdown(need(), how, this.now), right ?? '0', 'shutdown');
        return;
      }
      case 'state': {
        const want = TcpState[toks[1] as keyof typeof TcpState];
        if (want === undefined) this.fail(`unknown state ${toks[1]}`);
        if (need().state !== want) this.fail(`state is ${TcpState[need().state]}, expected ${toks[1]}`);
        return;
      }
      case 'error': {
        const got = need().takeError();
        const want = toks[1] === '0' ? 0 : errnoValue(toks[1]);
        if (got !== want) this.fail(`error is ${got}, expected ${want}`);
        return;
      }
      case 'readable': case 'writable': case 'hangup': case 'readhup': {
        const x = need();
        const got = toks[0] === 'readable' ? x.readable : toks[0] === 'writable' ? x.writable : toks[0] === 'hangup' ? x.hangup : x.readHangup;
        if (String(got) !== toks[1]) this.fail(`${toks[0]} is ${got}`);
        return;
      }
      case 'set': {
        const x = need();
        if (toks[1] === 'nodelay') e.setNoDelay(x, toks[2] === '1', this.now);
        else if (toks[1] === 'keepalive') e.setKeepalive(x, toks[2] === '1', Number(toks[3]) * 1000, Number(toks[4]) * 1000, Number(toks[5]), this.now);
        else if (toks[1] === 'linger') { x.lingerOn = true; x.lingerSeconds = Number(toks[2]); }
        else this.fail(`unknown option ${toks[1]}`);
        return;
      }
      case 'counter': {
        const got = (e.counters as unknown as Record<string, number>)[toks[1]];
        if (got === undefined) this.fail(`unknown counter ${toks[1]}`);
        if (got !== Number(right)) this.fail(`counter ${toks[1]} is ${got}, expected ${right}`);
        return;
      }
      case 'freed': if (!need().freed) this.fail('connection not freed'); return;
      case 'peerport':
        // A new peer: the next SYN or SYN-ACK defines the sequence and timestamp bases again.
        this.remotePort = Number(toks[1]); this.conn = null; this.ourIss = null; this.ourTsBase = null;
        this.recvOffset = 1; this.sendOffset = 0;
        return;
      case 'ready': {
        const out: Array<TcpConnection | TcpListener> = [];
        const n = e.takeReady(out);
        if (n !== Number(toks[1])) this.fail(`takeReady gave ${n}`);
        return;
      }
      default: this.fail(`unknown command ${toks[0]}`);
    }
  }
}
