// The store → watch caches wiring: one store subscription, demultiplexed by resource prefix
// (`/<group>/<plural>/`, src/core/store/keys.ts) to one WatchCache per resource.
//
//   start():  list every registered resource at one revision R (paged), reset each cache to it,
//             then subscribe(R): the store replays what was committed after R, then streams.
//             A CompactedError (R compacted meanwhile) starts over at a newer revision.
//   later registrations load in the background at the hub's revision H; their events are
//             buffered meanwhile and applied after the list.
//   each store batch: every cache with events applies them; every other cache advances to the
//             batch's revision (so bookmarks and "resourceVersion not older than" see progress).

import type { KubeObject } from '../core/api/types.js';
import { resourcePrefix } from '../core/store/keys.js';
import {
  CompactedError,
  type KeyValue,
  type Store,
  type StoreEvent,
  type Unsubscribe,
} from '../core/store/store.js';
import { type CachedResource, WatchCache, type WatchCacheOptions } from './cache.js';

export interface WatchHubOptions {
  /** Options for every cache (per-resource overrides: `register(resource, options)`). */
  readonly cache?: WatchCacheOptions;
  /** Page size of the initial lists (default 10 000). */
  readonly listPageSize?: number;
  /** Attempts at list-then-subscribe before giving up (default 5). */
  readonly startAttemptsMax?: number;
  /**
   * Told when a resource registered after start() could not be loaded (its cache stays not
   * ready: its reads wait and time out). Default: a process warning.
   */
  readonly onLoadError?: (resource: CachedResource, error: unknown) => void;
}

interface Loading {
  readonly cache: WatchCache;
  readonly buffer: StoreEvent<KubeObject>[];
}

export class WatchHub {
  private readonly caches = new Map<string, WatchCache>();
  private readonly loading = new Map<string, Loading>();
  private unsubscribe: Unsubscribe | undefined = undefined;
  private started = false;
  private closed = false;
  /** The revision of the last store batch delivered to the caches. */
  revision = 0;
  private readonly listPageSize: number;
  private readonly startAttemptsMax: number;
  private readonly onEvents = (events: readonly StoreEvent<KubeObject>[]): void => this.dispatch(events);
  /** Per batch: events per cache (reused). */
  private readonly batchByCache = new Map<WatchCache, StoreEvent<KubeObject>[]>();

  constructor(
    private readonly store: Store<KubeObject>,
    private readonly options: WatchHubOptions = {},
  ) {
    this.listPageSize = options.listPageSize ?? 10_000;
    this.startAttemptsMax = options.startAttemptsMax ?? 5;
  }

  /**
   * The cache of `resource`, created on first call. Before start() it is loaded by start(); after,
   * it loads in the background (`cache.ready`, or await `cache.waitForRevision`).
   */
  register(resource: CachedResource, options?: WatchCacheOptions): WatchCache {
    const prefix = resourcePrefix(resource);
    const existing = this.caches.get(prefix);
    if (existing !== undefined) return existing;
    const cache = new WatchCache(resource, { ...this.options.cache, ...options });
    this.caches.set(prefix, cache);
    if (this.started) void this.loadLate(prefix, cache);
    return cache;
  }

  cacheFor(resource: CachedResource): WatchCache | undefined {
    return this.caches.get(resourcePrefix(resource));
  }

  /** Lists every registered resource at one revision and subscribes after it. */
  async start(): Promise<void> {
    if (this.started) throw new Error('WatchHub already started');
    this.started = true;
    let lastError: unknown;
    for (let attempt = 0; attempt < this.startAttemptsMax; attempt++) {
      const revision = this.store.currentRevision;
      try {
        const entries = [...this.caches.entries()];
        const lists = await Promise.all(entries.map(([prefix]) => this.listAll(prefix, revision)));
        if (this.closed) return;
        for (let i = 0; i < entries.length; i++) {
          (entries[i] as [string, WatchCache])[1].reset(lists[i] as KeyValue<KubeObject>[], revision);
        }
        this.revision = revision;
        // May deliver the replay synchronously, before it returns.
        this.unsubscribe = this.store.subscribe(revision, this.onEvents);
        return;
      } catch (e) {
        if (!(e instanceof CompactedError)) throw e;
        lastError = e;
      }
    }
    throw lastError;
  }

  /** Unsubscribes and closes every cache (their watchers end). */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const cache of this.caches.values()) cache.close();
  }

  private async listAll(prefix: string, revision: number): Promise<KeyValue<KubeObject>[]> {
    const out: KeyValue<KubeObject>[] = [];
    let startAfter: string | undefined;
    // Bounded: each page advances startAfter; the store holds finitely many keys.
    for (;;) {
      const page = await this.store.list(prefix, {
        revision,
        limit: this.listPageSize,
        ...(startAfter === undefined ? {} : { startAfter }),
      });
      out.push(...page.items);
      if (!page.more || page.continueKey === undefined) return out;
      startAfter = page.continueKey;
    }
  }

  private async loadLate(prefix: string, cache: WatchCache): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.startAttemptsMax; attempt++) {
      const at = this.revision;
      const loading: Loading = { cache, buffer: [] };
      this.loading.set(prefix, loading);
      try {
        const items = await this.listAll(prefix, at);
        if (this.closed) return;
        cache.reset(items, at);
        this.loading.delete(prefix);
        // Buffered events all came after `at` (buffering began when the hub was at `at`).
        cache.apply(loading.buffer, this.revision);
        return;
      } catch (e) {
        this.loading.delete(prefix);
        lastError = e;
        if (!(e instanceof CompactedError)) break;
      }
    }
    const report =
      this.options.onLoadError ??
      ((r: CachedResource, e: unknown) =>
        process.emitWarning(`watch cache for ${r.plural} could not load: ${String(e)}`, 'WatchCacheLoad'));
    report(cache.resource, lastError);
  }

  /** One store batch: demultiplex by prefix, apply, advance the others. */
  private dispatch(events: readonly StoreEvent<KubeObject>[]): void {
    if (events.length === 0) return;
    const batch = this.batchByCache;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i] as StoreEvent<KubeObject>;
      const key = ev.key;
      const slash = key.indexOf('/', key.indexOf('/', 1) + 1);
      const prefix = slash < 0 ? key : key.slice(0, slash + 1);
      const cache = this.caches.get(prefix);
      if (cache === undefined) continue;
      const loading = this.loading.get(prefix);
      if (loading !== undefined) {
        loading.buffer.push(ev);
        continue;
      }
      let list = batch.get(cache);
      if (list === undefined) batch.set(cache, (list = []));
      list.push(ev);
    }
    const through = (events[events.length - 1] as StoreEvent<KubeObject>).revision;
    this.revision = through;
    for (const cache of this.caches.values()) {
      if (!cache.ready) continue;
      const list = batch.get(cache);
      if (list === undefined) cache.advance(through);
      else cache.apply(list, through);
    }
    batch.clear();
  }
}
