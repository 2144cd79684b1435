// mTCP's config/arp.conf (mtcp-inventory §2.4, LoadARPTable):
//   # (Destination IP address/IP_prefix) (Destination MAC address)
//   ARP_ENTRY 2
//   10.0.0.1/32 00:00:00:00:00:01
import { ConfigError } from './errors.js';
import { parseCidrText, parseIntegerText, parseMacText, prefixMaskOf, stripComment } from './values.js';

/** mTCP's MAX_ARPENTRY. */
export const MAX_ARP_ENTRIES = 1024;

export interface ArpConfigEntry {
  /** Address (masked to the prefix). A prefix shorter than 32 maps a whole subnet to one MAC. */
  readonly ip: number;
  readonly prefixLength: number;
  readonly mac: Uint8Array;
  readonly line: number;
}

/**
 * Parses arp.conf text. The optional "ARP_ENTRY N" header (N > 0) must precede the entries; more entries than
 * N is an error, as in mTCP. Each entry needs the /prefix.
 */
export function parseArpConf(text: string, fileName: string): ArpConfigEntry[] {
  const entries: ArpConfigEntry[] = [];
  const lines = text.split(/\r?\n/);
  let announced = -1;
  let headerLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripComment(lines[i]);
    if (line.length === 0) continue;
    const tokens = line.split(/[ \t]+/);
    if (tokens[0] === 'ARP_ENTRY') {
      if (announced >= 0) throw new ConfigError(fileName, lineNo, 'ARP_ENTRY', `second ARP_ENTRY header (first at line ${headerLine})`);
      if (entries.length > 0) throw new ConfigError(fileName, lineNo, 'ARP_ENTRY', 'the ARP_ENTRY header must precede the entries');
      const count = tokens.length === 2 ? parseIntegerText(tokens[1]) : NaN;
      if (!(count > 0) || count > MAX_ARP_ENTRIES) {
        throw new ConfigError(fileName, lineNo, 'ARP_ENTRY', `expected "ARP_ENTRY N" with N in 1..${MAX_ARP_ENTRIES}, got "${line}"`);
      }
      announced = count;
      headerLine = lineNo;
      continue;
    }
    if (announced >= 0 && entries.length >= announced) {
      throw new ConfigError(fileName, lineNo, tokens[0], `more entries than the ${announced} announced by ARP_ENTRY at line ${headerLine}`);
    }
    if (entries.length >= MAX_ARP_ENTRIES) throw new ConfigError(fileName, lineNo, tokens[0], `more than ${MAX_ARP_ENTRIES} entries`);
    if (tokens.length !== 2) throw new ConfigError(fileName, lineNo, tokens[0], `expected "A.B.C.D/PREFIX MAC", got "${line}"`);
    const cidr = parseCidrText(tokens[0], true);
    if (cidr === null) throw new ConfigError(fileName, lineNo, tokens[0], 'bad address: expected A.B.C.D/PREFIX with PREFIX 0..32');
    const mac = parseMacText(tokens[1]);
    if (mac === null) throw new ConfigError(fileName, lineNo, tokens[1], 'bad MAC address: expected six hex bytes aa:bb:cc:dd:ee:ff');
    const [ip, prefixLength] = cidr;
    entries.push({ ip: (ip & prefixMaskOf(prefixLength)) >>> 0, prefixLength, mac, line: lineNo });
  }
  return entries;
}
