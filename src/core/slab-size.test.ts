import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMtcpConfig } from '../config/mtcp-config.js';
import { SLAB_MAX_BYTES } from '../link/slab.js';
import { CoreContext, MemorySwitchRegistry, tcpConfigFor } from './context.js';
import { hostSlabBytes } from './slab-size.js';

const CONF = 'io = memory\nnum_cores = 1\nmax_concurrency = 500\nmax_num_buffers = 300\nrcvbuf = 4096\nsndbuf = 2000\n' +
  'port = c0\nc0.ip = 10.1.0.1/24\nc0.mtu = 1500\n';

test('slab size: the links bursts and ring, then per core the transmit scratch and max_num_buffers blocks', () => {
  const config = parseMtcpConfig(CONF, 'slab.conf');
  const tcp = tcpConfigFor(config);
  // Memory port: (2 x 64 burst slots + 1024 ring slots) x 1536; per core 65600 + 300 x (4096 + 2048 aligned).
  const link = (2 * 64 + 1024) * 1536;
  assert.equal(hostSlabBytes(config, tcp, 1), link + 65600 + 300 * (4096 + 2048));
  assert.equal(hostSlabBytes(config, tcp, 3), link + 3 * (65600 + 300 * (4096 + 2048)));
  const impaired = parseMtcpConfig(CONF + 'c0.impair.loss = 0.1\n', 'slab.conf');
  assert.equal(hostSlabBytes(impaired, tcp, 1), link + (2 * 64 + 2 * 1024) * 1536 + 65600 + 300 * (4096 + 2048));
  const huge = tcpConfigFor(config, { maxNumBuffers: 100000, rcvbuf: 1 << 20, sndbuf: 1 << 20 });
  assert.equal(hostSlabBytes(config, huge, 1), SLAB_MAX_BYTES);
});

test('a host carves its link bursts and its engine transmit scratch and buffers from its slab', async () => {
  const ctx = await CoreContext.create({ cpu: 0, config: parseMtcpConfig(CONF, 'slab.conf'), memorySwitches: new MemorySwitchRegistry(), stats: false });
  const slab = ctx.host.slab;
  const link = ctx.links[0];
  assert.ok(slab.holds(link.rx.data) && slab.holds(link.tx.data));
  assert.ok(slab.holds(ctx.engine.txBuf));
  assert.equal(slab.used, 2 * 64 * 1536 + 1024 * 1536 + 65600);
  const c = ctx.engine.newConnection(0x0a010001, 5000, 0x0a010002, 80, 4096, 2000, ctx.now());
  assert.ok(c.receiveBuffer.ensureStorage());
  assert.equal(slab.used, 2 * 64 * 1536 + 1024 * 1536 + 65600 + 4096);
  ctx.close();
});
