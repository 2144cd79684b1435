// mtcp-perf's wire protocol. Every connection starts with a HELLO from the client; then, per mode:
//
//  bulk: each direction that carries data is a framed stream: blocks of [u32 length][payload], an end block
//        [u32 0], then a trailer [u64 total bytes][SHA-256 of the payload]. The receiving side answers with a
//        verdict [u8 1=match|0=mismatch][SHA-256 it computed], sent after its own outgoing data (if any).
//  rr:   the client sends requests of requestSize bytes whose first byte is 0, or 1 for the last one; the
//        server answers each with responseSize bytes, and the last one also with a trailer
//        [SHA-256 of every request byte received][SHA-256 of every response byte sent], which the client checks.
//  crr:  rr with exactly one (last) request per connection.
// Length framing (rather than half-close) lets both directions run at once on one connection and lets a
// time-limited sender end cleanly. Payload bytes come from a seeded pattern so runs are reproducible.

import { createHash, type Hash } from 'node:crypto';

export const PERF_MAGIC = 0x4d545046; // "MTPF"
export const PERF_VERSION = 1;
export const HELLO_SIZE = 36;
export const MODE_BULK = 1;
export const MODE_RR = 2;
export const MODE_CRR = 3;
/** Direction bits of a bulk hello. */
export const DIR_CLIENT_TO_SERVER = 1;
export const DIR_SERVER_TO_CLIENT = 2;
export const BLOCK_HEADER = 4;
export const MAX_BLOCK = 65536;
export const TRAILER_SIZE = 8 + 32;
export const VERDICT_SIZE = 1 + 32;
export const RR_TRAILER_SIZE = 64;
const PATTERN_SIZE = 1 << 20;

export interface PerfHello {
  mode: number;
  directions: number;
  /** Bytes each sending direction carries; 0 = limited by time only. */
  bytes: number;
  /** Milliseconds each sender (bulk) or the client (rr) runs; 0 = limited by bytes / transactions only. */
  durationMs: number;
  requestSize: number;
  responseSize: number;
  seed: number;
  /** rr: transactions per connection; 0 = limited by time. */
  transactions: number;
}

export function encodeHello(h: PerfHello, out: Uint8Array, off: number): number {
  const v = new DataView(out.buffer, out.byteOffset + off, HELLO_SIZE);
  v.setUint32(0, PERF_MAGIC);
  v.setUint8(4, PERF_VERSION);
  v.setUint8(5, h.mode);
  v.setUint8(6, h.directions);
  v.setUint8(7, 0);
  v.setUint32(8, Math.floor(h.bytes / 0x100000000));
  v.setUint32(12, h.bytes >>> 0);
  v.setUint32(16, h.durationMs);
  v.setUint32(20, h.requestSize);
  v.setUint32(24, h.responseSize);
  v.setUint32(28, h.seed >>> 0);
  v.setUint32(32, h.transactions);
  return HELLO_SIZE;
}

/** Decodes and validates a hello; throws an Error naming the problem. */
export function decodeHello(buf: Uint8Array, off: number): PerfHello {
  const v = new DataView(buf.buffer, buf.byteOffset + off, HELLO_SIZE);
  if (v.getUint32(0) !== PERF_MAGIC) throw new Error('not an mtcp-perf client (bad magic)');
  if (v.getUint8(4) !== PERF_VERSION) throw new Error(`unsupported mtcp-perf protocol version ${v.getUint8(4)}`);
  const h: PerfHello = {
    mode: v.getUint8(5),
    directions: v.getUint8(6),
    bytes: v.getUint32(8) * 0x100000000 + v.getUint32(12),
    durationMs: v.getUint32(16),
    requestSize: v.getUint32(20),
    responseSize: v.getUint32(24),
    seed: v.getUint32(28),
    transactions: v.getUint32(32),
  };
  if (h.mode !== MODE_BULK && h.mode !== MODE_RR && h.mode !== MODE_CRR) throw new Error(`unknown mode ${h.mode}`);
  if (h.mode === MODE_BULK && (h.directions === 0 || h.directions > 3)) throw new Error('bulk hello without a direction');
  if (h.mode === MODE_BULK && h.bytes === 0 && h.durationMs === 0) throw new Error('bulk hello without bytes or duration');
  if (h.mode !== MODE_BULK && (h.requestSize < 1 || h.responseSize < 1)) throw new Error('request and response sizes must be >= 1');
  return h;
}

/** Deterministic payload bytes: 1 MiB from a seeded xorshift32 generator, repeated. */
export class DataPattern {
  readonly bytes: Uint8Array;

  constructor(readonly seed: number) {
    this.bytes = new Uint8Array(PATTERN_SIZE);
    let x = (seed >>> 0) || 0x9e3779b9;
    const words = new Uint32Array(this.bytes.buffer);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
  }

  get size(): number {
    return PATTERN_SIZE;
  }
}

/**
 * A chunk the owner should write: buf[off, off+len). After a write accepted n bytes, call consumed(n).
 * len 0 means nothing to send now.
 */
export class OutChunk {
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
}

function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The sending half of a bulk direction: blocks, end block, trailer. */
export class BulkSender {
  bytesSent = 0;
  done = false;
  private readonly hash: Hash = createHash('sha256');
  private readonly control = new Uint8Array(BLOCK_HEADER + TRAILER_SIZE);
  private controlLen = 0;
  private controlPos = 0;
  private blockLeft = 0;
  private patternPos = 0;
  private ending = false;

  constructor(private readonly pattern: DataPattern, readonly limitBytes: number, readonly deadline: number) {}

  /** Fills `out` with the next bytes to send; `now` decides whether the time limit has passed. */
  next(now: number, out: OutChunk): void {
    out.len = 0;
    if (this.done) return;
    if (this.controlPos < this.controlLen) {
      out.buf = this.control;
      out.off = this.controlPos;
      out.len = this.controlLen - this.controlPos;
      return;
    }
    if (this.blockLeft > 0) {
      out.buf = this.pattern.bytes;
      out.off = this.patternPos;
      const untilWrap = this.pattern.size - this.patternPos;
      out.len = this.blockLeft < untilWrap ? this.blockLeft : untilWrap;
      return;
    }
    if (this.ending) {
      this.done = true;
      return;
    }
    // Start a new block, or end the stream.
    const remaining = this.limitBytes > 0 ? this.limitBytes - this.bytesSent : MAX_BLOCK;
    const timeUp = this.deadline > 0 && now >= this.deadline;
    const v = new DataView(this.control.buffer);
    if (remaining <= 0 || timeUp) {
      v.setUint32(0, 0);
      v.setUint32(4, Math.floor(this.bytesSent / 0x100000000));
      v.setUint32(8, this.bytesSent >>> 0);
      this.control.set(this.hash.digest(), 12);
      this.controlLen = BLOCK_HEADER + TRAILER_SIZE;
      this.ending = true;
    } else {
      this.blockLeft = remaining < MAX_BLOCK ? remaining : MAX_BLOCK;
      v.setUint32(0, this.blockLeft);
      this.controlLen = BLOCK_HEADER;
    }
    this.controlPos = 0;
    this.next(now, out);
  }

  /** `n` bytes of the chunk last returned by next() were accepted. */
  consumed(out: OutChunk, n: number): void {
    if (n <= 0) return;
    if (out.buf === this.control) {
      this.controlPos += n;
      return;
    }
    this.hash.update(this.pattern.bytes.subarray(this.patternPos, this.patternPos + n));
    this.bytesSent += n;
    this.blockLeft -= n;
    this.patternPos += n;
    if (this.patternPos === this.pattern.size) this.patternPos = 0;
  }
}

const RX_HEADER = 0;
const RX_PAYLOAD = 1;
const RX_TRAILER = 2;
const RX_DONE = 3;

/** The receiving half of a bulk direction. */
export class BulkReceiver {
  bytesReceived = 0;
  done = false;
  matched = false;
  error = '';
  readonly digest = new Uint8Array(32);
  private readonly hash: Hash = createHash('sha256');
  private state = RX_HEADER;
  private readonly small = new Uint8Array(TRAILER_SIZE);
  private smallFill = 0;
  private blockLeft = 0;

  /** Consumes stream bytes; returns how many belong to this bulk stream (it stops after the trailer). */
  feed(buf: Uint8Array, off: number, len: number): number {
    let i = 0;
    while (i < len && this.state !== RX_DONE) {
      if (this.state === RX_PAYLOAD) {
        const n = len - i < this.blockLeft ? len - i : this.blockLeft;
        this.hash.update(buf.subarray(off + i, off + i + n));
        this.bytesReceived += n;
        this.blockLeft -= n;
        i += n;
        if (this.blockLeft === 0) this.state = RX_HEADER;
        continue;
      }
      const need = this.state === RX_HEADER ? BLOCK_HEADER : TRAILER_SIZE;
      const n = Math.min(need - this.smallFill, len - i);
      this.small.set(buf.subarray(off + i, off + i + n), this.smallFill);
      this.smallFill += n;
      i += n;
      if (this.smallFill < need) continue;
      this.smallFill = 0;
      const v = new DataView(this.small.buffer);
      if (this.state === RX_HEADER) {
        const blockLen = v.getUint32(0);
        if (blockLen > MAX_BLOCK) {
          this.error = `block of ${blockLen} bytes exceeds ${MAX_BLOCK}`;
          this.state = RX_DONE;
          this.done = true;
          return i;
        }
        if (blockLen === 0) this.state = RX_TRAILER;
        else {
          this.blockLeft = blockLen;
          this.state = RX_PAYLOAD;
        }
      } else {
        const total = v.getUint32(0) * 0x100000000 + v.getUint32(4);
        this.digest.set(this.hash.digest());
        const sent = this.small.subarray(8, 40);
        this.matched = total === this.bytesReceived && digestEqual(sent, this.digest);
        if (!this.matched) {
          this.error = total !== this.bytesReceived
            ? `sender sent ${total} bytes, ${this.bytesReceived} arrived`
            : 'SHA-256 of the received data differs from the sender\'s';
        }
        this.state = RX_DONE;
        this.done = true;
      }
    }
    return i;
  }
}

export function encodeVerdict(matched: boolean, digest: Uint8Array, out: Uint8Array, off: number): number {
  out[off] = matched ? 1 : 0;
  out.set(digest, off + 1);
  return VERDICT_SIZE;
}

/** Gathers a fixed-size record (a hello, a verdict, a trailer) from stream bytes. */
export class RecordReader {
  readonly record: Uint8Array;
  fill = 0;

  constructor(readonly size: number) {
    this.record = new Uint8Array(size);
  }

  get complete(): boolean {
    return this.fill === this.size;
  }

  feed(buf: Uint8Array, off: number, len: number): number {
    const n = Math.min(this.size - this.fill, len);
    this.record.set(buf.subarray(off, off + n), this.fill);
    this.fill += n;
    return n;
  }
}

/** Request/response transactions, client side, for one connection (rr and crr). */
export class RrClient {
  transactions = 0;
  done = false;
  matched = false;
  error = '';
  private readonly sentHash: Hash = createHash('sha256');
  private readonly receivedHash: Hash = createHash('sha256');
  private readonly request: Uint8Array;
  private requestPos = 0;
  private sending = true;
  private last = false;
  private responseLeft = 0;
  private readonly trailer = new RecordReader(RR_TRAILER_SIZE);
  private responseOffset = 0;

  constructor(
    private readonly pattern: DataPattern,
    readonly requestSize: number,
    readonly responseSize: number,
    readonly maxTransactions: number,
    readonly deadline: number,
  ) {
    this.request = new Uint8Array(requestSize);
  }

  /** Bytes to send now (a request in progress), or len 0 while waiting for the response. */
  next(now: number, out: OutChunk): void {
    out.len = 0;
    if (this.done || !this.sending) return;
    if (this.requestPos === 0) {
      // Prepare the next request: pattern bytes with the "last" flag in front.
      const start = (this.transactions * this.requestSize) % (this.pattern.size - this.requestSize);
      this.request.set(this.pattern.bytes.subarray(start, start + this.requestSize));
      this.last =
        (this.maxTransactions > 0 && this.transactions + 1 >= this.maxTransactions) ||
        (this.deadline > 0 && now >= this.deadline);
      this.request[0] = this.last ? 1 : 0;
    }
    out.buf = this.request;
    out.off = this.requestPos;
    out.len = this.requestSize - this.requestPos;
  }

  consumed(out: OutChunk, n: number): void {
    if (n <= 0) return;
    this.sentHash.update(out.buf.subarray(out.off, out.off + n));
    this.requestPos += n;
    if (this.requestPos === this.requestSize) {
      this.requestPos = 0;
      this.sending = false;
      this.responseLeft = this.responseSize;
    }
  }

  /** Consumes response bytes; returns how many were used. */
  feed(buf: Uint8Array, off: number, len: number): number {
    let i = 0;
    while (i < len && !this.done) {
      if (this.responseLeft > 0) {
        const n = Math.min(this.responseLeft, len - i);
        this.receivedHash.update(buf.subarray(off + i, off + i + n));
        this.responseLeft -= n;
        this.responseOffset += n;
        i += n;
        if (this.responseLeft === 0) {
          this.transactions++;
          if (!this.last) this.sending = true;
        }
        continue;
      }
      if (this.sending) break; // bytes before our request: a protocol error the caller sees as unconsumed
      if (!this.last) break;
      i += this.trailer.feed(buf, off + i, len - i);
      if (this.trailer.complete) {
        const sent = this.sentHash.digest();
        const received = this.receivedHash.digest();
        const t = this.trailer.record;
        const requestsOk = digestEqual(t.subarray(0, 32), sent);
        const responsesOk = digestEqual(t.subarray(32, 64), received);
        this.matched = requestsOk && responsesOk;
        if (!requestsOk) this.error = 'server received different request bytes than were sent';
        else if (!responsesOk) this.error = 'received response bytes differ from what the server sent';
        this.done = true;
      }
    }
    return i;
  }
}

/** Request/response transactions, server side, for one connection. */
export class RrServer {
  transactions = 0;
  done = false;
  private readonly receivedHash: Hash = createHash('sha256');
  private readonly sentHash: Hash = createHash('sha256');
  private requestLeft: number;
  private pendingResponses = 0;
  private responsePos = 0;
  private responseStart = 0;
  private lastSeen = false;
  private lastComplete = false;
  private atRequestStart = true;
  private readonly trailer = new Uint8Array(RR_TRAILER_SIZE);
  private trailerPos = -1;

  constructor(private readonly pattern: DataPattern, readonly requestSize: number, readonly responseSize: number) {
    this.requestLeft = requestSize;
  }

  feed(buf: Uint8Array, off: number, len: number): number {
    let i = 0;
    while (i < len && !this.lastComplete) {
      if (this.atRequestStart) {
        this.lastSeen = buf[off + i] === 1;
        this.atRequestStart = false;
      }
      const n = Math.min(this.requestLeft, len - i);
      this.receivedHash.update(buf.subarray(off + i, off + i + n));
      this.requestLeft -= n;
      i += n;
      if (this.requestLeft === 0) {
        this.pendingResponses++;
        this.transactions++;
        this.requestLeft = this.requestSize;
        this.atRequestStart = true;
        if (this.lastSeen) {
          this.lastComplete = true;
          break;
        }
      }
    }
    return i;
  }

  next(out: OutChunk): void {
    out.len = 0;
    if (this.done) return;
    if (this.trailerPos >= 0) {
      out.buf = this.trailer;
      out.off = this.trailerPos;
      out.len = RR_TRAILER_SIZE - this.trailerPos;
      return;
    }
    if (this.pendingResponses === 0) return;
    if (this.responsePos === 0) {
      this.responseStart = (this.transactions * this.responseSize) % (this.pattern.size - this.responseSize);
    }
    out.buf = this.pattern.bytes;
    out.off = this.responseStart + this.responsePos;
    out.len = this.responseSize - this.responsePos;
  }

  consumed(out: OutChunk, n: number): void {
    if (n <= 0) return;
    if (out.buf === this.trailer) {
      this.trailerPos += n;
      if (this.trailerPos === RR_TRAILER_SIZE) this.done = true;
      return;
    }
    this.sentHash.update(out.buf.subarray(out.off, out.off + n));
    this.responsePos += n;
    if (this.responsePos === this.responseSize) {
      this.responsePos = 0;
      this.pendingResponses--;
      if (this.pendingResponses === 0 && this.lastComplete) {
        this.trailer.set(this.receivedHash.digest(), 0);
        this.trailer.set(this.sentHash.digest(), 32);
        this.trailerPos = 0;
      }
    }
  }
}

/** Parses sizes such as "64", "64K", "64M", "1G" (binary multiples) into bytes; throws on anything else. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGkmg]?)(i?B?)$/.exec(text.trim());
  if (m === null) throw new Error(`invalid size "${text}" (examples: 4096, 64K, 64M, 1G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.round(Number(m[1]) * mult);
  if (!Number.isSafeInteger(n)) throw new Error(`size "${text}" is too large`);
  return n;
}
