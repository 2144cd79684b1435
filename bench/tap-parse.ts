// Parsers for the output of the kernel-side measuring tools the TAP suite runs: wrk, iperf3 -J and curl -w.
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

/** The curl `-w` format the suite uses; parseCurlTransfer reads what it prints. */
export const CURL_WRITE_OUT = '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\\n';

export interface CurlTransfer {
  status: number;
  bytes: number;
  /** Body bytes over the time from the first response byte to the end, in bits per second. */
  bitsPerSecond: number;
}

/**
 * Reads curl's `-w CURL_WRITE_OUT` line (the last non-empty line of stdout). A run cut by --max-time (exit
 * 28) still prints it; that is how the suite bounds a bulk transfer in time.
 */
export function parseCurlTransfer(text: string): CurlTransfer {
  const lines = text.trim().split('\n');
  const m = /^(\d{3}) (\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1]!.trim());
  if (m === null) throw new Error(`curl: unexpected -w output: ${text.trim().slice(0, 200)}`);
  const bytes = Number(m[2]);
  const body = Number(m[4]) - Number(m[3]);
  if (!(body > 0)) throw new Error(`curl: transfer of ${bytes} bytes took no measurable time`);
  return { status: Number(m[1]), bytes, bitsPerSecond: (bytes * 8) / body };
}
