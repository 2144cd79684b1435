import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponseParser } from './response-parser.js';

const enc = new TextEncoder();

test('parses head and counts body across arbitrary splits', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789';
  const bytes = enc.encode(text);
  for (let split = 1; split < bytes.length; split++) {
    const p = new HttpResponseParser();
    let body = '';
    let used = p.feed(bytes, 0, split);
    body += new TextDecoder().decode(bytes.subarray(p.bodyOffset, p.bodyOffset + p.bodyLength));
    assert.equal(used, split);
    used = p.feed(bytes, split, bytes.length - split);
    body += new TextDecoder().decode(bytes.subarray(p.bodyOffset, p.bodyOffset + p.bodyLength));
    assert.equal(used, bytes.length - split);
    assert.equal(p.done, true);
    assert.equal(p.status, 200);
    assert.equal(p.contentLength, 10);
    assert.equal(p.bodyReceived, 10);
    assert.equal(body, '0123456789');
  }
});

test('extra bytes after the response are left unconsumed', () => {
  const bytes = enc.encode('HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\n\r\nabXYZ');
  const p = new HttpResponseParser();
  assert.equal(p.feed(bytes, 0, bytes.length), bytes.length - 3);
  assert.equal(p.done, true);
  assert.equal(p.status, 404);
});

test('close-delimited body completes at EOF; truncated body fails', () => {
  const p = new HttpResponseParser();
  const b = enc.encode('HTTP/1.0 200 OK\r\n\r\nabc');
  p.feed(b, 0, b.length);
  assert.equal(p.done, false);
  p.endOfStream();
  assert.equal(p.done, true);
  assert.equal(p.bodyReceived, 3);

  const q = new HttpResponseParser();
  const c = enc.encode('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nabc');
  q.feed(c, 0, c.length);
  q.endOfStream();
  assert.equal(q.failed, true);
  assert.equal(q.error, 'connection closed after 3 of 5 body bytes');

  const e = new HttpResponseParser();
  e.endOfStream();
  assert.equal(e.error, 'connection closed before any response');
});

test('refuses chunked, malformed status lines and oversized heads', () => {
  const p = new HttpResponseParser();
  const b = enc.encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
  p.feed(b, 0, b.length);
  assert.equal(p.failed, true);
  assert.match(p.error, /Transfer-Encoding "chunked" is not supported/);

  const q = new HttpResponseParser();
  const c = enc.encode('HTTP/1.1 OK\r\n\r\n');
  q.feed(c, 0, c.length);
  assert.equal(q.failed, true);

  const r = new HttpResponseParser(32);
  const d = enc.encode('HTTP/1.1 200 OK\r\nX: ' + 'a'.repeat(40));
  r.feed(d, 0, d.length);
  assert.equal(r.failed, true);
  assert.equal(r.error, 'response head longer than 32 bytes');
});

test('204 has no body; zero Content-Length completes at the head', () => {
  const p = new HttpResponseParser();
  const b = enc.encode('HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n');
  p.feed(b, 0, b.length);
  assert.equal(p.done, true);
  assert.equal(p.contentLength, 0);
});
