import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentRoot, RESOLVE_BAD_REQUEST, RESOLVE_NOT_FOUND, normaliseTargetPath } from './path.js';

test('normalises targets and refuses escapes', () => {
  assert.equal(normaliseTargetPath('/'), '/');
  assert.equal(normaliseTargetPath('/a/./b//c?q=1#f'), '/a/b/c');
  assert.equal(normaliseTargetPath('/a/b/../c'), '/a/c');
  assert.equal(normaliseTargetPath('/a%20b'), '/a b');
  assert.equal(normaliseTargetPath('/dir/'), '/dir/');
  assert.equal(normaliseTargetPath('/../etc/passwd'), null);
  assert.equal(normaliseTargetPath('/a/../../etc'), null);
  assert.equal(normaliseTargetPath('/%2e%2e/etc'), null);
  assert.equal(normaliseTargetPath('/a%00b'), null);
  assert.equal(normaliseTargetPath('/a%5c..%5cb'), null);
  assert.equal(normaliseTargetPath('/%zz'), null);
  assert.equal(normaliseTargetPath('http://h/x'), '/x');
  assert.equal(normaliseTargetPath('HTTP://10.0.0.2:80'), '/');
  assert.equal(normaliseTargetPath('http://h/../x'), null);
  assert.equal(normaliseTargetPath('ftp://h/x'), null);
  assert.equal(normaliseTargetPath('*'), null);
});

test('resolves files inside the root only', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mtcp-apps-path-'));
  try {
    const root = path.join(base, 'www');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), 'i');
    fs.writeFileSync(path.join(root, 'sub', 'f.txt'), 'f');
    fs.writeFileSync(path.join(base, 'secret'), 's');
    fs.symlinkSync(path.join(base, 'secret'), path.join(root, 'link-out'));
    fs.symlinkSync(path.join(root, 'sub', 'f.txt'), path.join(root, 'link-in'));
    const docs = new DocumentRoot(root);
    const real = fs.realpathSync(root);
    assert.equal(docs.resolve('/'), path.join(real, 'index.html'));
    assert.equal(docs.resolve('/sub/f.txt'), path.join(real, 'sub', 'f.txt'));
    assert.equal(docs.resolve('/link-in'), path.join(real, 'sub', 'f.txt'));
    assert.equal(docs.resolve('/link-out'), RESOLVE_NOT_FOUND);
    assert.equal(docs.resolve('/sub'), RESOLVE_NOT_FOUND); // directory without index.html
    assert.equal(docs.resolve('/missing'), RESOLVE_NOT_FOUND);
    assert.equal(docs.resolve('/../secret'), RESOLVE_BAD_REQUEST);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
