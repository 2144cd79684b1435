// Frames per second through TapLink (root only): writes in bursts of 64 to a MAC that is not the TAP's
// (the kernel drops them right after the TAP, so this is the pure TAP + N-API cost), and reads of 64-byte
// UDP frames that a Python UDP-GSO sender in the namespace floods towards 10.77.0.2. Each figure is the median of 3 runs.
// Run: node dist/bench/tap.js [seconds per run]   (from the repo root, after the addon is built)

import { fileURLToPath } from 'node:url';
import { TapLink, tapAvailable } from '../src/link/tap.js';
import { MAX_BURST } from '../src/link/link.js';
import { TestNetns } from '../src/testing/netns.js';

export interface TapBenchResult {
  writeFps64: number[];
  writeFps1514: number[];
  /** The same with one write(2) per frame instead of one io_uring submission per burst. */
  writeFps64Syscall: number[];
  writeFps1514Syscall: number[];
  readFps64: number[];
  /** Frames the kernel offered the TAP per second during the read runs (delivered + dropped at the queue). */
  offeredFps64: number[];
}

const IFNAME = 'mtapbench0';
const IFNAME_PLAIN = 'mtapbench1';

function fillUdpFrame(b: Uint8Array, o: number, len: number): void {
  b.fill(0, o, o + len);
  b.set([0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00], o); // to a MAC nobody has
  const ip = o + 14;
  b.set([0x45, 0, (len - 14) >> 8, (len - 14) & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 77, 0, 2, 10, 77, 0, 1], ip);
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (b[ip + i] << 8) | b[ip + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  b[ip + 10] = (~s >> 8) & 0xff;
  b[ip + 11] = ~s & 0xff;
  const udp = ip + 20;
  b.set([0x9c, 0x40, 0x1b, 0x58, (len - 34) >> 8, (len - 34) & 0xff, 0, 0], udp); // checksum 0: none (RFC 768)
}

function writeRun(link: TapLink, frameLen: number, seconds: number): number {
  for (let i = 0; i < MAX_BURST; i++) fillUdpFrame(link.tx.data, link.tx.offsets[i], frameLen);
  const run = (ms: number): number => {
    let frames = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let b = 0; b < 16; b++) {
        for (let i = 0; i < MAX_BURST; i++) link.reserve(frameLen);
        frames += link.flush();
      }
    }
    return frames;
  };
  run(300); // warm-up
  const t0 = performance.now();
  const frames = run(seconds * 1000);
  return frames / ((performance.now() - t0) / 1000);
}

function tapTxStats(ns: TestNetns): { packets: number; dropped: number } {
  const m = /TX:.*\n\s*\d+\s+(\d+)\s+\d+\s+(\d+)/.exec(ns.ip('-s', 'link', 'show', IFNAME));
  if (m === null) throw new Error('cannot parse ip -s link');
  return { packets: Number(m[1]), dropped: Number(m[2]) };
}

async function readRun(link: TapLink, ns: TestNetns, seconds: number): Promise<{ fps: number; offered: number }> {
  // UDP GSO (UDP_SEGMENT = 103): one send() becomes 64 datagrams of 22 bytes, cut in software before the
  // TAP, so the generator offers more frames than one reader can take.
  const flood = ns.exec('python3', ['-c', [
    'import socket', 's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)', 's.setsockopt(17, 103, 22)',
    "b = bytes(22 * 64)", 'while True:', "  s.sendto(b, ('10.77.0.2', 9999))"].join('\n')], { stdio: 'ignore' });
  let frames = 0;
  link.setReadableHandler(function drain() {
    let n: number;
    do {
      n = link.receive();
      frames += n;
    } while (n === MAX_BURST);
  });
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  const f0 = frames;
  const k0 = tapTxStats(ns);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const secs = (performance.now() - t0) / 1000;
  const f1 = frames;
  const k1 = tapTxStats(ns);
  link.setReadableHandler(null);
  flood.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  while (link.receive() > 0);
  return { fps: (f1 - f0) / secs, offered: (k1.packets - k0.packets + k1.dropped - k0.dropped) / secs };
}

export async function benchTap(seconds = 3, runs = 3): Promise<TapBenchResult> {
  const avail = tapAvailable();
  if (!avail.ok) throw new Error(`bench/tap: ${avail.reason}`);
  const result: TapBenchResult = { writeFps64: [], writeFps1514: [], writeFps64Syscall: [], writeFps1514Syscall: [], readFps64: [], offeredFps64: [] };
  const ns = TestNetns.create('mtapbench');
  try {
    ns.runSync('sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1');
    const link = TapLink.open({ name: 'bench', ifname: IFNAME, netns: ns.name });
    const plain = TapLink.open({ name: 'bench', ifname: IFNAME_PLAIN, netns: ns.name, ioUring: false });
    try {
      if (!link.ioUring) console.log(`io_uring not used: ${link.ioUringUnavailable}`);
      ns.ip('link', 'set', IFNAME_PLAIN, 'up');
      ns.ip('link', 'set', IFNAME, 'up');
      ns.ip('addr', 'add', '10.77.0.1/24', 'dev', IFNAME);
      ns.ip('neigh', 'replace', '10.77.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', IFNAME, 'nud', 'permanent');
      for (let r = 0; r < runs; r++) {
        result.writeFps64.push(writeRun(link, 64, seconds));
        result.writeFps1514.push(writeRun(link, 1514, seconds));
        result.writeFps64Syscall.push(writeRun(plain, 64, seconds));
        result.writeFps1514Syscall.push(writeRun(plain, 1514, seconds));
        const read = await readRun(link, ns, seconds);
        result.readFps64.push(read.fps);
        result.offeredFps64.push(read.offered);
      }
    } finally {
      link.close();
      plain.close();
    }
  } finally {
    ns.destroy();
  }
  return result;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 3);
  const r = await benchTap(seconds, 3);
  const k = (x: number): string => `${Math.round(x / 1000)} k`;
  const row = (name: string, v: number[]): string => `${name.padEnd(38)} ${k(median(v)).padStart(8)}  [${v.map(k).join(', ')}]`;
  console.log(`TapLink frames/s, median of 3 runs of ${seconds} s (node ${process.version})`);
  console.log(row('write 64 B, bursts of 64, io_uring', r.writeFps64));
  console.log(row('write 1514 B, bursts of 64, io_uring', r.writeFps1514));
  console.log(row('write 64 B, write(2) per frame', r.writeFps64Syscall));
  console.log(row('write 1514 B, write(2) per frame', r.writeFps1514Syscall));
  console.log(row('read 64 B (UDP GSO flood)', r.readFps64));
  console.log(row('  offered by the kernel to the TAP', r.offeredFps64));
}
