// SYN cookies, RFC 4987 §3.6, in the classic layout: our ISN is
//   t mod 32 (5 bits) | MSS index (3 bits) | 24-bit keyed hash of the 4-tuple, the peer's ISN, t and the index,
// with t a counter of 64-second periods. The ACK that completes the handshake acknowledges cookie + 1; the
// cookie is accepted while t is the current or the previous period. Window scale and SACK-permitted, which the
// cookie cannot hold, ride in the low 5 bits of our SYN-ACK's TSval when the SYN had timestamps and come
// back in the TSecr of that ACK (RFC 7323 §3.2 echo).

import { SipHash24 } from './siphash.js';

/** MSS classes: Linux's IPv4 table {536, 1300, 1440, 1460} plus IPv6-minimum, jumbo and loopback sizes. */
export const SYN_COOKIE_MSS: readonly number[] = [536, 1220, 1300, 1440, 1460, 4312, 8960, 65495];
export const SYN_COOKIE_PERIOD_MS = 64000;
const PURPOSE_COOKIE = 0x434f4f4b; // "COOK"
const HASH_MASK = 0xffffff;
const TS_OPTION_BITS = 0x1f;
const TS_NO_WSCALE = 15;

export interface SynCookieOptions {
  windowScale: number;
  sackPermitted: boolean;
}

export class SynCookies {
  private declare readonly hash: SipHash24;

  /** secret: at least 16 bytes (the first 16 key the hash). */
  constructor(secret: Uint8Array) {
    this.hash = new SipHash24(secret);
  }

  /** Index of the largest MSS class <= mss (the smallest class for anything below it). */
  static mssIndex(mss: number): number {
    let index = 0;
    for (let i = 1; i < SYN_COOKIE_MSS.length; i++) if (SYN_COOKIE_MSS[i] <= mss) index = i;
    return index;
  }

  /** Our ISN for the SYN-ACK answering a SYN with sequence peerIsn that offered `mss`. */
  encode(localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number, mss: number,
    now: number): number {
    const t = Math.floor(now / SYN_COOKIE_PERIOD_MS);
    const index = SynCookies.mssIndex(mss);
    const h = this.mac(localIp, localPort, remoteIp, remotePort, peerIsn, t, index);
    return ((((t & 31) << 27) | (index << 24) | h) >>> 0);
  }

  /** `cookie` is the ACK's acknowledgment number minus 1, peerIsn its sequence number minus 1. Returns the MSS
   *  encoded, or -1 when the cookie is forged, altered or older than the previous period. */
  decode(localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number, cookie: number,
    now: number): number {
    const t = Math.floor(now / SYN_COOKIE_PERIOD_MS);
    const age = (t - (cookie >>> 27)) & 31;
    if (age > 1) return -1;
    const index = (cookie >>> 24) & 7;
    const h = this.mac(localIp, localPort, remoteIp, remotePort, peerIsn, t - age, index);
    if (h !== (cookie & HASH_MASK)) return -1;
    return SYN_COOKIE_MSS[index];
  }

  /** TSval for the SYN-ACK (ms clock = floor(now)): low 5 bits carry sack-ok (bit 4) and the window scale
   *  (bits 0-3, 15 = none), and the value never exceeds the clock so later TSvals keep increasing. A caller
   *  with a per-connection timestamp offset adds it here and subtracts it from the TSecr before decoding. */
  encodeTimestamp(now: number, windowScale: number, sackPermitted: boolean): number {
    if (windowScale > 14 || windowScale < -1 || !Number.isInteger(windowScale)) {
      throw new RangeError(`SynCookies.encodeTimestamp: bad window scale ${windowScale}`);
    }
    const clock = Math.floor(now) >>> 0;
    const bits = (sackPermitted ? 0x10 : 0) | (windowScale < 0 ? TS_NO_WSCALE : windowScale);
    let ts = ((clock & ~TS_OPTION_BITS) | bits) >>> 0;
    if (ts > clock) ts = (ts - 32) >>> 0;
    return ts;
  }

  decodeTimestamp(tsEcr: number, out: SynCookieOptions): void {
    const scale = tsEcr & 0xf;
    out.windowScale = scale === TS_NO_WSCALE ? -1 : scale > 14 ? 14 : scale;
    out.sackPermitted = (tsEcr & 0x10) !== 0;
  }

  private mac(localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number, t: number,
    index: number): number {
    const ports = ((localPort & 0xffff) << 16) | (remotePort & 0xffff);
    return this.hash.hashWords6(localIp, remoteIp, ports, peerIsn, t, PURPOSE_COOKIE ^ index) & HASH_MASK;
  }
}
