import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RttEstimator } from './rtt.js';

test('initial RTO is the configured 1 s before any sample (RFC 6298 §2.1)', () => {
  const e = new RttEstimator(200, 60000, 1000);
  assert.equal(e.rto, 1000);
  assert.equal(e.hasSample, false);
});

test('first sample: SRTT = R, RTTVAR = R/2, RTO = max(min, SRTT + 4*RTTVAR) (§2.2)', () => {
  const e = new RttEstimator(200, 60000, 1000);
  e.sample(100);
  assert.equal(e.srtt, 100);
  assert.equal(e.rttvar, 50);
  assert.equal(e.rto, 300);
  const lan = new RttEstimator(200, 60000, 1000);
  lan.sample(0.3);
  assert.equal(lan.srtt, 0.3);
  assert.equal(lan.rttvar, 0.15);
  assert.equal(lan.rto, 200); // the minimum, not mTCP's ~1 ms
});

test('later samples: RTTVAR from the old SRTT, then SRTT (§2.3)', () => {
  const e = new RttEstimator(200, 60000, 1000);
  e.sample(100);
  e.sample(200);
  // RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5; RTO = 112.5 + 250
  assert.equal(e.rttvar, 62.5);
  assert.equal(e.srtt, 112.5);
  assert.equal(e.rto, 362.5);
  e.sample(112.5);
  assert.equal(e.rttvar, 46.875);
  assert.equal(e.srtt, 112.5);
  assert.equal(e.rto, 300);
});

test('the granularity term G = 1 ms bounds 4*RTTVAR from below', () => {
  const e = new RttEstimator(1, 60000, 1000);
  e.sample(10);
  for (let i = 0; i < 200; i++) e.sample(10);
  assert.equal(e.srtt, 10);
  assert.ok(e.rttvar < 0.25);
  assert.equal(e.rto, 11);
});

test('backoff doubles and caps at the maximum; a sample or resetBackoff ends it (§5.5, §5.7)', () => {
  const e = new RttEstimator(200, 60000, 1000);
  e.backoff();
  assert.equal(e.rto, 2000);
  for (let i = 0; i < 10; i++) e.backoff();
  assert.equal(e.rto, 60000);
  assert.equal(e.backoffs, 11);
  e.resetBackoff();
  assert.equal(e.rto, 1000);
  e.sample(100);
  e.backoff();
  e.backoff();
  assert.equal(e.rto, 1200);
  e.resetBackoff();
  assert.equal(e.rto, 300);
  e.backoff();
  e.sample(100);
  assert.equal(e.backoffs, 0);
  assert.equal(e.rto, 250); // RTTVAR = 3/4 * 50 = 37.5; 100 + 4 * 37.5
  e.restart(3000);
  assert.equal(e.hasSample, false);
  assert.equal(e.rto, 3000);
});

test('bad input is rejected', () => {
  assert.throws(() => new RttEstimator(0, 100, 10), RangeError);
  const e = new RttEstimator(200, 60000, 1000);
  assert.throws(() => e.sample(-1), RangeError);
  assert.throws(() => e.sample(NaN), RangeError);
});
