// Statistics for benchmark results: latency percentiles within one run, medians across rounds.
//
// Percentiles use the nearest-rank method (the smallest sample such that at least p% of samples are
// at or below it), as etcd's benchmark tool and most load generators report them: p99 of 100
// samples is the 99th smallest, a value that was actually observed, never an interpolation.

/** Nearest-rank percentile of an ascending-sorted array; NaN when empty. `p` in [0, 100]. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * n); // 1-based; 0 when p = 0
  return sorted[rank <= 1 ? 0 : rank - 1] as number;
}

/** The middle value (mean of the two middles for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >>> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Round-wise medians: each numeric field of the result is the median of that field over `rounds`. */
export function medianOfEach<T extends { readonly [K in keyof T]: number }>(rounds: readonly T[]): T {
  const first = rounds[0];
  if (first === undefined) throw new RangeError('medianOfEach needs at least one round');
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) out[key] = median(rounds.map((r) => (r as Record<string, number>)[key] as number));
  return out as T;
}

/**
 * Median over rounds of a figure that may be absent (a skipped part reports null). The median of
 * the present values; null if none is present.
 */
export function medianOrNull(values: readonly (number | null)[]): number | null {
  const present: number[] = [];
  for (const v of values) if (v !== null && !Number.isNaN(v)) present.push(v);
  return present.length === 0 ? null : median(present);
}

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Summary of latencies in milliseconds. Sorts `samples` in place (it is the caller's scratch). */
export function summarizeInPlace(samples: Float64Array): LatencySummary {
  const n = samples.length;
  if (n === 0) {
    return { count: 0, meanMs: Number.NaN, p50Ms: Number.NaN, p90Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  }
  samples.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i] as number;
  return {
    count: n,
    meanMs: sum / n,
    p50Ms: percentileOfSorted(samples, 50),
    p90Ms: percentileOfSorted(samples, 90),
    p99Ms: percentileOfSorted(samples, 99),
    maxMs: samples[n - 1] as number,
  };
}

/**
 * Records latencies into a buffer allocated up front, so that recording costs one store and no
 * allocation on the measured path. Samples beyond the capacity are counted but not kept.
 */
export class LatencyRecorder {
  private readonly samplesMs: Float64Array;
  private length = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`bad capacity ${capacity}`);
    this.samplesMs = new Float64Array(capacity);
  }

  record(latencyMs: number): void {
    if (this.length < this.capacity) this.samplesMs[this.length++] = latencyMs;
    else this.droppedCount++;
  }

  get count(): number {
    return this.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Summarizes the samples recorded so far. The recorder keeps its samples (sorted) afterwards. */
  summarize(): LatencySummary {
    return summarizeInPlace(this.samplesMs.subarray(0, this.length));
  }
}
