import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listNetns, rootTestsEnabled, TestNetns, withNetns } from './netns.js';

const PREFIX = 'mtns';
const NETNS_JS = fileURLToPath(new URL('./netns.js', import.meta.url));

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

test('rootTestsEnabled: never skips in CI, skips with a message outside CI without root', () => {
  const savedCi = process.env.CI;
  const savedGetuid = process.getuid;
  const skipped: string[] = [];
  const fake = { skip: (m?: string) => void skipped.push(m ?? '') };
  try {
    process.env.CI = 'true';
    process.getuid = () => 1000;
    assert.equal(rootTestsEnabled(fake), true);
    assert.deepEqual(skipped, []);
    delete process.env.CI;
    assert.equal(rootTestsEnabled(fake), false);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0], /needs root/);
    process.getuid = () => 0;
    assert.equal(rootTestsEnabled(fake), true);
    assert.equal(skipped.length, 1);
  } finally {
    process.getuid = savedGetuid;
    if (savedCi === undefined) delete process.env.CI;
    else process.env.CI = savedCi;
  }
});

test('create() makes a uniquely named namespace with lo up; destroy() removes it and is idempotent', (t) => {
  if (!rootTestsEnabled(t)) return;
  const a = TestNetns.create(PREFIX);
  const b = TestNetns.create(PREFIX);
  try {
    assert.notEqual(a.name, b.name);
    assert.match(a.name, new RegExp(`^${PREFIX}-${process.pid}-\\d+$`));
    assert.ok(listNetns().includes(a.name));
    assert.match(a.ip('link', 'show', 'lo'), /<LOOPBACK,UP,LOWER_UP>/);
    assert.throws(() => a.ip('link', 'show', 'nosuchdev0'), /ip -n .* exited 1: .*does not exist/);
  } finally {
    a.destroy();
    b.destroy();
  }
  a.destroy();
  assert.equal(listNetns().includes(a.name), false);
  assert.equal(listNetns().includes(b.name), false);
  assert.throws(() => a.exec('true'), /is destroyed/);
});

test('run() executes inside the namespace, reports the exit code and times out by killing the group', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withNetns(PREFIX, async (ns) => {
    ns.ip('addr', 'add', '10.77.0.1/24', 'dev', 'lo');
    const r = await ns.run('ip -4 -o addr show dev lo; echo err >&2; exit 3');
    assert.equal(r.code, 3);
    assert.equal(r.timedOut, false);
    assert.match(r.stdout, /inet 10\.77\.0\.1\/24/);
    assert.equal(r.stderr, 'err\n');
    assert.equal(ns.runSync('cat', '/proc/sys/net/ipv4/ip_forward').trim(), '0');
    const t0 = Date.now();
    // The grandchild sleep must die with the group, or 'close' would wait for its stdout.
    const slow = await ns.run('sleep 30 & sleep 30', 300);
    assert.equal(slow.timedOut, true);
    assert.equal(slow.code, null);
    assert.ok(Date.now() - t0 < 5000);
  });
});

test('destroy() kills the process groups it started', async (t) => {
  if (!rootTestsEnabled(t)) return;
  const ns = TestNetns.create(PREFIX);
  const child = ns.exec('sh', ['-c', 'sleep 30 & echo $!; wait']);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
  const grandchild = Number(out.trim());
  assert.ok(grandchild > 0);
  const exited = new Promise<string | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  ns.destroy();
  assert.equal(await exited, 'SIGKILL');
  for (let i = 0; i < 100 && existsSync(`/proc/${grandchild}/stat`); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(existsSync(`/proc/${grandchild}/stat`), false);
  assert.equal(listNetns().includes(ns.name), false);
});

test('withNetns keeps the pcap when the body fails and deletes it when it passes', async (t) => {
  if (!rootTestsEnabled(t)) return;
  let passPath = '';
  await withNetns(PREFIX, async (ns) => {
    passPath = await ns.capture('lo');
    assert.ok(existsSync(passPath));
  });
  assert.equal(existsSync(passPath), false);

  let failPath = '';
  await assert.rejects(
    withNetns(PREFIX, async (ns) => {
      failPath = await ns.capture('lo');
      ns.ip('addr', 'add', '127.0.0.1/8', 'dev', 'lo'); // already there: ip fails, the body throws
    }),
    /RTNETLINK answers: File exists|Address already assigned/,
  );
  try {
    assert.ok(existsSync(failPath), `pcap ${failPath} kept`);
  } finally {
    rmSync(dirname(failPath), { recursive: true, force: true });
  }
});

test('a namespace is deleted when the process exits or is killed by SIGTERM without destroy()', async (t) => {
  if (!rootTestsEnabled(t)) return;
  for (const how of ['exit', 'SIGTERM']) {
    const script = `import(${JSON.stringify(NETNS_JS)}).then((m) => {
      const ns = m.TestNetns.create('${PREFIX}c'); ns.exec('sleep', ['30']); console.log(ns.name);
      ${how === 'exit' ? 'setTimeout(() => process.exit(0), 50);' : 'setInterval(() => {}, 1000);'}
    })`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'pipe' });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const done = new Promise<void>((r) => child.once('close', () => r()));
    for (let i = 0; i < 250 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
    const name = out.trim();
    assert.match(name, new RegExp(`^${PREFIX}c-${child.pid}-1$`));
    if (how === 'SIGTERM') child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
    assert.equal(listNetns().includes(name), false, `${name} left behind after ${how}`);
  }
});
