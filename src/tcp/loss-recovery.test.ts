// Sender loss recovery beyond fast retransmit: the SACK scoreboard kept across a retransmission timeout
// (RFC 6675 §5.1), the tail loss probe (RFC 8985 §7) and lost-retransmission detection (RFC 8985 §6.2).
// Peer MSS 1000 and no timestamps, so segments are 1000 bytes; the handshake gives a 100 ms RTT sample
// (SRTT 100, RTTVAR 50, RTO 300 ms).
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000,sackOK,nop,nop,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 0>
0.1   < . 1:1(0) ack 1 win 60000
0.1   accept
`;
const cfg = { sndbuf: 65536, rcvbuf: 65535, timestamps: false };

test('after an RTO only the data not SACKed is resent; cwnd restarts at one segment (RFC 6675 §5.1)', () => {
  runScript(OPEN + `
0.1   send 5000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > P. 4001:5001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 2001:3001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 4001:5001 2001:3001>   # too little SACKed to call a loss
0.4   > . 1:1001(1000) ack 1 win 65535                                   # the RTO: one segment
0.4   counter retransmitTimeouts = 1
0.45  < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:5001 2001:3001>
0.45  > . 1001:2001(1000) ack 1 win 65535                                # cwnd 2: both holes, 2001 and 4001 skipped
0.45  > . 3001:4001(1000) ack 1 win 65535
0.5   < . 1:1(0) ack 5001 win 60000
0.5   counter retransmits = 3
0.5   counter sackRecoveries = 0
1.5   counter retransmitTimeouts = 1
`, { config: { ...cfg, tailLossProbe: false } });
});

test('after an RTO with nothing SACKed the sender goes back to SND.UNA and slow-starts', () => {
  runScript(OPEN + `
0.1   send 3000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > P. 2001:3001(1000) ack 1 win 65535
0.4   > . 1:1001(1000) ack 1 win 65535
0.45  < . 1:1(0) ack 1001 win 60000
0.45  > . 1001:2001(1000) ack 1 win 65535
0.45  > P. 2001:3001(1000) ack 1 win 65535
0.5   < . 1:1(0) ack 3001 win 60000
0.5   counter retransmits = 3
`, { config: { ...cfg, tailLossProbe: false } });
});

test('tail loss probe: the last segment is resent at PTO = 2 SRTT + 2 ms, and its SACK starts recovery (RFC 8985 §7)', () => {
  runScript(OPEN + `
0.1   send 5000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > . 1001:2001(1000) ack 1 win 65535
0.1   > . 2001:3001(1000) ack 1 win 65535
0.1   > . 3001:4001(1000) ack 1 win 65535
0.1   > P. 4001:5001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000             # the tail, 1001..5001, is lost; SRTT stays 100
0.401 counter tlpSent = 0
0.402 > P. 4001:5001(1000) ack 1 win 65535      # the probe, 202 ms after the last ACK; the RTO would be 0.5
0.402 counter tlpSent = 1
0.45  < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:5001>
0.45  > . 1001:2001(1000) ack 1 win 65535       # recovery: ssthresh 2000, the holes below the probe are lost
0.45  > . 2001:3001(1000) ack 1 win 65535
0.45  counter sackRecoveries = 1
0.5   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:5001>
0.5   > . 3001:4001(1000) ack 1 win 65535
0.55  < . 1:1(0) ack 5001 win 60000
0.55  counter retransmitTimeouts = 0
2     counter retransmitTimeouts = 0
`, { config: { ...cfg, cc: 'reno' } });
});

test('tail loss probe: none with one segment in flight when 2 SRTT + the delayed-ACK allowance passes the RTO', () => {
  runScript(OPEN + `
0.1   send 100
0.1   > P. 1:101(100) ack 1 win 65535
0.4   > P. 1:101(100) ack 1 win 65535           # one segment: PTO 2 SRTT + 200 ms > RTO, so the RTO fires
0.4   counter tlpSent = 0
0.4   counter retransmitTimeouts = 1
`, { config: { ...cfg, cc: 'reno' } });
});

test('a lost retransmission of a hole that was not the oldest is resent once data sent after it is SACKed (RFC 8985 §6.2), not at the RTO', () => {
  runScript(OPEN + `
0.1   send 20000
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
0.2   < . 1:1(0) ack 1001 win 60000                                # 1001..2001 and 3001..4001 lost
0.2   > . 10001:11001(1000) ack 1 win 65535
0.2   > . 11001:12001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 2001:3001>
0.2   > . 12001:13001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:5001 2001:3001>
0.2   > . 13001:14001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:6001 2001:3001>
0.2   > . 1001:2001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:7001 2001:3001>
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:8001 2001:3001>
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:9001 2001:3001>
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:10001 2001:3001>
0.2   > . 3001:4001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:11001>     # the resent 1001 arrived, the resent 3001 did not
0.3   > . 14001:15001(1000) ack 1 win 65535
0.3   > . 15001:16001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:12001>
0.3   > . 16001:17001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:13001>
0.3   > . 17001:18001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:14001>
0.3   > . 18001:19001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:15001>
0.3   > P. 19001:20001(1000) ack 1 win 65535
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:16001>
0.3   < . 1:1(0) ack 3001 win 60000 <nop,nop,sack 4001:17001>
0.3   > . 3001:4001(1000) ack 1 win 65535        # sent at SND.MAX 14001; 17001 SACKed: lost
0.3   counter retransmitTimeouts = 0
0.3   counter lostRetransmitsDetected = 1
0.35  < . 1:1(0) ack 20001 win 60000
2     counter retransmitTimeouts = 0
`, { config: { ...cfg, cc: 'reno' } });
});

test('a partial ACK in SACK recovery resends the whole next segment, not its first byte (regression)', () => {
  runScript(OPEN + `
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
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:2001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:3001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:4001>
0.2   > . 1:1001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:5001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:6001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:7001>
0.3   < . 1:1(0) ack 7001 win 60000 <nop,nop,sack 8001:9001>   # partial ACK: 7001..8001 is the next hole
0.3   > . 7001:8001(1000) ack 1 win 65535                      # once sent as 7001:7002(1)
0.35  < . 1:1(0) ack 10001 win 60000
0.35  counter retransmitTimeouts = 0
`, { config: { ...cfg, cc: 'reno' } });
});
