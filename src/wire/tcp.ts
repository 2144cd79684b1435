// TCP header view, option parser and header builder (RFC 9293 §3.1; options: MSS RFC 9293 §3.2, window scale
// and timestamps RFC 7323 §2-3, SACK-permitted and SACK RFC 2018 §2-3). One TcpView and one TcpOptions per
// core are reused for every segment: wrap() and parseOptions() allocate nothing.

import { read16, readInt32, write16, write32 } from './bytes.js';

export const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_URG = 0x20,
  TCP_ECE = 0x40, TCP_CWR = 0x80;
export const TCP_HEADER_MIN = 20;
/** Longest header: data offset 15 words. */
export const TCP_HEADER_MAX = 60;
export const TCP_OPTIONS_MAX = 40;
/** Four blocks is the most that fit in 40 bytes of options (RFC 2018 §3). */
export const MAX_SACK_BLOCKS = 4;

export const TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WINDOW_SCALE = 3, TCPOPT_SACK_PERMITTED = 4,
  TCPOPT_SACK = 5, TCPOPT_TIMESTAMP = 8;
const TCPOLEN_MSS = 4, TCPOLEN_WINDOW_SCALE = 3, TCPOLEN_SACK_PERMITTED = 2, TCPOLEN_TIMESTAMP = 10;

/** Parsed TCP options, or options to write. Reused: reset() clears it to "nothing present". */
export class TcpOptions {
  // Every field gets its value where it is declared. With this project's target (ES2022) TypeScript emits
  // declared-but-uninitialised fields as class fields that start as `undefined`; V8 then gives the field a
  // tagged representation. 32-bit wrap-around values (tsVal, tsEcr, SACK edges) are held in int32 form
  // (`x | 0`, see wire/bytes.ts readInt32), so every store is a small integer and allocates nothing.
  /** -1 = absent. */
  mss = -1;
  /** -1 = absent. Value as received; callers clamp to 14 per RFC 7323 §2.3. */
  windowScale = -1;
  sackPermitted = false;
  hasTimestamp = false;
  /** 32 bits in int32 form (`>>> 0` gives the unsigned value). */
  tsVal = 0;
  /** 32 bits in int32 form. */
  tsEcr = 0;
  sackCount = 0;
  /** left0, right0, left1, right1, ... (sequence numbers in int32 form). */
  readonly sackBlocks: Int32Array = new Int32Array(2 * MAX_SACK_BLOCKS);

  reset(): void {
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.hasTimestamp = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.sackCount = 0;
  }

  setTimestamp(tsVal: number, tsEcr: number): void {
    this.hasTimestamp = true;
    this.tsVal = tsVal | 0;
    this.tsEcr = tsEcr | 0;
  }

  /** Appends a SACK block [left, right); returns false when MAX_SACK_BLOCKS are already held. */
  addSackBlock(left: number, right: number): boolean {
    if (this.sackCount >= MAX_SACK_BLOCKS) return false;
    this.sackBlocks[2 * this.sackCount] = left;
    this.sackBlocks[2 * this.sackCount + 1] = right;
    this.sackCount++;
    return true;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A view of one TCP segment buf[off..off+len) (header + payload; len comes from the IP total length).
 * Getters read straight from the buffer; they are only meaningful after wrap() returned true.
 */
export class TcpView {
  // Fields are initialised where declared (see TcpOptions for why).
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  /** Re-points the view. False if the range exceeds buf, len < 20, data offset < 5 or header > len. */
  wrap(buf: Uint8Array, off: number, len: number): boolean {
    this.buf = buf;
    this.off = off;
    this.len = len;
    if (off < 0 || len < TCP_HEADER_MIN || off + len > buf.length) return false;
    const headerLength = (buf[off + 12] >>> 4) << 2;
    return headerLength >= TCP_HEADER_MIN && headerLength <= len;
  }

  get srcPort(): number { return read16(this.buf, this.off); }
  get dstPort(): number { return read16(this.buf, this.off + 2); }
  /** Sequence and acknowledgment numbers in int32 form (see readInt32); `>>> 0` gives the unsigned value. */
  get seq(): number { return readInt32(this.buf, this.off + 4); }
  get ack(): number { return readInt32(this.buf, this.off + 8); }
  /** Data offset in bytes (20..60). */
  get headerLength(): number { return (this.buf[this.off + 12] >>> 4) << 2; }
  /** CWR..FIN (the 8 low flag bits; the reserved bits are not included). */
  get flags(): number { return this.buf[this.off + 13]; }
  get window(): number { return read16(this.buf, this.off + 14); }
  get checksum(): number { return read16(this.buf, this.off + 16); }
  get urgentPointer(): number { return read16(this.buf, this.off + 18); }
  /** Absolute index of the first payload byte in buf. */
  get payloadOffset(): number { return this.off + this.headerLength; }
  get payloadLength(): number { return this.len - this.headerLength; }

  /**
   * Parses the options into `out` (reset first). Returns false when the option list is malformed: a length
   * byte missing, < 2 or running past the header, or a known kind with the wrong length (MSS 4, window
   * scale 3, SACK-permitted 2, timestamps 10, SACK 2 + 8n with 1 <= n <= 4). Unknown kinds are skipped by
   * their length (RFC 9293 §3.1: "must be prepared to handle an illegal option length"). EOL ends the list.
   */
  parseOptions(out: TcpOptions): boolean {
    out.reset();
    const b = this.buf;
    const end = this.off + this.headerLength;
    let i = this.off + TCP_HEADER_MIN;
    while (i < end) {
      const kind = b[i];
      if (kind === TCPOPT_EOL) return true;
      if (kind === TCPOPT_NOP) {
        i++;
        continue;
      }
      if (i + 1 >= end) return false;
      const optLen = b[i + 1];
      if (optLen < 2 || i + optLen > end) return false;
      switch (kind) {
        case TCPOPT_MSS:
          if (optLen !== TCPOLEN_MSS) return false;
          out.mss = read16(b, i + 2);
          break;
        case TCPOPT_WINDOW_SCALE:
          if (optLen !== TCPOLEN_WINDOW_SCALE) return false;
          out.windowScale = b[i + 2];
          break;
        case TCPOPT_SACK_PERMITTED:
          if (optLen !== TCPOLEN_SACK_PERMITTED) return false;
          out.sackPermitted = true;
          break;
        case TCPOPT_TIMESTAMP:
          if (optLen !== TCPOLEN_TIMESTAMP) return false;
          out.hasTimestamp = true;
          out.tsVal = readInt32(b, i + 2);
          out.tsEcr = readInt32(b, i + 6);
          break;
        case TCPOPT_SACK: {
          const blocks = (optLen - 2) >>> 3;
          if (blocks < 1 || blocks > MAX_SACK_BLOCKS || ((optLen - 2) & 7) !== 0) return false;
          const blocks32 = out.sackBlocks;
          for (let k = 0; k < blocks; k++) {
            blocks32[2 * k] = readInt32(b, i + 2 + 8 * k);
            blocks32[2 * k + 1] = readInt32(b, i + 6 + 8 * k);
          }
          out.sackCount = blocks;
          break;
        }
        default:
          break; // unknown: skipped by length
      }
      i += optLen;
    }
    return true;
  }
}

/** SACK blocks that fit after `used` option bytes: NOP, NOP, kind, length, then 8 bytes each. */
function sackBlocksThatFit(options: TcpOptions, used: number): number {
  if (options.sackCount <= 0) return 0;
  const room = (TCP_OPTIONS_MAX - used - 4) >> 3;
  if (room <= 0) return 0;
  return options.sackCount < room ? options.sackCount : room;
}

/** Bytes the timestamps option takes in every segment of a connection that uses it, with its padding (RFC 7323 §3). */
export const TS_OPTION_BYTES = 12;

/** Bytes of options writeTcpHeader() lays out for `options` (a multiple of 4, at most 40). */
export function tcpOptionsLength(options: TcpOptions): number {
  let n = 0;
  if (options.mss >= 0) n += 4;
  if (options.hasTimestamp) n += 12; // (SACKOK or NOP,NOP), TS
  else if (options.sackPermitted) n += 4; // NOP, NOP, SACKOK
  if (options.windowScale >= 0) n += 4; // NOP, WS
  const blocks = sackBlocksThatFit(options, n);
  if (blocks > 0) n += 4 + 8 * blocks;
  return n;
}

/**
 * Writes a TCP header (20 bytes + options, checksum field zeroed) at buf[off] and returns its length.
 * Options are laid out as Linux lays them out, each group 4-byte aligned so no padding is needed:
 * MSS; SACK-permitted with timestamps as (SACKOK, TS) or (NOP, NOP, TS), or SACK-permitted alone as
 * (NOP, NOP, SACKOK); (NOP, WS); (NOP, NOP, SACK blocks) with as many blocks as fit in 40 bytes.
 * Throws RangeError when the header does not fit in buf.
 */
export function writeTcpHeader(buf: Uint8Array, off: number, srcPort: number, dstPort: number, seq: number,
  ack: number, flags: number, window: number, urgentPointer: number, options: TcpOptions | null): number {
  const optLen = options === null ? 0 : tcpOptionsLength(options);
  const hl = TCP_HEADER_MIN + optLen;
  if (off < 0 || off + hl > buf.length) throw new RangeError(`writeTcpHeader: ${hl} bytes at ${off} exceed buffer length ${buf.length}`);
  write16(buf, off, srcPort);
  write16(buf, off + 2, dstPort);
  write32(buf, off + 4, seq);
  write32(buf, off + 8, ack);
  buf[off + 12] = (hl >>> 2) << 4;
  buf[off + 13] = flags;
  write16(buf, off + 14, window);
  buf[off + 16] = 0;
  buf[off + 17] = 0;
  write16(buf, off + 18, urgentPointer);
  if (options === null) return hl;
  let i = off + TCP_HEADER_MIN;
  if (options.mss >= 0) {
    buf[i] = TCPOPT_MSS; buf[i + 1] = TCPOLEN_MSS; write16(buf, i + 2, options.mss);
    i += 4;
  }
  if (options.hasTimestamp) {
    if (options.sackPermitted) {
      buf[i] = TCPOPT_SACK_PERMITTED; buf[i + 1] = TCPOLEN_SACK_PERMITTED;
    } else {
      buf[i] = TCPOPT_NOP; buf[i + 1] = TCPOPT_NOP;
    }
    buf[i + 2] = TCPOPT_TIMESTAMP; buf[i + 3] = TCPOLEN_TIMESTAMP;
    write32(buf, i + 4, options.tsVal);
    write32(buf, i + 8, options.tsEcr);
    i += 12;
  } else if (options.sackPermitted) {
    buf[i] = TCPOPT_NOP; buf[i + 1] = TCPOPT_NOP; buf[i + 2] = TCPOPT_SACK_PERMITTED; buf[i + 3] = TCPOLEN_SACK_PERMITTED;
    i += 4;
  }
  if (options.windowScale >= 0) {
    buf[i] = TCPOPT_NOP; buf[i + 1] = TCPOPT_WINDOW_SCALE; buf[i + 2] = TCPOLEN_WINDOW_SCALE; buf[i + 3] = options.windowScale;
    i += 4;
  }
  const blocks = sackBlocksThatFit(options, i - off - TCP_HEADER_MIN);
  if (blocks > 0) {
    buf[i] = TCPOPT_NOP; buf[i + 1] = TCPOPT_NOP; buf[i + 2] = TCPOPT_SACK; buf[i + 3] = 2 + 8 * blocks;
    i += 4;
    for (let k = 0; k < blocks; k++) {
      write32(buf, i, options.sackBlocks[2 * k]);
      write32(buf, i + 4, options.sackBlocks[2 * k + 1]);
      i += 8;
    }
  }
  return hl;
}

/** Writes the checksum field of the TCP header at buf[off]. */
export function setTcpChecksum(buf: Uint8Array, off: number, checksum: number): void {
  write16(buf, off + 16, checksum);
}
