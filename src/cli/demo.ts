// `npm start`: until the applications exist, a ping demo of the interface layer. Without options, two hosts
// (config/memory-client.conf = 10.0.0.1 and config/memory-server.conf = 10.0.0.2) share an in-process memory
// switch, resolve each other with ARP and exchange ICMP echo; round-trip times and counters are printed.
// With --config, one host from that file (io = memory or udp) pings (--ping) and/or answers (--serve), so
// two processes can ping each other over io = udp.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadMtcpConfig, type MtcpConfig, type PortConfig } from '../config/mtcp-config.js';
import { formatIpv4Text, formatMacText, parseIpv4Text } from '../config/values.js';
import { ImpairedLink } from '../link/impair.js';
import type { Link } from '../link/link.js';
import { MemorySwitch } from '../link/memory.js';
import { PcapLink } from '../link/pcap.js';
import { UdpLink } from '../link/udp.js';
import { createInterfaces } from '../net/from-config.js';
import type { NetInterface } from '../net/interface.js';
import { InterfaceDriver, ping, type PingReport } from '../net/ping.js';

const USAGE = `usage: node dist/src/cli/demo.js [options]
  (no --config)         two hosts on one memory switch: --client FILE (default config/memory-client.conf)
                        and --server FILE (default config/memory-server.conf); e.g. --client config/memory-lossy.conf
  --config FILE         one host from FILE (io = memory or udp); its first port is used
  --ping A.B.C.D        ping this address (default with no --config: 10.0.0.2)
  --serve SECONDS       keep answering for SECONDS (with --config), printing "ready" once the link is open
  --count N             echo requests (default 5)
  --interval MS         pause between requests (default 100)
  --size BYTES          echo data bytes (default 56)
  --pcap FILE           capture the pinging host's frames (overrides NAME.pcap)`;

interface Host {
  config: MtcpConfig;
  iface: NetInterface;
  driver: InterfaceDriver;
  links: Link[];
}

async function openLink(config: MtcpConfig, port: PortConfig, memorySwitch: MemorySwitch | null, pcapOverride: string | null): Promise<Link> {
  let link: Link;
  if (config.io === 'memory') {
    if (memorySwitch === null) throw new Error('io = memory needs both hosts in this process: run without --config');
    link = memorySwitch.createPort(`${port.name}@${formatIpv4Text(port.ip)}`);
  } else if (config.io === 'udp') {
    link = await UdpLink.open({ name: port.name, local: port.local!, remote: port.remote!, maxFrameSize: port.mtu + 14 });
  } else {
    throw new Error(`${config.file}: the demo runs io = memory or udp (io = ${config.io} is for the applications)`);
  }
  if (port.impair !== null) link = new ImpairedLink(link, { ...port.impair });
  const pcap = pcapOverride ?? port.pcap;
  if (pcap !== null) link = new PcapLink(link, pcap);
  return link;
}

async function createHost(config: MtcpConfig, memorySwitch: MemorySwitch | null, pcap: string | null): Promise<Host> {
  const links: Link[] = [];
  for (const port of config.ports) links.push(await openLink(config, port, memorySwitch, pcap));
  const setup = createInterfaces(config, (port) => links[config.ports.indexOf(port)]);
  const iface = setup.interfaces[0];
  return { config, iface, driver: new InterfaceDriver(iface), links };
}

function closeHost(host: Host): void {
  host.driver.close();
  for (const link of host.links) link.close();
}

function describe(host: Host): string {
  const i = host.iface;
  return `${i.name} ${formatIpv4Text(i.ip)}/${i.prefixLength} ${formatMacText(i.mac)} (${host.config.file}, io = ${host.config.io})`;
}

function printCounters(host: Host): void {
  console.log(`  counters ${formatIpv4Text(host.iface.ip)}: ${host.iface.counters.format()}`);
}

async function runPing(from: Host, target: number, count: number, intervalMs: number, size: number): Promise<PingReport> {
  const largest = from.iface.mtu - 28;
  if (size > largest) throw new Error(`--size ${size}: at most ${largest} data bytes fit the MTU of ${from.iface.mtu}`);
  console.log(`PING ${formatIpv4Text(target)} from ${describe(from)}: ${size} data bytes`);
  const report = await ping(from.driver, target, {
    count, intervalMs, payloadLength: size, timeoutMs: 1000,
    onReply: (seq, rtt, bytes) => {
      if (rtt < 0) console.log(`no reply from ${formatIpv4Text(target)}: icmp_seq=${seq} (timeout)`);
      else console.log(`${bytes + 8} bytes from ${formatIpv4Text(target)}: icmp_seq=${seq} time=${rtt.toFixed(3)} ms`);
    },
    onSendError: (seq, errno) => {
      const name = errno === -101 ? 'ENETUNREACH: no route' : errno === -90 ? 'EMSGSIZE' : String(errno);
      console.log(`icmp_seq=${seq}: cannot send to ${formatIpv4Text(target)} (${name})`);
    },
  });
  const ok = report.rtts.filter((r) => r >= 0);
  const loss = report.sent === 0 ? 0 : (100 * (report.sent - report.received)) / report.sent;
  console.log(`--- ${formatIpv4Text(target)} ping statistics ---`);
  console.log(`${report.sent} packets transmitted, ${report.received} received, ${loss.toFixed(0)}% packet loss` +
    (report.corrupted > 0 ? `, ${report.corrupted} corrupted` : '') + (report.sendError < 0 ? `, send error ${report.sendError}` : ''));
  if (ok.length > 0) {
    const avg = ok.reduce((a, b) => a + b, 0) / ok.length;
    console.log(`rtt min/avg/max = ${Math.min(...ok).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...ok).toFixed(3)} ms`);
  }
  return report;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, client: { type: 'string' }, server: { type: 'string' }, ping: { type: 'string' }, serve: { type: 'string' }, count: { type: 'string' },
      interval: { type: 'string' }, size: { type: 'string' }, pcap: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const number = (text: string | undefined, fallback: number, name: string): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got "${text}"`);
    return n;
  };
  const count = number(values.count, 5, 'count');
  const intervalMs = number(values.interval, 100, 'interval');
  const size = number(values.size, 56, 'size');
  const pcap = values.pcap ?? null;
  let target = -1;
  if (values.ping !== undefined) {
    target = parseIpv4Text(values.ping);
    if (target < 0) throw new Error(`--ping: not an IPv4 address: "${values.ping}"`);
  }

  if (values.config === undefined) {
    const memorySwitch = new MemorySwitch({ maxFrameSize: 9014 });
    const client = await createHost(loadMtcpConfig(values.client ?? 'config/memory-client.conf'), memorySwitch, pcap);
    const server = await createHost(loadMtcpConfig(values.server ?? 'config/memory-server.conf'), memorySwitch, null);
    try {
      console.log(`mtcp-ts interface-layer demo: two hosts on one memory switch`);
      console.log(`  host 1: ${describe(client)}`);
      console.log(`  host 2: ${describe(server)}`);
      const report = await runPing(client, target >= 0 ? target : server.iface.ip, count, intervalMs, size);
      printCounters(client);
      printCounters(server);
      return report.received === report.sent && report.corrupted === 0 ? 0 : 1;
    } finally {
      closeHost(client);
      closeHost(server);
    }
  }

  const host = await createHost(loadMtcpConfig(values.config), null, pcap);
  try {
    console.log(`host: ${describe(host)}`);
    let status = 0;
    if (values.serve !== undefined) {
      const seconds = number(values.serve, 0, 'serve');
      console.log('ready');
      if (target >= 0) {
        const report = await runPing(host, target, count, intervalMs, size);
        if (report.received !== report.sent || report.corrupted > 0) status = 1;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        process.once('SIGTERM', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } else if (target >= 0) {
      const report = await runPing(host, target, count, intervalMs, size);
      if (report.received !== report.sent || report.corrupted > 0) status = 1;
    } else {
      throw new Error('with --config, give --ping A.B.C.D and/or --serve SECONDS');
    }
    printCounters(host);
    return status;
  } finally {
    closeHost(host);
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
    else console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
