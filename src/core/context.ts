// The per-core context: one independent host stack (links, interfaces, ARP, routes, one TCP engine) and its poll
// loop, mTCP's RunMainLoop (mtcp-inventory §5.4) driven by Node's event loop instead of a busy thread:
//   receive a burst per link -> net -> tcp; fire due timers; hand readiness to the API (epoll); flush segments
//   (control, ACKs, data) and then the links, once per pass.
// A pass runs when a link has frames (its readable handler), when a TCP timer is due (one setTimeout), or soon after
// an API call queued work (kick(): setImmediate). When idle nothing runs; the process is never spun at 100%.

import type { MtcpConfig, PortConfig } from '../config/mtcp-config.js';
import { MAX_BURST, type Link } from '../link/link.js';
import { MemorySwitch } from '../link/memory.js';
import { UdpLink } from '../link/udp.js';
import { TapLink } from '../link/tap.js';
import { PcapLink } from '../link/pcap.js';
import { ImpairedLink } from '../link/impair.js';
import { ArpCache } from '../net/arp-cache.js';
import { NetCounters } from '../net/counters.js';
import { NetInterface } from '../net/interface.js';
import { RouteTable } from '../net/route-table.js';
import { defaultTcpConfig, type TcpConfig } from '../tcp/config.js';
import { TcpEngine, type SegmentSink } from '../tcp/engine.js';
import { TcpState, type TcpConnection, type TcpListener } from '../tcp/connection.js';
import { armIdleTimer } from '../tcp/timers.js';
import { statsPrinter, type StatsSource } from './stats.js';

const IP_PROTO_TCP = 6;
/** Receive bursts taken per link per pass before the pass yields to the application. */
const BURSTS_PER_PASS = 4;
/** Interface housekeeping (ARP retries and aging) runs at least this often while the context lives. */
const HOUSEKEEPING_MS = 250;

/** Values of mtcp_setconf() that override the configuration file (0 or absent = keep the file's value). */
export interface ConfigOverrides {
  maxConcurrency?: number;
  maxNumBuffers?: number;
  rcvbuf?: number;
  sndbuf?: number;
  /** Milliseconds (mTCP's tcp_timewait in ticks). */
  timeWaitMs?: number;
  /** Milliseconds (mTCP's tcp_timeout in ticks). */
  idleTimeoutMs?: number;
}

/**
 * Memory switches by name, so that the contexts of two hosts in one process meet on one virtual Ethernet: every
 * `io = memory` port named NAME joins the switch NAME of the registry its context uses.
 */
export class MemorySwitchRegistry {
  private readonly switches = new Map<string, MemorySwitch>();

  /** The switch for `name`, created on first use for frames of up to `maxFrameSize` bytes. */
  get(name: string, maxFrameSize: number): MemorySwitch {
    let sw = this.switches.get(name);
    if (sw === undefined) {
      sw = new MemorySwitch({ maxFrameSize: Math.max(1514, maxFrameSize) });
      this.switches.set(name, sw);
    } else if (sw.maxFrameSize < maxFrameSize) {
      throw new Error(`memory switch ${name} carries frames up to ${sw.maxFrameSize} bytes; port needs ${maxFrameSize} (same MTU on every host of a switch)`);
    }
    return sw;
  }

  /** Forgets every switch (their ports stay usable until closed). */
  clear(): void {
    this.switches.clear();
  }
}

/** The registry contexts use unless told otherwise. */
export const defaultMemorySwitches = new MemorySwitchRegistry();

export interface CoreContextOptions {
  cpu: number;
  config: MtcpConfig;
  overrides?: ConfigOverrides;
  /** Where io = memory ports find their switch (default: defaultMemorySwitches). */
  memorySwitches?: MemorySwitchRegistry;
  /** Monotonic clock in ms (default: performance.now()). */
  clock?: () => number;
  /** Print per-second statistics for the ports listed in stat_print (default true). */
  stats?: boolean;
}

/** The TCP tunables of a context: mtcp.conf, then mtcp_setconf() overrides. */
export function tcpConfigFor(config: MtcpConfig, overrides: ConfigOverrides = {}): TcpConfig {
  let mtu = 65535;
  for (const p of config.ports) mtu = Math.min(mtu, p.mtu);
  const pos = (v: number | undefined, fallback: number): number => (v !== undefined && v > 0 ? v : fallback);
  return defaultTcpConfig({
    mss: mtu - 40,
    rcvbuf: pos(overrides.rcvbuf, config.rcvbuf),
    sndbuf: pos(overrides.sndbuf, config.sndbuf),
    maxConcurrency: pos(overrides.maxConcurrency, config.maxConcurrency),
    maxBuffers: pos(overrides.maxNumBuffers, config.maxNumBuffers),
    timeWaitMs: pos(overrides.timeWaitMs, config.tcpTimewait * 1000),
    idleTimeoutMs: pos(overrides.idleTimeoutMs, config.tcpTimeout > 0 ? config.tcpTimeout * 1000 : 0),
    rtoMinMs: config.tcpRtoMin,
    cc: config.cc,
    delayedAckMs: config.tcpDelayedAck,
    synBacklog: config.synBacklog,
    keepaliveIdleMs: config.tcpKeepaliveTime * 1000,
    keepaliveIntervalMs: config.tcpKeepaliveIntvl * 1000,
    keepaliveProbes: config.tcpKeepaliveProbes,
  });
}

async function openLink(port: PortConfig, config: MtcpConfig, switches: MemorySwitchRegistry, cpu: number): Promise<Link> {
  const frame = port.mtu + 14;
  let link: Link;
  switch (config.io) {
    case 'memory':
      link = switches.get(port.name, frame).createPort(`${port.name}@cpu${cpu}`);
      break;
    case 'udp':
      if (port.local === null || port.remote === null) throw new Error(`port ${port.name}: io = udp needs ${port.name}.local and ${port.name}.remote`);
      link = await UdpLink.open({ name: port.name, local: { ...port.local }, remote: { ...port.remote }, maxFrameSize: frame });
      break;
    case 'tap':
      link = TapLink.open({ name: port.name, ifname: port.name, vnetHdr: port.vnetHdr, maxFrameSize: port.vnetHdr ? undefined : frame });
      break;
    default:
      throw new Error(`io = ${String(config.io)} is not supported`);
  }
  if (port.impair !== null) link = impairLink(link, port);
  if (port.pcap !== null) link = new PcapLink(link, port.pcap);
  return link;
}

function impairLink(link: Link, port: PortConfig): Link {
  const imp = port.impair!;
  return new ImpairedLink(link, {
    seed: imp.seed, loss: imp.loss, duplicate: imp.duplicate, reorder: imp.reorder, corrupt: imp.corrupt,
    delayMs: imp.delayMs, jitterMs: imp.jitterMs, rateMbps: imp.rateMbps > 0 ? imp.rateMbps : undefined,
    direction: imp.direction,
  });
}

export class CoreContext implements SegmentSink {
  readonly cpu: number;
  readonly config: MtcpConfig;
  readonly tcpConfig: TcpConfig;
  readonly engine: TcpEngine;
  readonly interfaces: NetInterface[];
  readonly links: Link[];
  readonly routes: RouteTable;
  readonly arp: ArpCache;
  /** Called once per pass with the connections/listeners whose readiness changed (the API's epoll hook). */
  readyHandler: ((items: Array<TcpConnection | TcpListener>, count: number) => void) | null;
  /** Passes run so far (diagnostics and tests). */
  passes: number;

  private readonly clock: () => number;
  private nowMs: number;
  private passScheduled: boolean;
  private timer: NodeJS.Timeout | null;
  private timerDeadline: number;
  private readonly housekeeping: NodeJS.Timeout;
  private closed: boolean;
  private readonly readyItems: Array<TcpConnection | TcpListener>;
  private readonly statsSources: StatsSource[];
  private readonly runPassBound: () => void;
  private readonly onTimerBound: () => void;

  private constructor(cpu: number, config: MtcpConfig, tcpConfig: TcpConfig, links: Link[], clock: () => number, stats: boolean) {
    this.cpu = cpu;
    this.config = config;
    this.tcpConfig = tcpConfig;
    this.clock = clock;
    this.nowMs = clock();
    this.links = links;
    this.routes = new RouteTable();
    this.arp = new ArpCache();
    this.engine = new TcpEngine(tcpConfig, this, this.nowMs);
    this.interfaces = [];
    this.readyHandler = null;
    this.passes = 0;
    this.passScheduled = false;
    this.timer = null;
    this.timerDeadline = Infinity;
    this.closed = false;
    this.readyItems = [];
    this.statsSources = [];
    this.runPassBound = () => this.runPass();
    this.onTimerBound = () => {
      this.timer = null;
      this.timerDeadline = Infinity;
      this.runPass();
    };
    config.ports.forEach((port, i) => {
      const iface = new NetInterface({
        name: port.name, link: links[i], mac: port.mac, ip: port.ip, prefixLength: port.prefixLength,
        gateway: port.gateway, mtu: port.mtu,
      }, this.arp, this.routes, new NetCounters());
      iface.setTransportHandler(IP_PROTO_TCP, this.engine);
      this.interfaces.push(iface);
      links[i].setReadableHandler(this.runPassBound);
    });
    for (const r of config.routes) this.routes.addRoute(r.destination, r.prefixLength, r.port, r.gateway);
    for (const a of config.arp) this.arp.addStatic(a.ip, a.prefixLength, a.mac);
    if (stats) {
      for (let i = 0; i < config.ports.length; i++) {
        const port = config.ports[i];
        if (!config.statPrint.some((name) => port.name.includes(name))) continue;
        const source: StatsSource = { cpu, portName: port.name, link: links[i], flows: () => this.engine.connectionCount };
        this.statsSources.push(source);
        statsPrinter.register(source);
      }
    }
    this.housekeeping = setInterval(this.runPassBound, HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  /** Builds the context's links (memory, udp or tap, with impair and pcap decorators) and its stack. */
  static async create(options: CoreContextOptions): Promise<CoreContext> {
    const config = options.config;
    const switches = options.memorySwitches ?? defaultMemorySwitches;
    const links: Link[] = [];
    try {
      for (const port of config.ports) links.push(await openLink(port, config, switches, options.cpu));
      const clock = options.clock ?? (() => Math.floor(performance.now()));
      return new CoreContext(options.cpu, config, tcpConfigFor(config, options.overrides), links, clock, options.stats ?? true);
    } catch (error) {
      for (const l of links) l.close();
      throw error;
    }
  }

  /** The time of the current pass (ms, monotonic). */
  now(): number {
    if (!this.passScheduled) this.nowMs = this.clock();
    return this.nowMs;
  }

  /** SegmentSink: the engine's segments leave through the routed interface. */
  sendSegment(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number): number {
    const iface = this.interfaces[0];
    if (iface === undefined) return -101; // ENETUNREACH
    return iface.sendIpv4(localIp, remoteIp, IP_PROTO_TCP, buf, off, len, this.nowMs);
  }

  /** Asks for a pass soon (after the current JavaScript job): API calls that queued work call this. */
  kick(): void {
    if (this.passScheduled || this.closed) return;
    this.passScheduled = true;
    setImmediate(this.runPassBound);
  }

  /** True if `ip` is one of this host's interface addresses. */
  isLocalAddress(ip: number): boolean {
    return this.routes.isLocalAddress(ip >>> 0);
  }

  /** The address of the interface that routes to `remoteIp`, or 0 when there is no route. */
  sourceAddressFor(remoteIp: number): number {
    const route = this.routes.lookup(remoteIp >>> 0);
    return route < 0 ? 0 : this.routes.routeInterface(route).ip;
  }

  /** An option of `c` changed (keepalive, Nagle ...): let the engine act on it in the next pass. */
  optionsChanged(c: TcpConnection): void {
    if (c.state !== TcpState.CLOSED) {
      // Keepalive switched on or its times changed: re-plan the idle timer (RFC 1122 §4.2.3.6); Nagle changes
      // may let queued data go.
      armIdleTimer(this.engine, c, this.now());
      this.engine.queueOutput(c);
    }
    this.kick();
  }

  /** Connections in the engine's table. */
  get flowCount(): number {
    return this.engine.connectionCount;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One pass of the loop. Public so tests can step a context by hand. */
  runPass(): void {
    this.passScheduled = false;
    if (this.closed) return;
    const now = this.clock();
    this.nowMs = now;
    this.passes++;
    let more = false;
    const ifaces = this.interfaces;
    for (let i = 0; i < ifaces.length; i++) {
      const iface = ifaces[i];
      const link = iface.link;
      for (let b = 0; b < BURSTS_PER_PASS; b++) {
        const n = link.receive();
        if (n === 0) break;
        iface.processReceived(now);
        if (n < MAX_BURST) break;
        if (b === BURSTS_PER_PASS - 1) more = true;
      }
    }
    const engine = this.engine;
    engine.advance(now);
    for (let i = 0; i < ifaces.length; i++) ifaces[i].poll(now);
    const items = this.readyItems;
    items.length = 0;
    const ready = engine.takeReady(items);
    if (ready > 0 && this.readyHandler !== null) this.readyHandler(items, ready);
    engine.flush(now);
    for (let i = 0; i < ifaces.length; i++) ifaces[i].flush();
    if (more) this.kick();
    else this.armTimer(now);
  }

  private armTimer(now: number): void {
    const deadline = this.engine.nextDeadline();
    if (deadline === Infinity) return;
    if (deadline <= now) {
      this.kick();
      return;
    }
    if (this.timer !== null) {
      if (this.timerDeadline <= deadline) return;
      clearTimeout(this.timer);
    }
    this.timerDeadline = deadline;
    this.timer = setTimeout(this.onTimerBound, deadline - now);
    this.timer.unref();
  }

  /**
   * Lets the connections still open finish (FIN exchange, data in flight) for at most `graceMs`, then stops the loop
   * and closes the links (mTCP's stack thread runs until its flows are gone after mtcp_destroy_context).
   */
  async drainAndClose(graceMs: number): Promise<void> {
    const until = this.clock() + graceMs;
    while (!this.closed && this.engine.connectionCount > 0 && this.clock() < until) {
      this.runPass();
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    this.close();
  }

  /** Stops the loop and closes the links now. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    clearInterval(this.housekeeping);
    for (const s of this.statsSources) statsPrinter.unregister(s);
    for (const l of this.links) {
      l.setReadableHandler(null);
      l.close();
    }
  }
}
