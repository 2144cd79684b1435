// The scapy probes against the Linux kernel: a correct peer must pass every one of them (this is how the
// probes themselves are validated), and a probe aimed at the wrong behaviour must fail. As kernel-peer does:
// the kernel under test (nginx) lives in its own namespace at STACK_IP, the probe in the fixture's namespace
// at KERNEL_IP, joined by a veth pair. The stack-facing versions of these checks are in stack-probes.test.ts.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { listNetns, TestNetns } from '../src/testing/netns.js';
import { KERNEL_IP, STACK_IP, rootTestsEnabled, withInterop, type InteropNet } from './fixture.js';
import { runProbe, startNginx } from './kernel-tools.js';

const PREFIX = 'mtpk';

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

/** Runs body with a kernel target (nginx on STACK_IP:80, big.bin of 2 MB) reachable from net's namespace. */
async function withKernelTarget(body: (net: InteropNet, target: TestNetns) => Promise<void>): Promise<void> {
  await withInterop({ prefix: PREFIX }, async (net) => {
    const target = TestNetns.create(PREFIX);
    try {
      net.ns.ip('link', 'add', 'pr0', 'type', 'veth', 'peer', 'name', 'srv0', 'netns', target.name);
      net.ns.ip('addr', 'add', `${KERNEL_IP}/24`, 'dev', 'pr0');
      target.ip('addr', 'add', `${STACK_IP}/24`, 'dev', 'srv0');
      // Frames as a NIC would put them on the wire (no 64 KiB GSO super-frames towards scapy).
      net.ns.runSync('ethtool', '-K', 'pr0', 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off');
      target.runSync('ethtool', '-K', 'srv0', 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off');
      net.ns.ip('link', 'set', 'pr0', 'up');
      target.ip('link', 'set', 'srv0', 'up');
      const www = join(net.dir, 'www');
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), '<html><body>hello</body></html>\n');
      writeFileSync(join(www, 'big.bin'), randomBytes(2_000_000));
      await startNginx(target, { root: www, dir: net.dir, ip: STACK_IP, port: 80 });
      net.suppressKernelRsts();
      await body(net, target);
    } finally {
      target.destroy();
    }
  });
}

test('probes pass against the Linux kernel, and fail when aimed at the wrong behaviour', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withKernelTarget(async (net) => {
    const cases: Array<[string, number, string[]]> = [
      ['syn_closed_port', 81, []],
      ['synack_options', 80, []],
      ['challenge_ack', 80, []],
      ['ooo_sack', 80, []],
      ['zero_window', 80, ['--path', '/big.bin']],
    ];
    for (const [name, port, extra] of cases) {
      const r = await runProbe(net.ns, name, STACK_IP, port, extra);
      assert.equal(r.passed, true, `${name} against Linux:\n${r.output}`);
      assert.match(r.line, new RegExp(`^PASS ${name}: `));
    }
    // A listening port is not closed: the closed-port probe must say FAIL (exit 1), not crash.
    const wrong = await runProbe(net.ns, 'syn_closed_port', STACK_IP, 80);
    assert.equal(wrong.passed, false);
    assert.equal(wrong.code, 1, wrong.output);
    assert.match(wrong.line, /^FAIL syn_closed_port: SYN to a closed port answered by \[SA /);
    // Nothing listens on 81: every handshake-based probe must fail with exit 1.
    const noListener = await runProbe(net.ns, 'synack_options', STACK_IP, 81, ['--timeout', '1']);
    assert.equal(noListener.code, 1, noListener.output);
    assert.match(noListener.line, /^FAIL synack_options: offer all four: SYN answered by \[RA /);
  });
});

test('client_window (scapy as the server) passes with the kernel as the client', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withKernelTarget(async (net, target) => {
    const probe = runProbe(net.ns, 'client_window', STACK_IP, 8080, ['--count', '4', '--timeout', '20']);
    await new Promise((r) => setTimeout(r, 1500)); // scapy starts in about a second
    for (let i = 0; i < 4; i++) {
      const r = await target.run(`curl -sS --max-time 10 http://${KERNEL_IP}:8080/x`, 15_000);
      assert.equal(r.stdout, 'hello from a scapy server\n', r.stderr);
    }
    const result = await probe;
    assert.equal(result.passed, true, result.output);
  });
});
