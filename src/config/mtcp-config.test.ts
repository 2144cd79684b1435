import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import { loadMtcpConfig, parseMtcpConfig, tcpSettingsOf } from './mtcp-config.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function expectError(text: string, line: number, key: string, pattern: RegExp, aux = {}) {
  assert.throws(() => parseMtcpConfig(text, 'test.conf', aux), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    assert.equal(error.file, 'test.conf');
    assert.equal(error.line, line);
    assert.equal(error.key, key);
    assert.match(error.message, pattern);
    return true;
  });
}

const minimal = 'port = eth0\neth0.ip = 10.0.0.1/24\n';

test('defaults follow mTCP (buffers 8192, timeout 30 s, timewait 0) plus ours', () => {
  const c = parseMtcpConfig('num_cores = 1\n' + minimal, 'm.conf');
  assert.equal(c.file, 'm.conf');
  assert.equal(c.io, 'memory');
  assert.equal(c.numCores, 1);
  assert.equal(c.maxConcurrency, 10000);
  assert.equal(c.maxNumBuffers, 10000);
  assert.equal(c.rcvbuf, 8192);
  assert.equal(c.sndbuf, 8192);
  assert.equal(c.tcpTimeout, 30);
  assert.equal(c.tcpTimewait, 0);
  assert.equal(c.cc, 'cubic');
  assert.equal(c.tcpRtoMin, 200);
  assert.equal(c.tcpDelayedAck, 40);
  assert.equal(c.synBacklog, 1024);
  assert.equal(c.tcpKeepaliveTime, 7200);
  assert.equal(c.tcpKeepaliveIntvl, 75);
  assert.equal(c.tcpKeepaliveProbes, 9);
  assert.deepEqual(c.statPrint, []);
  assert.deepEqual(c.routes, []);
  assert.deepEqual(c.arp, []);
  assert.equal(c.routeFile, null);
  assert.equal(c.ports.length, 1);
  const p = c.ports[0];
  assert.equal(p.name, 'eth0');
  assert.equal(p.ip, ip(10, 0, 0, 1));
  assert.equal(p.prefixLength, 24);
  assert.equal(p.netmask, 0xffffff00);
  assert.deepEqual([...p.mac], [2, 0, 10, 0, 0, 1]);
  assert.equal(p.gateway, 0);
  assert.equal(p.mtu, 1500);
  assert.equal(p.vnetHdr, false);
  assert.equal(p.local, null);
  assert.equal(p.pcap, null);
  assert.equal(p.impair, null);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.ports) && Object.isFrozen(p));
});

test('rcvbuf/sndbuf: one set gives the other its value (mTCP rule)', () => {
  assert.equal(parseMtcpConfig('rcvbuf 16384\n' + minimal, 'a').sndbuf, 16384);
  assert.equal(parseMtcpConfig('sndbuf=4096\n' + minimal, 'a').rcvbuf, 4096);
  const both = parseMtcpConfig('rcvbuf = 6291456\nsndbuf = 4194304\n' + minimal, 'a');
  assert.equal(both.rcvbuf, 6291456);
  assert.equal(both.sndbuf, 4194304);
});

test('separators are space, tab and =; # comments anywhere', () => {
  const c = parseMtcpConfig('  max_concurrency\t=\t77   # per core\n# whole line\n\ntcp_timeout -1\n' + minimal, 'a');
  assert.equal(c.maxConcurrency, 77);
  assert.equal(c.tcpTimeout, -1);
});

test('udp ports need local and remote; every port key parsed', () => {
  const text = [
    'io = udp', 'port = a b', 'stat_print = b',
    'a.ip = 192.168.1.10/24', 'a.mac = 0a:0B:c:d:e:f', 'a.gateway = 192.168.1.1', 'a.mtu = 9000',
    'a.local = 127.0.0.1:5000', 'a.remote = localhost:5001', 'a.pcap = /tmp/a.pcap',
    'a.impair.loss = 0.05', 'a.impair.rate = 100', 'a.impair.seed = 7', 'a.impair.direction = tx',
    'b.ip = 10.1.0.2/16', 'b.local = [::1]:6000', 'b.remote = 127.0.0.1:6001',
  ].join('\n');
  const c = parseMtcpConfig(text, 'u.conf');
  assert.equal(c.io, 'udp');
  assert.deepEqual(c.statPrint, ['b']);
  const [a, b] = c.ports;
  assert.deepEqual([...a.mac], [0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
  assert.equal(a.gateway, ip(192, 168, 1, 1));
  assert.equal(a.mtu, 9000);
  assert.deepEqual(a.local, { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(a.remote, { host: 'localhost', port: 5001 });
  assert.equal(a.pcap, '/tmp/a.pcap');
  assert.deepEqual(a.impair, { loss: 0.05, duplicate: 0, reorder: 0, corrupt: 0, delayMs: 0, jitterMs: 0, rateMbps: 100, seed: 7, direction: 'tx' });
  assert.equal(b.prefixLength, 16);
  assert.deepEqual(b.local, { host: '::1', port: 6000 });
  expectError('io = udp\nport = a\na.ip = 10.0.0.1/24\na.local = 127.0.0.1:1\n', 2, 'a.remote', /required with io = udp/);
});

test('mTCP-only and unknown values are errors naming file, line and key', () => {
  expectError('io = dpdk\n' + minimal, 1, 'io', /not supported by mtcp-ts/);
  expectError('io = psio\n' + minimal, 1, 'io', /not supported by mtcp-ts/);
  expectError('io = carrier-pigeon\n' + minimal, 1, 'io', /expected memory, udp or tap/);
  expectError(minimal + 'bogus_key = 3\n', 3, 'bogus_key', /unknown option/);
  expectError(minimal + 'onvm_serv = 1\n', 3, 'onvm_serv', /ONVM/);
  expectError(minimal + 'multiprocess = 1\n', 3, 'multiprocess', /not supported/);
  expectError(minimal + 'max_concurrency = 12abc\n', 3, 'max_concurrency', /integer/);
  expectError(minimal + 'rcvbuf = 63\n', 3, 'rcvbuf', /64\.\./);
  expectError(minimal + 'cc = bbr\n', 3, 'cc', /cubic or reno/);
  expectError(minimal + 'tcp_delayed_ack = 501\n', 3, 'tcp_delayed_ack', /0\.\.500/);
  expectError(minimal + 'num_cores = 17\n', 3, 'num_cores', /0\.\.16/);
  expectError(minimal + 'core_mask = xyz\n', 3, 'core_mask', /hexadecimal/);
  expectError(minimal + 'tcp_timeout\n', 3, 'tcp_timeout', /missing value/);
  expectError(minimal + 'sndbuf = 1 2\n', 3, 'sndbuf', /one value/);
  expectError(minimal + 'sndbuf = 100\nsndbuf = 200\n', 4, 'sndbuf', /set twice \(first at line 3\)/);
  expectError('port = all\n', 1, 'port', /"all"/);
  expectError('port = a.b\n', 1, 'port', /bad port name/);
  expectError('rcvbuf = 100\n', 0, 'port', /no port declared/);
  expectError('port = eth0\n', 1, 'eth0.ip', /required/);
  expectError(minimal + 'eth1.ip = 10.0.0.2/24\n', 3, 'eth1.ip', /not a declared port/);
  expectError(minimal + 'eth0.speed = 10\n', 3, 'eth0.speed', /unknown port key/);
  expectError(minimal + 'stat_print = eth9\n', 3, 'stat_print', /not a declared port/);
  expectError('port = eth0\neth0.ip = 10.0.0.1\n', 2, 'eth0.ip', /A\.B\.C\.D\/LEN/);
  expectError('port = eth0\neth0.ip = 010.0.0.1/24\n', 2, 'eth0.ip', /A\.B\.C\.D\/LEN/);
  expectError('port = eth0\neth0.ip = 10.0.0.0/24\n', 2, 'eth0.ip', /not a usable host address/);
  expectError('port = eth0\neth0.ip = 10.0.0.255/24\n', 2, 'eth0.ip', /not a usable host address/);
  expectError('port = eth0\neth0.ip = 224.0.0.5/24\n', 2, 'eth0.ip', /multicast/);
  expectError(minimal + 'eth0.mac = 01:00:5e:00:00:01\n', 3, 'eth0.mac', /multicast/);
  expectError(minimal + 'eth0.mac = 01:00:5e:00:00\n', 3, 'eth0.mac', /six hex bytes/);
  expectError(minimal + 'eth0.gateway = 10.0.1.1\n', 3, 'eth0.gateway', /not inside/);
  expectError(minimal + 'eth0.mtu = 67\n', 3, 'eth0.mtu', /68\.\.9000/);
  expectError(minimal + 'eth0.vnet_hdr = 1\n', 3, 'eth0.vnet_hdr', /io = tap/);
  expectError(minimal + 'eth0.local = 127.0.0.1:9\n', 3, 'eth0.local', /only valid with io = udp/);
  expectError(minimal + 'eth0.impair.loss = 1.5\n', 3, 'eth0.impair.loss', /probability/);
  expectError(minimal + 'eth0.impair.delay = -1\n', 3, 'eth0.impair.delay', /number in 0\.\./);
  expectError(minimal + 'eth0.impair.seed = 1.5\n', 3, 'eth0.impair.seed', /integer/);
  expectError(minimal + 'eth0.impair.direction = up\n', 3, 'eth0.impair.direction', /tx, rx or both/);
  expectError('port = a b\na.ip = 10.0.0.1/24\nb.ip = 10.0.0.1/16\n', 0, 'b.ip', /same address as port a/);
  expectError('x'.repeat(1025) + '\n' + minimal, 1, '', /longer than 1024/);
});

test('io = tap accepts vnet_hdr and keeps the error message of a ConfigError readable', () => {
  const c = parseMtcpConfig('io = tap\n' + minimal + 'eth0.vnet_hdr = 1\n', 't.conf');
  assert.equal(c.ports[0].vnetHdr, true);
  const error = new ConfigError('f.conf', 12, 'rcvbuf', 'bad');
  assert.equal(error.message, 'f.conf:12: rcvbuf: bad');
  assert.equal(error.name, 'ConfigError');
});

test('route.conf and arp.conf content given to parseMtcpConfig', () => {
  const c = parseMtcpConfig(minimal, 'm.conf', {
    routeConf: { text: 'ROUTES 2\n10.0.1.7/24 eth0\n10.0.0.254/0 eth0 # gw\n', fileName: 'r.conf' },
    arpConf: { text: 'ARP_ENTRY 1\n10.0.0.254/32 00:00:00:00:00:fe\n', fileName: 'a.conf' },
  });
  assert.equal(c.routeFile, 'r.conf');
  assert.equal(c.arpFile, 'a.conf');
  assert.deepEqual(c.routes.map((r) => [r.destination, r.prefixLength, r.port, r.gateway, r.line]),
    [[ip(10, 0, 1, 0), 24, 'eth0', 0, 2], [ip(10, 0, 0, 254), 0, 'eth0', ip(10, 0, 0, 254), 3]]);
  assert.equal(c.arp.length, 1);
  assert.deepEqual([...c.arp[0].mac], [0, 0, 0, 0, 0, 0xfe]);
});

test('the shipped sample configs load', () => {
  const dir = process.cwd();
  const client = loadMtcpConfig('config/memory-client.conf', dir);
  assert.equal(client.io, 'memory');
  assert.equal(client.ports[0].ip, ip(10, 0, 0, 1));
  assert.deepEqual(client.statPrint, ['eth0']);
  const server = loadMtcpConfig('config/memory-server.conf', dir);
  assert.equal(server.ports[0].ip, ip(10, 0, 0, 2));
  const udpClient = loadMtcpConfig('config/udp-client.conf', dir);
  const udpServer = loadMtcpConfig('config/udp-server.conf', dir);
  assert.deepEqual(udpClient.ports[0].local, udpServer.ports[0].remote);
  assert.deepEqual(udpClient.ports[0].remote, udpServer.ports[0].local);
  assert.equal(udpClient.rcvbuf, 65536);
  const lossy = loadMtcpConfig('config/memory-lossy.conf', dir);
  assert.equal(lossy.cc, 'reno');
  assert.equal(lossy.sndbuf, 262144);
  assert.equal(lossy.ports[0].gateway, ip(10, 0, 0, 254));
  assert.equal(lossy.ports[0].mtu, 9000);
  assert.deepEqual(lossy.ports[0].impair, { loss: 0.05, duplicate: 0.01, reorder: 0.05, corrupt: 0.001, delayMs: 5, jitterMs: 2, rateMbps: 100, seed: 42, direction: 'both' });
  assert.equal(lossy.routeFile, 'config/sample_route.conf');
  assert.equal(lossy.routes.length, 2);
  assert.equal(lossy.arpFile, 'config/sample_arp.conf');
  assert.equal(lossy.arp.length, 2);
});

test('loadMtcpConfig finds config/route.conf and config/arp.conf under the CWD; missing files are fine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-conf-'));
  try {
    writeFileSync(join(dir, 'h.conf'), minimal);
    const bare = loadMtcpConfig('h.conf', dir);
    assert.equal(bare.routeFile, null);
    assert.equal(bare.arpFile, null);
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config/route.conf'), 'ROUTES 1\n10.0.0.9/0 eth0\n');
    writeFileSync(join(dir, 'config/arp.conf'), '10.0.0.9/32 00:00:00:00:00:09\n');
    const found = loadMtcpConfig('h.conf', dir);
    assert.equal(found.routeFile, 'config/route.conf');
    assert.equal(found.routes[0].gateway, ip(10, 0, 0, 9));
    assert.equal(found.arp[0].ip, ip(10, 0, 0, 9));
    writeFileSync(join(dir, 'bad-arp.conf'), 'ARP_ENTRY 1\n10.0.0.9/32 00:00:00:00:00:09\n10.0.0.8/32 00:00:00:00:00:08\n');
    writeFileSync(join(dir, 'h2.conf'), minimal + 'arp_file = bad-arp.conf\n');
    assert.throws(() => loadMtcpConfig('h2.conf', dir), (e: unknown) => e instanceof ConfigError && e.file === 'bad-arp.conf' && e.line === 3);
    writeFileSync(join(dir, 'h3.conf'), minimal + 'route_file = nowhere.conf\n');
    assert.throws(() => loadMtcpConfig('h3.conf', dir), (e: unknown) => e instanceof ConfigError && e.file === 'h3.conf' && e.line === 3 && e.key === 'route_file' && /ENOENT/.test(e.message));
    assert.throws(() => loadMtcpConfig('absent.conf', dir), (e: unknown) => e instanceof ConfigError && /cannot read "absent.conf" \(ENOENT\)/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tcpSettingsOf converts seconds to milliseconds under TcpConfig names', () => {
  const c = parseMtcpConfig('rcvbuf = 65536\ntcp_timewait = 2\ntcp_timeout = -1\ntcp_keepalive_time = 60\ncc = reno\n' + minimal, 'a');
  assert.deepEqual(tcpSettingsOf(c), {
    rcvbuf: 65536, sndbuf: 65536, maxConcurrency: 10000, maxBuffers: 10000, timeWaitMs: 2000, idleTimeoutMs: 0,
    rtoMinMs: 200, delayedAckMs: 40, synBacklog: 1024, keepaliveIdleMs: 60000, keepaliveIntervalMs: 75000,
    keepaliveProbes: 9, cc: 'reno',
  });
  assert.equal(tcpSettingsOf(parseMtcpConfig(minimal, 'b')).idleTimeoutMs, 30000);
});
