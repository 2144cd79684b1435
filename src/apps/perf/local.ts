// mtcp-perf --local: server and client as two hosts in one process on a private memory switch, optionally
// with an impaired link, a chosen congestion control and MTU.

import * as fs from 'node:fs';
import { MemorySwitchRegistry, mtcp_create_context, mtcp_destroy_context, mtcp_errno, parseMtcpConfig, strerror, type MtcpConfig } from '../../index.js';
import { parseImpairment } from '../../link/impair.js';
import { startPerfServer } from './server.js';
import { runPerfClient, type PerfClientOptions, type PerfClientResult } from './client.js';

export interface LocalOptions {
  /** Server and client configuration files (memory hosts); their eth0 gets the overrides below. */
  serverConfig: string;
  clientConfig: string;
  impair: string | undefined;
  seed: number;
  cc: 'cubic' | 'reno' | undefined;
  mtu: number;
}

/** Reads an mtcp.conf and replaces or adds `key = value` lines, so the file stays the single source. */
export function configWith(file: string, overrides: Map<string, string>): MtcpConfig {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const left = new Map(overrides);
  const out = lines.map((line) => {
    const m = /^\s*([^\s#=]+)\s*=/.exec(line);
    if (m !== null && left.has(m[1]!)) {
      const v = left.get(m[1]!)!;
      left.delete(m[1]!);
      return `${m[1]} = ${v}`;
    }
    return line;
  });
  for (const [k, v] of left) out.push(`${k} = ${v}`);
  return parseMtcpConfig(out.join('\n'), file);
}

/** The config keys (eth0.impair.*) for an --impair spec; throws an Error naming a bad item. */
export function impairmentKeys(spec: string, seed: number): Map<string, string> {
  const p = parseImpairment(spec);
  const keys = new Map<string, string>();
  if (p.queueFrames !== undefined || p.reorderHoldMs !== undefined) throw new Error('--impair: hold and queue cannot be set from mtcp-perf');
  if (p.loss !== undefined) keys.set('eth0.impair.loss', String(p.loss));
  if (p.duplicate !== undefined) keys.set('eth0.impair.duplicate', String(p.duplicate));
  if (p.reorder !== undefined) keys.set('eth0.impair.reorder', String(p.reorder));
  if (p.corrupt !== undefined) keys.set('eth0.impair.corrupt', String(p.corrupt));
  if (p.delayMs !== undefined) keys.set('eth0.impair.delay', String(p.delayMs));
  if (p.jitterMs !== undefined) keys.set('eth0.impair.jitter', String(p.jitterMs));
  if (p.rateMbps !== undefined) keys.set('eth0.impair.rate', String(p.rateMbps));
  if (p.direction !== undefined) keys.set('eth0.impair.direction', p.direction);
  keys.set('eth0.impair.seed', String(seed >>> 0));
  return keys;
}

/** Runs server and client in this process; resolves with the client's result. */
export async function runLocal(local: LocalOptions, client: Omit<PerfClientOptions, 'serverIp'>, onServerLine: ((line: string) => void) | null): Promise<PerfClientResult> {
  const common = new Map<string, string>();
  if (local.cc !== undefined) common.set('cc', local.cc);
  if (local.mtu !== 1500) common.set('eth0.mtu', String(local.mtu));
  const serverConfig = configWith(local.serverConfig, common);
  // The impairment sits on the client's port, in both directions: one lossy link between the two hosts.
  const clientKeys = new Map(common);
  if (local.impair !== undefined) for (const [k, v] of impairmentKeys(local.impair, local.seed)) clientKeys.set(k, v);
  const clientConfig = configWith(local.clientConfig, clientKeys);
  const switches = new MemorySwitchRegistry();
  const sctx = await mtcp_create_context(0, { config: serverConfig, memorySwitches: switches, stats: false });
  if (sctx === null) throw new Error(`server context: ${strerror(mtcp_errno())}`);
  const cctx = await mtcp_create_context(0, { config: clientConfig, memorySwitches: switches, stats: false });
  if (cctx === null) {
    await mtcp_destroy_context(sctx);
    throw new Error(`client context: ${strerror(mtcp_errno())}`);
  }
  const server = startPerfServer(sctx, { port: client.port, onLine: onServerLine });
  try {
    return await runPerfClient(cctx, { ...client, serverIp: serverConfig.ports[0]!.ip });
  } finally {
    server.stop();
    await server.done;
    await Promise.all([mtcp_destroy_context(cctx), mtcp_destroy_context(sctx)]);
  }
}
