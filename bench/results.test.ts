import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatTable, makeRecord, median, renderSvg, writeResults } from './results.js';

test('median of odd and even run counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), null);
});

test('records, table and files', () => {
  const a = makeRecord('short connections/s', 'conn/s', true, [100, 300, 200], [50, 50, 100]);
  assert.equal(a.mtcp, 200);
  assert.equal(a.node, 50);
  assert.equal(a.ratio, 4);
  const b = makeRecord('heap per idle connection', 'bytes', false, [], [2048], 'not measured: x');
  assert.equal(b.ratio, null);
  const table = formatTable([a, b]);
  assert.equal(
    table,
    [
      'figure                    unit    mtcp-ts  node net  ours/node',
      '------------------------  ------  -------  --------  ---------',
      'short connections/s       conn/s      200      50.0      4.00x',
      'heap per idle connection  bytes       n/a     2,048        n/a',
    ].join('\n'),
  );
  const svg = renderSvg([a, b], 'T <x>');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /T &lt;x&gt;/);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3 + 4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
  try {
    const out = writeResults(dir, [a, b], new Date('2026-01-02T03:04:05Z'), 2);
    const json = JSON.parse(fs.readFileSync(out.json, 'utf8'));
    assert.equal(json.date, '2026-01-02T03:04:05.000Z');
    assert.deepEqual(json.figures[0], { name: 'short connections/s', unit: 'conn/s', mtcp: 200, node: 50, ratio: 4, mtcpRuns: [100, 300, 200], nodeRuns: [50, 50, 100], note: '' });
    assert.equal(json.figures[1].mtcp, null);
    assert.ok(fs.readFileSync(out.svg, 'utf8').endsWith('</svg>\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
