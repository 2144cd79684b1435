// Tail loss probes (RFC 8985 §7) as this sender sends them: PTO = 2·SRTT + 2 ms; the probe is a segment the
// peer must answer at once (the highest-sequence segment, or SND.UNA in recovery); up to TLP_MAX_PROBES per
// episode, each PTO twice the one before, before the RTO. Peer MSS 1000, no timestamps; the handshake gives a
// 10 ms RTT sample (SRTT 10, RTTVAR 5, RTO 200 ms = the minimum), so PTO = 22 ms.
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000,sackOK,nop,nop,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 0>
0.01  < . 1:1(0) ack 1 win 60000
0.01  accept
`;
const cfg = { sndbuf: 65536, rcvbuf: 65535, timestamps: false, cc: 'reno' as const };

test('probe: the highest-sequence segment goes again, not new data; its D-SACK answer needs no recovery', () => {
  runScript(OPEN + `
0.01  send 12000
0.01  > . 1:1001(1000) ack 1 win 65535
0.01  > . 1001:2001(1000) ack 1 win 65535
0.01  > . 2001:3001(1000) ack 1 win 65535
0.01  > . 3001:4001(1000) ack 1 win 65535
0.01  > . 4001:5001(1000) ack 1 win 65535
0.01  > . 5001:6001(1000) ack 1 win 65535
0.01  > . 6001:7001(1000) ack 1 win 65535
0.01  > . 7001:8001(1000) ack 1 win 65535
0.01  > . 8001:9001(1000) ack 1 win 65535
0.01  > . 9001:10001(1000) ack 1 win 65535       # initial window; 2000 bytes wait for cwnd
0.031 counter tlpSent = 0
0.032 > . 9001:10001(1000) ack 1 win 65535       # the probe at PTO 22 ms: a duplicate for the peer
0.032 counter tlpSent = 1
0.04  < . 1:1(0) ack 10001 win 60000 <nop,nop,sack 9001:10001>   # all had arrived, the ACKs were lost
0.04  > . 10001:11001(1000) ack 1 win 65535
0.04  > P. 11001:12001(1000) ack 1 win 65535
0.04  counter dsackReceived = 1
0.05  < . 1:1(0) ack 12001 win 60000
1     counter retransmitTimeouts = 0
1     counter sackRecoveries = 0
1     counter retransmits = 1
`, { config: cfg });
});

test('probes: when a probe is not answered, two more follow at 2 and 4 PTO, then the RTO', () => {
  runScript(OPEN + `
0.01  send 3000
0.01  > . 1:1001(1000) ack 1 win 65535
0.01  > . 1001:2001(1000) ack 1 win 65535
0.01  > P. 2001:3001(1000) ack 1 win 65535
0.032 > P. 2001:3001(1000) ack 1 win 65535       # PTO 22 ms
0.075 counter tlpSent = 1
0.076 > P. 2001:3001(1000) ack 1 win 65535       # 44 ms later
0.163 counter tlpSent = 2
0.164 > P. 2001:3001(1000) ack 1 win 65535       # 88 ms later; a fourth would come after the RTO
0.164 counter tlpSent = 3
0.363 counter retransmitTimeouts = 0
0.364 > . 1:1001(1000) ack 1 win 65535           # the RTO (200 ms) after the last probe
0.364 counter retransmitTimeouts = 1
0.37  < . 1:1(0) ack 3001 win 60000
1     counter tlpSent = 3
`, { config: cfg });
});

test('probe in recovery: when the ACKs stop, SND.UNA goes again and the answer ends recovery without an RTO', () => {
  runScript(OPEN + `
0.01  send 5000
0.01  > . 1:1001(1000) ack 1 win 65535
0.01  > . 1001:2001(1000) ack 1 win 65535
0.01  > . 2001:3001(1000) ack 1 win 65535
0.01  > . 3001:4001(1000) ack 1 win 65535
0.01  > P. 4001:5001(1000) ack 1 win 65535
0.02  < . 1:1(0) ack 1 win 60000 <nop,nop,sack 2001:5001>   # 1..2001 lost: recovery
0.02  > . 1:1001(1000) ack 1 win 65535
0.02  > . 1001:2001(1000) ack 1 win 65535
0.02  counter sackRecoveries = 1
0.041 counter tlpSent = 0
0.042 > . 1:1001(1000) ack 1 win 65535           # both arrived but their ACKs were lost: probe at SND.UNA
0.042 counter tlpSent = 1
0.045 < . 1:1(0) ack 5001 win 60000 <nop,nop,sack 1:1001>
1     counter retransmitTimeouts = 0
`, { config: cfg });
});

test('probe in recovery: an ACK with new SACK information moves the probe a full PTO later', () => {
  runScript(OPEN + `
0.01  send 5000
0.01  > . 1:1001(1000) ack 1 win 65535
0.01  > . 1001:2001(1000) ack 1 win 65535
0.01  > . 2001:3001(1000) ack 1 win 65535
0.01  > . 3001:4001(1000) ack 1 win 65535
0.01  > P. 4001:5001(1000) ack 1 win 65535
0.02  < . 1:1(0) ack 1 win 60000 <nop,nop,sack 2001:5001>
0.02  > . 1:1001(1000) ack 1 win 65535
0.02  > . 1001:2001(1000) ack 1 win 65535
0.035 < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:5001>   # the resent 1001 arrived; nothing to send
0.056 counter tlpSent = 0
0.057 > . 1:1001(1000) ack 1 win 65535           # PTO 22 ms after that ACK, not after the last send
0.06  < . 1:1(0) ack 5001 win 60000
1     counter retransmitTimeouts = 0
`, { config: cfg });
});
