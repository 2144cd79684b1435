// ICMPv4 (RFC 792): echo request/reply, destination unreachable, time exceeded. The checksum covers the
// whole ICMP message (header + data), with no pseudo-header.

import { read16, read32 } from './bytes.js';
import { onesComplementSum, finishChecksum, updateChecksum16 } from './checksum.js';

export const ICMP_ECHO_REPLY = 0, ICMP_DEST_UNREACH = 3, ICMP_ECHO_REQUEST = 8, ICMP_TIME_EXCEEDED = 11;
export const ICMP_UNREACH_NET = 0, ICMP_UNREACH_HOST = 1, ICMP_UNREACH_PROTOCOL = 2, ICMP_UNREACH_PORT = 3,
  ICMP_UNREACH_FRAG_NEEDED = 4;
export const ICMP_EXC_TTL = 0, ICMP_EXC_FRAGTIME = 1;
export const ICMP_HEADER_LEN = 8;
/** Bytes of the original datagram an error quotes beyond its IP header (RFC 792: "the first 64 bits"). */
export const ICMP_QUOTED_DATA = 8;

const EMPTY = new Uint8Array(0);

/** A view of the ICMP message buf[off..off+len) (len = IP payload length). */
export class IcmpView {
  // Fields are initialised where declared (see TcpOptions in tcp.ts for why).
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  /**
   * False if the range exceeds buf, len < 8, or (unless verifyChecksum is false) the checksum is wrong.
   * ICMP has no length of its own: a cut that removes a part summing to zero (e.g. a whole quoted datagram,
   * whose own checksums make it sum to zero) goes unnoticed, so take len from the IP total length.
   */
  wrap(buf: Uint8Array, off: number, len: number, verifyChecksum = true): boolean {
    this.buf = buf;
    this.off = off;
    this.len = len;
    if (off < 0 || len < ICMP_HEADER_LEN || off + len > buf.length) return false;
    return !verifyChecksum || finishChecksum(onesComplementSum(buf, off, len, 0)) === 0;
  }

  get type(): number { return this.buf[this.off]; }
  get code(): number { return this.buf[this.off + 1]; }
  get checksum(): number { return read16(this.buf, this.off + 2); }
  /** Echo identifier (bytes 4-5). */
  get identifier(): number { return read16(this.buf, this.off + 4); }
  /** Echo sequence number (bytes 6-7). */
  get sequence(): number { return read16(this.buf, this.off + 6); }
  /** Bytes 4-7 as an unsigned 32-bit number (unused, pointer, gateway or MTU depending on the type). */
  get restOfHeader(): number { return read32(this.buf, this.off + 4); }
  /** Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4; 0 from old routers). */
  get nextHopMtu(): number { return read16(this.buf, this.off + 6); }
  /** Absolute index of the data: echo payload, or the quoted datagram of an error. */
  get payloadOffset(): number { return this.off + ICMP_HEADER_LEN; }
  get payloadLength(): number { return this.len - ICMP_HEADER_LEN; }
}

/** Copies src[srcOff..+len) to dst[dstOff]; safe when both are the same array and the ranges overlap. */
function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (src === dst) {
    dst.copyWithin(dstOff, srcOff, srcOff + len);
    return;
  }
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
}

function fillChecksum(buf: Uint8Array, off: number, len: number): void {
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  const c = finishChecksum(onesComplementSum(buf, off, len, 0));
  buf[off + 2] = c >>> 8;
  buf[off + 3] = c;
}

/**
 * Writes an echo request or reply at buf[off] with payloadLen bytes of data copied from payload[payloadOff]
 * (or, when payload is null, already in place at buf[off + 8]). Fills the checksum; returns 8 + payloadLen.
 */
export function writeIcmpEcho(buf: Uint8Array, off: number, type: number, identifier: number, sequence: number,
  payload: Uint8Array | null, payloadOff: number, payloadLen: number): number {
  const total = ICMP_HEADER_LEN + payloadLen;
  if (off < 0 || payloadLen < 0 || off + total > buf.length) throw new RangeError(`writeIcmpEcho: ${total} bytes at ${off} exceed buffer length ${buf.length}`);
  if (payload !== null) {
    if (payloadOff < 0 || payloadOff + payloadLen > payload.length) throw new RangeError('writeIcmpEcho: payload range out of bounds');
    copyBytes(buf, off + ICMP_HEADER_LEN, payload, payloadOff, payloadLen);
  }
  buf[off] = type;
  buf[off + 1] = 0;
  buf[off + 4] = identifier >>> 8;
  buf[off + 5] = identifier;
  buf[off + 6] = sequence >>> 8;
  buf[off + 7] = sequence;
  fillChecksum(buf, off, total);
  return total;
}

/**
 * Writes a destination-unreachable or time-exceeded message at buf[off], quoting the original datagram's
 * IP header plus its first 8 data bytes (RFC 792), or fewer if the datagram is shorter. restOfHeader fills
 * bytes 4-7 (for ICMP_UNREACH_FRAG_NEEDED: the next-hop MTU in the low 16 bits, RFC 1191 §4).
 * Fills the checksum; returns the ICMP length. Throws RangeError when `original` is not an IPv4 header.
 */
export function writeIcmpError(buf: Uint8Array, off: number, type: number, code: number, original: Uint8Array,
  origOff: number, origLen: number, restOfHeader = 0): number {
  if (origOff < 0 || origLen < 20 || origOff + origLen > original.length) throw new RangeError('writeIcmpError: original datagram shorter than an IPv4 header');
  const ihl = (original[origOff] & 0x0f) << 2;
  if (original[origOff] >>> 4 !== 4 || ihl < 20 || ihl > origLen) throw new RangeError('writeIcmpError: original is not an IPv4 datagram');
  const quoted = Math.min(origLen, ihl + ICMP_QUOTED_DATA);
  const total = ICMP_HEADER_LEN + quoted;
  if (off < 0 || off + total > buf.length) throw new RangeError(`writeIcmpError: ${total} bytes at ${off} exceed buffer length ${buf.length}`);
  copyBytes(buf, off + ICMP_HEADER_LEN, original, origOff, quoted);
  buf[off] = type;
  buf[off + 1] = code;
  buf[off + 4] = restOfHeader >>> 24;
  buf[off + 5] = restOfHeader >>> 16;
  buf[off + 6] = restOfHeader >>> 8;
  buf[off + 7] = restOfHeader;
  fillChecksum(buf, off, total);
  return total;
}

/**
 * Turns the echo request at buf[off] into an echo reply in place: type 8 -> 0, checksum patched with the
 * RFC 1624 update (identifier, sequence and data stay). Returns false (and changes nothing) if it is not an
 * echo request. The IP header (addresses swapped) is the caller's business.
 */
export function writeIcmpEchoReplyInPlace(buf: Uint8Array, off: number): boolean {
  if (off < 0 || off + ICMP_HEADER_LEN > buf.length || buf[off] !== ICMP_ECHO_REQUEST) return false;
  const code = buf[off + 1];
  const c = updateChecksum16(read16(buf, off + 2), (ICMP_ECHO_REQUEST << 8) | code, (ICMP_ECHO_REPLY << 8) | code);
  buf[off] = ICMP_ECHO_REPLY;
  buf[off + 2] = c >>> 8;
  buf[off + 3] = c;
  return true;
}
