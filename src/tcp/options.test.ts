// Option negotiation (RFC 9293 §3.7.1 MSS, RFC 7323 window scale / timestamps / PAWS / RTTM, RFC 2018 SACK-
// permitted): offered on our SYN, answered on a SYN-ACK only when offered, never forced on a peer.
import { test } from 'node:test';
import { runScript } from './testing/script.js';

test('peer offers nothing: SYN-ACK carries only MSS; no timestamps or scaling afterwards', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 10000
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < . 1:1(0) ack 1 win 10000
0     accept
0     set nodelay 1
0     send 600
0     > . 1:537(536) ack 1 win 8192
0     > P. 537:601(64) ack 1 win 8192
`);
});

test('window scale: shift chosen from rcvbuf, SYN windows unscaled, later windows scaled both ways', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,nop,wscale 7>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 5>
0     < . 1:1(0) ack 1 win 10
0     accept
0     send 5000
0     > . 1:1281(1280) ack 1 win 32768   # the peer's window is 10 << 7 = 1280 bytes
`, { config: { rcvbuf: 1048576 } });
});

test('window scale not offered by the peer: neither side scales (RFC 7323 §2.2)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 1000 <mss 1460>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460>
0     < . 1:1(0) ack 1 win 1000
0     accept
0     < P. 1:101(100) ack 1 win 1000
0.04  > . 1:1(0) ack 101 win 65535
`, { config: { rcvbuf: 1048576 } });
});

test('window scale disabled locally: not answered, and a shift above 14 is clamped (RFC 7323 §2.3)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 1000 <mss 1460,nop,wscale 7>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
`, { config: { windowScaling: false } });
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,nop,wscale 15>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,nop,wscale 0>
0     < . 1:1(0) ack 1 win 1
0     accept
0     send 20000 = 8192
0     > . 1:1461(1460) ack 1 win 8192      # 1 << 14 = 16384 bytes of window, not 1 << 15 = 32768
0     > . 1461:2921(1460) ack 1 win 8192
0     > . 2921:4381(1460) ack 1 win 8192
0     > . 4381:5841(1460) ack 1 win 8192
0     > . 5841:7301(1460) ack 1 win 8192
0     state ESTABLISHED                   # Nagle holds the last 892 bytes
`);
});

test('MSS: we offer config.mss, send min(ours, theirs) minus timestamp bytes', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 9000,sackOK,TS val 1 ecr 0,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 8192 <mss 1200,sackOK,TS val 0 ecr 1,nop,wscale 0>
0     < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 2 ecr 0>
0     accept
0     send 2000
0     > . 1:1189(1188) ack 1 win 8192 <nop,nop,TS val 0 ecr 2>
`, { config: { mss: 1200 } });
});

test('timestamps: PAWS drops a segment with an old TSval and ACKs (RFC 7323 §5.3)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 0>
0     < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 1001 ecr 0>
0     accept
0     < P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 999 ecr 0>
0     > . 1:1(0) ack 1 win 8192 <nop,nop,TS val 0 ecr 1001>
0     counter dropPaws = 1
0     recv 1000 = EAGAIN
0     < P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 1002 ecr 0>
0.04  > . 1:1(0) ack 101 win 8092 <nop,nop,TS val 40 ecr 1002>
+0    recv 1000 = 100
`);
});

test('timestamps: TS.Recent is only taken from segments covering Last.ACK.sent (RFC 7323 §4.3)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,sackOK,TS val 0 ecr 1000,nop,wscale 0>
0     < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 1001 ecr 0>
0     accept
0     < P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 1005 ecr 0>
0     > . 1:1(0) ack 1 win 8192 <nop,nop,sack 101:201,TS val 0 ecr 1001>
0     < P. 1:101(100) ack 1 win 65535 <nop,nop,TS val 1003 ecr 0>
0     > . 1:1(0) ack 201 win 7992 <nop,nop,TS val 0 ecr 1003>
`);
});

test('RTTM: an echoed timestamp gives the RTT sample, RTO = SRTT + 4 RTTVAR (RFC 7323 §4, RFC 6298 §2)', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 0>
0.1   < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 0>
0.1   > . 1:1(0) ack 1 win 8192 <nop,nop,TS val 100 ecr 5>
0.1   send 100
0.1   > P. 1:101(100) ack 1 win 8192 <nop,nop,TS val 100 ecr 5>
0.4   > P. 1:101(100) ack 1 win 8192 <nop,nop,TS val 400 ecr 5>   # RTT 100: RTO 100 + 4*50 = 300 ms
`);
});

test('SACK-permitted only when both sides want it: no SACK blocks otherwise (RFC 2018 §2)', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,TS val 0 ecr 1,nop,wscale 0>
0     < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 2 ecr 0>
0     accept
0     < P. 101:201(100) ack 1 win 65535 <nop,nop,TS val 3 ecr 0>
0     > . 1:1(0) ack 1 win 8192 <nop,nop,TS val 0 ecr 2>
`, { config: { sack: false } });
});

test('timestamps disabled locally: not answered even if the peer offers them', () => {
  runScript(`
0     listen 8080
0     < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460,nop,nop,sackOK,nop,wscale 0>
`, { config: { timestamps: false } });
});

test('active open: a SYN-ACK without timestamps or SACK turns them off for the connection', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 8192 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 0>
0.01  < S. 0:0(0) ack 1 win 65535 <mss 1460>
0.01  > . 1:1(0) ack 1 win 8192
0.01  < . 101:201(100) ack 1 win 65535
0.01  > . 1:1(0) ack 1 win 8192
`);
});

test('window scale on an active open: our shift from rcvbuf, the peer shift applied to its windows', () => {
  runScript(`
0     connect
0     > S 0:0(0) win 65535 <mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 4>
0.01  < S. 0:0(0) ack 1 win 65535 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 2>
0.01  > . 1:1(0) ack 1 win 62500 <nop,nop,TS val 10 ecr 5>     # 1000000 >> 4
0.01  < . 1:1(0) ack 1 win 300 <nop,nop,TS val 6 ecr 10>       # 300 << 2 = 1200 bytes
0.01  send 5000
0.01  > . 1:989(988) ack 1 win 62500 <nop,nop,TS val 10 ecr 6>
`, { config: { rcvbuf: 1000000 } });
});
