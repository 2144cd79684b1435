// IPv4 routing table: one automatic route per interface, static routes (mTCP's route.conf) and default
// gateways. Lookup is a real longest-prefix match (RFC 1812 §5.2.4.3), unlike mTCP's first match; equal
// prefixes keep the order they were added in (interface routes, then route.conf, then NAME.gateway).
import { prefixMaskOf } from '../config/values.js';

/** What a route leads to: an interface that can send a datagram to a next hop. NetInterface implements it. */
export interface RoutedInterface {
  readonly name: string;
  readonly ip: number;
  /** Sends buf[off, off+len) as the payload of an IPv4 datagram to `nextHop` on this link; 0 or -errno. */
  sendRouted(src: number, dst: number, protocol: number, buf: Uint8Array, off: number, len: number, nextHop: number, now: number): number;
}

export const MAX_ROUTES = 64;

export class RouteTable {
  /** Kept sorted by prefix length, longest first, so the first match is the longest prefix. */
  private readonly destinations = new Uint32Array(MAX_ROUTES);
  private readonly masks = new Uint32Array(MAX_ROUTES);
  private readonly prefixLengths = new Uint8Array(MAX_ROUTES);
  private readonly gateways = new Uint32Array(MAX_ROUTES);
  private readonly targets: (RoutedInterface | null)[] = new Array<RoutedInterface | null>(MAX_ROUTES).fill(null);
  private readonly interfaces: RoutedInterface[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Registers an interface and its connected route (ip & mask / prefixLength, on-link). */
  addInterface(iface: RoutedInterface, prefixLength: number): void {
    if (this.interfaces.some((i) => i.name === iface.name)) throw new Error(`route table: interface ${iface.name} added twice`);
    this.interfaces.push(iface);
    this.addRoute(iface.ip, prefixLength, iface.name, 0);
  }

  /**
   * Adds a route through the named interface. gateway 0 = on-link (the destination itself is the next hop);
   * otherwise the gateway is the next hop (prefix 0 = default route). Throws when full or the name is unknown.
   */
  addRoute(destination: number, prefixLength: number, interfaceName: string, gateway: number): void {
    const target = this.interfaces.find((i) => i.name === interfaceName);
    if (target === undefined) throw new Error(`route table: no interface named ${interfaceName}`);
    if (prefixLength < 0 || prefixLength > 32) throw new Error(`route table: bad prefix length ${prefixLength}`);
    if (this.count >= MAX_ROUTES) throw new Error(`route table: more than ${MAX_ROUTES} routes`);
    const mask = prefixMaskOf(prefixLength);
    let at = this.count;
    while (at > 0 && this.prefixLengths[at - 1] < prefixLength) {
      this.destinations[at] = this.destinations[at - 1];
      this.masks[at] = this.masks[at - 1];
      this.prefixLengths[at] = this.prefixLengths[at - 1];
      this.gateways[at] = this.gateways[at - 1];
      this.targets[at] = this.targets[at - 1];
      at--;
    }
    this.destinations[at] = (destination & mask) >>> 0;
    this.masks[at] = mask;
    this.prefixLengths[at] = prefixLength;
    this.gateways[at] = gateway >>> 0;
    this.targets[at] = target;
    this.count++;
  }

  /** Index of the longest-prefix route for dst, or -1 (no route). Allocation-free. */
  lookup(dst: number): number {
    for (let i = 0; i < this.count; i++) {
      if (((dst & this.masks[i]) >>> 0) === this.destinations[i]) return i;
    }
    return -1;
  }

  routeInterface(index: number): RoutedInterface {
    return this.targets[index]!;
  }

  /** Next hop for dst over route `index`: the gateway, or dst itself for on-link routes. */
  nextHop(index: number, dst: number): number {
    const gateway = this.gateways[index];
    return gateway !== 0 ? gateway : dst >>> 0;
  }

  /** True when ip is the address of one of the registered interfaces. */
  isLocalAddress(ip: number): boolean {
    for (let i = 0; i < this.interfaces.length; i++) if (this.interfaces[i].ip === ip) return true;
    return false;
  }

  /** The routes in lookup order, for printing as mTCP does at startup. */
  describe(): { destination: number; prefixLength: number; gateway: number; interfaceName: string }[] {
    const out = [];
    for (let i = 0; i < this.count; i++) {
      out.push({ destination: this.destinations[i], prefixLength: this.prefixLengths[i], gateway: this.gateways[i], interfaceName: this.targets[i]!.name });
    }
    return out;
  }
}
