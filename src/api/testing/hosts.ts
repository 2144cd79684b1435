// Test helpers: two independent hosts in one process on a private memory switch (the documented way: each context
// gets its own configuration through mtcp_create_context's options).

import { parseMtcpConfig, type MtcpConfig } from '../../config/mtcp-config.js';
import { MemorySwitchRegistry } from '../../core/context.js';
import { mtcp_create_context, mtcp_destroy_context } from '../lifecycle.js';
import type { MtcpContext } from '../context.js';
import {
  AF_INET, SOCK_STREAM, SOCKADDR_IN_SIZE,
} from '../constants.js';
import { htons, inet_addr } from '../byte-order.js';
import { SockaddrIn } from '../sockaddr.js';
import { mtcp_socket, mtcp_bind, mtcp_listen, mtcp_accept, mtcp_connect } from '../sockets.js';
import { mtcp_errno } from '../context.js';
import { EINPROGRESS } from '../errno.js';
import { TcpState } from '../../tcp/connection.js';

/** A memory-link host config; `extra` lines ("key = value") replace the defaults of the same key. */
export function hostConfig(ip: string, mac: string, extra = ''): MtcpConfig {
  const keys = new Map<string, string>([
    ['io', 'memory'], ['num_cores', '1'], ['max_concurrency', '4096'], ['max_num_buffers', '4096'], ['rcvbuf', '16384'],
    ['sndbuf', '16384'], ['tcp_timeout', '30'], ['tcp_timewait', '0'], ['port', 'eth0'], ['eth0.ip', `${ip}/24`],
    ['eth0.mac', mac],
  ]);
  for (const line of extra.split('\n')) {
    const m = /^\s*([^\s=]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m !== null) keys.set(m[1], m[2]);
  }
  const text = [...keys].map(([k, v]) => `${k} = ${v}`).join('\n');
  return parseMtcpConfig(text, `test-${ip}.conf`);
}

export interface HostPair {
  client: MtcpContext;
  server: MtcpContext;
  close(): Promise<void>;
}

/** Client 10.0.0.1 and server 10.0.0.2 on one fresh memory switch. */
export async function twoHosts(extra = '', serverExtra = extra): Promise<HostPair> {
  const switches = new MemorySwitchRegistry();
  const server = await mtcp_create_context(0, { config: hostConfig('10.0.0.2', '02:00:00:00:00:02', serverExtra), memorySwitches: switches, stats: false });
  const client = await mtcp_create_context(0, { config: hostConfig('10.0.0.1', '02:00:00:00:00:01', extra), memorySwitches: switches, stats: false });
  if (server === null || client === null) throw new Error('context creation failed');
  return {
    client,
    server,
    close: async () => {
      await Promise.all([mtcp_destroy_context(client), mtcp_destroy_context(server)]);
    },
  };
}

/** Waits (letting the stacks run) until `cond` holds; throws after `ms` milliseconds. */
export async function waitFor(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const until = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 1));
  }
}

/** A listening socket on `port` of the server host. */
export function listenOn(ctx: MtcpContext, port: number, ip = 0): number {
  const s = mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw new Error(`socket: errno ${mtcp_errno(ctx)}`);
  if (mtcp_bind(ctx, s, new SockaddrIn(AF_INET, htons(port), ip), SOCKADDR_IN_SIZE) < 0) throw new Error(`bind: errno ${mtcp_errno(ctx)}`);
  if (mtcp_listen(ctx, s, Math.min(128, ctx.sockets.capacity)) < 0) throw new Error(`listen: errno ${mtcp_errno(ctx)}`);
  return s;
}

/** Address of the test server 10.0.0.2:port. */
export function serverAddr(port: number, ip = '10.0.0.2'): SockaddrIn {
  return new SockaddrIn(AF_INET, htons(port), inet_addr(ip));
}

/** Starts a connect from the client host; returns the socket id (the connect is in progress). */
export function startConnect(ctx: MtcpContext, port: number, ip = '10.0.0.2'): number {
  const s = mtcp_socket(ctx, AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw new Error(`socket: errno ${mtcp_errno(ctx)}`);
  const r = mtcp_connect(ctx, s, serverAddr(port, ip), SOCKADDR_IN_SIZE);
  if (r !== -1 || mtcp_errno(ctx) !== EINPROGRESS) throw new Error(`connect: ${r} errno ${mtcp_errno(ctx)}`);
  return s;
}

/** An established pair: client socket `c`, accepted server socket `a`, listener `l`. */
export async function connectedPair(hosts: HostPair, port: number): Promise<{ l: number; c: number; a: number }> {
  const l = listenOn(hosts.server, port);
  const c = startConnect(hosts.client, port);
  let a = -1;
  await waitFor(() => {
    if (a < 0) a = mtcp_accept(hosts.server, l, null, null);
    const conn = hosts.client.sockets.get(c)?.conn;
    return a >= 0 && conn !== undefined && conn !== null && conn.state === TcpState.ESTABLISHED;
  }, 3000, 'connection');
  return { l, c, a };
}

