// The datagrams of one interface that wait for their next hop's MAC address: a FIFO ring of whole frames in
// one preallocated arena (Ethernet header with the destination still blank, IPv4 header, payload). Entries
// leave out of order (per next hop), so a sent or dropped entry gets length 0 and the head skips over it.

export class ArpWaitQueue {
  readonly capacity: number;
  readonly frameSize: number;
  /** Entry i's frame is data[i * frameSize, i * frameSize + lengthOf(i)). */
  readonly data: Uint8Array;
  private readonly lengths: Int32Array;
  private readonly nextHops: Uint32Array;
  private readonly since: Float64Array;
  private head: number;
  /** Ring entries from head, including emptied ones not yet skipped. */
  private span: number;

  constructor(capacity: number, frameSize: number) {
    this.capacity = capacity;
    this.frameSize = frameSize;
    this.data = new Uint8Array(capacity * frameSize);
    this.lengths = new Int32Array(capacity);
    this.nextHops = new Uint32Array(capacity);
    this.since = new Float64Array(capacity);
    this.head = 0;
    this.span = 0;
  }

  /** Datagrams waiting. */
  get length(): number {
    let n = 0;
    for (let k = 0; k < this.span; k++) if (this.lengths[(this.head + k) % this.capacity] > 0) n++;
    return n;
  }

  get isEmpty(): boolean {
    return this.span === 0;
  }

  /** No entry left at the tail (emptied entries behind the head still take room until the head passes them). */
  get isFull(): boolean {
    return this.span === this.capacity;
  }

  /** Drops the oldest datagram (the caller counts it). */
  dropOldest(): void {
    if (this.span === 0) return;
    this.lengths[this.head] = 0;
    this.skipEmpty();
  }

  /** Takes the next entry for a frame of `length` bytes to nextHop; returns its index. Requires !isFull. */
  append(nextHop: number, length: number, now: number): number {
    if (this.span === this.capacity) throw new Error('ArpWaitQueue.append: full (call dropOldest first)');
    const i = (this.head + this.span) % this.capacity;
    this.lengths[i] = length;
    this.nextHops[i] = nextHop;
    this.since[i] = now;
    this.span++;
    return i;
  }

  offsetOf(index: number): number {
    return index * this.frameSize;
  }

  /**
   * The index of the oldest waiting datagram for nextHop at or after ring position `from` (0 = head), as
   * position * capacity + index so the caller can continue; -1 when there is none.
   */
  findFrom(from: number, nextHop: number): number {
    for (let k = from; k < this.span; k++) {
      const i = (this.head + k) % this.capacity;
      if (this.lengths[i] > 0 && this.nextHops[i] === nextHop) return k * this.capacity + i;
    }
    return -1;
  }

  lengthOf(index: number): number {
    return this.lengths[index];
  }

  /** Marks an entry sent or dropped. Call skipEmpty() after a series of removals. */
  remove(index: number): void {
    this.lengths[index] = 0;
  }

  /** Removes every datagram for nextHop; returns how many. */
  removeFor(nextHop: number): number {
    let removed = 0;
    for (let k = 0; k < this.span; k++) {
      const i = (this.head + k) % this.capacity;
      if (this.lengths[i] > 0 && this.nextHops[i] === nextHop) {
        this.lengths[i] = 0;
        removed++;
      }
    }
    this.skipEmpty();
    return removed;
  }

  /** Removes datagrams queued before `limit`; returns how many. */
  removeOlderThan(limit: number): number {
    let removed = 0;
    for (let k = 0; k < this.span; k++) {
      const i = (this.head + k) % this.capacity;
      if (this.lengths[i] > 0 && this.since[i] < limit) {
        this.lengths[i] = 0;
        removed++;
      }
    }
    this.skipEmpty();
    return removed;
  }

  /** Advances the head over emptied entries. */
  skipEmpty(): void {
    while (this.span > 0 && this.lengths[this.head] === 0) {
      this.head = (this.head + 1) % this.capacity;
      this.span--;
    }
  }
}
