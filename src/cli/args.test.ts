import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseEpserverArgs, parseEpwgetArgs, parsePerfArgs } from './args.js';

test('epserver flags as mTCP plus --port', () => {
  assert.deepEqual(parseEpserverArgs(['-p', 'www', '-f', 'e.conf', '-N', '2', '--port', '8080']), {
    wwwDir: 'www', configFile: 'e.conf', cores: 2, coreId: undefined, backlog: 4096, port: 8080, help: false,
  });
  assert.throws(() => parseEpserverArgs(['-f', 'x']), /-p WWW_DIR is required/);
  assert.throws(() => parseEpserverArgs(['-p', 'w', '-f', 'x', '-N', 'two']), /-N must be an integer/);
  assert.throws(() => parseEpserverArgs(['-p', 'w', '-f', 'x', '--port', '0']), /--port must be between 1 and 65535/);
  assert.throws(() => parseEpserverArgs(['-p', 'w', '-f', 'x', '-z']), UsageError);
  assert.equal(parseEpserverArgs(['-h']).help, true);
});

test('epwget positionals and flags', () => {
  const a = parseEpwgetArgs(['10.0.0.1/f.html', '1000', '-N', '1', '-c', '64', '-f', 'w.conf', '-o', 'out']);
  assert.equal(a.url.ip, 0x0a000001);
  assert.equal(a.url.path, '/f.html');
  assert.equal(a.requests, 1000);
  assert.equal(a.concurrency, 64);
  assert.equal(a.cores, 1);
  assert.equal(a.outPrefix, 'out');
  assert.throws(() => parseEpwgetArgs(['10.0.0.1/f', '-f', 'w']), /URL and REQUESTS are required/);
  assert.throws(() => parseEpwgetArgs(['host/f', '10', '-f', 'w']), /not a dotted IPv4/);
  assert.throws(() => parseEpwgetArgs(['10.0.0.1/f', '0', '-f', 'w']), /REQUESTS must be between 1/);
  assert.throws(() => parseEpwgetArgs(['10.0.0.1/f', '10']), /-f CONF is required/);
});

test('mtcp-perf roles, modes and local options', () => {
  const s = parsePerfArgs(['server', '-f', 's.conf']);
  assert.equal(s.role, 'server');
  assert.equal(s.port, 5001);
  const c = parsePerfArgs(['client', '10.0.0.1', '-f', 'c.conf', '--mode', 'rr', '--size', '128', '-C', '8', '--time', '2']);
  assert.equal(c.role, 'client');
  assert.equal(c.host, '10.0.0.1');
  assert.equal(c.mode, 'rr');
  assert.equal(c.requestSize, 128);
  assert.equal(c.responseSize, 128);
  assert.equal(c.connections, 8);
  assert.equal(c.durationSec, 2);
  const l = parsePerfArgs(['--local', '--bytes', '64M', '--impair', 'loss=0.05', '--seed', '7', '--cc', 'reno', '--dir', 'both']);
  assert.equal(l.role, 'local');
  assert.equal(l.bytes, 64 * 1024 * 1024);
  assert.equal(l.durationSec, 0);
  assert.equal(l.up && l.down, true);
  assert.equal(l.seed, 7);
  assert.equal(l.cc, 'reno');
  assert.equal(parsePerfArgs(['--local']).durationSec, 10);
  assert.throws(() => parsePerfArgs(['client', '-f', 'c']), /client needs HOST/);
  assert.throws(() => parsePerfArgs(['server']), /-f CONF is required/);
  assert.throws(() => parsePerfArgs(['--local', '--mode', 'x']), /--mode must be bulk, rr or crr/);
  assert.throws(() => parsePerfArgs(['--local', '--cc', 'bbr']), /--cc must be cubic or reno/);
  assert.throws(() => parsePerfArgs(['server', '-f', 'x', '--impair', 'loss=0.1']), /apply to --local runs/);
  assert.throws(() => parsePerfArgs(['--local', '--bytes', '1Q']), /--bytes: invalid size/);
  assert.throws(() => parsePerfArgs(['bogus']), /must be "server" or "client"/);
});
