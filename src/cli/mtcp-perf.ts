// mtcp-perf command line (see PERF_USAGE): server, client, or --local (both in one process on the memory link).
// The last line says whether the data matched; the exit status says the same (0 = matched).

import { PERF_USAGE, parsePerfArgs, type PerfArgs } from './args.js';
import { mtcp_destroy, onSigint, startMtcp, usageExit } from './common.js';
import { parseIpv4 } from '../apps/url.js';
import { startPerfServer } from '../apps/perf/server.js';
import { runPerfClient, type PerfClientOptions } from '../apps/perf/client.js';
import { runLocal } from '../apps/perf/local.js';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function clientOptions(a: PerfArgs): Omit<PerfClientOptions, 'serverIp'> {
  return {
    port: a.port, mode: a.mode, bytes: a.bytes, durationSec: a.durationSec, up: a.up, down: a.down,
    requestSize: a.requestSize, responseSize: a.responseSize, connections: a.connections,
    transactions: a.transactions, seed: a.seed, intervalSec: a.intervalSec, onLine: print,
  };
}

function describe(a: PerfArgs): string {
  const limit = [a.bytes > 0 ? `${a.bytes} bytes` : '', a.durationSec > 0 ? `${a.durationSec} s` : '', a.transactions > 0 ? `${a.transactions} transactions` : ''].filter((x) => x !== '').join(' or ');
  const dir = a.mode === 'bulk' ? ` ${a.up && a.down ? 'both directions' : a.up ? 'up (client to server)' : 'down (server to client)'}` : ` ${a.requestSize}/${a.responseSize} B, ${a.connections} connection(s)`;
  return `mtcp-perf ${a.mode}${dir}, ${limit}, seed ${a.seed}`;
}

async function main(): Promise<void> {
  let a: PerfArgs;
  try {
    a = parsePerfArgs(process.argv.slice(2));
  } catch (e) {
    usageExit(e, PERF_USAGE);
  }
  if (a.help) {
    print(PERF_USAGE);
    return;
  }
  if (a.role === 'local') {
    print(`${describe(a)}; local memory link, MTU ${a.mtu}, cc ${a.cc ?? 'from config (cubic)'}${a.impair !== undefined ? `, impair ${a.impair}` : ''}`);
    let result;
    try {
      result = await runLocal(
        { serverConfig: 'config/apps/memory-server.conf', clientConfig: 'config/apps/memory-client.conf', impair: a.impair, seed: a.seed, cc: a.cc, mtu: a.mtu },
        clientOptions(a),
        (line) => process.stderr.write(`${line}\n`),
      );
    } catch (e) {
      process.stderr.write(`mtcp-perf: ${(e as Error).message}\n`);
      process.exit(1);
    }
    for (const line of result.summary) print(line);
    process.exit(result.matched ? 0 : 1);
  }
  const [ctx] = await startMtcp(a.configFile!, 1);
  if (a.role === 'server') {
    let server;
    try {
      server = startPerfServer(ctx!, { port: a.port, onLine: print });
    } catch (e) {
      process.stderr.write(`mtcp-perf: ${(e as Error).message}\n`);
      await mtcp_destroy();
      process.exit(1);
    }
    print(`mtcp-perf server listening on port ${a.port}; ^C stops`);
    onSigint(() => server.stop());
    const t = await server.done;
    await mtcp_destroy();
    print(`server: ${t.connections} connections, ${t.matched} matched, ${t.failed} failed`);
    process.exit(t.failed === 0 ? 0 : 1);
  }
  const ip = parseIpv4(a.host);
  if (ip < 0) {
    process.stderr.write(`mtcp-perf: HOST must be a dotted IPv4 address, got "${a.host}"\n`);
    await mtcp_destroy();
    process.exit(2);
  }
  print(describe(a));
  let result;
  try {
    result = await runPerfClient(ctx!, { ...clientOptions(a), serverIp: ip });
  } catch (e) {
    process.stderr.write(`mtcp-perf: ${(e as Error).message}\n`);
    await mtcp_destroy();
    process.exit(1);
  }
  await mtcp_destroy();
  for (const line of result.summary) print(line);
  process.exit(result.matched ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`mtcp-perf: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
