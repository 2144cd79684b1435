import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_INET, SOCK_STREAM, MSG_PEEK, MSG_DONTWAIT, FIONREAD, FIONBIO, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLET,
  MTCP_EPOLL_CTL_ADD,
} from './constants.js';
import { EBADF, ENOTSOCK, ENOTCONN, EAGAIN, EINVAL, EFAULT, EPIPE, ENFILE, ENOMEM } from './errno.js';
import { mtcp_socket, mtcp_close } from './sockets.js';
import { mtcp_read, mtcp_recv, mtcp_readv, mtcp_write, mtcp_writev, IOV_MAX } from './io.js';
import { mtcp_socket_ioctl, mtcp_setsock_nonblock } from './sockopt.js';
import { mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_wait } from './epoll-calls.js';
import { MtcpEpollEvent, mtcp_epoll_events } from './epoll.js';
import { mtcp_errno } from './context.js';
import { mtcp_pipe } from './lifecycle.js';
import { PIPE_BUFFER_SIZE } from './pipe.js';
import { twoHosts, connectedPair, listenOn, startConnect, waitFor } from './testing/hosts.js';

test('mtcp_read/mtcp_recv: EBADF, ENOTSOCK, ENOTCONN, EAGAIN, EINVAL, EFAULT, MSG_PEEK, EOF', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const sv = hosts.server;
    const buf = new Uint8Array(64);
    assert.equal(mtcp_read(cl, 40, buf, 64), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const ep = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_read(cl, ep, buf, 64), -1);
    assert.equal(mtcp_errno(cl), ENOTSOCK);
    const fresh = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_read(cl, fresh, buf, 64), -1);
    assert.equal(mtcp_errno(cl), ENOTCONN);
    const l = listenOn(cl, 200);
    assert.equal(mtcp_read(cl, l, buf, 64), -1);
    assert.equal(mtcp_errno(cl), ENOTCONN);
    const connecting = startConnect(cl, 201); // no listener: SYN_SENT for a moment
    assert.equal(mtcp_read(cl, connecting, buf, 64), -1);
    assert.equal(mtcp_errno(cl), ENOTCONN);
    const { c, a } = await connectedPair(hosts, 202);
    assert.equal(mtcp_read(cl, c, buf, 64), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    assert.equal(mtcp_recv(cl, c, buf, 64, MSG_DONTWAIT), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_read(cl, c, buf, 65), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_read(cl, c, buf, -1), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_read(cl, c, 'text' as never, 4), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_write(sv, a, new TextEncoder().encode('hello world'), 11), 11);
    const n = { value: -1 };
    await waitFor(() => mtcp_socket_ioctl(cl, c, FIONREAD, n) === 0 && n.value === 11, 3000, 'data');
    assert.equal(mtcp_recv(cl, c, buf, 5, MSG_PEEK), 5);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
    assert.equal(mtcp_recv(cl, c, buf, 64, 0), 11);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 11)), 'hello world');
    assert.equal(mtcp_read(cl, c, buf, 0), 0);
    assert.equal(mtcp_close(sv, a), 0);
    await waitFor(() => mtcp_read(cl, c, buf, 64) === 0, 3000, 'EOF');
    assert.equal(mtcp_read(cl, c, buf, 64), 0);
  } finally {
    await hosts.close();
  }
});

test('mtcp_write: EBADF, ENOTSOCK, ENOTCONN, EAGAIN (full buffer and len 0), EPIPE, partial writes', async () => {
  const hosts = await twoHosts('sndbuf = 4096', 'rcvbuf = 4096');
  try {
    const cl = hosts.client;
    const data = new Uint8Array(10000).fill(0x5a);
    assert.equal(mtcp_write(cl, 30, data, 1), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const ep = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_write(cl, ep, data, 1), -1);
    assert.equal(mtcp_errno(cl), ENOTSOCK);
    const fresh = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_write(cl, fresh, data, 1), -1);
    assert.equal(mtcp_errno(cl), ENOTCONN);
    const connecting = startConnect(cl, 301);
    assert.equal(mtcp_write(cl, connecting, data, 1), -1);
    assert.equal(mtcp_errno(cl), ENOTCONN);
    const { c } = await connectedPair(hosts, 300);
    assert.equal(mtcp_write(cl, c, data, 0), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    assert.equal(mtcp_write(cl, c, data, 10000), 4096); // partial: the send buffer holds 4096
    assert.equal(mtcp_write(cl, c, data, 10000), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    // The peer does not read: its 4096-byte window fills, our buffer drains into it and fills again.
    const ep2 = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_epoll_ctl(cl, ep2, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(MTCP_EPOLLOUT, c)), 0);
    assert.equal(await mtcp_epoll_wait(cl, ep2, mtcp_epoll_events(4), 4, 3000), 1);
    assert.ok(mtcp_write(cl, c, data, 10000) > 0);
    assert.equal(mtcp_close(cl, c), 0);
    assert.equal(mtcp_write(cl, c, data, 1), -1);
    assert.equal(mtcp_errno(cl), EBADF);
  } finally {
    await hosts.close();
  }
});

test('mtcp_readv/mtcp_writev: EINVAL, EFAULT, scatter/gather in order', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const sv = hosts.server;
    const { c, a } = await connectedPair(hosts, 400);
    assert.equal(mtcp_writev(cl, c, [], -1), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_writev(cl, c, [new Uint8Array(1)], IOV_MAX + 1), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_writev(cl, c, [new Uint8Array(1)], 2), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_readv(cl, c, [new Uint8Array(1), 'x' as never], 2), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_writev(cl, c, [new Uint8Array(0)], 1), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    assert.equal(mtcp_writev(cl, c, [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(4, 5)], 3), 5);
    const n = { value: 0 };
    await waitFor(() => mtcp_socket_ioctl(sv, a, FIONREAD, n) === 0 && n.value === 5, 3000, 'data');
    const v1 = new Uint8Array(2);
    const v2 = new Uint8Array(2);
    const v3 = new Uint8Array(4);
    assert.equal(mtcp_readv(sv, a, [v1, v2, v3], 3), 5);
    assert.deepEqual([...v1, ...v2, v3[0]], [1, 2, 3, 4, 5]);
    assert.equal(mtcp_readv(sv, a, [v1], 1), -1);
    assert.equal(mtcp_errno(sv), EAGAIN);
  } finally {
    await hosts.close();
  }
});

test('mtcp_socket_ioctl: FIONREAD, FIONBIO, EBADF, EFAULT, EINVAL; mtcp_setsock_nonblock EBADF', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const s = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    const arg = { value: 7 };
    assert.equal(mtcp_socket_ioctl(cl, s, FIONREAD, arg), 0);
    assert.equal(arg.value, 0);
    assert.equal(mtcp_socket_ioctl(cl, s, FIONBIO, { value: 1 }), 0);
    assert.equal(mtcp_socket_ioctl(cl, s, FIONBIO, { value: 0 }), 0);
    assert.equal(mtcp_socket_ioctl(cl, s, FIONREAD, null), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_socket_ioctl(cl, s, 0x1234, arg), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_socket_ioctl(cl, 99, FIONREAD, arg), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const ep = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_socket_ioctl(cl, ep, FIONREAD, arg), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const l = listenOn(cl, 500);
    assert.equal(mtcp_socket_ioctl(cl, l, FIONREAD, arg), -1);
    assert.equal(mtcp_errno(cl), EINVAL);
    assert.equal(mtcp_setsock_nonblock(cl, s), 0);
    assert.equal(mtcp_setsock_nonblock(cl, 98), -1);
    assert.equal(mtcp_errno(cl), EBADF);
  } finally {
    await hosts.close();
  }
});

test('mtcp_pipe through the API: ENFILE, data, FIONREAD, EOF, EPIPE, epoll, EBADF on the wrong end', async () => {
  const hosts = await twoHosts('max_concurrency = 4');
  try {
    const cl = hosts.client;
    const fds = [-1, -1];
    assert.equal(mtcp_pipe(cl, fds), 0);
    assert.deepEqual(fds, [0, 1]);
    const ep = mtcp_epoll_create(cl, 4);
    assert.equal(mtcp_pipe(cl, [0, 0]), -1); // one id left
    assert.equal(mtcp_errno(cl), ENFILE);
    assert.equal(mtcp_pipe(cl, null as never), -1);
    assert.equal(mtcp_errno(cl), EFAULT);
    assert.equal(mtcp_epoll_ctl(cl, ep, MTCP_EPOLL_CTL_ADD, fds[0], new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLET, 100)), 0);
    const buf = new Uint8Array(PIPE_BUFFER_SIZE + 10);
    assert.equal(mtcp_read(cl, fds[0], buf, 10), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    assert.equal(mtcp_read(cl, fds[1], buf, 10), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    assert.equal(mtcp_write(cl, fds[0], buf, 10), -1);
    assert.equal(mtcp_errno(cl), EBADF);
    const wait = mtcp_epoll_wait(cl, ep, mtcp_epoll_events(4), 4, 3000);
    buf.fill(3);
    assert.equal(mtcp_write(cl, fds[1], buf, PIPE_BUFFER_SIZE + 10), PIPE_BUFFER_SIZE);
    const events = mtcp_epoll_events(4);
    assert.equal(await wait, 1);
    const n = { value: 0 };
    assert.equal(mtcp_socket_ioctl(cl, fds[0], FIONREAD, n), 0);
    assert.equal(n.value, PIPE_BUFFER_SIZE);
    assert.equal(mtcp_write(cl, fds[1], buf, 1), -1);
    assert.equal(mtcp_errno(cl), EAGAIN);
    assert.equal(mtcp_readv(cl, fds[0], [new Uint8Array(100)], 1), 100);
    assert.equal(mtcp_close(cl, fds[1]), 0);
    assert.equal(mtcp_read(cl, fds[0], buf, buf.length), PIPE_BUFFER_SIZE - 100);
    assert.equal(mtcp_read(cl, fds[0], buf, buf.length), 0);
    void events;
    const fds2 = [0, 0];
    assert.equal(mtcp_close(cl, fds[0]), 0);
    assert.equal(mtcp_pipe(cl, fds2), 0);
    assert.equal(mtcp_close(cl, fds2[0]), 0);
    assert.equal(mtcp_write(cl, fds2[1], buf, 1), -1);
    assert.equal(mtcp_errno(cl), EPIPE);
  } finally {
    await hosts.close();
  }
});

test('mtcp_write: ENOMEM when the context has no send buffer left (max_num_buffers)', async () => {
  const hosts = await twoHosts('max_num_buffers = 1');
  try {
    const first = await connectedPair(hosts, 800);
    const second = await connectedPair(hosts, 801);
    const cl = hosts.client;
    const data = new Uint8Array(100);
    assert.equal(mtcp_write(cl, first.c, data, 100), 100);
    assert.equal(mtcp_write(cl, second.c, data, 100), -1);
    assert.equal(mtcp_errno(cl), ENOMEM);
  } finally {
    await hosts.close();
  }
});
