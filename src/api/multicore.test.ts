import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mtcp_init, mtcp_destroy, mtcp_create_context, mtcp_destroy_context } from './lifecycle.js';
import { mtcp_errno } from './context.js';
import { EEXIST } from './errno.js';
import { parseMtcpConfig } from '../config/mtcp-config.js';
import { startEchoServer, runEchoClient } from './examples/echo.js';
import { HostStack, CoreContext, MemorySwitchRegistry } from '../core/context.js';

const SERVER = 'io = memory\nnum_cores = 2\nmax_concurrency = 4096\nport = mc0\nmc0.ip = 10.0.3.2/24\nmc0.mac = 02:00:00:00:03:02\n';
const CLIENT = 'io = memory\nnum_cores = 1\nmax_concurrency = 4096\nport = mc0\nmc0.ip = 10.0.3.1/24\nmc0.mac = 02:00:00:00:03:01\n';

test('two cores of one host (mtcp_init, num_cores = 2): per-core listeners share the port, RSS spreads the flows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-mc-'));
  const path = join(dir, 'server.conf');
  writeFileSync(path, SERVER);
  assert.equal(mtcp_init(path), 0);
  const client = await mtcp_create_context(0, { config: parseMtcpConfig(CLIENT, 'client.conf'), stats: false });
  assert.ok(client !== null);
  try {
    const core0 = await mtcp_create_context(0, { stats: false });
    const core1 = await mtcp_create_context(1, { stats: false });
    assert.ok(core0 !== null && core1 !== null);
    assert.equal(core0.core.host, core1.core.host);
    assert.equal(await mtcp_create_context(1), null);
    assert.equal(mtcp_errno(), EEXIST);
    // Each core listens on port 7 itself, as every mTCP application thread does.
    const s0 = startEchoServer(core0, 7);
    const s1 = startEchoServer(core1, 7);
    const stats = await runEchoClient(client, '10.0.3.2', 7, { connections: 200, concurrency: 20, bytesPerConnection: 1500 });
    assert.deepEqual(stats.errors, []);
    assert.equal(stats.completed, 200);
    s0.stop();
    s1.stop();
    const [a, b] = await Promise.all([s0.done, s1.done]);
    assert.equal(a.accepted + b.accepted, 200);
    assert.ok(a.accepted > 40 && b.accepted > 40, `core 0 accepted ${a.accepted}, core 1 ${b.accepted}`);
    assert.equal(a.bytes + b.bytes, 300000);
    // Per-core statistics (mTCP counts per NIC queue): each core's share of the port's segments, both ways.
    const k = core0.core.host.coreCounters;
    assert.ok(k[0][0].rxFrames > 0 && k[1][0].rxFrames > 0 && k[0][0].txFrames > 0 && k[1][0].txFrames > 0);
    assert.ok(k[0][0].rxFrames + k[1][0].rxFrames <= core0.core.links[0].counters.rxFrames);
  } finally {
    await mtcp_destroy_context(client);
    await mtcp_destroy();
  }
});

test('a core picks client ports whose flows hash back to it', async () => {
  const host = await HostStack.create({ config: parseMtcpConfig(CLIENT, 'c.conf'), numCores: 2, memorySwitches: new MemorySwitchRegistry(), stats: false });
  const c0 = new CoreContext(host, 0, 0);
  const c1 = new CoreContext(host, 1, 1);
  try {
    for (const core of [c0, c1]) {
      for (let i = 0; i < 20; i++) {
        const port = core.pickLocalPort(0x0a000301, 0x0a000302, 80 + i);
        assert.ok(port >= 1025 && port <= 65535);
        assert.equal(host.coreOf(0x0a000301, port, 0x0a000302, 80 + i), core.index);
        assert.equal(core.ownsFlow(0x0a000301, port, 0x0a000302, 80 + i), true);
      }
    }
  } finally {
    c0.close();
    c1.close();
  }
  assert.equal(host.isClosed, true);
});
