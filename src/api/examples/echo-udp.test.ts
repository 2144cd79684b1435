import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function conf(dir: string, name: string, ip: string, mac: string, local: number, remote: number): string {
  const path = join(dir, name);
  writeFileSync(path, [
    'io = udp', 'num_cores = 1', 'max_concurrency = 4096', 'max_num_buffers = 4096', 'rcvbuf = 16384', 'sndbuf = 16384',
    'tcp_timeout = 30', 'tcp_timewait = 0', 'port = eth0', `eth0.ip = ${ip}/24`, `eth0.mac = ${mac}`,
    `eth0.local = 127.0.0.1:${local}`, `eth0.remote = 127.0.0.1:${remote}`, '',
  ].join('\n'));
  return path;
}

function run(args: string[], onLine?: (line: string) => void): { done: Promise<{ code: number | null; out: string; err: string }>; kill: (s: NodeJS.Signals) => void } {
  const main = fileURLToPath(new URL('./echo-main.js', import.meta.url));
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (onLine) for (const line of d.toString().split('\n')) if (line) onLine(line);
  });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
  return {
    done: new Promise((resolve) => child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, err }); })),
    kill: (s) => child.kill(s),
  };
}

test('echo pair: 1,000 connections byte-exact over the udp link between two processes', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-echo-udp-'));
  const base = 20000 + Math.floor(Math.random() * 20000);
  const serverConf = conf(dir, 'server.conf', '10.0.0.2', '02:00:00:00:00:02', base, base + 1);
  const clientConf = conf(dir, 'client.conf', '10.0.0.1', '02:00:00:00:00:01', base + 1, base);
  let ready!: () => void;
  const listening = new Promise<void>((r) => { ready = r; });
  const server = run(['server', '-f', serverConf, '-p', '7'], (line) => { if (line.includes('listening')) ready(); });
  await Promise.race([listening, server.done.then((r) => { throw new Error(`server exited early: ${r.err}`); })]);
  const client = run(['client', '-f', clientConf, '-s', '10.0.0.2', '-p', '7', '-n', '1000', '-c', '50', '-b', '2000']);
  const c = await client.done;
  server.kill('SIGINT');
  const s = await server.done;
  assert.equal(c.out.trim(), 'completed 1000 failed 0 bytes 2000000', c.err);
  assert.equal(c.code, 0);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /accepted 1000 closed 1000 bytes 2000000/);
});
