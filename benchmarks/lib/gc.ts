// Garbage-collection pauses of this process, for the benchmarks' tables: V8 stops the JavaScript
// thread for each one, so with N requests in flight every pause delays all N (the API's p99 is
// made of them; issue 4).
//
// A PerformanceObserver on 'gc' entries records each pause's duration; `take()` summarizes the
// pauses since the previous take and starts over.

import { PerformanceObserver } from 'node:perf_hooks';
import { median } from './stats.js';

export interface GcPauseFigures {
  /** Pauses since the previous take (scavenges and full collections alike). */
  readonly gcPauses: number;
  /** The median pause, ms (NaN when none). */
  readonly gcPauseP50Ms: number;
  /** The longest pause, ms (NaN when none). */
  readonly gcPauseMaxMs: number;
  /** All pauses together, ms. */
  readonly gcPauseTotalMs: number;
}

export class GcPauses {
  #durations: number[] = [];
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#durations.push(entry.duration);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The pauses since the previous take (or since construction); then starts over. */
  take(): GcPauseFigures {
    const d = this.#durations;
    this.#durations = [];
    return summarizeGcPauses(d);
  }

  stop(): void {
    this.#observer.disconnect();
  }
}

/** Figures of a list of pause durations (ms). */
export function summarizeGcPauses(durations: readonly number[]): GcPauseFigures {
  let max = Number.NaN;
  let total = 0;
  for (const d of durations) {
    total += d;
    if (!(d <= max)) max = d;
  }
  return { gcPauses: durations.length, gcPauseP50Ms: median(durations), gcPauseMaxMs: max, gcPauseTotalMs: total };
}
