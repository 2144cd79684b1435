// The lines the apps print: per-second progress and final summaries. Formats follow mTCP's apps
// (apps/example/epwget.c "[ ALL ] connect: ..." and the stack's "[CPU%2d] ... flows:" lines) with the
// extra figures our tools promise (connections/s, Mbit/s, errors).

/** printf-like right-aligned integer. */
export function padInt(n: number, width: number): string {
  return String(Math.round(n)).padStart(width, ' ');
}

export function padFixed(n: number, width: number, digits: number): string {
  return n.toFixed(digits).padStart(width, ' ');
}

export function mbits(bytes: number, seconds: number): number {
  return seconds > 0 ? (bytes * 8) / seconds / 1e6 : 0;
}

/** One second of epwget activity (all cores). */
export interface EpwgetSecond {
  connects: number;
  readBytes: number;
  writeBytes: number;
  completes: number;
  completedTotal: number;
  errorsTotal: number;
  respTimeAvgUs: number;
  respTimeMaxUs: number;
  seconds: number;
}

export function formatEpwgetSecond(s: EpwgetSecond): string {
  const t = s.seconds > 0 ? s.seconds : 1;
  return (
    `[ ALL ] connect: ${padInt(s.connects / t, 7)}, read: ${padInt(s.readBytes / 1048576 / t, 4)} MB, ` +
    `write: ${padInt(s.writeBytes / 1048576 / t, 4)} MB, completes: ${padInt(s.completes / t, 7)} ` +
    `(resp_time avg: ${padInt(s.respTimeAvgUs, 4)}, max: ${padInt(s.respTimeMaxUs, 6)} us) | ` +
    `total ${padInt(s.completedTotal, 8)}, ${padFixed(mbits(s.readBytes, t), 9, 2)} Mbit/s, errors: ${s.errorsTotal}`
  );
}

export interface EpwgetSummary {
  requested: number;
  completed: number;
  errors: number;
  incompletes: number;
  /** Error counts by reason, printed in key order. */
  reasons: Record<string, number>;
  seconds: number;
  bodyBytes: number;
  totalBytes: number;
}

export function formatEpwgetSummary(s: EpwgetSummary): string[] {
  const lines: string[] = [];
  lines.push(`[ ALL ] Completed ${s.completed} connections, errors: ${s.errors} incompletes: ${s.incompletes}`);
  const reasons = Object.keys(s.reasons).sort();
  for (const r of reasons) lines.push(`        error: ${r}: ${s.reasons[r]}`);
  const t = s.seconds > 0 ? s.seconds : 1e-9;
  lines.push(
    `epwget: ${s.completed}/${s.requested} requests completed correctly in ${s.seconds.toFixed(2)} s ` +
      `(${(s.completed / t).toFixed(0)} requests/s, ${mbits(s.totalBytes, t).toFixed(2)} Mbit/s, ` +
      `${s.bodyBytes} body bytes)` + (s.completed === s.requested && s.errors === 0 ? ': OK' : ': FAILED'),
  );
  return lines;
}

/** One second of epserver activity on one core, in the shape of mTCP's per-core statistics line. */
export interface EpserverSecond {
  core: number;
  flows: number;
  accepts: number;
  requests: number;
  notFound: number;
  badRequests: number;
  txBytes: number;
  seconds: number;
}

export function formatEpserverSecond(s: EpserverSecond): string {
  const t = s.seconds > 0 ? s.seconds : 1;
  const core = s.core < 0 ? '[ ALL ]' : `[CPU${padInt(s.core, 2)}]`;
  return (
    `${core} epserver flows: ${padInt(s.flows, 6)}, accepts: ${padInt(s.accepts / t, 7)}/s, ` +
    `requests: ${padInt(s.requests / t, 7)}/s (404: ${s.notFound}, 400: ${s.badRequests}), ` +
    `TX: ${padFixed((s.txBytes * 8) / t / 1e9, 5, 2)}(Gbps)`
  );
}

/** One interval of mtcp-perf. */
export function formatPerfInterval(
  from: number, to: number, sentBytes: number, receivedBytes: number, transactions: number, mode: string,
): string {
  const t = to - from;
  const range = `[${padFixed(from, 6, 1)}-${padFixed(to, 6, 1)} s]`;
  if (mode === 'bulk') {
    return `${range} sent ${padFixed(mbits(sentBytes, t), 9, 2)} Mbit/s  received ${padFixed(mbits(receivedBytes, t), 9, 2)} Mbit/s`;
  }
  return `${range} ${padInt(transactions / (t > 0 ? t : 1), 8)} ${mode === 'crr' ? 'connections' : 'transactions'}/s`;
}

/** The final line of mtcp-perf: whether every byte matched. */
export function formatPerfVerdict(matched: boolean, detail: string): string {
  return matched ? `data matched: yes (${detail})` : `data matched: NO (${detail})`;
}
