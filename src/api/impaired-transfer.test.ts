// Issue 3's end-to-end check through the whole stack: two hosts on the memory link, the client's port impaired
// in both directions (5% loss, 5% reordering, 1% duplication, 0.1% corruption), 64 MiB each way at once,
// byte-exact by SHA-256, with CUBIC and with NewReno, and a clean close on both sides.
//
// The link's round trip is well under a millisecond, so the RTO floor is set to 5 ms (tcp_rto_min, as Linux's
// per-route rto_min): at the default 200 ms every lost retransmission would idle the link for 200 round trips
// and the run would take minutes of wall time without testing anything more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SHUT_WR } from './constants.js';
import { EAGAIN } from './errno.js';
import { mtcp_close, mtcp_shutdown } from './sockets.js';
import { mtcp_read, mtcp_write } from './io.js';
import { mtcp_errno, type MtcpContext } from './context.js';
import { twoHosts, connectedPair, waitFor } from './testing/hosts.js';
import { ImpairedLink } from '../link/impair.js';

const MiB = 1048576;
const BYTES = Number(process.env.IMPAIRED_MIB ?? 64) * MiB;
const CHUNK = 65536;

/** A deterministic byte stream (xorshift32), produced chunk by chunk so 64 MiB is never held at once. */
class Stream {
  private state: number;
  private readonly chunk = new Uint8Array(CHUNK);
  private chunkOffset = CHUNK;
  readonly hash = createHash('sha256');
  produced = 0;
  constructor(seed: number) { this.state = seed | 1; }
  /** Bytes of the stream from the current position (a view into one chunk), without consuming them. */
  peek(): Uint8Array {
    if (this.chunkOffset === CHUNK) {
      let x = this.state;
      for (let i = 0; i < CHUNK; i += 4) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        this.chunk[i] = x; this.chunk[i + 1] = x >>> 8; this.chunk[i + 2] = x >>> 16; this.chunk[i + 3] = x >>> 24;
      }
      this.state = x;
      this.chunkOffset = 0;
    }
    return this.chunk.subarray(this.chunkOffset, Math.min(CHUNK, this.chunkOffset + BYTES - this.produced));
  }
  consume(n: number): void {
    this.hash.update(this.chunk.subarray(this.chunkOffset, this.chunkOffset + n));
    this.chunkOffset += n;
    this.produced += n;
  }
}

/** One endpoint: writes its stream, reads and hashes the other's, half-closes when all is written. */
class Endpoint {
  readonly out: Stream;
  readonly inHash = createHash('sha256');
  received = 0;
  eof = false;
  shutDown = false;
  private readonly buf = new Uint8Array(CHUNK);
  constructor(readonly ctx: MtcpContext, readonly sock: number, seed: number) { this.out = new Stream(seed); }
  step(): void {
    while (this.out.produced < BYTES) {
      const data = this.out.peek();
      const n = mtcp_write(this.ctx, this.sock, data, data.length);
      if (n < 0) {
        assert.equal(mtcp_errno(this.ctx), EAGAIN, 'write');
        break;
      }
      this.out.consume(n);
    }
    if (this.out.produced === BYTES && !this.shutDown) {
      assert.equal(mtcp_shutdown(this.ctx, this.sock, SHUT_WR), 0);
      this.shutDown = true;
    }
    for (;;) {
      const n = mtcp_read(this.ctx, this.sock, this.buf, this.buf.length);
      if (n > 0) {
        this.inHash.update(this.buf.subarray(0, n));
        this.received += n;
        continue;
      }
      if (n === 0) this.eof = true;
      else assert.equal(mtcp_errno(this.ctx), EAGAIN, 'read');
      break;
    }
  }
  get done(): boolean { return this.eof && this.shutDown; }
}

for (const [cc, seed] of [['cubic', 11], ['reno', 12]] as const) {
  test(`${cc}: 64 MiB each way at once over an impaired memory link, byte-exact, clean close (seed ${seed})`,
    { timeout: 300_000 }, async () => {
      const common = `cc = ${cc}\ntcp_rto_min = 5\nrcvbuf = 262144\nsndbuf = 262144\ntcp_timewait = 0`;
      const impaired = `${common}\neth0.impair.loss = 0.05\neth0.impair.reorder = 0.05\neth0.impair.duplicate = 0.01
eth0.impair.corrupt = 0.001\neth0.impair.seed = ${seed}`;
      const hosts = await twoHosts(impaired, common);
      try {
        const { c, a } = await connectedPair(hosts, 5001);
        const client = new Endpoint(hosts.client, c, seed * 2 + 1);
        const server = new Endpoint(hosts.server, a, seed * 2 + 2);
        await waitFor(() => {
          client.step();
          server.step();
          return client.done && server.done;
        }, 240_000, `64 MiB each way (client received ${client.received}, server ${server.received})`);
        assert.equal(server.received, BYTES, `seed ${seed}`);
        assert.equal(client.received, BYTES, `seed ${seed}`);
        assert.equal(server.inHash.digest('hex'), client.out.hash.digest('hex'), `seed ${seed}: client -> server`);
        assert.equal(client.inHash.digest('hex'), server.out.hash.digest('hex'), `seed ${seed}: server -> client`);
        assert.equal(mtcp_close(hosts.client, c), 0);
        assert.equal(mtcp_close(hosts.server, a), 0);
        const ea = hosts.client.core.engine, eb = hosts.server.core.engine;
        await waitFor(() => ea.connectionCount === 0 && eb.connectionCount === 0, 10_000, 'both connections freed');
        assert.equal(ea.counters.resetsOnClose + eb.counters.resetsOnClose, 0, 'a clean close: no RST');
        assert.ok(ea.counters.retransmits > 0 && eb.counters.retransmits > 0, 'the impairment cost retransmissions');
        const link = hosts.client.core.host.links[0];
        assert.ok(link instanceof ImpairedLink, 'the client port is impaired');
        const k = link.impairmentCounters;
        assert.ok(k.dropped > 0 && k.reordered > 0 && k.duplicated > 0 && k.corrupted > 0, JSON.stringify(k));
      } finally {
        await hosts.close();
      }
    });
}
