import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootTestsEnabled, withNetns } from '../../testing/netns.js';

// The Linux kernel as the echo client: our echo server (io = tap) runs inside a throw-away netns, the kernel side
// of its TAP gets 10.77.5.1, and a Node `net` client in the same netns checks 100 connections byte by byte.
const KERNEL_CLIENT = `
import net from 'node:net';
const N = 100, C = 20, SIZE = 2000;
let started = 0, done = 0, failed = 0;
const pattern = (k, i) => (k * 131 + i * 7 + (i >>> 8)) & 0xff;
function one() {
  const k = started++;
  const data = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = pattern(k, i);
  let got = 0, bad = false;
  const s = net.connect(7, '10.77.5.2', () => s.write(data));
  s.on('data', (d) => { for (let i = 0; i < d.length; i++) if (d[i] !== pattern(k, got + i)) bad = true; got += d.length; if (got >= SIZE) s.end(); });
  s.on('error', (e) => { bad = true; console.error(String(e)); });
  s.on('close', () => { if (bad || got !== SIZE) failed++; else done++; if (started < N) one(); else if (done + failed === N) console.log('completed ' + done + ' failed ' + failed); });
}
for (let i = 0; i < C; i++) one();
`;

test('echo server over io = tap answers the Linux kernel byte-exact (100 connections)', { timeout: 90000 }, async (t) => {
  if (!rootTestsEnabled(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-echo-tap-'));
  const conf = join(dir, 'tap.conf');
  writeFileSync(conf, ['io = tap', 'num_cores = 1', 'rcvbuf = 65536', 'sndbuf = 65536', 'tcp_timewait = 0', 'port = mtap0',
    'mtap0.ip = 10.77.5.2/24', 'mtap0.mac = 02:00:00:00:05:02', ''].join('\n'));
  const client = join(dir, 'client.mjs');
  writeFileSync(client, KERNEL_CLIENT);
  await withNetns('apitap', async (ns) => {
    const main = fileURLToPath(new URL('./echo-main.js', import.meta.url));
    const server = ns.exec(process.execPath, [main, 'server', '-f', conf, '-p', '7']);
    let out = '';
    let err = '';
    server.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      server.stdout?.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (out.includes('listening')) resolve();
      });
      void exited.then((code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
    ns.ip('addr', 'add', '10.77.5.1/24', 'dev', 'mtap0');
    ns.ip('link', 'set', 'mtap0', 'up');
    const r = await ns.run(`${process.execPath} ${client}`, 60000);
    server.kill('SIGINT');
    const code = await exited;
    assert.equal(r.stdout.trim(), 'completed 100 failed 0', r.stderr);
    assert.equal(code, 0, err);
    assert.match(out, /accepted 100 closed 100 bytes 200000/);
  });
});
