// The per-frame paths of the links must not allocate (engineering notes): a minor GC during a long
// synchronous loop of reserve/flush/receive means something was allocated per frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fewestMinorGcs } from '../wire/testutil.js';
import { ImpairedLink } from './impair.js';
import { MAX_BURST, type Link } from './link.js';
import { MemorySwitch } from './memory.js';

const MAC_A = [2, 0, 0, 0, 0, 1];
const MAC_B = [2, 0, 0, 0, 0, 2];

/**
 * Sends `bursts` full bursts of frames (60 and 1514 bytes, from srcMac to dstMac) on `from`, receiving each
 * burst on `to`; returns the frames received.
 */
function pump(from: Link, to: Link, bursts: number, dstMac = MAC_B, srcMac = MAC_A): number {
  let received = 0;
  for (let k = 0; k < bursts; k++) {
    for (let j = 0; j < MAX_BURST; j++) {
      const length = (j & 1) === 0 ? 60 : 1514;
      const at = from.reserve(length);
      if (at < 0) throw new Error('reserve');
      const data = from.tx.data;
      for (let b = 0; b < 6; b++) {
        data[at + b] = dstMac[b];
        data[at + 6 + b] = srcMac[b];
      }
      data[at + 12] = 0x88;
      data[at + 13] = 0xb5;
      data[at + 14] = j;
    }
    from.flush();
    for (let n = to.receive(); n > 0; n = to.receive()) received += n;
  }
  return received;
}

test('memory switch: reserve, flush, forward and receive allocate nothing per frame', async () => {
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = sw.createPort('b');
  pump(b, a, 1, MAC_A, MAC_B); // b's address is learnt: a's frames are unicast to b
  let received = pump(a, b, 2_000);
  const gcs = await fewestMinorGcs(() => { received += pump(a, b, 10_000); });
  assert.equal(received % (MAX_BURST * 1_000), 0);
  assert.ok(received >= 12_000 * MAX_BURST);
  assert.equal(sw.counters.flooded, MAX_BURST); // only b's first burst, to a not yet learnt
  assert.equal(b.counters.rxDropped, 0);
  assert.ok(gcs <= 1, `${gcs} minor GCs during ${10_000 * MAX_BURST} frames`);
  sw.close();
});

test('impaired memory link (loss, duplication, corruption, reordering, no delay) allocates nothing per frame', async () => {
  const sw = new MemorySwitch({ queueFrames: 4096 });
  const a = new ImpairedLink(sw.createPort('a'), { seed: 7, loss: 0.01, duplicate: 0.01, corrupt: 0.01, reorder: 0.01, reorderHoldMs: 0 });
  const b = sw.createPort('b');
  pump(b, a, 1, MAC_A, MAC_B);
  let received = pump(a, b, 2_000);
  const gcs = await fewestMinorGcs(() => { received += pump(a, b, 10_000); });
  assert.ok(received > 11_000 * MAX_BURST);
  assert.ok(a.impairmentCounters.dropped > 0 && a.impairmentCounters.duplicated > 0 && a.impairmentCounters.reordered > 0);
  assert.ok(gcs <= 1, `${gcs} minor GCs during ${10_000 * MAX_BURST} frames`);
  a.close();
  sw.close();
});
