// Parsers for the output of the kernel-side measuring tools the TAP suite runs: wrk and iperf3 -J.
// Pure functions, so the suite's arithmetic is tested without root.

export interface WrkResult {
  /** Completed requests in the run. */
  requests: number;
  /** Run length wrk reports, in seconds. */
  seconds: number;
  requestsPerSecond: number;
  /** connect + read + write + timeout socket errors. */
  socketErrors: number;
  /** Responses whose status was not 2xx or 3xx. */
  non2xx: number;
}

/** Reads wrk's text summary. Throws when the summary lines are missing (wrk failed). */
export function parseWrk(text: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)\b/.exec(text);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (total === null || rate === null) throw new Error(`wrk: no summary in its output: ${text.trim().slice(0, 300)}`);
  const scale = total[3] === 'us' ? 1e-6 : total[3] === 'ms' ? 1e-3 : total[3] === 'm' ? 60 : 1;
  let socketErrors = 0;
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (errors !== null) socketErrors = Number(errors[1]) + Number(errors[2]) + Number(errors[3]) + Number(errors[4]);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * scale,
    requestsPerSecond: Number(rate[1]),
    socketErrors,
    non2xx: non === null ? 0 : Number(non[1]),
  };
}

export interface Iperf3Result {
  /** Goodput the receiver saw, bits per second. */
  receivedBitsPerSecond: number;
  sentBytes: number;
  receivedBytes: number;
  /** TCP retransmissions counted by the sender's kernel. */
  retransmits: number;
}

/** Reads `iperf3 -c ... -J` output. Throws with iperf3's own message when the run failed. */
export function parseIperf3Json(text: string): Iperf3Result {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`iperf3: output is not JSON: ${text.trim().slice(0, 300)}`);
  }
  const d = doc as { error?: string; end?: { sum_sent?: { bytes?: number; retransmits?: number }; sum_received?: { bytes?: number; bits_per_second?: number } } };
  if (typeof d.error === 'string') throw new Error(`iperf3: ${d.error}`);
  const recv = d.end?.sum_received;
  const sent = d.end?.sum_sent;
  if (recv === undefined || typeof recv.bits_per_second !== 'number' || sent === undefined) {
    throw new Error('iperf3: no end.sum_received/end.sum_sent in its JSON');
  }
  return {
    receivedBitsPerSecond: recv.bits_per_second,
    sentBytes: sent.bytes ?? 0,
    receivedBytes: recv.bytes ?? 0,
    retransmits: sent.retransmits ?? 0,
  };
}
