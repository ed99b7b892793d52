// How a benchmark reports. stdout carries results only: the human table, then, with --json, one
// JSON object as the very last line (tools read `tail -n 1`). Progress and warnings go to stderr.
//
// JSON values are numbers, strings, booleans or null. A figure that was not measured (etcd absent,
// a phase skipped) is null, never 0 and never missing, so a reader can tell "not measured" apart
// from "measured as zero" and every run has the same keys.

export type JsonScalar = number | string | boolean | null;
export type JsonReport = { readonly [field: string]: JsonScalar };

/**
 * Rounds a figure for the report: NaN and infinities become null; values of 1000 and more are
 * whole; smaller ones keep 3 decimals (latencies in ms, ratios).
 */
export function roundFigure(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (Math.abs(value) >= 1000) return Math.round(value);
  return Math.round(value * 1000) / 1000;
}

/** The report with every number rounded (see roundFigure). Keys keep their order. */
export function normalizeReport(report: JsonReport): JsonReport {
  const out: Record<string, JsonScalar> = {};
  for (const [key, value] of Object.entries(report)) out[key] = typeof value === 'number' ? roundFigure(value) : value;
  return out;
}

/** One line of JSON, newline-terminated: what --json writes last. */
export function jsonLine(report: JsonReport): string {
  return `${JSON.stringify(normalizeReport(report))}\n`;
}

/** Writes the JSON line to stdout. Call it last; nothing may be written to stdout after it. */
export function writeJsonLast(report: JsonReport): void {
  process.stdout.write(jsonLine(report));
}

const startedAtMs = Date.now();

/** A progress line on stderr, prefixed with the seconds since the benchmark started. */
export function progress(message: string): void {
  const seconds = ((Date.now() - startedAtMs) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}
