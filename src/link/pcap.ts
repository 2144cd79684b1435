// The pcap decorator: records every frame received from and sent to any link in a classic libpcap file
// (LINKTYPE_ETHERNET, microsecond timestamps), which tcpdump, tshark and Wireshark read. Records are
// staged in a preallocated buffer and written out when it fills, every second, and on close().

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Arena, copyFrame, viewOf } from './copy.js';
import type { FrameBatch, Link, LinkCounters } from './link.js';

const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

export interface PcapOptions {
  /** Bytes of each frame kept (default 65535); longer frames are truncated, their full length recorded. */
  snapLength?: number;
  /** Size of the staging buffer (default 1 MiB). */
  bufferBytes?: number;
  /** How often staged records are written out while the link runs (default 1000 ms; 0 = only when full). */
  flushIntervalMs?: number;
}

export interface PcapCounters {
  framesWritten: number;
  bytesWritten: number;
}

export class PcapLink implements Link {
  readonly name: string;
  readonly maxFrameSize: number;
  readonly counters: LinkCounters;
  readonly rx: FrameBatch;
  readonly tx: FrameBatch;
  readonly pcapCounters: PcapCounters;
  private readonly rxArena: Arena;
  private readonly txArena: Arena;
  private readonly bufferArena: Arena;
  /** Room a record needs in the staging buffer: its header and a whole source slot (see copyFrame). */
  private readonly recordRoom: number;
  private readonly snapLength: number;
  private readonly buffer: Uint8Array;
  private readonly bufferView: DataView;
  private used = 0;
  private fd: number;
  private timer: NodeJS.Timeout | null = null;
  // Frames reserved on the inner link since the last flush(), recorded when flush() sends them.
  private readonly pendingOffsets: Int32Array;
  private readonly pendingLengths: Int32Array;
  private pendingCount = 0;
  private stampSeconds = 0;
  private stampMicros = 0;

  constructor(private readonly inner: Link, readonly path: string, options: PcapOptions = {}) {
    const snapLength = options.snapLength ?? 65535;
    const bufferBytes = options.bufferBytes ?? 1024 * 1024;
    const flushIntervalMs = options.flushIntervalMs ?? 1000;
    if (!Number.isInteger(snapLength) || snapLength < 14 || snapLength > 262144) {
      throw new Error(`PcapLink ${inner.name}: snapLength must be an integer in [14, 262144], got ${snapLength}`);
    }
    const minimumBuffer = RECORD_HEADER_LENGTH + Math.max(snapLength, inner.rx.slotSize, inner.tx.slotSize);
    if (!Number.isInteger(bufferBytes) || bufferBytes < minimumBuffer) {
      throw new Error(`PcapLink ${inner.name}: bufferBytes must hold at least one record (${minimumBuffer})`);
    }
    this.name = inner.name;
    this.maxFrameSize = inner.maxFrameSize;
    this.counters = inner.counters;
    this.rx = inner.rx;
    this.tx = inner.tx;
    this.pcapCounters = { framesWritten: 0, bytesWritten: 0 };
    this.rxArena = new Arena(inner.rx.data, inner.rx.slotSize);
    this.txArena = new Arena(inner.tx.data, inner.tx.slotSize);
    this.snapLength = snapLength;
    this.buffer = new Uint8Array(bufferBytes);
    this.bufferView = viewOf(this.buffer);
    this.bufferArena = new Arena(this.buffer, 1, false);
    this.recordRoom = RECORD_HEADER_LENGTH + Math.max(snapLength, inner.rx.slotSize, inner.tx.slotSize);
    this.pendingOffsets = new Int32Array(inner.tx.capacity);
    this.pendingLengths = new Int32Array(inner.tx.capacity);
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new Error(`PcapLink ${inner.name}: cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    // Global header (libpcap file format), written little-endian: readers detect byte order by the magic.
    const v = this.bufferView;
    v.setUint32(0, PCAP_MAGIC_MICROSECONDS, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, snapLength, true);
    v.setUint32(20, LINKTYPE_ETHERNET, true);
    this.used = GLOBAL_HEADER_LENGTH;
    this.writeOut();
    if (flushIntervalMs > 0) {
      this.timer = setInterval(() => this.writeOut(), flushIntervalMs);
      this.timer.unref(); // a capture never keeps the process alive
    }
  }

  receive(): number {
    const count = this.inner.receive();
    if (count > 0 && this.fd >= 0) {
      const rx = this.inner.rx;
      this.stamp();
      for (let i = 0; i < count; i++) this.record(this.rxArena, rx.offsets[i], rx.lengths[i]);
    }
    return count;
  }

  reserve(length: number): number {
    const offset = this.inner.reserve(length);
    if (offset >= 0 && this.pendingCount < this.pendingOffsets.length) {
      this.pendingOffsets[this.pendingCount] = offset;
      this.pendingLengths[this.pendingCount] = length;
      this.pendingCount++;
    }
    return offset;
  }

  /** Records the reserved frames (as the stack handed them to the link), then sends them. */
  flush(): number {
    if (this.pendingCount > 0 && this.fd >= 0) {
      this.stamp();
      for (let i = 0; i < this.pendingCount; i++) this.record(this.txArena, this.pendingOffsets[i], this.pendingLengths[i]);
    }
    this.pendingCount = 0;
    return this.inner.flush();
  }

  setReadableHandler(handler: (() => void) | null): void {
    this.inner.setReadableHandler(handler);
  }

  /** Writes staged records to the file now. */
  flushFile(): void {
    this.writeOut();
  }

  /** Writes out every record, closes the file, then closes the inner link. */
  close(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.fd >= 0) {
      this.writeOut();
      closeSync(this.fd);
      this.fd = -1;
    }
    this.inner.close();
  }

  /** Takes the wall-clock time once per batch, as integers (a double passed per frame would be boxed). */
  private stamp(): void {
    const nowMs = performance.timeOrigin + performance.now();
    const seconds = Math.floor(nowMs / 1000);
    const micros = Math.floor((nowMs - seconds * 1000) * 1000);
    this.stampSeconds = seconds;
    this.stampMicros = micros > 999999 ? 999999 : micros;
  }

  private record(frames: Arena, offset: number, length: number): void {
    const captured = length < this.snapLength ? length : this.snapLength;
    if (this.used + this.recordRoom > this.buffer.length) this.writeOut();
    const v = this.bufferView;
    const at = this.used;
    v.setUint32(at, this.stampSeconds, true);
    v.setUint32(at + 4, this.stampMicros, true);
    v.setUint32(at + 8, captured, true);
    v.setUint32(at + 12, length, true);
    copyFrame(this.bufferArena, at + RECORD_HEADER_LENGTH, this.recordRoom - RECORD_HEADER_LENGTH, frames, offset, captured);
    this.used = at + RECORD_HEADER_LENGTH + captured;
    this.pcapCounters.framesWritten++;
    this.pcapCounters.bytesWritten += RECORD_HEADER_LENGTH + captured;
  }

  private writeOut(): void {
    if (this.fd < 0 || this.used === 0) return;
    let written = 0;
    while (written < this.used) written += writeSync(this.fd, this.buffer, written, this.used - written);
    this.used = 0;
  }
}

export interface PcapRecord {
  /** Seconds and microseconds since the Unix epoch (nanosecond files are converted). */
  seconds: number;
  microseconds: number;
  /** Length of the frame on the wire; data.length may be smaller when truncated by the snap length. */
  originalLength: number;
  data: Uint8Array;
}

export interface PcapCapture {
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
  records: PcapRecord[];
}

/** Reads a classic pcap file of either byte order (for tests and tools; allocates freely). */
export function readPcapFile(path: string): PcapCapture {
  const bytes = readFileSync(path);
  if (bytes.length < GLOBAL_HEADER_LENGTH) throw new Error(`readPcapFile ${path}: ${bytes.length} bytes, shorter than a pcap header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let little: boolean;
  const magic = view.getUint32(0, true);
  if (magic === PCAP_MAGIC_MICROSECONDS || magic === PCAP_MAGIC_NANOSECONDS) little = true;
  else if (view.getUint32(0, false) === PCAP_MAGIC_MICROSECONDS || view.getUint32(0, false) === PCAP_MAGIC_NANOSECONDS) little = false;
  else throw new Error(`readPcapFile ${path}: bad magic 0x${magic.toString(16)}`);
  const nanoseconds = view.getUint32(0, little) === PCAP_MAGIC_NANOSECONDS;
  const capture: PcapCapture = {
    versionMajor: view.getUint16(4, little),
    versionMinor: view.getUint16(6, little),
    snapLength: view.getUint32(16, little),
    linkType: view.getUint32(20, little),
    records: [],
  };
  let at = GLOBAL_HEADER_LENGTH;
  while (at < bytes.length) {
    if (at + RECORD_HEADER_LENGTH > bytes.length) throw new Error(`readPcapFile ${path}: truncated record header at byte ${at}`);
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const included = view.getUint32(at + 8, little);
    const originalLength = view.getUint32(at + 12, little);
    if (included > capture.snapLength || included > originalLength) {
      throw new Error(`readPcapFile ${path}: record at byte ${at} claims ${included} bytes (snap ${capture.snapLength}, original ${originalLength})`);
    }
    if (at + RECORD_HEADER_LENGTH + included > bytes.length) throw new Error(`readPcapFile ${path}: truncated record data at byte ${at}`);
    const microseconds = nanoseconds ? Math.floor(fraction / 1000) : fraction;
    if (microseconds > 999999) throw new Error(`readPcapFile ${path}: record at byte ${at} has fraction ${fraction}`);
    const start = at + RECORD_HEADER_LENGTH;
    capture.records.push({ seconds, microseconds, originalLength, data: new Uint8Array(bytes.subarray(start, start + included)) });
    at = start + included;
  }
  return capture;
}
