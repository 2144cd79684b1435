// Incremental HTTP/1.x request-head parser for epserver (RFC 9112). The caller keeps the bytes received so
// far in its own buffer and calls parse() again as more arrive; the parser remembers how far it has already
// searched for the end of the head, so a head delivered one byte at a time costs linear work.

export const PARSE_INCOMPLETE = 0;
export const PARSE_ERROR = -1;

/** One parsed request head; reused across requests (fields are overwritten by every successful parse). */
export class HttpRequest {
  method = '';
  /** The request-target exactly as sent (RFC 9112 §3.2), e.g. "/a/b.html?x=1". */
  target = '';
  /** Minor version of HTTP/1.x: 0 or 1 (other 1.x minors are treated as 1.1, RFC 9110 §2.5). */
  versionMinor = 1;
  /** Whether the connection stays open after this response (RFC 9112 §9.3). */
  keepAlive = true;
  /** Body bytes following the head, which the server must read and discard. */
  contentLength = 0;
  host = '';
  /** Bytes of the head, from the first byte given to parse() to the end of the empty line. */
  headLength = 0;
  /** Status to answer with when parse() returned PARSE_ERROR: 400, 431, 501 or 505. */
  errorStatus = 0;
  /** Short human-readable reason for an error, for logs. */
  errorReason = '';
}

const LF = 0x0a;
const CR = 0x0d;

// tchar of RFC 9110 §5.6.2.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
// Visible ASCII only: no controls, no whitespace inside the target (RFC 9112 §3.2).
const TARGET = /^[\x21-\x7e]+$/;

export class HttpRequestParser {
  /** Where the search for the empty line resumes, relative to the `off` given to parse(). */
  private scanned = 0;

  constructor(readonly maxHeadBytes = 8192) {}

  /** Forgets the partial search: call after a request was consumed or the buffer was compacted. */
  reset(): void {
    this.scanned = 0;
  }

  /**
   * Looks for a complete request head in buf[off, off+len), which must start where the previous request
   * ended. Returns the head length (> 0) when complete, filling `out`; PARSE_INCOMPLETE when more bytes are
   * needed; PARSE_ERROR with out.errorStatus set when the request must be refused.
   */
  parse(buf: Uint8Array, off: number, len: number, out: HttpRequest): number {
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line.
    let start = 0;
    while (start + 1 < len && buf[off + start] === CR && buf[off + start + 1] === LF) start += 2;
    while (start < len && buf[off + start] === LF) start += 1;
    let i = this.scanned > start ? this.scanned : start;
    let end = -1;
    for (; i < len; i++) {
      if (buf[off + i] !== LF) continue;
      // A line ends in LF (RFC 9112 §2.2 lets a recipient accept a bare LF); the head ends at an empty line.
      if (i + 1 >= len) break;
      const next = buf[off + i + 1];
      if (next === LF) { end = i + 2; break; }
      if (next === CR) {
        if (i + 2 >= len) break;
        if (buf[off + i + 2] === LF) { end = i + 3; break; }
      }
    }
    if (end < 0) {
      this.scanned = i;
      if (len - start > this.maxHeadBytes) return fail(out, 431, 'request head too large');
      return PARSE_INCOMPLETE;
    }
    this.scanned = 0;
    if (end - start > this.maxHeadBytes) return fail(out, 431, 'request head too large');
    const text = Buffer.from(buf.buffer, buf.byteOffset + off + start, end - start).toString('latin1');
    const status = parseHead(text, out);
    if (status !== 0) return PARSE_ERROR;
    out.headLength = end;
    return end;
  }
}

function fail(out: HttpRequest, status: number, reason: string): number {
  out.errorStatus = status;
  out.errorReason = reason;
  return PARSE_ERROR;
}

function parseHead(text: string, out: HttpRequest): number {
  const lines = text.split('\n');
  // The head ends with an empty line, so the last two split pieces are "" (or "\r" then "").
  let count = lines.length;
  while (count > 0 && (lines[count - 1] === '' || lines[count - 1] === '\r')) count--;
  const requestLine = stripCr(lines[0]);
  const parts = requestLine.split(' ');
  if (parts.length !== 3) return fail(out, 400, 'malformed request line');
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return fail(out, 400, 'malformed method');
  if (!TARGET.test(target)) return fail(out, 400, 'malformed request target');
  const v = VERSION.exec(version);
  if (v === null) return fail(out, 400, 'malformed HTTP version');
  if (v[1] !== '1') return fail(out, 505, 'HTTP major version not supported');
  const minor = v[2] === '0' ? 0 : 1;

  let sawClose = false;
  let sawKeepAlive = false;
  let contentLength = -1;
  let host: string | null = null;
  for (let n = 1; n < count; n++) {
    const line = stripCr(lines[n]);
    // RFC 9112 §5.2: obsolete line folding may be rejected with 400.
    if (line.length === 0 || line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) {
      return fail(out, 400, 'obsolete line folding');
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(out, 400, 'header line without a name');
    const name = line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    if (!TOKEN.test(name)) return fail(out, 400, 'malformed header name');
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case 'connection': {
        // "close" wins over "keep-alive" whatever the order (RFC 9112 §9.6); HTTP/1.0 needs keep-alive
        // to persist (RFC 9112 §9.3).
        for (const option of value.toLowerCase().split(',')) {
          const o = option.trim();
          if (o === 'close') sawClose = true;
          else if (o === 'keep-alive') sawKeepAlive = true;
        }
        break;
      }
      case 'content-length': {
        // RFC 9110 §8.6: a list of identical values may be accepted; anything else is invalid.
        for (const item of value.split(',')) {
          const t = item.trim();
          if (!/^\d{1,15}$/.test(t)) return fail(out, 400, 'invalid Content-Length');
          const n2 = Number(t);
          if (contentLength >= 0 && contentLength !== n2) return fail(out, 400, 'conflicting Content-Length');
          contentLength = n2;
        }
        break;
      }
      case 'transfer-encoding':
        // RFC 9112 §6.1: a transfer coding the server does not implement for requests gets 501.
        return fail(out, 501, 'request bodies with Transfer-Encoding are not supported');
      case 'host':
        if (host !== null) return fail(out, 400, 'more than one Host header');
        host = value;
        break;
      default:
        break;
    }
  }
  // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without a Host header.
  if (minor >= 1 && host === null) return fail(out, 400, 'HTTP/1.1 request without Host');

  out.method = method;
  out.target = target;
  out.versionMinor = minor;
  out.keepAlive = !sawClose && (minor >= 1 || sawKeepAlive);
  out.contentLength = contentLength < 0 ? 0 : contentLength;
  out.host = host ?? '';
  out.errorStatus = 0;
  out.errorReason = '';
  return 0;
}

function stripCr(line: string | undefined): string {
  if (line === undefined) return '';
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
