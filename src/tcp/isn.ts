// Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
// M a timer ticking every 4 microseconds, F a keyed PRF (SipHash-2-4 here). Distinct 4-tuples get unrelated
// sequence spaces; one 4-tuple's ISNs advance with the clock, so a new incarnation starts above the old one.

import { SipHash24 } from './siphash.js';

/** Domain separation: the same secret keys ISNs, SYN cookies and port offsets. */
const PURPOSE_ISN = 0x49534e31; // "ISN1"

export class IsnGenerator {
  private declare readonly hash: SipHash24;

  /** secret: at least 16 bytes (the first 16 key the hash). */
  constructor(secret: Uint8Array) {
    this.hash = new SipHash24(secret);
  }

  /** now in ms (monotonic); the result is an unsigned 32-bit sequence number. */
  next(localIp: number, localPort: number, remoteIp: number, remotePort: number, now: number): number {
    const f = this.hash.hashWords(localIp, remoteIp, ((localPort & 0xffff) << 16) | (remotePort & 0xffff), PURPOSE_ISN);
    const m = Math.floor(now * 250); // 4 µs ticks
    return (m + f) >>> 0;
  }
}
