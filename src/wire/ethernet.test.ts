import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EthernetView, writeEthernetHeader, writeEthernetHeaderFrom, macEquals, copyMac, BROADCAST_MAC, ETH_HEADER_LEN,
  ETHERTYPE_IPV4, ETHERTYPE_ARP,
} from './ethernet.js';
import { formatMac, parseMac } from './addresses.js';
import { loadFixture, metaNumber, bytesToHex } from './testutil.js';

const ALL_FIXTURES = ['arp-request', 'arp-reply', 'icmp-echo-request', 'icmp-echo-reply', 'ipv4-options-record-route',
  'icmp-time-exceeded', 'icmp-port-unreachable', 'tcp-syn', 'tcp-syn-ack', 'tcp-data', 'tcp-fin'];

for (const name of ALL_FIXTURES) {
  test(`kernel frame ${name}: Ethernet fields as tshark decoded them; header rebuilds byte-exact`, () => {
    const fx = loadFixture(name);
    const f = fx.frame;
    const v = new EthernetView();
    assert.equal(v.wrap(f, 0, f.length), true);
    assert.equal(formatMac(f, v.dstOffset), fx.meta.get('eth.dst'));
    assert.equal(formatMac(f, v.srcOffset), fx.meta.get('eth.src'));
    assert.equal(v.ethertype, metaNumber(fx, 'eth.type'));
    assert.equal(v.payloadOffset, 14);
    assert.equal(v.payloadLength, f.length - 14);
    assert.equal(v.isBroadcast, fx.meta.get('eth.dst') === 'ff:ff:ff:ff:ff:ff');
    assert.equal(v.isMulticast, v.isBroadcast);
    const out = new Uint8Array(14);
    assert.equal(writeEthernetHeader(out, 0, parseMac(fx.meta.get('eth.dst')!)!, parseMac(fx.meta.get('eth.src')!)!, v.ethertype), 14);
    assert.equal(bytesToHex(out), bytesToHex(f, 0, 14));
    for (let len = 0; len < ETH_HEADER_LEN; len++) assert.equal(new EthernetView().wrap(f, 0, len), false, `len ${len}`);
  });
}

test('wrap rejects ranges past the buffer and 802.3 length fields', () => {
  const f = new Uint8Array(20);
  writeEthernetHeader(f, 0, BROADCAST_MAC, Uint8Array.of(2, 0, 0, 0, 0, 1), ETHERTYPE_ARP);
  const v = new EthernetView();
  assert.equal(v.wrap(f, 0, 20), true);
  assert.equal(v.wrap(f, 1, 20), false);
  assert.equal(v.wrap(f, -1, 14), false);
  f[12] = 0x05; f[13] = 0xff; // 1535: a length
  assert.equal(v.wrap(f, 0, 20), false);
  f[12] = 0x06; f[13] = 0x00;
  assert.equal(v.wrap(f, 0, 20), true);
});

test('multicast and broadcast destinations', () => {
  const f = new Uint8Array(14);
  const v = new EthernetView();
  writeEthernetHeader(f, 0, Uint8Array.of(0x01, 0x00, 0x5e, 0, 0, 1), Uint8Array.of(2, 0, 0, 0, 0, 1), ETHERTYPE_IPV4);
  assert.equal(v.wrap(f, 0, 14), true);
  assert.equal(v.isMulticast, true);
  assert.equal(v.isBroadcast, false);
  writeEthernetHeader(f, 0, Uint8Array.of(0x02, 0, 0, 0, 0, 2), Uint8Array.of(2, 0, 0, 0, 0, 1), ETHERTYPE_IPV4);
  assert.equal(v.isMulticast, false);
  assert.equal(v.payloadLength, 0);
});

test('in-place reply: the received source becomes the destination', () => {
  const ours = Uint8Array.of(2, 0, 0, 0, 0, 0xaa);
  const f = new Uint8Array(16);
  writeEthernetHeader(f, 2, ours, Uint8Array.of(2, 0, 0, 0, 0, 0xbb), ETHERTYPE_IPV4);
  writeEthernetHeaderFrom(f, 2, f, 8, ours, 0, ETHERTYPE_IPV4);
  assert.equal(formatMac(f, 2), '02:00:00:00:00:bb');
  assert.equal(formatMac(f, 8), '02:00:00:00:00:aa');
  assert.throws(() => writeEthernetHeader(new Uint8Array(13), 0, ours, ours, 0x0800), RangeError);
  assert.throws(() => writeEthernetHeaderFrom(f, 0, ours, 1, ours, 0, 0x0800), RangeError);
});

test('macEquals and copyMac', () => {
  const a = Uint8Array.of(9, 1, 2, 3, 4, 5, 6);
  const b = Uint8Array.of(1, 2, 3, 4, 5, 6);
  assert.equal(macEquals(a, 1, b, 0), true);
  for (let i = 0; i < 6; i++) {
    const c = b.slice();
    c[i] ^= 0x80;
    assert.equal(macEquals(a, 1, c, 0), false, `byte ${i}`);
  }
  const d = new Uint8Array(8);
  copyMac(d, 2, a, 1);
  assert.deepEqual(Array.from(d), [0, 0, 1, 2, 3, 4, 5, 6]);
  assert.equal(macEquals(BROADCAST_MAC, 0, Uint8Array.of(255, 255, 255, 255, 255, 255), 0), true);
});
