// Test fixtures for the watch cache: pods, and a model store that produces committed StoreEvents
// with revisions, remembers every revision's state, and answers "what was true at revision r".

import type { KubeObject } from '../../src/core/api/types.js';
import type { KeyValue, StoreEvent } from '../../src/core/store/store.js';

export const podsResource = {
  group: '',
  plural: 'pods',
  kind: 'Pod',
  apiVersion: 'v1',
  namespaced: true,
} as const;

export function podKey(ns: string, name: string): string {
  return `/core/pods/${ns}/${name}`;
}

export function pod(
  ns: string,
  name: string,
  labels: Record<string, string> = {},
  nodeName?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, labels },
    spec: nodeName === undefined ? { containers: [] } : { containers: [], nodeName },
  };
}

interface Version {
  readonly value: KubeObject;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

/** A deterministic PRNG (mulberry32), so a failing seed replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A model store: the truth the cache is checked against. */
export class ModelStore {
  revision: number;
  readonly state = new Map<string, Version>();
  /** Every committed event, in order. */
  readonly log: StoreEvent<KubeObject>[] = [];

  constructor(startRevision = 1) {
    this.revision = startRevision;
  }

  private kv(key: string, v: Version): KeyValue<KubeObject> {
    return {
      key,
      value: v.value,
      createRevision: v.createRevision,
      modRevision: v.modRevision,
      version: v.version,
    };
  }

  /** Writes in one transaction (one revision); returns the events. */
  txn(
    writes: readonly { readonly key: string; readonly value: KubeObject | undefined }[],
  ): StoreEvent<KubeObject>[] {
    const rev = ++this.revision;
    const out: StoreEvent<KubeObject>[] = [];
    for (const w of writes) {
      const before = this.state.get(w.key);
      const prev = before === undefined ? undefined : this.kv(w.key, before);
      if (w.value === undefined) {
        if (before === undefined) continue;
        this.state.delete(w.key);
        out.push({ type: 'delete', key: w.key, revision: rev, kv: undefined, prev });
      } else {
        const v: Version = {
          value: w.value,
          createRevision: before?.createRevision ?? rev,
          modRevision: rev,
          version: (before?.version ?? 0) + 1,
        };
        this.state.set(w.key, v);
        out.push({
          type: before === undefined ? 'create' : 'update',
          key: w.key,
          revision: rev,
          kv: this.kv(w.key, v),
          prev,
        });
      }
    }
    this.log.push(...out);
    return out;
  }

  put(key: string, value: KubeObject): StoreEvent<KubeObject>[] {
    return this.txn([{ key, value }]);
  }

  del(key: string): StoreEvent<KubeObject>[] {
    return this.txn([{ key, value: undefined }]);
  }

  list(): KeyValue<KubeObject>[] {
    return [...this.state.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => this.kv(k, v));
  }

  /** The state at `revision`: key → [object, modRevision], rebuilt from the log. */
  stateAt(revision: number, initial: ReadonlyMap<string, readonly [KubeObject, number]> = new Map()) {
    const s = new Map<string, readonly [KubeObject, number]>(initial);
    for (const ev of this.log) {
      if (ev.revision > revision) break;
      if (ev.type === 'delete') s.delete(ev.key);
      else s.set(ev.key, [(ev.kv as KeyValue<KubeObject>).value, ev.revision]);
    }
    return s;
  }
}
