// The per-context socket-id space (mTCP's smap + free list, mtcp/src/socket.c): ids 0 .. capacity-1, shared by
// stream, listener, epoll and pipe sockets. Freed ids go to the tail of a FIFO, as in mTCP, so a just-closed id is
// not handed out again at once (a stale id then fails with EBADF instead of reaching a new socket).

export class SocketTable<T extends object> {
  readonly capacity: number;
  private readonly slots: Array<T | null>;
  private readonly freeRing: Int32Array;
  private freeHead = 0;
  private freeCount: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`socket table capacity must be > 0, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<T | null>(capacity).fill(null);
    this.freeRing = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeRing[i] = i;
    this.freeCount = capacity;
  }

  /** Number of ids in use. */
  get used(): number {
    return this.capacity - this.freeCount;
  }

  /** Takes a free id and stores `value` there; -1 when the table is full (the caller reports ENFILE). */
  allocate(make: (id: number) => T): number {
    if (this.freeCount === 0) return -1;
    const id = this.freeRing[this.freeHead];
    this.freeHead = (this.freeHead + 1) % this.capacity;
    this.freeCount--;
    this.slots[id] = make(id);
    return id;
  }

  /** The object at `id`, or null if the id is out of range or unused. */
  get(id: number): T | null {
    if (!Number.isInteger(id) || id < 0 || id >= this.capacity) return null;
    return this.slots[id];
  }

  /** True when `id` is within 0 .. capacity-1 (used or not). */
  inRange(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.capacity;
  }

  /** Releases `id` (no-op if unused). */
  release(id: number): void {
    if (!this.inRange(id) || this.slots[id] === null) return;
    this.slots[id] = null;
    this.freeRing[(this.freeHead + this.freeCount) % this.capacity] = id;
    this.freeCount++;
  }

  /** Calls `fn` for every object in use, in id order. */
  forEach(fn: (value: T, id: number) => void): void {
    for (let i = 0; i < this.capacity; i++) {
      const v = this.slots[i];
      if (v !== null) fn(v, i);
    }
  }
}
