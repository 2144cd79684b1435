import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startStaticServer } from './tap-http-server.js';

function get(port: number, urlPath: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('the kernel-side static server: cached page, streamed large file, HEAD, 404, 501', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapbench-www-'));
  const page = Buffer.from('<p>hello</p>\n');
  const large = Buffer.alloc((1 << 20) + 4097);
  for (let i = 0; i < large.length; i++) large[i] = (i * 7) & 0xff;
  fs.writeFileSync(path.join(dir, 'index.html'), page);
  fs.writeFileSync(path.join(dir, 'large.bin'), large);
  const { server, port } = await startStaticServer(dir, '127.0.0.1', 0);
  try {
    const a = await get(port, '/index.html');
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'text/html');
    assert.equal(a.headers['content-length'], '13');
    assert.deepEqual(a.body, page);
    const root = await get(port, '/');
    assert.deepEqual(root.body, page);
    const b = await get(port, '/large.bin');
    assert.equal(b.status, 200);
    assert.equal(b.headers['content-length'], String(large.length));
    assert.equal(b.body.length, large.length);
    assert.ok(b.body.equals(large));
    const h = await get(port, '/large.bin', 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(h.headers['content-length'], String(large.length));
    assert.equal(h.body.length, 0);
    assert.equal((await get(port, '/missing.html')).status, 404);
    assert.equal((await get(port, '/../index.html')).status, 404);
    assert.equal((await get(port, '/index.html', 'DELETE')).status, 501);
  } finally {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
