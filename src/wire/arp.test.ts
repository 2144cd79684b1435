import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArpView, writeArp, writeArpFrom, ARP_LEN, ARP_REQUEST, ARP_REPLY } from './arp.js';
import { ZERO_MAC } from './ethernet.js';
import { formatMac, parseIpv4, parseMac } from './addresses.js';
import { loadFixture, metaNumber, bytesToHex } from './testutil.js';

for (const name of ['arp-request', 'arp-reply']) {
  test(`kernel frame ${name}: ARP fields as tshark decoded them; rebuilds byte-exact; truncations rejected`, () => {
    const fx = loadFixture(name);
    const f = fx.frame;
    assert.equal(metaNumber(fx, 'arp.hw.type'), 1);
    assert.equal(metaNumber(fx, 'arp.proto.type'), 0x0800);
    const v = new ArpView();
    assert.equal(v.wrap(f, 14, f.length - 14), true);
    assert.equal(v.operation, metaNumber(fx, 'arp.opcode'));
    assert.equal(formatMac(f, v.senderMacOffset), fx.meta.get('arp.src.hw_mac'));
    assert.equal(v.senderIp, parseIpv4(fx.meta.get('arp.src.proto_ipv4')!));
    assert.equal(formatMac(f, v.targetMacOffset), fx.meta.get('arp.dst.hw_mac'));
    assert.equal(v.targetIp, parseIpv4(fx.meta.get('arp.dst.proto_ipv4')!));
    const out = new Uint8Array(ARP_LEN);
    assert.equal(writeArp(out, 0, v.operation, parseMac(fx.meta.get('arp.src.hw_mac')!)!, v.senderIp,
      parseMac(fx.meta.get('arp.dst.hw_mac')!)!, v.targetIp), ARP_LEN);
    assert.equal(bytesToHex(out), bytesToHex(f, 14, ARP_LEN));
    for (let len = 0; len < ARP_LEN; len++) assert.equal(new ArpView().wrap(f, 14, len), false, `len ${len}`);
    assert.equal(new ArpView().wrap(f, 15, ARP_LEN), false); // past the end of the buffer
  });
}

test('non-Ethernet/IPv4 ARP and unknown operations are rejected', () => {
  const base = new Uint8Array(ARP_LEN);
  writeArp(base, 0, ARP_REQUEST, Uint8Array.of(2, 0, 0, 0, 0, 1), 0x0a000001, ZERO_MAC, 0x0a000002);
  const v = new ArpView();
  assert.equal(v.wrap(base, 0, ARP_LEN), true);
  const mutations: Array<[number, number, string]> = [
    [1, 6, 'htype 6 (IEEE 802)'], [2, 0x86, 'ptype 0x86dd'], [4, 8, 'hlen 8'], [5, 16, 'plen 16'],
    [7, 3, 'RARP request'], [7, 0, 'operation 0'], [6, 1, 'operation 0x0101'],
  ];
  for (const [at, value, why] of mutations) {
    const b = base.slice();
    b[at] = value;
    assert.equal(v.wrap(b, 0, ARP_LEN), false, why);
  }
  // Padding after the 28 bytes (a 60-byte minimum frame) is fine.
  const padded = new Uint8Array(46);
  padded.set(base);
  assert.equal(v.wrap(padded, 0, 46), true);
  assert.equal(v.operation, ARP_REQUEST);
  assert.throws(() => writeArp(new Uint8Array(27), 0, ARP_REQUEST, ZERO_MAC, 0, ZERO_MAC, 0), RangeError);
});

test('in-place reply turns a received request around (RFC 826 "swap" step)', () => {
  const fx = loadFixture('arp-request');
  const f = fx.frame.slice();
  const v = new ArpView();
  assert.equal(v.wrap(f, 14, f.length - 14), true);
  const ours = parseMac('02:00:0a:4d:09:02')!;
  const requester = v.senderIp, wanted = v.targetIp;
  writeArpFrom(f, 14, ARP_REPLY, ours, 0, wanted, f, v.senderMacOffset, requester);
  const reply = loadFixture('arp-reply').frame;
  // The kernel's own reply has the same ARP body.
  assert.equal(bytesToHex(f, 14, ARP_LEN), bytesToHex(reply, 14, ARP_LEN));
});
