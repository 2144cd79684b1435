import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from './index.js';
import { SeededRandom } from '../link/random.js';
import { twoHosts, connectedPair, listenOn } from './testing/hosts.js';

// Every call, thrown random and malformed arguments, must answer -1 (or a count) and never throw: C would return an
// error or crash, a JavaScript program must get an error number.
const CALLS: Array<[string, number]> = [
  ['mtcp_socket', 3], ['mtcp_bind', 3], ['mtcp_listen', 2], ['mtcp_accept', 3], ['mtcp_connect', 3], ['mtcp_close', 1],
  ['mtcp_abort', 1], ['mtcp_shutdown', 2], ['mtcp_getsockname', 3], ['mtcp_getpeername', 3], ['mtcp_read', 3],
  ['mtcp_recv', 4], ['mtcp_readv', 3], ['mtcp_write', 3], ['mtcp_writev', 3], ['mtcp_getsockopt', 5],
  ['mtcp_setsockopt', 5], ['mtcp_setsock_nonblock', 1], ['mtcp_socket_ioctl', 3], ['mtcp_epoll_create', 1],
  ['mtcp_epoll_create1', 1], ['mtcp_epoll_ctl', 4], ['mtcp_init_rss', 4], ['mtcp_pipe', 1],
];

test('random and malformed arguments never throw; every result is a number', async () => {
  const hosts = await twoHosts();
  try {
    const c = hosts.client;
    const { c: conn } = await connectedPair(hosts, 900);
    listenOn(c, 901);
    const ep = api.mtcp_epoll_create(c, 8);
    const pool: unknown[] = [
      undefined, null, 0, 1, 2, 3, -1, conn, ep, 1.5, NaN, Infinity, 2 ** 31, 'text', {}, [], [new Uint8Array(2)],
      new Uint8Array(8), { value: 4 }, { value: -3 }, new api.SockaddrIn(), new api.SockaddrIn(api.AF_INET, api.htons(900), api.inet_addr('10.0.0.2')),
      { sin_family: api.AF_INET }, new api.MtcpEpollEvent(api.MTCP_EPOLLIN, 1), { events: 1 }, new api.Linger(1, 0), api.SOL_SOCKET,
      api.IPPROTO_TCP, api.SO_ERROR, api.TCP_NODELAY, api.FIONREAD, api.MSG_PEEK, api.MTCP_EPOLL_CTL_ADD, Object.freeze([0, 0]),
    ];
    const rng = new SeededRandom(7);
    const pick = (): unknown => pool[Math.floor(rng.next() * pool.length)];
    for (let i = 0; i < 20000; i++) {
      const [name, arity] = CALLS[Math.floor(rng.next() * CALLS.length)];
      const args: unknown[] = [c];
      for (let k = 0; k < arity; k++) args.push(pick());
      const fn = (api as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      let r: unknown;
      assert.doesNotThrow(() => { r = fn(...args); }, `${name}(${args.slice(1).map(String).join(', ')})`);
      assert.equal(typeof r, 'number', name);
    }
    for (let i = 0; i < 200; i++) {
      const events = pick();
      const r = await api.mtcp_epoll_wait(c, ep, events as never, pick() as number, 0);
      assert.equal(typeof r, 'number');
    }
    assert.equal(api.mtcp_getconf(5 as never), -1);
    assert.equal(api.mtcp_errno(), api.EINVAL);
  } finally {
    await hosts.close();
  }
});
