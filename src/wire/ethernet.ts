// Ethernet II header view and builder (IEEE 802.3 clause 3.2.6 "Length/Type" >= 0x0600 is a type). Frames
// carry no FCS. VLAN tags are not interpreted: a tagged frame shows ethertype 0x8100 and upper layers drop it.

export const ETH_HEADER_LEN = 14;
export const ETH_ADDR_LEN = 6;
export const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_VLAN = 0x8100, ETHERTYPE_IPV6 = 0x86dd;
/** Smallest Length/Type value that is an ethertype; below it the field is an 802.3 length. */
const ETHERTYPE_MIN = 0x0600;
/** Frames shorter than this (without FCS) are padded by the sender (IEEE 802.3 minimum frame 64 with FCS). */
export const ETH_MIN_FRAME = 60;

export const BROADCAST_MAC: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ZERO_MAC: Uint8Array = new Uint8Array(6);

const EMPTY = new Uint8Array(0);

/** True when the 6 bytes at a[aOff] equal those at b[bOff]. */
export function macEquals(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  return a[aOff] === b[bOff] && a[aOff + 1] === b[bOff + 1] && a[aOff + 2] === b[bOff + 2] &&
    a[aOff + 3] === b[bOff + 3] && a[aOff + 4] === b[bOff + 4] && a[aOff + 5] === b[bOff + 5];
}

/** Copies the 6-byte MAC at src[srcOff] to dst[dstOff] (no subarray, no allocation). */
export function copyMac(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number): void {
  dst[dstOff] = src[srcOff];
  dst[dstOff + 1] = src[srcOff + 1];
  dst[dstOff + 2] = src[srcOff + 2];
  dst[dstOff + 3] = src[srcOff + 3];
  dst[dstOff + 4] = src[srcOff + 4];
  dst[dstOff + 5] = src[srcOff + 5];
}

/** A view of the frame buf[off..off+len). Getters are only meaningful after wrap() returned true. */
export class EthernetView {
  // Fields are initialised where declared (see TcpOptions in tcp.ts for why).
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  /** False if the range exceeds buf, len < 14, or the Length/Type field is an 802.3 length (< 0x0600). */
  wrap(buf: Uint8Array, off: number, len: number): boolean {
    this.buf = buf;
    this.off = off;
    this.len = len;
    if (off < 0 || len < ETH_HEADER_LEN || off + len > buf.length) return false;
    return ((buf[off + 12] << 8) | buf[off + 13]) >= ETHERTYPE_MIN;
  }

  /** Absolute index of the destination MAC in buf. */
  get dstOffset(): number { return this.off; }
  /** Absolute index of the source MAC in buf. */
  get srcOffset(): number { return this.off + 6; }
  get ethertype(): number { return (this.buf[this.off + 12] << 8) | this.buf[this.off + 13]; }
  get payloadOffset(): number { return this.off + ETH_HEADER_LEN; }
  /** Everything after the header, including any padding (the IP total length tells the real size). */
  get payloadLength(): number { return this.len - ETH_HEADER_LEN; }
  get isBroadcast(): boolean { return macEquals(this.buf, this.off, BROADCAST_MAC, 0); }
  /** Group bit of the destination (broadcast included). */
  get isMulticast(): boolean { return (this.buf[this.off] & 1) !== 0; }
}

/** Writes dst MAC, src MAC and ethertype at buf[off]; returns 14. Throws RangeError when it does not fit. */
export function writeEthernetHeader(buf: Uint8Array, off: number, dst: Uint8Array, src: Uint8Array, ethertype: number): number {
  return writeEthernetHeaderFrom(buf, off, dst, 0, src, 0, ethertype);
}

/**
 * As writeEthernetHeader, with the MACs taken at offsets (e.g. a reply addressed to the source MAC of a
 * received frame, read straight from the receive buffer).
 */
export function writeEthernetHeaderFrom(buf: Uint8Array, off: number, dst: Uint8Array, dstOff: number,
  src: Uint8Array, srcOff: number, ethertype: number): number {
  if (off < 0 || off + ETH_HEADER_LEN > buf.length) throw new RangeError(`writeEthernetHeader: 14 bytes at ${off} exceed buffer length ${buf.length}`);
  if (dstOff < 0 || dstOff + 6 > dst.length || srcOff < 0 || srcOff + 6 > src.length) throw new RangeError('writeEthernetHeader: MAC out of range');
  // Destination first, so an in-place reply may pass the received frame's own source MAC (buf, off + 6) as dst.
  copyMac(buf, off, dst, dstOff);
  copyMac(buf, off + 6, src, srcOff);
  buf[off + 12] = ethertype >>> 8;
  buf[off + 13] = ethertype;
  return ETH_HEADER_LEN;
}
