// Hand-built Ethernet frames for the link tests (independent of src/wire/, which sits beside this layer).
// Not used on any data path.

import type { Link } from './link.js';

export const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** A locally administered unicast MAC 02:00:00:00:00:nn. */
export function mac(n: number): Uint8Array {
  return new Uint8Array([0x02, 0, 0, 0, (n >>> 8) & 0xff, n & 0xff]);
}

/** dst | src | EtherType | payload. */
export function ethernetFrame(dst: Uint8Array, src: Uint8Array, etherType: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set(dst, 0);
  frame.set(src, 6);
  frame[12] = etherType >>> 8;
  frame[13] = etherType & 0xff;
  frame.set(payload, 14);
  return frame;
}

/** A frame of EtherType 0x88b5 (IEEE local experimental) whose payload starts with a 32-bit sequence number. */
export function numberedFrame(dst: Uint8Array, src: Uint8Array, sequence: number, length = 64): Uint8Array {
  const payload = new Uint8Array(length - 14);
  new DataView(payload.buffer).setUint32(0, sequence >>> 0);
  for (let i = 4; i < payload.length; i++) payload[i] = (sequence + i) & 0xff;
  return ethernetFrame(dst, src, 0x88b5, payload);
}

/** RFC 1071 Internet checksum of bytes[offset, offset+length), plus an initial 32-bit partial sum. */
export function internetChecksum(bytes: Uint8Array, offset: number, length: number, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < length; i += 2) sum += (bytes[offset + i] << 8) | bytes[offset + i + 1];
  if (length & 1) sum += bytes[offset + length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** An ARP request (RFC 826) who-has targetIp tell senderIp, padded to 60 bytes. */
export function arpRequest(src: Uint8Array, senderIp: number, targetIp: number): Uint8Array {
  const p = new Uint8Array(46);
  const v = new DataView(p.buffer);
  v.setUint16(0, 1); // Ethernet
  v.setUint16(2, 0x0800);
  p[4] = 6;
  p[5] = 4;
  v.setUint16(6, 1); // request
  p.set(src, 8);
  v.setUint32(14, senderIp >>> 0);
  v.setUint32(24, targetIp >>> 0);
  return ethernetFrame(BROADCAST, src, 0x0806, p);
}

/** An IPv4/UDP frame with correct IPv4 header (RFC 791) and UDP (RFC 768) checksums. */
export function udpFrame(
  dst: Uint8Array, src: Uint8Array, srcIp: number, dstIp: number, srcPort: number, dstPort: number,
  data: Uint8Array, breakUdpChecksum = false,
): Uint8Array {
  const ipLength = 20 + 8 + data.length;
  const p = new Uint8Array(ipLength);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, ipLength);
  v.setUint16(4, 0x1234);
  v.setUint16(6, 0x4000); // DF
  p[8] = 64;
  p[9] = 17;
  v.setUint32(12, srcIp >>> 0);
  v.setUint32(16, dstIp >>> 0);
  v.setUint16(10, internetChecksum(p, 0, 20));
  v.setUint16(20, srcPort);
  v.setUint16(22, dstPort);
  v.setUint16(24, 8 + data.length);
  p.set(data, 28);
  const pseudo = ((srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 17 + 8 + data.length);
  let checksum = internetChecksum(p, 20, 8 + data.length, pseudo);
  if (checksum === 0) checksum = 0xffff;
  if (breakUdpChecksum) checksum = checksum ^ 0x5a5a;
  v.setUint16(26, checksum);
  return ethernetFrame(dst, src, 0x0800, p);
}

/** Reserves, copies and flushes `frames` through `link` in bursts; returns how many flush() reported sent. */
export function sendFrames(link: Link, frames: Uint8Array[]): number {
  let sent = 0;
  for (const frame of frames) {
    let offset = link.reserve(frame.length);
    if (offset < 0) {
      sent += link.flush();
      offset = link.reserve(frame.length);
      if (offset < 0) throw new Error(`sendFrames: ${link.name} refused a ${frame.length}-byte frame`);
    }
    link.tx.data.set(frame, offset);
  }
  return sent + link.flush();
}

/** Receives until receive() returns 0; returns copies of the frames (tests only). */
export function receiveAll(link: Link): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = link.receive(); n > 0; n = link.receive()) {
    for (let i = 0; i < n; i++) {
      const start = link.rx.offsets[i];
      out.push(link.rx.data.slice(start, start + link.rx.lengths[i]));
    }
  }
  return out;
}

export function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
