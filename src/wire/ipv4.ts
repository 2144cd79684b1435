// IPv4 header view and builder (RFC 791 §3.1). Options are not interpreted: the view honours the header
// length and skips them (mTCP does the same). The header checksum is verified in wrap() unless the caller
// says the NIC already did.

import { read16, read32 } from './bytes.js';
import { onesComplementSum, finishChecksum } from './checksum.js';

export const IPV4_HEADER_MIN = 20;
export const IPV4_HEADER_MAX = 60;
export const IP_PROTO_ICMP = 1, IP_PROTO_TCP = 6, IP_PROTO_UDP = 17;

/** wrap() results. */
export const IPV4_OK = 0;
/** Fewer than 20 bytes, or the range runs past the buffer. */
export const IPV4_ERR_TRUNCATED = 1;
export const IPV4_ERR_VERSION = 2;
/** IHL < 5, or the header is longer than the bytes available. */
export const IPV4_ERR_HEADER_LENGTH = 3;
/** Total length larger than the bytes available, or smaller than the header. */
export const IPV4_ERR_TOTAL_LENGTH = 4;
export const IPV4_ERR_CHECKSUM = 5;

const ERROR_NAMES = ['ok', 'truncated', 'bad version', 'bad header length', 'bad total length', 'bad header checksum'];

/** A short text for an IPV4_ERR_* code, for logs and counters. */
export function ipv4ErrorName(code: number): string {
  return code >= 0 && code < ERROR_NAMES.length ? ERROR_NAMES[code] : `unknown error ${code}`;
}

const FLAG_DF = 0x4000, FLAG_MF = 0x2000, FRAGMENT_OFFSET_MASK = 0x1fff;
const EMPTY = new Uint8Array(0);

/**
 * A view of the IPv4 packet in buf[off..off+len) (len = bytes available, e.g. the Ethernet payload, which
 * may include padding). Getters read straight from the buffer and are only meaningful after wrap() == 0.
 */
export class Ipv4View {
  // Fields are initialised where declared (see TcpOptions in tcp.ts for why).
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  /**
   * Re-points the view and validates the header: returns IPV4_OK (0) or an IPV4_ERR_* code. Pass
   * verifyChecksum = false when the link already verified the header checksum.
   */
  wrap(buf: Uint8Array, off: number, len: number, verifyChecksum = true): number {
    this.buf = buf;
    this.off = off;
    this.len = len;
    if (off < 0 || len < IPV4_HEADER_MIN || off + len > buf.length) return IPV4_ERR_TRUNCATED;
    const vihl = buf[off];
    if (vihl >>> 4 !== 4) return IPV4_ERR_VERSION;
    const headerLength = (vihl & 0x0f) << 2;
    if (headerLength < IPV4_HEADER_MIN || headerLength > len) return IPV4_ERR_HEADER_LENGTH;
    const totalLength = read16(buf, off + 2);
    if (totalLength > len || totalLength < headerLength) return IPV4_ERR_TOTAL_LENGTH;
    if (verifyChecksum && finishChecksum(onesComplementSum(buf, off, headerLength, 0)) !== 0) return IPV4_ERR_CHECKSUM;
    return IPV4_OK;
  }

  get version(): number { return this.buf[this.off] >>> 4; }
  /** IHL in bytes (20..60). */
  get headerLength(): number { return (this.buf[this.off] & 0x0f) << 2; }
  /** The whole second byte (DSCP << 2 | ECN). */
  get tos(): number { return this.buf[this.off + 1]; }
  get totalLength(): number { return read16(this.buf, this.off + 2); }
  get identification(): number { return read16(this.buf, this.off + 4); }
  get dontFragment(): boolean { return (read16(this.buf, this.off + 6) & FLAG_DF) !== 0; }
  get moreFragments(): boolean { return (read16(this.buf, this.off + 6) & FLAG_MF) !== 0; }
  /** Fragment offset in bytes (the field counts 8-byte units). */
  get fragmentOffset(): number { return (read16(this.buf, this.off + 6) & FRAGMENT_OFFSET_MASK) << 3; }
  get ttl(): number { return this.buf[this.off + 8]; }
  get protocol(): number { return this.buf[this.off + 9]; }
  get headerChecksum(): number { return read16(this.buf, this.off + 10); }
  /** Unsigned 32-bit. */
  get src(): number { return read32(this.buf, this.off + 12); }
  /** Unsigned 32-bit. */
  get dst(): number { return read32(this.buf, this.off + 16); }
  /** Absolute index of the first payload byte in buf. */
  get payloadOffset(): number { return this.off + this.headerLength; }
  /** From the total length, so Ethernet padding is excluded. */
  get payloadLength(): number { return this.totalLength - this.headerLength; }
  /** MF set or a non-zero offset: part of a fragmented datagram (this stack does not reassemble). */
  get isFragment(): boolean { return (read16(this.buf, this.off + 6) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) !== 0; }
}

/** Header checksum of the IPv4 header at buf[off] (IHL honoured), computed with the checksum field skipped. */
export function ipv4HeaderChecksum(buf: Uint8Array, off: number): number {
  const headerLength = (buf[off] & 0x0f) << 2;
  const acc = onesComplementSum(buf, off, 10, 0);
  return finishChecksum(onesComplementSum(buf, off + 12, headerLength - 12, acc));
}

/**
 * Writes a 20-byte IPv4 header (version 4, IHL 5, TOS 0, no fragmentation) with its checksum at buf[off];
 * returns 20. Total length = 20 + payloadLength. Throws RangeError when it does not fit in buf or the
 * total length exceeds 65535.
 */
export function writeIpv4Header(buf: Uint8Array, off: number, src: number, dst: number, protocol: number,
  payloadLength: number, ttl: number, identification: number, dontFragment: boolean): number {
  const total = IPV4_HEADER_MIN + payloadLength;
  if (off < 0 || off + IPV4_HEADER_MIN > buf.length) throw new RangeError(`writeIpv4Header: 20 bytes at ${off} exceed buffer length ${buf.length}`);
  if (payloadLength < 0 || total > 0xffff) throw new RangeError(`writeIpv4Header: total length ${total} out of range`);
  buf[off] = 0x45;
  buf[off + 1] = 0;
  buf[off + 2] = total >>> 8;
  buf[off + 3] = total;
  buf[off + 4] = identification >>> 8;
  buf[off + 5] = identification;
  buf[off + 6] = dontFragment ? FLAG_DF >>> 8 : 0;
  buf[off + 7] = 0;
  buf[off + 8] = ttl;
  buf[off + 9] = protocol;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  buf[off + 12] = src >>> 24;
  buf[off + 13] = src >>> 16;
  buf[off + 14] = src >>> 8;
  buf[off + 15] = src;
  buf[off + 16] = dst >>> 24;
  buf[off + 17] = dst >>> 16;
  buf[off + 18] = dst >>> 8;
  buf[off + 19] = dst;
  const checksum = finishChecksum(onesComplementSum(buf, off, IPV4_HEADER_MIN, 0));
  buf[off + 10] = checksum >>> 8;
  buf[off + 11] = checksum;
  return IPV4_HEADER_MIN;
}
