// Plain-text tables for benchmark output, and the number formats they use.
//
//   phase            coxswain    etcd  ratio
//   ---------------  --------  ------  -----
//   creates/s, 64      41,200  12,900  3.19x
//   p99 write ms         3.10    11.4  0.27x
//
// Cells are strings (already formatted) or null for "not measured", shown as a dash. Columns are
// right-aligned except the first, which holds the row's label.

export type Cell = string | null;

export interface TableOptions {
  /** Alignment per column; default: first column left, the others right. */
  readonly align?: readonly ('left' | 'right')[];
  /** Shown for null cells. */
  readonly missing?: string;
}

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const missing = options.missing ?? '-';
  const columns = headers.length;
  for (const row of rows) {
    if (row.length !== columns) throw new RangeError(`row has ${row.length} cells, table has ${columns} columns`);
  }
  const text = rows.map((row) => row.map((c) => (c === null ? missing : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const alignOf = (i: number): 'left' | 'right' => options.align?.[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (alignOf(i) === 'left' ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** A rate: whole with thousands separators from 100 up, decimals below: 41,200 · 87.5 · 3.25. */
export function formatRate(perSec: number | null): Cell {
  if (perSec === null || !Number.isFinite(perSec)) return null;
  if (Math.abs(perSec) >= 100) return Math.round(perSec).toLocaleString('en-US');
  return perSec.toFixed(perSec >= 10 ? 1 : 2);
}

/** Milliseconds with precision that fits the magnitude: 0.042 · 3.10 · 48.2 · 1,250. */
export function formatMs(ms: number | null): Cell {
  if (ms === null || !Number.isFinite(ms)) return null;
  const abs = Math.abs(ms);
  if (abs >= 1000) return Math.round(ms).toLocaleString('en-US');
  if (abs >= 100) return ms.toFixed(0);
  if (abs >= 10) return ms.toFixed(1);
  if (abs >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** A ratio: "86.5x", "3.19x", "0.015x"; null when missing. Small ratios keep 2 significant digits. */
export function formatRatio(ratio: number | null): Cell {
  if (ratio === null || !Number.isFinite(ratio)) return null;
  const abs = Math.abs(ratio);
  if (abs >= 10) return `${ratio.toFixed(1)}x`;
  if (abs >= 0.1 || abs === 0) return `${ratio.toFixed(2)}x`;
  return `${Number(ratio.toPrecision(2))}x`;
}

/** a / b, or null when either is missing or b is zero. */
export function ratioOrNull(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}
