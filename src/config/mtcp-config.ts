// Loader for mTCP's mtcp.conf syntax (mtcp-inventory §2.2, mtcp/src/config.c) plus the keys mtcp-ts adds.
// Every key, default and decision is documented in docs/config.md; keep the two in step.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArpConf, type ArpConfigEntry } from './arp-conf.js';
import { ConfigError } from './errors.js';
import { MAX_ROUTE_ENTRIES, parseRouteConf, type RouteConfigEntry } from './route-conf.js';
import {
  parseCidrText, parseDecimalText, parseEndpointText, parseIntegerText, parseIpv4Text, parseMacText, prefixMaskOf,
  stripComment,
} from './values.js';

export type IoModuleName = 'memory' | 'udp' | 'tap';
export type CongestionControlName = 'cubic' | 'reno';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Impairment of one port (NAME.impair.*); probabilities in [0, 1], times in ms, rate in Mbit/s (0 = unlimited). */
export interface ImpairmentConfig {
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly corrupt: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly rateMbps: number;
  readonly seed: number;
  readonly direction: 'tx' | 'rx' | 'both';
}

export interface PortConfig {
  readonly name: string;
  readonly ip: number;
  readonly prefixLength: number;
  readonly netmask: number;
  /** From NAME.mac, or 02:00:a:b:c:d derived from the IP (locally administered, unique per IP). Not frozen. */
  readonly mac: Uint8Array;
  /** Default gateway through this port (NAME.gateway), 0 when none. */
  readonly gateway: number;
  readonly mtu: number;
  readonly vnetHdr: boolean;
  /** io = udp only: the UDP socket addresses of this end and of the peer. */
  readonly local: Endpoint | null;
  readonly remote: Endpoint | null;
  /** NAME.pcap: capture file, relative to the CWD. */
  readonly pcap: string | null;
  readonly impair: ImpairmentConfig | null;
}

export interface MtcpConfig {
  /** The mtcp.conf file name as given (used in messages). */
  readonly file: string;
  readonly io: IoModuleName;
  /** Stack contexts (cores); 0 in the file means every online CPU. */
  readonly numCores: number;
  readonly maxConcurrency: number;
  readonly maxNumBuffers: number;
  readonly rcvbuf: number;
  readonly sndbuf: number;
  /** Seconds; <= 0 disables the idle timeout (mTCP tcp_timeout). */
  readonly tcpTimeout: number;
  /** Seconds in TIME_WAIT; 0 = close on the next loop (mTCP tcp_timewait). */
  readonly tcpTimewait: number;
  readonly statPrint: readonly string[];
  readonly ports: readonly PortConfig[];
  readonly cc: CongestionControlName;
  /** Milliseconds. */
  readonly tcpRtoMin: number;
  /** Milliseconds; 0 acknowledges at once. */
  readonly tcpDelayedAck: number;
  readonly synBacklog: number;
  /** Seconds, seconds, count. */
  readonly tcpKeepaliveTime: number;
  readonly tcpKeepaliveIntvl: number;
  readonly tcpKeepaliveProbes: number;
  /** The route.conf / arp.conf actually read (null when none was found). */
  readonly routeFile: string | null;
  readonly arpFile: string | null;
  readonly routes: readonly RouteConfigEntry[];
  readonly arp: readonly ArpConfigEntry[];
}

/** mTCP's MAX_CPUS: the most contexts a process may run. */
export const MAX_CORES = 16;
export const MIN_MTU = 68; // RFC 791: every host must accept 68-byte datagrams
export const MAX_MTU = 9000;

/** Optional route.conf / arp.conf content for parseMtcpConfig (the loader reads the files itself). */
export interface AuxiliaryFiles {
  routeConf?: { text: string; fileName: string };
  arpConf?: { text: string; fileName: string };
}

interface PortDraft {
  name: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

const GLOBAL_KEYS = new Set([
  'io', 'num_cores', 'core_mask', 'max_concurrency', 'max_num_buffers', 'rcvbuf', 'sndbuf', 'tcp_timeout',
  'tcp_timewait', 'stat_print', 'port', 'num_mem_ch', 'multiprocess', 'cc', 'tcp_rto_min', 'tcp_delayed_ack',
  'syn_backlog', 'tcp_keepalive_time', 'tcp_keepalive_intvl', 'tcp_keepalive_probes', 'arp_file', 'route_file',
]);
const PORT_KEYS = new Set([
  'ip', 'mac', 'gateway', 'local', 'remote', 'mtu', 'vnet_hdr', 'pcap',
  'impair.loss', 'impair.duplicate', 'impair.reorder', 'impair.corrupt', 'impair.delay', 'impair.jitter',
  'impair.rate', 'impair.seed', 'impair.direction',
]);
const ONVM_KEYS = new Set(['onvm_serv', 'onvm_inst', 'onvm_dest']);
const MTCP_ONLY_IO = new Set(['dpdk', 'psio', 'netmap', 'onvm']);
const PORT_NAME = /^[A-Za-z0-9_-]{1,15}$/;
const MAX_LINE = 1024;

/**
 * Parses mtcp.conf text; `fileName` is used in errors only. route.conf/arp.conf content may be passed in
 * `aux` (the arp_file/route_file keys are recorded but not read here). Throws ConfigError.
 */
export function parseMtcpConfig(text: string, fileName: string, aux: AuxiliaryFiles = {}): MtcpConfig {
  const parsed = parseMainFile(text, fileName);
  return buildConfig(parsed, fileName, aux.routeConf ?? null, aux.arpConf ?? null);
}

/**
 * Reads and parses an mtcp.conf file, then route.conf and arp.conf: the files named by route_file/arp_file
 * (which must exist), otherwise config/route.conf and config/arp.conf relative to `cwd` when present (mTCP's
 * fixed paths; missing is fine). Relative paths resolve against `cwd` (default process.cwd()), as mTCP does.
 */
export function loadMtcpConfig(path: string, cwd: string = process.cwd()): MtcpConfig {
  const text = readText(path, cwd, path, 0, '');
  const parsed = parseMainFile(text, path);
  const routeConf = readAux(parsed, 'route_file', 'config/route.conf', cwd, path);
  const arpConf = readAux(parsed, 'arp_file', 'config/arp.conf', cwd, path);
  return buildConfig(parsed, path, routeConf, arpConf);
}

interface ParsedFile {
  globals: Map<string, { value: string; line: number }>;
  portLines: Map<string, { values: string[]; line: number }>;
  ports: Map<string, PortDraft>;
}

function parseMainFile(text: string, file: string): ParsedFile {
  const globals = new Map<string, { value: string; line: number }>();
  const portLines = new Map<string, { values: string[]; line: number }>();
  const ports = new Map<string, PortDraft>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (lines[i].length > MAX_LINE) throw new ConfigError(file, lineNo, '', `line longer than ${MAX_LINE} characters`);
    const line = stripComment(lines[i]);
    if (line.length === 0) continue;
    // Separators are space, tab and '=' (mTCP's strtok(" \t=")).
    const tokens = line.split(/[ \t=]+/).filter((t) => t.length > 0);
    const key = tokens[0];
    const values = tokens.slice(1);
    if (values.length === 0) throw new ConfigError(file, lineNo, key, 'missing value');
    const dot = key.indexOf('.');
    if (dot > 0) {
      const portName = key.slice(0, dot);
      const sub = key.slice(dot + 1);
      if (!PORT_KEYS.has(sub)) throw new ConfigError(file, lineNo, key, `unknown port key "${sub}" (known: ${[...PORT_KEYS].join(', ')})`);
      if (values.length !== 1) throw new ConfigError(file, lineNo, key, `expected one value, got "${values.join(' ')}"`);
      let draft = ports.get(portName);
      if (draft === undefined) {
        draft = { name: portName, line: lineNo, values: new Map() };
        ports.set(portName, draft);
      }
      const previous = draft.values.get(sub);
      if (previous !== undefined) throw new ConfigError(file, lineNo, key, `set twice (first at line ${previous.line})`);
      draft.values.set(sub, { value: values[0], line: lineNo });
      continue;
    }
    if (ONVM_KEYS.has(key)) throw new ConfigError(file, lineNo, key, 'openNetVM (ONVM) is not supported by mtcp-ts');
    if (!GLOBAL_KEYS.has(key)) throw new ConfigError(file, lineNo, key, 'unknown option');
    if (key === 'port' || key === 'stat_print') {
      const previous = portLines.get(key);
      if (previous !== undefined) throw new ConfigError(file, lineNo, key, `set twice (first at line ${previous.line})`);
      portLines.set(key, { values, line: lineNo });
      continue;
    }
    if (values.length !== 1) throw new ConfigError(file, lineNo, key, `expected one value, got "${values.join(' ')}"`);
    const previous = globals.get(key);
    if (previous !== undefined) throw new ConfigError(file, lineNo, key, `set twice (first at line ${previous.line})`);
    globals.set(key, { value: values[0], line: lineNo });
  }
  return { globals, portLines, ports };
}

function readText(path: string, cwd: string, file: string, line: number, key: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(file, line, key, `cannot read "${path}" (${code})`);
  }
}

function readAux(parsed: ParsedFile, key: string, fallback: string, cwd: string, file: string): { text: string; fileName: string } | null {
  const named = parsed.globals.get(key);
  if (named !== undefined) return { text: readText(named.value, cwd, file, named.line, key), fileName: named.value };
  try {
    return { text: readFileSync(resolve(cwd, fallback), 'utf8'), fileName: fallback };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // mTCP: "Skip loading static ..."
    throw new ConfigError(fallback, 0, key, `cannot read "${fallback}" (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function buildConfig(
  parsed: ParsedFile, file: string,
  routeConf: { text: string; fileName: string } | null, arpConf: { text: string; fileName: string } | null,
): MtcpConfig {
  const g = parsed.globals;
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const entry = g.get(key);
    if (entry === undefined) return fallback;
    const value = parseIntegerText(entry.value);
    if (!(value >= min && value <= max)) {
      throw new ConfigError(file, entry.line, key, `expected an integer in ${min}..${max}, got "${entry.value}"`);
    }
    return value;
  };

  // io: mTCP's default is dpdk; ours is the in-process memory link.
  let io: IoModuleName = 'memory';
  const ioEntry = g.get('io');
  if (ioEntry !== undefined) {
    const value = ioEntry.value;
    if (value === 'memory' || value === 'udp' || value === 'tap') io = value;
    else if (MTCP_ONLY_IO.has(value)) {
      throw new ConfigError(file, ioEntry.line, 'io', `"${value}" is an mTCP I/O module not supported by mtcp-ts (use memory, udp or tap)`);
    } else throw new ConfigError(file, ioEntry.line, 'io', `expected memory, udp or tap, got "${value}"`);
  }

  const cpus = Math.min(availableParallelism(), MAX_CORES);
  let numCores = integer('num_cores', 0, 0, MAX_CORES);
  if (numCores === 0) numCores = cpus;
  else if (numCores > availableParallelism()) {
    throw new ConfigError(file, g.get('num_cores')!.line, 'num_cores', `${numCores} exceeds the ${availableParallelism()} CPUs available`);
  }
  const coreMask = g.get('core_mask');
  if (coreMask !== undefined && !/^(0x)?[0-9a-fA-F]{1,16}$/.test(coreMask.value)) {
    throw new ConfigError(file, coreMask.line, 'core_mask', `expected a hexadecimal mask, got "${coreMask.value}"`);
  }
  integer('num_mem_ch', 0, 0, 64); // DPDK memory channels: accepted and ignored
  const multiprocess = integer('multiprocess', 0, 0, 1);
  if (multiprocess === 1) {
    throw new ConfigError(file, g.get('multiprocess')!.line, 'multiprocess', 'DPDK multi-process mode is not supported by mtcp-ts (run one process per host instead)');
  }

  const maxConcurrency = integer('max_concurrency', 10000, 1, 1 << 24);
  const maxNumBuffers = integer('max_num_buffers', 10000, 1, 1 << 24);
  const rcvSet = g.has('rcvbuf');
  const sndSet = g.has('sndbuf');
  let rcvbuf = integer('rcvbuf', 8192, 64, 1 << 30);
  let sndbuf = integer('sndbuf', 8192, 64, 1 << 30);
  // mTCP: only one of the two set -> the other takes its value; neither -> 8192 each.
  if (rcvSet && !sndSet) sndbuf = rcvbuf;
  if (sndSet && !rcvSet) rcvbuf = sndbuf;
  const tcpTimeout = integer('tcp_timeout', 30, -(2 ** 30), 1 << 30);
  const tcpTimewait = integer('tcp_timewait', 0, 0, 1 << 30);

  let cc: CongestionControlName = 'cubic';
  const ccEntry = g.get('cc');
  if (ccEntry !== undefined) {
    if (ccEntry.value !== 'cubic' && ccEntry.value !== 'reno') {
      throw new ConfigError(file, ccEntry.line, 'cc', `expected cubic or reno, got "${ccEntry.value}"`);
    }
    cc = ccEntry.value;
  }
  const tcpRtoMin = integer('tcp_rto_min', 200, 1, 60000);
  const tcpDelayedAck = integer('tcp_delayed_ack', 40, 0, 500); // RFC 5681 §4.2: at most 500 ms
  const synBacklog = integer('syn_backlog', 1024, 1, 1 << 24);
  const tcpKeepaliveTime = integer('tcp_keepalive_time', 7200, 1, 1 << 30);
  const tcpKeepaliveIntvl = integer('tcp_keepalive_intvl', 75, 1, 1 << 30);
  const tcpKeepaliveProbes = integer('tcp_keepalive_probes', 9, 1, 255);

  // Ports: declared by `port = NAME ...`, configured by NAME.* keys.
  const portLine = parsed.portLines.get('port');
  const declared: string[] = [];
  if (portLine !== undefined) {
    for (const name of portLine.values) {
      if (name === 'all') throw new ConfigError(file, portLine.line, 'port', '"all" (psio only in mTCP) is not supported: name each port');
      if (!PORT_NAME.test(name)) throw new ConfigError(file, portLine.line, 'port', `bad port name "${name}" (letters, digits, _ and -, at most 15)`);
      if (declared.includes(name)) throw new ConfigError(file, portLine.line, 'port', `port "${name}" listed twice`);
      declared.push(name);
    }
  }
  if (declared.length === 0) throw new ConfigError(file, 0, 'port', 'no port declared (add e.g. "port = eth0" and "eth0.ip = 10.0.0.1/24")');
  for (const draft of parsed.ports.values()) {
    if (!declared.includes(draft.name)) {
      throw new ConfigError(file, draft.line, `${draft.name}.${draft.values.keys().next().value}`, `"${draft.name}" is not a declared port (port = ${declared.join(' ')})`);
    }
  }
  const ports = declared.map((name) => buildPort(parsed.ports.get(name) ?? { name, line: portLine!.line, values: new Map() }, file, io, portLine!.line));
  for (let i = 0; i < ports.length; i++) {
    for (let j = 0; j < i; j++) {
      if (ports[i].ip === ports[j].ip) throw new ConfigError(file, 0, `${ports[i].name}.ip`, `same address as port ${ports[j].name}`);
    }
  }

  const statLine = parsed.portLines.get('stat_print');
  const statPrint: string[] = [];
  if (statLine !== undefined) {
    for (const name of statLine.values) {
      if (!declared.includes(name)) throw new ConfigError(file, statLine.line, 'stat_print', `"${name}" is not a declared port`);
      statPrint.push(name);
    }
  }

  const routes = routeConf === null ? [] : parseRouteConf(routeConf.text, routeConf.fileName, declared);
  if (routes.length + ports.length > MAX_ROUTE_ENTRIES) {
    throw new ConfigError(routeConf!.fileName, 0, 'ROUTES', `${routes.length} routes plus ${ports.length} interface routes exceed ${MAX_ROUTE_ENTRIES}`);
  }
  const arp = arpConf === null ? [] : parseArpConf(arpConf.text, arpConf.fileName);

  const config: MtcpConfig = {
    file, io, numCores, maxConcurrency, maxNumBuffers, rcvbuf, sndbuf, tcpTimeout, tcpTimewait,
    statPrint: Object.freeze(statPrint), ports: Object.freeze(ports), cc, tcpRtoMin, tcpDelayedAck, synBacklog,
    tcpKeepaliveTime, tcpKeepaliveIntvl, tcpKeepaliveProbes,
    routeFile: routeConf === null ? null : routeConf.fileName, arpFile: arpConf === null ? null : arpConf.fileName,
    routes: Object.freeze(routes.map((r) => Object.freeze(r))), arp: Object.freeze(arp.map((a) => Object.freeze(a))),
  };
  return Object.freeze(config);
}

function buildPort(draft: PortDraft, file: string, io: IoModuleName, declarationLine: number): PortConfig {
  const name = draft.name;
  const get = (sub: string) => draft.values.get(sub);
  const fail = (sub: string, message: string): never => {
    const entry = get(sub);
    throw new ConfigError(file, entry === undefined ? declarationLine : entry.line, `${name}.${sub}`, message);
  };

  const ipEntry = get('ip');
  if (ipEntry === undefined) fail('ip', 'required: the port address as A.B.C.D/LEN');
  const cidr = parseCidrText(ipEntry!.value, true);
  if (cidr === null) fail('ip', `expected A.B.C.D/LEN with LEN 0..32, got "${ipEntry!.value}"`);
  const [ip, prefixLength] = cidr!;
  const netmask = prefixMaskOf(prefixLength);
  if (prefixLength < 1 || prefixLength > 31 || ip === 0 || (ip & ~netmask) === 0 || ((ip | netmask) >>> 0) === 0xffffffff) {
    fail('ip', `"${ipEntry!.value}" is not a usable host address (prefix 1..31, not the network or broadcast address)`);
  }
  if (ip >>> 28 >= 14 || ip >>> 24 === 127) fail('ip', `"${ipEntry!.value}" is a multicast, reserved or loopback address`);

  let mac: Uint8Array;
  const macEntry = get('mac');
  if (macEntry !== undefined) {
    const parsedMac = parseMacText(macEntry.value);
    if (parsedMac === null) fail('mac', `expected six hex bytes aa:bb:cc:dd:ee:ff, got "${macEntry.value}"`);
    if ((parsedMac![0] & 1) !== 0) fail('mac', `"${macEntry.value}" is a multicast address`);
    mac = parsedMac!;
  } else {
    mac = new Uint8Array([0x02, 0x00, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255]);
  }

  let gateway = 0;
  const gwEntry = get('gateway');
  if (gwEntry !== undefined) {
    gateway = parseIpv4Text(gwEntry.value);
    if (gateway < 0) fail('gateway', `expected A.B.C.D, got "${gwEntry.value}"`);
    if (((gateway ^ ip) & netmask) !== 0) fail('gateway', `${gwEntry.value} is not inside ${ipEntry!.value}`);
    if (gateway === ip) fail('gateway', 'is the port\'s own address');
  }

  let mtu = 1500;
  const mtuEntry = get('mtu');
  if (mtuEntry !== undefined) {
    mtu = parseIntegerText(mtuEntry.value);
    if (!(mtu >= MIN_MTU && mtu <= MAX_MTU)) fail('mtu', `expected an integer in ${MIN_MTU}..${MAX_MTU}, got "${mtuEntry.value}"`);
  }

  let vnetHdr = false;
  const vnetEntry = get('vnet_hdr');
  if (vnetEntry !== undefined) {
    if (vnetEntry.value !== '0' && vnetEntry.value !== '1') fail('vnet_hdr', `expected 0 or 1, got "${vnetEntry.value}"`);
    vnetHdr = vnetEntry.value === '1';
    if (vnetHdr && io !== 'tap') fail('vnet_hdr', 'only meaningful with io = tap');
  }

  const endpoint = (sub: string): Endpoint | null => {
    const entry = get(sub);
    if (entry === undefined) {
      if (io === 'udp') fail(sub, 'required with io = udp: HOST:PORT of the UDP socket');
      return null;
    }
    if (io !== 'udp') fail(sub, 'only valid with io = udp');
    const value = parseEndpointText(entry.value);
    if (value === null) fail(sub, `expected HOST:PORT with PORT 1..65535, got "${entry.value}"`);
    return Object.freeze(value!);
  };
  const local = endpoint('local');
  const remote = endpoint('remote');

  const pcapEntry = get('pcap');
  const pcap = pcapEntry === undefined ? null : pcapEntry.value;

  let impair: ImpairmentConfig | null = null;
  const impairKeys = [...draft.values.keys()].filter((k) => k.startsWith('impair.'));
  if (impairKeys.length > 0) {
    const probability = (sub: string): number => {
      const entry = get(sub);
      if (entry === undefined) return 0;
      const value = parseDecimalText(entry.value);
      if (!(value >= 0 && value <= 1)) fail(sub, `expected a probability in 0..1, got "${entry.value}"`);
      return value;
    };
    const nonNegative = (sub: string, max: number): number => {
      const entry = get(sub);
      if (entry === undefined) return 0;
      const value = parseDecimalText(entry.value);
      if (!(value >= 0 && value <= max)) fail(sub, `expected a number in 0..${max}, got "${entry.value}"`);
      return value;
    };
    let seed = 1;
    const seedEntry = get('impair.seed');
    if (seedEntry !== undefined) {
      seed = parseIntegerText(seedEntry.value);
      if (!(seed >= 0 && seed <= 0xffffffff)) fail('impair.seed', `expected an integer in 0..4294967295, got "${seedEntry.value}"`);
    }
    let direction: 'tx' | 'rx' | 'both' = 'both';
    const dirEntry = get('impair.direction');
    if (dirEntry !== undefined) {
      if (dirEntry.value !== 'tx' && dirEntry.value !== 'rx' && dirEntry.value !== 'both') {
        fail('impair.direction', `expected tx, rx or both, got "${dirEntry.value}"`);
      }
      direction = dirEntry.value as 'tx' | 'rx' | 'both';
    }
    impair = Object.freeze({
      loss: probability('impair.loss'), duplicate: probability('impair.duplicate'), reorder: probability('impair.reorder'),
      corrupt: probability('impair.corrupt'), delayMs: nonNegative('impair.delay', 60000), jitterMs: nonNegative('impair.jitter', 60000),
      rateMbps: nonNegative('impair.rate', 1e6), seed, direction,
    });
  }

  return Object.freeze({ name, ip, prefixLength, netmask, mac, gateway, mtu, vnetHdr, local, remote, pcap, impair });
}

/**
 * The TCP settings of a configuration in milliseconds, named as tcp/'s TcpConfig fields, so that core/ can
 * write `defaultTcpConfig({ ...tcpSettingsOf(config), mss })` (config/ does not import tcp/).
 */
export interface TcpSettings {
  readonly rcvbuf: number;
  readonly sndbuf: number;
  readonly maxConcurrency: number;
  readonly maxBuffers: number;
  readonly timeWaitMs: number;
  /** <= 0 disables the idle timeout. */
  readonly idleTimeoutMs: number;
  readonly rtoMinMs: number;
  readonly delayedAckMs: number;
  readonly synBacklog: number;
  readonly keepaliveIdleMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveProbes: number;
  readonly cc: CongestionControlName;
}

export function tcpSettingsOf(config: MtcpConfig): TcpSettings {
  return Object.freeze({
    rcvbuf: config.rcvbuf,
    sndbuf: config.sndbuf,
    maxConcurrency: config.maxConcurrency,
    maxBuffers: config.maxNumBuffers,
    timeWaitMs: config.tcpTimewait * 1000,
    idleTimeoutMs: config.tcpTimeout <= 0 ? 0 : config.tcpTimeout * 1000,
    rtoMinMs: config.tcpRtoMin,
    delayedAckMs: config.tcpDelayedAck,
    synBacklog: config.synBacklog,
    keepaliveIdleMs: config.tcpKeepaliveTime * 1000,
    keepaliveIntervalMs: config.tcpKeepaliveIntvl * 1000,
    keepaliveProbes: config.tcpKeepaliveProbes,
    cc: config.cc,
  });
}
