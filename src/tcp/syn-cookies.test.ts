import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SynCookies, SYN_COOKIE_MSS, SYN_COOKIE_PERIOD_MS } from './syn-cookies.js';

const L = 0xc0a80001;
const R = 0xc0a80002;

function secret(): Uint8Array {
  const s = new Uint8Array(32);
  for (let i = 0; i < 32; i++) s[i] = (i * 29 + 7) & 255;
  return s;
}

test('round trip for every MSS class, at several times within the validity', () => {
  const c = new SynCookies(secret());
  for (const mss of SYN_COOKIE_MSS) {
    for (const t0 of [0, 12345, 64000 * 31 + 5, 1e9]) {
      const cookie = c.encode(L, 80, R, 51000, 0x12345678, mss, t0);
      assert.ok(Number.isInteger(cookie) && cookie >= 0 && cookie <= 0xffffffff);
      assert.equal(c.decode(L, 80, R, 51000, 0x12345678, cookie, t0), mss);
      assert.equal(c.decode(L, 80, R, 51000, 0x12345678, cookie, t0 + 63999 - (t0 % SYN_COOKIE_PERIOD_MS)), mss);
      assert.equal(c.decode(L, 80, R, 51000, 0x12345678, cookie, t0 + 64000), mss); // previous period
    }
  }
});

test('MSS values between classes round down to a class', () => {
  assert.equal(SynCookies.mssIndex(100), 0);
  assert.equal(SynCookies.mssIndex(536), 0);
  assert.equal(SynCookies.mssIndex(1459), 3);
  assert.equal(SynCookies.mssIndex(1460), 4);
  assert.equal(SynCookies.mssIndex(9000), 6);
  assert.equal(SynCookies.mssIndex(65535), 7);
  const c = new SynCookies(secret());
  const cookie = c.encode(L, 80, R, 51000, 1, 1459, 0);
  assert.equal(c.decode(L, 80, R, 51000, 1, cookie, 0), 1440);
});

test('expired cookies (two periods or more) and cookies from the future are rejected', () => {
  const c = new SynCookies(secret());
  const now = 5 * 64000 + 100;
  const cookie = c.encode(L, 80, R, 51000, 99, 1460, now);
  assert.equal(c.decode(L, 80, R, 51000, 99, cookie, now + 2 * 64000), -1);
  assert.equal(c.decode(L, 80, R, 51000, 99, cookie, now + 32 * 64000), -1); // t wrapped mod 32: hash differs
  assert.equal(c.decode(L, 80, R, 51000, 99, cookie, now - 64000), -1);
});

test('tampered cookies and other connections are rejected', () => {
  const c = new SynCookies(secret());
  const now = 777777;
  const cookie = c.encode(L, 80, R, 51000, 0xfffffff0, 1460, now);
  assert.equal(c.decode(L, 80, R, 51000, 0xfffffff0, cookie, now), 1460);
  for (let bit = 0; bit < 32; bit++) {
    const bad = (cookie ^ (1 << bit)) >>> 0;
    assert.equal(c.decode(L, 80, R, 51000, 0xfffffff0, bad, now), -1, `bit ${bit}`);
  }
  assert.equal(c.decode(L + 1, 80, R, 51000, 0xfffffff0, cookie, now), -1);
  assert.equal(c.decode(L, 81, R, 51000, 0xfffffff0, cookie, now), -1);
  assert.equal(c.decode(L, 80, R + 1, 51000, 0xfffffff0, cookie, now), -1);
  assert.equal(c.decode(L, 80, R, 51001, 0xfffffff0, cookie, now), -1);
  assert.equal(c.decode(L, 80, R, 51000, 0xfffffff1, cookie, now), -1);
  const other = secret();
  other[0] ^= 1;
  assert.equal(new SynCookies(other).decode(L, 80, R, 51000, 0xfffffff0, cookie, now), -1);
});

test('options ride in the low TSval bits and the TSval never runs ahead of the clock', () => {
  const c = new SynCookies(secret());
  const out = { windowScale: 0, sackPermitted: false };
  for (const now of [0, 31, 32, 1000, 123456.7, 4294967295, 4294967296 + 40]) {
    for (let ws = -1; ws <= 14; ws++) {
      for (const sack of [false, true]) {
        const ts = c.encodeTimestamp(now, ws, sack);
        const clock = Math.floor(now) >>> 0;
        assert.ok(((clock - ts) | 0) >= 0 && ((clock - ts) | 0) < 32, `now ${now} ws ${ws} ts ${ts}`);
        c.decodeTimestamp(ts, out);
        assert.equal(out.windowScale, ws);
        assert.equal(out.sackPermitted, sack);
      }
    }
  }
  assert.throws(() => c.encodeTimestamp(0, 15, false), RangeError);
});
