import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EphemeralPorts } from './ephemeral-ports.js';

const L = 0x0a000001;
const never = (): boolean => false;

function secret(seed: number): Uint8Array {
  const s = new Uint8Array(16);
  for (let i = 0; i < 16; i++) s[i] = (seed * 53 + i * 17) & 255;
  return s;
}

test('consecutive picks for one destination are consecutive ports in the range', () => {
  const p = new EphemeralPorts(secret(1));
  const first = p.pick(L, 0x0a000002, 80, never);
  assert.ok(first >= 1025 && first <= 65535);
  for (let i = 1; i < 5; i++) {
    const expected = 1025 + ((first - 1025 + i) % 64511);
    assert.equal(p.pick(L, 0x0a000002, 80, never), expected);
  }
});

test('distinct destinations get distinct, unrelated sequences', () => {
  const p = new EphemeralPorts(secret(1));
  const starts = new Set<number>();
  const dests: Array<[number, number]> = [
    [0x0a000002, 80], [0x0a000002, 443], [0x0a000003, 80], [0x0b000002, 80], [0x0a000002, 8080],
  ];
  for (const [ip, port] of dests) starts.add(p.pick(L, ip, port, never));
  assert.equal(starts.size, dests.length);
  const sorted = [...starts].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i] - sorted[i - 1] > 4, `ports ${sorted}`);
  // another secret, another sequence
  const q = new EphemeralPorts(secret(2));
  assert.notEqual(q.pick(L, 0x0a000002, 80, never), new EphemeralPorts(secret(1)).pick(L, 0x0a000002, 80, never));
});

test('ports in use are skipped', () => {
  const p = new EphemeralPorts(secret(3));
  const probe = new EphemeralPorts(secret(3));
  const a = probe.pick(L, 0x0a000009, 22, never);
  const b = probe.pick(L, 0x0a000009, 22, never);
  const c = probe.pick(L, 0x0a000009, 22, never);
  const asked: number[] = [];
  const got = p.pick(L, 0x0a000009, 22, (port) => {
    asked.push(port);
    return port === a || port === b;
  });
  assert.equal(got, c);
  assert.deepEqual(asked, [a, b, c]);
});

test('a full range returns -1 after asking about every port exactly once', () => {
  const p = new EphemeralPorts(secret(4), 40000, 40009);
  const asked: number[] = [];
  assert.equal(p.pick(L, 0x0a000002, 80, (port) => (asked.push(port), true)), -1);
  assert.equal(asked.length, 10);
  assert.deepEqual([...asked].sort((x, y) => x - y), [40000, 40001, 40002, 40003, 40004, 40005, 40006, 40007, 40008, 40009]);
  // one port free: found
  assert.equal(p.pick(L, 0x0a000002, 80, (port) => port !== 40007), 40007);
  assert.throws(() => new EphemeralPorts(secret(1), 5000, 4000), RangeError);
});
