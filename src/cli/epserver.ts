// epserver command line: `epserver -p WWW_DIR -f CONF [-N CORES] [-c CORE_ID] [-b BACKLOG] [--port 80]`.
// Serves WWW_DIR until ^C; prints one statistics line per second per core (stdout).

import { EPSERVER_USAGE, parseEpserverArgs } from './args.js';
import { mtcp_destroy, onSigint, startMtcp, usageExit } from './common.js';
import { startEpserver, type Epserver } from '../apps/epserver.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseEpserverArgs(process.argv.slice(2));
  } catch (e) {
    usageExit(e, EPSERVER_USAGE);
  }
  if (args.help) {
    process.stdout.write(`${EPSERVER_USAGE}\n`);
    return;
  }
  if (args.coreId !== undefined) {
    process.stderr.write('-c CORE_ID (mTCP multi-process mode) is not supported: run one process per host over io = udp or tap\n');
    process.exit(2);
  }
  const contexts = await startMtcp(args.configFile, args.cores, (conf) => {
    // mTCP issue #136: the backlog may not exceed max_concurrency.
    if (args.backlog > conf.max_concurrency) conf.max_concurrency = args.backlog;
  });
  const servers: Epserver[] = [];
  try {
    contexts.forEach((ctx, core) => {
      servers.push(startEpserver(ctx, {
        wwwDir: args.wwwDir, port: args.port, backlog: args.backlog, core,
        onStats: (line) => process.stdout.write(`${line}\n`),
      }));
    });
  } catch (e) {
    process.stderr.write(`epserver: ${(e as Error).message}\n`);
    await mtcp_destroy();
    process.exit(1);
  }
  process.stdout.write(`epserver: serving ${args.wwwDir} on port ${args.port} (${contexts.length} core${contexts.length > 1 ? 's' : ''}); ^C stops\n`);
  onSigint(() => {
    for (const s of servers) s.stop();
  });
  const totals = await Promise.all(servers.map((s) => s.done));
  await mtcp_destroy();
  for (const [core, t] of totals.entries()) {
    process.stdout.write(`[CPU${String(core).padStart(2)}] accepted ${t.accepted}, requests ${t.requests} (2xx ${t.responses2xx}, 404 ${t.notFound}, 4xx/5xx other ${t.badRequests + t.otherErrors}), ${t.txBytes} bytes sent\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`epserver: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
