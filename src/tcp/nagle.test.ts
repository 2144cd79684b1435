// Nagle (RFC 896, RFC 1122 §4.2.3.4) on by default, TCP_NODELAY off switch; delayed ACKs (RFC 1122 §4.2.3.2,
// RFC 5681 §4.2): at most delayedAckMs, every second segment, immediately for out-of-order data; ACKs ride
// on data.
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0.1   < . 1:1(0) ack 1 win 60000
0.1   accept
`;

test('Nagle: small writes wait while data is unacknowledged, then go as one segment', () => {
  runScript(OPEN + `
0.1   send 10
0.1   > P. 1:11(10) ack 1 win 8192
0.1   send 10
0.1   send 10
0.2   < . 1:1(0) ack 11 win 60000
0.2   > P. 11:31(20) ack 1 win 8192
`);
});

test('Nagle: a full-sized segment is never held', () => {
  runScript(OPEN + `
0.1   send 10
0.1   > P. 1:11(10) ack 1 win 8192
0.1   send 1500
0.1   > . 11:1011(1000) ack 1 win 8192
0.2   < . 1:1(0) ack 1011 win 60000
0.2   > P. 1011:1511(500) ack 1 win 8192
`);
});

test('TCP_NODELAY sends small segments at once, and setting it flushes what Nagle held', () => {
  runScript(OPEN + `
0.1   send 10
0.1   > P. 1:11(10) ack 1 win 8192
0.1   send 10
0.15  set nodelay 1
0.15  > P. 11:21(10) ack 1 win 8192
0.15  send 10
0.15  > P. 21:31(10) ack 1 win 8192
`);
});

test('delayed ACK: one segment is ACKed after delayedAckMs, two at once', () => {
  runScript(OPEN + `
0.2   < P. 1:101(100) ack 1 win 60000
0.3   > . 1:1(0) ack 101 win 8092
0.4   < P. 101:201(100) ack 1 win 60000
0.4   < P. 201:301(100) ack 1 win 60000
0.4   > . 1:1(0) ack 301 win 7892
`, { config: { delayedAckMs: 100 } });
});

test('delayed ACK: a segment longer than our MSS (a GSO super-segment) is ACKed at once', () => {
  runScript(OPEN + `
0.2   < P. 1:1461(1460) ack 1 win 60000
0.2   < P. 1461:4381(2920) ack 1 win 60000
0.2   > . 1:1(0) ack 4381 win 3812
0.4   < P. 4381:7301(2920) ack 1 win 60000
0.4   > . 1:1(0) ack 7301 win 892
`, { config: { delayedAckMs: 100 } });
});

test('delayed ACK rides on data sent before it expires', () => {
  runScript(OPEN + `
0.2   < P. 1:101(100) ack 1 win 60000
0.21  send 50
0.21  > P. 1:51(50) ack 101 win 8092
0.3   state ESTABLISHED                       # no separate ACK later
`, { config: { delayedAckMs: 100 } });
});

test('TCP_NODELAY set through the connection field flushes what Nagle held', () => {
  const h = runScript(OPEN + `
0.1   send 10
0.1   > P. 1:11(10) ack 1 win 8192
0.1   send 10
`);
  h.conn!.noDelay = true;
  h.run(`
0.1   > P. 11:21(10) ack 1 win 8192
`);
});
