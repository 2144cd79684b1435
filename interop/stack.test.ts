// The helpers of stack.ts that the bulk tests rely on: a program started with `realtime` runs every thread with
// SCHED_RR, its JS thread (the stack) at a higher priority than V8's and libuv's helpers; one started without keeps
// SCHED_OTHER; and the RT bandwidth limit is lifted for a realtime run only, then restored.

import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { listNetns } from '../src/testing/netns.js';
import { rootTestsEnabled, withInterop } from './fixture.js';
import {
  HELPER_RT_PRIORITY, RT_RUNTIME_PATH, SCHED_RR, STACK_RT_PRIORITY, realtimeSchedulingUnavailable, startBulkApp, threadScheduling,
  withRealtimeLimitLifted, writeStackConf,
} from './stack.js';

const PREFIX = 'mtsp';
const SCHED_OTHER = 0;

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

/** Root tests on, and realtime scheduling available (else the test is skipped with the reason). */
function realtimeTestsEnabled(t: TestContext): boolean {
  if (!rootTestsEnabled(t)) return false;
  const why = realtimeSchedulingUnavailable();
  if (why !== '') t.skip(why);
  return why === '';
}

/** The kernel's RT bandwidth limit now. */
function limit(): string {
  return readFileSync(RT_RUNTIME_PATH, 'utf8').trim();
}

/** Policy and RT priority of every thread of `pid`, the JS thread (tid = pid) first. */
function threadSchedulings(pid: number): Array<{ tid: number; policy: number; priority: number }> {
  const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
  return tids.map((tid) => ({ tid, ...threadScheduling(pid, tid) }));
}

test('startProgram with realtime runs every thread of our stack with SCHED_RR, the JS thread above its helpers; without, SCHED_OTHER', async (t) => {
  if (!realtimeTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    net.createTap();
    const conf = writeStackConf(net);
    for (const realtime of [true, false]) {
      const app = await startBulkApp(net, conf, 'sink', 5001, '', { realtime });
      try {
        const pid = app.child.pid!;
        const threads = threadSchedulings(pid);
        assert.ok(threads.length >= 2, `node runs helper threads (${threads.length} threads)`);
        const expected = threads.map(({ tid }) => ({
          tid,
          policy: realtime ? SCHED_RR : SCHED_OTHER,
          priority: !realtime ? 0 : tid === pid ? STACK_RT_PRIORITY : HELPER_RT_PRIORITY,
        }));
        assert.deepEqual(threads, expected, `thread scheduling with realtime=${realtime}`);
      } finally {
        await app.stop();
      }
    }
  });
});

test('withRealtimeLimitLifted sets sched_rt_runtime_us to -1 for a realtime run only, and restores it also when the run throws', async (t) => {
  if (!realtimeTestsEnabled(t)) return;
  const before = limit();
  assert.equal(await withRealtimeLimitLifted({ realtime: true }, async () => limit()), '-1');
  assert.equal(limit(), before);
  assert.equal(await withRealtimeLimitLifted({ realtime: false }, async () => limit()), before);
  await assert.rejects(withRealtimeLimitLifted({ realtime: true }, async () => {
    assert.equal(limit(), '-1');
    throw new Error('transfer failed');
  }), /transfer failed/);
  assert.equal(limit(), before, 'restored after a failure');
});

test('withRealtimeLimitLifted restores sched_rt_runtime_us when its process is killed with SIGTERM mid-run', async (t) => {
  if (!realtimeTestsEnabled(t)) return;
  const before = limit();
  const stackModule = new URL('./stack.js', import.meta.url).href;
  const script = `
    const { withRealtimeLimitLifted } = await import(${JSON.stringify(stackModule)});
    await withRealtimeLimitLifted({ realtime: true }, () => new Promise(() => {
      process.stdout.write('lifted\\n');
      setTimeout(() => {}, 60000);
    }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('lifted')) resolve(); });
      child.once('exit', () => reject(new Error('the child exited before lifting the limit')));
    });
    assert.equal(limit(), '-1', 'lifted while the child runs');
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM', 'the child still dies of the signal');
    assert.equal(limit(), before, 'restored by the signal handler');
  } finally {
    child.kill('SIGKILL');
    if (limit() !== before) writeFileSync(RT_RUNTIME_PATH, before);
  }
});
