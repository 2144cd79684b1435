// epserver and epwget over the memory link: two hosts in one process (10.0.0.1 client, 10.0.0.2 server).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { mctx_t } from '../index.js';
import { patternFile, rawExchange as rawTo, splitResponse } from './testing/raw-http.js';
import { twoHosts } from '../api/testing/hosts.js';
import { startEpserver } from './epserver.js';
import { runEpwget } from './epwget.js';
import { parseTargetUrl } from './url.js';

const BIG = 'rcvbuf = 262144\nsndbuf = 262144';

function rawExchange(ctx: mctx_t, port: number, request: string, stopAfter = Infinity, timeoutMs = 30000): Promise<Buffer> {
  return rawTo(ctx, '10.0.0.2', port, request, stopAfter, timeoutMs);
}

function makeWww(): { dir: string; big: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-www-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<h1>hello</h1>\n');
  fs.writeFileSync(path.join(dir, 'small.txt'), 'small file\n');
  const big = patternFile(50 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, 'big.bin'), big);
  return { dir, big };
}

test('epserver answers curl-like requests byte-exact over the memory link', async () => {
  const www = makeWww();
  const hosts = await twoHosts(BIG);
  const server = startEpserver(hosts.server, { wwwDir: www.dir, port: 80, backlog: 128, onStats: null });
  try {
    // HTTP/1.0 GET: whole response then close.
    const a = splitResponse(await rawExchange(hosts.client, 80, 'GET /index.html HTTP/1.0\r\n\r\n'));
    assert.match(a.head, /^HTTP\/1\.1 200 OK\r\nDate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\nServer: mtcp-ts epserver\r\nContent-Type: text\/html; charset=utf-8\r\nContent-Length: 15\r\nConnection: close\r\n\r\n$/);
    assert.equal(a.body.toString(), '<h1>hello</h1>\n');

    // Directory -> index.html; HEAD has no body.
    const h = splitResponse(await rawExchange(hosts.client, 80, 'HEAD / HTTP/1.0\r\n\r\n'));
    assert.match(h.head, /Content-Length: 15\r\n/);
    assert.equal(h.body.length, 0);

    // 404 and 400, and an escape attempt.
    const nf = splitResponse(await rawExchange(hosts.client, 80, 'GET /nope HTTP/1.0\r\n\r\n'));
    assert.match(nf.head, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.equal(nf.body.toString(), '404 Not Found\n');
    const bad = splitResponse(await rawExchange(hosts.client, 80, 'GARBAGE\r\n\r\n'));
    assert.match(bad.head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(bad.head, /Connection: close\r\n/);
    const esc = splitResponse(await rawExchange(hosts.client, 80, 'GET /../../etc/passwd HTTP/1.0\r\n\r\n'));
    assert.match(esc.head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const post = splitResponse(await rawExchange(hosts.client, 80, 'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n'));
    assert.match(post.head, /^HTTP\/1\.1 501 Not Implemented\r\n/);

    // HTTP/1.1 keep-alive: three pipelined requests on one connection, the last one closes.
    const pipelined =
      'GET /small.txt HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n' +
      'GET /missing HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n' +
      'GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\nConnection: close\r\n\r\n';
    const ka = (await rawExchange(hosts.client, 80, pipelined)).toString('latin1');
    const parts = ka.split(/(?=HTTP\/1\.1 )/);
    assert.equal(parts.length, 3);
    assert.match(parts[0]!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 11\r\nConnection: keep-alive\r\n\r\nsmall file\n$/);
    assert.match(parts[1]!, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Connection: keep-alive\r\n\r\n404 Not Found\n$/);
    assert.match(parts[2]!, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n\r\n<h1>hello<\/h1>\n$/);

    // 50 MiB streamed through the send buffer, byte-exact.
    const big = splitResponse(await rawExchange(hosts.client, 80, 'GET /big.bin HTTP/1.0\r\n\r\n', Infinity, 120000));
    assert.match(big.head, /Content-Type: application\/octet-stream\r\nContent-Length: 52428800\r\n/);
    assert.equal(big.body.length, www.big.length);
    assert.equal(createHash('sha256').update(big.body).digest('hex'), createHash('sha256').update(www.big).digest('hex'));
    assert.ok(server.totals.notFound >= 2);
  } finally {
    server.stop();
    await server.done;
    await hosts.close();
    fs.rmSync(www.dir, { recursive: true, force: true });
  }
});

test('files above the cache limit are streamed from disk in chunks, byte-exact, and HEAD opens nothing', async () => {
  const www = makeWww();
  const hosts = await twoHosts(BIG);
  const server = startEpserver(hosts.server, { wwwDir: www.dir, port: 80, backlog: 128, onStats: null, cacheFileLimit: 1024 });
  try {
    const head = splitResponse(await rawExchange(hosts.client, 80, 'HEAD /big.bin HTTP/1.0\r\n\r\n'));
    assert.match(head.head, /Content-Length: 52428800\r\n/);
    assert.equal(head.body.length, 0);
    const ka = (await rawExchange(hosts.client, 80, 'GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', Infinity, 120000));
    const first = splitResponse(ka);
    assert.equal(first.body.subarray(0, 11).toString(), 'small file\n');
    const second = splitResponse(first.body.subarray(11));
    assert.match(second.head, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 52428800\r\nConnection: close\r\n\r\n$/);
    assert.equal(createHash('sha256').update(second.body).digest('hex'), createHash('sha256').update(www.big).digest('hex'));
  } finally {
    server.stop();
    await server.done;
    await hosts.close();
    fs.rmSync(www.dir, { recursive: true, force: true });
  }
});

test('epwget completes every request against epserver and counts 404s and a missing server as errors', async () => {
  const www = makeWww();
  const hosts = await twoHosts(BIG);
  const server = startEpserver(hosts.server, { wwwDir: www.dir, port: 80, backlog: 1024, onStats: null });
  try {
    const ok = await runEpwget(hosts.client, { url: parseTargetUrl('10.0.0.2/small.txt'), requests: 500, concurrency: 32, onProgress: null });
    assert.equal(ok.completed, 500);
    assert.equal(ok.errors, 0);
    assert.equal(ok.ok, true);
    assert.equal(ok.responseSize, 11);
    assert.equal(ok.bodyBytes, 500 * 11);

    const nf = await runEpwget(hosts.client, { url: parseTargetUrl('http://10.0.0.2/absent.html'), requests: 20, concurrency: 5, onProgress: null });
    assert.equal(nf.completed, 0);
    assert.equal(nf.errors, 20);
    assert.deepEqual(nf.reasons, { 'status 404': 20 });
    assert.equal(nf.ok, false);

    // Nobody listens on port 81: every connection is refused (RST), each counted once.
    const down = await runEpwget(hosts.client, { url: parseTargetUrl('10.0.0.2:81/small.txt'), requests: 10, concurrency: 4, onProgress: null });
    assert.equal(down.completed, 0);
    assert.equal(down.errors, 10);
    assert.deepEqual(down.reasons, { 'connection: ECONNREFUSED': 10 });
  } finally {
    server.stop();
    await server.done;
    await hosts.close();
    fs.rmSync(www.dir, { recursive: true, force: true });
  }
});
