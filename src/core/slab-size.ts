// How big a host's slab (link/slab.ts) is made: room for what the configuration lets the host hold at once, like
// mTCP's per-core pools sized from max_num_buffers, rcvbuf and sndbuf. Links are opened (and carved) first, then
// each core's engine carves its transmit scratch and, on demand, its send and receive blocks.

import type { IoModuleName, MtcpConfig, PortConfig } from '../config/mtcp-config.js';
import { slotSizeFor } from '../link/copy.js';
import { MAX_BURST } from '../link/link.js';
import { defaultHoldQueueFrames } from '../link/impair.js';
import { DEFAULT_QUEUE_FRAMES } from '../link/queued-link.js';
import { SLAB_ALIGN, SLAB_MAX_BYTES } from '../link/slab.js';
import { TAP_MAX_GSO_FRAME } from '../link/tap.js';
import type { TcpConfig } from '../tcp/config.js';
import { TX_SCRATCH_BYTES } from '../tcp/engine.js';

function aligned(bytes: number): number {
  return Math.ceil(bytes / SLAB_ALIGN) * SLAB_ALIGN;
}

/** Bytes the link of one port carves: its rx and tx bursts, its receive ring, an impairment's bursts and queues. */
function linkSlabBytes(port: PortConfig, io: IoModuleName): number {
  const frame = io === 'tap' && port.vnetHdr ? TAP_MAX_GSO_FRAME : Math.max(1514, port.mtu + 14);
  const slot = slotSizeFor(frame);
  let frames = 2 * MAX_BURST;
  if (io !== 'tap') frames += DEFAULT_QUEUE_FRAMES;
  if (port.impair !== null) {
    frames += 2 * MAX_BURST + 2 * defaultHoldQueueFrames(slot);
  }
  return aligned(frames * slot);
}

/**
 * The slab size of a host with `numCores` engines: the links of every port, and per core the transmit scratch and
 * max_num_buffers send and receive blocks of the default sizes. Capped at SLAB_MAX_BYTES (1 GiB): beyond it blocks
 * are standalone arrays (correct, but their copies take the word loop).
 */
export function hostSlabBytes(config: MtcpConfig, tcpConfig: TcpConfig, numCores: number): number {
  let bytes = 0;
  for (const port of config.ports) bytes += linkSlabBytes(port, config.io);
  bytes += numCores * (aligned(TX_SCRATCH_BYTES) + tcpConfig.maxBuffers * (aligned(tcpConfig.rcvbuf) + aligned(tcpConfig.sndbuf)));
  return Math.min(SLAB_MAX_BYTES, bytes);
}
