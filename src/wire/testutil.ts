// Helpers for the tests only (hex text <-> bytes, a seeded PRNG, fixture loading, counting minor GCs); the
// link and net tests use them too. Not used by the stack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

// The allocation tests count young-generation GCs while optimised code runs. With V8's optimising compiler on
// a background thread, a loaded machine can starve that thread for seconds, so every measured run executes
// unoptimised code (which boxes numbers) and the count says nothing about our code. Compiling on the main
// thread makes "optimised after the warm-up" deterministic. Only test files import this module.
setFlagsFromString('--no-concurrent-recompilation');
setFlagsFromString('--no-concurrent-osr');

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd number of hex digits (${clean.length})`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array, off = 0, len = bytes.length - off): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/** Mulberry32: a small deterministic PRNG, so every random trial reproduces from its seed. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Fixture {
  /** The "# key: value" comment lines. */
  meta: Map<string, string>;
  frame: Uint8Array;
}

/**
 * Reads test-fixtures/wire/<name>.hex: "# key: value" comment lines, then the frame as hex (whitespace
 * ignored). Tests run from the repository root.
 */
export function loadFixture(name: string): Fixture {
  const text = readFileSync(join(process.cwd(), 'test-fixtures', 'wire', `${name}.hex`), 'utf8');
  const meta = new Map<string, string>();
  let hex = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const m = /^#\s*([A-Za-z0-9_.@-]+):\s*(.*)$/.exec(line);
      if (m) meta.set(m[1], m[2].trim());
    } else {
      hex += line;
    }
  }
  return { meta, frame: hexToBytes(hex) };
}

/** A fixture value as a number ("0x1a2b" or decimal); throws when absent so a missing key fails the test. */
export function metaNumber(f: Fixture, key: string): number {
  const v = f.meta.get(key);
  if (v === undefined) throw new Error(`fixture has no "${key}"`);
  return Number(v);
}

/** Minor (young-generation) GCs while `work` runs; GC entries arrive asynchronously, hence the short wait. */
export function minorGcsDuring(work: () => void): Promise<number> {
  return new Promise((resolve) => {
    let minor = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    work();
    setTimeout(() => { observer.disconnect(); resolve(minor); }, 50);
  });
}

/**
 * The fewest minor GCs over up to `attempts` runs of `work` (stopping at a run with none). On a loaded
 * machine the optimising compiler may finish only during the first measured run, whose unoptimised
 * iterations allocate; code that allocates per iteration still shows GCs on every run.
 */
export async function fewestMinorGcs(work: () => void, attempts = 5): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < attempts && fewest > 0; i++) fewest = Math.min(fewest, await minorGcsDuring(work));
  return fewest;
}
