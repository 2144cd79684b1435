// Whole-frame decoding through every layer, as net/ will do it: Ethernet -> ARP | IPv4 -> TCP | ICMP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EthernetView, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from './ethernet.js';
import { ArpView } from './arp.js';
import { Ipv4View, IPV4_OK, IP_PROTO_TCP, IP_PROTO_ICMP } from './ipv4.js';
import { TcpView, TcpOptions } from './tcp.js';
import { IcmpView } from './icmp.js';
import { verifyTcpChecksum } from './checksum.js';
import { loadFixture } from './testutil.js';

const eth = new EthernetView(), arp = new ArpView(), ip = new Ipv4View(), tcp = new TcpView(), icmp = new IcmpView();
const opts = new TcpOptions();

/** The name of the layer that accepted the frame in full, or 'rejected'. Never throws on bad input. */
function decode(buf: Uint8Array, off: number, len: number): string {
  if (!eth.wrap(buf, off, len)) return 'rejected';
  if (eth.ethertype === ETHERTYPE_ARP) return arp.wrap(buf, eth.payloadOffset, eth.payloadLength) ? 'arp' : 'rejected';
  if (eth.ethertype !== ETHERTYPE_IPV4) return 'rejected';
  if (ip.wrap(buf, eth.payloadOffset, eth.payloadLength) !== IPV4_OK) return 'rejected';
  if (ip.protocol === IP_PROTO_TCP) {
    if (!tcp.wrap(buf, ip.payloadOffset, ip.payloadLength) || !tcp.parseOptions(opts)) return 'rejected';
    return verifyTcpChecksum(buf, ip.payloadOffset, ip.payloadLength, ip.src, ip.dst) ? 'tcp' : 'rejected';
  }
  if (ip.protocol === IP_PROTO_ICMP) return icmp.wrap(buf, ip.payloadOffset, ip.payloadLength) ? 'icmp' : 'rejected';
  return 'rejected';
}

const EXPECTED: Record<string, string> = {
  'arp-request': 'arp', 'arp-reply': 'arp', 'icmp-echo-request': 'icmp', 'icmp-echo-reply': 'icmp',
  'ipv4-options-record-route': 'icmp', 'icmp-time-exceeded': 'icmp', 'icmp-port-unreachable': 'icmp',
  'tcp-syn': 'tcp', 'tcp-syn-ack': 'tcp', 'tcp-data': 'tcp', 'tcp-fin': 'tcp',
};

for (const [name, layer] of Object.entries(EXPECTED)) {
  test(`kernel frame ${name} decodes through every layer; every truncation (0..full-1) is rejected`, () => {
    const f = loadFixture(name).frame;
    assert.equal(decode(f, 0, f.length), layer);
    for (let len = 0; len < f.length; len++) {
      assert.equal(decode(f, 0, len), 'rejected', `len ${len}`);
      // Also as a fresh buffer that really ends there (no bytes beyond to read by mistake).
      assert.equal(decode(f.slice(0, len), 0, len), 'rejected', `slice ${len}`);
    }
  });
}

test('every single-bit flip in a TCP or ICMP frame outside the Ethernet header is rejected (checksums)', () => {
  for (const name of ['tcp-syn', 'tcp-data', 'icmp-echo-request', 'icmp-port-unreachable']) {
    const f = loadFixture(name).frame;
    for (let i = 14; i < f.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const g = f.slice();
        g[i] ^= 1 << bit;
        assert.equal(decode(g, 0, g.length), 'rejected', `${name} byte ${i} bit ${bit}`);
      }
    }
  }
});
