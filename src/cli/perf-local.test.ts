// Done-when: `mtcp-perf --local --bytes 64M --impair loss=0.05,reorder=0.05,duplicate=0.01,corrupt=0.001`
// matches for both congestion controls. Both runs go in parallel child processes (they mostly wait on
// retransmission timers, so they share 2 CPUs well).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PERF = fileURLToPath(new URL('./mtcp-perf.js', import.meta.url));

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PERF, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('mtcp-perf --local moves 64 MiB byte-exact over an impaired link with CUBIC and with Reno', { timeout: 900_000 }, async () => {
  const impair = ['--local', '--bytes', '64M', '--impair', 'loss=0.05,reorder=0.05,duplicate=0.01,corrupt=0.001', '--seed', '7', '--interval', '30'];
  const [cubic, reno] = await Promise.all([run([...impair, '--cc', 'cubic'], 880_000), run([...impair, '--cc', 'reno'], 880_000)]);
  for (const [name, r] of [['cubic', cubic], ['reno', reno]] as const) {
    const lines = r.out.trim().split('\n');
    assert.equal(lines[lines.length - 1], 'data matched: yes (SHA-256 verified, 67108864 bytes)', `${name}:\n${r.out}`);
    assert.ok(lines.some((l) => l.startsWith('bulk up:   67108864 bytes in ')), name);
    assert.equal(r.code, 0, name);
  }
});

test('mtcp-perf --local: rr and crr verify, and the exit status follows the verdict', async () => {
  const rr = await run(['--local', '--mode', 'rr', '--transactions', '2000', '-C', '4', '--size', '100'], 60_000);
  assert.equal(rr.code, 0, rr.out);
  assert.match(rr.out, /rr: 8000 transactions of 100\/100 B on 4 connection\(s\)/);
  assert.match(rr.out, /data matched: yes \(SHA-256 verified, 8000 transactions\)\n$/);
  const crr = await run(['--local', '--mode', 'crr', '--transactions', '500', '-C', '8'], 60_000);
  assert.equal(crr.code, 0, crr.out);
  assert.match(crr.out, /crr: 500 connections \(64\/64 B, 8 at a time\)/);
  const both = await run(['--local', '--bytes', '3M', '--dir', 'both', '--mtu', '9000'], 60_000);
  assert.equal(both.code, 0, both.out);
  assert.match(both.out, /data matched: yes \(SHA-256 verified, 6291456 bytes\)\n$/);
  // Time-limited, both directions: each side's last bytes (its verdict) must reach the other before the close.
  const timed = await run(['--local', '--time', '1', '--dir', 'both'], 60_000);
  assert.equal(timed.code, 0, timed.out);
  assert.match(timed.out, /\[server\] 10\.0\.0\.1:\d+ bulk: received \d+ B, sent \d+ B: data matched\n/);
  assert.doesNotMatch(timed.out, /FAILED/);
  const usage = await run(['--local', '--cc', 'bbr'], 10_000);
  assert.equal(usage.code, 2);
  assert.match(usage.out, /--cc must be cubic or reno/);
});
