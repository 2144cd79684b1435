// struct sockaddr_in, struct in_addr and the socklen_t in/out box, modelled plainly. Fields keep C's names and
// C's byte order: sin_port and sin_addr.s_addr are in network order (use htons/htonl/inet_addr to fill them).

import { AF_INET, SOCKADDR_IN_SIZE } from './constants.js';
import { htonl, htons, ntohl, ntohs } from './byte-order.js';

/** struct in_addr { in_addr_t s_addr; } — s_addr in network order. */
export class InAddr {
  s_addr: number;
  constructor(s_addr = 0) {
    this.s_addr = s_addr >>> 0;
  }
}

/** struct sockaddr_in (16 bytes in C). The calls that return an address fill an object of this class in place. */
export class SockaddrIn {
  sin_family: number;
  /** Port in network order. */
  sin_port: number;
  sin_addr: InAddr;
  constructor(sin_family = 0, sin_port = 0, s_addr = 0) {
    this.sin_family = sin_family;
    this.sin_port = sin_port;
    this.sin_addr = new InAddr(s_addr);
  }
}

/** What the API accepts wherever C takes `struct sockaddr *` (only AF_INET exists in mTCP). */
export type Sockaddr = SockaddrIn;

/** socklen_t *: an in/out length box, e.g. `const len: Socklen = { value: SOCKADDR_IN_SIZE }`. */
export interface Socklen {
  value: number;
}

/** A new socklen_t box holding sizeof(struct sockaddr_in). */
export function socklen(value: number = SOCKADDR_IN_SIZE): Socklen {
  return { value };
}

/** An AF_INET address from a host-order IPv4 number and port (project convention) — a convenience, not in mTCP. */
export function sockaddrIn(hostIp: number, hostPort: number): SockaddrIn {
  return new SockaddrIn(AF_INET, htons(hostPort), htonl(hostIp));
}

/** The host-order IPv4 number of an address (project convention: a.b.c.d = a<<24|b<<16|c<<8|d). */
export function sockaddrHostIp(addr: SockaddrIn): number {
  return ntohl(addr.sin_addr.s_addr);
}

/** The host-order port of an address. */
export function sockaddrHostPort(addr: SockaddrIn): number {
  return ntohs(addr.sin_port);
}

/** Fills `addr` (if given) with AF_INET, host-order ip/port converted to network order; stores 16 in `len`. */
export function fillSockaddr(addr: SockaddrIn | null | undefined, len: Socklen | null | undefined, hostIp: number,
  hostPort: number): void {
  if (addr) {
    addr.sin_family = AF_INET;
    addr.sin_port = htons(hostPort);
    addr.sin_addr.s_addr = htonl(hostIp);
  }
  if (len) len.value = SOCKADDR_IN_SIZE;
}

/** True if `addr` has the shape of a struct sockaddr_in (numeric fields, an in_addr object): C would fault else. */
export function isSockaddrIn(addr: unknown): addr is SockaddrIn {
  if (typeof addr !== 'object' || addr === null) return false;
  const a = addr as SockaddrIn;
  return typeof a.sin_family === 'number' && typeof a.sin_port === 'number' && typeof a.sin_addr === 'object' &&
    a.sin_addr !== null && typeof a.sin_addr.s_addr === 'number';
}
