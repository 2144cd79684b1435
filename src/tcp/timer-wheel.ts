// One hashed timer wheel per context for retransmission, delayed ACK, persist, keepalive, TIME_WAIT and idle
// timers. 1 ms ticks, 4096 slots; a deadline further than one revolution waits in an overflow list that is
// rescanned at most every half revolution (and only when its earliest entry comes within reach), so far
// deadlines (minutes) are exact. mTCP's equivalent (RearrangeRTOStore) subtracted in the wrong order and could
// index the wheel negatively; here every index is `tick & MASK` of a tick >= the current one.
// Nodes are intrusive and doubly linked: arm, move and cancel are O(1) and allocate nothing.

const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;
const MASK = SLOTS - 1;
const NOT_ARMED = -1;
const IN_OVERFLOW = SLOTS;
const IN_FIRING = SLOTS + 1;

export class Timer {
  /** Deadline in ms as last armed (meaningful only while armed). */
  declare deadline: number;
  declare readonly owner: unknown;
  declare readonly kind: number;
  /** @internal wheel bookkeeping: list links, tick, and where the node sits (slot index, overflow, firing). */
  declare wheelNext: Timer;
  /** @internal */
  declare wheelPrev: Timer;
  /** @internal */
  declare wheelTick: number;
  /** @internal */
  declare wheelPlace: number;

  constructor(owner: unknown, kind: number) {
    this.deadline = 0;
    this.owner = owner;
    this.kind = kind;
    this.wheelNext = this;
    this.wheelPrev = this;
    this.wheelTick = 0;
    this.wheelPlace = NOT_ARMED;
  }

  get armed(): boolean {
    return this.wheelPlace !== NOT_ARMED;
  }
}

function listEmpty(sentinel: Timer): boolean {
  return sentinel.wheelNext === sentinel;
}

function listAppend(sentinel: Timer, node: Timer): void {
  const last = sentinel.wheelPrev;
  node.wheelPrev = last;
  node.wheelNext = sentinel;
  last.wheelNext = node;
  sentinel.wheelPrev = node;
}

function listUnlink(node: Timer): void {
  node.wheelPrev.wheelNext = node.wheelNext;
  node.wheelNext.wheelPrev = node.wheelPrev;
  node.wheelNext = node;
  node.wheelPrev = node;
}

export class TimerWheel {
  private declare readonly slots: Timer[];
  private declare readonly occupied: Int32Array; // one bit per non-empty slot
  private declare readonly overflow: Timer;
  private declare readonly firing: Timer;
  /** Next tick to process (never beyond the tick of the latest now): every timer of the ticks below it has
   *  fired. A timer's tick is floor(deadline), or the current tick when that is earlier. */
  private declare current: number;
  private declare inSlots: number;
  private declare inOverflow: number;
  /** Lower bound on the tick at which the overflow must next be rescanned. */
  private declare overflowCheckAt: number;
  private declare overflowMinDeadline: number;
  private declare overflowMinValid: boolean;
  /** No slot holds a tick in [current, scanFrom): where searches for the next occupied slot may start. */
  private declare scanFrom: number;

  constructor(now: number) {
    if (!Number.isFinite(now)) throw new RangeError(`TimerWheel: bad now ${now}`);
    this.slots = new Array<Timer>(SLOTS);
    for (let i = 0; i < SLOTS; i++) this.slots[i] = new Timer(null, -1);
    this.occupied = new Int32Array(SLOTS >> 5);
    this.overflow = new Timer(null, -1);
    this.firing = new Timer(null, -1);
    this.current = Math.floor(now);
    this.inSlots = 0;
    this.inOverflow = 0;
    this.overflowCheckAt = Infinity;
    this.overflowMinDeadline = Infinity;
    this.overflowMinValid = true;
    this.scanFrom = this.current;
  }

  /** Number of armed timers. */
  get size(): number {
    return this.inSlots + this.inOverflow;
  }

  /** Arms the timer for `deadline` (ms), moving it if it is already armed. It fires at the first advance()
   *  whose now >= deadline. */
  arm(timer: Timer, deadline: number): void {
    if (!Number.isFinite(deadline)) throw new RangeError(`TimerWheel.arm: bad deadline ${deadline}`);
    if (timer.wheelPlace !== NOT_ARMED) this.cancel(timer);
    let tick = Math.floor(deadline);
    if (tick < this.current) tick = this.current;
    timer.deadline = deadline;
    timer.wheelTick = tick;
    if (tick - this.current < SLOTS) {
      this.insertSlot(timer, tick);
    } else {
      timer.wheelPlace = IN_OVERFLOW;
      listAppend(this.overflow, timer);
      this.inOverflow++;
      const checkAt = tick - SLOTS + 1;
      if (checkAt < this.overflowCheckAt) this.overflowCheckAt = checkAt;
      if (this.overflowMinValid && deadline < this.overflowMinDeadline) this.overflowMinDeadline = deadline;
    }
  }

  /** Disarms the timer; no-op when it is not armed. */
  cancel(timer: Timer): void {
    const place = timer.wheelPlace;
    if (place === NOT_ARMED) return;
    listUnlink(timer);
    timer.wheelPlace = NOT_ARMED;
    if (place === IN_OVERFLOW) {
      this.inOverflow--;
      if (timer.deadline === this.overflowMinDeadline) this.overflowMinValid = false;
    } else {
      this.inSlots--;
      if (place !== IN_FIRING && listEmpty(this.slots[place])) {
        this.occupied[place >> 5] &= ~(1 << (place & 31));
      }
    }
  }

  /**
   * Fires every timer whose deadline <= now, tick by tick (order within a tick is unspecified). Each timer is
   * disarmed before fire() sees it; fire may re-arm it or arm/cancel others. Returns the number fired.
   */
  advance(now: number, fire: (timer: Timer) => void): number {
    const target = Math.floor(now);
    let fired = 0;
    while (this.current <= target) {
      if (this.inOverflow > 0 && this.current >= this.overflowCheckAt) this.rescanOverflow();
      let stop = target;
      if (this.inOverflow > 0 && this.overflowCheckAt - 1 < stop) stop = this.overflowCheckAt - 1;
      if (stop - this.current >= SLOTS) stop = this.current + SLOTS - 1;
      const from = this.scanFrom > this.current ? this.scanFrom : this.current;
      const tick = this.inSlots > 0 && from <= stop ? this.findOccupied(from, stop) : -1;
      if (tick < 0) {
        // The tick of `now` stays current: a deadline <= now armed later still lands in a tick that fires.
        if (stop >= target) {
          this.current = target;
          break;
        }
        this.current = stop + 1;
        continue;
      }
      // Move the due timers to the firing list first, so timers that fire() re-arms land in the wheel again.
      // Only the tick of `now` itself can hold timers not yet due (deadline in (now, tick + 1)).
      const index = tick & MASK;
      const slot = this.slots[index];
      const firing = this.firing;
      const last = tick === target;
      this.current = last ? tick : tick + 1;
      let node = slot.wheelNext;
      while (node !== slot) {
        const next = node.wheelNext;
        if (!last || node.deadline <= now) {
          listUnlink(node);
          node.wheelPlace = IN_FIRING;
          listAppend(firing, node);
        }
        node = next;
      }
      if (listEmpty(slot)) this.occupied[index >> 5] &= ~(1 << (index & 31));
      while (!listEmpty(firing)) {
        const due = firing.wheelNext;
        listUnlink(due);
        due.wheelPlace = NOT_ARMED;
        this.inSlots--;
        fired++;
        fire(due);
      }
      if (last) break;
    }
    return fired;
  }

  /** Earliest armed deadline (ms), or Infinity when nothing is armed. Cost: a bitmap scan of at most
   *  SLOTS/32 words plus, when only far timers remain, an occasional pass over the overflow list. */
  nextDeadline(): number {
    if (this.inSlots > 0) {
      const from = this.scanFrom > this.current ? this.scanFrom : this.current;
      const tick = this.findOccupied(from, this.current + SLOTS - 1);
      this.scanFrom = tick >= 0 ? tick : this.current + SLOTS;
      if (tick >= 0) {
        const slot = this.slots[tick & MASK];
        let best = Infinity;
        for (let node = slot.wheelNext; node !== slot; node = node.wheelNext) {
          if (node.deadline < best) best = node.deadline;
        }
        return best;
      }
    }
    if (this.inOverflow === 0) return Infinity;
    if (!this.overflowMinValid) {
      let best = Infinity;
      const head = this.overflow;
      for (let node = head.wheelNext; node !== head; node = node.wheelNext) {
        if (node.deadline < best) best = node.deadline;
      }
      this.overflowMinDeadline = best;
      this.overflowMinValid = true;
    }
    return this.overflowMinDeadline;
  }

  private insertSlot(timer: Timer, tick: number): void {
    const index = tick & MASK;
    timer.wheelPlace = index;
    listAppend(this.slots[index], timer);
    this.occupied[index >> 5] |= 1 << (index & 31);
    this.inSlots++;
    if (tick < this.scanFrom) this.scanFrom = tick;
  }

  /** Moves overflow timers due within one revolution into their slots (called with current <= every
   *  overflow tick). The next rescan is due when the earliest remaining tick comes within reach, but not
   *  before half a revolution from now, which bounds the rescan cost. */
  private rescanOverflow(): void {
    const head = this.overflow;
    const limit = this.current + SLOTS;
    let minTick = Infinity;
    let minDeadline = Infinity;
    let node = head.wheelNext;
    while (node !== head) {
      const next = node.wheelNext;
      if (node.wheelTick < limit) {
        listUnlink(node);
        this.inOverflow--;
        this.insertSlot(node, node.wheelTick);
      } else {
        if (node.wheelTick < minTick) minTick = node.wheelTick;
        if (node.deadline < minDeadline) minDeadline = node.deadline;
      }
      node = next;
    }
    this.overflowMinDeadline = minDeadline;
    this.overflowMinValid = true;
    if (this.inOverflow === 0) {
      this.overflowCheckAt = Infinity;
    } else {
      const due = minTick - SLOTS + 1;
      const halfTurn = this.current + (SLOTS >> 1);
      this.overflowCheckAt = due > halfTurn ? due : halfTurn;
    }
  }

  /** First tick in [from, to] (to - from < SLOTS) whose slot holds timers, or -1. */
  private findOccupied(from: number, to: number): number {
    const bits = this.occupied;
    let tick = from;
    while (tick <= to) {
      const index = tick & MASK;
      const word = bits[index >> 5] >>> (index & 31);
      if (word !== 0) {
        const found = tick + (31 - Math.clz32(word & -word));
        return found <= to ? found : -1;
      }
      tick += 32 - (index & 31);
    }
    return -1;
  }
}
