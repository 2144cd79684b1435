import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TcpView, TcpOptions, writeTcpHeader, tcpOptionsLength, setTcpChecksum, TCP_SYN, TCP_ACK, TCP_FIN, TCP_PSH,
  TCP_RST, TCP_URG, TCP_ECE, TCP_CWR, TCP_HEADER_MIN, MAX_SACK_BLOCKS,
} from './tcp.js';
import { tcpChecksum, verifyTcpChecksum } from './checksum.js';
import { parseIpv4 } from './addresses.js';
import { loadFixture, metaNumber, makeRng, hexToBytes, bytesToHex } from './testutil.js';

test('flag constants have the RFC 9293 §3.1 / RFC 3168 bit positions', () => {
  assert.deepEqual([TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR],
    [1, 2, 4, 8, 16, 32, 64, 128]);
});

for (const name of ['tcp-syn', 'tcp-syn-ack', 'tcp-data', 'tcp-fin']) {
  test(`kernel frame ${name}: fields as tshark decoded them, checksum verifies and recomputes, header rebuilds byte-exact`, () => {
    const fx = loadFixture(name);
    const frame = fx.frame;
    const ipOff = 14;
    const ihl = (frame[ipOff] & 0x0f) * 4;
    const ipLen = (frame[ipOff + 2] << 8) | frame[ipOff + 3];
    assert.equal(ipLen, metaNumber(fx, 'ip.len'));
    const tcpOff = ipOff + ihl;
    const tcpLen = ipLen - ihl;
    const src = parseIpv4(fx.meta.get('ip.src')!);
    const dst = parseIpv4(fx.meta.get('ip.dst')!);

    const v = new TcpView();
    assert.equal(v.wrap(frame, tcpOff, tcpLen), true);
    assert.equal(v.srcPort, metaNumber(fx, 'tcp.srcport'));
    assert.equal(v.dstPort, metaNumber(fx, 'tcp.dstport'));
    // 32-bit wrap-around fields read in int32 form (docs/wire.md).
    assert.equal(v.seq, metaNumber(fx, 'tcp.seq_raw') | 0);
    assert.equal(v.ack, metaNumber(fx, 'tcp.ack_raw') | 0);
    assert.equal(v.headerLength, metaNumber(fx, 'tcp.hdr_len'));
    assert.equal(v.flags, metaNumber(fx, 'tcp.flags'));
    assert.equal(v.window, metaNumber(fx, 'tcp.window_size_value'));
    assert.equal(v.checksum, metaNumber(fx, 'tcp.checksum'));
    assert.equal(v.urgentPointer, metaNumber(fx, 'tcp.urgent_pointer'));
    assert.equal(v.payloadLength, metaNumber(fx, 'tcp.len'));
    assert.equal(v.payloadOffset, tcpOff + v.headerLength);

    const o = new TcpOptions();
    assert.equal(v.parseOptions(o), true);
    const mss = fx.meta.get('tcp.options.mss_val')!;
    assert.equal(o.mss, mss === '' ? -1 : Number(mss));
    const ws = fx.meta.get('tcp.options.wscale.shift')!;
    assert.equal(o.windowScale, ws === '' ? -1 : Number(ws));
    const kinds = fx.meta.get('tcp.option_kind@all')!.split(',').map(Number);
    assert.equal(o.sackPermitted, kinds.includes(4));
    assert.equal(o.hasTimestamp, true);
    assert.equal(o.tsVal, metaNumber(fx, 'tcp.options.timestamp.tsval') | 0);
    assert.equal(o.tsEcr, metaNumber(fx, 'tcp.options.timestamp.tsecr') | 0);
    assert.equal(o.sackCount, 0);

    assert.equal(verifyTcpChecksum(frame, tcpOff, tcpLen, src, dst), true);
    assert.equal(tcpChecksum(frame, tcpOff, tcpLen, src, dst), v.checksum);

    // Our builder lays the options out exactly as Linux did.
    const out = new Uint8Array(tcpLen);
    const hl = writeTcpHeader(out, 0, v.srcPort, v.dstPort, v.seq, v.ack, v.flags, v.window, v.urgentPointer, o);
    assert.equal(hl, v.headerLength);
    assert.equal(tcpOptionsLength(o), v.headerLength - 20);
    out.set(frame.subarray(v.payloadOffset, v.payloadOffset + v.payloadLength), hl);
    setTcpChecksum(out, 0, tcpChecksum(out, 0, tcpLen, src, dst));
    assert.equal(bytesToHex(out), bytesToHex(frame, tcpOff, tcpLen));
  });
}

test('the data fixture carries the expected payload', () => {
  const fx = loadFixture('tcp-data');
  const v = new TcpView();
  assert.equal(v.wrap(fx.frame, 34, metaNumber(fx, 'ip.len') - 20), true);
  const text = new TextDecoder().decode(fx.frame.subarray(v.payloadOffset, v.payloadOffset + v.payloadLength));
  assert.equal(text, 'hello mtcp-ts\n');
  assert.equal(v.flags, TCP_PSH | TCP_ACK);
});

test('wrap rejects every truncation of a 40-byte header, and inconsistent offsets, without throwing', () => {
  const fx = loadFixture('tcp-syn');
  const seg = fx.frame.slice(34);
  assert.equal(seg.length, 40);
  const v = new TcpView();
  for (let len = 0; len < 40; len++) assert.equal(v.wrap(seg, 0, len), false, `len ${len}`);
  assert.equal(v.wrap(seg, 0, 40), true);
  assert.equal(v.wrap(seg, 1, 40), false); // past the end of buf
  assert.equal(v.wrap(seg, -1, 20), false);
  for (let len = 0; len < 40; len++) assert.equal(v.wrap(seg.slice(0, len), 0, len), false, `buf ${len}`);
  const bad = seg.slice();
  for (const doff of [0, 1, 4]) {
    bad[12] = doff << 4;
    assert.equal(v.wrap(bad, 0, 40), false, `data offset ${doff}`);
  }
  bad[12] = 15 << 4; // 60 > 40
  assert.equal(v.wrap(bad, 0, 40), false);
  bad[12] = 5 << 4;
  assert.equal(v.wrap(bad, 0, 40), true);
  assert.equal(v.payloadLength, 20);
});

/** A 20-byte header followed by `opts` (hex, padded with EOL to a multiple of 4), wrapped in a view. */
function viewWithOptions(optsHex: string): TcpView {
  const opts = hexToBytes(optsHex);
  const optLen = (opts.length + 3) & ~3;
  const seg = new Uint8Array(20 + optLen + 5);
  writeTcpHeader(seg, 0, 1, 2, 3, 4, TCP_ACK, 5, 0, null);
  seg[12] = ((20 + optLen) >> 2) << 4;
  seg.set(opts, 20);
  const v = new TcpView();
  assert.equal(v.wrap(seg, 0, seg.length), true);
  return v;
}

test('malformed option lists reject the segment', () => {
  const o = new TcpOptions();
  const cases: Array<[string, string]> = [
    ['0200', 'length 0'],
    ['0201', 'length 1'],
    ['01010105', 'SACK kind in the last byte, no room for its length'],
    ['01010204', 'MSS whose value is cut off by the header end'],
    ['020305b4', 'MSS length 3'],
    ['020505b40000', 'MSS length 5'],
    ['0304070000', 'window scale length 4'],
    ['030207', 'window scale length 2'],
    ['04030000', 'SACK-permitted length 3'],
    ['080800000001000000020000', 'timestamps length 8'],
    ['0802', 'timestamps length 2'],
    ['0502', 'SACK with no blocks'],
    ['050900000001000000020000', 'SACK length 9'],
    ['fe2a' + '00'.repeat(38), 'unknown option running 2 bytes past the 40-byte header'],
    ['01010101010101010101010101010101010101010101010101010101010101010101010101010102', 'kind with no length at the end'],
  ];
  for (const [hex, why] of cases) {
    const v = viewWithOptions(hex);
    assert.equal(v.parseOptions(o), false, why);
  }
});

test('unknown options are skipped by length; EOL ends the list; NOPs are skipped', () => {
  const o = new TcpOptions();
  // MPTCP-like kind 30 length 4, then MSS 1460, kind 254 length 6 (experimental), then NOP WS 7.
  let v = viewWithOptions('1e040000' + '020405b4' + 'fe06aabbccdd' + '010303' + '07');
  assert.equal(v.parseOptions(o), true);
  assert.equal(o.mss, 1460);
  assert.equal(o.windowScale, 7);
  assert.equal(o.hasTimestamp, false);
  // Everything after EOL is ignored, even bytes that would be malformed.
  v = viewWithOptions('020405b4' + '00' + '0200ff');
  assert.equal(v.parseOptions(o), true);
  assert.equal(o.mss, 1460);
  // parseOptions resets the output first.
  v = viewWithOptions('01010101');
  o.mss = 99; o.sackCount = 3; o.hasTimestamp = true;
  assert.equal(v.parseOptions(o), true);
  assert.equal(o.mss, -1);
  assert.equal(o.sackCount, 0);
  assert.equal(o.hasTimestamp, false);
  // An unknown option that fills the 40 option bytes exactly is fine.
  v = viewWithOptions('fe28' + '00'.repeat(38));
  assert.equal(v.parseOptions(o), true);
  // A header with no options at all.
  v = viewWithOptions('');
  assert.equal(v.parseOptions(o), true);
  assert.equal(o.windowScale, -1);
});

test('SACK blocks parse, up to four (RFC 2018 §3)', () => {
  const o = new TcpOptions();
  const blocks = ['00000010', '00000020', 'fffffff0', '00000008', '80000000', '80000100', '7fffffff', '80000001'];
  const v = viewWithOptions('0101' + '05' + (2 + 32).toString(16) + blocks.join(''));
  assert.equal(v.parseOptions(o), true);
  assert.equal(o.sackCount, 4);
  assert.deepEqual(Array.from(o.sackBlocks), [0x10, 0x20, 0xfffffff0, 8, 0x80000000, 0x80000100, 0x7fffffff, 0x80000001]
    .map((x) => x | 0));
});

test('option lengths of the Linux layout', () => {
  const o = new TcpOptions();
  assert.equal(tcpOptionsLength(o), 0);
  o.mss = 1460; o.sackPermitted = true; o.setTimestamp(1, 0); o.windowScale = 7;
  assert.equal(tcpOptionsLength(o), 20);
  o.reset(); o.sackPermitted = true;
  assert.equal(tcpOptionsLength(o), 4);
  o.reset(); o.setTimestamp(5, 6);
  assert.equal(tcpOptionsLength(o), 12);
  for (let k = 0; k < 4; k++) assert.equal(o.addSackBlock(k * 100, k * 100 + 50), true);
  assert.equal(o.addSackBlock(1, 2), false);
  assert.equal(tcpOptionsLength(o), 12 + 4 + 3 * 8); // only 3 blocks fit beside timestamps
  o.hasTimestamp = false;
  assert.equal(tcpOptionsLength(o), 4 + 4 * 8);
  const seg = new Uint8Array(60);
  o.setTimestamp(0x01020304, 0xa0b0c0d0);
  assert.equal(writeTcpHeader(seg, 0, 80, 1234, 1, 2, TCP_ACK, 100, 0, o), 60);
  assert.equal(bytesToHex(seg, 20, 40),
    '0101080a01020304a0b0c0d0' + '0101051a' + '0000000000000032' + '0000006400000096' + '000000c8000000fa');
});

test('build -> parse round trip with random options (seed 9293)', () => {
  const rng = makeRng(9293);
  const out = new TcpOptions();
  const v = new TcpView();
  const buf = new Uint8Array(200);
  const u32 = () => Math.floor(rng() * 2 ** 32) >>> 0;
  for (let trial = 0; trial < 2000; trial++) {
    const o = new TcpOptions();
    if (rng() < 0.5) o.mss = Math.floor(rng() * 65536);
    if (rng() < 0.5) o.windowScale = Math.floor(rng() * 15);
    o.sackPermitted = rng() < 0.5;
    if (rng() < 0.5) o.setTimestamp(u32(), u32());
    const nSack = Math.floor(rng() * (MAX_SACK_BLOCKS + 1));
    for (let k = 0; k < nSack; k++) o.addSackBlock(u32(), u32());
    const off = Math.floor(rng() * 10);
    const payload = Math.floor(rng() * 50);
    const srcPort = Math.floor(rng() * 65536), dstPort = Math.floor(rng() * 65536);
    const seq = u32(), ack = u32(), flags = Math.floor(rng() * 256), win = Math.floor(rng() * 65536), urg = Math.floor(rng() * 65536);
    buf.fill(0xee);
    const useOptions = rng() < 0.9;
    const hl = writeTcpHeader(buf, off, srcPort, dstPort, seq, ack, flags, win, urg, useOptions ? o : null);
    assert.equal(hl, TCP_HEADER_MIN + (useOptions ? tcpOptionsLength(o) : 0));
    assert.equal(hl % 4, 0);
    assert.ok(hl <= 60);
    assert.equal(v.wrap(buf, off, hl + payload), true);
    assert.equal(v.srcPort, srcPort); assert.equal(v.dstPort, dstPort);
    assert.equal(v.seq, seq | 0); assert.equal(v.ack, ack | 0);
    assert.equal(v.flags, flags); assert.equal(v.window, win); assert.equal(v.urgentPointer, urg);
    assert.equal(v.checksum, 0);
    assert.equal(v.headerLength, hl); assert.equal(v.payloadLength, payload); assert.equal(v.payloadOffset, off + hl);
    assert.equal(v.parseOptions(out), true);
    if (!useOptions) { assert.equal(out.mss, -1); assert.equal(out.sackCount, 0); continue; }
    assert.equal(out.mss, o.mss);
    assert.equal(out.windowScale, o.windowScale);
    assert.equal(out.sackPermitted, o.sackPermitted);
    assert.equal(out.hasTimestamp, o.hasTimestamp);
    assert.equal(out.tsVal, o.hasTimestamp ? o.tsVal : 0);
    assert.equal(out.tsEcr, o.hasTimestamp ? o.tsEcr : 0);
    if (o.hasTimestamp) assert.ok(out.tsVal >= -(2 ** 31) && out.tsVal < 2 ** 31);
    const used = (o.mss >= 0 ? 4 : 0) + (o.hasTimestamp ? 12 : o.sackPermitted ? 4 : 0) + (o.windowScale >= 0 ? 4 : 0);
    const fit = Math.min(nSack, Math.max(0, Math.floor((40 - used - 4) / 8)));
    assert.equal(out.sackCount, fit, `trial ${trial}`);
    for (let k = 0; k < 2 * fit; k++) assert.equal(out.sackBlocks[k], o.sackBlocks[k]);
  }
});

test('writeTcpHeader refuses a buffer that is too small', () => {
  const o = new TcpOptions();
  o.mss = 1460;
  assert.throws(() => writeTcpHeader(new Uint8Array(23), 0, 1, 2, 3, 4, TCP_SYN, 5, 0, o), RangeError);
  assert.throws(() => writeTcpHeader(new Uint8Array(24), 1, 1, 2, 3, 4, TCP_SYN, 5, 0, o), RangeError);
  assert.equal(writeTcpHeader(new Uint8Array(24), 0, 1, 2, 3, 4, TCP_SYN, 5, 0, o), 24);
  assert.equal(TCP_FIN | TCP_RST | TCP_URG | TCP_ECE | TCP_CWR, 0xe5);
});

test('int32 forms of 32-bit values (x | 0) write the same bytes as the unsigned forms, and read back as int32', () => {
  const a = new Uint8Array(40), b = new Uint8Array(40);
  const o = new TcpOptions();
  o.setTimestamp(0xfffffffe, 0x80000000);
  writeTcpHeader(a, 0, 80, 443, 0xf0000001, 0x80000000, TCP_ACK, 1000, 0, o);
  writeTcpHeader(b, 0, 80, 443, 0xf0000001 | 0, 0x80000000 | 0, TCP_ACK, 1000, 0, o);
  assert.equal(bytesToHex(a), bytesToHex(b));
  const v = new TcpView();
  assert.equal(v.wrap(b, 0, 32), true);
  assert.equal(v.seq, 0xf0000001 | 0);
  assert.equal(v.seq >>> 0, 0xf0000001);
  assert.equal(v.ack, -(2 ** 31));
  const p = new TcpOptions();
  assert.equal(v.parseOptions(p), true);
  assert.equal(p.tsVal, -2);
  assert.equal(p.tsEcr >>> 0, 0x80000000);
  assert.equal(o.tsVal, -2); // setTimestamp stores the int32 form too
});
