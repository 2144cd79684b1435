import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Ipv4View, writeIpv4Header, ipv4HeaderChecksum, ipv4ErrorName, IPV4_OK, IPV4_ERR_TRUNCATED, IPV4_ERR_VERSION,
  IPV4_ERR_HEADER_LENGTH, IPV4_ERR_TOTAL_LENGTH, IPV4_ERR_CHECKSUM, IP_PROTO_TCP, IP_PROTO_ICMP, IP_PROTO_UDP,
} from './ipv4.js';
import { parseIpv4 } from './addresses.js';
import { updateChecksum16 } from './checksum.js';
import { loadFixture, metaNumber, makeRng, bytesToHex } from './testutil.js';

const IP_FIXTURES = ['icmp-echo-request', 'icmp-echo-reply', 'ipv4-options-record-route', 'icmp-time-exceeded',
  'icmp-port-unreachable', 'tcp-syn', 'tcp-syn-ack', 'tcp-data', 'tcp-fin'];

for (const name of IP_FIXTURES) {
  test(`kernel frame ${name}: IPv4 fields as tshark decoded them; checksum verifies and recomputes`, () => {
    const fx = loadFixture(name);
    const f = fx.frame;
    const v = new Ipv4View();
    assert.equal(v.wrap(f, 14, f.length - 14), IPV4_OK);
    assert.equal(v.version, metaNumber(fx, 'ip.version'));
    assert.equal(v.headerLength, metaNumber(fx, 'ip.hdr_len'));
    assert.equal(v.tos, metaNumber(fx, 'ip.dsfield'));
    assert.equal(v.totalLength, metaNumber(fx, 'ip.len'));
    assert.equal(v.identification, metaNumber(fx, 'ip.id'));
    assert.equal(v.dontFragment, metaNumber(fx, 'ip.flags.df') === 1);
    assert.equal(v.moreFragments, metaNumber(fx, 'ip.flags.mf') === 1);
    assert.equal(v.fragmentOffset, metaNumber(fx, 'ip.frag_offset'));
    assert.equal(v.isFragment, false);
    assert.equal(v.ttl, metaNumber(fx, 'ip.ttl'));
    assert.equal(v.protocol, metaNumber(fx, 'ip.proto'));
    assert.equal(v.headerChecksum, metaNumber(fx, 'ip.checksum'));
    assert.equal(v.src, parseIpv4(fx.meta.get('ip.src')!));
    assert.equal(v.dst, parseIpv4(fx.meta.get('ip.dst')!));
    assert.equal(v.payloadOffset, 14 + v.headerLength);
    assert.equal(v.payloadLength, v.totalLength - v.headerLength);
    assert.equal(ipv4HeaderChecksum(f, 14), v.headerChecksum);

    // Every truncation is rejected without throwing.
    for (let len = 0; len < v.totalLength; len++) {
      const code = new Ipv4View().wrap(f, 14, len);
      assert.notEqual(code, IPV4_OK, `len ${len}`);
      assert.equal(code, len < 20 ? IPV4_ERR_TRUNCATED : len < v.headerLength ? IPV4_ERR_HEADER_LENGTH : IPV4_ERR_TOTAL_LENGTH);
    }

    // Plain headers rebuild byte for byte.
    if (v.headerLength === 20 && v.tos === 0) {
      const out = new Uint8Array(20);
      assert.equal(writeIpv4Header(out, 0, v.src, v.dst, v.protocol, v.payloadLength, v.ttl, v.identification, v.dontFragment), 20);
      assert.equal(bytesToHex(out), bytesToHex(f, 14, 20));
    }
  });
}

test('options are skipped: the record-route header is 60 bytes and the ICMP payload follows it', () => {
  const fx = loadFixture('ipv4-options-record-route');
  assert.equal(fx.meta.get('ip.opt.type@all'), '1,7'); // NOP, record route
  const v = new Ipv4View();
  assert.equal(v.wrap(fx.frame, 14, fx.frame.length - 14), IPV4_OK);
  assert.equal(v.headerLength, 60);
  assert.equal(fx.frame[v.payloadOffset], 8); // ICMP echo request type
  assert.equal(v.protocol, IP_PROTO_ICMP);
});

test('Ethernet padding beyond the total length is excluded from the payload', () => {
  const buf = new Uint8Array(60);
  writeIpv4Header(buf, 0, 1, 2, IP_PROTO_TCP, 20, 64, 7, true);
  const v = new Ipv4View();
  assert.equal(v.wrap(buf, 0, 60), IPV4_OK);
  assert.equal(v.payloadLength, 20);
  assert.equal(v.totalLength, 40);
});

test('inconsistent headers are rejected with the right code', () => {
  const fx = loadFixture('tcp-syn');
  const f = fx.frame;
  const v = new Ipv4View();
  const bad = f.slice();
  const len = f.length - 14;
  assert.equal(v.wrap(bad, 14, len), IPV4_OK);
  assert.equal(v.wrap(bad, 14, len + 1), IPV4_ERR_TRUNCATED); // past the end of buf
  assert.equal(v.wrap(bad, -1, 20), IPV4_ERR_TRUNCATED);
  bad[14] = 0x65; assert.equal(v.wrap(bad, 14, len), IPV4_ERR_VERSION);
  bad[14] = 0x44; assert.equal(v.wrap(bad, 14, len), IPV4_ERR_HEADER_LENGTH);
  bad[14] = 0x4f; assert.equal(v.wrap(bad, 14, 40), IPV4_ERR_HEADER_LENGTH); // IHL 60 > 40 bytes available
  bad[14] = 0x45;
  bad[16] = 0; bad[17] = 61; assert.equal(v.wrap(bad, 14, len), IPV4_ERR_TOTAL_LENGTH); // > buffer
  bad[17] = 19; assert.equal(v.wrap(bad, 14, len), IPV4_ERR_TOTAL_LENGTH); // < header
  bad[17] = 60;
  assert.equal(v.wrap(bad, 14, len), IPV4_OK);
  bad[22] ^= 1; // TTL changed, checksum stale
  assert.equal(v.wrap(bad, 14, len), IPV4_ERR_CHECKSUM);
  assert.equal(v.wrap(bad, 14, len, false), IPV4_OK);
  assert.equal(ipv4ErrorName(IPV4_ERR_CHECKSUM), 'bad header checksum');
  assert.equal(ipv4ErrorName(99), 'unknown error 99');
});

test('fragment fields: MF and offset in bytes', () => {
  const buf = new Uint8Array(40);
  writeIpv4Header(buf, 0, 1, 2, IP_PROTO_UDP, 20, 64, 1, false);
  const v = new Ipv4View();
  assert.equal(v.wrap(buf, 0, 40), IPV4_OK);
  assert.equal(v.isFragment, false);
  assert.equal(v.dontFragment, false);
  const oldWord = (buf[6] << 8) | buf[7];
  const newWord = 0x2000 | 185; // MF, offset 185 * 8 = 1480
  buf[6] = newWord >>> 8; buf[7] = newWord & 0xff;
  const c = updateChecksum16((buf[10] << 8) | buf[11], oldWord, newWord);
  buf[10] = c >>> 8; buf[11] = c & 0xff;
  assert.equal(v.wrap(buf, 0, 40), IPV4_OK);
  assert.equal(v.moreFragments, true);
  assert.equal(v.fragmentOffset, 1480);
  assert.equal(v.isFragment, true);
});

test('build -> parse round trip (seed 791)', () => {
  const rng = makeRng(791);
  const buf = new Uint8Array(200);
  const v = new Ipv4View();
  for (let trial = 0; trial < 1000; trial++) {
    const off = Math.floor(rng() * 20);
    const src = Math.floor(rng() * 2 ** 32) >>> 0, dst = Math.floor(rng() * 2 ** 32) >>> 0;
    const proto = Math.floor(rng() * 256), payload = Math.floor(rng() * 150), ttl = Math.floor(rng() * 256);
    const id = Math.floor(rng() * 65536), df = rng() < 0.5;
    assert.equal(writeIpv4Header(buf, off, src, dst, proto, payload, ttl, id, df), 20);
    assert.equal(v.wrap(buf, off, 20 + payload), IPV4_OK);
    assert.equal(v.src, src); assert.equal(v.dst, dst); assert.equal(v.protocol, proto);
    assert.equal(v.payloadLength, payload); assert.equal(v.ttl, ttl); assert.equal(v.identification, id);
    assert.equal(v.dontFragment, df); assert.equal(v.isFragment, false); assert.equal(v.tos, 0);
    assert.equal(v.version, 4); assert.equal(v.headerLength, 20); assert.equal(v.payloadOffset, off + 20);
  }
  assert.throws(() => writeIpv4Header(new Uint8Array(19), 0, 1, 2, 6, 0, 64, 0, true), RangeError);
  assert.throws(() => writeIpv4Header(buf, 0, 1, 2, 6, 65516, 64, 0, true), RangeError);
  assert.equal(writeIpv4Header(buf, 0, 1, 2, 6, 65515, 64, 0, true), 20);
});

test('int32 forms of addresses write the same header', () => {
  const a = new Uint8Array(20), b = new Uint8Array(20);
  writeIpv4Header(a, 0, 0xc0a80001, 0xfffffffe, IP_PROTO_TCP, 10, 64, 0xffff, true);
  writeIpv4Header(b, 0, 0xc0a80001 | 0, 0xfffffffe | 0, IP_PROTO_TCP, 10, 64, 0xffff, true);
  assert.equal(bytesToHex(a), bytesToHex(b));
  const v = new Ipv4View();
  assert.equal(v.wrap(b, 0, 20 + 0, true), IPV4_ERR_TOTAL_LENGTH); // total length 30 > 20 available
  const c = new Uint8Array(30); c.set(b);
  assert.equal(v.wrap(c, 0, 30), IPV4_OK);
  assert.equal(v.src, 0xc0a80001);
  assert.equal(v.dst, 0xfffffffe);
});
