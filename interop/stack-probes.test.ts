// The scapy protocol probes against our stack (epserver on the TAP): closed-port RST, SYN-ACK options,
// RFC 5961 challenge ACK, out-of-order reassembly with SACK, zero-window probing, sequence numbers at 2^31/2^32.
// The same probes pass against the Linux kernel (probes.test.ts). The namespace's kernel plays no TCP here:
// its RSTs are dropped so scapy's hand-made connections survive.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNetns } from '../src/testing/netns.js';
import { KERNEL_IP, STACK_IP, rootTestsEnabled, withInterop } from './fixture.js';
import { runProbe } from './kernel-tools.js';
import { startEpserver, startProgram, writeStackConf } from './stack.js';

const PREFIX = 'mthp';

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

const PROBES: Array<[name: string, port: number, extra: string[], what: string]> = [
  ['syn_closed_port', 81, [], 'a SYN to a closed port gets RST+ACK; a stray ACK gets RST; a RST gets nothing'],
  ['synack_options', 80, [], 'the SYN-ACK carries MSS/WS/SACK-permitted/timestamps exactly when the SYN offered them'],
  ['challenge_ack', 80, [], 'an in-window RST with a wrong sequence gets a challenge ACK and the connection survives'],
  ['ooo_sack', 80, [], 'out-of-order segments are SACKed at once and reassembled'],
  ['zero_window', 80, ['--path', '/big.bin'], 'a zero window is probed with backoff and sending resumes when it opens'],
  ['seq_edges', 80, [], 'sequence numbers crossing 2^31 and 2^32 work, windows stay open'],
];

for (const [name, port, extra, what] of PROBES) {
  test(`probe ${name}: ${what}`, async (t) => {
    if (!rootTestsEnabled(t)) return;
    await withInterop({ prefix: PREFIX }, async (net) => {
      net.createTap();
      net.suppressKernelRsts();
      await net.startCapture();
      const www = join(net.dir, 'www');
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), '<html><body>probe</body></html>\n');
      writeFileSync(join(www, 'big.bin'), randomBytes(1 << 20));
      const server = await startEpserver(net, writeStackConf(net), www);
      try {
        const r = await runProbe(net.ns, name, STACK_IP, port, extra);
        assert.equal(r.passed, true, `${r.line || '(no PASS/FAIL line)'}\n${r.output}\nepserver:\n${server.output()}`);
      } finally {
        await server.stop();
      }
    });
  });
}

test('probe client_window: our epwget connecting to a scapy server with ISNs near 2^31/2^32 keeps its window open', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    net.createTap();
    net.suppressKernelRsts(); // the namespace's kernel has no listener on 8080: scapy answers instead
    await net.startCapture();
    const probe = runProbe(net.ns, 'client_window', STACK_IP, 8080, ['--count', '4', '--timeout', '20']);
    await new Promise((r) => setTimeout(r, 1500)); // scapy starts in about a second
    const client = startProgram(net, 'epwget', [`${KERNEL_IP}:8080/x`, '4', '-c', '1', '-f', writeStackConf(net)]);
    const [result, exit] = await Promise.all([probe, client.finish(30_000)]);
    assert.equal(result.passed, true, `${result.line}\n${result.output}\nepwget:\n${client.output()}`);
    assert.equal(exit.code, 0, `epwget:\n${client.output()}`);
  });
});
