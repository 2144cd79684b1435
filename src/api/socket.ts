// One entry of a context's socket table: a stream socket (unconnected, connected or listening), an epoll instance or
// one end of a pipe — mTCP's struct socket_map (mtcp/src/include/socket.h), kinds as enum socket_type.

import {
  MTCP_EPOLLERR, MTCP_EPOLLHUP, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLRDHUP, MTCP_EPOLLRDNORM, MTCP_EPOLLWRNORM,
  MTCP_SOCK_EPOLL, MTCP_SOCK_LISTENER, MTCP_SOCK_PIPE, MTCP_SOCK_STREAM,
} from './constants.js';
import type { EpollEntry, EpollInstance, Pollable } from './epoll.js';
import type { Pipe } from './pipe.js';
import { TcpState, type TcpConnection, type TcpListener } from '../tcp/connection.js';

/** Socket options recorded on the socket, applied to its connection when one exists (and inherited on accept). */
export class SocketOptions {
  reuseAddr = false;
  keepalive = false;
  noDelay = false;
  /** 0 = the context's default (TCP_KEEPIDLE, TCP_KEEPINTVL in seconds, TCP_KEEPCNT). */
  keepIdleSeconds = 0;
  keepIntervalSeconds = 0;
  keepCount = 0;
  lingerOn = false;
  lingerSeconds = 0;
  /** 0 = the context's rcvbuf/sndbuf from mtcp.conf. */
  rcvbuf = 0;
  sndbuf = 0;

  copyFrom(o: SocketOptions): void {
    this.reuseAddr = o.reuseAddr;
    this.keepalive = o.keepalive;
    this.noDelay = o.noDelay;
    this.keepIdleSeconds = o.keepIdleSeconds;
    this.keepIntervalSeconds = o.keepIntervalSeconds;
    this.keepCount = o.keepCount;
    this.lingerOn = o.lingerOn;
    this.lingerSeconds = o.lingerSeconds;
    this.rcvbuf = o.rcvbuf;
    this.sndbuf = o.sndbuf;
  }
}

/**
 * The options of every socket that has not set one: shared (and frozen) so an idle socket costs no options object of
 * its own; MtcpSocket.ownOptions() gives a socket its copy before the first change.
 */
export const DEFAULT_SOCKET_OPTIONS: SocketOptions = Object.freeze(new SocketOptions()) as SocketOptions;

export class MtcpSocket implements Pollable {
  readonly id: number;
  /** MTCP_SOCK_STREAM, MTCP_SOCK_LISTENER, MTCP_SOCK_EPOLL or MTCP_SOCK_PIPE. */
  kind: number;
  epollHead: EpollEntry | null;
  /** Stream: local address from bind() (host order), or chosen by connect()/listen(). */
  boundIp: number;
  boundPort: number;
  bound: boolean;
  conn: TcpConnection | null;
  listener: TcpListener | null;
  /** Read-only view of the options; DEFAULT_SOCKET_OPTIONS until one is set (write through ownOptions()). */
  options: SocketOptions;
  epoll: EpollInstance | null;
  pipe: Pipe | null;
  pipeEnd: number;

  constructor(id: number, kind: number) {
    this.id = id;
    this.kind = kind;
    this.epollHead = null;
    this.boundIp = 0;
    this.boundPort = 0;
    this.bound = false;
    this.conn = null;
    this.listener = null;
    this.options = DEFAULT_SOCKET_OPTIONS;
    this.epoll = null;
    this.pipe = null;
    this.pipeEnd = 0;
  }

  /** The socket's own options object, created (from the defaults) on the first change. */
  ownOptions(): SocketOptions {
    let o = this.options;
    if (o === DEFAULT_SOCKET_OPTIONS) {
      o = new SocketOptions();
      this.options = o;
    }
    return o;
  }

  /** Takes `from`'s options (accept: a new socket inherits its listener's). */
  inheritOptions(from: MtcpSocket): void {
    if (from.options === DEFAULT_SOCKET_OPTIONS) this.options = DEFAULT_SOCKET_OPTIONS;
    else this.ownOptions().copyFrom(from.options);
  }

  /** Readiness as MTCP_EPOLL* bits, computed as Linux's tcp_poll()/pipe_poll() do. */
  pollMask(): number {
    switch (this.kind) {
      case MTCP_SOCK_STREAM:
        return streamPollMask(this.conn);
      case MTCP_SOCK_LISTENER:
        return this.listener !== null && this.listener.acceptable ? MTCP_EPOLLIN | MTCP_EPOLLRDNORM : 0;
      case MTCP_SOCK_PIPE:
        return this.pipe === null ? 0 : this.pipe.pollMask(this.pipeEnd);
      case MTCP_SOCK_EPOLL:
      default:
        return 0;
    }
  }
}

/** Linux tcp_poll(): an unconnected socket is OUT|HUP (state CLOSE), a connecting one nothing but errors. */
export function streamPollMask(c: TcpConnection | null): number {
  if (c === null) return MTCP_EPOLLOUT | MTCP_EPOLLWRNORM | MTCP_EPOLLHUP;
  let m = 0;
  if (c.error !== 0) m |= MTCP_EPOLLERR;
  const s = c.state;
  if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) return m;
  if (c.hangup) m |= MTCP_EPOLLHUP;
  if (c.readable) m |= MTCP_EPOLLIN | MTCP_EPOLLRDNORM;
  // RCV_SHUTDOWN: the peer's FIN, or the connection is gone (reset, timeout), as Linux's tcp_done().
  if (c.readHangup || s === TcpState.CLOSED) m |= MTCP_EPOLLRDHUP | MTCP_EPOLLIN | MTCP_EPOLLRDNORM;
  // After SHUT_WR or a reset Linux reports OUT too: a write then fails at once (EPIPE), it does not block.
  if (c.writable) m |= MTCP_EPOLLOUT | MTCP_EPOLLWRNORM;
  return m;
}
