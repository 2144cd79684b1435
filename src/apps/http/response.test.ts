import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpDateCache, errorBody, reasonPhrase, writeResponseHead } from './response.js';
import { contentTypeFor } from './mime.js';

test('writes an exact response head', () => {
  const out = new Uint8Array(512);
  const n = writeResponseHead(out, 0, 200, 1234, 'text/html; charset=utf-8', true, 'Sun, 06 Nov 1994 08:49:37 GMT');
  const text = new TextDecoder().decode(out.subarray(0, n));
  assert.equal(
    text,
    'HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: mtcp-ts epserver\r\n' +
      'Content-Type: text/html; charset=utf-8\r\nContent-Length: 1234\r\nConnection: keep-alive\r\n\r\n',
  );
});

test('501 carries Allow, close is stated, too-small buffer returns -1', () => {
  const out = new Uint8Array(512);
  const n = writeResponseHead(out, 10, 501, 0, null, false, 'D');
  const text = new TextDecoder().decode(out.subarray(10, 10 + n));
  assert.equal(text, 'HTTP/1.1 501 Not Implemented\r\nDate: D\r\nServer: mtcp-ts epserver\r\nContent-Length: 0\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n');
  assert.equal(writeResponseHead(new Uint8Array(20), 0, 200, 1, null, true, 'D'), -1);
});

test('date cache gives IMF-fixdate and changes with the second', () => {
  const c = new HttpDateCache();
  assert.equal(c.get(784111777000), 'Sun, 06 Nov 1994 08:49:37 GMT');
  assert.equal(c.get(784111777999), 'Sun, 06 Nov 1994 08:49:37 GMT');
  assert.equal(c.get(784111778000), 'Sun, 06 Nov 1994 08:49:38 GMT');
});

test('reason phrases, error bodies and MIME types', () => {
  assert.equal(reasonPhrase(404), 'Not Found');
  assert.equal(reasonPhrase(299), 'Unknown');
  assert.equal(new TextDecoder().decode(errorBody(400)), '400 Bad Request\n');
  assert.equal(contentTypeFor('/x/index.HTML'), 'text/html; charset=utf-8');
  assert.equal(contentTypeFor('/a.png'), 'image/png');
  assert.equal(contentTypeFor('/noext'), 'application/octet-stream');
  assert.equal(contentTypeFor('/dir.d/file'), 'application/octet-stream');
  assert.equal(contentTypeFor('/.hidden'), 'application/octet-stream');
  assert.equal(contentTypeFor('/a.unknownext'), 'application/octet-stream');
});
