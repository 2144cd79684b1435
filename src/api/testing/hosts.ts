// Test helpers: two independent hosts in one process on a private memory switch (the documented way: each context
// gets its own configuration through mtcp_create_context's options).

import { parseMtcpConfig, type MtcpConfig } from '../../config/mtcp-config.js';
import { MemorySwitchRegistry } from '../../core/context.js';
import { mtcp_create_context, mtcp_destroy_context } from '../lifecycle.js';
import type { MtcpContext } from '../context.js';

export function hostConfig(ip: string, mac: string, extra = ''): MtcpConfig {
  const text = [
    'io = memory', 'num_cores = 1', 'max_concurrency = 4096', 'max_num_buffers = 4096', 'rcvbuf = 16384', 'sndbuf = 16384',
    'tcp_timeout = 30', 'tcp_timewait = 0', 'port = eth0', `eth0.ip = ${ip}/24`, `eth0.mac = ${mac}`, extra,
  ].join('\n');
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
