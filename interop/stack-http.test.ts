// Our stack (epserver on the TAP) against the Linux kernel's tools: ping and ARP, curl byte-exact for a small
// and a 50 MiB file, ab with and without keep-alive. Each test has its own namespace, TAP and pcap (kept and
// printed on failure).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNetns } from '../src/testing/netns.js';
import { KERNEL_IP, STACK_IP, rootTestsEnabled, withInterop, type InteropNet } from './fixture.js';
import { STACK_MAC, startEpserver, writeStackConf, type StackProcess } from './stack.js';

const PREFIX = 'mths';
const BIG = 50 << 20;

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

interface Site {
  www: string;
  small: Buffer;
  bigSha: string;
}

function makeSite(net: InteropNet): Site {
  const www = join(net.dir, 'www');
  mkdirSync(www);
  const small = Buffer.from('<html><body>mtcp-ts interop</body></html>\n');
  writeFileSync(join(www, 'index.html'), small);
  const big = randomBytes(BIG);
  writeFileSync(join(www, 'big.bin'), big);
  return { www, small, bigSha: createHash('sha256').update(big).digest('hex') };
}

/** Namespace + TAP + pcap + epserver; body runs with the server up; the server is stopped afterwards. */
async function withEpserver(snaplen: number, body: (net: InteropNet, site: Site, server: StackProcess) => Promise<void>): Promise<void> {
  await withInterop({ prefix: PREFIX }, async (net) => {
    net.createTap();
    await net.startCapture({ snaplen });
    const site = makeSite(net);
    const server = await startEpserver(net, writeStackConf(net), site.www);
    try {
      await body(net, site, server);
    } catch (err) {
      (err as Error).message += `\nepserver output:\n${server.output()}`;
      throw err;
    } finally {
      await server.stop();
    }
  });
}

test('ping gets replies (56 and 1472 bytes); the kernel resolves our MAC by ARP', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withEpserver(0, async (net) => {
    const r = await net.ns.run(`ping -c 5 -i 0.05 -W 1 ${STACK_IP}`, 10_000);
    assert.match(r.stdout, /5 packets transmitted, 5 received, 0% packet loss/, r.stdout + r.stderr);
    const big = await net.ns.run(`ping -c 3 -i 0.05 -W 1 -s 1472 -M do ${STACK_IP}`, 10_000);
    assert.match(big.stdout, /3 packets transmitted, 3 received/, `1500-byte IP packets: ${big.stdout}${big.stderr}`);
    const n = net.neighbour(STACK_IP);
    assert.ok(n !== null, 'the kernel has an ARP entry for our stack');
    assert.equal(n.mac, STACK_MAC);
    assert.match(n.state, /^(REACHABLE|STALE|DELAY|PROBE)$/);
    // The capture shows the kernel's request and our reply. (The stack asking the kernel is in
    // stack-epwget.test.ts, where the stack speaks first.)
    await net.stopCapture();
    const arp = await net.ns.run(`tcpdump -enr ${net.pcapPath} arp`, 10_000);
    const ip = STACK_IP.replace(/\./g, '\\.');
    assert.match(arp.stdout, new RegExp(`> ff:ff:ff:ff:ff:ff, .*Request who-has ${ip} tell ${KERNEL_IP.replace(/\./g, '\\.')}`), arp.stdout);
    assert.match(arp.stdout, new RegExp(`^\\S+ ${STACK_MAC} > .*Reply ${ip} is-at ${STACK_MAC}`, 'm'), arp.stdout);
  });
});

test('curl fetches a small file and a 50 MiB file from epserver byte-exact', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withEpserver(128, async (net, site) => {
    const small = await net.ns.run(`curl -sS --max-time 10 -w '\\n%{http_code} %{size_download}' http://${STACK_IP}/index.html`, 15_000);
    assert.equal(small.code, 0, small.stderr);
    assert.equal(small.stdout, `${site.small.toString()}\n200 ${site.small.length}`);
    const got = join(net.dir, 'got.bin');
    const big = await net.ns.run(`curl -sS --max-time 60 -o ${got} -w '%{http_code} %{size_download}' http://${STACK_IP}/big.bin && sha256sum ${got}`, 70_000);
    assert.equal(big.code, 0, big.stderr);
    assert.equal(big.stdout, `200 ${BIG}${site.bigSha}  ${got}\n`);
    const missing = await net.ns.run(`curl -s -o /dev/null -w '%{http_code}' http://${STACK_IP}/missing.bin`, 10_000);
    assert.equal(missing.stdout, '404');
  });
});

for (const keepAlive of [true, false]) {
  test(`ab -n 20000 -c 100${keepAlive ? ' -k' : ''} completes with 0 failed requests`, async (t) => {
    if (!rootTestsEnabled(t)) return;
    await withEpserver(128, async (net, site) => {
      const r = await net.ns.run(`ab -q -r -n 20000 -c 100 ${keepAlive ? '-k ' : ''}http://${STACK_IP}/index.html`, 120_000);
      const report = `${r.stdout}${r.stderr}`;
      assert.equal(r.code, 0, report);
      assert.match(r.stdout, /^Complete requests:\s+20000$/m, report);
      assert.match(r.stdout, /^Failed requests:\s+0$/m, report);
      assert.doesNotMatch(r.stdout, /^Non-2xx responses:/m, report);
      assert.match(r.stdout, new RegExp(`^Document Length:\\s+${site.small.length} bytes$`, 'm'), report);
      if (keepAlive) assert.match(r.stdout, /^Keep-Alive requests:\s+20000$/m, report);
      const rate = /^Requests per second:\s+([\d.]+)/m.exec(r.stdout);
      t.diagnostic(`ab${keepAlive ? ' -k' : ''}: ${rate?.[1] ?? '?'} requests/s`);
    });
  });
}
