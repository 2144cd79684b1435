import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest, HttpRequestParser, PARSE_ERROR, PARSE_INCOMPLETE } from './request.js';

const enc = new TextEncoder();

function parseAll(text: string): { r: number; req: HttpRequest } {
  const bytes = enc.encode(text);
  const req = new HttpRequest();
  const r = new HttpRequestParser().parse(bytes, 0, bytes.length, req);
  return { r, req };
}

test('parses a complete HTTP/1.1 GET', () => {
  const text = 'GET /a/b.html?x=1 HTTP/1.1\r\nHost: 10.0.0.1\r\nUser-Agent: t\r\n\r\n';
  const { r, req } = parseAll(text);
  assert.equal(r, text.length);
  assert.equal(req.method, 'GET');
  assert.equal(req.target, '/a/b.html?x=1');
  assert.equal(req.versionMinor, 1);
  assert.equal(req.keepAlive, true);
  assert.equal(req.host, '10.0.0.1');
  assert.equal(req.contentLength, 0);
});

test('keep-alive rules of RFC 9112 §9.3', () => {
  assert.equal(parseAll('GET / HTTP/1.0\r\n\r\n').req.keepAlive, false);
  assert.equal(parseAll('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').req.keepAlive, true);
  assert.equal(parseAll('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n').req.keepAlive, false);
  assert.equal(parseAll('GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n').req.keepAlive, false);
  assert.equal(parseAll('HEAD / HTTP/1.1\r\nHost: h\r\n\r\n').req.keepAlive, true);
});

test('byte-at-a-time delivery completes exactly at the empty line', () => {
  const text = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\n';
  const bytes = enc.encode(text);
  const parser = new HttpRequestParser();
  const req = new HttpRequest();
  let result = PARSE_INCOMPLETE;
  let fed = 0;
  for (fed = 1; fed <= bytes.length; fed++) {
    result = parser.parse(bytes, 0, fed, req);
    if (result !== PARSE_INCOMPLETE) break;
  }
  assert.equal(result, 28);
  assert.equal(fed, 28);
  assert.equal(req.target, '/x');
  parser.reset();
  // The pipelined second request is incomplete.
  assert.equal(parser.parse(bytes, 28, bytes.length - 28, req), PARSE_INCOMPLETE);
});

test('bare LF line endings and leading empty lines are accepted', () => {
  const { r, req } = parseAll('\r\nGET /lf HTTP/1.0\nX: y\n\n');
  assert.equal(r, 2 + 'GET /lf HTTP/1.0\nX: y\n\n'.length);
  assert.equal(req.target, '/lf');
});

test('Content-Length of a request body is reported for discarding', () => {
  const { r, req } = parseAll('GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello');
  assert.equal(r, 'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n'.length);
  assert.equal(req.contentLength, 5);
  assert.equal(parseAll('GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n').req.contentLength, 5);
});

test('malformed requests are refused with the right status', () => {
  const cases: Array<[string, number]> = [
    ['GET /\r\n\r\n', 400],
    ['GET  / HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    ['G(T / HTTP/1.1\r\nHost: h\r\n\r\n', 400],
    ['GET / HTTP/2.0\r\nHost: h\r\n\r\n', 505],
    ['GET / HTTX/1.1\r\nHost: h\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost : h\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\n', 400],
    ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n', 501],
    ['GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n', 400],
  ];
  for (const [text, status] of cases) {
    const { r, req } = parseAll(text);
    assert.equal(r, PARSE_ERROR, JSON.stringify(text));
    assert.equal(req.errorStatus, status, JSON.stringify(text));
  }
});

test('a head larger than the limit gets 431, complete or not', () => {
  const parser = new HttpRequestParser(64);
  const req = new HttpRequest();
  const long = enc.encode('GET / HTTP/1.1\r\nHost: h\r\nX: ' + 'a'.repeat(100));
  assert.equal(parser.parse(long, 0, long.length, req), PARSE_ERROR);
  assert.equal(req.errorStatus, 431);
  const full = enc.encode('GET / HTTP/1.1\r\nHost: h\r\nX: ' + 'a'.repeat(100) + '\r\n\r\n');
  assert.equal(new HttpRequestParser(64).parse(full, 0, full.length, req), PARSE_ERROR);
  assert.equal(req.errorStatus, 431);
});

test('parses at a non-zero offset', () => {
  const bytes = enc.encode('xxxxGET /off HTTP/1.0\r\n\r\n');
  const req = new HttpRequest();
  assert.equal(new HttpRequestParser().parse(bytes, 4, bytes.length - 4, req), bytes.length - 4);
  assert.equal(req.target, '/off');
});
