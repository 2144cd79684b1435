// How an app's server loop is stopped from outside: one byte into an mtcp_pipe whose read end its epoll
// watches, then the write end closed, as mTCP programs wake an epoll loop.

import { mtcp_close, mtcp_write, type mctx_t } from '../index.js';

/** The `stop()` of a server: wakes its loop through `writeEnd`; calling it again does nothing. */
export function pipeStopper(mctx: mctx_t, writeEnd: number): () => void {
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    mtcp_write(mctx, writeEnd, new Uint8Array([1]), 1);
    mtcp_close(mctx, writeEnd);
  };
}
