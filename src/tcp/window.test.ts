// Flow control: zero-window probing with backoff (RFC 9293 §3.8.6.1), window update when the application
// reads, receiver and sender silly-window-syndrome avoidance (RFC 1122 §4.2.3.3, §4.2.3.4).
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 3000 <mss 1000>
0     > S. 0:0(0) ack 1 win 4000 <mss 1460>
0.1   < . 1:1(0) ack 1 win 3000
0.1   accept
`;
const cfg = { config: { sndbuf: 16384, rcvbuf: 4000 } };

test('zero window: persist probes back off exponentially; the opened window resumes sending', () => {
  runScript(OPEN + `
0.1   send 5000
0.1   > . 1:1001(1000) ack 1 win 4000
0.1   > . 1001:2001(1000) ack 1 win 4000
0.1   > . 2001:3001(1000) ack 1 win 4000
0.2   < . 1:1(0) ack 3001 win 0
0.45  > . 3000:3000(0) ack 1 win 4000            # probe at SND.UNA - 1 after one RTO (250 ms)
0.45  < . 1:1(0) ack 3001 win 0
0.95  > . 3000:3000(0) ack 1 win 4000            # then 500 ms
0.95  < . 1:1(0) ack 3001 win 0
1.95  > . 3000:3000(0) ack 1 win 4000            # then 1000 ms
1.95  counter zeroWindowProbes = 3
2.4   < . 1:1(0) ack 3001 win 3000
2.4   > . 3001:4001(1000) ack 1 win 4000
2.4   > P. 4001:5001(1000) ack 1 win 4000
`, cfg);
});

test('receiver: a zero window is advertised when the buffer fills; reading sends a window update', () => {
  runScript(OPEN + `
0.2   < . 1:1001(1000) ack 1 win 3000
0.2   < . 1001:2001(1000) ack 1 win 3000
0.2   > . 1:1(0) ack 2001 win 2000
0.2   < . 2001:3001(1000) ack 1 win 3000
0.2   < . 3001:4001(1000) ack 1 win 3000
0.2   > . 1:1(0) ack 4001 win 0
0.2   < . 4001:4002(1) ack 1 win 3000           # beyond the zero window: dropped, ACK re-advertises
0.2   > . 1:1(0) ack 4001 win 0
0.3   recv 500 = 500
0.3   recv 1500 = 1500                        # 2000 bytes free: at least min(MSS, buffer/2)
0.3   > . 1:1(0) ack 4001 win 2000
`, cfg);
});

test('receiver SWS avoidance: the right edge moves only by min(buffer/2, MSS) or more', () => {
  runScript(OPEN + `
0.2   < . 1:1001(1000) ack 1 win 3000
0.2   < . 1001:2001(1000) ack 1 win 3000
0.2   > . 1:1(0) ack 2001 win 2000
0.2   < . 2001:3001(1000) ack 1 win 3000
0.2   < . 3001:3901(900) ack 1 win 3000
0.2   > . 1:1(0) ack 3901 win 100
0.3   recv 1000 = 1000                        # 1100 free but the edge may only move by >= 1460
0.3   < . 3901:3951(50) ack 1 win 3000
0.34  > . 1:1(0) ack 3951 win 50                # the edge has not moved
0.4   recv 2000 = 2000
0.4   > . 1:1(0) ack 3951 win 3050
`, { config: { sndbuf: 16384, rcvbuf: 4000 } });
});

test('sender SWS avoidance: a small usable window is not used until it is half the largest window', () => {
  runScript(OPEN + `
0.1   send 5000
0.1   > . 1:1001(1000) ack 1 win 4000
0.1   > . 1001:2001(1000) ack 1 win 4000
0.1   > . 2001:3001(1000) ack 1 win 4000
0.2   < . 1:1(0) ack 2501 win 500              # 0 usable: 500 window - 500 in flight
0.3   < . 1:1(0) ack 3001 win 600              # 600 usable < 3000/2: wait
0.4   < . 1:1(0) ack 3001 win 1600             # 1600 >= 1500: send
0.4   > . 3001:4001(1000) ack 1 win 4000       # the remaining 600 usable bytes wait again
`, cfg);
});

test('window closes with data in flight: the RTO probes instead of resending; the opened window resumes', () => {
  runScript(OPEN + `
0.1   send 3000
0.1   > . 1:1001(1000) ack 1 win 4000
0.1   > . 1001:2001(1000) ack 1 win 4000
0.1   > P. 2001:3001(1000) ack 1 win 4000
0.2   < . 1:1(0) ack 1001 win 0                  # the peer holds 1001..3001 but its window is shut
0.45  > . 1000:1000(0) ack 1 win 4000            # RTO (250 ms): probe, nothing resent into the closed window
0.45  < . 1:1(0) ack 1001 win 0
0.95  > . 1000:1000(0) ack 1 win 4000            # backed off
0.95  < . 1:1(0) ack 1001 win 2000
0.95  > . 1001:2001(1000) ack 1 win 4000        # from SND.UNA with cwnd = 1 SMSS (RFC 5681 §3.1)
`, cfg);
});
