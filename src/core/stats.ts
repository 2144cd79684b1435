// Per-second statistics per core and per port, in the format of mTCP's PrintNetworkStats (mtcp-inventory §5.12):
//   [CPU%2d] %s flows: %6u, RX: %7ld(pps) (err: %5ld), %5.2lf(Gbps), TX: %7ld(pps), %5.2lf(Gbps)
// followed by one "[ ALL ]" line per port name summing every core of the process. Bytes count 24 bytes of
// Ethernet overhead per frame (preamble, SFD, FCS, inter-frame gap), as mTCP does.


const ETHERNET_OVERHEAD = 24;

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** One statistics line; `label` is "CPU 0" style ("CPU%2d") or " ALL ". */
export function formatStatLine(label: string, port: string, flows: number, rxPps: number, rxErrors: number,
  rxGbps: number, txPps: number, txGbps: number): string {
  return `[${label}] ${port} flows: ${pad(String(flows), 6)}, RX: ${pad(String(rxPps), 7)}(pps) ` +
    `(err: ${pad(String(rxErrors), 5)}), ${pad(rxGbps.toFixed(2), 5)}(Gbps), TX: ${pad(String(txPps), 7)}(pps), ` +
    `${pad(txGbps.toFixed(2), 5)}(Gbps)`;
}

/** "CPU%2d". */
export function cpuLabel(cpu: number): string {
  return `CPU${pad(String(cpu), 2)}`;
}

/** The counters a line is computed from: a link's, or one core's share of a port (several cores per host). */
export interface StatCounters {
  rxFrames: number;
  rxBytes: number;
  rxDropped: number;
  txFrames: number;
  txBytes: number;
}

export function newStatCounters(): StatCounters {
  return { rxFrames: 0, rxBytes: 0, rxDropped: 0, txFrames: 0, txBytes: 0 };
}

/** What the printer samples: one port of one core. */
export interface StatsSource {
  readonly cpu: number;
  readonly portName: string;
  readonly counters: StatCounters;
  /** Connections in the context's tables (all states), as mTCP's flow count. */
  flows(): number;
}

interface Sample {
  source: StatsSource;
  rxFrames: number;
  rxBytes: number;
  rxDropped: number;
  txFrames: number;
  txBytes: number;
}

/** A per-second delta of one port. */
export interface PortDelta {
  flows: number;
  rxPps: number;
  rxErrors: number;
  rxGbps: number;
  txPps: number;
  txGbps: number;
}

function gbps(frames: number, bytes: number, seconds: number): number {
  return ((bytes + frames * ETHERNET_OVERHEAD) * 8) / 1e9 / seconds;
}

/** Collects the sources of every host of the process and prints them once per second while any is registered. */
export class StatsPrinter {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastTick = 0;
  /** Where lines go (stderr by default, as mTCP). */
  write: (line: string) => void = (line) => process.stderr.write(line + '\n');
  /** Clock in ms (tests replace it). */
  clock: () => number = () => performance.now();

  register(source: StatsSource): void {
    const c = source.counters;
    this.samples.push({ source, rxFrames: c.rxFrames, rxBytes: c.rxBytes, rxDropped: c.rxDropped, txFrames: c.txFrames, txBytes: c.txBytes });
    if (this.timer === null) {
      this.lastTick = this.clock();
      this.timer = setInterval(() => this.tick(), 1000);
      this.timer.unref();
    }
  }

  unregister(source: StatsSource): void {
    const i = this.samples.findIndex((s) => s.source === source);
    if (i >= 0) this.samples.splice(i, 1);
    if (this.samples.length === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Prints one round of lines (called every second; callable directly by tests). Returns the lines. */
  tick(): string[] {
    const now = this.clock();
    const seconds = Math.max(0.001, (now - this.lastTick) / 1000);
    this.lastTick = now;
    const lines: string[] = [];
    const totals = new Map<string, PortDelta>();
    for (const s of this.samples) {
      const c = s.source.counters;
      const rxFrames = c.rxFrames - s.rxFrames;
      const txFrames = c.txFrames - s.txFrames;
      const d: PortDelta = {
        flows: s.source.flows(),
        rxPps: Math.round(rxFrames / seconds),
        rxErrors: c.rxDropped - s.rxDropped,
        rxGbps: gbps(rxFrames, c.rxBytes - s.rxBytes, seconds),
        txPps: Math.round(txFrames / seconds),
        txGbps: gbps(txFrames, c.txBytes - s.txBytes, seconds),
      };
      s.rxFrames = c.rxFrames; s.rxBytes = c.rxBytes; s.rxDropped = c.rxDropped;
      s.txFrames = c.txFrames; s.txBytes = c.txBytes;
      lines.push(formatStatLine(cpuLabel(s.source.cpu), s.source.portName, d.flows, d.rxPps, d.rxErrors, d.rxGbps, d.txPps, d.txGbps));
      const t = totals.get(s.source.portName);
      if (t === undefined) totals.set(s.source.portName, d);
      else {
        t.flows += d.flows; t.rxPps += d.rxPps; t.rxErrors += d.rxErrors; t.rxGbps += d.rxGbps;
        t.txPps += d.txPps; t.txGbps += d.txGbps;
      }
    }
    for (const [port, t] of totals) lines.push(formatStatLine(' ALL ', port, t.flows, t.rxPps, t.rxErrors, t.rxGbps, t.txPps, t.txGbps));
    for (const line of lines) this.write(line);
    return lines;
  }
}

/** The process-wide printer (mTCP prints from its master core for every core). */
export const statsPrinter = new StatsPrinter();
