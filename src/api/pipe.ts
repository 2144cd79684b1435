// mtcp_pipe's buffer (mtcp/src/pipe.c: one 10240-byte ring shared by two socket ids). Semantics follow pipe(7),
// since mTCP has no man page for it: end 0 reads, end 1 writes; reading an empty pipe whose writer is open gives
// EAGAIN (sockets never block here), reading it after the writer closed gives 0 (EOF); writing after the reader
// closed gives EPIPE. Epoll: the read end is EPOLLIN with data or EOF and EPOLLHUP once the writer closed; the write
// end is EPOLLOUT with free space and EPOLLERR once the reader closed.

import { MTCP_EPOLLERR, MTCP_EPOLLHUP, MTCP_EPOLLIN, MTCP_EPOLLOUT } from './constants.js';
import { EAGAIN, EBADF, EPIPE } from './errno.js';
import { notifyPollable, type Pollable } from './epoll.js';

/** mTCP's PIPE_BUF_SIZE. */
export const PIPE_BUFFER_SIZE = 10240;

export const PIPE_READ_END = 0;
export const PIPE_WRITE_END = 1;

export class Pipe {
  private readonly ring = new Uint8Array(PIPE_BUFFER_SIZE);
  private head = 0;
  private count = 0;
  readerOpen = true;
  writerOpen = true;
  /** The sockets of each end, notified when the other end changes the pipe. */
  readEnd: Pollable | null = null;
  writeEnd: Pollable | null = null;

  /** Bytes waiting to be read (FIONREAD). */
  get readable(): number {
    return this.count;
  }

  /** Reads (or peeks) up to `len` bytes: count, 0 at EOF, -EAGAIN when empty, -EBADF on the write end. */
  read(end: number, buf: Uint8Array, off: number, len: number, peek: boolean): number {
    if (end !== PIPE_READ_END) return -EBADF;
    if (len === 0) return 0;
    if (this.count === 0) return this.writerOpen ? -EAGAIN : 0;
    const n = Math.min(len, this.count);
    const first = Math.min(n, PIPE_BUFFER_SIZE - this.head);
    buf.set(this.ring.subarray(this.head, this.head + first), off);
    if (n > first) buf.set(this.ring.subarray(0, n - first), off + first);
    if (!peek) {
      const wasFull = this.count === PIPE_BUFFER_SIZE;
      this.head = (this.head + n) % PIPE_BUFFER_SIZE;
      this.count -= n;
      if (this.count === 0) this.head = 0;
      if (wasFull && this.writeEnd !== null) notifyPollable(this.writeEnd);
    }
    return n;
  }

  /** Writes up to `len` bytes: count accepted, -EAGAIN when full, -EPIPE when the reader closed, -EBADF on end 0. */
  write(end: number, buf: Uint8Array, off: number, len: number): number {
    if (end !== PIPE_WRITE_END) return -EBADF;
    if (!this.readerOpen) return -EPIPE;
    if (len === 0) return 0;
    const space = PIPE_BUFFER_SIZE - this.count;
    if (space === 0) return -EAGAIN;
    const n = Math.min(len, space);
    const tail = (this.head + this.count) % PIPE_BUFFER_SIZE;
    const first = Math.min(n, PIPE_BUFFER_SIZE - tail);
    this.ring.set(buf.subarray(off, off + first), tail);
    if (n > first) this.ring.set(buf.subarray(off + first, off + n), 0);
    const wasEmpty = this.count === 0;
    this.count += n;
    if (wasEmpty && this.readEnd !== null) notifyPollable(this.readEnd);
    return n;
  }

  /** Closes one end and tells the other (EOF / EPIPE become visible there). */
  close(end: number): void {
    if (end === PIPE_READ_END) {
      this.readerOpen = false;
      this.readEnd = null;
      if (this.writeEnd !== null) notifyPollable(this.writeEnd);
    } else {
      this.writerOpen = false;
      this.writeEnd = null;
      if (this.readEnd !== null) notifyPollable(this.readEnd);
    }
  }

  /** Readiness of one end as MTCP_EPOLL* bits. */
  pollMask(end: number): number {
    if (end === PIPE_READ_END) {
      let m = 0;
      if (this.count > 0 || !this.writerOpen) m |= MTCP_EPOLLIN;
      if (!this.writerOpen) m |= MTCP_EPOLLHUP;
      return m;
    }
    let m = this.count < PIPE_BUFFER_SIZE ? MTCP_EPOLLOUT : 0;
    if (!this.readerOpen) m |= MTCP_EPOLLERR;
    return m;
  }
}
