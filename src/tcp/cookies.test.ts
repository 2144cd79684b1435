// SYN flood defence: a bounded SYN backlog, then SYN cookies (RFC 4987 §3.6) carrying the MSS in the ISN and
// window scale / SACK-permitted in the timestamp; the returning ACK creates the connection.
import { test } from 'node:test';
import { runScript } from './testing/script.js';

test('backlog full: a cookie SYN-ACK, and its ACK creates an ESTABLISHED connection', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     peerport 40001
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     counter cookiesSent = 1
0     counter connectionsEstablished = 0
0.1   < . 1:1(0) ack 1 win 60000
0.1   counter cookiesAccepted = 1
0.1   accept
0.1   state ESTABLISHED
0.1   send 2000
0.1   > . 1:537(536) ack 1 win 8192           # MSS 1000 was encoded as the cookie class 536
0.1   > . 537:1073(536) ack 1 win 8192
0.1   > . 1073:1609(536) ack 1 win 8192
`, { config: { synBacklog: 1 } });
});

test('cookie with timestamps: window scale and SACK-permitted restored from TSecr', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     peerport 40001
0     < S 0:0(0) win 60000 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val * ecr 100,nop,wscale 0>
0.1   < . 1:1(0) ack 1 win 10 <nop,nop,TS val 101 ecr 0>
0.1   accept
0.1   send 5000
0.1   > . 1:525(524) ack 1 win 8192 <nop,nop,TS val * ecr 101>
0.1   > . 525:1049(524) ack 1 win 8192 <nop,nop,TS val * ecr 101>   # peer window 10 << 7 = 1280
0.2   < . 2001:2101(100) ack 1 win 10 <nop,nop,TS val 102 ecr 0>
0.2   > . 1049:1049(0) ack 1 win 8192 <nop,nop,sack 2001:2101,TS val * ecr 101>
`, { config: { synBacklog: 1 } });
});

test('a forged or stale cookie ACK is answered with RST', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     peerport 40001
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0.1   < . 1:1(0) ack 77 win 60000
0.1   > R 77:77(0) win 0
0.1   counter cookiesRejected = 1
0.1   accept = none
`, { config: { synBacklog: 1 } });
});

test('no cookie sent recently: a stray ACK to a listener is reset without a cookie check', () => {
  runScript(`
0     listen 8080
0     < . 1:1(0) ack 77 win 60000
0     > R 77:77(0) win 0
0     counter cookiesRejected = 0
`);
});
