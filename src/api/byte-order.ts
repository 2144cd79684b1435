// Byte-order helpers and inet_addr/inet_ntoa with the exact C semantics of the host Node runs on (mTCP runs on
// little-endian x86). A "network order" number is the 32-bit (or 16-bit) value whose in-memory bytes are in network
// order, i.e. what C code stores in sin_addr.s_addr and sin_port.

import { endianness } from 'node:os';
import { INADDR_NONE } from './constants.js';

const LITTLE_ENDIAN = endianness() === 'LE';

function swap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;
}

/** htons(3): host to network order, 16 bits (the argument is truncated to 16 bits as uint16_t). */
export function htons(hostshort: number): number {
  return LITTLE_ENDIAN ? swap16(hostshort & 0xffff) : hostshort & 0xffff;
}
/** ntohs(3). */
export function ntohs(netshort: number): number {
  return htons(netshort);
}
/** htonl(3): host to network order, 32 bits; the result is unsigned. */
export function htonl(hostlong: number): number {
  return LITTLE_ENDIAN ? swap32(hostlong >>> 0) : hostlong >>> 0;
}
/** ntohl(3). */
export function ntohl(netlong: number): number {
  return htonl(netlong);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
// isspace() in the C locale: space, \t \n \v \f \r.
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** strtoul(s+i, &end, 0) for a string that starts with a digit: value and end index; value -1 on overflow. */
function parseCNumber(s: string, i: number): { value: number; end: number } {
  let base = 10;
  if (s.charCodeAt(i) === 0x30) {
    const x = s.charCodeAt(i + 1) | 0x20;
    const h = s.charCodeAt(i + 2);
    if (x === 0x78 && hexValue(h) >= 0) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  let value = 0;
  let overflow = false;
  for (; i < s.length; i++) {
    const d = hexValue(s.charCodeAt(i));
    if (d < 0 || d >= base) break;
    value = value * base + d;
    if (value > 0xffffffff) overflow = true; // inet_aton rejects any part > 0xffffffff
  }
  return { value: overflow ? -1 : value, end: i };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * inet_aton(3) as glibc: "a.b.c.d", "a.b.c" (c is 16 bits), "a.b" (b is 24 bits) or "a" (32 bits); each part
 * decimal, octal (leading 0) or hexadecimal (0x); trailing whitespace and anything after it is ignored.
 * Returns the address as a host-order unsigned number, or -1 if the string is not an address.
 */
export function inetAtonHost(cp: string): number {
  const parts: number[] = [];
  let i = 0;
  let value: number;
  for (;;) {
    if (!isDigit(cp.charCodeAt(i))) return -1;
    const n = parseCNumber(cp, i);
    if (n.value < 0) return -1;
    value = n.value;
    i = n.end;
    if (cp.charCodeAt(i) === 0x2e) {
      if (parts.length > 2 || value > 0xff) return -1;
      parts.push(value);
      i++;
    } else {
      break;
    }
  }
  if (i < cp.length && !isSpace(cp.charCodeAt(i))) return -1;
  const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length];
  if (value > max) return -1;
  let addr = 0;
  for (let k = 0; k < parts.length; k++) addr += parts[k] * 2 ** (24 - 8 * k);
  return (addr + value) >>> 0;
}

/**
 * inet_addr(3): the address in network order, or INADDR_NONE (0xffffffff) when `cp` is not valid. As in C,
 * "255.255.255.255" also gives INADDR_NONE: use inet_aton-style parsing (inetAtonHost) to tell them apart.
 */
export function inet_addr(cp: string): number {
  const host = inetAtonHost(cp);
  return host < 0 ? INADDR_NONE : htonl(host);
}

/** struct in_addr. `s_addr` is in network order. */
export interface InAddrLike {
  s_addr: number;
}

/** inet_ntoa(3): dotted-quad text of an address in network order (an in_addr or its s_addr number). */
export function inet_ntoa(inAddr: InAddrLike | number): string {
  const net = typeof inAddr === 'number' ? inAddr : inAddr.s_addr;
  const h = ntohl(net >>> 0);
  return `${h >>> 24}.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${h & 0xff}`;
}
