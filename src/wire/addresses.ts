// Text forms of IPv4 and MAC addresses. Not on the per-packet path: used by configuration, logs and tests.
// IPv4 addresses are unsigned 32-bit numbers (a.b.c.d = a<<24 | b<<16 | c<<8 | d, then >>> 0).

/**
 * Parses a dotted quad "a.b.c.d" (each part 0..255, decimal, no leading zeros so that "010" is never read
 * as octal the way inet_aton would). Returns the address as an unsigned 32-bit number, or -1.
 */
export function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // a virtual '.' ends the last part
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 0x30);
      digits++;
      if (part > 255) return -1;
    } else if (c === 0x2e) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value >>> 0 : -1;
}

export function formatIpv4(ip: number): string {
  return `${(ip >>> 24) & 0xff}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Parses "aa:bb:cc:dd:ee:ff" (exactly two hex digits per byte, ':' or '-' between, either case). */
export function parseMac(text: string): Uint8Array | null {
  if (text.length !== 17) return null;
  const sep = text.charCodeAt(2);
  if (sep !== 0x3a && sep !== 0x2d) return null;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = i * 3;
    if (i > 0 && text.charCodeAt(p - 1) !== sep) return null;
    const hi = hexValue(text.charCodeAt(p));
    const lo = hexValue(text.charCodeAt(p + 1));
    if (hi < 0 || lo < 0) return null;
    mac[i] = (hi << 4) | lo;
  }
  return mac;
}

/** Formats the 6 bytes at mac[off..off+6) as lower-case "aa:bb:cc:dd:ee:ff". */
export function formatMac(mac: Uint8Array, off = 0): string {
  if (off < 0 || off + 6 > mac.length) throw new RangeError(`formatMac: 6 bytes at ${off} exceed length ${mac.length}`);
  let s = '';
  for (let i = 0; i < 6; i++) {
    if (i > 0) s += ':';
    s += mac[off + i].toString(16).padStart(2, '0');
  }
  return s;
}

/** Network mask of a prefix length: 24 -> 0xffffff00, 0 -> 0, 32 -> 0xffffffff (all unsigned). */
export function prefixMask(prefixLength: number): number {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefixMask: prefix length ${prefixLength} is not an integer in 0..32`);
  }
  // A shift count of 32 is taken mod 32 in JS, so /0 is a special case.
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}
