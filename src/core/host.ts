// A host: the part of a stack its cores share (mtcp-inventory §5.1/§5.7) — the links of its ports (memory, udp or tap,
// with impair and pcap decorators), the interfaces, ARP cache and routes, and the poll loop, mTCP's RunMainLoop
// (§5.4) driven by Node's event loop instead of a busy thread:
//   receive a burst per link -> net -> (RSS) -> tcp of the flow's core; fire due timers; hand readiness to each
//   core's epoll; flush segments (control, ACKs, data) and then the links, once per pass.
// A pass runs when a link has frames (its readable handler), when a TCP timer is due (one setTimeout), or soon after
// an API call queued work (kick(): setImmediate). When idle nothing runs; the process is never spun at 100%.
// Each core (CoreContext) has its own TCP engine; with several cores in one host, received segments go to the core
// chosen by the symmetric Toeplitz hash, as mTCP's NIC queues do, and clients pick ports that hash to their core.

import type { MtcpConfig, PortConfig } from '../config/mtcp-config.js';
import { MAX_BURST, type Link } from '../link/link.js';
import { MemorySwitch } from '../link/memory.js';
import { UdpLink } from '../link/udp.js';
import { TapLink } from '../link/tap.js';
import { PcapLink } from '../link/pcap.js';
import { ImpairedLink } from '../link/impair.js';
import { Slab } from '../link/slab.js';
import { ArpCache } from '../net/arp-cache.js';
import { NetCounters } from '../net/counters.js';
import { NetInterface } from '../net/interface.js';
import { RouteTable } from '../net/route-table.js';
import { defaultTcpConfig, type TcpConfig } from '../tcp/config.js';
import { TSO_MAX_PAYLOAD, type SegmentSink } from '../tcp/engine.js';
import { newStatCounters, statsPrinter, type StatCounters, type StatsSource } from './stats.js';
import { rssCore } from './rss.js';
import { hostSlabBytes } from './slab-size.js';
import type { CoreContext } from './context.js';

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

export interface HostOptions {
  config: MtcpConfig;
  /** Cores of this host: engines that share its links (RSS spreads flows over them). Default 1. */
  numCores?: number;
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

async function openLink(port: PortConfig, config: MtcpConfig, switches: MemorySwitchRegistry, label: string, slab: Slab): Promise<Link> {
  const frame = port.mtu + 14;
  let link: Link;
  switch (config.io) {
    case 'memory':
      link = switches.get(port.name, frame).createPort(`${port.name}@${label}`, slab);
      break;
    case 'udp':
      if (port.local === null || port.remote === null) throw new Error(`port ${port.name}: io = udp needs ${port.name}.local and ${port.name}.remote`);
      link = await UdpLink.open({ name: port.name, local: { ...port.local }, remote: { ...port.remote }, maxFrameSize: frame, slab });
      break;
    case 'tap':
      link = TapLink.open({ name: port.name, ifname: port.name, vnetHdr: port.vnetHdr, maxFrameSize: port.vnetHdr ? undefined : frame, slab });
      break;
    default:
      throw new Error(`io = ${String(config.io)} is not supported`);
  }
  if (port.impair !== null) link = impairLink(link, port, slab);
  if (port.pcap !== null) link = new PcapLink(link, port.pcap);
  return link;
}

function impairLink(link: Link, port: PortConfig, slab: Slab): Link {
  const imp = port.impair!;
  return new ImpairedLink(link, {
    seed: imp.seed, loss: imp.loss, duplicate: imp.duplicate, reorder: imp.reorder, corrupt: imp.corrupt,
    delayMs: imp.delayMs, jitterMs: imp.jitterMs, rateMbps: imp.rateMbps > 0 ? imp.rateMbps : undefined,
    direction: imp.direction, slab,
  });
}


let hostSerial = 0;

export class HostStack implements SegmentSink {
  readonly config: MtcpConfig;
  readonly tcpConfig: TcpConfig;
  readonly numCores: number;
  readonly links: Link[];
  /** The memory the links and the cores' TCP buffers are carved from (link/slab.ts). */
  readonly slab: Slab;
  readonly interfaces: NetInterface[];
  readonly routes: RouteTable;
  readonly arp: ArpCache;
  /** The cores attached, by index (null: not created or gone). */
  readonly cores: Array<CoreContext | null>;
  /** Passes run so far (diagnostics and tests). */
  passes: number;
  /** Segments that found no core at all (several cores per host only). */
  rssDropped: number;
  /** Several cores: each core's share of each port, [core][port] (mTCP counts per NIC queue). */
  readonly coreCounters: StatCounters[][];

  private readonly clock: () => number;
  private nowMs: number;
  private passScheduled: boolean;
  private timer: NodeJS.Timeout | null;
  private timerDeadline: number;
  private readonly housekeeping: NodeJS.Timeout;
  private closed: boolean;
  private attachedCount: number;
  private readonly statsSources: StatsSource[];
  /** Passes that may still run as a microtask before the loop must yield to a macrotask (see kick()). */
  private microPasses: number;
  private readonly runPassBound: () => void;
  private readonly runMicroPassBound: () => void;
  private readonly onTimerBound: () => void;

  private constructor(config: MtcpConfig, tcpConfig: TcpConfig, numCores: number, links: Link[], slab: Slab, clock: () => number, stats: boolean) {
    this.config = config;
    this.tcpConfig = tcpConfig;
    this.numCores = numCores;
    this.clock = clock;
    this.nowMs = clock();
    this.links = links;
    this.slab = slab;
    this.routes = new RouteTable();
    this.arp = new ArpCache();
    this.interfaces = [];
    this.cores = new Array<CoreContext | null>(numCores).fill(null);
    this.passes = 0;
    this.rssDropped = 0;
    this.coreCounters = [];
    for (let k = 0; k < numCores; k++) this.coreCounters.push(config.ports.map(() => newStatCounters()));
    this.passScheduled = false;
    this.timer = null;
    this.timerDeadline = Infinity;
    this.closed = false;
    this.attachedCount = 0;
    this.statsSources = [];
    this.microPasses = 0;
    // Macrotask entries (link readable, setImmediate, timers) grant one microtask pass; see kick().
    this.runPassBound = () => {
      this.microPasses = 1;
      this.runPass();
    };
    this.runMicroPassBound = () => {
      if (this.passScheduled) this.runPass();
    };
    this.onTimerBound = () => {
      this.timer = null;
      this.timerDeadline = Infinity;
      this.microPasses = 1;
      this.runPass();
    };
    config.ports.forEach((port, i) => {
      const iface = new NetInterface({
        name: port.name, link: links[i], mac: port.mac, ip: port.ip, prefixLength: port.prefixLength,
        gateway: port.gateway, mtu: port.mtu,
      }, this.arp, this.routes, new NetCounters());
      this.interfaces.push(iface);
      links[i].setReadableHandler(this.runPassBound);
    });
    // TSO when every port's link cuts super-frames (a vnet_hdr TAP): the engines send up to 64 KiB per segment.
    if (this.interfaces.length > 0 && this.interfaces.every((iface) => iface.txGso)) tcpConfig.tsoMaxSegment = TSO_MAX_PAYLOAD;
    for (const r of config.routes) this.routes.addRoute(r.destination, r.prefixLength, r.port, r.gateway);
    for (const a of config.arp) this.arp.addStatic(a.ip, a.prefixLength, a.mac);
    if (stats) {
      for (let i = 0; i < config.ports.length; i++) {
        const port = config.ports[i];
        if (!config.statPrint.some((name) => port.name.includes(name))) continue;
        if (numCores === 1) {
          this.addStatsSource({ cpu: 0, portName: port.name, counters: links[i].counters, flows: () => this.flowCount });
        } else {
          for (let k = 0; k < numCores; k++) {
            this.addStatsSource({
              cpu: k, portName: port.name, counters: this.coreCounters[k][i],
              flows: () => this.cores[k]?.engine.connectionCount ?? 0,
            });
          }
        }
      }
    }
    this.housekeeping = setInterval(this.runPassBound, HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  private addStatsSource(source: StatsSource): void {
    this.statsSources.push(source);
    statsPrinter.register(source);
  }

  /** Index of the port whose address is `ip` (0 when none matches). */
  portIndexOf(ip: number): number {
    const ifaces = this.interfaces;
    for (let i = 0; i < ifaces.length; i++) if (ifaces[i].ip === ip) return i;
    return 0;
  }

  /** Opens the host's links and builds its interfaces; cores are attached afterwards. */
  static async create(options: HostOptions): Promise<HostStack> {
    const config = options.config;
    const switches = options.memorySwitches ?? defaultMemorySwitches;
    const label = `host${++hostSerial}`;
    const links: Link[] = [];
    const tcpConfig = tcpConfigFor(config, options.overrides);
    const numCores = options.numCores ?? 1;
    const slab = new Slab(hostSlabBytes(config, tcpConfig, numCores));
    try {
      for (const port of config.ports) links.push(await openLink(port, config, switches, label, slab));
      const clock = options.clock ?? (() => Math.floor(performance.now()));
      return new HostStack(config, tcpConfig, numCores, links, slab, clock, options.stats ?? true);
    } catch (error) {
      for (const l of links) l.close();
      throw error;
    }
  }

  /** Attaches a core; its engine receives the flows RSS assigns to `index`. */
  attach(core: CoreContext): void {
    const index = core.index;
    if (this.closed) throw new Error('host is closed');
    if (index < 0 || index >= this.numCores || this.cores[index] !== null) throw new Error(`core index ${index} is taken or out of range`);
    this.cores[index] = core;
    this.attachedCount++;
    // One core: segments go straight to its engine; several: through the RSS dispatcher (input()).
    const handler = this.numCores === 1 ? core.engine : this;
    for (const iface of this.interfaces) iface.setTransportHandler(IP_PROTO_TCP, handler);
  }

  /** Detaches a core; the host closes its links when the last one leaves. */
  detach(core: CoreContext): void {
    if (this.cores[core.index] !== core) return;
    this.cores[core.index] = null;
    this.attachedCount--;
    if (this.attachedCount === 0) this.close();
  }

  /** TransportHandler for several cores: the segment goes to the engine of the core its flow hashes to. */
  input(srcIp: number, dstIp: number, buf: Uint8Array, off: number, len: number, now: number): void {
    let core: CoreContext | null = null;
    if (len >= 4) {
      const srcPort = (buf[off] << 8) | buf[off + 1];
      const dstPort = (buf[off + 2] << 8) | buf[off + 3];
      core = this.cores[rssCore(srcIp, dstIp, srcPort, dstPort, this.numCores)];
    }
    if (core !== null) {
      // mTCP counts packets per NIC queue: the frame's length is the segment's plus the Ethernet and IPv4 headers.
      const k = this.coreCounters[core.index][this.portIndexOf(dstIp)];
      k.rxFrames++;
      k.rxBytes += len + 34;
    }
    if (core === null) {
      // No context for that queue (the application created fewer cores than the host has), or a segment too short
      // to hash: the first live core takes it (mTCP would lose it), so a lone server context still sees every SYN.
      core = this.firstLiveCore();
      if (core === null) {
        this.rssDropped++;
        return;
      }
    }
    core.engine.input(srcIp, dstIp, buf, off, len, now);
  }

  private firstLiveCore(): CoreContext | null {
    for (let k = 0; k < this.cores.length; k++) if (this.cores[k] !== null) return this.cores[k];
    return null;
  }

  /** The core index whose queue receives the flow (localIp:localPort <-> remoteIp:remotePort). */
  coreOf(localIp: number, localPort: number, remoteIp: number, remotePort: number): number {
    return this.numCores === 1 ? 0 : rssCore(remoteIp, localIp, remotePort, localPort, this.numCores);
  }

  /** The time of the current pass (ms, monotonic). */
  now(): number {
    if (!this.passScheduled) this.nowMs = this.clock();
    return this.nowMs;
  }

  /** SegmentSink of every engine: segments leave through the routed interface. */
  sendSegment(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number): number {
    const iface = this.interfaces[0];
    if (iface === undefined) return -101; // ENETUNREACH
    return iface.sendIpv4(localIp, remoteIp, IP_PROTO_TCP, buf, off, len, this.nowMs);
  }

  /** SegmentSink with TSO: a segment with a partial checksum, cut by the link when gsoSize > 0. */
  sendSegmentOffload(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number, gsoSize: number): number {
    const iface = this.interfaces[0];
    if (iface === undefined) return -101; // ENETUNREACH
    return iface.sendTcpOffload(localIp, remoteIp, buf, off, len, gsoSize, this.nowMs);
  }

  /** sendSegmentOffload for core `index` (several cores per host), counted as sendSegmentOf does. */
  sendSegmentOffloadOf(index: number, localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number, gsoSize: number): number {
    const k = this.coreCounters[index][this.portIndexOf(localIp)];
    k.txFrames++;
    k.txBytes += len + 34;
    return this.sendSegmentOffload(localIp, remoteIp, buf, off, len, gsoSize);
  }

  /** Counts a segment sent by core `index` (several cores per host) and sends it. */
  sendSegmentOf(index: number, localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number): number {
    const k = this.coreCounters[index][this.portIndexOf(localIp)];
    k.txFrames++;
    k.txBytes += len + 34;
    return this.sendSegment(localIp, remoteIp, buf, off, len);
  }

  /**
   * Asks for a pass soon: API calls that queued work call this. The first kick after a macrotask pass runs the pass
   * as a microtask, i.e. as soon as the application awaits: a reply written in response to readiness then leaves in
   * the same turn of the event loop instead of the next (one libuv iteration less per request/response). Later kicks
   * wait for setImmediate, so a chain of passes and application callbacks cannot starve the event loop.
   */
  kick(): void {
    if (this.passScheduled || this.closed) return;
    this.passScheduled = true;
    if (this.microPasses > 0) {
      this.microPasses--;
      queueMicrotask(this.runMicroPassBound);
    } else {
      setImmediate(this.runPassBound);
    }
  }

  /** A pass on the next turn of the event loop (the loop's own follow-ups: frames left over, timers due). */
  private schedulePass(): void {
    if (this.passScheduled || this.closed) return;
    this.passScheduled = true;
    setImmediate(this.runPassBound);
  }

  isLocalAddress(ip: number): boolean {
    return this.routes.isLocalAddress(ip >>> 0);
  }

  sourceAddressFor(remoteIp: number): number {
    const route = this.routes.lookup(remoteIp >>> 0);
    return route < 0 ? 0 : this.routes.routeInterface(route).ip;
  }

  /** Connections in every core's table. */
  get flowCount(): number {
    let n = 0;
    for (const c of this.cores) if (c !== null) n += c.engine.connectionCount;
    return n;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One pass of the loop. Public so tests can step a host by hand. */
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
        // ACK each burst as it is taken in: a sender that fills our window must not wait for the whole pass
        // (up to BURSTS_PER_PASS bursts) before it hears of 64 segments, or it fires tail-loss probes and
        // RTOs on data that arrived (RFC 5681 §4.2: ACK at least every second full-sized segment).
        if (n === MAX_BURST) this.flushSegments(now);
        if (n < MAX_BURST) break;
        if (b === BURSTS_PER_PASS - 1) more = true;
      }
    }
    const cores = this.cores;
    for (let k = 0; k < cores.length; k++) {
      const c = cores[k];
      if (c !== null) c.engine.advance(now);
    }
    for (let i = 0; i < ifaces.length; i++) ifaces[i].poll(now);
    for (let k = 0; k < cores.length; k++) {
      const c = cores[k];
      if (c !== null) c.deliverReadiness();
    }
    this.flushSegments(now);
    if (more) this.schedulePass();
    else this.armTimer(now);
  }

  /** Emits every core's pending segments (control, ACKs, data), then the interfaces' frames. */
  private flushSegments(now: number): void {
    const cores = this.cores;
    for (let k = 0; k < cores.length; k++) {
      const c = cores[k];
      if (c !== null) c.engine.flush(now);
    }
    const ifaces = this.interfaces;
    for (let i = 0; i < ifaces.length; i++) ifaces[i].flush();
  }

  private armTimer(now: number): void {
    let deadline = Infinity;
    for (let k = 0; k < this.cores.length; k++) {
      const c = this.cores[k];
      if (c !== null) {
        const d = c.engine.nextDeadline();
        if (d < deadline) deadline = d;
      }
    }
    if (deadline === Infinity) return;
    if (deadline <= now) {
      this.schedulePass();
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
