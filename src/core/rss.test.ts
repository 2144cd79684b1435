import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rssHash, rssCore } from './rss.js';

function slowToeplitz(input: number[]): number {
  // Bit-by-bit reference over the 12 input bytes with the 40-byte key of 0x05.
  const key = new Array(40).fill(0x05);
  let h = 0;
  for (let i = 0; i < 96; i++) {
    if ((input[i >> 3] >> (7 - (i & 7))) & 1) {
      let w = 0;
      for (let j = 0; j < 32; j++) w = ((w << 1) | ((key[(i + j) >> 3] >> (7 - ((i + j) & 7))) & 1)) >>> 0;
      h = (h ^ w) >>> 0;
    }
  }
  return h;
}

test('the table-driven Toeplitz hash equals the bit-by-bit definition', () => {
  const cases: Array<[number, number, number, number]> = [
    [0x0a000001, 0x0a000002, 1025, 80], [0xc0a80101, 0x08080808, 65535, 443], [0, 0, 0, 0], [0xffffffff, 0x01020304, 1, 2],
  ];
  for (const [s, d, sp, dp] of cases) {
    const bytes = [s >>> 24, (s >>> 16) & 255, (s >>> 8) & 255, s & 255, d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255,
      sp >>> 8, sp & 255, dp >>> 8, dp & 255];
    assert.equal(rssHash(s, d, sp, dp), slowToeplitz(bytes));
  }
  assert.equal(rssHash(0, 0, 0, 0), 0);
});

test('the hash is symmetric (mTCP key 0x05): both directions of a flow map to one core, and flows spread', () => {
  const counts = [0, 0, 0, 0];
  for (let port = 1025; port < 5121; port++) {
    const a = rssHash(0x0a000001, 0x0a000002, port, 80);
    assert.equal(a, rssHash(0x0a000002, 0x0a000001, 80, port));
    counts[rssCore(0x0a000001, 0x0a000002, port, 80, 4)]++;
  }
  for (const c of counts) assert.ok(c > 500, `core counts ${counts}`);
});
