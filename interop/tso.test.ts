// TSO over a vnet_hdr TAP: our stack sends TCP super-segments (up to 64 KiB, gso_size = MSS) and the kernel cuts
// or takes them whole. 256 MiB stack -> kernel (socat), SHA-256 compared; the capture on the TAP's kernel side
// must show frames longer than 1514 bytes from our stack (and none without vnet_hdr); on this clean link the
// kernel must see no retransmission (ss -ti samples, /proc/net/snmp RetransSegs).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNetns } from '../src/testing/netns.js';
import { STACK_IP, rootTestsEnabled, sleep, withInterop, type InteropNet } from './fixture.js';
import { socatReceive, ssTcpInfo, writeRandomFile, type SsConnection } from './kernel-tools.js';
import { startBulkApp, writeStackConf, type StackProcess } from './stack.js';

const PREFIX = 'mtso';
const BULK = 256 << 20;
const PORT = 5001;
const DEADLINE_MS = 60_000;
const MAX_PLAIN_FRAME = 1514;

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

/** Frames in a pcap file (classic format, either byte order, µs or ns) sent from `srcIp`: how many, how many
 *  longer than `limit` bytes (original length), and the longest. */
function pcapFrameSizes(path: string, srcIp: string, limit: number): { frames: number; over: number; longest: number } {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a pcap file`);
  const u32 = (at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const want = srcIp.split('.').map(Number);
  let frames = 0, over = 0, longest = 0;
  for (let at = 24; at + 16 <= b.length;) {
    const incl = u32(at + 8);
    const orig = u32(at + 12);
    const d = at + 16;
    if (d + incl > b.length) break;  // a record cut short by the stop
    // Ethernet IPv4 (0x0800) with source address srcIp (bytes 26..29 of the frame).
    if (incl >= 34 && b[d + 12] === 0x08 && b[d + 13] === 0x00 &&
        b[d + 26] === want[0] && b[d + 27] === want[1] && b[d + 28] === want[2] && b[d + 29] === want[3]) {
      frames++;
      if (orig > limit) over++;
      if (orig > longest) longest = orig;
    }
    at = d + incl;
  }
  return { frames, over, longest };
}

interface RunResult { seconds: number; retrans: number; samples: SsConnection[]; sizes: { frames: number; over: number; longest: number } }

/** 256 MiB from our bulk-app (source) to socat in the namespace; SHA-256 compared. */
async function sendToKernel(net: InteropNet, vnetHdr: boolean): Promise<RunResult> {
  net.createTap({ vnetHdr });
  await net.startCapture({ snaplen: 96 });
  const file = join(net.dir, 'bulk.bin');
  const sha = writeRandomFile(file, BULK);
  let app: StackProcess | null = null;
  try {
    app = await startBulkApp(net, writeStackConf(net, { vnetHdr }), 'source', PORT, file);
    const before = net.tcpSnmp().RetransSegs;
    const samples: SsConnection[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const c of await ssTcpInfo(net.ns, `dst ${STACK_IP}:${PORT}`)) if (c.state === 'ESTAB') samples.push(c);
        await sleep(100);
      }
    })();
    const progress = { bytes: 0 };
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const got = await Promise.race([
        socatReceive(net.ns, `TCP:${STACK_IP}:${PORT}`, progress),
        new Promise<never>((_, reject) => (timer = setTimeout(() =>
          reject(new Error(`256 MiB did not arrive within ${DEADLINE_MS / 1000} s: ${progress.bytes} bytes`)), DEADLINE_MS))),
      ]);
      assert.equal(got.code, 0, `socat receiver: ${got.stderr}`);
      assert.equal(got.bytes, BULK, 'bytes the kernel received');
      assert.equal(got.sha256, sha, 'SHA-256 of what the kernel received');
    } finally {
      clearTimeout(timer);
      sampling = false;
      await sampler;
    }
    const seconds = (Date.now() - t0) / 1000;
    const retrans = net.tcpSnmp().RetransSegs - before;
    await net.stopCapture();
    return { seconds, retrans, samples, sizes: pcapFrameSizes(net.pcapPath, STACK_IP, MAX_PLAIN_FRAME) };
  } catch (err) {
    if (app !== null) (err as Error).message += `\nbulk-app:\n${app.output()}`;
    throw err;
  } finally {
    if (app !== null) await app.stop();
  }
}

function assertNoKernelRetransmissions(r: RunResult): void {
  assert.ok(r.samples.length > 0, 'ss -ti saw the connection at least once');
  for (const s of r.samples) assert.equal(s.retransTotal, 0, `the kernel retransmitted on a clean link: retrans:${s.fields.retrans}`);
  assert.equal(r.retrans, 0, 'the namespace kernel counted RetransSegs on a clean link');
}

test('TSO: 256 MiB stack -> kernel over a vnet_hdr TAP in super-frames > 1514 bytes, SHA-256 equal, no kernel retransmission', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    const r = await sendToKernel(net, true);
    t.diagnostic(`vnet_hdr: ${r.seconds.toFixed(2)} s, ${((BULK * 8) / r.seconds / 1e9).toFixed(2)} Gbit/s; ` +
      `${r.sizes.frames} frames from the stack, ${r.sizes.over} longer than ${MAX_PLAIN_FRAME} B, longest ${r.sizes.longest} B`);
    assertNoKernelRetransmissions(r);
    // 256 MiB in MSS-sized frames would be ~185,000 frames; super-frames make them far fewer and mostly large.
    assert.ok(r.sizes.over > 1000, `super-frames written: ${r.sizes.over}`);
    assert.ok(r.sizes.longest > 60_000, `the longest frame (${r.sizes.longest} B) is near 64 KiB`);
    assert.ok(r.sizes.frames < 100_000, `${r.sizes.frames} frames for 256 MiB`);
  });
});

test('without vnet_hdr the same transfer stays within 1514-byte frames', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    const r = await sendToKernel(net, false);
    t.diagnostic(`plain: ${r.seconds.toFixed(2)} s, ${((BULK * 8) / r.seconds / 1e9).toFixed(2)} Gbit/s; ${r.sizes.frames} frames, longest ${r.sizes.longest} B`);
    assertNoKernelRetransmissions(r);
    assert.equal(r.sizes.over, 0);
    assert.equal(r.sizes.longest, MAX_PLAIN_FRAME);
    assert.ok(r.sizes.frames > BULK / 1448, `${r.sizes.frames} frames`);
  });
});
