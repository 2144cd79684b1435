// ARP for Ethernet and IPv4 only (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4.

import { read32, write32 } from './bytes.js';
import { copyMac } from './ethernet.js';

export const ARP_LEN = 28, ARP_REQUEST = 1, ARP_REPLY = 2;
const ARP_HTYPE_ETHERNET = 1, ARP_PTYPE_IPV4 = 0x0800;
const EMPTY = new Uint8Array(0);

/** A view of an ARP packet at buf[off..off+len). Getters are only meaningful after wrap() returned true. */
export class ArpView {
  // Fields are initialised where declared (see TcpOptions in tcp.ts for why).
  buf: Uint8Array = EMPTY;
  off = 0;
  len = 0;

  /**
   * False if the range exceeds buf, len < 28, the packet is not Ethernet/IPv4 (htype 1, ptype 0x0800,
   * hlen 6, plen 4), or the operation is neither request nor reply. Trailing padding is allowed.
   */
  wrap(buf: Uint8Array, off: number, len: number): boolean {
    this.buf = buf;
    this.off = off;
    this.len = len;
    if (off < 0 || len < ARP_LEN || off + len > buf.length) return false;
    if (((buf[off] << 8) | buf[off + 1]) !== ARP_HTYPE_ETHERNET) return false;
    if (((buf[off + 2] << 8) | buf[off + 3]) !== ARP_PTYPE_IPV4) return false;
    if (buf[off + 4] !== 6 || buf[off + 5] !== 4) return false;
    const op = (buf[off + 6] << 8) | buf[off + 7];
    return op === ARP_REQUEST || op === ARP_REPLY;
  }

  get operation(): number { return (this.buf[this.off + 6] << 8) | this.buf[this.off + 7]; }
  /** Absolute index of the sender hardware address in buf. */
  get senderMacOffset(): number { return this.off + 8; }
  get senderIp(): number { return read32(this.buf, this.off + 14); }
  /** Absolute index of the target hardware address in buf. */
  get targetMacOffset(): number { return this.off + 18; }
  get targetIp(): number { return read32(this.buf, this.off + 24); }
}

/** Writes a 28-byte Ethernet/IPv4 ARP packet at buf[off]; returns 28. targetMac is all zeros in a request. */
export function writeArp(buf: Uint8Array, off: number, operation: number, senderMac: Uint8Array, senderIp: number,
  targetMac: Uint8Array, targetIp: number): number {
  return writeArpFrom(buf, off, operation, senderMac, 0, senderIp, targetMac, 0, targetIp);
}

/** As writeArp, with the MACs taken at offsets (e.g. the requester's MAC straight from the receive buffer). */
export function writeArpFrom(buf: Uint8Array, off: number, operation: number, senderMac: Uint8Array, senderMacOff: number,
  senderIp: number, targetMac: Uint8Array, targetMacOff: number, targetIp: number): number {
  if (off < 0 || off + ARP_LEN > buf.length) throw new RangeError(`writeArp: 28 bytes at ${off} exceed buffer length ${buf.length}`);
  if (senderMacOff < 0 || senderMacOff + 6 > senderMac.length || targetMacOff < 0 || targetMacOff + 6 > targetMac.length) {
    throw new RangeError('writeArp: MAC out of range');
  }
  buf[off] = 0;
  buf[off + 1] = ARP_HTYPE_ETHERNET;
  buf[off + 2] = ARP_PTYPE_IPV4 >>> 8;
  buf[off + 3] = ARP_PTYPE_IPV4 & 0xff;
  buf[off + 4] = 6;
  buf[off + 5] = 4;
  buf[off + 6] = operation >>> 8;
  buf[off + 7] = operation;
  // Target first, so an in-place reply may pass the request's own sender MAC (buf, off + 8) as targetMac.
  copyMac(buf, off + 18, targetMac, targetMacOff);
  write32(buf, off + 24, targetIp);
  copyMac(buf, off + 8, senderMac, senderMacOff);
  write32(buf, off + 14, senderIp);
  return ARP_LEN;
}
