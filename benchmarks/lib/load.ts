// A closed-loop load generator: `concurrency` workers, each awaiting one operation at a time,
// together running operations 0, 1, 2, … until `opsMax` are done or `timeMsMax` has passed.
//
//   worker 0:  [op 0 ]   [op 2    ]  [op 5]  …
//   worker 1:  [op 1      ]  [op 3 ][op 4  ]  …        next index taken from one shared counter
//
// Throughput is completed operations over the wall time from the first start to the last end.
// Latency is measured around each awaited operation, so it includes queueing inside the system
// under test (a group commit waiting for its batch), which is what a caller experiences.
//
// Both bounds always apply: a phase never runs longer than its time budget even if the system
// under test is slow, and the result says whether it was cut short (`timedOut`).
import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary } from './stats.js';

/** One operation of the workload; receives its index in [0, opsMax). Rejects on failure. */
export type Operation = (index: number) => Promise<unknown>;

export interface LoadOptions {
  /** Operations to run in all (upper bound). */
  readonly opsMax: number;
  /** Workers, each with at most one operation in flight. */
  readonly concurrency: number;
  /** No operation starts after this many milliseconds. */
  readonly timeMsMax: number;
  /** Stop starting new operations after this many failures (default: 1; failures are bugs). */
  readonly errorsMax?: number;
}

export interface LoadResult {
  readonly ops: number;
  readonly errors: number;
  /** The first failure, kept to be reported; undefined if none. */
  readonly firstError: unknown;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  /** True if the time budget ended the phase before opsMax operations ran. */
  readonly timedOut: boolean;
  /** Latencies of the successful operations. */
  readonly latency: LatencySummary;
}

// The shared state of one run. Workers are methods on it rather than closures, so the per-
// operation path allocates nothing but the operation's own promise.
class LoadRun {
  next = 0;
  ops = 0;
  errors = 0;
  firstError: unknown = undefined;
  timedOut = false;
  lastEndMs = 0;
  readonly recorder: LatencyRecorder;
  readonly deadlineMs: number;
  readonly errorsMax: number;

  constructor(
    readonly options: LoadOptions,
    readonly op: Operation,
    readonly startMs: number,
  ) {
    this.recorder = new LatencyRecorder(options.opsMax);
    this.deadlineMs = startMs + options.timeMsMax;
    this.errorsMax = options.errorsMax ?? 1;
  }

  async worker(): Promise<void> {
    const opsMax = this.options.opsMax;
    while (this.next < opsMax && this.errors < this.errorsMax) {
      const t0 = performance.now();
      if (t0 >= this.deadlineMs) {
        this.timedOut = true;
        return;
      }
      const index = this.next++;
      try {
        await this.op(index);
        const t1 = performance.now();
        this.recorder.record(t1 - t0);
        this.ops++;
        if (t1 > this.lastEndMs) this.lastEndMs = t1;
      } catch (error) {
        if (this.errors === 0) this.firstError = error;
        this.errors++;
        this.lastEndMs = performance.now();
      }
    }
  }
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

export async function runLoad(options: LoadOptions, op: Operation): Promise<LoadResult> {
  assertPositiveInt('opsMax', options.opsMax);
  assertPositiveInt('concurrency', options.concurrency);
  if (!(options.timeMsMax > 0)) throw new RangeError(`timeMsMax must be positive, got ${options.timeMsMax}`);

  const run = new LoadRun(options, op, performance.now());
  const workers: Promise<void>[] = [];
  const workerCount = Math.min(options.concurrency, options.opsMax);
  for (let w = 0; w < workerCount; w++) workers.push(run.worker());
  await Promise.all(workers);

  const elapsedMs = Math.max(run.lastEndMs - run.startMs, 0);
  return {
    ops: run.ops,
    errors: run.errors,
    firstError: run.firstError,
    elapsedMs,
    opsPerSec: elapsedMs > 0 ? (run.ops * 1000) / elapsedMs : Number.NaN,
    timedOut: run.timedOut,
    latency: run.recorder.summarize(),
  };
}

/** Times `fn` once, in milliseconds. For single long operations (a 10,000-object list). */
export async function timeOnceMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
