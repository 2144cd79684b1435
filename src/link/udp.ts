// The UDP link: each Ethernet frame travels in one UDP datagram between two sockets, as QEMU's
// `-netdev socket,udp=...` backend does, so two processes (or two machines) form a link without root.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ETH_HEADER_LEN } from '../wire/ethernet.js';
import { Arena, copyFrame, slotSizeFor } from './copy.js';
import { MAX_BURST } from './link.js';
import type { Slab } from './slab.js';
import { DEFAULT_QUEUE_FRAMES, QueuedLink } from './queued-link.js';

export interface UdpEndpoint {
  host: string;
  port: number;
}

export interface UdpLinkOptions {
  name: string;
  /** Where to bind. Port 0 lets the system choose; `localAddress` then tells which. */
  local: UdpEndpoint;
  /** Where frames are sent; datagrams from any other address are ignored (and counted). */
  remote: UdpEndpoint;
  /** Largest frame carried (default 1514); larger datagrams are dropped and counted. */
  maxFrameSize?: number;
  /** Frames held between the socket and receive() (default 1024); beyond that, dropped and counted. */
  queueFrames?: number;
  /** Datagrams handed to the kernel and not yet completed before flush() drops (default 512). */
  sendSlots?: number;
  /** SO_RCVBUF / SO_SNDBUF to ask for (default 4 MiB; the kernel may cap it). */
  socketBufferBytes?: number;
  /** The host's slab (slab.ts): the link's bursts and queues are carved from it while it has room. */
  slab?: Slab;
}

export interface UdpLinkCounters {
  /** Datagrams from an address other than `remote`. */
  foreign: number;
  /** Datagrams larger than maxFrameSize or shorter than an Ethernet header. */
  badSize: number;
  /** Send completions reporting an error, and socket errors. */
  errors: number;
}

/** Resolves a host name (of the given IP version when `family` is set, e.g. "localhost" -> 127.0.0.1). */
async function resolve(what: string, name: string, host: string, family?: 4 | 6): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) return { address: host, family: literal };
  if (/^[0-9.]+$/.test(host)) throw new Error(`UdpLink ${name}: ${what} host "${host}" is not a valid IPv4 address`);
  try {
    const found = family === undefined ? await lookup(host) : await lookup(host, { family });
    return { address: found.address, family: found.family === 6 ? 6 : 4 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`UdpLink ${name}: cannot resolve ${what} host "${host}" (${code})`);
  }
}

function checkPort(name: string, what: string, port: number, allowZero: boolean): void {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new Error(`UdpLink ${name}: ${what} port must be an integer in [${allowZero ? 0 : 1}, 65535], got ${port}`);
  }
}

export class UdpLink extends QueuedLink {
  readonly udpCounters: UdpLinkCounters;
  /** The address and port actually bound. */
  readonly localAddress: UdpEndpoint;
  /** Frames being sent are copied here, because the kernel may complete a send after flush() returns. */
  private readonly sendArena: Buffer;
  private readonly sendArenaViews: Arena;
  private readonly sendSlots: number;
  private readonly sendSlotSize: number;
  private sendNext = 0;
  private sendsInFlight = 0;
  private readonly onSendDone: (error: Error | null) => void;
  /** The last socket or send error, for diagnostics. */
  lastError: Error | null = null;

  private constructor(
    name: string,
    maxFrameSize: number,
    private readonly socket: Socket,
    private readonly remoteAddress: string,
    private readonly remotePort: number,
    queueFrames: number,
    sendSlots: number,
    slab: Slab | null,
  ) {
    super(name, maxFrameSize, queueFrames, slab);
    this.udpCounters = { foreign: 0, badSize: 0, errors: 0 };
    const slotSize = slotSizeFor(maxFrameSize);
    this.sendSlots = sendSlots;
    this.sendSlotSize = slotSize;
    this.sendArena = Buffer.alloc(sendSlots * slotSize);
    this.sendArenaViews = new Arena(this.sendArena, slotSize, false);
    this.onSendDone = (error) => this.sendDone(error);
    const address = socket.address();
    this.localAddress = { host: address.address, port: address.port };
    socket.on('message', (message: Buffer, from: RemoteInfo) => this.onMessage(message, from));
    socket.on('error', (error: Error) => {
      this.udpCounters.errors++;
      this.lastError = error;
    });
    // No handler yet: the socket must not keep the process alive (it is ref'd while a handler is set).
    socket.unref();
  }

  /** Binds the local socket (resolving names first); rejects with a message naming the link and cause. */
  static async open(options: UdpLinkOptions): Promise<UdpLink> {
    const name = options.name;
    const maxFrameSize = options.maxFrameSize ?? 1514;
    const queueFrames = options.queueFrames ?? DEFAULT_QUEUE_FRAMES;
    const sendSlots = options.sendSlots ?? 512;
    const bufferBytes = options.socketBufferBytes ?? 4 * 1024 * 1024;
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < ETH_HEADER_LEN || maxFrameSize > 65507) {
      throw new Error(`UdpLink ${name}: maxFrameSize must be an integer in [14, 65507], got ${maxFrameSize}`);
    }
    if (!Number.isInteger(queueFrames) || queueFrames < 1) throw new Error(`UdpLink ${name}: queueFrames must be a positive integer`);
    if (!Number.isInteger(sendSlots) || sendSlots < MAX_BURST) throw new Error(`UdpLink ${name}: sendSlots must be an integer >= ${MAX_BURST}`);
    checkPort(name, 'local', options.local.port, true);
    checkPort(name, 'remote', options.remote.port, false);
    const local = await resolve('local', name, options.local.host);
    const remote = await resolve('remote', name, options.remote.host, local.family);
    if (local.family !== remote.family) {
      throw new Error(`UdpLink ${name}: local ${local.address} and remote ${remote.address} are not the same IP version`);
    }
    const socket = createSocket({ type: local.family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolveBind, rejectBind) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        socket.close();
        rejectBind(new Error(`UdpLink ${name}: cannot bind ${options.local.host}:${options.local.port} (${error.code ?? error.message})`));
      };
      socket.once('error', onError);
      socket.bind({ address: local.address, port: options.local.port, exclusive: true }, () => {
        socket.removeListener('error', onError);
        resolveBind();
      });
    });
    // A connected UDP socket sends without a per-datagram address lookup, and the kernel then delivers
    // only datagrams from `remote`.
    await new Promise<void>((resolveConnect, rejectConnect) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        socket.close();
        rejectConnect(new Error(`UdpLink ${name}: cannot connect to ${options.remote.host}:${options.remote.port} (${error.code ?? error.message})`));
      };
      socket.once('error', onError);
      socket.connect(options.remote.port, remote.address, () => {
        socket.removeListener('error', onError);
        resolveConnect();
      });
    });
    for (const set of [() => socket.setRecvBufferSize(bufferBytes), () => socket.setSendBufferSize(bufferBytes)]) {
      try {
        set();
      } catch {
        // The kernel caps the size without privileges; the default still works, only with more drops.
      }
    }
    return new UdpLink(name, maxFrameSize, socket, remote.address, options.remote.port, queueFrames, sendSlots, options.slab ?? null);
  }

  /** Copies the frame to a send slot (the kernel may complete after flush() returns) and sends it. */
  protected transmit(txOffset: number, length: number): boolean {
    if (this.sendsInFlight === this.sendSlots) return false;
    const offset = this.sendNext * this.sendSlotSize;
    copyFrame(this.sendArenaViews, offset, this.sendSlotSize, this.txArena, txOffset, length);
    this.sendNext = this.sendNext + 1 === this.sendSlots ? 0 : this.sendNext + 1;
    this.sendsInFlight++;
    this.socket.send(this.sendArena, offset, length, this.onSendDone);
    return true;
  }

  protected countRunt(): void {
    this.udpCounters.badSize++;
  }

  override setReadableHandler(handler: (() => void) | null): void {
    if (this.closed) return;
    super.setReadableHandler(handler);
    // A link with a handler keeps the process alive, as an open server socket does; without one it does not.
    if (handler === null) this.socket.unref();
    else this.socket.ref();
  }

  protected release(): void {
    this.socket.removeAllListeners('message');
    this.socket.close();
  }

  private onMessage(message: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    if (from.port !== this.remotePort || from.address !== this.remoteAddress) {
      this.udpCounters.foreign++;
      return;
    }
    if (message.length > this.maxFrameSize || message.length < ETH_HEADER_LEN) {
      this.udpCounters.badSize++;
      this.counters.rxDropped++;
      return;
    }
    if (this.ring.pushWhole(message)) this.signal.schedule();
    else this.counters.rxDropped++;
  }

  private sendDone(error: Error | null): void {
    this.sendsInFlight--;
    if (error !== null) {
      this.udpCounters.errors++;
      this.counters.txDropped++;
      this.lastError = error;
    }
  }
}
