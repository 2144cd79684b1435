import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCongestionControl, type CongestionControl } from './congestion.js';
import { initialWindow, INITIAL_SSTHRESH } from './common.js';
import { Cubic, CUBIC_BETA, CUBIC_C } from './cubic.js';
import { NewReno } from './newreno.js';

const MSS = 1000;

/** One round trip: acknowledges the cwnd of the round's start in `ackSize` pieces spread over the RTT. */
function round(cc: CongestionControl, start: number, rttMs: number, ackSize: number): number {
  const window = cc.cwnd;
  const acks = Math.ceil(window / ackSize);
  let left = window;
  for (let i = 0; i < acks; i++) {
    const n = left < ackSize ? left : ackSize;
    left -= n;
    cc.onAck(n, rttMs, start + (rttMs * (i + 1)) / acks, window - (window - left));
  }
  return start + rttMs;
}

test('initial window per RFC 6928 and arbitrarily high ssthresh', () => {
  assert.equal(initialWindow(1460), 14600);
  assert.equal(initialWindow(536), 5360);
  assert.equal(initialWindow(9000), 18000);
  for (const name of ['reno', 'cubic'] as const) {
    const cc = createCongestionControl(name, 1460, 0);
    assert.equal(cc.name, name);
    assert.equal(cc.cwnd, 14600);
    assert.equal(cc.ssthresh, INITIAL_SSTHRESH);
    cc.setMss(536);
    assert.equal(cc.cwnd, 5360);
    cc.onAck(536, 10, 10, 5360);
    cc.setMss(1000);
    assert.equal(cc.cwnd, 5360 + 536); // after the first ACK setMss no longer resets the window
  }
  assert.throws(() => createCongestionControl('vegas' as 'reno', 1460, 0), /unknown congestion control/);
  assert.throws(() => createCongestionControl('reno', 0, 0), RangeError);
});

test('slow start doubles per RTT with per-segment and delayed ACKs; ABC caps stretch ACKs at 2 SMSS', () => {
  for (const name of ['reno', 'cubic'] as const) {
    for (const ackSize of [MSS, 2 * MSS]) {
      const cc = createCongestionControl(name, MSS, 0);
      let now = 0;
      const seen: number[] = [];
      for (let r = 0; r < 5; r++) {
        now = round(cc, now, 50, ackSize);
        seen.push(cc.cwnd / MSS);
      }
      assert.deepEqual(seen, [20, 40, 80, 160, 320], `${name} ack ${ackSize}`);
    }
    const cc = createCongestionControl(name, MSS, 0);
    // 10 segments acknowledged by 2 ACKs of 5 segments: +2 SMSS each (RFC 3465 L = 2)
    cc.onAck(5 * MSS, -1, 1, 10 * MSS);
    cc.onAck(5 * MSS, -1, 2, 5 * MSS);
    assert.equal(cc.cwnd, 14 * MSS);
  }
});

test('NewReno congestion avoidance adds one SMSS per RTT (RFC 5681 §3.1, RFC 3465 §2.1)', () => {
  const cc = new NewReno(MSS, 0);
  cc.cwnd = 40 * MSS;
  cc.onEnterRecovery(0, 40 * MSS);
  assert.equal(cc.ssthresh, 20 * MSS);
  assert.equal(cc.cwnd, 20 * MSS);
  cc.onExitRecovery(100);
  assert.equal(cc.cwnd, 20 * MSS);
  let now = 100;
  const seen: number[] = [];
  for (let r = 0; r < 6; r++) {
    now = round(cc, now, 100, MSS);
    seen.push(cc.cwnd / MSS);
  }
  assert.deepEqual(seen, [21, 22, 23, 24, 25, 26]);
  // delayed ACKs change nothing in congestion avoidance
  for (let r = 0; r < 4; r++) now = round(cc, now, 100, 2 * MSS);
  assert.equal(cc.cwnd, 30 * MSS);
});

test('NewReno reductions: fast retransmit halves the flight, RTO drops to one segment', () => {
  const cc = new NewReno(MSS, 0);
  cc.onEnterRecovery(0, 3 * MSS);
  assert.equal(cc.ssthresh, 2 * MSS); // at least 2 SMSS
  assert.equal(cc.cwnd, 2 * MSS);    // RFC 6675 §5 step 4.2: cwnd = ssthresh
  cc.onExitRecovery(10);
  assert.equal(cc.cwnd, 2 * MSS);
  cc.cwnd = 30 * MSS;
  cc.onRetransmitTimeout(20, 25 * MSS + 1);
  assert.equal(cc.ssthresh, 12500);
  assert.equal(cc.cwnd, MSS);
  // slow start again up to ssthresh, then linear
  let now = 20;
  const seen: number[] = [];
  for (let r = 0; r < 6; r++) {
    now = round(cc, now, 100, MSS);
    seen.push(cc.cwnd);
  }
  // 8000 -> 12000 in slow start, one more ACK below ssthresh -> 13000, then +1 SMSS per RTT
  assert.deepEqual(seen, [2000, 4000, 8000, 13000, 14000, 15000]);
});

test('restart after idle cuts cwnd to the initial window only after an RTO without ACKs (RFC 5681 §4.1)', () => {
  for (const name of ['reno', 'cubic'] as const) {
    const cc = createCongestionControl(name, MSS, 0);
    cc.cwnd = 50 * MSS;
    cc.onAck(MSS, 10, 1000, 0);
    cc.onIdle(1200, 300);
    assert.equal(cc.cwnd, 51 * MSS);
    cc.onIdle(1301, 300);
    assert.equal(cc.cwnd, initialWindow(MSS));
  }
});

test('CUBIC reduction: beta 0.7 of the flight, W_max = cwnd, fast convergence on a second loss', () => {
  const cc = new Cubic(MSS, 0);
  cc.cwnd = 100 * MSS;
  cc.onEnterRecovery(0, 100 * MSS);
  assert.equal(CUBIC_BETA, 0.7);
  assert.equal(cc.ssthresh, 70 * MSS);
  assert.equal(cc.cwnd, 70 * MSS);
  assert.equal(cc.wMax, 100 * MSS);
  cc.onExitRecovery(10);
  cc.cwnd = 80 * MSS; // below W_max: fast convergence (RFC 9438 §4.7)
  cc.onEnterRecovery(20, 80 * MSS);
  assert.equal(cc.wMax, (80 * MSS * 1.7) / 2);
  assert.equal(cc.ssthresh, 56 * MSS);
  cc.onEnterRecovery(30, 2 * MSS);
  assert.equal(cc.ssthresh, 2 * MSS);
});

test('CUBIC window follows W(t): concave up to W_max at t = K, convex beyond', () => {
  const cc = new Cubic(MSS, 0);
  cc.cwnd = 1000 * MSS;
  cc.onEnterRecovery(0, 1000 * MSS);
  cc.onExitRecovery(0);
  assert.equal(cc.cwnd, 700 * MSS);
  const rtt = 100;
  let now = round(cc, 0, rtt, MSS); // the first ACK starts the epoch
  const expectedK = Math.cbrt((1000 - 700) / CUBIC_C);
  assert.ok(Math.abs(cc.k - expectedK) < 1e-12, `K ${cc.k}`);
  assert.equal(cc.wCubic(cc.k), 1000 * MSS);
  assert.ok(Math.abs(cc.wCubic(0) - 700 * MSS) < 1e-6);
  const epoch = cc.epochStart;
  let previous = cc.cwnd;
  let atK = 0;
  let at1s = 0;
  let aroundK = 0;
  while (now - epoch < (expectedK + 3) * 1000) {
    now = round(cc, now, rtt, MSS);
    const t = (now - epoch) / 1000;
    // the window tracks W(t + RTT) from behind: within [W(t - 2 RTT), W(t + RTT)] (2 MSS slack)
    assert.ok(cc.cwnd >= cc.wCubic(t - 0.2) - 2 * MSS, `t=${t} cwnd ${cc.cwnd / MSS} W ${cc.wCubic(t) / MSS}`);
    assert.ok(cc.cwnd <= cc.wCubic(t + 0.1) + 2 * MSS, `t=${t} cwnd ${cc.cwnd / MSS} W ${cc.wCubic(t) / MSS}`);
    assert.ok(Number.isInteger(cc.cwnd));
    assert.ok(cc.cwnd >= previous);
    if (Math.abs(t - 1) < 0.05) at1s = cc.cwnd;
    if (Math.abs(t - expectedK) < 0.05) atK = cc.cwnd;
    if (Math.abs(t - expectedK) <= 0.5) aroundK += cc.cwnd - previous;
    previous = cc.cwnd;
  }
  assert.ok(Math.abs(atK - 1000 * MSS) <= 2 * MSS, `t=K cwnd ${atK / MSS}`);
  assert.ok(at1s > 780 * MSS && at1s < 800 * MSS, `t=1s cwnd ${at1s / MSS}`);
  // plateau around K: the second around K adds far less than the first second of the epoch
  assert.ok(aroundK < (at1s - 700 * MSS) / 20, `growth around K ${aroundK / MSS}`);
  // convex beyond K: W(K + 3) = W_max + 0.4 * 27 segments
  assert.ok(cc.cwnd > 1008 * MSS && cc.cwnd < 1013 * MSS, `t=K+3s cwnd ${cc.cwnd / MSS}`);
});

test('CUBIC in the Reno-friendly region grows like AIMD with alpha = 3(1-beta)/(1+beta)', () => {
  const cc = new Cubic(MSS, 0);
  cc.cwnd = 20 * MSS;
  cc.onEnterRecovery(0, 20 * MSS);
  cc.onExitRecovery(0);
  assert.equal(cc.cwnd, 14 * MSS);
  let now = 0;
  const rtt = 1; // short RTT: W_est outgrows W_cubic
  for (let r = 0; r < 5; r++) now = round(cc, now, rtt, MSS);
  const alpha = (3 * 0.3) / 1.7;
  const expected = 14 * MSS + 5 * alpha * MSS;
  assert.ok(Math.abs(cc.cwnd - expected) <= MSS, `cwnd ${cc.cwnd} expected ~${expected}`);
  assert.ok(cc.cwnd > cc.wCubic((now - cc.epochStart) / 1000));
  // after W_est passes cwnd_prior (20 segments) the increase is one segment per RTT
  for (let r = 0; r < 20; r++) now = round(cc, now, rtt, MSS);
  const before = cc.cwnd;
  for (let r = 0; r < 10; r++) now = round(cc, now, rtt, MSS);
  assert.ok(Math.abs(cc.cwnd - before - 10 * MSS) <= MSS, `grew ${(cc.cwnd - before) / MSS} segments in 10 RTTs`);
});

test('CUBIC after a timeout: ssthresh = 0.7 flight, cwnd = 1 SMSS, then K = 0 from the new cwnd (RFC 9438 §4.8)', () => {
  const cc = new Cubic(MSS, 0);
  cc.cwnd = 100 * MSS;
  cc.onRetransmitTimeout(0, 100 * MSS);
  assert.equal(cc.ssthresh, 70 * MSS);
  assert.equal(cc.cwnd, MSS);
  let now = 0;
  while (cc.cwnd < cc.ssthresh) now = round(cc, now, 100, MSS);
  // slow start reached 70 segments exactly (64 + 6 ACKs); the next ACK began congestion avoidance there
  assert.equal(cc.k, 0);
  assert.equal(cc.wMax, 70 * MSS);
  assert.ok(cc.cwnd > 70 * MSS && cc.cwnd < 72 * MSS, `cwnd ${cc.cwnd / MSS}`);
});
