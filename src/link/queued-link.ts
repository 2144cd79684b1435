// The bookkeeping every link whose received frames wait in a FrameRing shares (the memory switch port and
// the UDP link): the rx/tx bursts and their arenas, receive() from the ring, reserve(), the readable signal
// flush() with its counting, and close(). A subclass only says how one frame leaves (transmit), what it
// counts for a runt, and what closing releases.

import { Arena, slotSizeFor } from './copy.js';
import { FrameRing } from './frame-ring.js';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link, type LinkCounters } from './link.js';
import { ReadableSignal } from './readable.js';
import type { Slab } from './slab.js';
import { ETH_HEADER_LEN } from '../wire/ethernet.js';

/** Frames a memory or UDP port's receive ring holds by default (MemorySwitch and UdpLink queueFrames). */
export const DEFAULT_QUEUE_FRAMES = 1024;

/**
 * Reserves the next slot of a transmit burst for a frame of `length` bytes (the Link.reserve rule):
 * returns the slot's offset in tx.data, or -1 when the burst is full or length is outside [0, maxFrameSize].
 */
export function reserveFrame(tx: FrameBatch, length: number, maxFrameSize: number): number {
  if (length > maxFrameSize || length < 0 || tx.count === tx.capacity) return -1;
  const slot = tx.count;
  tx.lengths[slot] = length;
  tx.count = slot + 1;
  return tx.offsets[slot];
}

/** Adds a received burst's frames and bytes to the counters. */
export function countReceived(counters: LinkCounters, rx: FrameBatch, count: number): void {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += rx.lengths[i];
  counters.rxFrames += count;
  counters.rxBytes += bytes;
}

export abstract class QueuedLink implements Link {
  readonly counters: LinkCounters;
  readonly rx: FrameBatch;
  readonly tx: FrameBatch;
  protected readonly rxArena: Arena;
  protected readonly txArena: Arena;
  /** Frames received and not yet taken by receive(); a subclass pushes into it and calls signal.schedule(). */
  protected readonly ring: FrameRing;
  protected readonly signal: ReadableSignal;
  protected closed: boolean;

  /** With a slab (the host's), the bursts and the ring are carved from it while it has room. */
  constructor(readonly name: string, readonly maxFrameSize: number, queueFrames: number, slab: Slab | null = null) {
    this.counters = newLinkCounters();
    const slotSize = slotSizeFor(maxFrameSize);
    this.rx = new FrameBatch(MAX_BURST, slotSize, slab);
    this.tx = new FrameBatch(MAX_BURST, slotSize, slab);
    this.rxArena = new Arena(this.rx.data, this.rx.slotSize);
    this.txArena = new Arena(this.tx.data, this.tx.slotSize);
    const ring = new FrameRing(queueFrames, slotSize, slab);
    this.ring = ring;
    this.signal = new ReadableSignal(() => ring.count > 0);
    this.closed = false;
  }

  /** Frames waiting in the receive ring. */
  get queued(): number {
    return this.ring.count;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  receive(): number {
    const rx = this.rx;
    rx.count = 0;
    if (this.closed) return 0;
    const taken = this.ring.drainInto(rx, this.rxArena, MAX_BURST, 0); // release times are all 0
    countReceived(this.counters, rx, taken);
    this.signal.received();
    return taken;
  }

  reserve(length: number): number {
    return this.closed ? -1 : reserveFrame(this.tx, length, this.maxFrameSize);
  }

  /** Sends each reserved frame by transmit(); frames shorter than an Ethernet header are dropped as runts. */
  flush(): number {
    const tx = this.tx;
    const count = tx.count;
    tx.count = 0;
    if (this.closed) return 0;
    const counters = this.counters;
    let sent = 0;
    for (let i = 0; i < count; i++) {
      const length = tx.lengths[i];
      if (length < ETH_HEADER_LEN) {
        counters.txDropped++;
        this.countRunt();
      } else if (this.transmit(tx.offsets[i], length)) {
        counters.txFrames++;
        counters.txBytes += length;
        sent++;
      } else {
        counters.txDropped++;
      }
    }
    return sent;
  }

  setReadableHandler(handler: (() => void) | null): void {
    if (this.closed) return;
    this.signal.setHandler(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal.close();
    this.ring.clear();
    this.rx.count = 0;
    this.tx.count = 0;
    this.release();
  }

  /** Sends the frame at tx.data[offset, offset+length) (length >= 14); false when it had to be dropped. */
  protected abstract transmit(offset: number, length: number): boolean;

  /** Counts a frame flush() dropped for being shorter than an Ethernet header, where the subclass keeps it. */
  protected abstract countRunt(): void;

  /** Called once by close(), after the queues are emptied: releases what the subclass holds. */
  protected abstract release(): void;
}
