// Interop tests of TapLink against the Linux kernel: each test makes its own netns with the TAP inside it,
// the kernel side on 10.77.0.1/24 and our frames from 10.77.0.2. Root only; skipped outside CI without root.
// Frames are built by hand here so that these tests depend on nothing above link/.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TapLink, tapAvailable, TAP_CSUM_PARTIAL, TAP_CSUM_VALID, TAP_MAX_GSO_FRAME } from './tap.js';
import { MAX_BURST } from './link.js';
import { listNetns, rootTestsEnabled, withNetns, type TestNetns } from '../testing/netns.js';

const PREFIX = 'mtap';
const OUR_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
const OUR_IP = 0x0a4d0002; // 10.77.0.2
const KERNEL_IP = 0x0a4d0001; // 10.77.0.1
const TAP_JS = fileURLToPath(new URL('./tap.js', import.meta.url));

after(() => {
  // Nothing of ours may survive: every namespace made by this process is gone.
  const mine = listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`));
  assert.deepEqual(mine, []);
});

// ---- frame building (RFC 826 ARP, RFC 791 IPv4, RFC 792 ICMP, RFC 793 TCP) --------------------------

function sum16(b: Uint8Array, off: number, len: number, acc: number): number {
  let s = acc;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  if (len & 1) s += b[off + len - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const put16 = (b: Uint8Array, o: number, v: number) => { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; };
const put32 = (b: Uint8Array, o: number, v: number) => { put16(b, o, v >>> 16); put16(b, o + 2, v & 0xffff); };
const get16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const get32 = (b: Uint8Array, o: number) => ((get16(b, o) << 16) | get16(b, o + 2)) >>> 0;

function ethernet(b: Uint8Array, o: number, dst: Uint8Array, type: number): void {
  b.set(dst, o);
  b.set(OUR_MAC, o + 6);
  put16(b, o + 12, type);
}

/** Writes an ARP request "who has `target`, tell 10.77.0.2"; returns its length. */
function arpRequest(b: Uint8Array, o: number, target: number): number {
  ethernet(b, o, Uint8Array.of(255, 255, 255, 255, 255, 255), 0x0806);
  const a = o + 14;
  put16(b, a, 1); put16(b, a + 2, 0x0800); b[a + 4] = 6; b[a + 5] = 4; put16(b, a + 6, 1);
  b.set(OUR_MAC, a + 8); put32(b, a + 14, OUR_IP);
  b.fill(0, a + 18, a + 24); put32(b, a + 24, target);
  return 42;
}

function ipv4(b: Uint8Array, o: number, proto: number, payloadLen: number, id: number): void {
  const ip = o + 14;
  b[ip] = 0x45; b[ip + 1] = 0; put16(b, ip + 2, 20 + payloadLen); put16(b, ip + 4, id);
  put16(b, ip + 6, 0x4000); b[ip + 8] = 64; b[ip + 9] = proto; put16(b, ip + 10, 0);
  put32(b, ip + 12, OUR_IP); put32(b, ip + 16, KERNEL_IP);
  put16(b, ip + 10, ~sum16(b, ip, 20, 0) & 0xffff);
}

/** ICMP echo request to 10.77.0.1 with `payloadLen` bytes of pattern; returns the frame length. */
function echoRequest(b: Uint8Array, o: number, dst: Uint8Array, id: number, seq: number, payloadLen: number): number {
  ethernet(b, o, dst, 0x0800);
  ipv4(b, o, 1, 8 + payloadLen, seq);
  const ic = o + 34;
  b[ic] = 8; b[ic + 1] = 0; put16(b, ic + 2, 0); put16(b, ic + 4, id); put16(b, ic + 6, seq);
  for (let i = 0; i < payloadLen; i++) b[ic + 8 + i] = (seq + i) & 0xff;
  put16(b, ic + 2, ~sum16(b, ic, 8 + payloadLen, 0) & 0xffff);
  return 34 + 8 + payloadLen;
}

/** Sum of the TCP/UDP pseudo-header (RFC 793 §3.1) of the IPv4 packet at frame offset o. */
function pseudoSum(b: Uint8Array, o: number, proto: number, l4len: number): number {
  const ip = o + 14;
  return sum16(b, ip + 12, 8, proto + l4len);
}

const SYN = 0x02, ACK = 0x10, PSH = 0x08;
/** TCP segment 10.77.0.2:sport -> 10.77.0.1:dport; checksum complete, or only the pseudo-header sum when
 *  `partial` (for checksum offload). Returns the frame length. */
function tcpSegment(b: Uint8Array, o: number, dst: Uint8Array, sport: number, dport: number, seq: number, ack: number,
  flags: number, payloadLen: number, partial: boolean): number {
  const optLen = flags & SYN ? 4 : 0;
  const l4len = 20 + optLen + payloadLen;
  ethernet(b, o, dst, 0x0800);
  ipv4(b, o, 6, l4len, seq & 0xffff);
  const t = o + 34;
  put16(b, t, sport); put16(b, t + 2, dport); put32(b, t + 4, seq); put32(b, t + 8, ack);
  b[t + 12] = ((20 + optLen) / 4) << 4; b[t + 13] = flags; put16(b, t + 14, 65535);
  put16(b, t + 16, 0); put16(b, t + 18, 0);
  if (optLen) { b[t + 20] = 2; b[t + 21] = 4; put16(b, t + 22, 1460); } // MSS (RFC 793 §3.1)
  for (let i = 0; i < payloadLen; i++) b[t + 20 + optLen + i] = (i * 7) & 0xff;
  const ps = pseudoSum(b, o, 6, l4len);
  put16(b, t + 16, partial ? ps : ~sum16(b, t, l4len, ps) & 0xffff);
  return 34 + l4len;
}

/** True when the TCP/UDP/ICMP checksum of the IPv4 frame at o verifies. */
function l4ChecksumOk(b: Uint8Array, o: number, len: number): boolean {
  const ip = o + 14;
  const ihl = (b[ip] & 15) * 4;
  const l4len = get16(b, ip + 2) - ihl;
  if (14 + ihl + l4len > len) return false;
  const proto = b[ip + 9];
  const start = proto === 1 ? 0 : pseudoSum(b, o, proto, l4len);
  return sum16(b, ip + ihl, l4len, start) === 0xffff;
}

// ---- helpers -----------------------------------------------------------------------------------

/** Opens TAP `ifname` inside the namespace and gives the kernel side 10.77.0.1/24 on it. */
function openInNetns(ns: TestNetns, ifname: string, opts: { vnetHdr?: boolean; completeRxChecksums?: boolean; ioUring?: boolean } = {}): TapLink {
  // No IPv6 chatter (router solicitations, MLD) on the new TAP: the tests count frames.
  ns.runSync('sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1');
  const link = TapLink.open({ name: 'p0', ifname, netns: ns.name, ...opts });
  ns.ip('link', 'set', ifname, 'up');
  ns.ip('addr', 'add', '10.77.0.1/24', 'dev', ifname);
  ns.ip('neigh', 'replace', '10.77.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', ifname, 'nud', 'permanent');
  return link;
}

function macOf(ns: TestNetns, ifname: string): Uint8Array {
  const m = /link\/ether ([0-9a-f:]{17})/.exec(ns.ip('link', 'show', ifname));
  assert.ok(m, `no MAC for ${ifname}`);
  return Uint8Array.from(m[1].split(':').map((h) => parseInt(h, 16)));
}

/** Receives frames until `want` returns true for one (then resolves with nothing more to do) or timeout. */
function receiveUntil(link: TapLink, timeoutMs: number, want: (data: Uint8Array, off: number, len: number, i: number) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      link.setReadableHandler(null);
      reject(new Error(`no expected frame within ${timeoutMs} ms (rxFrames=${link.counters.rxFrames})`));
    }, timeoutMs);
    const finish = (err: unknown): void => {
      clearTimeout(timer);
      link.setReadableHandler(null);
      if (err === null) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onReadable = (): void => {
      try {
        for (;;) {
          const n = link.receive();
          if (n === 0) return;
          for (let i = 0; i < n; i++) {
            if (want(link.rx.data, link.rx.offsets[i], link.rx.lengths[i], i)) return finish(null);
          }
        }
      } catch (err) {
        finish(err); // a failed assertion inside `want`
      }
    };
    link.setReadableHandler(onReadable);
    onReadable(); // frames that arrived before the handler was set
  });
}

const isIpv4To = (b: Uint8Array, o: number, proto: number): boolean =>
  get16(b, o + 12) === 0x0800 && b[o + 14 + 9] === proto && get32(b, o + 14 + 16) === OUR_IP;

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; uid?: number; timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, uid: opts.uid, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

// ---- tests -------------------------------------------------------------------------------------

test('tapAvailable() is ok as root and names the fix when the addon is missing', async (t) => {
  if (!rootTestsEnabled(t)) return;
  const here = tapAvailable();
  assert.equal(here.ok, true, here.reason);
  assert.match(here.reason, /CAP_NET_ADMIN held/);

  const script = `import(${JSON.stringify(TAP_JS)}).then((m) => { const a = m.tapAvailable(); let msg = '';
    try { m.TapLink.open({ name: 'p', ifname: 'mtapx0' }); } catch (e) { msg = e.message; }
    console.log(JSON.stringify({ ...a, msg })); })`;
  const missing = await sh(process.execPath, ['-e', script], { env: { ...process.env, MTCP_TAP_ADDON: '/nonexistent/mtcp_tap.node' }, timeoutMs: 10_000 });
  assert.equal(missing.code, 0, missing.stderr);
  const r = JSON.parse(missing.stdout) as { ok: boolean; reason: string; msg: string };
  assert.equal(r.ok, false);
  assert.match(r.reason, /not built .*node-gyp rebuild/);
  assert.match(r.msg, /^TapLink p: the TAP addon is not built/);

  // An unprivileged user (nobody) is told that root or CAP_NET_ADMIN is needed.
  const nobody = await sh(process.execPath, ['-e', script], { uid: 65534, timeoutMs: 10_000 });
  if (nobody.code !== 0 && /EACCES|permission denied/i.test(nobody.stderr)) {
    t.diagnostic(`could not run as nobody (compiled files not readable): ${nobody.stderr.split('\n')[0]}`);
    return;
  }
  assert.equal(nobody.code, 0, nobody.stderr);
  const u = JSON.parse(nobody.stdout) as { ok: boolean; reason: string; msg: string };
  assert.equal(u.ok, false);
  assert.match(u.reason, /root/);
  assert.match(u.msg, /cannot open TAP mtapx0: open \/dev\/net\/tun: Permission denied\. Fix: .*root/);
});

test('open() rejects bad names and explains EBUSY and a missing netns', async (t) => {
  if (!rootTestsEnabled(t)) return;
  assert.throws(() => TapLink.open({ name: 'p', ifname: 'a-name-longer-than-15' }), /bad TAP name/);
  assert.throws(() => TapLink.open({ name: 'p', ifname: 'x', maxFrameSize: 70000 }), /maxFrameSize 70000/);
  assert.throws(() => TapLink.open({ name: 'p', ifname: 'mtapq0', netns: 'mtap-no-such-ns' }), /network namespace "mtap-no-such-ns" does not exist/);
  await withNetns(PREFIX, async (ns) => {
    const first = TapLink.open({ name: 'p', ifname: 'mtapb0', netns: ns.name });
    try {
      assert.throws(() => TapLink.open({ name: 'p', ifname: 'mtapb0', netns: ns.name }),
        (e: NodeJS.ErrnoException) => e.code === 'EBUSY' && /already open in another process or queue/.test(e.message));
    } finally {
      first.close();
    }
    first.close(); // idempotent
    assert.equal(first.receive(), 0);
    assert.equal(first.reserve(60), -1);
    assert.throws(() => ns.ip('link', 'show', 'mtapb0'), /does not exist/); // non-persistent: gone with its fd

    // Offload marks need vnetHdr, and GSO needs room for super-frames.
    const plain = TapLink.open({ name: 'p', ifname: 'mtapb1', netns: ns.name });
    const small = TapLink.open({ name: 'p', ifname: 'mtapb2', netns: ns.name, vnetHdr: true, maxFrameSize: 1514 });
    try {
      assert.throws(() => plain.markTxOffload(0), /without a reserved frame/);
      plain.reserve(60);
      assert.throws(() => plain.markTxOffload(0), /checksum offload needs vnetHdr/);
      assert.equal(small.vnetHdr, true);
      assert.equal(small.gso, false);
      assert.equal(small.maxFrameSize, 1514);
      small.reserve(60);
      assert.throws(() => small.markTxOffload(1448), /GSO size 1448 not possible \(gso=false\)/);
      small.markTxOffload(0);
      assert.deepEqual([...small.txInfo.subarray(0, 2)], [TAP_CSUM_PARTIAL, 0]);
      assert.equal(small.reserve(1515), -1);
    } finally {
      plain.close();
      small.close();
    }
  });
});

test('multiQueue: two links are two queues of one device', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const a = TapLink.open({ name: 'p', ifname: 'mtapm0', netns: ns.name, multiQueue: true });
    const b = TapLink.open({ name: 'p', ifname: 'mtapm0', netns: ns.name, multiQueue: true });
    try {
      assert.notEqual(a.fd, b.fd);
      assert.match(ns.ip('-d', 'link', 'show', 'mtapm0'), /multi_queue numqueues 2 /);
    } finally {
      a.close();
      b.close();
    }
  });
});

test('ARP request for 10.77.0.1 gets the kernel ARP reply', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtapa0');
    try {
      await ns.capture('mtapa0');
      const kernelMac = macOf(ns, 'mtapa0');
      const off = link.reserve(42);
      assert.equal(off, link.tx.offsets[0]);
      arpRequest(link.tx.data, off, KERNEL_IP);
      assert.equal(link.flush(), 1);
      assert.equal(link.counters.txFrames, 1);
      assert.equal(link.counters.txBytes, 42);
      let reply = '';
      await receiveUntil(link, 3000, (b, o, len) => {
        if (get16(b, o + 12) !== 0x0806 || get16(b, o + 20) !== 2) return false;
        reply = Buffer.from(b.subarray(o, o + len)).toString('hex');
        return true;
      });
      const mac = Buffer.from(kernelMac).toString('hex');
      // Ethernet to us from the TAP; ARP reply: 10.77.0.1 is-at <TAP MAC>, to 02:..:02 / 10.77.0.2.
      assert.equal(reply.slice(0, 28), `020000000002${mac}0806`);
      assert.equal(reply.slice(28, 84), `0001080006040002${mac}0a4d0001020000000002` + '0a4d0002');
      assert.ok(link.counters.rxFrames >= 1);
    } finally {
      link.close();
    }
  });
});

test('ICMP echo request gets the kernel echo reply with the same payload', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtapi0');
    try {
      await ns.capture('mtapi0');
      const kernelMac = macOf(ns, 'mtapi0');
      const off = link.reserve(1514);
      const len = echoRequest(link.tx.data, off, kernelMac, 0x4242, 7, 1472);
      assert.equal(len, 1514);
      assert.equal(link.flush(), 1);
      let seen = false;
      await receiveUntil(link, 3000, (b, o, l) => {
        if (!isIpv4To(b, o, 1) || b[o + 34] !== 0) return false;
        assert.equal(l, 1514);
        assert.equal(get16(b, o + 38), 0x4242);
        assert.equal(get16(b, o + 40), 7);
        for (let i = 0; i < 1472; i++) assert.equal(b[o + 42 + i], (7 + i) & 0xff);
        assert.ok(l4ChecksumOk(b, o, l));
        seen = true;
        return true;
      });
      assert.equal(seen, true);
      assert.equal(link.reserve(1515), -1); // larger than maxFrameSize
    } finally {
      link.close();
    }
  });
});

test('a burst of 64 frames goes out in one flush and all 64 replies come back (io_uring and write(2))', async (t) => {
  if (!rootTestsEnabled(t)) return;
  for (const ioUring of [true, false]) await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtapx0', { ioUring });
    try {
      if (ioUring && !link.ioUring) t.diagnostic(`io_uring unavailable here (${link.ioUringUnavailable}): write(2) path tested twice`);
      if (!ioUring) assert.equal(link.ioUring, false);
      await ns.capture('mtapx0');
      const kernelMac = macOf(ns, 'mtapx0');
      const rxBefore = Number(/RX:.*\n\s*\d+\s+(\d+)/.exec(ns.ip('-s', 'link', 'show', 'mtapx0'))![1]);
      for (let seq = 0; seq < MAX_BURST; seq++) {
        const off = link.reserve(100);
        assert.equal(off, seq * link.tx.slotSize);
        echoRequest(link.tx.data, off, kernelMac, 0x77, seq, 100 - 42);
      }
      assert.equal(link.reserve(100), -1); // burst full
      assert.equal(link.flush(), MAX_BURST);
      assert.equal(link.flush(), 0);
      assert.equal(link.counters.txFrames, 64);
      assert.equal(link.counters.txBytes, 6400);
      const rxAfter = Number(/RX:.*\n\s*\d+\s+(\d+)/.exec(ns.ip('-s', 'link', 'show', 'mtapx0'))![1]);
      assert.equal(rxAfter - rxBefore, 64); // the kernel received 64 separate frames
      const seen = new Set<number>();
      let maxBurst = 0;
      await receiveUntil(link, 3000, (b, o, _l, i) => {
        maxBurst = Math.max(maxBurst, i + 1);
        if (isIpv4To(b, o, 1) && b[o + 34] === 0 && get16(b, o + 38) === 0x77) seen.add(get16(b, o + 40));
        return seen.size === MAX_BURST;
      });
      assert.equal(seen.size, 64);
      // tun hands a written frame to the kernel inside write(), so all replies wait when we look: one burst.
      assert.equal(maxBurst, 64);
      assert.equal(link.counters.rxDropped, 0);
      assert.equal(link.counters.txDropped, 0);

      // A frame the kernel refuses (shorter than an Ethernet header) is counted, the others still go.
      echoRequest(link.tx.data, link.reserve(100), kernelMac, 0x78, 1, 58);
      const runt = link.reserve(10);
      link.tx.data.fill(0, runt, runt + 10);
      echoRequest(link.tx.data, link.reserve(100), kernelMac, 0x78, 2, 58);
      assert.equal(link.flush(), 2);
      assert.equal(link.counters.txDropped, 1);
      assert.equal(link.counters.txFrames, 66);
      assert.equal(link.counters.txBytes, 6600);
    } finally {
      link.close();
    }
    assert.equal(link.ioUring, false); // closed
  });
});

test('vnet_hdr: checksum offload, 43440-byte GSO super-segment to a kernel socket, TSO super-frames back', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtapv0', { vnetHdr: true });
    try {
      assert.equal(link.vnetHdr, true);
      assert.equal(link.gso, true);
      assert.equal(link.maxFrameSize, TAP_MAX_GSO_FRAME);
      assert.match(ns.ip('-d', 'link', 'show', 'mtapv0'), /vnet_hdr on/);
      await ns.capture('mtapv0');
      const kernelMac = macOf(ns, 'mtapv0');

      // Plain frames still work: ICMP echo, no offload.
      let off = link.reserve(98);
      echoRequest(link.tx.data, off, kernelMac, 1, 1, 56);
      assert.equal(link.flush(), 1);
      await receiveUntil(link, 3000, (b, o, l) => isIpv4To(b, o, 1) && b[o + 34] === 0 && l4ChecksumOk(b, o, l));

      // A kernel TCP server that counts what it gets and then sends 30000 bytes back.
      const total = 30 * 1448;
      const server = ns.exec(process.execPath, ['-e', `require('net').createServer((s) => { let n = 0;
        s.on('data', (d) => { n += d.length; if (n === ${total}) { console.log('got', n); s.write(Buffer.alloc(30000, 97)); } });
        s.on('error', () => {}); }).listen(5001, '10.77.0.1', () => console.log('listening'))`]);
      let serverOut = '';
      server.stdout!.setEncoding('utf8').on('data', (s: string) => (serverOut += s));
      const waitOutput = async (re: RegExp): Promise<void> => {
        for (let i = 0; i < 100 && !re.test(serverOut); i++) await new Promise((r) => setTimeout(r, 30));
        assert.match(serverOut, re);
      };
      await waitOutput(/listening/);

      // SYN with checksum offload (the field holds only the pseudo-header sum).
      const iss = 1000;
      // In a burst of two (so the io_uring path, when available, carries the vnet headers).
      off = link.reserve(98);
      echoRequest(link.tx.data, off, kernelMac, 1, 2, 56);
      off = link.reserve(58);
      tcpSegment(link.tx.data, off, kernelMac, 40000, 5001, iss, 0, SYN, 0, true);
      link.markTxOffload(0);
      assert.deepEqual([...link.txInfo.subarray(0, 4)], [0, 0, TAP_CSUM_PARTIAL, 0]);
      assert.equal(link.flush(), 2);
      let irs = 0;
      let synAckInfo = -1;
      await receiveUntil(link, 3000, (b, o, l, i) => {
        if (!isIpv4To(b, o, 6) || b[o + 47] !== (SYN | ACK)) return false;
        assert.equal(get32(b, o + 42), iss + 1);
        assert.ok(l4ChecksumOk(b, o, l), 'SYN-ACK checksum completed by the addon');
        synAckInfo = link.rxInfo[2 * i];
        irs = get32(b, o + 38);
        return true;
      });
      assert.equal(synAckInfo, TAP_CSUM_VALID);

      // ACK + 30 * 1448 bytes as ONE super-frame: the kernel segments it (GSO, gso_size 1448).
      off = link.reserve(54 + total);
      tcpSegment(link.tx.data, off, kernelMac, 40000, 5001, iss + 1, irs + 1, ACK | PSH, total, true);
      link.markTxOffload(1448);
      assert.deepEqual([...link.txInfo.subarray(0, 2)], [TAP_CSUM_PARTIAL, 1448]);
      off = link.reserve(98);
      echoRequest(link.tx.data, off, kernelMac, 1, 3, 56);
      assert.equal(link.flush(), 2);
      assert.equal(link.counters.txBytes, 3 * 98 + 58 + 54 + total);

      // The kernel ACKs all of it, then its 30000 bytes arrive in TSO super-frames (our MSS 1460).
      let acked = false;
      let superFrames = 0;
      let dataBytes = 0;
      await receiveUntil(link, 5000, (b, o, l, i) => {
        if (!isIpv4To(b, o, 6) || get16(b, o + 34) !== 5001) return false;
        if (get32(b, o + 42) === ((iss + 1 + total) >>> 0)) acked = true;
        const payload = get16(b, o + 16) - 20 - (b[o + 46] >> 4) * 4;
        if (payload > 0) {
          assert.ok(l4ChecksumOk(b, o, l), 'received data checksum completed');
          assert.equal(link.rxInfo[2 * i] & TAP_CSUM_VALID, TAP_CSUM_VALID);
          dataBytes += payload;
          if (l > 1514) {
            superFrames++;
            assert.equal(link.rxInfo[2 * i + 1], 1460);
          }
        }
        return acked && superFrames > 0;
      });
      assert.ok(dataBytes > 1460, `data bytes ${dataBytes}`);
      await waitOutput(new RegExp(`got ${total}\n`)); // every byte of the super-frame reached the socket
      assert.equal(link.counters.txDropped, 0);
    } finally {
      link.close();
    }
  });
});

test('vnet_hdr receive: a kernel SYN arrives with a partial checksum, completed unless asked not to', async (t) => {
  if (!rootTestsEnabled(t)) return;
  for (const complete of [true, false]) {
    await withNetns(PREFIX, async (ns) => {
      const link = openInNetns(ns, 'mtapc0', { vnetHdr: true, completeRxChecksums: complete });
      try {
        await ns.capture('mtapc0');
        ns.exec('timeout', ['3', 'bash', '-c', ': < /dev/tcp/10.77.0.2/80']);
        let info = -1;
        let ok = false;
        let field = -1;
        let pseudo = -2;
        await receiveUntil(link, 3000, (b, o, l, i) => {
          if (!isIpv4To(b, o, 6) || b[o + 47] !== SYN) return false;
          info = link.rxInfo[2 * i];
          ok = l4ChecksumOk(b, o, l);
          field = get16(b, o + 50);
          pseudo = pseudoSum(b, o, 6, get16(b, o + 16) - 20);
          return true;
        });
        if (complete) {
          assert.equal(info, TAP_CSUM_VALID);
          assert.equal(ok, true);
        } else {
          assert.equal(info, TAP_CSUM_PARTIAL);
          assert.equal(ok, false);
          assert.equal(field, pseudo); // the field holds the pseudo-header sum only
        }
      } finally {
        link.close();
      }
    });
  }
});

test('close() lets the process exit; an open link with a handler keeps it alive', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const child = (closeAfterMs: number) => `import(${JSON.stringify(TAP_JS)}).then((m) => {
      const link = m.TapLink.open({ name: 'p', ifname: 'mtape0', netns: ${JSON.stringify(ns.name)} });
      link.setReadableHandler(() => link.receive());
      console.log('open');
      if (${closeAfterMs} >= 0) setTimeout(() => { link.close(); console.log('closed'); }, ${closeAfterMs});
    })`;
    const closing = await sh(process.execPath, ['-e', child(100)], { timeoutMs: 5000 });
    assert.equal(closing.code, 0, closing.stderr);
    assert.equal(closing.stdout, 'open\nclosed\n');
    assert.ok(closing.ms < 2000, `exit took ${closing.ms} ms`);
    const kept = await sh(process.execPath, ['-e', child(-1)], { timeoutMs: 1500 });
    assert.equal(kept.code, null); // still running when killed at 1.5 s
    assert.equal(kept.stdout, 'open\n');
    assert.throws(() => ns.ip('link', 'show', 'mtape0'), /does not exist/); // gone with the process

    // close() from inside the handler, on the first frame (IPv6 router solicitation once the link is up).
    const inHandler = `import(${JSON.stringify(TAP_JS)}).then((m) => {
      const link = m.TapLink.open({ name: 'p', ifname: 'mtape1', netns: ${JSON.stringify(ns.name)} });
      link.setReadableHandler(() => { console.log('frames', link.receive() > 0); link.close(); });
      require('node:child_process').execFileSync('ip', ['-n', ${JSON.stringify(ns.name)}, 'link', 'set', 'mtape1', 'up']);
    })`;
    const self = await sh(process.execPath, ['-e', inHandler], { timeoutMs: 8000 });
    assert.equal(self.code, 0, self.stderr);
    assert.equal(self.stdout, 'frames true\n');
  });
});

test('worker threads: each opens its own queue of one device; a worker that exits closes its queue', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const code = `const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then((m) => {
        const link = m.TapLink.open({ name: 'w', ifname: 'mtapw0', netns: workerData.ns, multiQueue: true });
        link.setReadableHandler(() => link.receive()); // an active watcher while the worker is torn down
        parentPort.postMessage(link.fd);
      });`;
    const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { url: pathToFileURL(TAP_JS).href, ns: ns.name } }));
    try {
      const fds = await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      })));
      assert.notEqual(fds[0], fds[1]);
      assert.match(ns.ip('-d', 'link', 'show', 'mtapw0'), /multi_queue numqueues 2 /);
      await workers[0].terminate();
      assert.match(ns.ip('-d', 'link', 'show', 'mtapw0'), /multi_queue numqueues 1 /);
      await workers[1].terminate();
      assert.throws(() => ns.ip('link', 'show', 'mtapw0'), /does not exist/);
    } finally {
      for (const w of workers) await w.terminate();
    }
  });
});

test('the readable handler fires once per receive(), asynchronously, and not after setReadableHandler(null)', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtaph0');
    try {
      await ns.capture('mtaph0');
      const kernelMac = macOf(ns, 'mtaph0');
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const ping = (seq: number): void => {
        echoRequest(link.tx.data, link.reserve(98), kernelMac, 9, seq, 56);
        assert.equal(link.flush(), 1);
      };
      let calls = 0;
      link.setReadableHandler(() => calls++);
      ping(1);
      assert.equal(calls, 0); // never from inside flush()
      await sleep(150);
      ping(2);
      await sleep(150);
      assert.equal(calls, 1); // two replies waiting, one notification until receive()
      assert.equal(link.receive(), 2);
      assert.equal(calls, 1); // never from inside receive()
      await sleep(150);
      assert.equal(calls, 1); // drained: nothing to report
      ping(3);
      await sleep(150);
      assert.equal(calls, 2);
      link.setReadableHandler(null);
      assert.equal(link.receive(), 1);
      ping(4);
      await sleep(150);
      assert.equal(calls, 2);
      assert.equal(link.receive(), 1);
      assert.equal(link.counters.rxFrames, 4);
    } finally {
      link.close();
    }
  });
});

test('a TAP deleted under the link: receive() throws EBADFD with a clear message, flush() counts drops', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    const link = openInNetns(ns, 'mtapd0');
    try {
      ns.ip('link', 'del', 'mtapd0');
      assert.throws(() => link.receive(), (e: NodeJS.ErrnoException) => e.code === 'EBADFD' && /read TAP \(the device was deleted\)/.test(e.message));
      link.reserve(60);
      link.reserve(60);
      assert.equal(link.flush(), 0);
      assert.equal(link.counters.txDropped, 2);
      assert.equal(link.counters.txFrames, 0);
    } finally {
      link.close();
    }
  });
});
