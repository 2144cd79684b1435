import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mtcp_init, mtcp_destroy, mtcp_getconf, mtcp_setconf, mtcp_core_affinitize, mtcp_create_context,
  mtcp_destroy_context, mtcp_register_signal, mtcp_init_rss, MtcpConf, SIG_ERR,
} from './lifecycle.js';
import { mtcp_errno } from './context.js';
import { mtcp_socket } from './sockets.js';
import { mtcp_epoll_create, mtcp_epoll_wait } from './epoll-calls.js';
import { mtcp_epoll_events } from './epoll.js';
import { AF_INET, SOCK_STREAM, SIGINT, SIGUSR1, INADDR_ANY } from './constants.js';
import { EINVAL, EBUSY, EEXIST, EACCES, ENFILE, EINTR } from './errno.js';
import { htonl, htons, inet_addr } from './byte-order.js';
import { formatStatLine, cpuLabel, StatsPrinter } from '../core/stats.js';
import { newLinkCounters } from '../link/link.js';
import { twoHosts, listenOn, startConnect, waitFor, hostConfig } from './testing/hosts.js';
import { TcpState } from '../tcp/connection.js';
import { MemorySwitchRegistry } from '../core/context.js';

function writeConf(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-api-'));
  const path = join(dir, 'mtcp.conf');
  writeFileSync(path, text);
  return path;
}

test('mtcp_init / getconf / setconf / create_context / destroy: errors and values', async () => {
  assert.equal(mtcp_init('/nonexistent/mtcp.conf'), -1);
  assert.equal(mtcp_errno(), EINVAL);
  assert.equal(await mtcp_create_context(0), null); // no configuration yet
  assert.equal(mtcp_errno(), EINVAL);
  const before = new MtcpConf();
  assert.equal(mtcp_getconf(before), 0);
  assert.equal(before.max_concurrency, 10000);
  assert.equal(before.tcp_timeout, 30000);
  assert.equal(mtcp_getconf(null), -1);
  assert.equal(mtcp_errno(), EINVAL);
  assert.equal(mtcp_setconf(null), -1);
  // Before mtcp_init only num_cores survives (as the apps' -N); the file's values replace the rest.
  before.num_cores = 1;
  before.rcvbuf_size = 1234;
  assert.equal(mtcp_setconf(before), 0);
  const path = writeConf('io = memory\nnum_cores = 1\nmax_concurrency = 100\ntcp_timeout = 5\ntcp_timewait = 1\nport = lc0\nlc0.ip = 10.9.0.1/24\n');
  assert.equal(mtcp_init(path), 0);
  try {
    assert.equal(mtcp_init(path), -1);
    assert.equal(mtcp_errno(), EBUSY);
    const conf = new MtcpConf();
    assert.equal(mtcp_getconf(conf), 0);
    assert.deepEqual([conf.num_cores, conf.max_concurrency, conf.rcvbuf_size, conf.sndbuf_size, conf.tcp_timeout, conf.tcp_timewait],
      [1, 100, 8192, 8192, 5000, 1000]);
    conf.max_concurrency = 2;
    conf.tcp_timeout = 0; // <= 0 keeps the current value, as mTCP
    assert.equal(mtcp_setconf(conf), 0);
    assert.equal(mtcp_getconf(conf), 0);
    assert.deepEqual([conf.max_concurrency, conf.tcp_timeout], [2, 5000]);
    assert.equal(await mtcp_create_context(1), null); // num_cores = 1
    assert.equal(mtcp_errno(), EINVAL);
    assert.equal(await mtcp_create_context(-1), null);
    const ctx = await mtcp_create_context(0, { stats: false });
    assert.ok(ctx !== null);
    assert.equal(ctx.cpu, 0);
    assert.equal(await mtcp_create_context(0), null);
    assert.equal(mtcp_errno(), EEXIST);
    // setconf's max_concurrency sized the socket table.
    assert.equal(mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0), 0);
    assert.equal(mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0), 1);
    assert.equal(mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0), -1);
    assert.equal(mtcp_errno(ctx), ENFILE);
    await mtcp_destroy_context(ctx);
    const again = await mtcp_create_context(0, { stats: false });
    assert.ok(again !== null);
  } finally {
    await mtcp_destroy();
  }
  assert.equal(mtcp_init(path), 0);
  await mtcp_destroy();
});

test('mtcp_core_affinitize validates the cpu (EINVAL, positive); mtcp_register_signal returns the previous handler', () => {
  assert.equal(mtcp_core_affinitize(0), 0);
  assert.equal(mtcp_core_affinitize(-1), -1);
  assert.equal(mtcp_errno(), EINVAL);
  assert.equal(mtcp_core_affinitize(100000), -1);
  const h1 = (): void => {};
  const h2 = (): void => {};
  assert.equal(mtcp_register_signal(SIGINT, h1), null);
  assert.equal(mtcp_register_signal(SIGINT, h2), h1);
  assert.equal(mtcp_register_signal(SIGINT, null), h2);
  assert.equal(mtcp_register_signal(SIGUSR1, h1), null);
  assert.equal(mtcp_register_signal(SIGUSR1, null), h1);
  assert.equal(mtcp_register_signal(9, h1), SIG_ERR);
  assert.equal(mtcp_errno(), EINVAL);
});

test('mtcp_init_rss: EACCES for a bad context, EINVAL for num_addr < 1 or no route; connects use the pool', async () => {
  const hosts = await twoHosts();
  try {
    const c = hosts.client;
    assert.equal(mtcp_init_rss(null as never, INADDR_ANY, 1, inet_addr('10.0.0.2'), htons(80)), -1);
    assert.equal(mtcp_errno(), EACCES);
    assert.equal(mtcp_init_rss(c, INADDR_ANY, 0, inet_addr('10.0.0.2'), htons(80)), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_init_rss(c, INADDR_ANY, 1, inet_addr('172.16.0.1'), htons(80)), -1);
    assert.equal(mtcp_errno(c), EINVAL);
    assert.equal(mtcp_init_rss(c, htonl(0x0a000001), 1, inet_addr('10.0.0.2'), htons(80)), 0);
    listenOn(hosts.server, 80);
    const s = startConnect(c, 80);
    await waitFor(() => c.sockets.get(s)!.conn!.state === TcpState.ESTABLISHED, 3000, 'established');
    assert.equal(c.sockets.get(s)!.conn!.localIp, 0x0a000001);
  } finally {
    await hosts.close();
  }
});

test('per-second statistics lines have mTCP\'s format', () => {
  assert.equal(formatStatLine(cpuLabel(0), 'eth0', 12, 3456, 0, 1.5, 78, 0.25),
    '[CPU 0] eth0 flows:     12, RX:    3456(pps) (err:     0),  1.50(Gbps), TX:      78(pps),  0.25(Gbps)');
  assert.equal(formatStatLine(' ALL ', 'eth0', 1, 2, 3, 4, 5, 6),
    '[ ALL ] eth0 flows:      1, RX:       2(pps) (err:     3),  4.00(Gbps), TX:       5(pps),  6.00(Gbps)');
  const printer = new StatsPrinter();
  let t = 0;
  printer.clock = () => t;
  const lines: string[] = [];
  printer.write = (l) => lines.push(l);
  const counters = newLinkCounters();
  const source = { cpu: 3, portName: 'p0', counters, flows: () => 7 };
  printer.register(source);
  counters.rxFrames = 1000; counters.rxBytes = 1000 * 1476; counters.txFrames = 500; counters.txBytes = 500 * 40;
  counters.rxDropped = 2;
  t = 1000;
  const out = printer.tick();
  printer.unregister(source);
  assert.deepEqual(out, [
    '[CPU 3] p0 flows:      7, RX:    1000(pps) (err:     2),  0.01(Gbps), TX:     500(pps),  0.00(Gbps)',
    '[ ALL ] p0 flows:      7, RX:    1000(pps) (err:     2),  0.01(Gbps), TX:     500(pps),  0.00(Gbps)',
  ]);
  assert.deepEqual(lines, out);
});

test('two hosts with their own configs share a named memory switch registry; different registries are isolated', async () => {
  const a = new MemorySwitchRegistry();
  const b = new MemorySwitchRegistry();
  const server = await mtcp_create_context(0, { config: hostConfig('10.0.0.2', '02:00:00:00:00:02'), memorySwitches: a, stats: false });
  const client = await mtcp_create_context(0, { config: hostConfig('10.0.0.1', '02:00:00:00:00:01'), memorySwitches: b, stats: false });
  assert.ok(server !== null && client !== null);
  try {
    listenOn(server, 80);
    const s = startConnect(client, 80);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.sockets.get(s)!.conn!.state, TcpState.SYN_SENT); // nobody on its switch answers
  } finally {
    await mtcp_destroy_context(client);
    await mtcp_destroy_context(server);
  }
});

test('SIGINT (as mtcp_init installs it): pending waits end with EINTR and the registered handler runs', async () => {
  const path = writeConf('io = memory\nnum_cores = 1\nport = sg0\nsg0.ip = 10.9.1.1/24\n');
  assert.equal(mtcp_init(path), 0);
  try {
    const ctx = await mtcp_create_context(0, { stats: false });
    assert.ok(ctx !== null);
    const ep = mtcp_epoll_create(ctx, 4);
    let called = -1;
    mtcp_register_signal(SIGINT, (signum) => { called = signum; });
    const wait = mtcp_epoll_wait(ctx, ep, mtcp_epoll_events(4), 4, -1);
    await new Promise((r) => setImmediate(r));
    process.emit('SIGINT');
    assert.equal(await wait, -1);
    assert.equal(mtcp_errno(ctx), EINTR);
    assert.equal(called, SIGINT);
    // With a handler registered the context keeps working.
    assert.equal(mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0) >= 0, true);
  } finally {
    await mtcp_destroy();
  }
});

test('a context runs in a worker_thread too (echo pair inside the worker)', async () => {
  const { Worker } = await import('node:worker_threads');
  const here = new URL('.', import.meta.url).href;
  const code = `
    import { parentPort } from 'node:worker_threads';
    const { twoHosts } = await import(${JSON.stringify(here + 'testing/hosts.js')});
    const { startEchoServer, runEchoClient } = await import(${JSON.stringify(here + 'examples/echo.js')});
    const hosts = await twoHosts();
    const server = startEchoServer(hosts.server, 7);
    const stats = await runEchoClient(hosts.client, '10.0.0.2', 7, { connections: 50, concurrency: 10, bytesPerConnection: 1000 });
    server.stop();
    await server.done;
    await hosts.close();
    parentPort.postMessage(stats);
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  const result = await new Promise<{ completed: number; failed: number; bytes: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual([result.completed, result.failed, result.bytes], [50, 0, 50000]);
});
