// CycleState: per-pod scratch for one scheduling cycle, written once in PreFilter/PreScore and read
// many times in Filter/Score, keyed per plugin. Values must be plain data (numbers, strings, arrays,
// typed arrays, plain objects): the parallel path hands a copy to the workers by structured clone,
// so a plugin's Filter and Score on a worker read exactly what its PreFilter wrote on the main thread.

import { sortedHas } from './sorted-ints.js';

/** A typed key: the plugin that owns the entry names it; the type parameter says what it holds. */
export interface StateKey<T> {
  readonly name: string;
  /** Phantom: never set; carries T. */
  readonly __type?: T;
}

export function stateKey<T>(name: string): StateKey<T> {
  return Object.freeze({ name }) as StateKey<T>;
}

export class CycleState {
  private readonly data: Map<string, unknown>;
  /** Plugins whose PreFilter returned Skip: their Filter is not run for this pod. */
  readonly skipFilter = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run for this pod. */
  readonly skipScore = new Set<string>();
  /**
   * kube-scheduler's PreFilterResult, merged: when set, only these live nodes (ascending indices)
   * can fit, and only they are filtered and scored; the others are absent from the cycle.
   */
  preFilterNodes: Int32Array | undefined = undefined;
  /** The PreFilter plugins that narrowed the node set (named in the absent nodes' reason). */
  preFilterNarrowedBy: readonly string[] = [];

  /**
   * Entries written since this state was cloned (undefined: not a clone). A what-if (kube's
   * PreFilterExtensions AddPod / RemovePod on a state copy) copies an entry before its first change
   * and may change its own copy in place afterwards (owns).
   */
  private readonly owned: Set<string> | undefined;

  constructor(entries?: Iterable<readonly [string, unknown]>, cloned = false) {
    this.data = new Map(entries);
    this.owned = cloned ? new Set() : undefined;
  }

  write<T>(key: StateKey<T>, value: T): void {
    this.data.set(key.name, value);
    this.owned?.add(key.name);
  }

  /** Whether this is a clone whose entry under `key` was written since it was cloned (see owned). */
  owns<T>(key: StateKey<T>): boolean {
    return this.owned !== undefined && this.owned.has(key.name);
  }

  /** A shallow copy (kube's CycleState.Clone): entries are shared until a what-if rewrites them. */
  clone(): CycleState {
    const c = new CycleState(this.data, true);
    for (const n of this.skipFilter) c.skipFilter.add(n);
    for (const n of this.skipScore) c.skipScore.add(n);
    c.preFilterNodes = this.preFilterNodes;
    c.preFilterNarrowedBy = this.preFilterNarrowedBy;
    return c;
  }

  read<T>(key: StateKey<T>): T | undefined {
    return this.data.get(key.name) as T | undefined;
  }

  /** The entries as plain data, for a worker (see the note at the top). */
  /** Whether `node` takes part in the cycle (no PreFilter narrowing, or inside it). */
  includes(node: number): boolean {
    const set = this.preFilterNodes;
    return set === undefined || sortedHas(set, node);
  }

  entries(): [string, unknown][] {
    return [...this.data];
  }
}
