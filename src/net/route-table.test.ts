import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable, MAX_ROUTES, type RoutedInterface } from './route-table.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function fakeInterface(name: string, address: number): RoutedInterface {
  return { name, ip: address, sendRouted: () => 0 };
}

test('longest-prefix match over interface routes, static routes and a default gateway', () => {
  const routes = new RouteTable();
  const eth0 = fakeInterface('eth0', ip(10, 0, 0, 1));
  const eth1 = fakeInterface('eth1', ip(10, 1, 0, 1));
  routes.addInterface(eth0, 24);
  routes.addInterface(eth1, 16);
  routes.addRoute(ip(10, 0, 0, 254), 0, 'eth0', ip(10, 0, 0, 254)); // default route, as route.conf's /0 entry
  routes.addRoute(ip(10, 1, 7, 0), 24, 'eth0', 0); // more specific than eth1's /16: wins for 10.1.7.x
  assert.equal(routes.size, 4);

  const check = (dst: number, iface: string, nextHop: number) => {
    const r = routes.lookup(dst);
    assert.ok(r >= 0, `no route for ${dst}`);
    assert.equal(routes.routeInterface(r).name, iface);
    assert.equal(routes.nextHop(r, dst), nextHop);
  };
  check(ip(10, 0, 0, 2), 'eth0', ip(10, 0, 0, 2));
  check(ip(10, 1, 2, 3), 'eth1', ip(10, 1, 2, 3));
  check(ip(10, 1, 7, 9), 'eth0', ip(10, 1, 7, 9));
  check(ip(8, 8, 8, 8), 'eth0', ip(10, 0, 0, 254));
  assert.equal(routes.isLocalAddress(ip(10, 1, 0, 1)), true);
  assert.equal(routes.isLocalAddress(ip(10, 1, 0, 2)), false);
  assert.deepEqual(routes.describe().map((r) => [r.prefixLength, r.interfaceName]), [[24, 'eth0'], [24, 'eth0'], [16, 'eth1'], [0, 'eth0']]);
});

test('no route gives -1; equal prefixes keep insertion order; limits are enforced', () => {
  const routes = new RouteTable();
  routes.addInterface(fakeInterface('a', ip(192, 168, 0, 1)), 24);
  assert.equal(routes.lookup(ip(10, 0, 0, 1)), -1);
  routes.addInterface(fakeInterface('b', ip(172, 16, 0, 1)), 24);
  routes.addRoute(0, 0, 'a', ip(192, 168, 0, 254));
  routes.addRoute(0, 0, 'b', ip(172, 16, 0, 254));
  assert.equal(routes.routeInterface(routes.lookup(ip(1, 2, 3, 4))).name, 'a');
  assert.throws(() => routes.addRoute(0, 0, 'zz', 1), /no interface named zz/);
  assert.throws(() => routes.addInterface(fakeInterface('a', 5), 24), /added twice/);
  assert.throws(() => routes.addRoute(0, 33, 'a', 0), /bad prefix/);
  while (routes.size < MAX_ROUTES) routes.addRoute(ip(10, routes.size, 0, 0), 16, 'a', 0);
  assert.throws(() => routes.addRoute(ip(11, 0, 0, 0), 8, 'a', 0), /more than 64/);
});
