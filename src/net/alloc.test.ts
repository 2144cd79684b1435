// The per-frame paths of an interface must not allocate (engineering notes: a young-generation allocation
// per packet shows in GC at millions of packets per second). A minor GC during a long synchronous loop means
// something was allocated per iteration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySwitch } from '../link/memory.js';
import { ETHERTYPE_IPV4, writeEthernetHeader } from '../wire/ethernet.js';
import { IP_PROTO_TCP, writeIpv4Header } from '../wire/ipv4.js';
import { fewestMinorGcs } from '../wire/testutil.js';
import { ArpCache } from './arp-cache.js';
import { NetCounters } from './counters.js';
import { NetInterface, type TransportHandler } from './interface.js';
import { RouteTable } from './route-table.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const MAC_A = new Uint8Array([2, 0, 0, 0, 0, 1]);
const MAC_B = new Uint8Array([2, 0, 0, 0, 0, 2]);

/** Counts what it is handed; its fields stay small integers. */
class CountingHandler implements TransportHandler {
  segments = 0;
  bytes = 0;
  lastSrcLow = 0;
  input(src: number, _dst: number, _buf: Uint8Array, _off: number, len: number): void {
    this.segments++;
    this.bytes += len;
    this.lastSrcLow = src & 0xff;
  }
}

/** Two interfaces on one memory switch, each knowing the other's MAC statically (no ARP traffic). */
function pair(ipA: number, ipB: number) {
  const sw = new MemorySwitch({ queueFrames: 4096 });
  const make = (name: string, mac: Uint8Array, address: number, peer: number, peerMac: Uint8Array) => {
    const arp = new ArpCache();
    arp.addStatic(peer, 32, peerMac);
    const link = sw.createPort(name);
    const iface = new NetInterface({ name, link, mac, ip: address, prefixLength: 24, mtu: 1500 }, arp, new RouteTable(), new NetCounters());
    return { link, iface };
  };
  return { sw, a: make('a', MAC_A, ipA, ipB, MAC_B), b: make('b', MAC_B, ipB, ipA, MAC_A) };
}

for (const [label, ipA, ipB] of [['10.0.0.0/24', ip(10, 0, 0, 1), ip(10, 0, 0, 2)], ['192.168.1.0/24 (addresses >= 2^31)', ip(192, 168, 1, 1), ip(192, 168, 1, 2)]] as const) {
  test(`sendIpv4 -> memory switch -> processReceived allocates nothing, ${label}`, async () => {
    const { sw, a, b } = pair(ipA, ipB);
    const handler = new CountingHandler();
    b.iface.setTransportHandler(IP_PROTO_TCP, handler);
    const payload = new Uint8Array(1460);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    let now = 1000;
    const loop = (bursts: number) => {
      for (let k = 0; k < bursts; k++) {
        for (let j = 0; j < 32; j++) {
          const len = j === 0 ? 20 : 1460;
          if (a.iface.sendIpv4(0, ipB, IP_PROTO_TCP, payload, 0, len, now) !== 0) throw new Error('send');
        }
        a.iface.flush();
        b.link.receive();
        b.iface.processReceived(now);
        now++;
      }
    };
    loop(5_000);
    const before = handler.segments;
    const gcs = await fewestMinorGcs(() => loop(20_000));
    assert.equal((handler.segments - before) % (20_000 * 32), 0);
    assert.ok(handler.segments - before >= 20_000 * 32);
    assert.equal(handler.lastSrcLow, ipA & 0xff);
    assert.equal(b.link.counters.rxDropped, 0);
    assert.ok(gcs <= 1, `${gcs} minor GCs during 640k datagrams sent and received`);
    sw.close();
  });
}

test('a burst of received TCP frames for 192.168.x.x is processed without allocating', async () => {
  const { sw, b } = pair(ip(192, 168, 1, 1), ip(192, 168, 1, 2));
  const handler = new CountingHandler();
  b.iface.setTransportHandler(IP_PROTO_TCP, handler);
  const rx = b.link.rx;
  for (let i = 0; i < rx.capacity; i++) {
    const at = rx.offsets[i];
    writeEthernetHeader(rx.data, at, MAC_B, MAC_A, ETHERTYPE_IPV4);
    writeIpv4Header(rx.data, at + 14, ip(192, 168, 1, 1), ip(192, 168, 1, 2), IP_PROTO_TCP, 40, 64, i, true);
    rx.lengths[i] = 14 + 20 + 40;
  }
  rx.count = rx.capacity;
  const loop = (bursts: number) => {
    for (let k = 0; k < bursts; k++) b.iface.processReceived(1000 + k);
  };
  loop(10_000);
  const gcs = await fewestMinorGcs(() => loop(40_000));
  assert.equal(handler.lastSrcLow, 1);
  assert.ok(gcs <= 1, `${gcs} minor GCs during ${40_000 * rx.capacity} frames received`);
  sw.close();
});
