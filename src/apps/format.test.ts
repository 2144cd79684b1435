import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEpserverSecond, formatEpwgetSecond, formatEpwgetSummary, formatPerfInterval, formatPerfVerdict, mbits } from './format.js';

test('epwget per-second line', () => {
  assert.equal(
    formatEpwgetSecond({ connects: 1200, readBytes: 3 * 1048576, writeBytes: 100000, completes: 1190, completedTotal: 5000, errorsTotal: 2, respTimeAvgUs: 350, respTimeMaxUs: 4100, seconds: 1 }),
    '[ ALL ] connect:    1200, read:    3 MB, write:    0 MB, completes:    1190 (resp_time avg:  350, max:   4100 us) | total     5000,     25.17 Mbit/s, errors: 2',
  );
});

test('epwget summary says OK only when every request completed', () => {
  const ok = formatEpwgetSummary({ requested: 10, completed: 10, errors: 0, incompletes: 0, reasons: {}, seconds: 2, bodyBytes: 640, totalBytes: 2000 });
  assert.deepEqual(ok, [
    '[ ALL ] Completed 10 connections, errors: 0 incompletes: 0',
    'epwget: 10/10 requests completed correctly in 2.00 s (5 requests/s, 0.01 Mbit/s, 640 body bytes): OK',
  ]);
  const bad = formatEpwgetSummary({ requested: 10, completed: 8, errors: 2, incompletes: 0, reasons: { 'status 404': 2 }, seconds: 1, bodyBytes: 0, totalBytes: 0 });
  assert.equal(bad[1], '        error: status 404: 2');
  assert.match(bad[2]!, /: FAILED$/);
});

test('epserver and perf lines', () => {
  assert.equal(
    formatEpserverSecond({ core: 0, flows: 12, accepts: 100, requests: 250, notFound: 1, badRequests: 0, txBytes: 125e6, seconds: 1 }),
    '[CPU 0] epserver flows:     12, accepts:     100/s, requests:     250/s (404: 1, 400: 0), TX:  1.00(Gbps)',
  );
  assert.equal(formatPerfInterval(0, 1, 125e6, 0, 0, 'bulk'), '[   0.0-   1.0 s] sent   1000.00 Mbit/s  received      0.00 Mbit/s');
  assert.equal(formatPerfInterval(1, 2, 0, 0, 5000, 'rr'), '[   1.0-   2.0 s]     5000 transactions/s');
  assert.equal(formatPerfVerdict(true, 'x'), 'data matched: yes (x)');
  assert.equal(formatPerfVerdict(false, 'y'), 'data matched: NO (y)');
  assert.equal(mbits(1e6, 0), 0);
});
