import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EpwgetCounters, epwgetSecondLine, snapshotCounters } from './epwget.js';

test('per-second line from summed core counters', () => {
  const a = new EpwgetCounters();
  const b = new EpwgetCounters();
  a.connects = 10; a.completed = 8; a.readBytes = 2 * 1048576; a.respTotalUs = 800; a.errors = 1; a.respMaxUs = 300;
  b.connects = 5; b.completed = 2; b.readBytes = 1048576; b.respTotalUs = 200; b.respMaxUs = 500;
  const sum = new EpwgetCounters();
  snapshotCounters(sum, a, true);
  snapshotCounters(sum, b, true);
  assert.equal(sum.connects, 15);
  assert.equal(sum.completed, 10);
  const before = new EpwgetCounters();
  const max = Math.max(a.takeRespMax(), b.takeRespMax());
  assert.equal(a.respMaxUs, 0);
  assert.equal(
    epwgetSecondLine(sum, before, max, 1),
    '[ ALL ] connect:      15, read:    3 MB, write:    0 MB, completes:      10 (resp_time avg:  100, max:    500 us) | total       10,     25.17 Mbit/s, errors: 1',
  );
  snapshotCounters(before, sum, false);
  sum.completed += 4;
  sum.respTotalUs += 400;
  assert.match(epwgetSecondLine(sum, before, 0, 2), /completes:       2 \(resp_time avg:  100,/);
});
