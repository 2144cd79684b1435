import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.js';
import { parseArpConf } from './arp-conf.js';
import { parseRouteConf } from './route-conf.js';

function expectError(run: () => unknown, file: string, line: number, pattern: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.file, file);
    assert.equal(error.line, line);
    assert.match(error.message, pattern);
    return true;
  });
}

test('route.conf in mTCP format: count header, masked destinations, gateway last', () => {
  const text = '# (Destination address)/(Prefix) (Device name)\nROUTES 3\n10.0.0.1/24 dpdk0\n10.0.1.1/24\tdpdk1\n10.0.0.10/0 dpdk0        # gw\n';
  const routes = parseRouteConf(text, 'route.conf', ['dpdk0', 'dpdk1']);
  assert.deepEqual(routes, [
    { destination: 0x0a000000, prefixLength: 24, port: 'dpdk0', gateway: 0, line: 3 },
    { destination: 0x0a000100, prefixLength: 24, port: 'dpdk1', gateway: 0, line: 4 },
    { destination: 0x0a00000a, prefixLength: 0, port: 'dpdk0', gateway: 0x0a00000a, line: 5 },
  ]);
  assert.deepEqual(parseRouteConf('', 'r', ['a']), []);
  assert.deepEqual(parseRouteConf('ROUTES 0\n', 'r', ['a']), []);
});

test('route.conf errors name file and line', () => {
  const ports = ['dpdk0'];
  expectError(() => parseRouteConf('10.0.0.1/24 dpdk0\n', 'r.conf', ports), 'r.conf', 1, /before the "ROUTES N" header/);
  expectError(() => parseRouteConf('ROUTES x\n', 'r.conf', ports), 'r.conf', 1, /ROUTES N/);
  expectError(() => parseRouteConf('ROUTES 65\n', 'r.conf', ports), 'r.conf', 1, /0\.\.64/);
  expectError(() => parseRouteConf('ROUTES 1\n10.0.0.1/24 dpdk0\n10.0.0.2/24 dpdk0\n', 'r.conf', ports), 'r.conf', 3, /more entries/);
  expectError(() => parseRouteConf('ROUTES 2\n10.0.0.1/24 dpdk0\n', 'r.conf', ports), 'r.conf', 1, /announces 2 entries but the file has 1/);
  expectError(() => parseRouteConf('ROUTES 2\n10.0.0.9/0 dpdk0\n10.0.0.1/24 dpdk0\n', 'r.conf', ports), 'r.conf', 3, /must be the last/);
  expectError(() => parseRouteConf('ROUTES 1\n10.0.0.1/33 dpdk0\n', 'r.conf', ports), 'r.conf', 2, /PREFIX 0\.\.32/);
  expectError(() => parseRouteConf('ROUTES 1\n10.0.0.1 dpdk0\n', 'r.conf', ports), 'r.conf', 2, /PREFIX/);
  expectError(() => parseRouteConf('ROUTES 1\n10.0.0.1/24 eth7\n', 'r.conf', ports), 'r.conf', 2, /unknown device/);
  expectError(() => parseRouteConf('ROUTES 1\n10.0.0.1/24\n', 'r.conf', ports), 'r.conf', 2, /expected "A\.B\.C\.D\/PREFIX DEVICE"/);
  expectError(() => parseRouteConf('ROUTES 1\nROUTES 1\n', 'r.conf', ports), 'r.conf', 2, /second ROUTES/);
});

test('arp.conf in mTCP format: optional header, prefix required', () => {
  const entries = parseArpConf('# comment\nARP_ENTRY 2\n10.0.0.1/32 00:00:00:00:00:01\n10.0.1.77/24 aa:BB:cc:dd:ee:ff\n', 'arp.conf');
  assert.equal(entries.length, 2);
  assert.equal(entries[0].ip, 0x0a000001);
  assert.equal(entries[0].prefixLength, 32);
  assert.deepEqual([...entries[0].mac], [0, 0, 0, 0, 0, 1]);
  assert.equal(entries[1].ip, 0x0a000100);
  assert.equal(entries[1].prefixLength, 24);
  assert.deepEqual([...entries[1].mac], [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  assert.equal(entries[1].line, 4);
  assert.equal(parseArpConf('10.0.0.1/32 0:0:0:0:0:1\n', 'a').length, 1);
});

test('arp.conf errors name file and line', () => {
  expectError(() => parseArpConf('ARP_ENTRY 1\n10.0.0.1/32 00:00:00:00:00:01\n10.0.0.2/32 00:00:00:00:00:02\n', 'a.conf'), 'a.conf', 3, /more entries than the 1/);
  expectError(() => parseArpConf('ARP_ENTRY 0\n', 'a.conf'), 'a.conf', 1, /1\.\.1024/);
  expectError(() => parseArpConf('10.0.0.1/32 00:00:00:00:00:01\nARP_ENTRY 1\n', 'a.conf'), 'a.conf', 2, /precede/);
  expectError(() => parseArpConf('10.0.0.1 00:00:00:00:00:01\n', 'a.conf'), 'a.conf', 1, /PREFIX/);
  expectError(() => parseArpConf('10.0.0.1/32 00:00:00:00:00\n', 'a.conf'), 'a.conf', 1, /MAC/);
  expectError(() => parseArpConf('10.0.0.1/32 00:00:00:00:00:0g\n', 'a.conf'), 'a.conf', 1, /MAC/);
  expectError(() => parseArpConf('\n\n10.0.0.1/32\n', 'a.conf'), 'a.conf', 3, /expected/);
});
