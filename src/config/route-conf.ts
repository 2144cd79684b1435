// mTCP's config/route.conf (mtcp-inventory §2.3, SetRoutingTableFromFile):
//   # (Destination address)/(Prefix) (Device name)
//   ROUTES 2
//   10.0.0.1/24 dpdk0
//   10.0.0.10/0 dpdk0      <- default gateway 10.0.0.10: prefix 0, must be the last entry
import { ConfigError } from './errors.js';
import { parseCidrText, parseIntegerText, prefixMaskOf, stripComment } from './values.js';

/** mTCP's MAX_ROUTE_ENTRY: static routes plus one automatic route per interface. */
export const MAX_ROUTE_ENTRIES = 64;

export interface RouteConfigEntry {
  /** Network address (already masked), or for prefix 0 the default gateway's address. */
  readonly destination: number;
  readonly prefixLength: number;
  /** The port (device) the route leaves through. */
  readonly port: string;
  /** For prefix 0 entries: the gateway (the address written in the file); 0 otherwise (on-link route). */
  readonly gateway: number;
  readonly line: number;
}

/**
 * Parses route.conf text. `portNames` are the declared ports; an entry naming another device is an error.
 * Stricter than mTCP where mTCP silently misbehaves: entries before the ROUTES header, more or fewer entries
 * than announced, and anything after the /0 gateway entry are errors naming the line.
 */
export function parseRouteConf(text: string, fileName: string, portNames: readonly string[]): RouteConfigEntry[] {
  const entries: RouteConfigEntry[] = [];
  const lines = text.split(/\r?\n/);
  let announced = -1;
  let headerLine = 0;
  let gatewayLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripComment(lines[i]);
    if (line.length === 0) continue;
    const tokens = line.split(/[ \t]+/);
    if (tokens[0] === 'ROUTES') {
      if (announced >= 0) throw new ConfigError(fileName, lineNo, 'ROUTES', `second ROUTES header (first at line ${headerLine})`);
      const count = tokens.length === 2 ? parseIntegerText(tokens[1]) : NaN;
      if (!(count >= 0) || count > MAX_ROUTE_ENTRIES) {
        throw new ConfigError(fileName, lineNo, 'ROUTES', `expected "ROUTES N" with N in 0..${MAX_ROUTE_ENTRIES}, got "${line}"`);
      }
      announced = count;
      headerLine = lineNo;
      continue;
    }
    if (announced < 0) throw new ConfigError(fileName, lineNo, tokens[0], 'route entry before the "ROUTES N" header');
    if (entries.length >= announced) {
      throw new ConfigError(fileName, lineNo, tokens[0], `more entries than the ${announced} announced by ROUTES at line ${headerLine}`);
    }
    if (gatewayLine > 0) {
      throw new ConfigError(fileName, lineNo, tokens[0], `the default gateway entry (line ${gatewayLine}) must be the last entry`);
    }
    if (tokens.length !== 2) throw new ConfigError(fileName, lineNo, tokens[0], `expected "A.B.C.D/PREFIX DEVICE", got "${line}"`);
    const cidr = parseCidrText(tokens[0], true);
    if (cidr === null) throw new ConfigError(fileName, lineNo, tokens[0], 'bad destination: expected A.B.C.D/PREFIX with PREFIX 0..32');
    if (!portNames.includes(tokens[1])) {
      throw new ConfigError(fileName, lineNo, tokens[1], `unknown device: not a declared port (${portNames.join(', ') || 'none declared'})`);
    }
    const [ip, prefixLength] = cidr;
    if (prefixLength === 0) {
      if (ip === 0) throw new ConfigError(fileName, lineNo, tokens[0], 'default gateway address 0.0.0.0');
      gatewayLine = lineNo;
      entries.push({ destination: ip, prefixLength: 0, port: tokens[1], gateway: ip, line: lineNo });
    } else {
      entries.push({ destination: (ip & prefixMaskOf(prefixLength)) >>> 0, prefixLength, port: tokens[1], gateway: 0, line: lineNo });
    }
  }
  if (announced >= 0 && entries.length !== announced) {
    throw new ConfigError(fileName, headerLine, 'ROUTES', `announces ${announced} entries but the file has ${entries.length}`);
  }
  return entries;
}
