import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMtcpConfig } from '../config/mtcp-config.js';
import { MemorySwitch } from '../link/memory.js';
import { ARP_STATIC } from './arp-cache.js';
import { createInterfaces } from './from-config.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

test('createInterfaces: one interface per port, static ARP, routes in the documented order', () => {
  const config = parseMtcpConfig(
    'port = eth0 eth1\neth0.ip = 10.0.0.1/24\neth0.gateway = 10.0.0.254\neth1.ip = 192.168.5.1/24\neth1.mtu = 9000\neth1.mac = 02:aa:00:00:00:01\n',
    'two.conf',
    {
      routeConf: { text: 'ROUTES 2\n172.16.0.0/12 eth1\n192.168.5.9/0 eth1\n', fileName: 'route.conf' },
      arpConf: { text: '10.0.0.254/32 02:00:00:00:00:fe\n172.16.0.0/12 02:00:00:00:00:ac\n', fileName: 'arp.conf' },
    },
  );
  const sw = new MemorySwitch({ maxFrameSize: 9014 });
  const { interfaces, arp, routes } = createInterfaces(config, (port) => sw.createPort(port.name));
  assert.deepEqual(interfaces.map((i) => [i.name, i.ip, i.mtu, i.link.name]), [['eth0', ip(10, 0, 0, 1), 1500, 'eth0'], ['eth1', ip(192, 168, 5, 1), 9000, 'eth1']]);
  assert.deepEqual([...interfaces[1].mac], [2, 0xaa, 0, 0, 0, 1]);
  assert.notEqual(interfaces[0].counters, interfaces[1].counters);
  assert.equal(arp.stateOf(arp.find(ip(10, 0, 0, 254))), ARP_STATIC);
  const mac = new Uint8Array(6);
  assert.equal(arp.resolveInto(ip(172, 20, 1, 1), mac, 0), arp.capacity);
  assert.equal(mac[5], 0xac);
  assert.deepEqual(routes.describe().map((r) => [r.destination, r.prefixLength, r.gateway, r.interfaceName]), [
    [ip(10, 0, 0, 0), 24, 0, 'eth0'],
    [ip(192, 168, 5, 0), 24, 0, 'eth1'],
    [ip(172, 16, 0, 0), 12, 0, 'eth1'],
    [0, 0, ip(10, 0, 0, 254), 'eth0'],
    [0, 0, ip(192, 168, 5, 9), 'eth1'],
  ]);
  // A datagram for 172.20.1.1 leaves eth1, on-link, to the static prefix MAC; the default goes to eth0's gateway.
  assert.equal(interfaces[0].sendPing(ip(172, 20, 1, 1), 1, 1, 0, 0), 0);
  assert.equal(interfaces[1].counters.ipSent, 1);
  assert.equal(interfaces[0].sendPing(ip(1, 1, 1, 1), 1, 1, 0, 0), 0);
  assert.equal(interfaces[0].counters.ipSent, 1);
  sw.close();
});

test('createInterfaces refuses a link too small for the MTU', () => {
  const config = parseMtcpConfig('port = eth0\neth0.ip = 10.0.0.1/24\neth0.mtu = 9000\n', 'big.conf');
  const sw = new MemorySwitch();
  assert.throws(() => createInterfaces(config, (port) => sw.createPort(port.name)), /MTU 9000 needs frames of 9014 bytes/);
  sw.close();
});
