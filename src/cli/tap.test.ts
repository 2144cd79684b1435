// The apps over io = tap, with the Linux kernel as the peer, inside a network namespace this test creates.
// Needs root (CAP_NET_ADMIN) and the TAP addon: skipped outside CI when not root; in CI (root) it runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { patternFile } from '../apps/testing/raw-http.js';

const CLI = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = !isRoot && process.env.CI !== 'true' ? 'needs root for TAP devices and a network namespace (runs in CI)' : false;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function hostConf(dev: string, addr: string, gateway: string): string {
  return [
    'io = tap', 'num_cores = 1', 'max_concurrency = 4096', 'max_num_buffers = 4096', 'rcvbuf = 262144',
    'sndbuf = 262144', 'tcp_timeout = 30', 'tcp_timewait = 0', `port = ${dev}`, `${dev}.ip = ${addr}/24`,
    `${dev}.gateway = ${gateway}`, '',
  ].join('\n');
}

interface Proc { child: ChildProcess; out: () => string; exited: Promise<number | null> }

function inNs(ns: string, args: string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('epserver and epwget over io = tap against the Linux kernel', { skip, timeout: 120_000 }, async () => {
  const ns = `mtcpapps${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-apps-tap-'));
  const procs: Proc[] = [];
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    // Persistent devices, configured before the apps attach to them (TapLink opens an existing device).
    for (const [dev, addr] of [['mtcpsrv0', '10.79.0.1/24'], ['mtcpcli0', '10.79.1.1/24']] as const) {
      ip('-n', ns, 'tuntap', 'add', 'dev', dev, 'mode', 'tap');
      ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    const www = path.join(dir, 'www');
    fs.mkdirSync(www);
    fs.writeFileSync(path.join(www, 'index.html'), '<p>tap</p>\n');
    const big = patternFile(8 * 1024 * 1024);
    fs.writeFileSync(path.join(www, 'big.bin'), big);
    fs.writeFileSync(path.join(dir, 'server.conf'), hostConf('mtcpsrv0', '10.79.0.2', '10.79.0.1'));
    fs.writeFileSync(path.join(dir, 'client.conf'), hostConf('mtcpcli0', '10.79.1.2', '10.79.1.1'));

    // epserver on the TAP; the kernel fetches with curl (keep-alive: two URLs on one connection).
    const server = inNs(ns, [CLI('epserver'), '-p', www, '-f', path.join(dir, 'server.conf')]);
    procs.push(server);
    await until(() => /epserver: serving/.test(server.out()) || server.child.exitCode !== null, 15000, 'epserver');
    assert.match(server.out(), /epserver: serving/, server.out());
    const out = path.join(dir, 'got.bin');
    const curl = execFileSync('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '30', '-o', '/dev/null',
      '-w', '%{http_code} %{size_download} %{num_connects}\\n', 'http://10.79.0.2/index.html', '-o', out, 'http://10.79.0.2/big.bin'], { encoding: 'utf8' });
    assert.equal(curl, `200 11 1\n200 ${big.length} 0\n`);
    assert.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), createHash('sha256').update(big).digest('hex'));

    // epwget on the other TAP against a kernel web server (Node's http on the kernel's TCP).
    const web = inNs(ns, ['-e', "require('http').createServer((q,s)=>{s.setHeader('Content-Type','text/plain');s.end(q.url==='/ok'?'kernel says hi\\n':'');}).listen(80,'10.79.1.1',()=>console.log('listening'))"]);
    procs.push(web);
    await until(() => /listening/.test(web.out()) || web.child.exitCode !== null, 10000, 'kernel web server');
    const wget = inNs(ns, [CLI('epwget'), '10.79.1.1/ok', '200', '-c', '8', '-f', path.join(dir, 'client.conf')]);
    const code = await wget.exited;
    assert.equal(code, 0, wget.out());
    assert.match(wget.out(), /Completed 200 connections, errors: 0 incompletes: 0/);
    assert.match(wget.out(), /Response size set to 15/);

    // mtcp-perf between the two TAP hosts, the kernel routing between 10.79.1.0/24 and 10.79.0.0/24. The
    // server's TAP is epserver's until it exits.
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0, server.out());
    assert.match(server.out(), /accepted \d+, requests 2 \(2xx 2, 404 0/);
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const perfServer = inNs(ns, [CLI('mtcp-perf'), 'server', '-f', path.join(dir, 'server.conf'), '--port', '5001']);
    procs.push(perfServer);
    await until(() => /listening on port/.test(perfServer.out()) || perfServer.child.exitCode !== null, 15000, 'mtcp-perf server');
    const perf = inNs(ns, [CLI('mtcp-perf'), 'client', '10.79.0.2', '-f', path.join(dir, 'client.conf'), '--bytes', '8M', '--dir', 'both']);
    assert.equal(await perf.exited, 0, perf.out() + perfServer.out());
    assert.match(perf.out(), /data matched: yes \(SHA-256 verified, 16777216 bytes\)\n$/);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))])));
    try { ip('netns', 'del', ns); } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
