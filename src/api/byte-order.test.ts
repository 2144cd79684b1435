import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htonl, htons, inet_addr, inet_ntoa, inetAtonHost, ntohl, ntohs } from './byte-order.js';
import { INADDR_NONE } from './constants.js';
import { strerror, errnoName } from './errno.js';
import { ECONNRESET, EAGAIN, EINPROGRESS } from './errno.js';

// These expectations are those of a little-endian host (x86-64, where mTCP runs).
test('htons/ntohs/htonl/ntohl swap bytes on a little-endian host', () => {
  assert.equal(htons(80), 0x5000);
  assert.equal(htons(0x1234), 0x3412);
  assert.equal(ntohs(0x5000), 80);
  assert.equal(htons(0x12345), 0x4523); // truncated to uint16_t first
  assert.equal(htonl(0x0a000001), 0x0100000a);
  assert.equal(htonl(0xc0a80102), 0x0201a8c0);
  assert.equal(ntohl(0x0100000a), 0x0a000001);
  assert.equal(htonl(0xffffffff), 0xffffffff);
});

test('inet_addr parses every inet_aton form', () => {
  assert.equal(inet_addr('10.0.0.1'), 0x0100000a);
  assert.equal(inet_addr('127.1'), htonl(0x7f000001));
  assert.equal(inet_addr('10.1.258'), htonl(0x0a010102));
  assert.equal(inet_addr('0x7f.0.0.1'), htonl(0x7f000001));
  assert.equal(inet_addr('010.0.0.1'), htonl(0x08000001)); // octal part
  assert.equal(inet_addr('3232235777'), htonl(0xc0a80101)); // one 32-bit part
  assert.equal(inet_addr('1.2.3.4 trailing'), htonl(0x01020304)); // glibc stops at whitespace
  assert.equal(inet_addr('0.0.0.0'), 0);
});

test('inet_addr returns INADDR_NONE for invalid text, and for 255.255.255.255 as C does', () => {
  assert.equal(inet_addr('255.255.255.255'), INADDR_NONE);
  for (const bad of ['', ' 1.2.3.4', '1.2.3.4.5', '256.1.1.1', '1.2.3.256', '1.', '1..2', 'a.b.c.d', '08.1.1.1',
    '0x', '1.2.3.4x', '4294967296', '1.16777216', '1.2.65536']) {
    assert.equal(inet_addr(bad), INADDR_NONE, bad);
    assert.equal(inetAtonHost(bad), -1, bad);
  }
  assert.equal(inetAtonHost('255.255.255.255'), 0xffffffff);
});

test('inet_ntoa formats network-order addresses', () => {
  assert.equal(inet_ntoa(0x0100000a), '10.0.0.1');
  assert.equal(inet_ntoa({ s_addr: inet_addr('192.168.1.254') }), '192.168.1.254');
  assert.equal(inet_ntoa(0xffffffff), '255.255.255.255');
});

test('strerror gives glibc texts', () => {
  assert.equal(strerror(0), 'Success');
  assert.equal(strerror(ECONNRESET), 'Connection reset by peer');
  assert.equal(strerror(EAGAIN), 'Resource temporarily unavailable');
  assert.equal(strerror(EINPROGRESS), 'Operation now in progress');
  assert.equal(strerror(9999), 'Unknown error 9999');
  assert.equal(errnoName(104), 'ECONNRESET');
});
