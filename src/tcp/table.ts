// The connection table: chained hash buckets keyed by a keyed hash of the 4-tuple (a number, never a string
// key per packet). Chains are intrusive (TcpConnection.hashNext), so insert and remove allocate nothing.

import type { TcpConnection } from './connection.js';

export class ConnectionTable {
  private buckets: Array<TcpConnection | null>;
  private mask: number;
  private readonly seed: number;
  count: number;

  constructor(seed: number) {
    this.buckets = new Array<TcpConnection | null>(1024).fill(null);
    this.mask = 1023;
    this.seed = seed >>> 0;
    this.count = 0;
  }

  /** Murmur3-style mix of the 4-tuple with a secret seed, so peers cannot aim at one bucket. */
  hash(localIp: number, localPort: number, remoteIp: number, remotePort: number): number {
    let h = Math.imul(remoteIp ^ this.seed, 0xcc9e2d51) ^ localIp;
    h = Math.imul(h ^ (h >>> 15), 0x1b873593) ^ ((localPort << 16) | remotePort);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  lookup(localIp: number, localPort: number, remoteIp: number, remotePort: number): TcpConnection | null {
    let c = this.buckets[this.hash(localIp, localPort, remoteIp, remotePort) & this.mask];
    while (c !== null) {
      if (c.remotePort === remotePort && c.remoteIp === remoteIp && c.localPort === localPort && c.localIp === localIp) return c;
      c = c.hashNext;
    }
    return null;
  }

  insert(c: TcpConnection): void {
    if (this.count >= this.buckets.length) this.grow();
    const i = c.hash & this.mask;
    c.hashNext = this.buckets[i];
    this.buckets[i] = c;
    c.inTable = true;
    this.count++;
  }

  remove(c: TcpConnection): void {
    if (!c.inTable) return;
    const i = c.hash & this.mask;
    let p = this.buckets[i];
    if (p === c) this.buckets[i] = c.hashNext;
    else {
      while (p !== null && p.hashNext !== c) p = p.hashNext;
      if (p !== null) p.hashNext = c.hashNext;
    }
    c.hashNext = null;
    c.inTable = false;
    this.count--;
  }

  /** Calls fn for every connection (rare operations only: listener close). fn may remove the connection. */
  forEach(fn: (c: TcpConnection) => void): void {
    for (let i = 0; i < this.buckets.length; i++) {
      let c = this.buckets[i];
      while (c !== null) {
        const next = c.hashNext;
        fn(c);
        c = next;
      }
    }
  }

  private grow(): void {
    const old = this.buckets;
    const size = old.length * 2;
    this.buckets = new Array<TcpConnection | null>(size).fill(null);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      let c = old[i];
      while (c !== null) {
        const next = c.hashNext;
        const j = c.hash & this.mask;
        c.hashNext = this.buckets[j];
        this.buckets[j] = c;
        c = next;
      }
    }
  }
}
