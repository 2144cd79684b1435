// io = tap: frames to and from a Linux TAP device through the small N-API addon in native/tap.c
// (mTCP's io_module for a kernel peer). One TapLink owns one queue of the TAP; with multiQueue each core
// (worker thread) opens its own queue of the same device (IFF_MULTI_QUEUE), as mTCP gives each core its own
// NIC queue. Reads and writes move whole bursts per N-API call between the fd and the FrameBatch arenas.

import { createRequire } from 'node:module';
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrameBatch, MAX_BURST, newLinkCounters, type Link, type LinkCounters } from './link.js';
import type { Slab } from './slab.js';

// linux/if_tun.h
const IFF_TAP = 0x0002;
const IFF_NO_PI = 0x1000;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_VNET_HDR = 0x4000;
const TUN_F_CSUM = 0x01;
const TUN_F_TSO4 = 0x02;
const TUN_F_TSO6 = 0x04;
const IFNAMSIZ = 16;
const CAP_NET_ADMIN = 12;

/** Largest frame a TAP in vnet_hdr mode carries: an IPv4 packet of 65535 bytes plus the Ethernet header. */
export const TAP_MAX_GSO_FRAME = 14 + 65535;
/** Default largest frame without vnet_hdr: MTU 1500 plus the Ethernet header. */
export const TAP_DEFAULT_FRAME = 1514;

/** rxInfo/txInfo[2*i] flag: the L4 checksum holds only the pseudo-header sum (RFC 793 §3.1); the other
 *  end (kernel on rx when not completed here, kernel on tx) finishes it. */
export const TAP_CSUM_PARTIAL = 1;
/** rxInfo[2*i] flag: the L4 checksum is known to be good; the stack may skip verifying it. */
export const TAP_CSUM_VALID = 2;

const STAT_RX_DROPPED = 0;
const STAT_TX_DROPPED = 1;
const STAT_RX_BYTES_LAST = 2;
const STAT_TX_BYTES_LAST = 3;

type AddonContext = object;

/** The functions native/tap.c exports. */
interface TapAddon {
  open(ifname: string, flags: number, netnsPath: string | null, offloads: number, useIoUring: number):
    { ctx: AddonContext; fd: number; ifname: string; ioUring: boolean | string };
  attach(
    ctx: AddonContext,
    rxData: Uint8Array, rxOffsets: Int32Array, rxLengths: Int32Array, rxInfo: Uint16Array, rxSlotSize: number,
    txData: Uint8Array, txOffsets: Int32Array, txLengths: Int32Array, txInfo: Uint16Array,
    stats: Float64Array, completeRxChecksums: number,
  ): void;
  setReadableHandler(ctx: AddonContext, handler: (() => void) | null): void;
  readBatch(ctx: AddonContext): number;
  writeBatch(ctx: AddonContext, count: number): number;
  ioUring(ctx: AddonContext): boolean;
  close(ctx: AddonContext): void;
}

const ADDON_FILE = join('build', 'Release', 'mtcp_tap.node');
const BUILD_HINT =
  "build it in the mtcp-ts package folder with `npm exec -c 'node-gyp rebuild'` " +
  '(needs gcc, make, python3 and the Node headers: `npm config get nodedir` must name a folder with ' +
  'include/node, or node-gyp downloads them)';

let addon: TapAddon | null = null;
let addonError = '';

/** Where the addon may be: only $MTCP_TAP_ADDON when set; else build/Release above this module
 *  (dist/src/link or src/link), then the current directory (tests run from the repo root). */
function addonCandidates(): string[] {
  const fromEnv = process.env.MTCP_TAP_ADDON;
  if (fromEnv) return [resolve(fromEnv)]; // an explicit choice: no fallback
  const out: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    out.push(join(dir, ADDON_FILE));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  out.push(join(process.cwd(), ADDON_FILE));
  return out;
}

function loadAddon(): TapAddon | null {
  if (addon !== null) return addon;
  const require = createRequire(import.meta.url);
  const tried = addonCandidates();
  for (const path of tried) {
    if (!existsSync(path)) continue;
    try {
      addon = require(path) as TapAddon;
      addonError = '';
      return addon;
    } catch (err) {
      addonError = `the TAP addon ${path} failed to load (${(err as Error).message}); rebuild it: ${BUILD_HINT}`;
      return null;
    }
  }
  addonError = `the TAP addon is not built (no ${tried.join(', no ')}); ${BUILD_HINT}`;
  return null;
}

function hasCapNetAdmin(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m !== null && (BigInt('0x' + m[1]) & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
  } catch {
    return false;
  }
}

/** Whether a TAP can be opened here, and if not, why and how to fix it. */
export function tapAvailable(): { ok: boolean; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `TAP devices need Linux (this is ${process.platform})` };
  if (loadAddon() === null) return { ok: false, reason: addonError };
  if (!existsSync('/dev/net/tun')) {
    return {
      ok: false,
      reason:
        '/dev/net/tun is missing: load the tun driver (`modprobe tun`) or create the node ' +
        '(`mkdir -p /dev/net && mknod /dev/net/tun c 10 200`); in a container add `--device /dev/net/tun --cap-add NET_ADMIN`',
    };
  }
  try {
    accessSync('/dev/net/tun', fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return { ok: false, reason: '/dev/net/tun is not readable and writable by this user: run as root, or `chmod 0666 /dev/net/tun`' };
  }
  if (!hasCapNetAdmin()) {
    return {
      ok: false,
      reason:
        'creating a TAP needs root or CAP_NET_ADMIN: run as root, or `sudo setcap cap_net_admin+ep "$(readlink -f "$(which node)")"`, ' +
        'or let root pre-create the device for you: `sudo ip tuntap add dev NAME mode tap user $USER` (only attaching to it then works)',
    };
  }
  return { ok: true, reason: 'TAP available: addon built, /dev/net/tun present, CAP_NET_ADMIN held' };
}

export interface TapLinkOptions {
  /** The link's name in the stack (the config's `port`); used in counters and messages. */
  name: string;
  /** The TAP device to create or attach to (at most 15 bytes). */
  ifname: string;
  /** Open the TAP inside this network namespace (`ip netns` name, i.e. /run/netns/NAME). The addon switches
   *  only the calling thread into it around open() and switches back; the fd keeps working from here. */
  netns?: string;
  /** IFF_VNET_HDR: exchange a virtio_net_hdr with every frame, so received frames may carry partial
   *  checksums and 64 KiB TCP super-frames, and sent frames may ask for checksum offload and GSO. */
  vnetHdr?: boolean;
  /** IFF_MULTI_QUEUE: every open() of the same device adds a queue (one per core). All queues must agree
   *  on multiQueue and vnetHdr. */
  multiQueue?: boolean;
  /** Largest frame, Ethernet header included. Default 1514, or TAP_MAX_GSO_FRAME with vnetHdr. With vnetHdr
   *  and a smaller value the kernel is not offered TSO, so it sends MTU-sized frames only. */
  maxFrameSize?: number;
  /** With vnetHdr: finish partial checksums of received frames in C (default true). When false they stay
   *  partial and rxInfo says so (TAP_CSUM_PARTIAL): the stack must then not verify them. */
  completeRxChecksums?: boolean;
  /** Write each burst with ONE io_uring submission instead of one write(2) per frame (default true). Falls
   *  back to write(2) when io_uring is unavailable (old kernel, sysctl kernel.io_uring_disabled, seccomp);
   *  `ioUring` and `ioUringUnavailable` tell which path is used. */
  ioUring?: boolean;
  /** The host's slab (slab.ts): the link's bursts and queues are carved from it while it has room. */
  slab?: Slab;
}

function openErrorHint(err: NodeJS.ErrnoException, options: TapLinkOptions): string {
  const what = err.message;
  const dev = options.ifname;
  switch (err.code) {
    case 'ENOENT':
      if (what.startsWith('open netns')) return `network namespace "${options.netns}" does not exist (create it: \`ip netns add ${options.netns}\`)`;
      return tapAvailable().reason;
    case 'EPERM':
    case 'EACCES':
      if (what.startsWith('setns')) return 'entering another network namespace needs root or CAP_SYS_ADMIN: run as root, or run the process inside the namespace (`ip netns exec NAME node ...`) and leave netns unset';
      return hasCapNetAdmin()
        ? `TAP ${dev} exists and belongs to another user, or /dev/net/tun is not accessible: delete it (\`ip link del ${dev}\`) or use another name`
        : tapAvailable().reason;
    case 'EBUSY':
      return `TAP ${dev} is already open in another process or queue; use another name, or set multiQueue on every opener of ${dev}`;
    case 'EINVAL':
      return `TAP ${dev} exists with other flags (multi_queue and vnet_hdr must match how it was created) or is not a TAP; delete it (\`ip link del ${dev}\`) or match its flags`;
    default:
      return 'see the error above';
  }
}

/** A Link over one queue of a Linux TAP device. */
export class TapLink implements Link {
  readonly name: string;
  /** The TAP device's name as the kernel reports it. */
  readonly ifname: string;
  readonly fd: number;
  readonly maxFrameSize: number;
  readonly counters: LinkCounters;
  readonly rx: FrameBatch;
  readonly tx: FrameBatch;
  /** Frames carry a virtio_net_hdr on the fd (the batches never show it). */
  readonly vnetHdr: boolean;
  /** TCP/UDP super-frames up to TAP_MAX_GSO_FRAME can be received and sent (markTxOffload with a GSO size). */
  readonly gso: boolean;
  /** Per received frame i: rxInfo[2*i] = TAP_CSUM_* flags, rxInfo[2*i+1] = the kernel's GSO segment size
   *  (0 for an ordinary frame). Valid until the next receive(). */
  readonly rxInfo: Uint16Array;
  /** Per reserved frame i: txInfo[2*i] = flags, txInfo[2*i+1] = GSO segment size; reserve() clears them. */
  readonly txInfo: Uint16Array;
  /** Why io_uring was asked for but is not used ('' when it is used or was not asked for). */
  readonly ioUringUnavailable: string;

  private readonly addon: TapAddon;
  private readonly ctx: AddonContext;
  private readonly stats: Float64Array;
  private closed: boolean;

  private constructor(addonModule: TapAddon, opened: { ctx: AddonContext; fd: number; ifname: string; ioUring: boolean | string },
    options: TapLinkOptions, vnetHdr: boolean, maxFrameSize: number) {
    this.name = options.name;
    this.ifname = opened.ifname;
    this.fd = opened.fd;
    this.maxFrameSize = maxFrameSize;
    this.counters = newLinkCounters();
    // Slots rounded up to 64 bytes so every frame starts cache-line aligned.
    const slot = (maxFrameSize + 63) & ~63;
    // Carved views work with the addon: napi_get_typedarray_info returns the data pointer adjusted by byteOffset.
    this.rx = new FrameBatch(MAX_BURST, slot, options.slab ?? null);
    this.tx = new FrameBatch(MAX_BURST, slot, options.slab ?? null);
    this.vnetHdr = vnetHdr;
    this.gso = vnetHdr && maxFrameSize >= TAP_MAX_GSO_FRAME;
    this.rxInfo = new Uint16Array(2 * MAX_BURST);
    this.txInfo = new Uint16Array(2 * MAX_BURST);
    this.ioUringUnavailable = typeof opened.ioUring === 'string' ? opened.ioUring : '';
    this.addon = addonModule;
    this.ctx = opened.ctx;
    this.stats = new Float64Array(4);
    this.closed = false;
    addonModule.attach(
      this.ctx,
      this.rx.data, this.rx.offsets, this.rx.lengths, this.rxInfo, slot,
      this.tx.data, this.tx.offsets, this.tx.lengths, this.txInfo,
      this.stats, options.completeRxChecksums === false ? 0 : 1,
    );
  }

  /**
   * Opens (creating if needed) TAP `ifname` in the current network namespace, or inside `netns`.
   * The device is not persistent: it disappears when its last queue is closed. The kernel side (address,
   * `ip link set up`) is configured by the caller, e.g. `ip -n NS addr add 10.77.0.1/24 dev IF`.
   * Throws an Error whose message says how to fix a missing addon, /dev/net/tun or privilege.
   */
  static open(options: TapLinkOptions): TapLink {
    const mod = loadAddon();
    if (mod === null) throw new Error(`TapLink ${options.name}: ${addonError}`);
    if (typeof options.ifname !== 'string' || options.ifname.length === 0 || Buffer.byteLength(options.ifname) >= IFNAMSIZ || /[\s/]/.test(options.ifname)) {
      throw new Error(`TapLink ${options.name}: bad TAP name "${options.ifname}" (1 to 15 bytes, no spaces or '/')`);
    }
    const vnetHdr = options.vnetHdr === true;
    const maxFrameSize = options.maxFrameSize ?? (vnetHdr ? TAP_MAX_GSO_FRAME : TAP_DEFAULT_FRAME);
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < 60 || maxFrameSize > TAP_MAX_GSO_FRAME) {
      throw new Error(`TapLink ${options.name}: maxFrameSize ${maxFrameSize} outside [60, ${TAP_MAX_GSO_FRAME}]`);
    }
    let flags = IFF_TAP | IFF_NO_PI;
    if (options.multiQueue === true) flags |= IFF_MULTI_QUEUE;
    let offloads = -1;
    if (vnetHdr) {
      flags |= IFF_VNET_HDR;
      // TUN_F_CSUM lets the kernel hand us partial checksums; TSO4/6 lets it hand us super-frames, which
      // only fit when the slots are as large as an IPv4 packet can be.
      offloads = TUN_F_CSUM | (maxFrameSize >= TAP_MAX_GSO_FRAME ? TUN_F_TSO4 | TUN_F_TSO6 : 0);
    }
    const nsPath = options.netns === undefined ? null : join('/run/netns', options.netns);
    let opened: { ctx: AddonContext; fd: number; ifname: string; ioUring: boolean | string };
    try {
      opened = mod.open(options.ifname, flags, nsPath, offloads, options.ioUring === false ? 0 : 1);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const where = options.netns === undefined ? '' : ` in netns ${options.netns}`;
      const wrapped = new Error(`TapLink ${options.name}: cannot open TAP ${options.ifname}${where}: ${e.message}. Fix: ${openErrorHint(e, options)}`) as NodeJS.ErrnoException;
      wrapped.code = e.code;
      wrapped.errno = e.errno;
      throw wrapped;
    }
    return new TapLink(mod, opened, options, vnetHdr, maxFrameSize);
  }

  /** Whether bursts are written through io_uring (false after close, or after io_uring failed once). */
  get ioUring(): boolean {
    return !this.closed && this.addon.ioUring(this.ctx);
  }

  receive(): number {
    if (this.closed) return 0;
    const n = this.addon.readBatch(this.ctx);
    this.rx.count = n;
    const c = this.counters;
    c.rxFrames += n;
    c.rxBytes += this.stats[STAT_RX_BYTES_LAST];
    c.rxDropped = this.stats[STAT_RX_DROPPED];
    return n;
  }

  reserve(length: number): number {
    const tx = this.tx;
    if (this.closed || length <= 0 || length > this.maxFrameSize || tx.count >= tx.capacity) return -1;
    const i = tx.count++;
    tx.lengths[i] = length;
    this.txInfo[2 * i] = 0;
    this.txInfo[2 * i + 1] = 0;
    return tx.offsets[i];
  }

  /**
   * Marks the frame reserved last for offload (needs vnetHdr): its TCP/UDP checksum field holds only the
   * pseudo-header sum and the kernel completes it; with gsoSize > 0 (needs `gso`) it is a super-frame
   * the kernel cuts into segments of gsoSize payload bytes (TCP: the MSS). Frames that are not IPv4/IPv6
   * TCP/UDP are dropped at flush (txDropped).
   */
  markTxOffload(gsoSize: number): void {
    const i = this.tx.count - 1;
    if (i < 0) throw new Error(`TapLink ${this.name}: markTxOffload() without a reserved frame`);
    if (!this.vnetHdr) throw new Error(`TapLink ${this.name}: checksum offload needs vnetHdr`);
    if (gsoSize !== 0 && (!this.gso || !Number.isInteger(gsoSize) || gsoSize < 1 || gsoSize > 65535)) {
      throw new Error(`TapLink ${this.name}: GSO size ${gsoSize} not possible (gso=${this.gso})`);
    }
    this.txInfo[2 * i] = TAP_CSUM_PARTIAL;
    this.txInfo[2 * i + 1] = gsoSize;
  }

  flush(): number {
    const n = this.tx.count;
    if (n === 0) return 0;
    this.tx.count = 0;
    const c = this.counters;
    if (this.closed) {
      c.txDropped += n;
      return 0;
    }
    const sent = this.addon.writeBatch(this.ctx, n);
    c.txFrames += sent;
    c.txBytes += this.stats[STAT_TX_BYTES_LAST];
    c.txDropped = this.stats[STAT_TX_DROPPED];
    return sent;
  }

  setReadableHandler(handler: (() => void) | null): void {
    if (this.closed) return;
    this.addon.setReadableHandler(this.ctx, handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.ctx);
  }
}
