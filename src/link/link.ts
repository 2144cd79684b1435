// The packet I/O contract every link module and decorator implements, modelled on mTCP's io_module
// (recv_pkts/get_rptr, get_wptr/send_pkts, select, destroy_handle). Frames are Ethernet II without FCS.

import { carveOrAllocate, type Slab } from './slab.js';

/** Most frames moved by one receive() or one flush(), as mTCP's DPDK/netmap backends do. */
export const MAX_BURST = 64;

/**
 * A burst of frames kept in one preallocated arena: frame i occupies
 * data[offsets[i], offsets[i] + lengths[i]). Nothing is allocated per frame. With a slab the arena is carved
 * from it (the host's slab, slab.ts), so copies between it and the host's other buffers are native.
 */
export class FrameBatch {
  readonly data: Uint8Array;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  count = 0;

  constructor(readonly capacity: number, readonly slotSize: number, slab: Slab | null = null) {
    this.data = carveOrAllocate(slab, capacity * slotSize);
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.offsets[i] = i * slotSize;
  }
}

/** Counters every link keeps; decorators add their own beside them. */
export interface LinkCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  /** Frames the link itself could not take or deliver (queue full, frame too large, I/O error). */
  rxDropped: number;
  txDropped: number;
}

export function newLinkCounters(): LinkCounters {
  return { rxFrames: 0, rxBytes: 0, txFrames: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };
}

export interface Link {
  readonly name: string;
  /** Largest frame this link carries, Ethernet header included (1514 for MTU 1500). */
  readonly maxFrameSize: number;
  readonly counters: LinkCounters;
  /** The frames of the last receive(); valid until the next receive(). */
  readonly rx: FrameBatch;
  /** Transmit arena: reserve() hands out a slot's offset in tx.data. */
  readonly tx: FrameBatch;

  /** Takes up to MAX_BURST waiting frames into `rx`; returns their count (0 when none wait). */
  receive(): number;

  /**
   * Reserves room for one outgoing frame of `length` bytes and returns its offset in tx.data, where the
   * caller writes it. Returns -1 when the burst is full (call flush() and retry) or length > maxFrameSize.
   */
  reserve(length: number): number;

  /** Sends every reserved frame as one burst; returns how many were sent. */
  flush(): number;

  /**
   * Registers the function the link calls when frames are waiting to be received. It is called
   * asynchronously (never from inside receive() or flush()), at most once until receive() is called again.
   */
  setReadableHandler(handler: (() => void) | null): void;

  /** Releases the link's resources (sockets, fds, timers) so the process can exit. Idempotent. */
  close(): void;
}
