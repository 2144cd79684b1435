// URLs as epwget takes them: "10.0.0.1/file", "10.0.0.1:8080/file" or "http://10.0.0.1/file". As in mTCP the
// host must be a dotted IPv4 address (no DNS); the port defaults to 80.

export interface TargetUrl {
  /** Host in host byte order, as an unsigned 32-bit number. */
  readonly ip: number;
  readonly host: string;
  readonly port: number;
  /** Origin-form request-target, starting with "/" (RFC 9112 §3.2.1). */
  readonly path: string;
}

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number, or returns -1. */
export function parseIpv4(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return -1;
  let ip = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return -1;
    ip = ip * 256 + octet;
  }
  return ip >>> 0;
}

export function formatIpv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** Parses an epwget URL; throws an Error that says what is wrong. */
export function parseTargetUrl(text: string): TargetUrl {
  let rest = text;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (scheme !== null) {
    if (scheme[1]!.toLowerCase() !== 'http') throw new Error(`unsupported URL scheme "${scheme[1]}" (only http)`);
    rest = rest.slice(scheme[0].length);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '/';
  if (authority.includes('@')) throw new Error('user information in URLs is not supported');
  let host = authority;
  let port = 80;
  const colon = authority.lastIndexOf(':');
  if (colon >= 0) {
    host = authority.slice(0, colon);
    const p = authority.slice(colon + 1);
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new Error(`invalid port "${p}" in URL`);
    port = Number(p);
  }
  const ip = parseIpv4(host);
  if (ip < 0) throw new Error(`URL host "${host}" is not a dotted IPv4 address (epwget does not resolve names)`);
  if (/[\s\x00-\x1f\x7f]/.test(path)) throw new Error('URL path contains whitespace or control characters');
  return { ip, host, port, path };
}

/**
 * The request epwget sends, one per connection as mTCP's does: HTTP/1.0 with "Connection: close"
 * (mtcp apps/example/epwget.c sends the same four header lines).
 */
export function buildGetRequest(url: TargetUrl): Uint8Array {
  const hostHeader = url.port === 80 ? url.host : `${url.host}:${url.port}`;
  return new TextEncoder().encode(
    `GET ${url.path} HTTP/1.0\r\n` +
      'User-Agent: mtcp-ts epwget\r\n' +
      'Accept: */*\r\n' +
      `Host: ${hostHeader}\r\n` +
      'Connection: Close\r\n\r\n',
  );
}
