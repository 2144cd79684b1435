import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, IPPROTO_TCP, SO_ERROR, SO_TYPE, SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE,
  SO_LINGER, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_MAXSEG,
  MTCP_EPOLLIN, MTCP_EPOLLERR, MTCP_EPOLL_CTL_ADD,
} from './constants.js';
import { EBADF, ENOTSOCK, EFAULT, EINVAL, ENOPROTOOPT, EISCONN, ECONNRESET, ETIMEDOUT } from './errno.js';
import { mtcp_socket, mtcp_close, mtcp_connect, mtcp_accept, mtcp_bind, mtcp_listen } from './sockets.js';
import { mtcp_read } from './io.js';
import { mtcp_getsockopt, mtcp_setsockopt, Linger } from './sockopt.js';
import { mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_wait } from './epoll-calls.js';
import { MtcpEpollEvent, mtcp_epoll_events } from './epoll.js';
import { mtcp_errno } from './context.js';
import { mtcp_pipe, mtcp_create_context, mtcp_destroy_context } from './lifecycle.js';
import { MemorySwitchRegistry } from '../core/context.js';
import { socklen, SockaddrIn } from './sockaddr.js';
import { htons } from './byte-order.js';
import { twoHosts, connectedPair, listenOn, startConnect, waitFor, hostConfig, serverAddr } from './testing/hosts.js';
import { TcpState } from '../tcp/connection.js';

test('setsockopt/getsockopt errors: EBADF, ENOTSOCK, EFAULT, EINVAL, ENOPROTOOPT, EISCONN', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const s = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_setsockopt(cl, 77, SOL_SOCKET, SO_KEEPALIVE, 1, 4), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    assert.equal(mtcp_getsockopt(cl, 77, SOL_SOCKET, SO_ERROR, { value: 0 }, socklen(4)), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const fds = [0, 0];
    mtcp_pipe(cl, fds);
    assert.equal(mtcp_setsockopt(cl, fds[0], SOL_SOCKET, SO_KEEPALIVE, 1, 4), -1);
    assert.equal(mtcp_errno(cl), ENOTSOCK);
    assert.equal(mtcp_getsockopt(cl, fds[1], SOL_SOCKET, SO_ERROR, { value: 0 }, socklen(4)), -1);
    assert.equal(mtcp_errno(cl), ENOTSOCK);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_KEEPALIVE, null, 4), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_getsockopt(cl, s, SOL_SOCKET, SO_ERROR, null, socklen(4)), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_getsockopt(cl, s, SOL_SOCKET, SO_ERROR, { value: 0 }, null), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_KEEPALIVE, 1, 2), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_getsockopt(cl, s, SOL_SOCKET, SO_ERROR, { value: 0 }, socklen(2)), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_LINGER, new Linger(1, 0), 4), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_LINGER, new Linger(1, -1), 8), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, IPPROTO_TCP, TCP_KEEPCNT, 0, 4), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, IPPROTO_TCP, TCP_KEEPIDLE, 40000, 4), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_RCVBUF, 0, 4), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_REUSEPORT, 1, 4), -1);
    assert.equal(mtcp_errno(cl), ENOPROTOOPT);
    assert.equal(mtcp_setsockopt(cl, s, IPPROTO_TCP, TCP_MAXSEG, 1000, 4), -1);
    assert.equal(mtcp_errno(cl), ENOPROTOOPT);
    assert.equal(mtcp_setsockopt(cl, s, 255, 1, 1, 4), -1);
    assert.equal(mtcp_errno(cl), ENOPROTOOPT);
    assert.equal(mtcp_getsockopt(cl, s, 255, 1, { value: 0 }, socklen(4)), -1);
    assert.equal(mtcp_errno(cl), ENOPROTOOPT);
    const { c } = await connectedPair(hosts, 600);
    assert.equal(mtcp_setsockopt(cl, c, SOL_SOCKET, SO_SNDBUF, 65536, 4), -1);
    assert.equal(mtcp_errno(cl), EISCONN);
    const l = listenOn(cl, 601);
    assert.equal(mtcp_setsockopt(cl, l, SOL_SOCKET, SO_RCVBUF, 65536, 4), -1);
    assert.equal(mtcp_errno(cl), EISCONN);
  } finally {
    await hosts.close();
  }
});

test('options read back; SO_RCVBUF/SO_SNDBUF set before connect size the connection; accept inherits', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const s = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    const v = { value: -1 };
    const len = socklen(4);
    const get = (level: number, name: number): number => {
      assert.equal(mtcp_getsockopt(cl, s, level, name, v, len), 0);
      assert.equal(len.value, 4);
      return v.value;
    };
    assert.equal(get(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    assert.equal(get(IPPROTO_TCP, TCP_NODELAY), 0);
    assert.equal(get(SOL_SOCKET, SO_RCVBUF), 16384);
    assert.equal(get(IPPROTO_TCP, TCP_KEEPIDLE), 7200);
    assert.equal(get(IPPROTO_TCP, TCP_KEEPINTVL), 75);
    assert.equal(get(IPPROTO_TCP, TCP_KEEPCNT), 9);
    assert.equal(mtcp_setsockopt(cl, s, IPPROTO_TCP, TCP_NODELAY, { value: 1 }, 4), 0);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_KEEPALIVE, 1, 4), 0);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_REUSEADDR, 1, 4), 0);
    assert.equal(mtcp_setsockopt(cl, s, IPPROTO_TCP, TCP_KEEPIDLE, 30, 4), 0);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_RCVBUF, 100000, 4), 0);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_SNDBUF, 50000, 4), 0);
    assert.equal(get(IPPROTO_TCP, TCP_NODELAY), 1);
    assert.equal(get(SOL_SOCKET, SO_KEEPALIVE), 1);
    assert.equal(get(SOL_SOCKET, SO_REUSEADDR), 1);
    assert.equal(get(IPPROTO_TCP, TCP_KEEPIDLE), 30);
    assert.equal(get(SOL_SOCKET, SO_RCVBUF), 100000);
    const linger = new Linger();
    const llen = socklen(8);
    assert.equal(mtcp_setsockopt(cl, s, SOL_SOCKET, SO_LINGER, new Linger(1, 5), 8), 0);
    assert.equal(mtcp_getsockopt(cl, s, SOL_SOCKET, SO_LINGER, linger, llen), 0);
    assert.deepEqual([linger.l_onoff, linger.l_linger, llen.value], [1, 5, 8]);
    const sl = listenOn(hosts.server, 610);
    assert.equal(mtcp_setsockopt(hosts.server, sl, IPPROTO_TCP, TCP_NODELAY, 1, 4), 0);
    assert.equal(mtcp_connect(cl, s, serverAddr(610), 16), -1);
    const conn = cl.sockets.get(s)!.conn!;
    assert.equal(conn.rcvbuf, 100000);
    assert.equal(conn.sndbuf, 50000);
    assert.equal(conn.noDelay, true);
    assert.equal(conn.keepalive, true);
    assert.equal(conn.keepaliveIdleMs, 30000);
    assert.equal(conn.lingerOn, true);
    assert.equal(get(SOL_SOCKET, SO_RCVBUF), 100000);
    let a = -1;
    await waitFor(() => (a = mtcp_accept(hosts.server, sl, null, null)) >= 0, 3000, 'accept');
    assert.equal(hosts.server.sockets.get(a)!.conn!.noDelay, true);
    const nv = { value: 0 };
    assert.equal(mtcp_getsockopt(hosts.server, a, IPPROTO_TCP, TCP_NODELAY, nv, socklen(4)), 0);
    assert.equal(nv.value, 1);
  } finally {
    await hosts.close();
  }
});

test('SO_LINGER with zero timeout: close sends RST, the peer reads ECONNRESET', async () => {
  const hosts = await twoHosts();
  try {
    const { c, a } = await connectedPair(hosts, 620);
    assert.equal(mtcp_setsockopt(hosts.client, c, SOL_SOCKET, SO_LINGER, new Linger(1, 0), 8), 0);
    assert.equal(mtcp_close(hosts.client, c), 0);
    const buf = new Uint8Array(8);
    await waitFor(() => hosts.server.sockets.get(a)!.conn!.state === TcpState.CLOSED, 3000, 'RST');
    assert.equal(mtcp_read(hosts.server, a, buf, 8), -1);
    assert.equal(mtcp_errno(hosts.server), ECONNRESET);
  } finally {
    await hosts.close();
  }
});

test('SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT: a silent peer times out: EPOLLERR, SO_ERROR ETIMEDOUT', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const { c } = await connectedPair(hosts, 630);
    assert.equal(mtcp_setsockopt(cl, c, SOL_SOCKET, SO_KEEPALIVE, 1, 4), 0);
    assert.equal(mtcp_setsockopt(cl, c, IPPROTO_TCP, TCP_KEEPIDLE, 1, 4), 0);
    assert.equal(mtcp_setsockopt(cl, c, IPPROTO_TCP, TCP_KEEPINTVL, 1, 4), 0);
    assert.equal(mtcp_setsockopt(cl, c, IPPROTO_TCP, TCP_KEEPCNT, 1, 4), 0);
    hosts.server.core.close(); // the server host vanishes: no FIN, no RST, nothing answers
    const ep = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_epoll_ctl(cl, ep, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(MTCP_EPOLLIN, c)), 0);
    const events = mtcp_epoll_events(4);
    assert.equal(await mtcp_epoll_wait(cl, ep, events, 4, 6000), 1);
    assert.equal(events[0].events & MTCP_EPOLLERR, MTCP_EPOLLERR);
    const v = { value: 0 };
    assert.equal(mtcp_getsockopt(cl, c, SOL_SOCKET, SO_ERROR, v, socklen(4)), 0);
    assert.equal(v.value, ETIMEDOUT);
  } finally {
    await hosts.close();
  }
});

test('SO_ERROR of a connect that was never answered: ETIMEDOUT after the SYN retries (virtual clock)', async () => {
  let offset = 0;
  const clock = (): number => Math.floor(performance.now()) + offset;
  const ctx = await mtcp_create_context(0, {
    config: hostConfig('10.0.0.1', '02:00:00:00:00:01'), memorySwitches: new MemorySwitchRegistry(),
    stats: false, clock,
  });
  assert.ok(ctx !== null);
  try {
    // A static ARP entry for a host that does not exist: the SYNs leave and nothing answers.
    ctx.core.arp.addStatic(0x0a000063, 32, Uint8Array.of(2, 0, 0, 0, 0, 0x63));
    const s = startConnect(ctx, 80, '10.0.0.99');
    const ep = mtcp_epoll_create(ctx, 4);
    assert.equal(mtcp_epoll_ctl(ctx, ep, MTCP_EPOLL_CTL_ADD, s, new MtcpEpollEvent(MTCP_EPOLLIN, s)), 0);
    const conn = ctx.sockets.get(s)!.conn!;
    for (let i = 0; i < 40 && conn.state !== TcpState.CLOSED; i++) {
      offset += 60000;
      ctx.core.runPass();
      await new Promise<void>((r) => setImmediate(r));
    }
    const events = mtcp_epoll_events(4);
    assert.equal(await mtcp_epoll_wait(ctx, ep, events, 4, 1000), 1);
    assert.equal(events[0].events & MTCP_EPOLLERR, MTCP_EPOLLERR);
    const v = { value: 0 };
    assert.equal(mtcp_getsockopt(ctx, s, SOL_SOCKET, SO_ERROR, v, socklen(4)), 0);
    assert.equal(v.value, ETIMEDOUT);
  } finally {
    await mtcp_destroy_context(ctx);
  }
});

test('SO_RCVBUF/SO_SNDBUF set before listen size every connection the listener accepts', async () => {
  const hosts = await twoHosts();
  try {
    const sv = hosts.server;
    const l = mtcp_socket(sv, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_setsockopt(sv, l, SOL_SOCKET, SO_RCVBUF, 200000, 4), 0);
    assert.equal(mtcp_setsockopt(sv, l, SOL_SOCKET, SO_SNDBUF, 3000, 4), 0);
    assert.equal(mtcp_bind(sv, l, new SockaddrIn(AF_INET, htons(620), 0), 16), 0);
    assert.equal(mtcp_listen(sv, l, 16), 0);
    const s = mtcp_socket(hosts.client, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_connect(hosts.client, s, serverAddr(620), 16), -1);
    let a = -1;
    await waitFor(() => (a = mtcp_accept(sv, l, null, null)) >= 0, 3000, 'accept');
    const v = { value: 0 };
    assert.equal(mtcp_getsockopt(sv, a, SOL_SOCKET, SO_RCVBUF, v, socklen(4)), 0);
    assert.equal(v.value, 200000);
    assert.equal(mtcp_getsockopt(sv, a, SOL_SOCKET, SO_SNDBUF, v, socklen(4)), 0);
    assert.equal(v.value, 3000);
    // The client sees the listener's buffer in the handshake: a window scale big enough for 200000 bytes.
    assert.equal(hosts.client.sockets.get(s)!.conn!.sndWscale, 2);
  } finally {
    await hosts.close();
  }
});
