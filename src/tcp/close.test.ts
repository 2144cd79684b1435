// Closing (RFC 9293 §3.6, §3.10.4, §3.10.7.4): active, passive and simultaneous close, half-close, TIME_WAIT,
// FIN_WAIT_2 timeout, abortive close (RST on unread data, SO_LINGER 0, abort), RST reception.
import { test } from 'node:test';
import { runScript } from './testing/script.js';

// An established passive connection without options (plain numbers are easier to read).
const OPEN = `
0     listen 8080
0     < S 0:0(0) win 10000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < . 1:1(0) ack 1 win 10000
0     accept
`;

test('active close: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> freed after tcp_timewait', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0    state FIN_WAIT_1
+0.01 < . 1:1(0) ack 2 win 10000
+0    state FIN_WAIT_2
+0.01 < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    state TIME_WAIT
+0.5  < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0.99 state TIME_WAIT
+0.02 state CLOSED
+0    freed
`, { config: { timeWaitMs: 1000 } });
});

test('tcp_timewait 0 (mTCP default): TIME_WAIT ends right after the last ACK is sent', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    freed
+0    counter connectionsFreed = 1
`);
});

test('passive close: FIN -> CLOSE_WAIT, EOF, close -> LAST_ACK -> CLOSED', () => {
  runScript(OPEN + `
+0    < F. 1:1(0) ack 1 win 10000
+0    > . 1:1(0) ack 2 win 8191
+0    state CLOSE_WAIT
+0    readhup true
+0    readable true
+0    recv 100 = 0
+0    send 10
+0    > P. 1:11(10) ack 2 win 8191
+0    close
+0    > F. 11:11(0) ack 2 win 8191
+0    state LAST_ACK
+0.01 < . 2:2(0) ack 12 win 10000
+0    freed
`);
});

test('FIN acknowledging our FIN in FIN_WAIT_1 goes straight to TIME_WAIT', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    state TIME_WAIT
`, { config: { timeWaitMs: 60000 } });
});

test('simultaneous close: FIN_WAIT_1 -> CLOSING -> TIME_WAIT', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < F. 1:1(0) ack 1 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    state CLOSING
+0.01 < . 2:2(0) ack 2 win 10000
+0    state TIME_WAIT
`, { config: { timeWaitMs: 60000 } });
});

test('half-close: shutdown(SHUT_WR) sends FIN, data still flows in, peer FIN ends it', () => {
  runScript(OPEN + `
+0    shutdown wr
+0    > F. 1:1(0) ack 1 win 8192
+0    send 5 = EPIPE
+0    writable true
+0.01 < . 1:1(0) ack 2 win 10000
+0    state FIN_WAIT_2
+0    < P. 1:101(100) ack 2 win 10000
+0.04 > . 2:2(0) ack 101 win 8092
+0    recv 1000 = 100
+0    < F. 101:101(0) ack 2 win 10000
+0    > . 2:2(0) ack 102 win 8091
+0    state TIME_WAIT
+0    recv 1000 = 0
+0    hangup true
`, { config: { timeWaitMs: 60000 } });
});

test('FIN retransmitted on timeout (RTO 200 ms after a 0 ms sample); LAST_ACK gives up after dataRetries', () => {
  runScript(OPEN + `
+0    < F. 1:1(0) ack 1 win 10000
+0    > . 1:1(0) ack 2 win 8191
+0    recv 10 = 0
+0    close
+0    > F. 1:1(0) ack 2 win 8191
+0.2  > F. 1:1(0) ack 2 win 8191
+0.4  > F. 1:1(0) ack 2 win 8191
+0.79 state LAST_ACK
+0.01 freed
`, { config: { dataRetries: 2 } });
});

test('close with unread data sends RST (RFC 2525 §2.17)', () => {
  runScript(OPEN + `
+0    < P. 1:11(10) ack 1 win 10000
+0.04 > . 1:1(0) ack 11 win 8182
+0    close
+0    > R. 1:1(0) ack 11 win 0
+0    freed
+0    counter resetsOnClose = 1
`);
});

test('SO_LINGER 0 close and abort() send RST', () => {
  runScript(OPEN + `
+0    set linger 0
+0    close
+0    > R. 1:1(0) ack 1 win 0
+0    freed
`);
  runScript(OPEN + `
+0    abort
+0    > R. 1:1(0) ack 1 win 0
+0    freed
`);
});

test('orphaned FIN_WAIT_2 times out with RST; new data after close draws RST', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < . 1:1(0) ack 2 win 10000
+0    state FIN_WAIT_2
+30   state FIN_WAIT_2
+0.01 > R. 2:2(0) ack 1 win 0
+0    freed
`, { config: { finWait2TimeoutMs: 30010 } });
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < . 1:1(0) ack 2 win 10000
+0    < P. 1:11(10) ack 2 win 10000
+0    > R. 2:2(0) ack 1 win 0
+0    freed
`);
});

test('RST at RCV.NXT in ESTABLISHED: CLOSED, read gives ECONNRESET then EOF, write EPIPE', () => {
  runScript(OPEN + `
+0    < R. 1:1(0) ack 1 win 0
+0    state CLOSED
+0    readable true
+0    hangup true
+0    recv 10 = ECONNRESET
+0    recv 10 = 0
+0    send 10 = EPIPE
+0    close
+0    freed
`);
});

test('RST in TIME_WAIT, CLOSING and LAST_ACK ends the connection', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    state TIME_WAIT
+0    < R 2:2(0) win 0
+0    freed
`, { config: { timeWaitMs: 60000 } });
});

test('out-of-order FIN is held until the gap is filled', () => {
  runScript(OPEN + `
+0    < F. 11:11(0) ack 1 win 10000
+0    > . 1:1(0) ack 1 win 8192
+0    state ESTABLISHED
+0    < P. 1:11(10) ack 1 win 10000
+0    > . 1:1(0) ack 12 win 8181
+0    state CLOSE_WAIT
+0    recv 100 = 10
+0    recv 100 = 0
`);
});

test('a new SYN above the old sequence space reopens a TIME_WAIT connection (RFC 6191)', () => {
  runScript(OPEN + `
+0    close
+0    > F. 1:1(0) ack 1 win 8192
+0.01 < F. 1:1(0) ack 2 win 10000
+0    > . 2:2(0) ack 2 win 8191
+0    state TIME_WAIT
+1    < S 100000:100000(0) win 10000 <mss 1000>
+0    > S. 252500:252500(0) ack 100001 win 8192 <mss 1460>   # a fresh ISS, 1.01 s of 4 µs ticks later
+0    freed
`, { config: { timeWaitMs: 60000 } });
});
