// The interop fixture: one throw-away network namespace per test, holding the kernel's side of a TAP whose
// other side is our stack. The kernel side gets KERNEL_IP/24 on the TAP, our stack answers as STACK_IP.
// Optional: a pcap of the TAP's kernel side (kept and printed when the test fails), nftables rules that keep
// the namespace's kernel from resetting scapy's hand-made connections, and random drops (numgen) on the
// kernel side. Everything (namespace, TAP, processes, rules, files) goes away in destroy(), also on failure.

import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestNetns, rootTestsEnabled, tcpdumpListening } from '../src/testing/netns.js';
import { TapLink, type TapLinkOptions } from '../src/link/tap.js';

export { rootTestsEnabled };

/** The kernel's address on the TAP (inside the namespace). */
export const KERNEL_IP = '10.77.0.1';
/** Our stack's address, reached through the TAP. */
export const STACK_IP = '10.77.0.2';
export const PREFIX_LENGTH = 24;

export interface InteropNetOptions {
  /** Namespace name prefix (default 'mtcpi'); names are `${prefix}-${pid}-${n}`. */
  prefix?: string;
  /** TAP device name inside the namespace (default 'mtcp0'). */
  tap?: string;
  /**
   * Put the kernel's address on a veth whose peer is bridged with the TAP (kernel -> veth -> bridge -> TAP),
   * instead of on the TAP itself. Needed for drops of frames the kernel sends (dropRandom 'from-kernel'):
   * an nftables netdev egress hook on a TAP counts but does not drop (measured: kernel 6.18), while an
   * ingress hook on the veth's bridged end does.
   */
  bridge?: boolean;
}

export interface CaptureOptions {
  /** Bytes kept per frame: 0 = whole frames; bulk runs should keep headers only (e.g. 128). */
  snaplen?: number;
}

export type DropDirection = 'to-kernel' | 'from-kernel';

export class InteropNet {
  readonly ns: TestNetns;
  readonly tap: string;
  /** The device holding KERNEL_IP: the TAP, or with `bridge` the veth 'vk0'. */
  readonly kernelIface: string;
  readonly bridged: boolean;
  /** Directory for this test's files (pcap, configs, payloads); removed by destroy() unless kept. */
  readonly dir: string;
  pcapPath: string;
  private capture: ChildProcess | null;
  private readonly tables: string[];
  private destroyed: boolean;

  private constructor(ns: TestNetns, tap: string, dir: string, bridged: boolean) {
    this.ns = ns;
    this.tap = tap;
    this.bridged = bridged;
    this.kernelIface = bridged ? 'vk0' : tap;
    this.dir = dir;
    this.pcapPath = '';
    this.capture = null;
    this.tables = [];
    this.destroyed = false;
  }

  /** A fresh namespace with lo up and IPv6 off (no router solicitations or MLD reports on the TAP). */
  static create(opts: InteropNetOptions = {}): InteropNet {
    const ns = TestNetns.create(opts.prefix ?? 'mtcpi');
    let dir = '';
    try {
      dir = mkdtempSync(join(tmpdir(), `${ns.name}-`));
      ns.runSync('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
      ns.runSync('sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1');
      return new InteropNet(ns, opts.tap ?? 'mtcp0', dir, opts.bridge === true);
    } catch (err) {
      ns.destroy();
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The namespace's name (for `ip netns exec`, TapLink's netns option, mtcp.conf-driven child processes). */
  get name(): string {
    return this.ns.name;
  }

  /**
   * Opens the TAP in this process (inside the namespace) for a stack running here, then configures the
   * kernel side. The caller owns the link (close it before destroy(), or destroy() does it implicitly
   * by deleting the namespace once the fd is closed).
   */
  openTapLink(opts: Partial<TapLinkOptions> = {}): TapLink {
    const link = TapLink.open({ name: this.tap, ifname: this.tap, netns: this.ns.name, ...opts });
    try {
      this.configureKernelSide();
    } catch (err) {
      link.close();
      throw err;
    }
    return link;
  }

  /**
   * Creates the TAP in the namespace as a persistent device (`ip tuntap add`) and configures the kernel side,
   * so a stack started afterwards (in a child process, by name from its mtcp.conf) attaches to a device that
   * is already addressed: no race between the stack's first frames and the kernel's configuration.
   * `vnetHdr` must match the stack's `vnet_hdr` setting. Deleted with the namespace.
   */
  createTap(opts: { vnetHdr?: boolean } = {}): void {
    this.ns.ip('tuntap', 'add', 'dev', this.tap, 'mode', 'tap', ...(opts.vnetHdr === true ? ['vnet_hdr'] : []));
    this.configureKernelSide();
  }

  /** Waits until a TAP named `this.tap` exists in the namespace (opened by a stack in a child process). */
  async waitForTap(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = spawnSync('ip', ['-n', this.ns.name, 'link', 'show', 'dev', this.tap], { encoding: 'utf8' });
      if (r.status === 0) return;
      if (Date.now() > deadline) throw new Error(`TAP ${this.tap} did not appear in netns ${this.ns.name} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** KERNEL_IP/24 on the TAP and link up. (Without vnet_hdr the kernel segments and checksums in software, so
   *  frames on the TAP look as on a NIC.) */
  configureKernelSide(): void {
    if (this.bridged) {
      this.ns.ip('link', 'add', 'br0', 'type', 'bridge');
      this.ns.ip('link', 'add', 'vk0', 'type', 'veth', 'peer', 'name', 'vk1');
      // Segments leave the kernel's TCP one by one, so a drop on vk1 loses one segment, not a 64 KiB burst.
      this.ns.runSync('ethtool', '-K', 'vk0', 'tso', 'off', 'gso', 'off');
      this.ns.ip('link', 'set', 'dev', 'vk1', 'master', 'br0');
      this.ns.ip('link', 'set', 'dev', this.tap, 'master', 'br0');
      for (const dev of ['br0', 'vk1', this.tap, 'vk0']) this.ns.ip('link', 'set', 'dev', dev, 'up');
    }
    this.ns.ip('addr', 'add', `${KERNEL_IP}/${PREFIX_LENGTH}`, 'dev', this.kernelIface);
    this.ns.ip('link', 'set', 'dev', this.kernelIface, 'up');
  }

  /** The kernel side's MAC address (the address of the device holding KERNEL_IP). */
  kernelMac(): string {
    const m = /link\/ether ([0-9a-f:]{17})/.exec(this.ns.ip('link', 'show', 'dev', this.kernelIface));
    if (m === null) throw new Error(`no MAC on ${this.kernelIface}`);
    return m[1];
  }

  /** The kernel's ARP (neighbour) entry for `ip`: its MAC and state, or null when there is none. */
  neighbour(ip: string): { mac: string; state: string } | null {
    const line = this.ns.ip('neigh', 'show', ip, 'dev', this.kernelIface).trim();
    const m = /lladdr ([0-9a-f:]{17}) .*?([A-Z]+)$/.exec(line);
    return m === null ? null : { mac: m[1], state: m[2] };
  }

  /**
   * tcpdump on the kernel side of the TAP into `<dir>/<tap>.pcap` (immediate mode: without it frames wait in
   * the kernel's capture ring and a quick stop loses them). Resolves once tcpdump listens. The file is
   * deleted by destroy() unless the test failed.
   */
  startCapture(opts: CaptureOptions = {}): Promise<string> {
    if (this.capture !== null) return Promise.reject(new Error('a capture already runs'));
    const path = join(this.dir, `${this.tap}.pcap`);
    const child = this.ns.exec('tcpdump', ['-i', this.tap, '-n', '-U', '--immediate-mode', '-s', String(opts.snaplen ?? 0), '-w', path]);
    this.capture = child;
    this.pcapPath = path;
    return tcpdumpListening(child, this.tap, path, 5_000);
  }

  /** Stops tcpdump (SIGINT, so it closes the file cleanly) and waits for it. */
  async stopCapture(): Promise<void> {
    const child = this.capture;
    if (child === null) return;
    this.capture = null;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      return;
    }
    await Promise.race([exited, sleep(3_000)]);
  }

  /** Loads an nftables ruleset into the namespace; tables are remembered only for listing. */
  nft(ruleset: string): void {
    const r = spawnSync('ip', ['netns', 'exec', this.ns.name, 'nft', '-f', '-'], { input: ruleset, encoding: 'utf8', timeout: 10_000 });
    if (r.error) throw new Error(`nft: ${r.error.message} (apt-get install nftables)`);
    if (r.status !== 0) throw new Error(`nft -f failed (${r.status}): ${r.stderr.trim()}\n${ruleset}`);
    for (const m of ruleset.matchAll(/^\s*table\s+(\w+)\s+(\w+)/gm)) this.tables.push(`${m[1]} ${m[2]}`);
  }

  /**
   * Drops the namespace kernel's outgoing TCP RSTs. Needed when scapy plays a TCP peer here: the kernel has
   * no socket for scapy's connections and would reset every segment our stack sends to them.
   */
  suppressKernelRsts(): void {
    this.nft(`table ip interop_norst {
  chain out {
    type filter hook output priority 0; policy accept;
    tcp flags & rst == rst counter drop
  }
}
`);
  }

  /**
   * Drops `percent`% of the IPv4 frames at random on the kernel side (nftables numgen; ARP is spared), always
   * on an ingress hook. 'to-kernel': frames our stack sends, on the TAP's ingress. 'from-kernel' (needs
   * `bridge`): frames the kernel sends, on the ingress of the veth end bridged with the TAP, after the
   * kernel's TCP sent them, so for the kernel they are real losses. The rule counts: see droppedCount().
   */
  dropRandom(percent: number, direction: DropDirection): void {
    if (!(percent >= 0 && percent <= 100) || !Number.isInteger(percent)) throw new RangeError(`percent must be an integer 0..100, got ${percent}`);
    if (direction === 'from-kernel' && !this.bridged) {
      throw new Error("dropRandom('from-kernel') needs InteropNet.create({ bridge: true }): a netdev egress hook on a TAP does not drop");
    }
    const device = direction === 'to-kernel' ? this.tap : 'vk1';
    const table = direction === 'to-kernel' ? 'interop_drop_in' : 'interop_drop_out';
    this.nft(`table netdev ${table} {
  chain c {
    type filter hook ingress device "${device}" priority 0; policy accept;
    meta protocol ip numgen random mod 100 < ${percent} counter drop
  }
}
`);
  }

  /** Packets dropped so far by dropRandom(…, direction). */
  droppedCount(direction: DropDirection): number {
    const table = direction === 'to-kernel' ? 'interop_drop_in' : 'interop_drop_out';
    const text = this.ns.runSync('nft', 'list', 'table', 'netdev', table);
    const m = /counter packets (\d+) bytes/.exec(text);
    if (m === null) throw new Error(`no counter in table ${table}:\n${text}`);
    return Number(m[1]);
  }

  /** Names (`family name`) of the nftables tables this fixture loaded. */
  get nftTables(): readonly string[] {
    return this.tables;
  }

  /** The namespace kernel's TCP counters from /proc/net/snmp (RetransSegs, OutSegs, InSegs, OutRsts, ...). */
  tcpSnmp(): Record<string, number> {
    return parseSnmp(this.ns.runSync('cat', '/proc/net/snmp'), 'Tcp');
  }

  /**
   * Stops the capture, kills every process started in the namespace, deletes it (and with it the TAP once no
   * fd holds it) and this test's files. With keepFiles the directory (pcap, configs) stays, minus payload
   * files of 8 MiB or more, and its path is printed. Idempotent.
   */
  async destroy(opts: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.stopCapture();
    this.ns.destroy();
    if (opts.keepFiles === true && existsSync(this.dir)) {
      dropPayloads(this.dir);
      const what = this.pcapPath !== '' && existsSync(this.pcapPath) ? `pcap of this run kept at ${this.pcapPath}` : `files kept in ${this.dir}`;
      process.stderr.write(`interop ${this.ns.name}: ${what}\n`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Runs `body` with a fresh InteropNet and destroys it afterwards, also when `body` throws; then the pcap (if a
 * capture ran) and the other files stay and their place is printed.
 */
export async function withInterop<T>(opts: InteropNetOptions, body: (net: InteropNet) => Promise<T>): Promise<T> {
  const net = InteropNet.create(opts);
  let ok = false;
  try {
    const result = await body(net);
    ok = true;
    return result;
  } finally {
    await net.destroy({ keepFiles: !ok });
  }
}

/** Deletes large payload files (bulk data, served files) from a kept directory; pcaps and configs stay. */
function dropPayloads(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.pcap')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (statSync(path).size >= 8 << 20) rmSync(path, { force: true });
  }
}

/** Parses one protocol's two-line table from /proc/net/snmp ("Tcp: RtoAlgorithm ..." / "Tcp: 1 ..."). */
export function parseSnmp(text: string, protocol: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith(`${protocol}: `));
  if (lines.length < 2) throw new Error(`no ${protocol} table in snmp text`);
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1);
  if (names.length !== values.length) throw new Error(`${protocol}: ${names.length} names but ${values.length} values`);
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) out[names[i]] = Number(values[i]);
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
