// Benchmark results: the console table, bench/results/latest.json and the SVG bar chart beside it.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FigureRecord {
  name: string;
  unit: string;
  /** Our figure (mtcp-ts); null when it could not be measured (the reason is in `note`). */
  mtcp: number | null;
  node: number | null;
  /** mtcp / node; null when either is missing. */
  ratio: number | null;
  /** Whether a higher value is better (throughput) or a lower one (memory). */
  higherIsBetter: boolean;
  /** The individual runs behind each median. */
  mtcpRuns: number[];
  nodeRuns: number[];
  note: string;
  /** What the `node` figure measured when it is not Node's net over 127.0.0.1 (the TAP figures: the kernel). */
  baseline?: string;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function makeRecord(
  name: string, unit: string, higherIsBetter: boolean, mtcpRuns: number[], nodeRuns: number[], note = '',
): FigureRecord {
  const mtcp = median(mtcpRuns);
  const node = median(nodeRuns);
  const ratio = mtcp !== null && node !== null && node !== 0 ? mtcp / node : null;
  return { name, unit, mtcp, node, ratio, higherIsBetter, mtcpRuns, nodeRuns, note };
}

/** Human formatting: 3 significant figures, thousands separators for large values. */
export function formatValue(v: number | null): string {
  if (v === null) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function formatTable(records: FigureRecord[]): string {
  const header = ['figure', 'unit', 'mtcp-ts', 'node net', 'ours/node'];
  const rows = records.map((r) => [r.name, r.unit, formatValue(r.mtcp), formatValue(r.node), r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface ResultsFile {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  figures: Array<{ name: string; unit: string; mtcp: number | null; node: number | null; ratio: number | null; mtcpRuns: number[]; nodeRuns: number[]; note: string }>;
}

export function toResultsFile(records: FigureRecord[], date: Date, cpus: number): ResultsFile {
  return {
    date: date.toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus,
    figures: records.map((r) => ({
      name: r.name, unit: r.unit, mtcp: r.mtcp, node: r.node, ratio: r.ratio,
      mtcpRuns: r.mtcpRuns, nodeRuns: r.nodeRuns, note: r.note,
    })),
  };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A horizontal bar chart: per figure, one bar for mtcp-ts and one for Node, each scaled to the larger of
 * the two (figures have different units), labelled with the value and the ratio.
 */
export function renderSvg(records: FigureRecord[], title: string): string {
  const width = 820;
  const labelWidth = 330;
  const barMax = 360;
  const rowHeight = 56;
  const top = 50;
  const height = top + records.length * rowHeight + 30;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<rect x="${labelWidth}" y="30" width="12" height="10" fill="#2b6cb0"/><text x="${labelWidth + 16}" y="39">mtcp-ts (memory link)</text>`);
  parts.push(`<rect x="${labelWidth + 170}" y="30" width="12" height="10" fill="#a0aec0"/><text x="${labelWidth + 186}" y="39">Node net (127.0.0.1), or the row's baseline</text>`);
  records.forEach((r, i) => {
    const y = top + i * rowHeight;
    const max = Math.max(r.mtcp ?? 0, r.node ?? 0) || 1;
    const ratio = r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`;
    parts.push(`<text x="10" y="${y + 16}">${escapeXml(r.name)}</text>`);
    const against = r.baseline === undefined ? 'ours/node' : `ours/${r.baseline}`;
    parts.push(`<text x="10" y="${y + 32}" fill="#555">${escapeXml(r.unit)}${r.higherIsBetter ? ', higher is better' : ', lower is better'}; ${escapeXml(against)} ${ratio}</text>`);
    const bars: Array<[number | null, string, number]> = [[r.mtcp, '#2b6cb0', y + 4], [r.node, '#a0aec0', y + 24]];
    for (const [v, color, by] of bars) {
      const w = v === null ? 0 : Math.max(1, (v / max) * barMax);
      parts.push(`<rect x="${labelWidth}" y="${by}" width="${w.toFixed(1)}" height="16" fill="${color}"/>`);
      parts.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${by + 12}">${escapeXml(formatValue(v))}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export function writeResults(dir: string, records: FigureRecord[], date: Date, cpus: number): { json: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'latest.json');
  const svg = path.join(dir, 'latest.svg');
  fs.writeFileSync(json, JSON.stringify(toResultsFile(records, date, cpus), null, 2) + '\n');
  fs.writeFileSync(svg, renderSvg(records, `mtcp-ts vs Node net, ${date.toISOString().slice(0, 10)}, ${cpus} CPUs`));
  return { json, svg };
}
