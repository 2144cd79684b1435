// The whole host path (mtcp_write -> TCP -> IP -> memory link -> IP -> TCP -> mtcp_read) with each host's frames and
// buffers in its slab: after warm-up a bulk transfer must allocate nothing per segment. The loop steps both hosts
// by hand on a manual clock. The hosts draw random keys, so ISNs and timestamp offsets fall anywhere in 2^32; the
// engine keeps them in int32 form, which V8 never boxes (tcp/alloc.test.ts covers each range). Measured per run of
// 64 MiB: the first run after the warm-up sometimes 1 minor GC, later runs 0. With uint32 sequence numbers (before
// the int32 form) most runs had 1, the best of five 0 or 1; with a subarray put back in copyBytes, 5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fewestMinorGcs } from '../wire/testutil.js';
import { AF_INET, SOCK_STREAM, SOCKADDR_IN_SIZE } from './constants.js';
import { htons, inet_addr } from './byte-order.js';
import { SockaddrIn } from './sockaddr.js';
import { mtcp_socket, mtcp_bind, mtcp_listen, mtcp_accept, mtcp_connect } from './sockets.js';
import { mtcp_read, mtcp_write } from './io.js';
import { mtcp_create_context, mtcp_destroy_context } from './lifecycle.js';
import { MemorySwitchRegistry } from '../core/context.js';
import { hostConfig } from './testing/hosts.js';

const CHUNK = 65536;
const BUFFERS = 'rcvbuf = 262144\nsndbuf = 262144\nmax_num_buffers = 16\nmax_concurrency = 16';

test('mtcp_write/mtcp_read bulk over the memory link: payload copies allocate nothing per segment', async () => {
  let now = 1;
  const clock = (): number => now;
  const switches = new MemorySwitchRegistry();
  const server = await mtcp_create_context(0, { config: hostConfig('10.0.0.2', '02:00:00:00:00:02', BUFFERS), memorySwitches: switches, stats: false, clock });
  const client = await mtcp_create_context(0, { config: hostConfig('10.0.0.1', '02:00:00:00:00:01', BUFFERS), memorySwitches: switches, stats: false, clock });
  assert.ok(server !== null && client !== null);
  const listener = mtcp_socket(server, AF_INET, SOCK_STREAM, 0);
  assert.equal(mtcp_bind(server, listener, new SockaddrIn(AF_INET, htons(7000), inet_addr('10.0.0.2')), SOCKADDR_IN_SIZE), 0);
  assert.equal(mtcp_listen(server, listener, 4), 0);
  const cs = mtcp_socket(client, AF_INET, SOCK_STREAM, 0);
  mtcp_connect(client, cs, new SockaddrIn(AF_INET, htons(7000), inet_addr('10.0.0.2')), SOCKADDR_IN_SIZE);
  let ss = -1;
  for (let i = 0; i < 20 && ss < 0; i++) {
    now++;
    client.core.runPass();
    server.core.runPass();
    ss = mtcp_accept(server, listener, null, null);
  }
  assert.ok(ss >= 0, 'accepted');

  const chunk = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 7 + 3) & 0xff;
  const rx = new Uint8Array(100_000);
  let sent = 0;
  let received = 0;
  let sentSum = 0;
  let receivedSum = 0;
  /** Writes `bytes` more and runs both hosts until all of them are read. */
  const pump = (bytes: number): void => {
    const target = sent + bytes;
    for (let pass = 0; received < target; pass++) {
      if (pass > bytes) throw new Error('stalled');
      now++;
      while (sent < target) {
        const r = mtcp_write(client, cs, chunk, target - sent < CHUNK ? target - sent : CHUNK);
        if (r <= 0) break;
        sent += r;
        for (let i = 0; i < r; i++) sentSum = (sentSum + chunk[i]) | 0;
      }
      client.core.runPass();
      server.core.runPass();
      for (;;) {
        const r = mtcp_read(server, ss, rx, rx.length);
        if (r <= 0) break;
        received += r;
        for (let i = 0; i < r; i++) receivedSum = (receivedSum + rx[i]) | 0;
      }
      server.core.runPass();
      client.core.runPass();
    }
  };
  pump(32 << 20); // warm-up
  const segmentsBefore = client.core.engine.counters.segmentsOut + server.core.engine.counters.segmentsOut;
  const gcs = await fewestMinorGcs(() => pump(64 << 20));
  const segments = client.core.engine.counters.segmentsOut + server.core.engine.counters.segmentsOut - segmentsBefore;
  assert.equal(received, sent);
  assert.equal(receivedSum, sentSum);
  assert.ok(segments > 40_000, `${segments} segments`);
  assert.equal(gcs, 0, `${gcs} minor GCs in the best of up to 5 runs of 64 MiB (${segments} segments in all)`);
  await Promise.all([mtcp_destroy_context(client), mtcp_destroy_context(server)]);
});
