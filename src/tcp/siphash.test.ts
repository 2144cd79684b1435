import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHash24 } from './siphash.js';

// Reference outputs of SipHash-2-4 with key 00 01 .. 0f over the messages 00 01 .. (i-1), i = 0..63, as the
// 8 output bytes in order (little-endian value), the test set of the SipHash paper's reference code;
// regenerated here with `openssl mac -macopt hexkey:000102030405060708090a0b0c0d0e0f -macopt size:8 SIPHASH`.
const VECTORS = [
  '310e0edd47db6f72',
  'fd67dc93c539f874',
  '5a4fa9d909806c0d',
  '2d7efbd796666785',
  'b7877127e09427cf',
  '8da699cd64557618',
  'cee3fe586e46c9cb',
  '37d1018bf50002ab',
  '6224939a79f5f593',
  'b0e4a90bdf82009e',
  'f3b9dd94c5bb5d7a',
  'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75',
  '903d84c02756ea14',
  'eef27a8e90ca23f7',
  'e545be4961ca29a1',
  'db9bc2577fcc2a3f',
  '9447be2cf5e99a69',
  '9cd38d96f0b3c14b',
  'bd6179a71dc96dbb',
  '98eea21af25cd6be',
  'c7673b2eb0cbf2d0',
  '883ea3e395675393',
  'c8ce5ccd8c030ca8',
  '94af49f6c650adb8',
  'eab8858ade92e1bc',
  'f315bb5bb835d817',
  'adcf6b0763612e2f',
  'a5c91da7acaa4dde',
  '716595876650a2a6',
  '28ef495c53a387ad',
  '42c341d8fa92d832',
  'ce7cf2722f512771',
  'e37859f94623f3a7',
  '381205bb1ab0e012',
  'ae97a10fd434e015',
  'b4a31508beff4d31',
  '81396229f0907902',
  '4d0cf49ee5d4dcca',
  '5c73336a76d8bf9a',
  'd0a704536ba93e0e',
  '925958fcd6420cad',
  'a915c29bc8067318',
  '952b79f3bc0aa6d4',
  'f21df2e41d4535f9',
  '87577519048f53a9',
  '10a56cf5dfcd9adb',
  'eb75095ccd986cd0',
  '51a9cb9ecba312e6',
  '96afadfc2ce666c7',
  '72fe52975a4364ee',
  '5a1645b276d592a1',
  'b274cb8ebf87870a',
  '6f9bb4203de7b381',
  'eaecb2a30b22a87f',
  '9924a43cc1315724',
  'bd838d3aafbf8db7',
  '0b1a2a3265d51aea',
  '135079a3231ce660',
  '932b2846e4d70666',
  'e1915f5cb1eca46c',
  'f325965ca16d629f',
  '575ff28e60381be5',
  '724506eb4c328a95',
];

function key(): Uint8Array {
  const k = new Uint8Array(16);
  for (let i = 0; i < 16; i++) k[i] = i;
  return k;
}

function hex(lo: number, hi: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += ((lo >>> (8 * i)) & 255).toString(16).padStart(2, '0');
  for (let i = 0; i < 4; i++) s += ((hi >>> (8 * i)) & 255).toString(16).padStart(2, '0');
  return s;
}

test('SipHash-2-4 reference vectors for every length 0..63', () => {
  const h = new SipHash24(key());
  const msg = new Uint8Array(64);
  for (let i = 0; i < 64; i++) msg[i] = i;
  assert.equal(VECTORS.length, 64);
  for (let len = 0; len < 64; len++) {
    const lo = h.hashBytes(msg, 0, len);
    assert.equal(lo, h.low);
    assert.equal(hex(lo, h.high), VECTORS[len], `length ${len}`);
  }
});

test('the paper\'s example: 15-byte message gives a129ca6149be45e5', () => {
  const h = new SipHash24(key());
  const msg = new Uint8Array(20);
  for (let i = 0; i < 15; i++) msg[i + 5] = i;
  assert.equal(h.hashBytes(msg, 5, 15), 0x49be45e5);
  assert.equal(h.high, 0xa129ca61);
});

test('hashWords equals hashBytes over the same 16 little-endian bytes', () => {
  const h = new SipHash24(key());
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = i;
  const lo = h.hashWords(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c);
  assert.equal(hex(lo, h.high), VECTORS[16]);
  const words = [0xdeadbeef, 0x80000001, 0, 0xffffffff];
  for (let i = 0; i < 16; i++) bytes[i] = (words[i >> 2] >>> ((i & 3) * 8)) & 255;
  const a = h.hashWords(words[0], words[1], words[2], words[3]);
  const ah = h.high;
  assert.equal(h.hashBytes(bytes, 0, 16), a);
  assert.equal(h.high, ah);
  const six = h.hashWords6(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0x13121110, 0x17161514);
  assert.equal(hex(six, h.high), VECTORS[24]);
});

test('long inputs and key sensitivity', () => {
  const h = new SipHash24(key());
  const long = new Uint8Array(1000);
  for (let i = 0; i < 1000; i++) long[i] = (i * 7) & 255;
  const a = h.hashBytes(long, 0, 1000);
  const other = key();
  other[15] ^= 1;
  const g = new SipHash24(other);
  assert.notEqual(g.hashBytes(long, 0, 1000), a);
  assert.equal(h.hashBytes(long, 0, 1000), a);
  assert.throws(() => new SipHash24(new Uint8Array(15)), RangeError);
});
