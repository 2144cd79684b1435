// Our HTTP client (epwget) against Debian's nginx run by the test in the namespace: every request must succeed.
// The stack speaks first here, so this is also where it must resolve the kernel's MAC by its own ARP request.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNetns } from '../src/testing/netns.js';
import { KERNEL_IP, STACK_IP, rootTestsEnabled, withInterop } from './fixture.js';
import { startNginx } from './kernel-tools.js';
import { STACK_MAC, startProgram, writeStackConf } from './stack.js';

const PREFIX = 'mthw';

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

const re = (s: string): string => s.replace(/[.]/g, '\\.');

test('epwget against nginx: 20000 requests at concurrency 100 and 200 of a 1 MiB file all succeed; the stack ARPs for the kernel', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    net.createTap();
    await net.startCapture({ snaplen: 128 });
    const www = join(net.dir, 'www');
    mkdirSync(www);
    const index = '<html><body>nginx for mtcp-ts</body></html>\n';
    writeFileSync(join(www, 'index.html'), index);
    writeFileSync(join(www, 'mib.bin'), randomBytes(1 << 20));
    const nginx = await startNginx(net.ns, { root: www, dir: net.dir, ip: KERNEL_IP, port: 80 });
    const conf = writeStackConf(net);

    const small = startProgram(net, 'epwget', [`${KERNEL_IP}/index.html`, '20000', '-c', '100', '-f', conf]);
    const r1 = await small.finish(60_000);
    assert.equal(r1.timedOut, false, `epwget did not finish within 60 s:\n${small.output()}`);
    assert.equal(r1.code, 0, `epwget small:\n${small.output()}\nnginx: ${nginx.stderr()}`);
    assert.match(small.stdout, /^\[ ALL \] Completed 20000 connections, errors: 0 incompletes: 0$/m, small.output());
    assert.match(small.stdout, /epwget: 20000\/20000 requests completed correctly .*: OK$/m, small.output());
    assert.match(small.stdout, new RegExp(`Response size set to ${index.length}\\b`), small.output());

    const big = startProgram(net, 'epwget', [`${KERNEL_IP}/mib.bin`, '200', '-c', '20', '-f', conf]);
    const r2 = await big.finish(60_000);
    assert.equal(r2.timedOut, false, `epwget did not finish within 60 s:\n${big.output()}`);
    assert.equal(r2.code, 0, `epwget 1 MiB:\n${big.output()}\nnginx: ${nginx.stderr()}`);
    assert.match(big.stdout, /^\[ ALL \] Completed 200 connections, errors: 0 incompletes: 0$/m, big.output());
    assert.match(big.stdout, /\(\d+ requests\/s, [\d.]+ Mbit\/s, 209715200 body bytes\): OK$/m, big.output());

    await net.stopCapture();
    const arp = await net.ns.run(`tcpdump -enr ${net.pcapPath} arp`, 10_000);
    assert.match(arp.stdout, new RegExp(`^\\S+ ${STACK_MAC} > ff:ff:ff:ff:ff:ff, .*Request who-has ${re(KERNEL_IP)} tell ${re(STACK_IP)}`, 'm'),
      `the stack's ARP request for the kernel:\n${arp.stdout}`);
    assert.match(arp.stdout, new RegExp(`> ${STACK_MAC}, .*Reply ${re(KERNEL_IP)} is-at `, 'm'), arp.stdout);
    // The stack must not have needed the kernel to ask first: its request comes before any kernel request.
    const firstLine = arp.stdout.split('\n')[0] ?? '';
    assert.match(firstLine, new RegExp(`^\\S+ ${STACK_MAC} > `), `first ARP frame is the stack's: ${firstLine}`);
  });
});
