// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) on pairs of 32-bit integers,
// without BigInt: every 64-bit lane is a (high, low) pair of int32 locals. The keyed hash behind ISNs
// (RFC 6528 §3 suggests a PRF such as this), SYN cookies and ephemeral port offsets (RFC 6056 §3.3.3).

const INITIAL_WORDS = 8;

export class SipHash24 {
  // key as little-endian 32-bit words: k0 = (k0h, k0l), k1 = (k1h, k1l)
  private declare readonly k0l: number;
  private declare readonly k0h: number;
  private declare readonly k1l: number;
  private declare readonly k1h: number;
  /** Message as little-endian 32-bit words, zero padded to whole 64-bit blocks. */
  private declare words: Int32Array;
  private declare readonly result: Int32Array;

  /** key: at least 16 bytes; the first 16 are the key. */
  constructor(key: Uint8Array) {
    if (key.length < 16) throw new RangeError(`SipHash24: key needs 16 bytes, got ${key.length}`);
    this.k0l = readLe32(key, 0);
    this.k0h = readLe32(key, 4);
    this.k1l = readLe32(key, 8);
    this.k1h = readLe32(key, 12);
    this.words = new Int32Array(INITIAL_WORDS);
    this.result = new Int32Array(2);
  }

  /** High 32 bits (unsigned) of the last result. */
  get high(): number {
    return this.result[1] >>> 0;
  }

  /** Low 32 bits (unsigned) of the last result. */
  get low(): number {
    return this.result[0] >>> 0;
  }

  /** Hashes len bytes of data; returns the low 32 bits of the 64-bit result (unsigned), see `high`. */
  hashBytes(data: Uint8Array, off: number, len: number): number {
    const needed = ((len >> 3) + 1) * 2;
    if (this.words.length < needed) this.words = new Int32Array(needed); // grows once for long inputs
    const w = this.words;
    for (let i = 0; i < needed; i++) w[i] = 0;
    for (let i = 0; i < len; i++) w[i >> 2] |= data[off + i] << ((i & 3) << 3);
    return this.run(len);
  }

  /** Hashes the 16-byte message made of four 32-bit words, each little-endian. */
  hashWords(a: number, b: number, c: number, d: number): number {
    const w = this.words;
    w[0] = a;
    w[1] = b;
    w[2] = c;
    w[3] = d;
    w[4] = 0;
    w[5] = 0;
    return this.run(16);
  }

  /** Hashes the 24-byte message made of six 32-bit words, each little-endian. */
  hashWords6(a: number, b: number, c: number, d: number, e: number, f: number): number {
    const w = this.words;
    w[0] = a;
    w[1] = b;
    w[2] = c;
    w[3] = d;
    w[4] = e;
    w[5] = f;
    w[6] = 0;
    w[7] = 0;
    return this.run(24);
  }

  private run(len: number): number {
    const w = this.words;
    // "somepseudorandomlygeneratedbytes" XOR the key (paper §2, initialization)
    let v0l = this.k0l ^ 0x70736575;
    let v0h = this.k0h ^ 0x736f6d65;
    let v1l = this.k1l ^ 0x6e646f6d;
    let v1h = this.k1h ^ 0x646f7261;
    let v2l = this.k0l ^ 0x6e657261;
    let v2h = this.k0h ^ 0x6c796765;
    let v3l = this.k1l ^ 0x79746573;
    let v3h = this.k1h ^ 0x74656462;
    const blocks = (len >> 3) + 1; // the last block carries len mod 256 in its top byte
    for (let b = 0; b <= blocks; b++) {
      let ml = 0;
      let mh = 0;
      let rounds: number;
      if (b < blocks) {
        ml = w[2 * b];
        mh = w[2 * b + 1];
        if (b === blocks - 1) mh ^= (len & 0xff) << 24;
        v3l ^= ml;
        v3h ^= mh;
        rounds = 2; // c = 2 compression rounds
      } else {
        v2l ^= 0xff;
        rounds = 4; // d = 4 finalization rounds
      }
      for (let r = 0; r < rounds; r++) {
        let lo: number;
        let hi: number;
        // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
        lo = (v0l + v1l) | 0;
        v0h = (v0h + v1h + ((lo >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0;
        v0l = lo;
        hi = (v1h << 13) | (v1l >>> 19);
        v1l = (v1l << 13) | (v1h >>> 19);
        v1h = hi ^ v0h;
        v1l ^= v0l;
        hi = v0h;
        v0h = v0l;
        v0l = hi;
        // v2 += v3; v3 <<<= 16; v3 ^= v2
        lo = (v2l + v3l) | 0;
        v2h = (v2h + v3h + ((lo >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0;
        v2l = lo;
        hi = (v3h << 16) | (v3l >>> 16);
        v3l = (v3l << 16) | (v3h >>> 16);
        v3h = hi ^ v2h;
        v3l ^= v2l;
        // v0 += v3; v3 <<<= 21; v3 ^= v0
        lo = (v0l + v3l) | 0;
        v0h = (v0h + v3h + ((lo >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0;
        v0l = lo;
        hi = (v3h << 21) | (v3l >>> 11);
        v3l = (v3l << 21) | (v3h >>> 11);
        v3h = hi ^ v0h;
        v3l ^= v0l;
        // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
        lo = (v2l + v1l) | 0;
        v2h = (v2h + v1h + ((lo >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0;
        v2l = lo;
        hi = (v1h << 17) | (v1l >>> 15);
        v1l = (v1l << 17) | (v1h >>> 15);
        v1h = hi ^ v2h;
        v1l ^= v2l;
        hi = v2h;
        v2h = v2l;
        v2l = hi;
      }
      if (b < blocks) {
        v0l ^= ml;
        v0h ^= mh;
      }
    }
    this.result[0] = v0l ^ v1l ^ v2l ^ v3l;
    this.result[1] = v0h ^ v1h ^ v2h ^ v3h;
    return this.result[0] >>> 0;
  }
}

function readLe32(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
}
