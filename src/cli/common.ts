// What every command-line tool does around the mTCP API: -N through mtcp_getconf/mtcp_setconf before
// mtcp_init (as mTCP's apps), one context per core, ^C through mtcp_register_signal, and clear exits.

import {
  MtcpConf, SIGINT, mtcp_create_context, mtcp_destroy, mtcp_errno, mtcp_getconf, mtcp_init,
  mtcp_register_signal, mtcp_setconf, strerror, type mctx_t,
} from '../index.js';
import { UsageError } from './args.js';

/** Prints a usage error and exits 2, or rethrows anything else. */
export function usageExit(error: unknown, usage: string): never {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${usage}\n`);
    process.exit(2);
  }
  throw error;
}

/**
 * mtcp_init(configFile) with `cores` applied first; then `extra` (fields of mtcp_conf to set after init, as
 * epwget sets max_concurrency) and one context per core. Exits 1 with the reason on failure.
 */
export async function startMtcp(configFile: string, cores: number | undefined, extra?: (conf: MtcpConf) => void): Promise<mctx_t[]> {
  const conf = new MtcpConf();
  if (cores !== undefined) {
    mtcp_getconf(conf);
    conf.num_cores = cores;
    mtcp_setconf(conf);
  }
  if (mtcp_init(configFile) < 0) {
    process.stderr.write(`mtcp_init(${configFile}) failed: ${strerror(mtcp_errno())}\n`);
    process.exit(1);
  }
  mtcp_getconf(conf);
  if (extra !== undefined) {
    extra(conf);
    mtcp_setconf(conf);
  }
  const n = cores ?? 1;
  const contexts: mctx_t[] = [];
  for (let cpu = 0; cpu < n; cpu++) {
    const ctx = await mtcp_create_context(cpu);
    if (ctx === null) {
      process.stderr.write(`mtcp_create_context(${cpu}) failed: ${strerror(mtcp_errno())}\n`);
      await mtcp_destroy();
      process.exit(1);
    }
    contexts.push(ctx);
  }
  return contexts;
}

/** Calls `onInterrupt` on the first ^C (mTCP's own handler then ends the epoll waits with EINTR). */
export function onSigint(onInterrupt: () => void): void {
  mtcp_register_signal(SIGINT, () => onInterrupt());
}

export { mtcp_destroy };
