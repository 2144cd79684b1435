import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer, runEchoClient } from './echo.js';
import { twoHosts } from '../testing/hosts.js';
import { ImpairedLink } from '../../link/impair.js';
import { PcapLink, readPcapFile } from '../../link/pcap.js';

test('echo pair over a lossy, reordering, duplicating, corrupting link built from NAME.impair.* and NAME.pcap', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-echo-impair-'));
  const pcap = join(dir, 'client.pcap');
  const hosts = await twoHosts(
    `eth0.impair.loss = 0.03\neth0.impair.reorder = 0.03\neth0.impair.duplicate = 0.01\neth0.impair.corrupt = 0.002\neth0.impair.seed = 11\neth0.pcap = ${pcap}`,
    '');
  try {
    // The config decorated the client's port: pcap outside, impairment inside.
    const link = hosts.client.core.links[0];
    assert.ok(link instanceof PcapLink);
    const server = startEchoServer(hosts.server, 7);
    const stats = await runEchoClient(hosts.client, '10.0.0.2', 7, { connections: 100, concurrency: 20, bytesPerConnection: 20000, timeoutMs: 100000 });
    assert.deepEqual(stats.errors, []);
    assert.equal(stats.completed, 100);
    assert.equal(stats.bytes, 2_000_000);
    server.stop();
    assert.equal((await server.done).bytes, 2_000_000);
    const inner = (link as unknown as { inner: unknown }).inner;
    assert.ok(inner instanceof ImpairedLink);
    const k = inner.impairmentCounters;
    assert.ok(k.dropped > 0 && k.reordered > 0 && k.duplicated > 0, JSON.stringify(k));
  } finally {
    await hosts.close();
  }
  assert.ok(existsSync(pcap) && statSync(pcap).size > 24);
  const capture = readPcapFile(pcap);
  assert.ok(capture.records.length > 1000, `${capture.records.length} frames captured`);
});
