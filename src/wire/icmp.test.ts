import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IcmpView, writeIcmpEcho, writeIcmpError, writeIcmpEchoReplyInPlace, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY,
  ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ICMP_UNREACH_PORT, ICMP_UNREACH_PROTOCOL, ICMP_UNREACH_FRAG_NEEDED,
} from './icmp.js';
import { Ipv4View, IPV4_OK, writeIpv4Header, IP_PROTO_TCP, IP_PROTO_UDP } from './ipv4.js';
import { finishChecksum, onesComplementSum } from './checksum.js';
import { loadFixture, metaNumber, bytesToHex, makeRng } from './testutil.js';

/** The ICMP message of a fixture frame, located through its IPv4 header. */
function icmpOf(name: string) {
  const fx = loadFixture(name);
  const ip = new Ipv4View();
  assert.equal(ip.wrap(fx.frame, 14, fx.frame.length - 14), IPV4_OK);
  return { fx, frame: fx.frame, off: ip.payloadOffset, len: ip.payloadLength };
}

for (const name of ['icmp-echo-request', 'icmp-echo-reply', 'ipv4-options-record-route', 'icmp-time-exceeded', 'icmp-port-unreachable']) {
  test(`kernel frame ${name}: ICMP fields as tshark decoded them; checksum verifies and recomputes; truncations rejected`, () => {
    const { fx, frame, off, len } = icmpOf(name);
    const v = new IcmpView();
    assert.equal(v.wrap(frame, off, len), true);
    assert.equal(v.type, metaNumber(fx, 'icmp.type'));
    assert.equal(v.code, metaNumber(fx, 'icmp.code'));
    assert.equal(v.checksum, metaNumber(fx, 'icmp.checksum'));
    if (v.type === ICMP_ECHO_REQUEST || v.type === ICMP_ECHO_REPLY) {
      assert.equal(v.identifier, metaNumber(fx, 'icmp.ident'));
      assert.equal(v.sequence, metaNumber(fx, 'icmp.seq'));
    } else {
      assert.equal(v.restOfHeader, 0);
    }
    assert.equal(v.payloadOffset, off + 8);
    assert.equal(v.payloadLength, len - 8);
    const copy = frame.slice(off, off + len);
    copy[2] = 0; copy[3] = 0;
    assert.equal(finishChecksum(onesComplementSum(copy, 0, len, 0)), v.checksum);
    // ICMP has no length field, so only the checksum catches a truncation. The quoted datagram of the
    // time-exceeded message is an IP header and an echo request, each with its own valid checksum, so each
    // sums to zero: cutting exactly before either leaves a valid checksum (lengths 8 and 28).
    const undetectable = name === 'icmp-time-exceeded' ? [8, 28] : [];
    for (let l = 0; l < len; l++) {
      assert.equal(new IcmpView().wrap(frame, off, l), undetectable.includes(l), `len ${l}`);
    }
    assert.equal(new IcmpView().wrap(frame, off + 1, len), false); // past the end of buf
  });
}

test('echo request rebuilds byte-exact from its fields and payload', () => {
  const { frame, off, len } = icmpOf('icmp-echo-request');
  const v = new IcmpView();
  assert.equal(v.wrap(frame, off, len), true);
  const out = new Uint8Array(len + 3);
  assert.equal(writeIcmpEcho(out, 3, ICMP_ECHO_REQUEST, v.identifier, v.sequence, frame, v.payloadOffset, v.payloadLength), len);
  assert.equal(bytesToHex(out, 3, len), bytesToHex(frame, off, len));
  // Payload already in place (payload === null).
  const inPlace = frame.slice(off, off + len);
  inPlace[0] = 0xee; inPlace[2] = 0x12; inPlace[3] = 0x34; inPlace[5] = 0;
  assert.equal(writeIcmpEcho(inPlace, 0, ICMP_ECHO_REQUEST, v.identifier, v.sequence, null, 0, v.payloadLength), len);
  assert.equal(bytesToHex(inPlace), bytesToHex(frame, off, len));
  assert.throws(() => writeIcmpEcho(new Uint8Array(10), 0, 8, 1, 1, null, 0, 3), RangeError);
  assert.throws(() => writeIcmpEcho(new Uint8Array(20), 0, 8, 1, 1, new Uint8Array(2), 0, 3), RangeError);
});

test('in-place echo reply (RFC 1624 update) equals the reply the kernel sent', () => {
  const req = icmpOf('icmp-echo-request');
  const rep = icmpOf('icmp-echo-reply');
  const buf = req.frame.slice();
  assert.equal(writeIcmpEchoReplyInPlace(buf, req.off), true);
  assert.equal(bytesToHex(buf, req.off, req.len), bytesToHex(rep.frame, rep.off, rep.len));
  assert.equal(new IcmpView().wrap(buf, req.off, req.len), true);
  assert.equal(writeIcmpEchoReplyInPlace(buf, req.off), false); // already a reply
  assert.equal(writeIcmpEchoReplyInPlace(new Uint8Array(7), 0), false);
});

test('echo reply equals a full recomputation for random ids, sequences and payloads (seed 792)', () => {
  const rng = makeRng(792);
  const buf = new Uint8Array(300);
  const payload = new Uint8Array(256);
  for (let trial = 0; trial < 500; trial++) {
    for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rng() * 256);
    const n = Math.floor(rng() * 200), id = Math.floor(rng() * 65536), seq = Math.floor(rng() * 65536);
    const len = writeIcmpEcho(buf, 4, ICMP_ECHO_REQUEST, id, seq, payload, 7, n);
    assert.equal(writeIcmpEchoReplyInPlace(buf, 4), true);
    const reply = buf.slice(4, 4 + len);
    writeIcmpEcho(buf, 4, ICMP_ECHO_REPLY, id, seq, null, 0, n);
    assert.equal(bytesToHex(reply), bytesToHex(buf, 4, len), `trial ${trial}`);
    const v = new IcmpView();
    assert.equal(v.wrap(buf, 4, len), true);
    assert.equal(v.identifier, id); assert.equal(v.sequence, seq); assert.equal(v.payloadLength, n);
  }
});

test('errors quote the IP header and 8 data bytes (RFC 792), as the kernel quoted them', () => {
  for (const [name, type, code] of [['icmp-port-unreachable', ICMP_DEST_UNREACH, ICMP_UNREACH_PORT], ['icmp-time-exceeded', ICMP_TIME_EXCEEDED, 0]] as const) {
    const { frame, off, len } = icmpOf(name);
    const kernel = new IcmpView();
    assert.equal(kernel.wrap(frame, off, len), true);
    const quoted = new Ipv4View();
    assert.equal(quoted.wrap(frame, kernel.payloadOffset, kernel.payloadLength), IPV4_OK);
    const out = new Uint8Array(100);
    const n = writeIcmpError(out, 0, type, code, frame, kernel.payloadOffset, kernel.payloadLength);
    assert.equal(n, 8 + quoted.headerLength + 8);
    const ours = new IcmpView();
    assert.equal(ours.wrap(out, 0, n), true);
    assert.equal(ours.type, type); assert.equal(ours.code, code); assert.equal(ours.restOfHeader, 0);
    assert.equal(bytesToHex(out, 0, 2), bytesToHex(frame, off, 2));
    assert.equal(bytesToHex(out, 4, n - 4), bytesToHex(frame, off + 4, n - 4), name);
  }
});

test('error quoting: short originals, frag-needed MTU, invalid originals', () => {
  const orig = new Uint8Array(60);
  writeIpv4Header(orig, 0, 0x0a000001, 0x0a000002, IP_PROTO_TCP, 40, 64, 1, true);
  for (let i = 20; i < 60; i++) orig[i] = i;
  const out = new Uint8Array(80);
  assert.equal(writeIcmpError(out, 0, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, orig, 0, 24), 8 + 24);
  assert.equal(bytesToHex(out, 8, 24), bytesToHex(orig, 0, 24));
  const n = writeIcmpError(out, 0, ICMP_DEST_UNREACH, ICMP_UNREACH_FRAG_NEEDED, orig, 0, 60, 1400);
  assert.equal(n, 36);
  const v = new IcmpView();
  assert.equal(v.wrap(out, 0, n), true);
  assert.equal(v.nextHopMtu, 1400);
  assert.equal(v.restOfHeader, 1400);
  assert.throws(() => writeIcmpError(out, 0, 3, 3, orig, 0, 19), RangeError);
  const v6 = orig.slice(); v6[0] = 0x60;
  assert.throws(() => writeIcmpError(out, 0, 3, 3, v6, 0, 60), RangeError);
  const longIhl = orig.slice(); longIhl[0] = 0x4f; // 60-byte header in a 40-byte datagram
  assert.throws(() => writeIcmpError(out, 0, 3, 3, longIhl, 0, 40), RangeError);
  assert.throws(() => writeIcmpError(new Uint8Array(30), 0, 3, 3, orig, 0, 60), RangeError);
  // Quoting from the same buffer (the error written in front of the datagram it quotes).
  const same = new Uint8Array(100);
  writeIpv4Header(same, 40, 1, 2, IP_PROTO_UDP, 20, 64, 9, false);
  const expected = bytesToHex(same, 40, 28);
  assert.equal(writeIcmpError(same, 20, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, same, 40, 40), 36);
  assert.equal(bytesToHex(same, 28, 28), expected);
});

test('a corrupted checksum is rejected unless verification is off', () => {
  const { frame, off, len } = icmpOf('icmp-echo-request');
  const bad = frame.slice();
  bad[off + 10] ^= 1;
  assert.equal(new IcmpView().wrap(bad, off, len), false);
  assert.equal(new IcmpView().wrap(bad, off, len, false), true);
});
