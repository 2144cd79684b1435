import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIperf3Json, parseWrk } from './tap-parse.js';

// Output of `wrk -t1 -c64 -d3s` (wrk 4.1.0) against epserver over a TAP.
const WRK_CLEAN = `Running 3s test @ http://10.77.2.2/index.html
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms    2.47ms  30.32ms   92.64%
    Req/Sec    55.51k    18.62k   72.94k    90.00%
  165918 requests in 3.01s, 188.61MB read
Requests/sec:  55098.41
Transfer/sec:     62.63MB
`;

const WRK_ERRORS = `Running 5s test @ http://10.77.1.1/index.html
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.00ms  20.00ms   90.00%
    Req/Sec    10.00k     1.00k   12.00k    70.00%
  900 requests in 500.00ms, 1.00MB read
  Socket errors: connect 3, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 17
Requests/sec:   1800.00
Transfer/sec:      2.00MB
`;

test('wrk summary without errors', () => {
  assert.deepEqual(parseWrk(WRK_CLEAN), { requests: 165918, seconds: 3.01, requestsPerSecond: 55098.41, socketErrors: 0, non2xx: 0 });
});

test('wrk summary with socket errors, non-2xx answers and a run length in ms', () => {
  assert.deepEqual(parseWrk(WRK_ERRORS), { requests: 900, seconds: 0.5, requestsPerSecond: 1800, socketErrors: 10, non2xx: 17 });
});

test('wrk output without a summary throws with the output', () => {
  assert.throws(() => parseWrk('unable to connect to 10.77.1.1:80 Connection refused\n'), /wrk: no summary.*Connection refused/);
});

test('iperf3 -J: the receiver side, bytes and retransmits', () => {
  // Trimmed from `iperf3 -c 127.0.0.1 -t 1 -J` (iperf 3.12).
  const json = JSON.stringify({
    start: { version: 'iperf 3.12' },
    intervals: [],
    end: {
      sum_sent: { start: 0, end: 1.008446, seconds: 1.008446, bytes: 1546518528, bits_per_second: 12268528234.53115, retransmits: 3, sender: true },
      sum_received: { start: 0, end: 1.009088, seconds: 1.009088, bytes: 1541275648, bits_per_second: 12219157480.81436, sender: true },
    },
  });
  assert.deepEqual(parseIperf3Json(json), { receivedBitsPerSecond: 12219157480.81436, sentBytes: 1546518528, receivedBytes: 1541275648, retransmits: 3 });
});

test('iperf3 -J errors and broken output throw', () => {
  const refused = '{\n\t"start":\t{},\n\t"intervals":\t[],\n\t"end":\t{\n\t},\n\t"error":\t"unable to connect to server: Connection refused"\n}';
  assert.throws(() => parseIperf3Json(refused), /^Error: iperf3: unable to connect to server: Connection refused$/);
  assert.throws(() => parseIperf3Json('{"end": {}}'), /no end.sum_received/);
  assert.throws(() => parseIperf3Json('iperf3: error - bad'), /not JSON/);
});
