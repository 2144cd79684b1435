// The per-segment decode path must not allocate (docs/wire.md; engineering notes). A minor GC during a long
// synchronous loop means something was allocated per iteration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EthernetView } from './ethernet.js';
import { Ipv4View, IPV4_OK } from './ipv4.js';
import { TcpView, TcpOptions, writeTcpHeader, setTcpChecksum } from './tcp.js';
import { verifyTcpChecksum, tcpChecksum } from './checksum.js';
import { fewestMinorGcs, loadFixture } from './testutil.js';

test('decoding Ethernet/IPv4/TCP with options and verifying the checksum allocates nothing', async () => {
  const frame = loadFixture('tcp-data').frame.slice();
  const ip = new Ipv4View();
  assert.equal(ip.wrap(frame, 14, frame.length - 14), IPV4_OK);
  // A timestamp above 2^31: the kind of value V8 would box in a HeapNumber if a field were not numeric.
  const tsAt = ip.payloadOffset + 24; // after NOP, NOP, kind 8, length 10
  assert.equal(frame[tsAt - 2], 8);
  frame[tsAt] = 0xd1; frame[tsAt + 1] = 0xec; frame[tsAt + 2] = 0x9c; frame[tsAt + 3] = 0x42;
  setTcpChecksum(frame, ip.payloadOffset, tcpChecksum(frame, ip.payloadOffset, ip.payloadLength, ip.src, ip.dst));
  const eth = new EthernetView(), tcp = new TcpView(), opts = new TcpOptions();
  let sum = 0;
  const loop = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (!eth.wrap(frame, 0, frame.length)) throw new Error('eth');
      if (ip.wrap(frame, eth.payloadOffset, eth.payloadLength) !== IPV4_OK) throw new Error('ip');
      if (!tcp.wrap(frame, ip.payloadOffset, ip.payloadLength) || !tcp.parseOptions(opts)) throw new Error('tcp');
      if (!verifyTcpChecksum(frame, ip.payloadOffset, ip.payloadLength, ip.src, ip.dst)) throw new Error('csum');
      sum += (opts.tsVal & 1) + (tcp.seq & 1) + tcp.payloadLength;
    }
  };
  loop(200_000); // warm up: let V8 optimise
  const gcs = await fewestMinorGcs(() => loop(2_000_000));
  assert.ok(sum > 0);
  assert.equal(opts.tsVal, 0xd1ec9c42 | 0);
  assert.ok(gcs <= 1, `${gcs} minor GCs during 2M decodes`);
});

test('parsing SACK blocks and writing a header with options allocates nothing', async () => {
  const opts = new TcpOptions();
  opts.setTimestamp(0xd1ec9c42, 0x80000001);
  opts.addSackBlock(0x90000000, 0x90001000);
  opts.addSackBlock(0xa0000000, 0xa0001000);
  const buf = new Uint8Array(60);
  const tcp = new TcpView();
  const parsed = new TcpOptions();
  let sum = 0;
  const loop = (n: number) => {
    for (let k = 0; k < n; k++) {
      opts.tsVal = (0x80000000 + k) | 0;
      // Sequence numbers go in as int32 (x | 0): a uint32 above 2^31 passed to a function V8 does not inline
      // is boxed in a HeapNumber per call (Smis are 32-bit signed). The builder writes the same bytes either way.
      const hl = writeTcpHeader(buf, 0, 80, 40000, (0xf0000000 + k) | 0, 0xe0000000 | 0, 0x10, 65535, 0, opts);
      if (!tcp.wrap(buf, 0, hl) || !tcp.parseOptions(parsed)) throw new Error('tcp');
      sum += parsed.sackCount + (parsed.tsVal & 1) + (parsed.sackBlocks[3] & 1);
    }
  };
  loop(200_000);
  const gcs = await fewestMinorGcs(() => loop(2_000_000));
  assert.ok(sum > 0);
  assert.equal(parsed.tsVal, (0x80000000 + 2_000_000 - 1) | 0);
  assert.ok(gcs <= 1, `${gcs} minor GCs during 2M build+parse`);
});
