// epwget command line: `epwget URL REQUESTS [-N CORES] [-c CONCURRENCY] -f CONF [-o OUTFILE]`.
// Exit status 0 only when every request completed correctly.

import { EPWGET_USAGE, parseEpwgetArgs } from './args.js';
import { mtcp_destroy, onSigint, startMtcp, usageExit } from './common.js';
import { EpwgetCounters, epwgetSecondLine, formatEpwgetSummary, runEpwget, snapshotCounters } from '../apps/epwget.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseEpwgetArgs(process.argv.slice(2));
  } catch (e) {
    usageExit(e, EPWGET_USAGE);
  }
  if (args.help) {
    process.stdout.write(`${EPWGET_USAGE}\n`);
    return;
  }
  if (args.coreId !== undefined) {
    process.stderr.write('-n CORE_ID (mTCP multi-process mode) is not supported: run one process per host over io = udp or tap\n');
    process.exit(2);
  }
  // mTCP: fewer requests than cores reduces the cores; concurrency defaults to 100 per core, -c is the total.
  let cores = args.cores;
  if (cores !== undefined && args.requests < cores) cores = args.requests;
  const n = cores ?? 1;
  const concurrency = Math.max(1, Math.floor((args.concurrency ?? 100 * n) / n));
  const contexts = await startMtcp(args.configFile, cores, (conf) => {
    // As epwget.c: max_fds = 3 * per-core concurrency becomes max_concurrency and max_num_buffers.
    conf.max_concurrency = Math.max(conf.max_concurrency, 3 * concurrency);
    conf.max_num_buffers = Math.max(conf.max_num_buffers, 3 * concurrency);
  });
  let interrupted = false;
  onSigint(() => {
    interrupted = true;
  });
  const perCore = contexts.map((_, i) => Math.floor(args.requests / n) + (i < args.requests % n ? 1 : 0));
  contexts.forEach((_, i) => {
    process.stdout.write(`Thread ${i} handles ${perCore[i]} flows. connecting to ${args.url.host}:${args.url.port}\n`);
  });
  // One [ ALL ] line per second over every core's counters, as mTCP prints from core 0.
  const counters = contexts.map(() => new EpwgetCounters());
  const sum = new EpwgetCounters();
  const before = new EpwgetCounters();
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    let respMax = 0;
    sum.connects = sum.readBytes = sum.writeBytes = sum.completed = sum.errors = sum.respTotalUs = 0;
    for (const c of counters) {
      snapshotCounters(sum, c, true);
      respMax = Math.max(respMax, c.takeRespMax());
    }
    process.stdout.write(`${epwgetSecondLine(sum, before, respMax, (now - last) / 1000)}\n`);
    snapshotCounters(before, sum, false);
    last = now;
  }, 1000);
  let results;
  try {
    results = await Promise.all(contexts.map((ctx, i) => runEpwget(ctx, {
      url: args.url, requests: perCore[i]!, concurrency,
      outPrefix: args.outPrefix === undefined ? undefined : n > 1 ? `${args.outPrefix}.cpu${i}` : args.outPrefix,
      onProgress: null, counters: counters[i],
    })));
  } catch (e) {
    clearInterval(ticker);
    process.stderr.write(`epwget: ${(e as Error).message}\n`);
    await mtcp_destroy();
    process.exit(1);
  }
  clearInterval(ticker);
  await mtcp_destroy();
  const total = { requested: 0, completed: 0, errors: 0, incompletes: 0, reasons: {} as Record<string, number>, seconds: 0, bodyBytes: 0, totalBytes: 0 };
  results.forEach((r, i) => {
    process.stdout.write(`[CPU ${i}] Completed ${r.completed} connections, errors: ${r.errors} incompletes: ${r.incompletes}\n`);
    if (r.responseSize >= 0) process.stdout.write(`[CPU ${i}] Response size set to ${r.responseSize}\n`);
    total.requested += r.requested;
    total.completed += r.completed;
    total.errors += r.errors;
    total.incompletes += r.incompletes;
    total.seconds = Math.max(total.seconds, r.seconds);
    total.bodyBytes += r.bodyBytes;
    total.totalBytes += r.totalBytes;
    for (const [k, v] of Object.entries(r.reasons)) total.reasons[k] = (total.reasons[k] ?? 0) + v;
  });
  for (const line of formatEpwgetSummary(total)) process.stdout.write(`${line}\n`);
  const ok = !interrupted && total.completed === total.requested && total.errors === 0;
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`epwget: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
