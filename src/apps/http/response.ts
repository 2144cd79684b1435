// HTTP/1.1 response heads for epserver (RFC 9112 §4 status line, RFC 9110 §6.6.1 Date, §8.6 Content-Length).

const REASONS: ReadonlyMap<number, string> = new Map([
  [200, 'OK'],
  [400, 'Bad Request'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [431, 'Request Header Fields Too Large'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [505, 'HTTP Version Not Supported'],
]);

export function reasonPhrase(status: number): string {
  return REASONS.get(status) ?? 'Unknown';
}

export const SERVER_NAME = 'mtcp-ts epserver';

/** The IMF-fixdate of RFC 9110 §5.6.7, recomputed at most once per second. */
export class HttpDateCache {
  private second = -1;
  private text = '';

  get(nowMs: number): string {
    const s = Math.floor(nowMs / 1000);
    if (s !== this.second) {
      this.second = s;
      // toUTCString() produces exactly IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
      this.text = new Date(s * 1000).toUTCString();
    }
    return this.text;
  }
}

const encoder = new TextEncoder();

/**
 * Writes a response head into out[off...] and returns its length, or -1 when it does not fit.
 * `contentType` null omits the header (error bodies are text/plain and pass it explicitly).
 */
export function writeResponseHead(
  out: Uint8Array,
  off: number,
  status: number,
  contentLength: number,
  contentType: string | null,
  keepAlive: boolean,
  date: string,
): number {
  const head =
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
    `Date: ${date}\r\n` +
    `Server: ${SERVER_NAME}\r\n` +
    (contentType !== null ? `Content-Type: ${contentType}\r\n` : '') +
    `Content-Length: ${contentLength}\r\n` +
    (status === 501 || status === 405 ? 'Allow: GET, HEAD\r\n' : '') +
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
  if (head.length > out.length - off) return -1;
  const r = encoder.encodeInto(head, out.subarray(off));
  return r.written;
}

/** The short text/plain body sent with an error status. */
export function errorBody(status: number): Uint8Array {
  return encoder.encode(`${status} ${reasonPhrase(status)}\n`);
}
