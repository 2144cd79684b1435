// mtcp_init, mtcp_destroy, mtcp_getconf, mtcp_setconf, mtcp_core_affinitize, mtcp_create_context,
// mtcp_destroy_context, mtcp_register_signal, mtcp_init_rss, mtcp_pipe (mtcp-inventory §1.2, §1.5, §5.11).

import { availableParallelism } from 'node:os';
import { loadMtcpConfig, type MtcpConfig } from '../config/mtcp-config.js';
import { CoreContext, HostStack, type ConfigOverrides, type MemorySwitchRegistry } from '../core/context.js';
import { INADDR_ANY, MTCP_SOCK_PIPE, SIGINT } from './constants.js';
import { EACCES, EBUSY, EEXIST, EFAULT, EINTR, EINVAL, ENFILE } from './errno.js';
import { checkContext, fail, MtcpContext, setProcessErrno, type mctx_t } from './context.js';
import { notifyPollable } from './epoll.js';
import { MtcpSocket } from './socket.js';
import { Pipe, PIPE_READ_END, PIPE_WRITE_END } from './pipe.js';
import { ntohl } from './byte-order.js';
import { TcpListener } from '../tcp/connection.js';
import { mtcp_close } from './sockets.js';

/** struct mtcp_conf. tcp_timewait and tcp_timeout are in milliseconds ("ticks"), as in mTCP. */
export class MtcpConf {
  num_cores = 0;
  max_concurrency = 0;
  max_num_buffers = 0;
  rcvbuf_size = 0;
  sndbuf_size = 0;
  tcp_timewait = 0;
  tcp_timeout = 0;
}

/** How long mtcp_destroy_context lets open connections finish before the links close. */
const DESTROY_GRACE_MS = 2000;

interface ProcessState {
  config: MtcpConfig | null;
  overrides: ConfigOverrides;
  numCores: number;
  /** Contexts created from the mtcp_init configuration, by cpu. */
  contexts: Map<number, MtcpContext>;
  /** The host their cores share (created with the first of them). */
  host: Promise<HostStack> | null;
  /** Every live context, including those with their own configuration. */
  all: Set<MtcpContext>;
  /** Teardowns in progress (mtcp_destroy waits for them). */
  draining: Set<Promise<void>>;
  sigintHandler: MtcpSighandler | null;
  lastSigintSecond: number;
  signalListeners: Map<number, () => void>;
  signalHandlers: Map<number, MtcpSighandler | null>;
}

const state: ProcessState = {
  config: null,
  overrides: {},
  numCores: 0,
  contexts: new Map(),
  host: null,
  all: new Set(),
  draining: new Set(),
  sigintHandler: null,
  lastSigintSecond: -1,
  signalListeners: new Map(),
  signalHandlers: new Map(),
};

/** mtcp_sighandler_t. SIG_DFL is null; SIG_ERR is returned when a handler cannot be installed. */
export type MtcpSighandler = ((signum: number) => void) | null;
export const SIG_DFL: MtcpSighandler = null;
export function SIG_ERR(_signum: number): void {
  throw new Error('SIG_ERR is a marker, not a handler');
}

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 10: 'SIGUSR1', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  17: 'SIGCHLD', 28: 'SIGWINCH',
};

/** mTCP's HandleSignal for SIGINT: interrupts every context's epoll waits (EINTR) and calls the application's
 * handler; without one, the contexts stop (calls then fail with EPERM). A second ^C in a later second exits. */
function onSigint(): void {
  const second = Math.floor(performance.now() / 1000);
  const again = state.lastSigintSecond >= 0 && second > state.lastSigintSecond;
  state.lastSigintSecond = second;
  for (const ctx of state.all) ctx.interruptWaits(EINTR);
  if (state.sigintHandler !== null) state.sigintHandler(SIGINT);
  else for (const ctx of state.all) ctx.done = true;
  if (again) process.exit(130);
}

/** The defaults mTCP's CONFIG holds before a file is loaded. */
function defaultsConf(conf: MtcpConf): void {
  conf.num_cores = Math.min(availableParallelism(), 16);
  conf.max_concurrency = 10000;
  conf.max_num_buffers = 10000;
  conf.rcvbuf_size = 8192;
  conf.sndbuf_size = 8192;
  conf.tcp_timewait = 0;
  conf.tcp_timeout = 30000;
}

/**
 * mtcp_init(config_file): loads mtcp.conf (and config/route.conf, config/arp.conf relative to the CWD, or the files
 * its route_file/arp_file keys name), prints the configuration errors on stderr and installs the SIGINT handler.
 * Returns 0, or -1 with the process errno EINVAL (the file is missing or wrong: the message names file, line and
 * key) or EBUSY (already initialised: call mtcp_destroy first). mTCP exits the process on many of these errors.
 */
export function mtcp_init(config_file: string): number {
  if (state.config !== null) return setProcessErrno(EBUSY);
  let config: MtcpConfig;
  try {
    config = loadMtcpConfig(config_file);
  } catch (error) {
    process.stderr.write(`mtcp_init: ${(error as Error).message}\n`);
    return setProcessErrno(EINVAL);
  }
  state.config = config;
  // mtcp_setconf before mtcp_init: num_cores wins over the file (the apps' -N); the other fields are replaced by the
  // file's values, as mTCP's LoadConfiguration overwrites CONFIG.
  state.overrides = {};
  if (state.numCores <= 0) state.numCores = config.numCores;
  process.on('SIGINT', onSigint);
  return 0;
}

/**
 * mtcp_destroy(): destroys every context still alive, removes the signal handlers and resolves once every context's
 * stack has stopped and its links are closed (mTCP joins its stack threads). mtcp_init may then be called again.
 */
export async function mtcp_destroy(): Promise<void> {
  for (const ctx of [...state.all]) void mtcp_destroy_context(ctx);
  await Promise.all([...state.draining]);
  process.removeListener('SIGINT', onSigint);
  for (const [signum, listener] of state.signalListeners) process.removeListener(SIGNAL_NAMES[signum], listener);
  state.signalListeners.clear();
  state.signalHandlers.clear();
  state.sigintHandler = null;
  state.lastSigintSecond = -1;
  state.config = null;
  state.overrides = {};
  state.numCores = 0;
  state.contexts.clear();
  state.host = null;
}

/** mtcp_getconf(conf): copies the configuration (with mtcp_setconf changes) into `conf`; 0, or -1 (EINVAL) if null. */
export function mtcp_getconf(conf: MtcpConf | null): number {
  if (!conf || typeof conf !== 'object') return setProcessErrno(EINVAL);
  defaultsConf(conf);
  const c = state.config;
  const o = state.overrides;
  if (c !== null) {
    conf.num_cores = c.numCores;
    conf.max_concurrency = c.maxConcurrency;
    conf.max_num_buffers = c.maxNumBuffers;
    conf.rcvbuf_size = c.rcvbuf;
    conf.sndbuf_size = c.sndbuf;
    conf.tcp_timewait = c.tcpTimewait * 1000;
    conf.tcp_timeout = c.tcpTimeout > 0 ? c.tcpTimeout * 1000 : c.tcpTimeout;
  }
  if (state.numCores > 0) conf.num_cores = state.numCores;
  if (o.maxConcurrency !== undefined) conf.max_concurrency = o.maxConcurrency;
  if (o.maxNumBuffers !== undefined) conf.max_num_buffers = o.maxNumBuffers;
  if (o.rcvbuf !== undefined) conf.rcvbuf_size = o.rcvbuf;
  if (o.sndbuf !== undefined) conf.sndbuf_size = o.sndbuf;
  if (o.timeWaitMs !== undefined) conf.tcp_timewait = o.timeWaitMs;
  if (o.idleTimeoutMs !== undefined) conf.tcp_timeout = o.idleTimeoutMs;
  return 0;
}

/**
 * mtcp_setconf(conf): every field > 0 replaces the current value (as mTCP: 0 or less keeps it, so timeouts cannot be
 * disabled here). num_cores set before mtcp_init overrides the file's; the other fields count when set after
 * mtcp_init (mtcp_init reloads them from the file) and apply to contexts created afterwards. 0, or -1 (EINVAL) if conf
 * is null.
 */
export function mtcp_setconf(conf: MtcpConf | null): number {
  if (!conf || typeof conf !== 'object') return setProcessErrno(EINVAL);
  const o = state.overrides;
  if (conf.num_cores > 0) state.numCores = Math.trunc(conf.num_cores);
  if (conf.max_concurrency > 0) o.maxConcurrency = Math.trunc(conf.max_concurrency);
  if (conf.max_num_buffers > 0) o.maxNumBuffers = Math.trunc(conf.max_num_buffers);
  if (conf.rcvbuf_size > 0) o.rcvbuf = Math.trunc(conf.rcvbuf_size);
  if (conf.sndbuf_size > 0) o.sndbuf = Math.trunc(conf.sndbuf_size);
  if (conf.tcp_timewait > 0) o.timeWaitMs = Math.trunc(conf.tcp_timewait);
  if (conf.tcp_timeout > 0) o.idleTimeoutMs = Math.trunc(conf.tcp_timeout);
  return 0;
}

/**
 * mtcp_core_affinitize(cpu): 0 if `cpu` is a CPU of this machine, else -1 with EINVAL (mTCP stores -EINVAL: fixed).
 * Node cannot pin a thread to a CPU, so nothing is pinned; the call only validates.
 */
export function mtcp_core_affinitize(cpu: number): number {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= availableParallelism()) return setProcessErrno(EINVAL);
  return 0;
}

/** Extension of mtcp_create_context: a context with its own configuration is an independent host. */
export interface CreateContextOptions {
  /** This context's configuration (an MtcpConfig, or a path to an mtcp.conf) instead of mtcp_init's. */
  config?: MtcpConfig | string;
  /** Where its io = memory ports find their switch (default: the process-wide registry, switches named by port). */
  memorySwitches?: MemorySwitchRegistry;
  /** Print per-second statistics for the stat_print ports (default true). */
  stats?: boolean;
  /** Monotonic clock in ms (tests). */
  clock?: () => number;
}

/**
 * mtcp_create_context(cpu[, options]): creates core `cpu`'s stack in the calling thread — its links, interfaces,
 * TCP engine and socket table (ids 0 .. max_concurrency-1) — and resolves to its handle, or to null with the process
 * errno EINVAL (no configuration, cpu not in [0, num_cores), bad options config — the reason is printed on
 * stderr), EEXIST (a context for this cpu exists), or EINVAL for the link's error (e.g. a UDP port in use, printed).
 * A Promise because opening a UDP link is asynchronous in Node. The contexts of the mtcp_init configuration share its
 * host (links, interfaces): received flows go to the core the symmetric RSS hash names (to the first live core when
 * that core has no context), connects pick local ports that hash to their own core. With `options.config`, the
 * context is an independent host with one core (two hosts in one process).
 */
export async function mtcp_create_context(cpu: number, options: CreateContextOptions = {}): Promise<mctx_t | null> {
  let config: MtcpConfig | null = state.config;
  const own = options.config !== undefined;
  if (own) {
    if (typeof options.config === 'string') {
      try {
        config = loadMtcpConfig(options.config);
      } catch (error) {
        process.stderr.write(`mtcp_create_context: ${(error as Error).message}\n`);
        setProcessErrno(EINVAL);
        return null;
      }
    } else {
      config = options.config as MtcpConfig;
    }
  }
  if (config === null) {
    process.stderr.write('mtcp_create_context: call mtcp_init(config_file) first, or pass options.config\n');
    setProcessErrno(EINVAL);
    return null;
  }
  const numCores = own ? config.numCores : state.numCores || config.numCores;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= numCores) {
    process.stderr.write(`mtcp_create_context: cpu ${cpu} is not in [0, ${numCores})\n`);
    setProcessErrno(EINVAL);
    return null;
  }
  if (!own && state.contexts.has(cpu)) {
    setProcessErrno(EEXIST);
    return null;
  }
  let core: CoreContext;
  try {
    if (own) {
      core = await CoreContext.create({ cpu, config, memorySwitches: options.memorySwitches, stats: options.stats, clock: options.clock });
    } else {
      // The cores of the mtcp_init configuration share one host (its links and interfaces): flows are spread over
      // them by the symmetric RSS hash, as mTCP's NIC queues.
      let host = state.host === null ? null : await state.host;
      if (host === null || host.isClosed) {
        const config0 = config;
        state.host = HostStack.create({
          config: config0, numCores, overrides: state.overrides, memorySwitches: options.memorySwitches,
          stats: options.stats, clock: options.clock,
        });
        state.host.catch(() => { state.host = null; });
        host = await state.host;
      }
      if (state.contexts.has(cpu) || host.cores[cpu] !== null) {
        setProcessErrno(EEXIST);
        return null;
      }
      core = new CoreContext(host, cpu, cpu);
    }
  } catch (error) {
    process.stderr.write(`mtcp_create_context: ${(error as Error).message}\n`);
    setProcessErrno(EINVAL);
    return null;
  }
  const ctx = new MtcpContext(cpu, core, core.tcpConfig.maxConcurrency);
  core.readyHandler = (items, count) => {
    for (let i = 0; i < count; i++) {
      const x = items[i];
      const s = ctx.sockets.get(x.socketId);
      if (s === null) continue;
      if (x instanceof TcpListener ? s.listener === x : s.conn === x) notifyPollable(s);
    }
  };
  if (!own) state.contexts.set(cpu, ctx);
  state.all.add(ctx);
  ctxOwnsConfig.set(ctx, own);
  return ctx;
}

const ctxOwnsConfig = new WeakMap<MtcpContext, boolean>();

/**
 * mtcp_destroy_context(mctx): every later call on `mctx` fails with EPERM and pending epoll waits end with EINTR;
 * its sockets are closed (connections gracefully), the stack keeps running until they are done (at most 2 s), then
 * its links close. The returned Promise resolves then (mTCP returns at once; awaiting is optional).
 */
export function mtcp_destroy_context(mctx: mctx_t): Promise<void> {
  if (!(mctx instanceof MtcpContext) || mctx.done && !state.all.has(mctx)) return Promise.resolve();
  const ctx = mctx;
  state.all.delete(ctx);
  if (!ctxOwnsConfig.get(ctx) && state.contexts.get(ctx.cpu) === ctx) state.contexts.delete(ctx.cpu);
  ctx.interruptWaits(EINTR);
  ctx.done = false;
  ctx.sockets.forEach((_s, id) => {
    mtcp_close(ctx, id);
  });
  ctx.done = true;
  const p = ctx.core.drainAndClose(DESTROY_GRACE_MS);
  state.draining.add(p);
  void p.finally(() => state.draining.delete(p));
  return p;
}

/**
 * mtcp_register_signal(signum, handler): for SIGINT, `handler` is called by mTCP's own SIGINT handling (which first
 * ends every epoll wait with EINTR); other signals get `handler` directly. Returns the previous handler (SIG_DFL =
 * null), or SIG_ERR for a signal Node cannot handle here.
 */
export function mtcp_register_signal(signum: number, handler: MtcpSighandler): MtcpSighandler | typeof SIG_ERR {
  if (signum === SIGINT) {
    const previous = state.sigintHandler;
    state.sigintHandler = handler;
    return previous;
  }
  const name = SIGNAL_NAMES[signum];
  if (name === undefined || signum === 9 || signum === 19) {
    setProcessErrno(EINVAL);
    return SIG_ERR;
  }
  const previous = state.signalHandlers.get(signum) ?? null;
  const oldListener = state.signalListeners.get(signum);
  if (oldListener !== undefined) process.removeListener(name, oldListener);
  state.signalListeners.delete(signum);
  state.signalHandlers.set(signum, handler);
  if (handler !== null) {
    const listener = (): void => handler(signum);
    state.signalListeners.set(signum, listener);
    process.on(name, listener);
  }
  return previous;
}

/**
 * mtcp_init_rss(mctx, saddr_base, num_addr, daddr, dport): makes later connects of this context take their source
 * address from saddr_base .. saddr_base+num_addr-1 in turn (network order, as mTCP; INADDR_ANY = the address of the
 * port that routes to daddr). With one core per host there is no RSS queue to match, so ports are the engine's
 * ephemeral choice and daddr/dport only pick the interface. 0, or -1 with EACCES (bad or stopped context),
 * EINVAL (num_addr < 1, or INADDR_ANY and no route to daddr).
 */
export function mtcp_init_rss(mctx: mctx_t, saddr_base: number, num_addr: number, daddr: number, dport: number): number {
  const ctx = checkContext(mctx);
  if (ctx === null) {
    if (mctx instanceof MtcpContext) mctx.errno = EACCES;
    else setProcessErrno(EACCES);
    return -1;
  }
  void dport;
  if (!Number.isInteger(num_addr) || num_addr < 1) return fail(ctx, EINVAL);
  let base = ntohl(saddr_base >>> 0);
  if (saddr_base === INADDR_ANY) {
    base = ctx.core.sourceAddressFor(ntohl(daddr >>> 0));
    if (base === 0) return fail(ctx, EINVAL);
  }
  ctx.rssBase = base;
  ctx.rssCount = num_addr;
  ctx.rssNext = 0;
  return 0;
}

/**
 * mtcp_pipe(mctx, pipeid): creates a pipe of 10240 bytes and stores its ids in pipeid[0] (read end) and pipeid[1]
 * (write end); both can be watched with epoll. 0, or -1 with ENFILE (fewer than two free ids), EFAULT (pipeid is not
 * an array), EINVAL/EPERM (ctx).
 */
export function mtcp_pipe(mctx: mctx_t, pipeid: number[]): number {
  const ctx = checkContext(mctx);
  if (ctx === null) return -1;
  if (!Array.isArray(pipeid) || Object.isFrozen(pipeid)) return fail(ctx, EFAULT);
  if (ctx.sockets.capacity - ctx.sockets.used < 2) return fail(ctx, ENFILE);
  const pipe = new Pipe();
  const r = ctx.sockets.allocate((i) => {
    const s = new MtcpSocket(i, MTCP_SOCK_PIPE);
    s.pipe = pipe;
    s.pipeEnd = PIPE_READ_END;
    pipe.readEnd = s;
    return s;
  });
  const w = ctx.sockets.allocate((i) => {
    const s = new MtcpSocket(i, MTCP_SOCK_PIPE);
    s.pipe = pipe;
    s.pipeEnd = PIPE_WRITE_END;
    pipe.writeEnd = s;
    return s;
  });
  pipeid[0] = r;
  pipeid[1] = w;
  return 0;
}

/** Live contexts of the process (diagnostics and tests). */
export function mtcp_contexts(): readonly mctx_t[] {
  return [...state.all];
}
