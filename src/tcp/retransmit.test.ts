// Reliability: the retransmission timer (RFC 6298: RTO from samples, minimum, Karn, exponential backoff,
// give-up with ETIMEDOUT), fast retransmit and NewReno recovery (RFC 5681 §3.2, RFC 6582), limited transmit
// (RFC 3042). Peer MSS 1000 and no timestamps, so segments are 1000 bytes and RTT comes from timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript } from './testing/script.js';

// Handshake with a 100 ms RTT: SRTT 100, RTTVAR 50, RTO 300 ms.
const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460>
0.1   < . 1:1(0) ack 1 win 60000
0.1   accept
`;
const cfg = { config: { sndbuf: 65536, rcvbuf: 65535, sack: false } };

test('RTO from the handshake sample, doubling on each expiry, ETIMEDOUT after dataRetries', () => {
  runScript(OPEN + `
0.1   send 100
0.1   > P. 1:101(100) ack 1 win 65535
0.4   > P. 1:101(100) ack 1 win 65535
1.0   > P. 1:101(100) ack 1 win 65535
2.2   > P. 1:101(100) ack 1 win 65535
4.5   state ESTABLISHED
4.6   state CLOSED
+0    error ETIMEDOUT
`, { config: { ...cfg.config, dataRetries: 3 } });
});

test('minimum RTO is configurable (RFC 6298 §2.4)', () => {
  runScript(OPEN + `
0.1   send 100
0.1   > P. 1:101(100) ack 1 win 65535
0.6   > P. 1:101(100) ack 1 win 65535
`, { config: { ...cfg.config, rtoMinMs: 500 } });
});

test("Karn: the ACK of a retransmitted segment gives no sample; the backed-off RTO stays", () => {
  runScript(OPEN + `
0.1   send 100
0.1   > P. 1:101(100) ack 1 win 65535
0.4   > P. 1:101(100) ack 1 win 65535
0.45  < . 1:1(0) ack 101 win 60000
0.45  send 100
0.45  > P. 101:201(100) ack 1 win 65535
1.05  > P. 101:201(100) ack 1 win 65535       # 600 ms: still backed off
1.1   < . 1:1(0) ack 201 win 60000
1.1   send 100
1.1   > P. 201:301(100) ack 1 win 65535
1.15  < . 1:1(0) ack 301 win 60000            # a clean 50 ms sample: SRTT 94, RTTVAR 50 -> RTO 294
1.15  send 100
1.15  > P. 301:401(100) ack 1 win 65535
1.444 > P. 301:401(100) ack 1 win 65535
`, cfg);
});

test('after an RTO the sender restarts from SND.UNA with one segment (RFC 5681 §3.1)', () => {
  runScript(OPEN + `
0.1   send 3000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > P. 2001:3001(1000) ack 1 win 65535
0.4   > . 1:1001(1000) ack 1 win 65535
0.45  < . 1:1(0) ack 1001 win 60000
0.45  > . 1001:2001(1000) ack 1 win 65535
0.45  > P. 2001:3001(1000) ack 1 win 65535
`, cfg);
});

test('fast retransmit on the third duplicate ACK, NewReno partial ACK, exit on full ACK', () => {
  runScript(OPEN + `
0.1   send 6000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > . 4001:5001(1000) ack 1 win 65535
0.1   > P. 5001:6001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000          # segment 2 (1001) and 4 (3001) lost
0.2   < . 1:1(0) ack 1001 win 60000
0.2   < . 1:1(0) ack 1001 win 60000
0.2   < . 1:1(0) ack 1001 win 60000
0.2   > . 1001:2001(1000) ack 1 win 65535
0.2   counter fastRetransmits = 1
0.3   < . 1:1(0) ack 3001 win 60000          # partial ACK: the next hole is resent at once
0.3   > . 3001:4001(1000) ack 1 win 65535
0.4   < . 1:1(0) ack 6001 win 60000
0.4   counter fastRetransmits = 1
0.4   counter retransmitTimeouts = 0
`, cfg);
});

test('limited transmit: the first two duplicate ACKs each release a new segment (RFC 3042)', () => {
  runScript(OPEN + `
0.1   send 14000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > . 4001:5001(1000) ack 1 win 65535
0.1   > . 5001:6001(1000) ack 1 win 65535
0.1   > . 6001:7001(1000) ack 1 win 65535
0.1   > . 7001:8001(1000) ack 1 win 65535
0.1   > . 8001:9001(1000) ack 1 win 65535
0.1   > . 9001:10001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000            # initial window (10 segments) exhausted; first segment lost
0.2   > . 10001:11001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 11001:12001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 1:1001(1000) ack 1 win 65535        # third duplicate: fast retransmit
`, cfg);
});

test('congestion response: NewReno halves the window on fast retransmit, CUBIC keeps 0.7 of it', () => {
  const loss = OPEN + `
0.1   send 10000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > . 4001:5001(1000) ack 1 win 65535
0.1   > . 5001:6001(1000) ack 1 win 65535
0.1   > . 6001:7001(1000) ack 1 win 65535
0.1   > . 7001:8001(1000) ack 1 win 65535
0.1   > . 8001:9001(1000) ack 1 win 65535
0.1   > P. 9001:10001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000
0.2   < . 1:1(0) ack 1 win 60000
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 1:1001(1000) ack 1 win 65535
`;
  const reno = runScript(loss, { config: { ...cfg.config, cc: 'reno' } });
  assert.equal(reno.conn!.cc.ssthresh, 5000);
  const cubic = runScript(loss, { config: { ...cfg.config, cc: 'cubic' } });
  assert.equal(cubic.conn!.cc.ssthresh, 7000);
});

test('slow start: each ACK of new data opens the window (initial window 10 segments, RFC 6928)', () => {
  const h = runScript(OPEN + `
0.1   send 12000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > . 4001:5001(1000) ack 1 win 65535
0.1   > . 5001:6001(1000) ack 1 win 65535
0.1   > . 6001:7001(1000) ack 1 win 65535
0.1   > . 7001:8001(1000) ack 1 win 65535
0.1   > . 8001:9001(1000) ack 1 win 65535
0.1   > . 9001:10001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000
0.2   > . 10001:11001(1000) ack 1 win 65535
0.2   > P. 11001:12001(1000) ack 1 win 65535
`, { config: { ...cfg.config, cc: 'reno' } });
  assert.equal(h.conn!.cc.cwnd, 11000);
});

test('NewReno partial ACK: the retransmission stops at SND.MAX even when more data waits unsent', () => {
  runScript(OPEN + `
0.1   send 500
0.1   > P. 1:501(500) ack 1 win 65535
0.1   send 20000
0.1   > . 501:1501(1000) ack 1 win 65535
0.1   > . 1501:2501(1000) ack 1 win 65535
0.1   > . 2501:3501(1000) ack 1 win 65535
0.1   > . 3501:4501(1000) ack 1 win 65535
0.1   > . 4501:5501(1000) ack 1 win 65535
0.1   > . 5501:6501(1000) ack 1 win 65535
0.1   > . 6501:7501(1000) ack 1 win 65535
0.1   > . 7501:8501(1000) ack 1 win 65535
0.1   > . 8501:9501(1000) ack 1 win 65535     # cwnd (10000) full; 500 usable bytes wait (SWS)
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 9501:10501(1000) ack 1 win 65535    # limited transmit
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 10501:11501(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000
0.2   > . 1:1001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 11001 win 60000          # partial ACK in mid-segment: the hole is 11001..11501
0.3   > . 11001:11501(500) ack 1 win 65535
`, cfg);
});

test('RFC 6298 §5.7: after a SYN retransmission without an RTT sample, data starts with a 3 s RTO', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 65535 <...>
1     > S 0:0(0) win 65535 <...>
1.1   < S. 0:0(0) ack 1 win 60000 <mss 1000>
1.1   > . 1:1(0) ack 1 win 65535
1.1   send 100
1.1   > P. 1:101(100) ack 1 win 65535
4.1   > P. 1:101(100) ack 1 win 65535
`, cfg);
});

test('a loss right after recovery (ACK == old SND.MAX) gets its own fast retransmit (RFC 6582 recover = SND.MAX - 1)', () => {
  runScript(OPEN + `
0.1   send 8000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > . 4001:5001(1000) ack 1 win 65535
0.1   > . 5001:6001(1000) ack 1 win 65535
0.1   > . 6001:7001(1000) ack 1 win 65535
0.1   > P. 7001:8001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000                # 1001 lost
0.2   < . 1:1(0) ack 1001 win 60000
0.2   < . 1:1(0) ack 1001 win 60000
0.2   < . 1:1(0) ack 1001 win 60000
0.2   > . 1001:2001(1000) ack 1 win 65535          # fast retransmit; recover = 8000
0.3   < . 1:1(0) ack 8001 win 60000                # full ACK: recovery over
0.3   send 3000
0.3   > . 8001:9001(1000) ack 1 win 65535
0.3   > . 9001:10001(1000) ack 1 win 65535
0.3   > P. 10001:11001(1000) ack 1 win 65535
0.4   < . 1:1(0) ack 8001 win 60000                # 8001 lost: duplicates of ACK 8001 (== old SND.MAX)
0.4   < . 1:1(0) ack 8001 win 60000
0.4   < . 1:1(0) ack 8001 win 60000
0.4   > . 8001:9001(1000) ack 1 win 65535
0.4   counter fastRetransmits = 2
`, { config: { ...cfg.config, cc: 'reno' } });
});
