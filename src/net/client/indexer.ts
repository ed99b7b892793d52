// The informer's local cache: objects by key (`namespace/name`, or `name` when cluster-scoped, as
// client-go's MetaNamespaceKeyFunc), with secondary indexes maintained on every change.
//
//   indexers:  name → function(object) → index values    e.g. 'namespace' → [ns]
//   indices:   name → value → set of keys                e.g. 'namespace' → 'default' → {…}
//
// Only the informer writes (replace / upsert / remove); controllers read. Objects are stored as
// received (frozen in process): never mutate them.

import type { KubeObject } from '../../core/api/types.js';

export type IndexFunc<T extends KubeObject = KubeObject> = (object: T) => readonly string[];

/** The built-in index: objects by namespace ('' for cluster-scoped). */
export const namespaceIndex = 'namespace';

export function namespaceIndexFunc(object: KubeObject): readonly string[] {
  return [object.metadata.namespace ?? ''];
}

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` without a namespace. */
export function objectKeyOf(object: KubeObject): string {
  const ns = object.metadata.namespace ?? '';
  const name = object.metadata.name ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}

/** Splits a key made by objectKeyOf into namespace and name. */
export function splitObjectKey(key: string): { readonly namespace: string; readonly name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexer(namespaceIndex, namespaceIndexFunc);
  }

  /** Adds an index; existing objects are indexed at once. A name in use is an error. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`indexer "${name}" already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** The object `namespace/name` (namespace '' for cluster-scoped). */
  getByName(namespace: string, name: string): T | undefined {
    return this.items.get(namespace === '' ? name : `${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects whose index function returned `value` under `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.indexKeys(indexName, value);
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.items.get(k);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Keys of the objects under `value` in `indexName`. */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new Error(`index "${indexName}" does not exist`);
    const set = index.get(value);
    return set === undefined ? [] : [...set];
  }

  /** Index values in use under `indexName`. */
  listIndexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new Error(`index "${indexName}" does not exist`);
    return [...index.keys()];
  }

  // ---- writes (the informer only) ----

  /** Sets `key` to `obj`; returns the previous object. */
  upsert(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      if (old !== undefined) removeFromIndex(index, fn(old), key);
      addToIndex(index, fn(obj), key);
    }
    return old;
  }

  /** Removes `key`; returns the object it held. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) removeFromIndex(this.indices.get(name) as Map<string, Set<string>>, fn(old), key);
    return old;
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    let set = index.get(v);
    if (set === undefined) {
      set = new Set();
      index.set(v, set);
    }
    set.add(key);
  }
}

function removeFromIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    const set = index.get(v);
    if (set === undefined) continue;
    set.delete(key);
    if (set.size === 0) index.delete(v);
  }
}
