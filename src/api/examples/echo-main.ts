// Command line of the echo example, as an mTCP program is started:
//   node echo-main.js server -f mtcp.conf [-p PORT]
//   node echo-main.js client -f mtcp.conf -s SERVER_IP [-p PORT] [-n CONNECTIONS] [-c CONCURRENCY] [-b BYTES]
// The server runs until SIGINT (^C), then prints what it did. The client exits 0 only if every connection echoed
// its bytes exactly.

import { parseArgs } from 'node:util';
import {
  mtcp_init, mtcp_destroy, mtcp_create_context, mtcp_register_signal, mtcp_getconf, MtcpConf, SIGINT, mtcp_errno,
  strerror,
} from '../../index.js';
import { startEchoServer, runEchoClient } from './echo.js';

async function main(argv: string[]): Promise<number> {
  const role = argv[0];
  const { values } = parseArgs({
    args: argv.slice(1),
    options: {
      f: { type: 'string' }, p: { type: 'string', default: '7' }, s: { type: 'string' },
      n: { type: 'string', default: '1000' }, c: { type: 'string', default: '100' }, b: { type: 'string', default: '1000' },
    },
  });
  if ((role !== 'server' && role !== 'client') || values.f === undefined) {
    process.stderr.write('usage: echo-main.js server|client -f mtcp.conf [-p port] [-s server_ip] [-n conns] [-c concurrency] [-b bytes]\n');
    return 2;
  }
  if (mtcp_init(values.f) < 0) {
    process.stderr.write(`mtcp_init failed: ${strerror(mtcp_errno())}\n`);
    return 1;
  }
  const conf = new MtcpConf();
  mtcp_getconf(conf);
  const mctx = await mtcp_create_context(0, { stats: false });
  if (mctx === null) {
    process.stderr.write(`mtcp_create_context failed: ${strerror(mtcp_errno())}\n`);
    return 1;
  }
  const port = Number(values.p);
  if (role === 'server') {
    const server = startEchoServer(mctx, port);
    mtcp_register_signal(SIGINT, () => server.stop());
    process.stdout.write(`echo server listening on port ${port}\n`);
    const stats = await server.done;
    process.stdout.write(`accepted ${stats.accepted} closed ${stats.closed} bytes ${stats.bytes}\n`);
    await mtcp_destroy();
    return 0;
  }
  if (values.s === undefined) {
    process.stderr.write('client: -s SERVER_IP is required\n');
    return 2;
  }
  const stats = await runEchoClient(mctx, values.s, port, {
    connections: Number(values.n), concurrency: Number(values.c), bytesPerConnection: Number(values.b),
  });
  process.stdout.write(`completed ${stats.completed} failed ${stats.failed} bytes ${stats.bytes}\n`);
  for (const e of stats.errors) process.stdout.write(`error: ${e}\n`);
  await mtcp_destroy();
  return stats.failed === 0 && stats.completed === Number(values.n) ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
