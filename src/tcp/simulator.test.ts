// Seeded two-engine runs over an impaired virtual wire (5% loss, 5% reordering, 1% duplication, 0.1%
// corruption): 64 MiB each way at once, byte-exact by SHA-256, clean close on both sides. A failing run
// prints its seed; SIM_SEED=<n> reruns one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, SimOptions } from './testing/simulator.js';

const MiB = 1048576;

function run(name: string, opt: Omit<SimOptions, 'seed'>, defaultSeed: number): void {
  const seed = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : defaultSeed;
  test(`${name} (seed ${seed})`, () => {
    let r;
    try {
      r = simulate({ ...opt, seed });
    } catch (err) {
      throw new Error(`simulation failed with seed ${seed}: ${(err as Error).message}`);
    }
    const msg = `seed ${seed}`;
    assert.equal(r.receivedB, opt.bytes, msg);
    assert.equal(r.receivedA, opt.bytes, msg);
    assert.equal(r.receivedDigestB, r.sentDigestA, msg);
    assert.equal(r.receivedDigestA, r.sentDigestB, msg);
    assert.equal(r.freedA, true, msg);
    assert.equal(r.freedB, true, msg);
    // A clean close: nobody reset the connection while it lived, and nothing is left in either engine.
    assert.equal(r.engineA.counters.resetsOnClose + r.engineB.counters.resetsOnClose, 0, msg);
    assert.equal(r.engineA.connectionCount + r.engineB.connectionCount, 0, msg);
    assert.ok(r.stats.lost > 0 && r.stats.reordered > 0 && r.stats.duplicated > 0 && r.stats.corrupted > 0, msg);
  });
}

const impaired = { loss: 0.05, reorder: 0.05, duplicate: 0.01, corrupt: 0.001, delayMs: 5, jitterMs: 10 };

run('CUBIC, SACK and timestamps: 64 MiB each way over an impaired wire', { ...impaired, cc: 'cubic', bytes: 64 * MiB }, 7);
run('NewReno, SACK and timestamps: 64 MiB each way over an impaired wire', { ...impaired, cc: 'reno', bytes: 64 * MiB }, 8);
run('NewReno without SACK or timestamps (RFC 6582 recovery, Karn RTT): 8 MiB each way', {
  ...impaired, cc: 'reno', bytes: 8 * MiB, config: { sack: false, timestamps: false },
}, 9);
run('CUBIC without window scaling, small buffers (zero windows, persist): 4 MiB each way', {
  ...impaired, cc: 'cubic', bytes: 4 * MiB, config: { windowScaling: false, rcvbuf: 16384, sndbuf: 16384 },
}, 10);
