// Keepalive (RFC 1122 §4.2.3.6; Linux TCP_KEEPIDLE/INTVL/CNT semantics) and mTCP's idle timeout (tcp_timeout).
import { test } from 'node:test';
import { runScript } from './testing/script.js';

const OPEN = `
0     listen 8080
0     < S 0:0(0) win 60000 <mss 1000>
0     > S. 0:0(0) ack 1 win 8192 <mss 1460>
0     < . 1:1(0) ack 1 win 60000
0     accept
`;

test('keepalive: probes after the idle time, every interval; an answer resets the count', () => {
  runScript(OPEN + `
0     set keepalive 1 10 2 3
10    > . 0:0(0) ack 1 win 8192
12    > . 0:0(0) ack 1 win 8192
12.1  < . 1:1(0) ack 1 win 60000
22.1  > . 0:0(0) ack 1 win 8192
22.2  < . 1:1(0) ack 1 win 60000
+0    counter keepaliveProbes = 3
+0    state ESTABLISHED
`, { config: { idleTimeoutMs: -1 } });
});

test('keepalive: no answer to keepaliveProbes probes -> RST and ETIMEDOUT', () => {
  runScript(OPEN + `
0     set keepalive 1 10 2 3
10    > . 0:0(0) ack 1 win 8192
12    > . 0:0(0) ack 1 win 8192
14    > . 0:0(0) ack 1 win 8192
16    > R. 1:1(0) ack 1 win 0
+0    state CLOSED
+0    error ETIMEDOUT
+0    counter keepaliveTimeouts = 1
`, { config: { idleTimeoutMs: -1 } });
});

test('keepalive off: an idle connection stays silent', () => {
  runScript(OPEN + `
7300  state ESTABLISHED
`, { config: { idleTimeoutMs: -1 } });
});

test('idle timeout (tcp_timeout): an idle ESTABLISHED connection ends with ETIMEDOUT; traffic restarts it', () => {
  runScript(OPEN + `
20    < P. 1:11(10) ack 1 win 60000
20.04 > . 1:1(0) ack 11 win 8182
50.03 state ESTABLISHED
50.04 > R. 1:1(0) ack 11 win 0
+0    state CLOSED
+0    error ETIMEDOUT
+0    counter idleTimeouts = 1
`, { config: { idleTimeoutMs: 30000 } });
});

test('keepalive switched on through the connection fields (as the API layer does) arms the timer', () => {
  const h = runScript(OPEN, { config: { idleTimeoutMs: -1 } });
  const c = h.conn!;
  c.keepaliveIdleMs = 5000;
  c.keepaliveIntervalMs = 1000;
  c.keepaliveProbes = 1;
  c.keepalive = true;
  h.run(`
5     > . 0:0(0) ack 1 win 8192
6     > R. 1:1(0) ack 1 win 0
6     error ETIMEDOUT
`);
});
