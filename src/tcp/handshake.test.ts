// Opening connections (RFC 9293 §3.5, §3.10.7): passive and active open, simultaneous open, SYN and SYN-ACK
// retransmission, RST generation for segments to no connection, bad ACKs in SYN_SENT / SYN_RECEIVED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript, LOCAL_IP } from './testing/script.js';
import { EADDRINUSE } from './errno.js';

test('passive open: SYN, SYN-ACK with Linux option layout, ACK -> ESTABLISHED and accept', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 0>
+0    accept = none
+0.01 < . 1:1(0) ack 1 win 514 <nop,nop,TS val 110 ecr 0>
+0    accept
+0    state ESTABLISHED
+0    counter passiveOpens = 1
+0    counter connectionsEstablished = 1
`);
});

test('active open: SYN with our options, SYN-ACK -> ESTABLISHED, ACK echoes the peer timestamp', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 0>
+0    state SYN_SENT
+0    writable false
+0    send 10 = EAGAIN
+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1400,sackOK,TS val 500 ecr 0,nop,wscale 7>
+0    > . 1:1(0) ack 1 win 8192 <nop,nop,TS val 50 ecr 500>
+0    state ESTABLISHED
+0    writable true
`);
});

test('SYN retransmission backs off 1 s, 2 s, 4 s and fails with ETIMEDOUT', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <...>
+1    > S 0:0(0) win 8192 <...>
+2    > S 0:0(0) win 8192 <...>
+4    state CLOSED
+0    readable true
+0    error ETIMEDOUT
`, { config: { synRetries: 2 } });
});

test('SYN-ACK retransmitted on timeout and on a retransmitted SYN', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
+0.5  < S 0:0(0) win 65535 <mss 1460>
+0    > S. 0:0(0) ack 1 win 8192 <mss 1460>
+0.5  > S. 0:0(0) ack 1 win 8192 <mss 1460>
+0.1  < . 1:1(0) ack 1 win 1000
+0    accept
+0    state ESTABLISHED
`);
});

test('half-open connection dropped after synRetries SYN-ACKs', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
+1    > S. 0:0(0) ack 1 win 8192 <mss 1460>
+2    counter connectionsFreed = 1
+1    < . 1:1(0) ack 1 win 1000
+0    > R 1:1(0) win 0
`, { config: { synRetries: 1 } });
});

test('simultaneous open: SYN crosses SYN -> SYN_RECEIVED -> ESTABLISHED', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 0>
+0.01 < S 0:0(0) win 5000 <mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 2>
+0    > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 10 ecr 7,nop,wscale 0>
+0    state SYN_RECEIVED
+0.01 < S. 0:0(0) ack 1 win 5000 <mss 1460,sackOK,TS val 8 ecr 0,nop,wscale 2>
+0    state ESTABLISHED
+0    send 100
+0    > P. 1:101(100) ack 1 win 8192 <nop,nop,TS val 20 ecr 8>
`);
});

test('RST for a SYN to a closed port: RST|ACK, seq 0, ack = seq + 1', () => {
  runScript(`
0     < S 0:0(0) win 1000
0     > R. 0:0(0) ack 1 win 0
0     < P 0:10(10) win 1000
0     > R. 0:0(0) ack 10 win 0
0     < F 0:0(0) win 1000
0     > R. 0:0(0) ack 1 win 0
0     < . 0:0(0) ack 777 win 1000
0     > R 777:777(0) win 0
0     < R. 0:0(0) ack 5 win 1000
0     counter dropNoConnection = 5
`);
});

test('SYN_SENT: unacceptable ACK draws RST seq = SEG.ACK; RST without ACK ignored; RST|ACK refuses', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <...>
+0.01 < S. 0:0(0) ack 5 win 1000
+0    > R 5:5(0) win 0
+0    state SYN_SENT
+0    < R 0:0(0) win 0
+0    state SYN_SENT
+0    < R. 0:0(0) ack 1 win 0
+0    state CLOSED
+0    recv 10 = ECONNREFUSED
`);
});

test('SYN_RECEIVED: unacceptable ACK draws a RST, the half-open connection stays', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 1000
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
+0.01 < . 1:1(0) ack 9 win 1000
+0    > R 9:9(0) win 0
+0    < . 1:1(0) ack 1 win 1000
+0    accept
+0    state ESTABLISHED
`);
});

test('listen: duplicate and overlapping addresses are EADDRINUSE; accept queue bounded by the backlog', () => {
  const h = runScript(`
0     listen 8080 1
0     < S 0:0(0) win 1000
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < . 1:1(0) ack 1 win 1000
0     peerport 40001
0     < S 0:0(0) win 1000
0     counter dropAcceptQueueFull = 1
`);
  assert.equal(h.engine.listen(0, 8080, 5), -EADDRINUSE);
  assert.equal(h.engine.listen(LOCAL_IP, 8080, 5), -EADDRINUSE);
  assert.equal(typeof h.engine.listen(LOCAL_IP, 8081, 5), 'object');
  assert.equal(h.engine.listen(0, 8081, 5), -EADDRINUSE);
});

test('peer without MSS option: we send at most 536-byte segments (RFC 9293 §3.7.1)', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <...>
+0.01 < S. 0:0(0) ack 1 win 65535
+0    > . 1:1(0) ack 1 win 8192
+0    send 1000
+0    > . 1:537(536) ack 1 win 8192
+0.01 < . 1:1(0) ack 537 win 65535
+0    > P. 537:1001(464) ack 1 win 8192
`);
});

test('a corrupted checksum or malformed options are dropped and counted', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 1000 badcsum
0     counter dropChecksum = 1
0     counter segmentsOut = 0
`);
});

test('SYN_RECEIVED: a RST at RCV.NXT drops the half-open connection (back to LISTEN)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 1000
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < R 1:1(0) win 0
0     counter connectionsFreed = 1
0     < . 1:1(0) ack 1 win 1000
0     > R 1:1(0) win 0
0     < S 0:0(0) win 1000
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
`);
});

test('SYN_SENT: close frees the connection without sending anything', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <...>
0.1   close
0.1   freed
2     counter segmentsOut = 1
`);
});

test('a listener on a specific address does not answer for another address', () => {
  const h = runScript(`
0     < S 0:0(0) win 1000
0     > R. 0:0(0) ack 1 win 0
`);
  assert.equal(typeof h.engine.listen(LOCAL_IP + 1, 8080, 5), 'object');
  assert.equal(h.engine.findListener(LOCAL_IP, 8080), null);
  assert.notEqual(h.engine.findListener(LOCAL_IP + 1, 8080), null);
});

test('active open: the window advertised in our SYN is anchored at the peer ISN (any ISN)', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 2000 <...>
0.01  < S. 0:0(0) ack 1 win 2000 <mss 536>
0.01  > . 1:1(0) ack 1 win 2000
0.02  < . 1:1001(1000) ack 1 win 2000
0.06  > . 1:1(0) ack 1001 win 1000
`, { config: { rcvbuf: 2000 }, peerIsn: 0x80001000 });
});
