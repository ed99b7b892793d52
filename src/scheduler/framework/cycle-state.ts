// CycleState: per-pod scratch for one scheduling cycle, written once in PreFilter/PreScore and read
// many times in Filter/Score, keyed per plugin. Values must be plain data (numbers, strings, arrays,
// typed arrays, plain objects): the parallel path hands a copy to the workers by structured clone,
// so a plugin's Filter and Score on a worker read exactly what its PreFilter wrote on the main thread.

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

  constructor(entries?: Iterable<readonly [string, unknown]>) {
    this.data = new Map(entries);
  }

  write<T>(key: StateKey<T>, value: T): void {
    this.data.set(key.name, value);
  }

  read<T>(key: StateKey<T>): T | undefined {
    return this.data.get(key.name) as T | undefined;
  }

  /** The entries as plain data, for a worker (see the note at the top). */
  /** Whether `node` takes part in the cycle (no PreFilter narrowing, or inside it). */
  includes(node: number): boolean {
    const set = this.preFilterNodes;
    if (set === undefined) return true;
    let lo = 0;
    let hi = set.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = set[mid] as number;
      if (v === node) return true;
      if (v < node) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  entries(): [string, unknown][] {
    return [...this.data];
  }
}
