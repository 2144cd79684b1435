// Runs every compiled test file (dist/**/*.test.js) with Node's own test runner.
// An optional argument narrows the run to files whose path contains it: `npm test -- tcp/`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.argv[2] ?? '';
const files = collect('dist', []).filter((f) => f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match "${filter}"`);
  process.exit(1);
}
const child = spawn(process.execPath, ['--test', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
