// A one-direction bulk peer on our stack, written only against the mTCP API, for the interop suite's bulk runs:
//   node bulk-app.js sink   -f mtcp.conf -p PORT              reads each accepted connection to its end, then
//                                                             prints "sink: BYTES bytes sha256 HEX"
//   node bulk-app.js source -f mtcp.conf -p PORT --file PATH  writes PATH to each accepted connection, closes it,
//                                                             then prints "source: BYTES bytes sent"
// Prints "bulk-app listening on port PORT" when ready; SIGINT ends it.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AF_INET, SOCK_STREAM, INADDR_ANY, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLERR, MTCP_EPOLLHUP, MTCP_EPOLL_CTL_ADD,
  MTCP_EPOLL_CTL_DEL, EAGAIN, EINTR, SIGINT, SOCKADDR_IN_SIZE, SockaddrIn, MtcpEpollEvent, htons, mtcp_epoll_events,
  mtcp_socket, mtcp_setsock_nonblock, mtcp_bind, mtcp_listen, mtcp_accept, mtcp_close, mtcp_read, mtcp_write,
  mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_wait, mtcp_errno, mtcp_init, mtcp_create_context, mtcp_destroy,
  mtcp_register_signal, strerror, type mctx_t,
} from '../src/index.js';

const MAX_EVENTS = 256;
const CHUNK = 65536;

interface Flow {
  hash: Hash | null;
  bytes: number;
  /** source: file descriptor being sent and the bytes of `buf` not yet written. */
  fd: number;
  buf: Uint8Array;
  off: number;
  len: number;
}

function fail(what: string, mctx: mctx_t): never {
  throw new Error(`${what}: ${strerror(mtcp_errno(mctx))}`);
}

async function serve(mctx: mctx_t, role: 'sink' | 'source', port: number, file: string): Promise<void> {
  const ep = mtcp_epoll_create(mctx, MAX_EVENTS);
  if (ep < 0) fail('mtcp_epoll_create', mctx);
  const listener = mtcp_socket(mctx, AF_INET, SOCK_STREAM, 0);
  if (listener < 0) fail('mtcp_socket', mctx);
  mtcp_setsock_nonblock(mctx, listener);
  if (mtcp_bind(mctx, listener, new SockaddrIn(AF_INET, htons(port), INADDR_ANY), SOCKADDR_IN_SIZE) < 0) fail('mtcp_bind', mctx);
  if (mtcp_listen(mctx, listener, 128) < 0) fail('mtcp_listen', mctx);
  mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, listener, new MtcpEpollEvent(MTCP_EPOLLIN, listener));
  process.stdout.write(`bulk-app listening on port ${port}\n`);

  const flows = new Map<number, Flow>();
  const readBuf = new Uint8Array(CHUNK);

  const finish = (sock: number, f: Flow): void => {
    flows.delete(sock);
    mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_DEL, sock, null);
    mtcp_close(mctx, sock);
    if (f.fd >= 0) closeSync(f.fd);
    if (role === 'sink') process.stdout.write(`sink: ${f.bytes} bytes sha256 ${f.hash?.digest('hex') ?? ''}\n`);
    else process.stdout.write(`source: ${f.bytes} bytes sent\n`);
  };

  const drain = (sock: number, f: Flow): void => {
    for (;;) {
      const n = mtcp_read(mctx, sock, readBuf, CHUNK);
      if (n === 0) return finish(sock, f);
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) {
          process.stdout.write(`sink: read error ${strerror(mtcp_errno(mctx))} after ${f.bytes} bytes\n`);
          finish(sock, f);
        }
        return;
      }
      f.hash?.update(readBuf.subarray(0, n));
      f.bytes += n;
    }
  };

  const pump = (sock: number, f: Flow): void => {
    for (;;) {
      if (f.off === f.len) {
        f.len = readSync(f.fd, f.buf, 0, CHUNK, null);
        f.off = 0;
        if (f.len === 0) return finish(sock, f);
      }
      const n = mtcp_write(mctx, sock, f.buf.subarray(f.off, f.len), f.len - f.off);
      if (n < 0) {
        if (mtcp_errno(mctx) !== EAGAIN) {
          process.stdout.write(`source: write error ${strerror(mtcp_errno(mctx))} after ${f.bytes} bytes\n`);
          finish(sock, f);
        }
        return;
      }
      f.off += n;
      f.bytes += n;
    }
  };

  const events = mtcp_epoll_events(MAX_EVENTS);
  for (;;) {
    const nevents = await mtcp_epoll_wait(mctx, ep, events, MAX_EVENTS, -1);
    if (nevents < 0) {
      if (mtcp_errno(mctx) === EINTR) break;
      fail('mtcp_epoll_wait', mctx);
    }
    for (let i = 0; i < nevents; i++) {
      const sock = events[i].data.sockid;
      const mask = events[i].events;
      if (sock === listener) {
        for (;;) {
          const c = mtcp_accept(mctx, listener, null, null);
          if (c < 0) break;
          mtcp_setsock_nonblock(mctx, c);
          const f: Flow = {
            hash: role === 'sink' ? createHash('sha256') : null, bytes: 0,
            fd: role === 'source' ? openSync(file, 'r') : -1, buf: new Uint8Array(CHUNK), off: 0, len: 0,
          };
          flows.set(c, f);
          mtcp_epoll_ctl(mctx, ep, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(role === 'sink' ? MTCP_EPOLLIN : MTCP_EPOLLOUT, c));
          if (role === 'source') pump(c, f);
        }
        continue;
      }
      const f = flows.get(sock);
      if (f === undefined) continue;
      if (role === 'sink' && (mask & (MTCP_EPOLLIN | MTCP_EPOLLHUP | MTCP_EPOLLERR)) !== 0) drain(sock, f);
      else if (role === 'source' && (mask & MTCP_EPOLLOUT) !== 0) pump(sock, f);
      else if ((mask & (MTCP_EPOLLERR | MTCP_EPOLLHUP)) !== 0) finish(sock, f);
    }
  }
  for (const [sock, f] of [...flows]) finish(sock, f);
  mtcp_close(mctx, listener);
  mtcp_close(mctx, ep);
}

async function main(): Promise<number> {
  const role = process.argv[2];
  const { values } = parseArgs({ args: process.argv.slice(3), options: { f: { type: 'string' }, p: { type: 'string' }, file: { type: 'string' } } });
  if ((role !== 'sink' && role !== 'source') || values.f === undefined || values.p === undefined || (role === 'source' && values.file === undefined)) {
    process.stderr.write('usage: bulk-app.js sink|source -f mtcp.conf -p PORT [--file PATH (source)]\n');
    return 2;
  }
  if (mtcp_init(values.f) < 0) {
    process.stderr.write(`mtcp_init failed: ${strerror(mtcp_errno())}\n`);
    return 1;
  }
  const mctx = await mtcp_create_context(0, { stats: false });
  if (mctx === null) {
    process.stderr.write(`mtcp_create_context failed: ${strerror(mtcp_errno())}\n`);
    return 1;
  }
  mtcp_register_signal(SIGINT, () => undefined); // ^C ends mtcp_epoll_wait with EINTR
  await serve(mctx, role, Number(values.p), values.file ?? '');
  await mtcp_destroy();
  return 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bulk-app: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
