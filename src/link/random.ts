// A small, fast, seeded PRNG for reproducible decisions (impairment, simulators): xoshiro128** by
// Blackman and Vigna, its 128-bit state filled from the seed by splitmix32. Same seed, same sequence.

const TWO_POW_32 = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Any finite number is a seed; its integer part (up to 2^53) selects the sequence. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`SeededRandom: seed must be a finite number, got ${seed}`);
    const whole = Math.floor(Math.abs(seed));
    // Fold sign and the high bits in so that distinct seeds give distinct states.
    let x = ((whole >>> 0) ^ Math.imul((whole / TWO_POW_32) >>> 0, 0x9e3779b1) ^ (seed < 0 ? 0x5bd1e995 : 0)) >>> 0;
    x = (x + 0x9e3779b9) | 0;
    this.s0 = splitmix32Mix(x);
    x = (x + 0x9e3779b9) | 0;
    this.s1 = splitmix32Mix(x);
    x = (x + 0x9e3779b9) | 0;
    this.s2 = splitmix32Mix(x);
    x = (x + 0x9e3779b9) | 0;
    this.s3 = splitmix32Mix(x);
    // xoshiro must not start from the all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with the given raw state (for checking against the reference outputs). */
  static fromState(a: number, b: number, c: number, d: number): SeededRandom {
    const random = new SeededRandom(0);
    random.s0 = a | 0;
    random.s1 = b | 0;
    random.s2 = c | 0;
    random.s3 = d | 0;
    if ((random.s0 | random.s1 | random.s2 | random.s3) === 0) throw new Error('SeededRandom: all-zero state');
    return random;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let s2 = this.s2 ^ s0;
    let s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    this.s2 = s2;
    this.s3 = s3;
    return result;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * Writes `count` uniform numbers in [0, 1) into out[0..count). One call per batch of draws: a double
   * returned from a call that is not inlined is boxed on the heap; written into a Float64Array it is not.
   */
  fill(out: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) out[i] = this.nextUint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, bound) for 0 < bound <= 2^32. */
  nextInt(bound: number): number {
    return Math.floor(this.next() * bound);
  }
}

function splitmix32Mix(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
