// Test helper: a curl-like raw HTTP exchange over the mTCP API, so tests see every byte the server sends.

import assert from 'node:assert/strict';
import {
  AF_INET, SOCK_STREAM, EAGAIN, EINPROGRESS, ENOTCONN, SOCKADDR_IN_SIZE, SockaddrIn, htons, inet_addr, mtcp_close,
  mtcp_connect, mtcp_errno, mtcp_read, mtcp_socket, mtcp_write, type mctx_t,
} from '../../index.js';

/**
 * Connects to ip:port, writes `request`, and reads until the peer closes or `stopAfter` bytes have arrived.
 * Returns every byte received; throws after `timeoutMs`.
 */
export async function rawExchange(ctx: mctx_t, ip: string, port: number, request: string, stopAfter = Infinity, timeoutMs = 30000): Promise<Buffer> {
  const s = mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0);
  assert.ok(s >= 0, `mtcp_socket errno ${mtcp_errno(ctx)}`);
  const r = mtcp_connect(ctx, s, new SockaddrIn(AF_INET, htons(port), inet_addr(ip)), SOCKADDR_IN_SIZE);
  assert.equal(r, -1);
  assert.equal(mtcp_errno(ctx), EINPROGRESS);
  const req = Buffer.from(request, 'latin1');
  let sent = 0;
  const chunks: Buffer[] = [];
  let got = 0;
  const buf = new Uint8Array(65536);
  const until = performance.now() + timeoutMs;
  try {
    for (;;) {
      if (performance.now() > until) throw new Error(`raw exchange timed out after ${got} bytes`);
      if (sent < req.length) {
        const n = mtcp_write(ctx, s, req.subarray(sent), req.length - sent);
        if (n > 0) sent += n;
      }
      const n = mtcp_read(ctx, s, buf, buf.length);
      if (n === 0) break;
      if (n > 0) {
        chunks.push(Buffer.from(buf.subarray(0, n)));
        got += n;
        if (got >= stopAfter) break;
        continue;
      }
      const e = mtcp_errno(ctx);
      assert.ok(e === EAGAIN || e === ENOTCONN, `mtcp_read errno ${e}`);
      await new Promise<void>((res) => setImmediate(res));
    }
  } finally {
    mtcp_close(ctx, s);
  }
  return Buffer.concat(chunks);
}

/** Splits a response at the end of its head. */
export function splitResponse(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no end of head in ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`);
  return { head: raw.subarray(0, end + 4).toString('latin1'), body: raw.subarray(end + 4) };
}

/** A deterministic file body of `size` bytes. */
export function patternFile(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}
