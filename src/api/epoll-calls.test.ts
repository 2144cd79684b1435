import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  AF_INET, SOCK_STREAM, O_CLOEXEC, MTCP_EPOLLIN, MTCP_EPOLLOUT, MTCP_EPOLLET, MTCP_EPOLLONESHOT, MTCP_EPOLLHUP,
  MTCP_EPOLLRDHUP, MTCP_EPOLL_CTL_ADD, MTCP_EPOLL_CTL_MOD, MTCP_EPOLL_CTL_DEL, SHUT_RDWR,
} from './constants.js';
import { EBADF, EINVAL, EEXIST, ENOENT, ENFILE, EFAULT } from './errno.js';
import { mtcp_socket, mtcp_close, mtcp_shutdown, mtcp_accept } from './sockets.js';
import { mtcp_read, mtcp_write } from './io.js';
import { mtcp_epoll_create, mtcp_epoll_create1, mtcp_epoll_ctl, mtcp_epoll_wait } from './epoll-calls.js';
import { MtcpEpollEvent, mtcp_epoll_events } from './epoll.js';
import { mtcp_errno } from './context.js';
import { TcpState } from '../tcp/connection.js';
import { twoHosts, connectedPair, listenOn, startConnect, waitFor } from './testing/hosts.js';

test('mtcp_epoll_create/create1: EINVAL, ENFILE; mtcp_epoll_ctl: EBADF, EINVAL, EEXIST, ENOENT', async () => {
  const hosts = await twoHosts('max_concurrency = 4');
  try {
    const c = hosts.client;
    assert.equal(mtcp_epoll_create(c, 0), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_create1(c, 1), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    const ep = mtcp_epoll_create1(c, O_CLOEXEC);
    const ep2 = mtcp_epoll_create1(c, 0);
    const s = mtcp_socket(c, AF_INET, SOCK_STREAM, 0);
    const t = mtcp_socket(c, AF_INET, SOCK_STREAM, 0);
    assert.deepEqual([ep, ep2, s, t], [0, 1, 2, 3]);
    assert.equal(mtcp_epoll_create(c, 10), -1);
    assert.equal(mtcp_errno(c), ENFILE);
    const ev = new MtcpEpollEvent(MTCP_EPOLLIN, s);
    assert.equal(mtcp_epoll_ctl(c, 9, MTCP_EPOLL_CTL_ADD, s, ev), -1);
    assert.equal(mtcp_errno(c), EBADF);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, 9, ev), -1);
    assert.equal(mtcp_errno(c), EBADF);
    assert.equal(mtcp_epoll_ctl(c, s, MTCP_EPOLL_CTL_ADD, t, ev), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, ep, ev), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, ep2, ev), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, s, null), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_ctl(c, ep, 42, s, ev), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_MOD, s, ev), -1);
    assert.equal(mtcp_errno(c), ENOENT);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_DEL, s, null), -1);
    assert.equal(mtcp_errno(c), ENOENT);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, s, ev), 0);
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, s, ev), -1);
    assert.equal(mtcp_errno(c), EEXIST);
    assert.equal(mtcp_epoll_ctl(c, ep2, MTCP_EPOLL_CTL_ADD, s, ev), 0); // a socket in two instances
    assert.equal(mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_DEL, s, null), 0);
  } finally {
    await hosts.close();
  }
});

test('mtcp_epoll_wait: EBADF, EINVAL, EFAULT, timeout 0 and timeout > 0 resolve 0; closing the instance ends a wait with EBADF', async () => {
  const hosts = await twoHosts();
  try {
    const c = hosts.client;
    const ep = mtcp_epoll_create(c, 4);
    const s = mtcp_socket(c, AF_INET, SOCK_STREAM, 0);
    const events = mtcp_epoll_events(4);
    assert.equal(await mtcp_epoll_wait(c, 99, events, 4, 0), -1);
    assert.equal(mtcp_errno(c), EBADF);
    assert.equal(await mtcp_epoll_wait(c, s, events, 4, 0), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(await mtcp_epoll_wait(c, ep, events, 0, 0), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(await mtcp_epoll_wait(c, ep, null as never, 4, 0), -1);
    assert.equal(mtcp_errno(c), EFAULT);
    assert.equal(await mtcp_epoll_wait(c, ep, events, 4, 0), 0);
    const t0 = performance.now();
    assert.equal(await mtcp_epoll_wait(c, ep, events, 4, 50), 0);
    assert.ok(performance.now() - t0 >= 45);
    const wait = mtcp_epoll_wait(c, ep, events, 4, -1);
    assert.equal(mtcp_close(c, ep), 0);
    assert.equal(await wait, -1);
    assert.equal(mtcp_errno(c), EBADF);
  } finally {
    await hosts.close();
  }
});

test('TCP readiness: listener EPOLLIN, level-triggered data, edge-triggered data, one-shot, RDHUP and HUP', async () => {
  const hosts = await twoHosts();
  try {
    const sv = hosts.server;
    const cl = hosts.client;
    const ep = mtcp_epoll_create(sv, 16);
    const events = mtcp_epoll_events(16);
    const l = listenOn(sv, 700);
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_ADD, l, new MtcpEpollEvent(MTCP_EPOLLIN, l)), 0);
    const c = startConnect(cl, 700);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.deepEqual([events[0].events, events[0].data.sockid], [MTCP_EPOLLIN, l]);
    const a = mtcp_accept(sv, l, null, null);
    assert.ok(a >= 0);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 0); // queue empty: no longer readable
    // Level-triggered: unread data is reported on every wait.
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_ADD, a, new MtcpEpollEvent(MTCP_EPOLLIN, a)), 0);
    await waitFor(() => cl.sockets.get(c)!.conn!.state === TcpState.ESTABLISHED, 3000, 'established');
    assert.equal(mtcp_write(cl, c, Uint8Array.of(1, 2, 3, 4), 4), 4);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.deepEqual([events[0].events, events[0].data.sockid], [MTCP_EPOLLIN, a]);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 1);
    const buf = new Uint8Array(16);
    assert.equal(mtcp_read(sv, a, buf, 2), 2);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 1);
    assert.equal(mtcp_read(sv, a, buf, 16), 2);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 0);
    // Edge-triggered: one report per arrival, even though data stays unread.
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_MOD, a, new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLET, a)), 0);
    assert.equal(mtcp_write(cl, c, Uint8Array.of(5), 1), 1);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 0);
    assert.equal(mtcp_write(cl, c, Uint8Array.of(6), 1), 1);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.equal(mtcp_read(sv, a, buf, 16), 2);
    // One-shot: reported once, then silent until MOD re-arms it.
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_MOD, a, new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLONESHOT, a)), 0);
    assert.equal(mtcp_write(cl, c, Uint8Array.of(7), 1), 1);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.equal(mtcp_write(cl, c, Uint8Array.of(8), 1), 1);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 200), 0);
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_MOD, a, new MtcpEpollEvent(MTCP_EPOLLIN | MTCP_EPOLLRDHUP, a)), 0);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 1);
    assert.equal(mtcp_read(sv, a, buf, 16), 2);
    // The peer's FIN: EPOLLIN|EPOLLRDHUP (mTCP reports only EPOLLIN); then both directions shut: EPOLLHUP.
    assert.equal(mtcp_shutdown(cl, c, 1), 0);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 3000), 1);
    assert.equal(events[0].events, MTCP_EPOLLIN | MTCP_EPOLLRDHUP);
    assert.equal(mtcp_shutdown(sv, a, SHUT_RDWR), 0);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 1);
    assert.equal(events[0].events, MTCP_EPOLLIN | MTCP_EPOLLRDHUP | MTCP_EPOLLHUP);
    assert.equal(mtcp_epoll_ctl(sv, ep, MTCP_EPOLL_CTL_DEL, a, null), 0);
    assert.equal(await mtcp_epoll_wait(sv, ep, events, 16, 0), 0);
  } finally {
    await hosts.close();
  }
});

test('level-triggered EPOLLOUT is reported again without a write (mTCP issue #297 fixed); unconnected socket is OUT|HUP', async () => {
  const hosts = await twoHosts();
  try {
    const cl = hosts.client;
    const { c } = await connectedPair(hosts, 710);
    const ep = mtcp_epoll_create(cl, 4);
    const events = mtcp_epoll_events(4);
    assert.equal(mtcp_epoll_ctl(cl, ep, MTCP_EPOLL_CTL_ADD, c, new MtcpEpollEvent(MTCP_EPOLLOUT, c)), 0);
    for (let i = 0; i < 3; i++) {
      assert.equal(await mtcp_epoll_wait(cl, ep, events, 4, 0), 1);
      assert.equal(events[0].events, MTCP_EPOLLOUT);
    }
    const fresh = mtcp_socket(cl, AF_INET, SOCK_STREAM, 0);
    assert.equal(mtcp_epoll_ctl(cl, ep, MTCP_EPOLL_CTL_MOD, c, new MtcpEpollEvent(MTCP_EPOLLIN, c)), 0);
    assert.equal(mtcp_epoll_ctl(cl, ep, MTCP_EPOLL_CTL_ADD, fresh, new MtcpEpollEvent(MTCP_EPOLLOUT, fresh)), 0);
    assert.equal(await mtcp_epoll_wait(cl, ep, events, 4, 0), 1);
    assert.deepEqual([events[0].events, events[0].data.sockid], [MTCP_EPOLLOUT | MTCP_EPOLLHUP, fresh]);
    // Closing a socket removes it from the instance.
    mtcp_close(cl, fresh);
    assert.equal(await mtcp_epoll_wait(cl, ep, events, 4, 0), 0);
  } finally {
    await hosts.close();
  }
});

test('a wait without limit keeps the process alive, and once no such wait is pending the process exits by itself', () => {
  // In a child process: nothing else holds its event loop (the memory link and the stack's timers are unref'd), so
  // only the pending waits can keep it running until the unref'd timers end them; three rounds cover the shared
  // keep-alive being taken and released again.
  const api = new URL('./index.js', import.meta.url).href;
  const hostsModule = new URL('./testing/hosts.js', import.meta.url).href;
  const script = `
    const { mtcp_epoll_create, mtcp_epoll_ctl, mtcp_epoll_wait, mtcp_pipe, mtcp_read, mtcp_write, mtcp_epoll_events,
      MtcpEpollEvent, MTCP_EPOLLIN, MTCP_EPOLL_CTL_ADD } = await import(${JSON.stringify(api)});
    const { twoHosts } = await import(${JSON.stringify(hostsModule)});
    const hosts = await twoHosts();
    const c = hosts.client;
    const ep = mtcp_epoll_create(c, 4);
    const fds = [0, 0];
    mtcp_pipe(c, fds);
    mtcp_epoll_ctl(c, ep, MTCP_EPOLL_CTL_ADD, fds[0], new MtcpEpollEvent(MTCP_EPOLLIN, fds[0]));
    const events = mtcp_epoll_events(4);
    for (let round = 0; round < 3; round++) {
      setTimeout(() => mtcp_write(c, fds[1], new Uint8Array([round]), 1), 100).unref();
      const n = await mtcp_epoll_wait(c, ep, events, 4, -1);
      process.stdout.write('woke ' + n + '\\n');
      mtcp_read(c, fds[0], new Uint8Array(8), 8);
    }
    await hosts.close();
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.error, undefined, `the child did not exit within 10 s (something still holds its event loop): ${r.error?.message}`);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'woke 1\nwoke 1\nwoke 1\n', 'each wait lasted until its timer fired');
  assert.equal(r.status, 0);
});
