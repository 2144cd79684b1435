// Two hosts in one process over the in-memory switch, after `npm run build`:
//   node examples/echo-local.mjs [CONNECTIONS] [BYTES]
// Each host is a context with its own configuration (config/memory-server.conf = 10.0.0.2,
// config/memory-client.conf = 10.0.0.1); their ports are both named eth0, so they join the same switch.
import { mtcp_create_context, mtcp_destroy, strerror, mtcp_errno } from '../dist/src/index.js';
import { startEchoServer, runEchoClient } from '../dist/src/api/examples/echo.js';

const connections = Number(process.argv[2] ?? 1000);
const bytes = Number(process.argv[3] ?? 1000);
const server = await mtcp_create_context(0, { config: 'config/memory-server.conf', stats: false });
const client = await mtcp_create_context(0, { config: 'config/memory-client.conf', stats: false });
if (server === null || client === null) {
  console.error(`mtcp_create_context failed: ${strerror(mtcp_errno())}`);
  process.exit(1);
}
const echo = startEchoServer(server, 7);
const t0 = performance.now();
const stats = await runEchoClient(client, '10.0.0.2', 7, { connections, concurrency: 100, bytesPerConnection: bytes });
const seconds = (performance.now() - t0) / 1000;
echo.stop();
await echo.done;
await mtcp_destroy();
console.log(`completed ${stats.completed} failed ${stats.failed} bytes ${stats.bytes} in ${seconds.toFixed(2)} s`);
for (const e of stats.errors) console.log(`error: ${e}`);
process.exitCode = stats.failed === 0 && stats.completed === connections ? 0 : 1;
