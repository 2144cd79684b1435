// `npm run bench` (node dist/bench/run.js): mtcp-ts on the memory link against Node's `net` on 127.0.0.1,
// side by side, same machine, same run. Each figure is the median of several runs; runs of the two sides
// alternate so machine noise spreads over both. Prints the table, writes bench/results/latest.json and
// latest.svg. As root it adds the TAP figures against the kernel (bench/tap-suite.ts). Options (environment):
// BENCH_RUNS (default 3), BENCH_SECONDS (default 2), BENCH_IDLE (100000), BENCH_TAP_SECONDS (5),
// BENCH_ONLY (comma-separated figure keys: crr,rr1,rr64,bulk1500,bulk9000,idle,tap).

import { fork } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, makeRecord, writeResults, type FigureRecord } from './results.js';
import { runTapBenchmarks } from './tap-suite.js';
import { nodeBulk, nodeCrr, nodeIdle, nodeRr } from './node-side.js';

const MTCP_PEER = fileURLToPath(new URL('./mtcp-peer.js', import.meta.url));
const RESULTS_DIR = path.join(process.cwd(), 'bench', 'results');

type Msg = Record<string, number | string>;

/** Runs one mtcp-ts measurement in a fresh process (--expose-gc for the memory figure). */
function mtcpRun(args: string[], timeoutMs: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const child = fork(MTCP_PEER, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mtcp-peer ${args.join(' ')}: no result within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (m: Msg) => {
      clearTimeout(timer);
      if (m.type === 'error') reject(new Error(`mtcp-peer ${args.join(' ')}: ${m.message}`));
      else resolve(m);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`mtcp-peer ${args.join(' ')} exited with ${code}`));
    });
  });
}

async function repeat(runs: number, mtcp: () => Promise<number>, node: (() => Promise<number>) | null): Promise<[number[], number[], string]> {
  const m: number[] = [];
  const n: number[] = [];
  const problems: string[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      m.push(await mtcp());
    } catch (e) {
      problems.push(`mtcp run ${i + 1}: ${(e as Error).message}`);
    }
    if (node !== null) {
      try {
        n.push(await node());
      } catch (e) {
        problems.push(`node run ${i + 1}: ${(e as Error).message}`);
      }
    }
  }
  return [m, n, problems.join('; ')];
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const idleConns = Number(process.env.BENCH_IDLE ?? 100000);
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (key: string): boolean => only === undefined || only.includes(key);
  const limit = seconds * 1000 + 30000;
  const records: FigureRecord[] = [];
  const started = performance.now();
  const rate = (r: Msg): number => (r.completed as number) / (r.seconds as number);

  if (want('crr')) {
    log('bench: short connections (connect, 64 B request, 64 B response, close; 64 in flight) ...');
    const [m, n, note] = await repeat(runs, async () => rate(await mtcpRun(['crr', '64', String(seconds)], limit)), () => nodeCrr(64, seconds));
    records.push(makeRecord('short connections, 64 B req/resp, 64 in flight', 'conn/s', true, m, n, note));
  }
  for (const conns of [1, 64]) {
    if (!want(`rr${conns}`)) continue;
    log(`bench: 64 B request/response on ${conns} persistent connection(s) ...`);
    const [m, n, note] = await repeat(runs, async () => rate(await mtcpRun(['rr', String(conns), String(seconds)], limit)), () => nodeRr(conns, seconds));
    records.push(makeRecord(`64 B transactions, ${conns} persistent connection${conns > 1 ? 's' : ''}`, 'trans/s', true, m, n, note));
  }
  // Node's loopback has one MTU (65536): the same Node figure stands beside both of ours, measured once per run.
  const nodeBulkRuns: number[] = [];
  for (const mtu of [1500, 9000]) {
    if (!want(`bulk${mtu}`)) continue;
    log(`bench: bulk transfer on one connection, MTU ${mtu} ...`);
    const first = nodeBulkRuns.length === 0;
    const [m, n, note] = await repeat(
      runs,
      async () => (await mtcpRun(['bulk', String(mtu), String(seconds)], limit)).gbits as number,
      first ? () => nodeBulk(seconds) : null,
    );
    if (first) nodeBulkRuns.push(...n);
    records.push(makeRecord(`bulk, 1 connection, MTU ${mtu} (Node: loopback, MTU 65536)`, 'Gbit/s', true, m, nodeBulkRuns, note));
  }
  if (want('idle')) {
    log(`bench: memory per idle established connection (${idleConns} connections) ...`);
    const mHeap: number[] = [];
    const mRss: number[] = [];
    const nHeap: number[] = [];
    const nRss: number[] = [];
    const problems: string[] = [];
    let nodeCount = 0;
    for (let i = 0; i < runs; i++) {
      try {
        const r = await mtcpRun(['idle', String(idleConns)], 180000);
        mHeap.push((r.heapDelta as number) / (r.connections as number));
        mRss.push((r.rssDelta as number) / (r.connections as number));
      } catch (e) {
        problems.push(`mtcp run ${i + 1}: ${(e as Error).message}`);
      }
      try {
        const r = await nodeIdle(idleConns);
        nodeCount = r.connections;
        nHeap.push(r.heapPerConnection);
        nRss.push(r.rssPerConnection);
      } catch (e) {
        problems.push(`node run ${i + 1}: ${(e as Error).message}`);
      }
    }
    const note = [
      `both ends counted; mtcp-ts: ${idleConns} connections in one process`,
      nodeCount < idleConns ? `Node: ${nodeCount} connections (descriptor limit ${nodeCount + 200} per process could not be raised)` : `Node: ${nodeCount} connections`,
      ...problems,
    ].join('; ');
    records.push(makeRecord('heap per idle established connection', 'bytes', false, mHeap, nHeap, note));
    records.push(makeRecord('RSS per idle established connection', 'bytes', false, mRss, nRss, note));
  }

  if (want('tap')) {
    // Root only: epserver and bulk over a TAP against the kernel (Node http, iperf3); skipped with the reason
    // otherwise. BENCH_TAP_SECONDS sets each run's length (default 5, the wrk -d5s of the issue).
    log('bench: TAP figures against the kernel (root only) ...');
    const tap = await runTapBenchmarks({ seconds: Number(process.env.BENCH_TAP_SECONDS ?? 5), runs, log });
    for (const r of tap) r.baseline = 'kernel';
    records.push(...tap);
  }

  const table = formatTable(records);
  process.stdout.write(`\n${table}\n\n`);
  for (const r of records) if (r.note !== '') process.stdout.write(`note (${r.name}): ${r.note}\n`);
  const files = writeResults(RESULTS_DIR, records, new Date(), os.availableParallelism());
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.svg)} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
