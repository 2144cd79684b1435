import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseMtcpConfig } from '../config/mtcp-config.js';
import { CoreContext, MemorySwitchRegistry, tcpConfigFor } from './context.js';

const CONF = 'io = memory\nnum_cores = 1\nmax_concurrency = 500\nmax_num_buffers = 300\nrcvbuf = 4096\ntcp_timeout = 7\n' +
  'tcp_timewait = 2\ncc = reno\ntcp_rto_min = 150\ntcp_delayed_ack = 20\ntcp_keepalive_time = 60\nport = c0\nc0.ip = 10.1.0.1/24\nc0.mtu = 1400\n';

test('tcpConfigFor maps mtcp.conf (seconds) and mtcp_setconf overrides (ms) onto the engine', () => {
  const config = parseMtcpConfig(CONF, 'core.conf');
  const t = tcpConfigFor(config);
  assert.deepEqual([t.mss, t.rcvbuf, t.sndbuf, t.maxConcurrency, t.maxBuffers, t.timeWaitMs, t.idleTimeoutMs, t.cc,
    t.rtoMinMs, t.delayedAckMs, t.keepaliveIdleMs], [1360, 4096, 4096, 500, 300, 2000, 7000, 'reno', 150, 20, 60000]);
  const o = tcpConfigFor(config, { maxConcurrency: 9, rcvbuf: 1000, timeWaitMs: 5, idleTimeoutMs: 0 });
  assert.deepEqual([o.maxConcurrency, o.rcvbuf, o.sndbuf, o.timeWaitMs, o.idleTimeoutMs], [9, 1000, 4096, 5, 7000]);
  const off = tcpConfigFor(parseMtcpConfig(CONF.replace('tcp_timeout = 7', 'tcp_timeout = -1'), 'core.conf'));
  assert.equal(off.idleTimeoutMs, 0);
});

test('memory switch registry: one switch per name; a port needing bigger frames than the switch is an error', () => {
  const r = new MemorySwitchRegistry();
  assert.equal(r.get('a', 1514), r.get('a', 1514));
  assert.notEqual(r.get('a', 1514), r.get('b', 1514));
  assert.throws(() => r.get('a', 9014), /carries frames up to 1514 bytes; port needs 9014/);
});

test('an idle context does not spin: a few housekeeping passes per second, none once closed', async () => {
  const ctx = await CoreContext.create({ cpu: 0, config: parseMtcpConfig(CONF, 'core.conf'), memorySwitches: new MemorySwitchRegistry(), stats: false });
  const before = ctx.passes;
  await new Promise((r) => setTimeout(r, 1000));
  const idle = ctx.passes - before;
  assert.ok(idle >= 2 && idle <= 8, `passes in 1 s idle: ${idle}`);
  ctx.close();
  const closed = ctx.passes;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ctx.passes, closed);
  assert.equal(ctx.isClosed, true);
});

test('a process whose contexts are destroyed exits by itself', () => {
  const script = `
    const api = await import(${JSON.stringify(new URL('../index.js', import.meta.url).href)});
    const { parseMtcpConfig } = await import(${JSON.stringify(new URL('../config/mtcp-config.js', import.meta.url).href)});
    const config = parseMtcpConfig(${JSON.stringify(CONF)}, 'x.conf');
    const ctx = await api.mtcp_create_context(0, { config, stats: false });
    const s = api.mtcp_socket(ctx, api.AF_INET, api.SOCK_STREAM, 0);
    api.mtcp_listen(ctx, s, 10);
    await api.mtcp_destroy_context(ctx);
    console.log('destroyed');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 5000 });
  assert.equal(r.error, undefined);
  assert.equal(r.stdout.trim(), 'destroyed', r.stderr);
  assert.equal(r.status, 0);
});
