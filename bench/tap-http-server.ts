// The kernel-side web server of the TAP suite: Node's `http` serving a folder, the way epserver does (files up
// to 1 MiB cached in memory at start, larger ones streamed from disk; GET and HEAD; 404 otherwise).
// Run: node dist/bench/tap-http-server.js WWW_DIR HOST PORT   -> prints "ready HOST:PORT" once listening.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE_LIMIT = 1 << 20;

interface ServedFile {
  size: number;
  /** The bytes when cached, else null (streamed from `file`). */
  data: Buffer | null;
  file: string;
  type: string;
}

function contentType(name: string): string {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'text/html';
  if (ext === '.txt') return 'text/plain';
  return 'application/octet-stream';
}

/** Every regular file directly in `dir`, keyed by its URL path ("/index.html"). */
export function loadFiles(dir: string): Map<string, ServedFile> {
  const files = new Map<string, ServedFile>();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    if (!st.isFile()) continue;
    files.set(`/${name}`, { size: st.size, data: st.size <= CACHE_LIMIT ? fs.readFileSync(file) : null, file, type: contentType(name) });
  }
  return files;
}

/** Starts the server; resolves with the port it listens on (port 0 picks one). */
export function startStaticServer(dir: string, host: string, port: number): Promise<{ server: http.Server; port: number }> {
  const files = loadFiles(dir);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const f = files.get(url === '/' ? '/index.html' : url);
    if (f === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(f === undefined ? 404 : 501, { 'Content-Length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': f.type, 'Content-Length': String(f.size) });
    if (req.method === 'HEAD') res.end();
    else if (f.data !== null) res.end(f.data);
    else fs.createReadStream(f.file).pipe(res);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr !== null ? addr.port : port });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, host, port] = process.argv.slice(2);
  if (dir === undefined || host === undefined || port === undefined) {
    process.stderr.write('usage: tap-http-server WWW_DIR HOST PORT\n');
    process.exit(2);
  }
  const { port: bound } = await startStaticServer(dir, host, Number(port));
  process.stdout.write(`ready ${host}:${bound}\n`);
}
