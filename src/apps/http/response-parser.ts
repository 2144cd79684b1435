// Incremental HTTP/1.x response parser for epwget: status line, headers, then a body counted against
// Content-Length (RFC 9112 §6.3). Chunked transfer coding is refused with a clear error: epwget asks for
// HTTP/1.0 responses, which never use it.

const LF = 0x0a;
const CR = 0x0d;
const STATUS_LINE = /^HTTP\/1\.(\d) (\d{3})(?: .*)?$/;

const STATE_HEAD = 0;
const STATE_BODY = 1;
const STATE_DONE = 2;
const STATE_ERROR = 3;

export class HttpResponseParser {
  status = 0;
  /** Declared body length; -1 when the response is delimited by the connection closing. */
  contentLength = -1;
  bodyReceived = 0;
  headLength = 0;
  /** Set when the response can no longer be completed correctly. */
  error = '';
  /** Body bytes of the last feed(), as a range of the buffer that was passed in. */
  bodyOffset = 0;
  bodyLength = 0;

  private state = STATE_HEAD;
  private readonly head: Uint8Array;
  private headFill = 0;

  constructor(readonly maxHeadBytes = 8192) {
    this.head = new Uint8Array(maxHeadBytes);
  }

  reset(): void {
    this.status = 0;
    this.contentLength = -1;
    this.bodyReceived = 0;
    this.headLength = 0;
    this.error = '';
    this.bodyOffset = 0;
    this.bodyLength = 0;
    this.state = STATE_HEAD;
    this.headFill = 0;
  }

  get done(): boolean {
    return this.state === STATE_DONE;
  }

  get failed(): boolean {
    return this.state === STATE_ERROR;
  }

  /**
   * Consumes bytes of the response. Returns how many were used; fewer than `len` means the peer sent bytes
   * after the end of the response (an error for a one-request connection, reported by the caller).
   */
  feed(buf: Uint8Array, off: number, len: number): number {
    this.bodyOffset = off;
    this.bodyLength = 0;
    if (this.state === STATE_DONE || this.state === STATE_ERROR) return 0;
    let used = 0;
    if (this.state === STATE_HEAD) {
      const before = this.headFill;
      const room = this.head.length - before;
      const take = len < room ? len : room;
      this.head.set(buf.subarray(off, off + take), before);
      this.headFill += take;
      const end = findHeadEnd(this.head, before > 3 ? before - 3 : 0, this.headFill);
      if (end < 0) {
        if (this.headFill >= this.head.length) this.fail(`response head longer than ${this.head.length} bytes`);
        return take;
      }
      this.headLength = end;
      if (!this.parseHead(end)) return end - before;
      used = end - before;
      this.state = STATE_BODY;
      if (this.contentLength === 0) {
        this.state = STATE_DONE;
        return used;
      }
    }
    // STATE_BODY
    let avail = len - used;
    if (this.contentLength >= 0) {
      const remaining = this.contentLength - this.bodyReceived;
      if (avail > remaining) avail = remaining;
    }
    this.bodyOffset = off + used;
    this.bodyLength = avail;
    this.bodyReceived += avail;
    used += avail;
    if (this.contentLength >= 0 && this.bodyReceived === this.contentLength) this.state = STATE_DONE;
    return used;
  }

  /** The connection reached EOF: completes a close-delimited body, or records a truncated response. */
  endOfStream(): void {
    if (this.state === STATE_BODY && this.contentLength < 0) {
      this.state = STATE_DONE;
    } else if (this.state === STATE_HEAD) {
      this.fail(this.headFill === 0 ? 'connection closed before any response' : 'connection closed inside the response head');
    } else if (this.state === STATE_BODY) {
      this.fail(`connection closed after ${this.bodyReceived} of ${this.contentLength} body bytes`);
    }
  }

  private fail(reason: string): false {
    this.state = STATE_ERROR;
    this.error = reason;
    return false;
  }

  private parseHead(end: number): boolean {
    const text = Buffer.from(this.head.buffer, this.head.byteOffset, end).toString('latin1');
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const m = STATUS_LINE.exec(lines[0] ?? '');
    if (m === null) return this.fail(`malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    this.status = Number(m[2]);
    let length = -1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon <= 0) return this.fail('malformed header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'transfer-encoding') {
        return this.fail(`Transfer-Encoding "${value}" is not supported (epwget needs Content-Length)`);
      }
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) return this.fail(`invalid Content-Length "${value}"`);
        const n = Number(value);
        if (length >= 0 && n !== length) return this.fail('conflicting Content-Length headers');
        length = n;
      }
    }
    // RFC 9112 §6.3: 1xx, 204 and 304 responses have no body whatever the headers say.
    if ((this.status >= 100 && this.status < 200) || this.status === 204 || this.status === 304) length = 0;
    this.contentLength = length;
    return true;
  }
}

/** Index just past the empty line that ends a head in buf[from, to), or -1. Accepts bare LF line ends. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (buf[i] !== LF) continue;
    if (i + 1 < to && buf[i + 1] === LF) return i + 2;
    if (i + 2 < to && buf[i + 1] === CR && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}
