import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoServer, runEchoClient } from './echo.js';
import { twoHosts } from '../testing/hosts.js';

test('echo pair: 1,000 connections byte-exact over the memory link, two hosts in one process', async () => {
  const hosts = await twoHosts();
  try {
    const server = startEchoServer(hosts.server, 7);
    const stats = await runEchoClient(hosts.client, '10.0.0.2', 7, { connections: 1000, concurrency: 100, bytesPerConnection: 3000, timeoutMs: 60000 });
    assert.deepEqual(stats.errors, []);
    assert.equal(stats.completed, 1000);
    assert.equal(stats.failed, 0);
    assert.equal(stats.bytes, 3_000_000);
    server.stop();
    const s = await server.done;
    assert.equal(s.accepted, 1000);
    assert.equal(s.bytes, 3_000_000);
  } finally {
    await hosts.close();
  }
});
