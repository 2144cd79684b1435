import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMtcpConfig } from '../src/config/mtcp-config.js';
import { listNetns, rootTestsEnabled } from '../src/testing/netns.js';
import { runTapBenchmarks, tapConfig, tapSuiteUnavailable } from './tap-suite.js';

test('the TAP runs\' mtcp.conf: io = tap on mtbtap0, 10.77.2.2/24, vnet_hdr only in the TSO variant', () => {
  for (const vnetHdr of [false, true]) {
    const conf = parseMtcpConfig(tapConfig(vnetHdr), vnetHdr ? 'tap-vnet.conf' : 'tap.conf');
    assert.equal(conf.io, 'tap');
    assert.equal(conf.numCores, 1);
    assert.equal(conf.ports.length, 1);
    const port = conf.ports[0]!;
    assert.equal(port.name, 'mtbtap0');
    assert.equal(port.ip, ((10 << 24) | (77 << 16) | (2 << 8) | 2) >>> 0);
    assert.equal(port.prefixLength, 24);
    assert.equal(port.vnetHdr, vnetHdr);
  }
});

test('without root the suite returns no records and says why', { skip: process.getuid?.() === 0 ? 'runs as root' : false }, async () => {
  const lines: string[] = [];
  const records = await runTapBenchmarks({ seconds: 1, runs: 1, log: (s) => lines.push(s) });
  assert.deepEqual(records, []);
  assert.match(lines.join('\n'), /tap-suite: skipped: .*(root|Linux)/);
});

test('one short run of every figure, leaving no namespace behind (root)', async (t) => {
  if (!rootTestsEnabled(t)) return;
  const why = tapSuiteUnavailable();
  if (why !== null) {
    // Privileges are there but a measuring tool or the addon is not: say which instead of failing obscurely.
    assert.fail(`the TAP suite cannot run here: ${why}`);
  }
  const lines: string[] = [];
  const records = await runTapBenchmarks({ seconds: 1, runs: 1, connections: 16, log: (s) => lines.push(s) });
  assert.deepEqual(records.map((r) => r.name), [
    'HTTP req/s, epserver over TAP',
    'HTTP req/s, epserver over TAP + vnet_hdr',
    'bulk send Gbit/s over TAP',
    'bulk send Gbit/s over TAP + vnet_hdr (TSO)',
    'bulk receive Gbit/s over TAP',
    'bulk receive Gbit/s over TAP + vnet_hdr',
  ]);
  for (const r of records) {
    assert.doesNotMatch(r.note, /failed/, `${r.name}: ${r.note}\n${lines.join('\n')}`);
    assert.equal(r.mtcpRuns.length, 1, r.name);
    assert.equal(r.nodeRuns.length, 1, r.name);
    assert.ok(r.mtcp! > 0 && r.node! > 0, `${r.name}: ${r.mtcp} / ${r.node}`);
    assert.equal(r.ratio, r.mtcp! / r.node!);
  }
  const mine = listNetns().filter((n) => /^mtb(srv|cli|tap)-/.test(n) && n.includes(`-${process.pid}-`));
  assert.deepEqual(mine, []);
});
