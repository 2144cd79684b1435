// The helpers of stack.ts that the bulk tests rely on: a program started with `realtime` runs every thread
// (the JS thread and V8's and libuv's helpers) with SCHED_RR, one started without keeps SCHED_OTHER.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { listNetns } from '../src/testing/netns.js';
import { rootTestsEnabled, withInterop } from './fixture.js';
import { SCHED_RR, realtimeSchedulingUnavailable, schedulingPolicy, startBulkApp, writeStackConf } from './stack.js';

const PREFIX = 'mtsp';
const SCHED_OTHER = 0;

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

/** Policy of every thread of `pid`. */
function threadPolicies(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => schedulingPolicy(pid, Number(tid)));
}

test('startProgram with realtime runs every thread of our stack with SCHED_RR; without, SCHED_OTHER', async (t) => {
  if (!rootTestsEnabled(t)) return;
  const why = realtimeSchedulingUnavailable();
  if (why !== '') {
    t.skip(why);
    return;
  }
  await withInterop({ prefix: PREFIX }, async (net) => {
    net.createTap();
    const conf = writeStackConf(net);
    for (const realtime of [true, false]) {
      const app = await startBulkApp(net, conf, 'sink', 5001, '', { realtime });
      try {
        const pid = app.child.pid!;
        const policies = threadPolicies(pid);
        assert.ok(policies.length >= 2, `node runs helper threads (${policies.length} threads)`);
        assert.deepEqual(policies, policies.map(() => (realtime ? SCHED_RR : SCHED_OTHER)), `thread policies with realtime=${realtime}`);
      } finally {
        await app.stop();
      }
    }
  });
});
