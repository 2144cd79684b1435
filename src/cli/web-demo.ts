// `npm start`: epserver and epwget in one process, two hosts on the in-process memory link (10.0.0.2 serves,
// 10.0.0.1 fetches). A generated file is fetched many times; both apps print their per-second lines and
// epwget its summary. Exit status 0 when every request completed byte-exact.
//   node dist/src/cli/web-demo.js [REQUESTS] [-c CONCURRENCY] [--size BYTES]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MemorySwitchRegistry, loadMtcpConfig, mtcp_create_context, mtcp_destroy_context, mtcp_errno, strerror } from '../index.js';
import { startEpserver } from '../apps/epserver.js';
import { formatEpwgetSummary, runEpwget } from '../apps/epwget.js';
import { parseTargetUrl } from '../apps/url.js';
import { parseSize } from '../apps/perf/protocol.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2), allowPositionals: true,
    options: { c: { type: 'string' }, size: { type: 'string' } },
  });
  const requests = positionals[0] !== undefined ? Number(positionals[0]) : 50000;
  const concurrency = values.c !== undefined ? Number(values.c) : 64;
  const size = values.size !== undefined ? parseSize(values.size) : 8192;
  if (!(requests >= 1) || !(concurrency >= 1) || !(size >= 0)) {
    process.stderr.write('usage: web-demo [REQUESTS] [-c CONCURRENCY] [--size BYTES]\n');
    process.exit(2);
  }

  // The document root: a generated file, so every response can be checked against a known length.
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-ts-demo-'));
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = 0x20 + ((i * 7) % 95);
  fs.writeFileSync(path.join(www, 'demo.txt'), body);
  fs.writeFileSync(path.join(www, 'index.html'), '<h1>mtcp-ts</h1>\n');

  const switches = new MemorySwitchRegistry();
  const serverConfig = loadMtcpConfig('config/apps/memory-server.conf');
  const clientConfig = loadMtcpConfig('config/apps/memory-client.conf');
  const sctx = await mtcp_create_context(0, { config: serverConfig, memorySwitches: switches, stats: false });
  const cctx = await mtcp_create_context(0, { config: clientConfig, memorySwitches: switches, stats: false });
  if (sctx === null || cctx === null) {
    process.stderr.write(`web-demo: mtcp_create_context failed: ${strerror(mtcp_errno())}\n`);
    process.exit(1);
  }
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out(`web-demo: epserver on 10.0.0.2:80 serving ${www}; epwget on 10.0.0.1 fetches /demo.txt (${size} B) ${requests} times, ${concurrency} connections at a time, over the memory link`);
  const server = startEpserver(sctx, { wwwDir: www, port: 80, backlog: 4096, onStats: (l) => out(`server  ${l}`) });
  let ok = false;
  try {
    const result = await runEpwget(cctx, {
      url: parseTargetUrl('10.0.0.2/demo.txt'), requests, concurrency,
      onProgress: (l) => out(`client  ${l}`), requestTimeoutMs: 10000,
    });
    for (const line of formatEpwgetSummary(result)) out(line);
    ok = result.ok && result.responseSize === size;
    if (result.responseSize !== size && result.completed > 0) out(`web-demo: responses carried ${result.responseSize} bytes, expected ${size}`);
  } finally {
    server.stop();
    const t = await server.done;
    out(`server  served ${t.requests} requests (${t.responses2xx} OK, ${t.notFound} not found), ${t.txBytes} bytes`);
    await Promise.all([mtcp_destroy_context(cctx), mtcp_destroy_context(sctx)]);
    fs.rmSync(www, { recursive: true, force: true });
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`web-demo: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
