// The in-memory link: a virtual Ethernet learning switch (IEEE 802.1D-style forwarding, without aging or
// spanning tree) joining any number of ports in one thread. Each port is a Link. Sending copies a frame
// into the receive ring of the port(s) it is forwarded to; a full ring drops the frame and counts it.

import { ETH_HEADER_LEN } from '../wire/ethernet.js';
import type { Arena } from './copy.js';
import { DEFAULT_QUEUE_FRAMES, QueuedLink } from './queued-link.js';
import type { Slab } from './slab.js';

/** An Ethernet II header: destination MAC, source MAC, EtherType. Shorter frames are dropped as runts. */
export const ETHERNET_HEADER_LENGTH = ETH_HEADER_LEN;

export interface MemorySwitchOptions {
  /** Largest frame carried, Ethernet header included: 1514 (default) for MTU 1500, 9014 for MTU 9000. */
  maxFrameSize?: number;
  /** Frames each port's receive ring holds before the switch drops (default 1024). */
  queueFrames?: number;
  /** Entries of the MAC address table, a power of two (default 4096); learning stops at 3/4 full. */
  macTableSize?: number;
}

export interface MemorySwitchCounters {
  /** Frames sent by a port to one learnt port. */
  unicast: number;
  /** Frames sent to every other port (broadcast, multicast or unknown destination). */
  flooded: number;
  /** Frames whose destination was learnt on the port that sent them (a switch never sends a frame back). */
  filtered: number;
  /** Copies dropped because the destination port's receive ring was full. */
  queueFull: number;
  /** Frames shorter than an Ethernet header. */
  runts: number;
  /** Source addresses not learnt because the MAC table was full. */
  tableFull: number;
}

export class MemorySwitch {
  readonly maxFrameSize: number;
  readonly queueFrames: number;
  readonly counters: MemorySwitchCounters;
  private readonly ports: (MemoryPort | null)[] = [];
  // MAC table, open addressing with linear probing: the address split into its high 16 and low 32 bits.
  private readonly macHigh: Int32Array;
  private readonly macLow: Int32Array;
  private readonly macPort: Int32Array;
  private readonly macMask: number;
  private macCount = 0;

  constructor(options: MemorySwitchOptions = {}) {
    const maxFrameSize = options.maxFrameSize ?? 1514;
    const queueFrames = options.queueFrames ?? DEFAULT_QUEUE_FRAMES;
    const macTableSize = options.macTableSize ?? 4096;
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < ETHERNET_HEADER_LENGTH || maxFrameSize > 65535) {
      throw new Error(`MemorySwitch: maxFrameSize must be an integer in [14, 65535], got ${maxFrameSize}`);
    }
    if (!Number.isInteger(queueFrames) || queueFrames < 1) {
      throw new Error(`MemorySwitch: queueFrames must be a positive integer, got ${queueFrames}`);
    }
    if (!Number.isInteger(macTableSize) || macTableSize < 4 || (macTableSize & (macTableSize - 1)) !== 0) {
      throw new Error(`MemorySwitch: macTableSize must be a power of two >= 4, got ${macTableSize}`);
    }
    this.maxFrameSize = maxFrameSize;
    this.queueFrames = queueFrames;
    this.counters = { unicast: 0, flooded: 0, filtered: 0, queueFull: 0, runts: 0, tableFull: 0 };
    this.macHigh = new Int32Array(macTableSize);
    this.macLow = new Int32Array(macTableSize);
    this.macPort = new Int32Array(macTableSize).fill(-1);
    this.macMask = macTableSize - 1;
  }

  /** Adds a port to the switch. Its receive ring and burst arenas are allocated now (carved from `slab` if given). */
  createPort(name: string, slab: Slab | null = null): MemoryPort {
    const port = new MemoryPort(this, this.ports.length, name, slab);
    this.ports.push(port);
    return port;
  }

  /** Ports currently attached (closed ones excluded). */
  get portCount(): number {
    let open = 0;
    for (const port of this.ports) if (port !== null) open++;
    return open;
  }

  /** Closes every port. */
  close(): void {
    for (const port of this.ports) if (port !== null) port.close();
  }

  /** The port a MAC address was learnt on, or null (for tests and diagnostics; allocates nothing). */
  lookup(mac: Uint8Array): MemoryPort | null {
    const high = (mac[0] << 8) | mac[1];
    const low = (mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5];
    const index = this.find(high, low);
    return index < 0 ? null : this.ports[index];
  }

  /** Forwards one frame sent by `source` (length >= 14 checked by the caller). */
  forward(source: MemoryPort, frames: Arena, offset: number, length: number): void {
    const header = frames.view;
    const dstHigh = header.getUint16(offset);
    const dstLow = header.getInt32(offset + 2);
    const srcHigh = header.getUint16(offset + 6);
    const srcLow = header.getInt32(offset + 8);
    // A group (multicast/broadcast) source address is invalid and never learnt (IEEE 802.1D 7.8).
    if ((srcHigh & 0x0100) === 0) this.learn(srcHigh, srcLow, source.index);
    if ((dstHigh & 0x0100) === 0) {
      const index = this.find(dstHigh, dstLow);
      if (index >= 0) {
        const target = this.ports[index];
        if (target !== null) {
          if (target === source) this.counters.filtered++;
          else {
            this.counters.unicast++;
            target.deliver(frames, offset, length);
          }
          return;
        }
      }
    }
    this.counters.flooded++;
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) {
      const target = ports[i];
      if (target !== null && target !== source) target.deliver(frames, offset, length);
    }
  }

  /** Called by a port's close(). Addresses learnt on it then count as unknown and are flooded. */
  detach(port: MemoryPort): void {
    if (this.ports[port.index] === port) this.ports[port.index] = null;
  }

  private slotOf(high: number, low: number): number {
    let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    return h & this.macMask;
  }

  private find(high: number, low: number): number {
    let slot = this.slotOf(high, low);
    for (let probes = 0; probes <= this.macMask; probes++) {
      const port = this.macPort[slot];
      if (port < 0) return -1;
      if (this.macHigh[slot] === high && this.macLow[slot] === low) return port;
      slot = (slot + 1) & this.macMask;
    }
    return -1;
  }

  private learn(high: number, low: number, portIndex: number): void {
    let slot = this.slotOf(high, low);
    for (let probes = 0; probes <= this.macMask; probes++) {
      const port = this.macPort[slot];
      if (port < 0) break;
      if (this.macHigh[slot] === high && this.macLow[slot] === low) {
        this.macPort[slot] = portIndex; // the station moved (or stays): the last port seen wins
        return;
      }
      slot = (slot + 1) & this.macMask;
    }
    if (this.macCount * 4 >= (this.macMask + 1) * 3) {
      this.counters.tableFull++;
      return;
    }
    this.macHigh[slot] = high;
    this.macLow[slot] = low;
    this.macPort[slot] = portIndex;
    this.macCount++;
  }
}

/** One port of a MemorySwitch. */
export class MemoryPort extends QueuedLink {
  constructor(private readonly owner: MemorySwitch, readonly index: number, name: string, slab: Slab | null = null) {
    super(name, owner.maxFrameSize, owner.queueFrames, slab);
  }

  /** Called by the switch: copies a frame into this port's receive ring. */
  deliver(frames: Arena, offset: number, length: number): void {
    if (this.ring.push(frames, offset, length) >= 0) {
      this.signal.schedule();
    } else {
      this.counters.rxDropped++;
      this.owner.counters.queueFull++;
    }
  }

  /** Forwarding always succeeds here; a full receive ring drops at the destination (counted there). */
  protected transmit(offset: number, length: number): boolean {
    this.owner.forward(this, this.txArena, offset, length);
    return true;
  }

  protected countRunt(): void {
    this.owner.counters.runts++;
  }

  protected release(): void {
    this.owner.detach(this);
  }
}
