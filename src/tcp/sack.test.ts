// SACK (RFC 2018) generated and used: blocks for out-of-order data, the latest first; D-SACK (RFC 2883) for
// duplicates; sender loss recovery from the scoreboard (RFC 6675).
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000,sackOK,nop,nop,nop,wscale 0>
0     > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 0>
0.1   < . 1:1(0) ack 1 win 60000
0.1   accept
`;
const cfg = { config: { sndbuf: 65536, rcvbuf: 65535, timestamps: false } };

test('receiver: SACK blocks for out-of-order data, the block with the latest segment first (RFC 2018 §4)', () => {
  runScript(OPEN + `
0.2   < . 1001:2001(1000) ack 1 win 60000
0.2   > . 1:1(0) ack 1 win 65535 <nop,nop,sack 1001:2001>
0.2   < . 3001:4001(1000) ack 1 win 60000
0.2   > . 1:1(0) ack 1 win 65535 <nop,nop,sack 3001:4001 1001:2001>
0.2   < . 2001:3001(1000) ack 1 win 60000
0.2   > . 1:1(0) ack 1 win 65535 <nop,nop,sack 1001:4001>
0.2   < . 1:1001(1000) ack 1 win 60000       # fills the gap: immediate ACK, no blocks left
0.2   > . 1:1(0) ack 4001 win 61535
0.2   recv 10000 = 4000
`, cfg);
});

test('receiver: D-SACK for a duplicate below RCV.NXT and for a duplicate of held out-of-order data (RFC 2883)', () => {
  runScript(OPEN + `
0.2   < . 1:1001(1000) ack 1 win 60000
0.24  > . 1:1(0) ack 1001 win 64535
0.3   < . 1:1001(1000) ack 1 win 60000
0.3   > . 1:1(0) ack 1001 win 64535 <nop,nop,sack 1:1001>
0.3   < . 2001:3001(1000) ack 1 win 60000
0.3   > . 1:1(0) ack 1001 win 64535 <nop,nop,sack 2001:3001>
0.3   < . 2001:3001(1000) ack 1 win 60000
0.3   > . 1:1(0) ack 1001 win 64535 <nop,nop,sack 2001:3001 2001:3001>
0.3   counter dsackSent = 2
`, cfg);
});

test('sender: SACK recovery retransmits only the holes and starts before three duplicates (RFC 6675)', () => {
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
0.2   < . 1:1(0) ack 1001 win 60000
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:7001>   # 3000 bytes SACKed above 1001..4001: lost
0.2   > . 1001:2001(1000) ack 1 win 65535
0.2   > . 2001:3001(1000) ack 1 win 65535
0.2   > . 3001:4001(1000) ack 1 win 65535
0.2   counter sackRecoveries = 1
0.2   < . 1:1(0) ack 1001 win 60000 <nop,nop,sack 4001:8001>   # nothing new is lost: nothing sent
0.3   < . 1:1(0) ack 8001 win 60000
0.3   counter retransmits = 3
0.3   counter retransmitTimeouts = 0
`, cfg);
});

test('sender: D-SACK blocks are recognised and not put in the scoreboard', () => {
  runScript(OPEN + `
0.1   send 2000
0.1   > . 1:1001(1000) ack 1 win 65535
0.1   > P. 1001:2001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 2001 win 60000 <nop,nop,sack 1:1001>
0.2   counter dsackReceived = 1
`, cfg);
});

test('sender: fast retransmit on entering SACK recovery; a lost retransmission is resent once later data is SACKed', () => {
  runScript(OPEN + `
0.1   send 16000
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
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:2001>
0.2   > . 10001:11001(1000) ack 1 win 65535            # limited transmit
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:3001>
0.2   > . 11001:12001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:4001>
0.2   > . 1:1001(1000) ack 1 win 65535                 # RFC 6675 (4.3), whatever the pipe
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:5001>
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:6001>
0.2   > . 12001:13001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:7001>
0.2   > . 13001:14001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:8001>
0.2   > . 14001:15001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:9001>
0.2   > P. 15001:16001(1000) ack 1 win 65535
0.2   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:10001>   # rule 3 stops at the highest SACKed octet
0.3   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:13001>
0.3   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:14001>
0.3   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:15001>   # 3 segments sent after it arrived: it was lost
0.3   > . 1:1001(1000) ack 1 win 65535
0.3   counter lostRetransmits = 1
0.3   < . 1:1(0) ack 1 win 60000 <nop,nop,sack 1001:16001>
0.35  < . 1:1(0) ack 16001 win 60000
0.35  counter retransmitTimeouts = 0
`, cfg);
});
