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
  entries(): [string, unknown][] {
    return [...this.data];
  }
}
