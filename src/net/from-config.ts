// Builds the interface layer of one stack context from an MtcpConfig: the shared ARP table (with arp.conf's
// static entries), the route table (interface routes, NAME.gateway defaults, route.conf routes) and one
// NetInterface per port, each with its own counters. The caller supplies the links (core/ builds them from
// `io`, `NAME.pcap` and `NAME.impair.*`).
import type { MtcpConfig, PortConfig } from '../config/mtcp-config.js';
import type { Link } from '../link/link.js';
import { ArpCache, type ArpCacheOptions } from './arp-cache.js';
import { NetCounters } from './counters.js';
import { NetInterface } from './interface.js';
import { RouteTable } from './route-table.js';

export interface NetSetup {
  readonly interfaces: readonly NetInterface[];
  readonly arp: ArpCache;
  readonly routes: RouteTable;
}

/**
 * Creates the interfaces of `config.ports` in order, over `linkFor(port)`. Route order for equal prefixes:
 * interface routes, then each port's gateway, then route.conf. Throws when a link's frame size cannot carry
 * the port's MTU.
 */
export function createInterfaces(config: MtcpConfig, linkFor: (port: PortConfig) => Link, arpOptions: ArpCacheOptions = {}): NetSetup {
  const arp = new ArpCache(arpOptions);
  for (const entry of config.arp) arp.addStatic(entry.ip, entry.prefixLength, entry.mac);
  const routes = new RouteTable();
  const interfaces = config.ports.map((port) => new NetInterface(
    { name: port.name, link: linkFor(port), mac: port.mac, ip: port.ip, prefixLength: port.prefixLength, gateway: port.gateway, mtu: port.mtu },
    arp, routes, new NetCounters(),
  ));
  for (const route of config.routes) routes.addRoute(route.destination, route.prefixLength, route.port, route.gateway);
  return { interfaces, arp, routes };
}
