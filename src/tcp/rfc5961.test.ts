// RFC 5961: blind RST (§3), blind SYN (§4) and blind data injection (§5) mitigations, and the challenge ACK
// rate limit (§7).
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 10000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < . 1:1(0) ack 1 win 10000
0     accept
`;

test('RST in the window but not at RCV.NXT draws a challenge ACK and is otherwise ignored (§3.2)', () => {
  runScript(OPEN + `
+0    < R 500:500(0) win 0
+0    > . 1:1(0) ack 1 win 8192
+0    state ESTABLISHED
+0    counter challengeAcks = 1
+0    < R 1:1(0) win 0
+0    state CLOSED
+0    error ECONNRESET
`);
});

test('RST outside the window is dropped silently (§3.2)', () => {
  runScript(OPEN + `
+0    < R 9000:9000(0) win 0
+0    < R -5:-5(0) win 0
+0    state ESTABLISHED
+0    counter dropOutOfWindow = 2
`);
});

test('SYN in ESTABLISHED draws a challenge ACK, in or out of the window (§4.2)', () => {
  runScript(OPEN + `
+0    < S 0:0(0) win 10000 <mss 1000>
+0    > . 1:1(0) ack 1 win 8192
+0    < S 5000:5000(0) win 10000 <mss 1000>
+0    > . 1:1(0) ack 1 win 8192
+0    state ESTABLISHED
+0    counter challengeAcks = 2
`);
});

test('SYN in SYN_RECEIVED at another sequence number draws a challenge ACK', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 10000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < S 1:1(0) win 10000 <mss 1000>
0     > . 1:1(0) ack 1 win 8192
0     counter challengeAcks = 1
`);
});

test('ACK above SND.NXT: ACK sent and the segment (with its data) dropped (§5.2)', () => {
  runScript(OPEN + `
+0    < P. 1:11(10) ack 100 win 10000
+0    > . 1:1(0) ack 1 win 8192
+0    counter dropAckUnacceptable = 1
+0    recv 100 = EAGAIN
`);
});

test('ACK below SND.UNA - MAX.SND.WND draws a challenge ACK and the data is dropped (§5.2)', () => {
  runScript(OPEN + `
+0    < P. 1:11(10) ack -20000 win 10000
+0    > . 1:1(0) ack 1 win 8192
+0    counter challengeAcks = 1
+0    recv 100 = EAGAIN
+0    < P. 1:11(10) ack -9000 win 10000
+0.04 > . 1:1(0) ack 11 win 8182
+0    recv 100 = 10
`);
});

test('challenge ACKs are limited per second (§7)', () => {
  runScript(OPEN + `
+0    < R 500:500(0) win 0
+0    > . 1:1(0) ack 1 win 8192
+0    < R 600:600(0) win 0
+0    > . 1:1(0) ack 1 win 8192
+0    < R 700:700(0) win 0
+0    counter challengeAcks = 2
+0    counter challengeAcksSuppressed = 1
+1    < R 800:800(0) win 0
+0    > . 1:1(0) ack 1 win 8192
+0    state ESTABLISHED
`, { config: { challengeAckLimit: 2 } });
});
