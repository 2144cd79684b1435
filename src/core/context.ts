// The per-core context: one core's TCP engine on a host (host.ts), mTCP's per-core mtcp_manager (mtcp-inventory
// §5.2). A host has one core unless it was built for several (mtcp_init with num_cores > 1); the API layer keeps
// each core's socket table and epoll instances on top of it.

import type { MtcpConfig } from '../config/mtcp-config.js';
import type { Link } from '../link/link.js';
import type { ArpCache } from '../net/arp-cache.js';
import type { NetInterface } from '../net/interface.js';
import type { RouteTable } from '../net/route-table.js';
import type { TcpConfig } from '../tcp/config.js';
import { TcpEngine, type SegmentSink } from '../tcp/engine.js';
import { TcpState, type TcpConnection, type TcpListener } from '../tcp/connection.js';
import { armIdleTimer } from '../tcp/timers.js';
import { HostStack, type HostOptions } from './host.js';

export { HostStack, MemorySwitchRegistry, defaultMemorySwitches, tcpConfigFor, type ConfigOverrides, type HostOptions } from './host.js';

export interface CoreContextOptions extends HostOptions {
  /** The core number reported by the context (mtcp_create_context's cpu). */
  cpu: number;
}

export class CoreContext implements SegmentSink {
  /** The core number the application asked for. */
  readonly cpu: number;
  /** Index of this core among its host's cores (the RSS queue it owns). */
  readonly index: number;
  readonly host: HostStack;
  readonly engine: TcpEngine;
  /** Called once per pass with the connections/listeners whose readiness changed (the API's epoll hook). */
  readyHandler: ((items: Array<TcpConnection | TcpListener>, count: number) => void) | null;
  private readonly readyItems: Array<TcpConnection | TcpListener>;
  private closed: boolean;

  constructor(host: HostStack, index: number, cpu: number) {
    this.cpu = cpu;
    this.index = index;
    this.host = host;
    // One core: segments go straight to the host; several: through this core, which counts them for its stats line.
    this.engine = new TcpEngine(host.tcpConfig, host.numCores === 1 ? host : this, host.now(), host.slab);
    this.readyHandler = null;
    this.readyItems = [];
    this.closed = false;
    host.attach(this);
  }

  /** SegmentSink when the host has several cores. */
  sendSegment(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number): number {
    return this.host.sendSegmentOf(this.index, localIp, remoteIp, buf, off, len);
  }

  /** SegmentSink with TSO when the host has several cores. */
  sendSegmentOffload(localIp: number, remoteIp: number, buf: Uint8Array, off: number, len: number, gsoSize: number): number {
    return this.host.sendSegmentOffloadOf(this.index, localIp, remoteIp, buf, off, len, gsoSize);
  }

  /** A host of its own with this one core (its links are opened now). */
  static async create(options: CoreContextOptions): Promise<CoreContext> {
    const host = await HostStack.create({ ...options, numCores: 1 });
    return new CoreContext(host, 0, options.cpu);
  }

  get config(): MtcpConfig { return this.host.config; }
  get tcpConfig(): TcpConfig { return this.host.tcpConfig; }
  get interfaces(): NetInterface[] { return this.host.interfaces; }
  get links(): Link[] { return this.host.links; }
  get routes(): RouteTable { return this.host.routes; }
  get arp(): ArpCache { return this.host.arp; }
  /** Passes of the host's loop so far. */
  get passes(): number { return this.host.passes; }
  /** Connections in this core's tables. */
  get flowCount(): number { return this.engine.connectionCount; }
  get isClosed(): boolean { return this.closed; }

  now(): number {
    return this.host.now();
  }

  kick(): void {
    if (!this.closed) this.host.kick();
  }

  isLocalAddress(ip: number): boolean {
    return this.host.isLocalAddress(ip);
  }

  sourceAddressFor(remoteIp: number): number {
    return this.host.sourceAddressFor(remoteIp);
  }

  /**
   * A free local port for a connection from this core: with several cores per host it must hash to this core's
   * queue (mTCP's FetchAddress), so the replies reach this engine. 0 lets the engine choose (one core); -1: none.
   */
  pickLocalPort(localIp: number, remoteIp: number, remotePort: number): number {
    const host = this.host;
    if (host.numCores === 1) return 0;
    const engine = this.engine;
    return engine.ports.pick(localIp, remoteIp, remotePort, (port) =>
      host.coreOf(localIp, port, remoteIp, remotePort) !== this.index ||
      engine.lookup(localIp, port, remoteIp, remotePort) !== null || engine.findListener(localIp, port) !== null);
  }

  /** True when the flow's segments reach this core (several cores per host). */
  ownsFlow(localIp: number, localPort: number, remoteIp: number, remotePort: number): boolean {
    return this.host.coreOf(localIp, localPort, remoteIp, remotePort) === this.index;
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

  /** Hands the engine's readiness changes to the API (called by the host once per pass). */
  deliverReadiness(): void {
    const items = this.readyItems;
    items.length = 0;
    const n = this.engine.takeReady(items);
    if (n > 0 && this.readyHandler !== null) this.readyHandler(items, n);
  }

  /** Runs one pass of the host's loop (tests step contexts by hand). */
  runPass(): void {
    this.host.runPass();
  }

  /**
   * Lets this core's connections finish (FIN exchange, data in flight) for at most `graceMs`, then leaves the host
   * (mTCP's stack thread runs until its flows are gone after mtcp_destroy_context); the last core closes the links.
   */
  async drainAndClose(graceMs: number): Promise<void> {
    const until = performance.now() + graceMs;
    while (!this.closed && !this.host.isClosed && this.engine.connectionCount > 0 && performance.now() < until) {
      this.host.runPass();
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    this.close();
  }

  /** Leaves the host now (its links close with the last core). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.readyHandler = null;
    this.host.detach(this);
  }
}
