import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('./web-demo.js', import.meta.url));

test('the web demo fetches the generated file every time and exits 0', () => {
  const r = spawnSync(process.execPath, [DEMO, '3000', '-c', '32', '--size', '4096'], { cwd: process.cwd(), encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^web-demo: epserver on 10\.0\.0\.2:80 serving /);
  assert.match(r.stdout, /\[ ALL \] Completed 3000 connections, errors: 0 incompletes: 0\n/);
  assert.match(r.stdout, /epwget: 3000\/3000 requests completed correctly in [\d.]+ s \(\d+ requests\/s, [\d.]+ Mbit\/s, 12288000 body bytes\): OK\n/);
  assert.match(r.stdout, /server  served 3000 requests \(3000 OK, 0 not found\)/);
});
