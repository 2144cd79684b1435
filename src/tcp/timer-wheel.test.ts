import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timer, TimerWheel } from './timer-wheel.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

test('fires at the deadline, never early, and disarms before fire', () => {
  const wheel = new TimerWheel(1000);
  const t = new Timer('conn', 3);
  assert.equal(t.armed, false);
  wheel.arm(t, 1010.5);
  assert.equal(t.armed, true);
  assert.equal(wheel.size, 1);
  assert.equal(wheel.nextDeadline(), 1010.5);
  const seen: Timer[] = [];
  const fire = (x: Timer): void => {
    assert.equal(x.armed, false);
    seen.push(x);
  };
  assert.equal(wheel.advance(1010, fire), 0);
  assert.equal(wheel.advance(1010.4, fire), 0);
  assert.equal(wheel.advance(1011, fire), 1);
  assert.deepEqual(seen, [t]);
  assert.equal(t.owner, 'conn');
  assert.equal(t.kind, 3);
  assert.equal(wheel.size, 0);
  assert.equal(wheel.nextDeadline(), Infinity);
});

test('deadlines in the past fire on the next advance', () => {
  const wheel = new TimerWheel(500);
  const t = new Timer(null, 0);
  wheel.arm(t, 10);
  let n = 0;
  assert.equal(wheel.advance(500, () => n++), 1);
  assert.equal(n, 1);
});

test('cancel and re-arm (move) are exact; cancel of an unarmed timer is a no-op', () => {
  const wheel = new TimerWheel(0);
  const a = new Timer('a', 0);
  const b = new Timer('b', 0);
  wheel.cancel(a);
  wheel.arm(a, 50);
  wheel.arm(b, 60);
  wheel.arm(a, 70); // move
  assert.equal(wheel.size, 2);
  assert.equal(wheel.nextDeadline(), 60);
  wheel.cancel(b);
  assert.equal(b.armed, false);
  assert.equal(wheel.nextDeadline(), 70);
  const seen: unknown[] = [];
  assert.equal(wheel.advance(69, (t) => seen.push(t.owner)), 0);
  assert.equal(wheel.advance(70, (t) => seen.push(t.owner)), 1);
  assert.deepEqual(seen, ['a']);
});

test('fire may re-arm itself and cancel a timer due in the same tick', () => {
  const wheel = new TimerWheel(0);
  const a = new Timer('a', 0);
  const b = new Timer('b', 0);
  wheel.arm(a, 10);
  wheel.arm(b, 10);
  const seen: unknown[] = [];
  const fired = wheel.advance(10, (t) => {
    seen.push(t.owner);
    wheel.cancel(t === a ? b : a);
    wheel.arm(t, 25);
  });
  assert.equal(fired, 1);
  assert.equal(seen.length, 1);
  assert.equal(wheel.size, 1);
  assert.equal(wheel.nextDeadline(), 25);
  // a timer re-armed to a deadline already passed fires again later in the same advance, one tick on
  let count = 0;
  const c = new Timer('c', 0);
  wheel.cancel(a);
  wheel.cancel(b);
  wheel.arm(c, 100);
  assert.equal(
    wheel.advance(105, (t) => {
      count++;
      if (count < 3) wheel.arm(t, 0);
    }),
    3,
  );
});

test('far deadlines (beyond one revolution) fire exactly on time', () => {
  const wheel = new TimerWheel(0);
  const deadlines = [4095, 4096, 4097, 8191, 8192, 12000, 60000, 120000, 7_200_000];
  const timers = deadlines.map((d, i) => {
    const t = new Timer(i, 0);
    wheel.arm(t, d);
    return t;
  });
  assert.equal(wheel.nextDeadline(), 4095);
  for (let i = 0; i < deadlines.length; i++) {
    const d = deadlines[i];
    const seen: number[] = [];
    assert.equal(wheel.advance(d - 1, (t) => seen.push(t.owner as number)), 0, `early at ${d - 1}`);
    assert.equal(wheel.advance(d, (t) => seen.push(t.owner as number)), 1, `at ${d}`);
    assert.deepEqual(seen, [i]);
    assert.equal(timers[i].armed, false);
    assert.equal(wheel.nextDeadline(), i + 1 < deadlines.length ? deadlines[i + 1] : Infinity);
  }
});

test('one big jump fires everything due, including overflow timers', () => {
  const wheel = new TimerWheel(0);
  for (let i = 0; i < 100; i++) wheel.arm(new Timer(i, 0), i * 997 + 1);
  wheel.arm(new Timer('late', 0), 500_000);
  let n = 0;
  assert.equal(wheel.advance(99 * 997 + 1, () => n++), 100);
  assert.equal(wheel.size, 1);
  assert.equal(wheel.nextDeadline(), 500_000);
  assert.equal(wheel.advance(499_999, () => n++), 0);
  assert.equal(wheel.advance(10_000_000, () => n++), 1);
});

test('randomized against a sorted-array model (seeded, bounded)', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rand = rng(seed * 104729);
    let now = Math.floor(rand() * 1e6);
    const wheel = new TimerWheel(now);
    const timers: Timer[] = [];
    for (let i = 0; i < 60; i++) timers.push(new Timer(i, i % 7));
    const model = new Map<Timer, number>();
    const pick = (): number => {
      const r = rand();
      if (r < 0.4) return now + rand() * 100;
      if (r < 0.7) return now + rand() * 6000;
      if (r < 0.9) return now + rand() * 300_000;
      return now - rand() * 50; // already due
    };
    for (let step = 0; step < 1500; step++) {
      const r = rand();
      const t = timers[Math.floor(rand() * timers.length)];
      if (r < 0.45) {
        const d = pick();
        wheel.arm(t, d);
        model.set(t, d);
      } else if (r < 0.6) {
        wheel.cancel(t);
        model.delete(t);
      } else {
        const q = rand();
        now += q < 0.5 ? rand() * 20 : q < 0.85 ? rand() * 3000 : rand() * 200_000;
        const due = new Set<Timer>();
        for (const [timer, d] of model) if (d <= now) due.add(timer);
        const fired = new Set<Timer>();
        const count = wheel.advance(now, (x) => {
          assert.ok(due.has(x), `seed ${seed} step ${step}: fired a timer not due`);
          assert.ok(!fired.has(x));
          assert.equal(x.armed, false);
          fired.add(x);
          model.delete(x);
          if (rand() < 0.3) {
            const d = now + 1 + rand() * 10000;
            wheel.arm(x, d);
            model.set(x, d);
          }
        });
        assert.equal(count, due.size, `seed ${seed} step ${step}`);
        assert.equal(fired.size, due.size);
      }
      assert.equal(wheel.size, model.size);
      for (const timer of timers) assert.equal(timer.armed, model.has(timer));
      let min = Infinity;
      for (const d of model.values()) if (d < min) min = d;
      assert.equal(wheel.nextDeadline(), min, `seed ${seed} step ${step}`);
    }
  }
});
