// A minimal event-loop driver for one NetInterface and a ping client on top of it: what the demo and the
// interface-level integration tests run until core/ provides the full per-core loop. The driver follows the
// loop of engineering-notes.md without TCP: receive a burst, process it, run ARP timers, flush.
import { performance } from 'node:perf_hooks';
import { EMSGSIZE, ENETUNREACH } from '../errno.js';
import type { EchoReplyHandler, NetInterface } from './interface.js';

/** Services an interface whenever its link has frames, and every `tickMs` for ARP retries and aging. */
export class InterfaceDriver {
  readonly iface: NetInterface;
  private readonly ticker: NodeJS.Timeout;
  private closed = false;

  constructor(iface: NetInterface, tickMs = 50) {
    this.iface = iface;
    iface.link.setReadableHandler(() => this.service());
    this.ticker = setInterval(() => this.service(), tickMs);
    this.ticker.unref(); // frames keep the process busy, the timer alone does not
  }

  /** One pass: drain received bursts (bounded), timers, flush. */
  service(): void {
    if (this.closed) return;
    const now = performance.now();
    const link = this.iface.link;
    for (let burst = 0; burst < 16 && link.receive() > 0; burst++) this.iface.processReceived(now);
    this.iface.poll(now);
    this.iface.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    this.iface.link.setReadableHandler(null);
  }
}

export interface PingOptions {
  count: number;
  intervalMs?: number;
  /** Echo data bytes (ping -s); default 56. */
  payloadLength?: number;
  /** Wait per request before counting it lost; default 1000 ms. */
  timeoutMs?: number;
  identifier?: number;
  /** Called with each outcome as it happens (rtt -1 = lost). */
  onReply?: (sequence: number, rttMs: number, bytes: number) => void;
  /** Called when a request could not be sent (negative errno) and the run stops. */
  onSendError?: (sequence: number, errno: number) => void;
}

export interface PingReport {
  sent: number;
  received: number;
  /** Round-trip times in ms of the replies, by order of sequence; -1 for a lost one. */
  rtts: number[];
  /** Replies whose data differed from what was sent. */
  corrupted: number;
  /** A negative errno returned by sendIpv4 for a request, 0 if all were accepted. -EMSGSIZE and -ENETUNREACH
      end the run at once (sent counts the failed request). */
  sendError: number;
}

/**
 * Sends `count` echo requests from the driver's interface to dst, one after another (the next one leaves
 * when the previous is answered or timed out, after intervalMs), and resolves with the round-trip times.
 */
export function ping(driver: InterfaceDriver, dst: number, options: PingOptions): Promise<PingReport> {
  const iface = driver.iface;
  const payloadLength = options.payloadLength ?? 56;
  const intervalMs = options.intervalMs ?? 0;
  const timeoutMs = options.timeoutMs ?? 1000;
  const identifier = (options.identifier ?? (process.pid & 0xffff)) & 0xffff;
  const report: PingReport = { sent: 0, received: 0, rtts: [], corrupted: 0, sendError: 0 };
  return new Promise((resolve) => {
    let sequence = 0;
    let sentAt = 0;
    let timer: NodeJS.Timeout | null = null;
    let awaiting = false;
    const finish = () => {
      iface.setEchoReplyHandler(null);
      resolve(report);
    };
    const next = () => {
      if (report.sent === options.count) {
        finish();
        return;
      }
      sequence = (sequence + 1) & 0xffff;
      sentAt = performance.now();
      const result = iface.sendPing(dst, identifier, sequence, payloadLength, sentAt);
      report.sent++;
      if (result < 0) report.sendError = result;
      if (result === -EMSGSIZE || result === -ENETUNREACH) {
        // Permanent: no point waiting for the remaining requests.
        report.rtts.push(-1);
        options.onSendError?.(sequence, result);
        finish();
        return;
      }
      iface.flush();
      awaiting = true;
      timer = setTimeout(() => {
        awaiting = false;
        report.rtts.push(-1);
        options.onReply?.(sequence, -1, 0);
        timer = setTimeout(next, intervalMs);
      }, timeoutMs);
    };
    const handler: EchoReplyHandler = {
      echoReply(src, id, seq, buf, off, len, now) {
        if (!awaiting || src !== dst || id !== identifier || seq !== sequence) return;
        awaiting = false;
        let intact = len === payloadLength;
        for (let i = 0; intact && i < len; i++) if (buf[off + i] !== ((seq + i) & 0xff)) intact = false;
        if (!intact) report.corrupted++;
        if (timer !== null) clearTimeout(timer);
        const rtt = now - sentAt;
        report.received++;
        report.rtts.push(rtt);
        options.onReply?.(seq, rtt, len);
        timer = setTimeout(next, intervalMs);
      },
    };
    iface.setEchoReplyHandler(handler);
    next();
  });
}
