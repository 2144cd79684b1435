// mtcp-perf sessions: one per connection, built on the protocol pieces, and the I/O driver that moves their bytes
// through mtcp_read/mtcp_write with epoll interest kept to what the session needs.

import {
  MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLL_CTL_MOD, EAGAIN, MtcpEpollEvent, mtcp_epoll_ctl, mtcp_errno, mtcp_read,
  mtcp_write, errnoName, type mctx_t,
} from '../../index.js';
import {
  BulkReceiver, BulkSender, DataPattern, HELLO_SIZE, OutChunk, RecordReader, RrClient, RrServer, VERDICT_SIZE,
  encodeHello, encodeVerdict, type PerfHello,
} from './protocol.js';

export interface PerfSession {
  /** The next bytes to send at time `now` (ms), or out.len 0 when nothing is due. */
  next(now: number, out: OutChunk): void;
  consumed(out: OutChunk, n: number): void;
  /** Received bytes; returns how many were used (fewer = protocol error). */
  feed(buf: Uint8Array, off: number, len: number): number;
  readonly complete: boolean;
  /** Whether every byte this session checked matched (meaningful once complete). */
  readonly matched: boolean;
  readonly error: string;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly transactions: number;
}

/** A bulk session; the client's starts by sending its hello. */
export class BulkSession implements PerfSession {
  readonly sender: BulkSender | null;
  readonly receiver: BulkReceiver | null;
  private readonly prefix: Uint8Array | null;
  private prefixPos = 0;
  private readonly verdictOut = new Uint8Array(VERDICT_SIZE);
  private verdictOutPos = -1;
  private readonly verdictIn = new RecordReader(VERDICT_SIZE);
  private problem = '';

  constructor(pattern: DataPattern, hello: PerfHello, isClient: boolean, now: number) {
    const sends = isClient ? (hello.directions & 1) !== 0 : (hello.directions & 2) !== 0;
    const receives = isClient ? (hello.directions & 2) !== 0 : (hello.directions & 1) !== 0;
    const deadline = hello.durationMs > 0 ? now + hello.durationMs : 0;
    this.sender = sends ? new BulkSender(pattern, hello.bytes, deadline) : null;
    this.receiver = receives ? new BulkReceiver() : null;
    if (isClient) {
      this.prefix = new Uint8Array(HELLO_SIZE);
      encodeHello(hello, this.prefix, 0);
    } else {
      this.prefix = null;
    }
  }

  next(now: number, out: OutChunk): void {
    out.len = 0;
    if (this.prefix !== null && this.prefixPos < HELLO_SIZE) {
      out.buf = this.prefix;
      out.off = this.prefixPos;
      out.len = HELLO_SIZE - this.prefixPos;
      return;
    }
    if (this.sender !== null && !this.sender.done) {
      this.sender.next(now, out);
      if (out.len > 0) return;
    }
    // Our own data is out; the verdict on the peer's data follows once it has all arrived.
    if (this.receiver !== null && this.receiver.done) {
      if (this.verdictOutPos < 0) {
        encodeVerdict(this.receiver.matched, this.receiver.digest, this.verdictOut, 0);
        this.verdictOutPos = 0;
      }
      if (this.verdictOutPos < VERDICT_SIZE) {
        out.buf = this.verdictOut;
        out.off = this.verdictOutPos;
        out.len = VERDICT_SIZE - this.verdictOutPos;
      }
    }
  }

  consumed(out: OutChunk, n: number): void {
    if (out.buf === this.prefix) this.prefixPos += n;
    else if (out.buf === this.verdictOut) this.verdictOutPos += n;
    else this.sender!.consumed(out, n);
  }

  feed(buf: Uint8Array, off: number, len: number): number {
    let used = 0;
    if (this.receiver !== null && !this.receiver.done) used += this.receiver.feed(buf, off, len);
    if (used < len && this.sender !== null) used += this.verdictIn.feed(buf, off + used, len - used);
    return used;
  }

  get complete(): boolean {
    const sendDone = this.sender === null || (this.sender.done && this.verdictIn.complete);
    const receiveDone = this.receiver === null || (this.receiver.done && this.verdictOutPos === VERDICT_SIZE);
    return (this.prefix === null || this.prefixPos === HELLO_SIZE) && sendDone && receiveDone;
  }

  get matched(): boolean {
    if (this.sender !== null && (!this.verdictIn.complete || this.verdictIn.record[0] !== 1)) return false;
    if (this.receiver !== null && (!this.receiver.done || !this.receiver.matched)) return false;
    return true;
  }

  get error(): string {
    if (this.problem !== '') return this.problem;
    if (this.receiver !== null && this.receiver.error !== '') return `received data: ${this.receiver.error}`;
    if (this.sender !== null && this.verdictIn.complete && this.verdictIn.record[0] !== 1) return 'the peer found the data it received did not match';
    return '';
  }

  /** Which parts are finished, for failure messages. */
  progress(): string {
    const parts: string[] = [];
    if (this.sender !== null) parts.push(`our data ${this.sender.done ? 'sent' : 'unfinished'}`, `peer verdict ${this.verdictIn.complete ? 'received' : `${this.verdictIn.fill}/${VERDICT_SIZE} B`}`);
    if (this.receiver !== null) parts.push(`peer data ${this.receiver.done ? 'received' : 'unfinished'}`, `our verdict ${this.verdictOutPos === VERDICT_SIZE ? 'sent' : 'unsent'}`);
    return parts.join(', ');
  }

  get bytesSent(): number {
    return this.sender?.bytesSent ?? 0;
  }

  get bytesReceived(): number {
    return this.receiver?.bytesReceived ?? 0;
  }

  get transactions(): number {
    return 0;
  }
}

/** The client side of rr/crr: its hello, then the transactions. */
export class RrClientSession implements PerfSession {
  readonly rr: RrClient;
  private readonly hello = new Uint8Array(HELLO_SIZE);
  private helloPos = 0;

  constructor(pattern: DataPattern, hello: PerfHello, now: number, maxTransactions: number) {
    encodeHello(hello, this.hello, 0);
    const deadline = hello.durationMs > 0 ? now + hello.durationMs : 0;
    this.rr = new RrClient(pattern, hello.requestSize, hello.responseSize, maxTransactions, deadline);
  }

  next(now: number, out: OutChunk): void {
    if (this.helloPos < HELLO_SIZE) {
      out.buf = this.hello;
      out.off = this.helloPos;
      out.len = HELLO_SIZE - this.helloPos;
      return;
    }
    this.rr.next(now, out);
  }

  consumed(out: OutChunk, n: number): void {
    if (out.buf === this.hello) this.helloPos += n;
    else this.rr.consumed(out, n);
  }

  feed(buf: Uint8Array, off: number, len: number): number {
    return this.rr.feed(buf, off, len);
  }

  get complete(): boolean { return this.rr.done; }
  get matched(): boolean { return this.rr.matched; }
  get error(): string { return this.rr.error; }
  get bytesSent(): number { return this.rr.transactions * this.rr.requestSize; }
  get bytesReceived(): number { return this.rr.transactions * this.rr.responseSize; }
  get transactions(): number { return this.rr.transactions; }
}

/** The server side of rr/crr. */
export class RrServerSession implements PerfSession {
  readonly rr: RrServer;

  constructor(pattern: DataPattern, hello: PerfHello) {
    this.rr = new RrServer(pattern, hello.requestSize, hello.responseSize);
  }

  next(_now: number, out: OutChunk): void { this.rr.next(out); }
  consumed(out: OutChunk, n: number): void { this.rr.consumed(out, n); }
  feed(buf: Uint8Array, off: number, len: number): number { return this.rr.feed(buf, off, len); }
  get complete(): boolean { return this.rr.done; }
  get matched(): boolean { return this.rr.done; }
  get error(): string { return ''; }
  get bytesSent(): number { return this.rr.transactions * this.rr.responseSize; }
  get bytesReceived(): number { return this.rr.transactions * this.rr.requestSize; }
  get transactions(): number { return this.rr.transactions; }
}

const READ_BUF = 262144;

/** Moves one connection's bytes. `closed` and `failure` report what happened. */
export class SessionDriver {
  /** Set when the peer closed (EOF) or the connection failed. */
  eof = false;
  failure = '';
  private readonly out = new OutChunk();
  private interest = MTCP_EPOLLIN | MTCP_EPOLLOUT;
  private readonly ev = new MtcpEpollEvent();

  constructor(
    private readonly mctx: mctx_t,
    private readonly ep: number,
    readonly sock: number,
    public session: PerfSession | null,
    private readonly readBuf: Uint8Array,
  ) {}

  static buffer(): Uint8Array {
    return new Uint8Array(READ_BUF);
  }

  /** Reads everything available; `onBytes` gets the bytes when there is no session yet (server hello). */
  readAll(onBytes: ((buf: Uint8Array, len: number) => number) | null): void {
    for (;;) {
      const n = mtcp_read(this.mctx, this.sock, this.readBuf, this.readBuf.length);
      if (n === 0) {
        this.eof = true;
        return;
      }
      if (n < 0) {
        const e = mtcp_errno(this.mctx);
        if (e !== EAGAIN) {
          this.eof = true;
          this.failure = `read: ${errnoName(e) ?? e}`;
        }
        return;
      }
      let used = 0;
      if (this.session === null && onBytes !== null) used = onBytes(this.readBuf, n);
      if (this.session !== null && used < n) used += this.session.feed(this.readBuf, used, n - used);
      if (used < n && this.failure === '') this.failure = 'unexpected bytes from the peer (protocol error)';
      if (this.failure !== '') return;
    }
  }

  /** Writes what the session has to send; keeps EPOLLOUT registered only while a write is blocked. */
  writeAll(now: number): void {
    let blocked = false;
    const s = this.session;
    if (s !== null && this.failure === '') {
      for (;;) {
        s.next(now, this.out);
        if (this.out.len === 0) break;
        const view = this.out.off === 0 && this.out.len === this.out.buf.length ? this.out.buf : this.out.buf.subarray(this.out.off, this.out.off + this.out.len);
        const n = mtcp_write(this.mctx, this.sock, view, this.out.len);
        if (n < 0) {
          const e = mtcp_errno(this.mctx);
          if (e === EAGAIN) blocked = true;
          else this.failure = `write: ${errnoName(e) ?? e}`;
          break;
        }
        s.consumed(this.out, n);
      }
    }
    const want = MTCP_EPOLLIN | (blocked ? MTCP_EPOLLOUT : 0);
    if (want !== this.interest) {
      this.interest = want;
      this.ev.events = want;
      this.ev.data.sockid = this.sock;
      mtcp_epoll_ctl(this.mctx, this.ep, MTCP_EPOLL_CTL_MOD, this.sock, this.ev);
    }
  }
}
