// Ephemeral port selection, RFC 6056 §3.3.3 Algorithm 3 ("double-hash port selection"): each destination
// (local IP, remote IP, remote port) starts at its own keyed offset F, and a table of counters indexed by a
// second keyed hash G makes consecutive connections to one destination take consecutive ports, so a port is
// reused for that destination as late as possible while other destinations' ports stay unpredictable.

import { SipHash24 } from './siphash.js';

/** Size of the counter table (RFC 6056 §3.3.3 suggests a few thousand entries). */
export const PORT_TABLE_LENGTH = 8192;
const PURPOSE_OFFSET = 0x504f5246; // "PORF"
const PURPOSE_INDEX = 0x504f5247; // "PORG"

export class EphemeralPorts {
  declare readonly low: number;
  declare readonly high: number;
  private declare readonly hash: SipHash24;
  private declare readonly table: Uint32Array;

  /** secret: at least 16 bytes (the first 16 key the hash). The range is [low, high], inclusive. */
  constructor(secret: Uint8Array, low = 1025, high = 65535) {
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
      throw new RangeError(`EphemeralPorts: bad range ${low}-${high}`);
    }
    this.low = low;
    this.high = high;
    this.hash = new SipHash24(secret);
    this.table = new Uint32Array(PORT_TABLE_LENGTH);
  }

  /** First port that isInUse() declines, trying every port of the range at most once; -1 when all are taken
   *  (EADDRNOTAVAIL). */
  pick(localIp: number, remoteIp: number, remotePort: number, isInUse: (port: number) => boolean): number {
    const count = this.high - this.low + 1;
    const offset = this.hash.hashWords(localIp, remoteIp, remotePort & 0xffff, PURPOSE_OFFSET);
    const index = this.hash.hashWords(localIp, remoteIp, remotePort & 0xffff, PURPOSE_INDEX) % PORT_TABLE_LENGTH;
    const table = this.table;
    for (let tried = 0; tried < count; tried++) {
      const port = this.low + ((offset + table[index]) % count);
      table[index] = (table[index] + 1) >>> 0;
      if (!isInUse(port)) return port;
    }
    return -1;
  }
}
