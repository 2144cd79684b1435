import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGetRequest, formatIpv4, parseIpv4, parseTargetUrl } from './url.js';

test('parses mTCP-style and http:// URLs', () => {
  assert.deepEqual(parseTargetUrl('10.0.0.1/file.html'), { ip: 0x0a000001, host: '10.0.0.1', port: 80, path: '/file.html' });
  assert.deepEqual(parseTargetUrl('http://10.0.0.2:8080/a/b?c'), { ip: 0x0a000002, host: '10.0.0.2', port: 8080, path: '/a/b?c' });
  assert.deepEqual(parseTargetUrl('HTTP://192.168.1.255'), { ip: 0xc0a801ff, host: '192.168.1.255', port: 80, path: '/' });
});

test('rejects what epwget cannot fetch', () => {
  assert.throws(() => parseTargetUrl('https://10.0.0.1/'), /unsupported URL scheme "https"/);
  assert.throws(() => parseTargetUrl('example.com/x'), /not a dotted IPv4 address/);
  assert.throws(() => parseTargetUrl('10.0.0.256/x'), /not a dotted IPv4 address/);
  assert.throws(() => parseTargetUrl('10.0.0.1:0/x'), /invalid port "0"/);
  assert.throws(() => parseTargetUrl('10.0.0.1:70000/x'), /invalid port/);
  assert.throws(() => parseTargetUrl('10.0.0.1/a b'), /whitespace/);
});

test('IPv4 helpers', () => {
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('1.2.3'), -1);
  assert.equal(formatIpv4(0x0a000001), '10.0.0.1');
});

test('request is HTTP/1.0 with Connection: Close', () => {
  const text = new TextDecoder().decode(buildGetRequest(parseTargetUrl('10.0.0.1:8080/f')));
  assert.equal(text, 'GET /f HTTP/1.0\r\nUser-Agent: mtcp-ts epwget\r\nAccept: */*\r\nHost: 10.0.0.1:8080\r\nConnection: Close\r\n\r\n');
});
