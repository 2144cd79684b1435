import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4, formatIpv4, parseMac, formatMac, prefixMask } from './addresses.js';

test('parseIpv4 reads dotted quads as unsigned numbers', () => {
  assert.equal(parseIpv4('10.77.9.1'), 0x0a4d0901);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('192.168.0.199'), 0xc0a800c7);
});

test('parseIpv4 rejects anything that is not a plain dotted quad', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '.1.2.3', 'a.b.c.d',
    '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-4', '1.2.3.4/24', '1000.1.1.1']) {
    assert.equal(parseIpv4(bad), -1, bad);
  }
});

test('formatIpv4 inverts parseIpv4', () => {
  assert.equal(formatIpv4(0x0a4d0902), '10.77.9.2');
  assert.equal(formatIpv4(0xffffffff), '255.255.255.255');
  assert.equal(formatIpv4(0), '0.0.0.0');
  assert.equal(parseIpv4(formatIpv4(0xc0a80a01)), 0xc0a80a01);
});

test('parseMac / formatMac', () => {
  assert.deepEqual(parseMac('aa:bb:cc:dd:ee:ff'), Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff));
  assert.deepEqual(parseMac('02-00-0A-4d-09-01'), Uint8Array.of(2, 0, 10, 0x4d, 9, 1));
  for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:fg', 'aa:bb-cc:dd:ee:ff', 'aabb:cc:dd:ee:ff:', 'a:bb:cc:dd:ee:ff0']) {
    assert.equal(parseMac(bad), null, bad);
  }
  const frame = Uint8Array.of(0, 0, 0x02, 0x42, 0xac, 0x11, 0x00, 0x03, 9);
  assert.equal(formatMac(frame, 2), '02:42:ac:11:00:03');
  assert.equal(formatMac(Uint8Array.of(1, 2, 3, 4, 5, 6)), '01:02:03:04:05:06');
  assert.throws(() => formatMac(frame, 4), RangeError);
});

test('prefixMask', () => {
  assert.equal(prefixMask(24), 0xffffff00);
  assert.equal(prefixMask(0), 0);
  assert.equal(prefixMask(32), 0xffffffff);
  assert.equal(prefixMask(1), 0x80000000);
  assert.equal(prefixMask(31), 0xfffffffe);
  assert.throws(() => prefixMask(33), RangeError);
  assert.throws(() => prefixMask(-1), RangeError);
});
