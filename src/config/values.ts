// Value parsers shared by the mtcp.conf, route.conf and arp.conf readers. config/ is a leaf module, so it
// carries its own small address parsers instead of importing wire/. Each returns a sentinel on bad input;
// callers turn that into a ConfigError naming file, line and key.

/**
 * Dotted-quad IPv4 text to an unsigned 32-bit number; -1 when the text is not exactly a.b.c.d (0..255 each).
 * Leading zeros are refused: inet_addr (which mTCP uses) would read "010" as octal 8.
 */
export function parseIpv4Text(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let ip = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return -1;
    const value = Number(part);
    if (value > 255) return -1;
    ip = ip * 256 + value;
  }
  return ip >>> 0;
}

export function formatIpv4Text(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** "A.B.C.D/LEN" to [ip, prefixLength]; null if malformed or LEN not in 0..32. `requirePrefix` as arp.conf does. */
export function parseCidrText(text: string, requirePrefix: boolean): [number, number] | null {
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (requirePrefix) return null;
    const ip = parseIpv4Text(text);
    return ip < 0 ? null : [ip, 32];
  }
  const ip = parseIpv4Text(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (ip < 0 || !/^[0-9]{1,2}$/.test(lengthText)) return null;
  const prefixLength = Number(lengthText);
  return prefixLength > 32 ? null : [ip, prefixLength];
}

/** Netmask of a prefix length, unsigned: 24 -> 0xffffff00, 0 -> 0. */
export function prefixMaskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** "aa:bb:cc:dd:ee:ff" (six 1- or 2-digit hex bytes, as mTCP's sscanf("%x:...") accepts) to 6 bytes; null if bad. */
export function parseMacText(text: string): Uint8Array | null {
  const parts = text.split(':');
  if (parts.length !== 6) return null;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i])) return null;
    mac[i] = parseInt(parts[i], 16);
  }
  return mac;
}

export function formatMacText(mac: Uint8Array): string {
  let text = '';
  for (let i = 0; i < 6; i++) text += (i > 0 ? ':' : '') + mac[i].toString(16).padStart(2, '0');
  return text;
}

/** A decimal integer (optional leading '-'), nothing else; NaN otherwise. mTCP's mystrtol exits on garbage. */
export function parseIntegerText(text: string): number {
  if (!/^-?[0-9]{1,15}$/.test(text)) return NaN;
  return Number(text);
}

/** A finite decimal number such as 0.05, 5, 1e-3; NaN otherwise. */
export function parseDecimalText(text: string): number {
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(text)) return NaN;
  return Number(text);
}

/** "HOST:PORT" (HOST may be "[v6]"); null when the port is not 1..65535 or the host is empty. */
export function parseEndpointText(text: string): { host: string; port: number } | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0 || !/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

/** Strips a '#' comment (anywhere in the line, as mTCP does) and surrounding whitespace. */
export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}
