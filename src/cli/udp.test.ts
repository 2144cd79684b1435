// The apps as separate processes over io = udp (127.0.0.1): epserver in a child process answers curl-like
// requests from this process and from an epwget child; mtcp-perf server and client in two children.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mtcp_create_context, mtcp_destroy_context, parseMtcpConfig } from '../index.js';
import { patternFile, rawExchange, splitResponse } from '../apps/testing/raw-http.js';

const CLI = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** A pair of udp host configs on ports unlikely to be in use by another test file. */
function udpConfigs(dir: string, base: number): { server: string; client: string; clientText: string } {
  const host = (ip: string, mac: string, local: number, remote: number): string => [
    'io = udp', 'num_cores = 1', 'max_concurrency = 4096', 'max_num_buffers = 4096', 'rcvbuf = 262144', 'sndbuf = 262144',
    'tcp_timeout = 30', 'tcp_timewait = 0', 'port = eth0', `eth0.ip = ${ip}/24`, `eth0.mac = ${mac}`,
    `eth0.local = 127.0.0.1:${local}`, `eth0.remote = 127.0.0.1:${remote}`, '',
  ].join('\n');
  const server = path.join(dir, 'server.conf');
  const client = path.join(dir, 'client.conf');
  const clientText = host('10.0.0.1', '02:00:00:00:00:01', base, base + 1);
  fs.writeFileSync(server, host('10.0.0.2', '02:00:00:00:00:02', base + 1, base));
  fs.writeFileSync(client, clientText);
  return { server, client, clientText };
}

interface Proc { child: ChildProcess; out: () => string; exited: Promise<number | null> }

function start(name: string, args: string[]): Proc {
  const child = spawn(process.execPath, [CLI(name), ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function waitForOutput(p: Proc, pattern: RegExp, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!pattern.test(p.out())) {
    if (performance.now() > until || p.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${p.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runToEnd(name: string, args: string[], ms: number): Promise<{ code: number | null; out: string }> {
  const p = start(name, args);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out: p.out() };
}

test('epserver over udp answers curl-like requests byte-exact (keep-alive, 50 MiB) and epwget counts right', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-apps-udp-'));
  const www = path.join(dir, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'index.html'), '<p>udp</p>\n');
  const big = patternFile(50 * 1024 * 1024);
  fs.writeFileSync(path.join(www, 'big.bin'), big);
  const base = 42000 + (process.pid % 500) * 8;
  const conf = udpConfigs(dir, base);
  const server = start('epserver', ['-p', www, '-f', conf.server, '--port', '8080']);
  try {
    await waitForOutput(server, /epserver: serving/, 15000);
    // This process is the client host: a context with its own udp configuration.
    const ctx = await mtcp_create_context(0, { config: parseMtcpConfig(conf.clientText, 'client.conf'), stats: false });
    assert.notEqual(ctx, null);
    try {
      const keepAlive = (await rawExchange(ctx!, '10.0.0.2', 8080,
        'GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\nConnection: close\r\n\r\n')).toString('latin1');
      const parts = keepAlive.split(/(?=HTTP\/1\.1 )/);
      assert.equal(parts.length, 2, keepAlive);
      assert.match(parts[0]!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Type: text\/html; charset=utf-8\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n<p>udp<\/p>\n$/);
      assert.match(parts[1]!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 11\r\nConnection: close\r\n\r\n$/);
      const r = splitResponse(await rawExchange(ctx!, '10.0.0.2', 8080, 'GET /big.bin HTTP/1.0\r\n\r\n', Infinity, 150000));
      assert.match(r.head, /Content-Length: 52428800\r\n/);
      assert.equal(r.body.length, big.length);
      assert.equal(createHash('sha256').update(r.body).digest('hex'), createHash('sha256').update(big).digest('hex'));
    } finally {
      await mtcp_destroy_context(ctx!);
    }

    // epwget as a second process on the same client configuration.
    const out = path.join(dir, 'fetched');
    const ok = await runToEnd('epwget', ['10.0.0.2:8080/index.html', '200', '-c', '16', '-f', conf.client], 60000);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /\[CPU 0\] Completed 200 connections, errors: 0 incompletes: 0/);
    assert.match(ok.out, /epwget: 200\/200 requests completed correctly in .*: OK\n$/);
    const one = await runToEnd('epwget', ['http://10.0.0.2:8080/big.bin', '1', '-f', conf.client, '-o', out], 60000);
    assert.equal(one.code, 0, one.out);
    assert.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), createHash('sha256').update(big).digest('hex'));
    const missing = await runToEnd('epwget', ['10.0.0.2:8080/nothing', '10', '-c', '4', '-f', conf.client], 60000);
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, /Completed 0 connections, errors: 10 incompletes: 0/);
    assert.match(missing.out, /error: status 404: 10/);
    const refused = await runToEnd('epwget', ['10.0.0.2:9999/index.html', '5', '-c', '5', '-f', conf.client], 60000);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /error: connection: ECONNREFUSED: 5/);
  } finally {
    server.child.kill('SIGINT');
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.match(server.out(), /\[CPU 0\] epserver flows:/);
});

test('mtcp-perf server and client over udp in two processes verify both directions', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-perf-udp-'));
  const base = 44000 + (process.pid % 500) * 8;
  const conf = udpConfigs(dir, base);
  const server = start('mtcp-perf', ['server', '-f', conf.server, '--port', '5201']);
  try {
    await waitForOutput(server, /mtcp-perf server listening/, 15000);
    const bulk = await runToEnd('mtcp-perf', ['client', '10.0.0.2', '-f', conf.client, '--port', '5201', '--bytes', '8M', '--dir', 'both'], 60000);
    assert.equal(bulk.code, 0, bulk.out);
    assert.match(bulk.out, /data matched: yes \(SHA-256 verified, 16777216 bytes\)\n$/);
    const rr = await runToEnd('mtcp-perf', ['client', '10.0.0.2', '-f', conf.client, '--port', '5201', '--mode', 'rr', '--transactions', '500', '-C', '2'], 60000);
    assert.equal(rr.code, 0, rr.out);
    assert.match(rr.out, /rr: 1000 transactions/);
  } finally {
    server.child.kill('SIGINT');
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.match(server.out(), /\[server\] 10\.0\.0\.1:\d+ bulk: received 8388608 B, sent 8388608 B: data matched/);
});
