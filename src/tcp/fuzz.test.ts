// Hostile input: random and malformed segments (valid checksums, random flags, sequence numbers, windows,
// option bytes and lengths) into listeners and live connections must never throw, and the engine must keep
// working afterwards. Seeded and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTcpChecksum } from '../wire/tcp.js';
import { tcpChecksum } from '../wire/checksum.js';
import { ScriptHarness, LOCAL_IP, REMOTE_IP } from './testing/script.js';
import { Prng } from './testing/simulator.js';
import { TcpState } from './connection.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>
0     > S. 0:0(0) ack 1 win 8192 <...>
0     < . 1:1(0) ack 1 win 60000 <nop,nop,TS val 2 ecr 0>
0     accept
`;

test('random segments never throw; the connection still works afterwards', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = new Prng(seed);
    const h = new ScriptHarness({});
    h.run(OPEN);
    const c = h.conn!;
    const e = h.engine;
    const buf = new Uint8Array(1600);
    let now = 1;
    for (let i = 0; i < 2000; i++) {
      const optWords = Math.floor(rng.next() * 11);
      const hl = 20 + 4 * optWords;
      const payload = rng.next() < 0.5 ? 0 : Math.floor(rng.next() * 1200);
      const len = hl + payload;
      for (let k = 0; k < len; k++) buf[k] = Math.floor(rng.next() * 256);
      // Mostly aim at the connection's ports and near its sequence space, with random flags.
      const toConn = rng.next() < 0.8;
      const sport = toConn ? c.remotePort : Math.floor(rng.next() * 65536);
      const dport = toConn ? c.localPort : (rng.next() < 0.5 ? 8080 : Math.floor(rng.next() * 65536));
      buf[0] = sport >> 8; buf[1] = sport; buf[2] = dport >> 8; buf[3] = dport;
      if (rng.next() < 0.7) {
        const seq = (c.rcvNxt + Math.floor((rng.next() - 0.5) * 20000)) >>> 0;
        const ack = (c.sndUna + Math.floor((rng.next() - 0.5) * 20000)) >>> 0;
        buf[4] = seq >>> 24; buf[5] = seq >>> 16; buf[6] = seq >>> 8; buf[7] = seq;
        buf[8] = ack >>> 24; buf[9] = ack >>> 16; buf[10] = ack >>> 8; buf[11] = ack;
      }
      buf[12] = rng.next() < 0.9 ? (hl >> 2) << 4 : buf[12];  // sometimes a bogus data offset
      if (rng.next() < 0.5) buf[13] &= 0x17;                  // fewer RSTs/SYNs so the connection lives on
      setTcpChecksum(buf, 0, tcpChecksum(buf, 0, len, REMOTE_IP, LOCAL_IP));
      now += rng.next() * 50;
      e.input(REMOTE_IP, LOCAL_IP, buf, 0, len, now);
      if (i % 7 === 0) e.advance(now);
      e.flush(now);
    }
    assert.ok(e.counters.segmentsIn >= 2000);
    // The engine still accepts and completes a new connection.
    h.emitted.length = 0;
    h.now = now;
    const before = e.counters.connectionsEstablished;
    h.run(`
peerport 50123`.replace('peerport', `${(now / 1000 + 1).toFixed(3)} peerport`) + `
${(now / 1000 + 1).toFixed(3)} < S 0:0(0) win 60000 <mss 1000>
${(now / 1000 + 1).toFixed(3)} > S. 0:0(0) ack 1 win * <...>
${(now / 1000 + 1).toFixed(3)} < . 1:1(0) ack 1 win 60000
`);
    assert.equal(e.counters.connectionsEstablished, before + 1, `seed ${seed}`);
    if (!c.freed && c.state === TcpState.ESTABLISHED) {
      // The original connection, if it survived, still delivers what it is sent in order.
      const n = e.receive(c, new Uint8Array(100000), 0, 100000, false, now);
      assert.ok(n >= -11, `seed ${seed}`);
    }
  }
});
