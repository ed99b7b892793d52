// Informers: a local, indexed, always-catching-up copy of one resource (client-go's shared
// informer, simplified), fed by list + watch over any ClusterApi (HTTP or in process).
//
//   ┌─ list (paged, consistent) ──► replace store ─► synced ─┐
//   │                                                        ▼
//   │              ┌──── watch from rv (allowWatchBookmarks) ◄────────────┐
//   │              ▼                                                     │
//   │   ADDED/MODIFIED/DELETED → store + handlers, rv = object's rv      │
//   │   BOOKMARK               → rv = bookmark's rv                      │
//   │   normal end (timeout, overflow) ──────────────────────────────────┘ resume from rv
//   └── ERROR 410 / HTTP 410 (rv older than the server's window): re-list
//       any other failure: back off (exponential, jittered, 100 ms → 10 s), then resume or re-list
//
// Handlers run synchronously on the informer's loop, in event order; keep them short (enqueue a
// key into a WorkQueue and return). A handler added after the informer synced first receives every
// object already in the store as onAdd. A re-list reports only differences: objects whose
// resourceVersion changed (onUpdate), new ones (onAdd) and vanished ones (onDelete, with the last
// state the store held); unchanged objects are not reported again (resync is for that).
//
// Objects in the store are shared: frozen in process and from msgpack watches; never mutate them.

import type { KubeObject } from '../../core/api/types.js';
import { StatusError, isStatusError, type Status } from '../../core/errors.js';
import type { ClusterApi, ResourceType, WatchEvent, WatchStream } from '../api.js';
import { Indexer, objectKeyOf, type IndexFunc } from './indexer.js';

export interface InformerOptions {
  /** '' or absent: every namespace. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Every object is handed to onUpdate(obj, obj) this often; 0 or absent: never. */
  readonly resyncPeriodMs?: number;
  /** Objects per LIST page. Default 500 (kubectl's and client-go's page size). */
  readonly pageSize?: number;
  /** First retry delay after a failure. Default 100 ms. */
  readonly backoffInitialMs?: number;
  /** Longest retry delay. Default 10 s. */
  readonly backoffMaxMs?: number;
  /**
   * timeoutSeconds of each watch request. Default: random in [300, 600), as client-go, so that
   * many informers do not reconnect in step.
   */
  readonly watchTimeoutSeconds?: number;
  /** Failures the informer recovers from (it logs nothing itself). */
  readonly onError?: (error: unknown) => void;
}

export interface EventHandler<T extends KubeObject = KubeObject> {
  /** `isInInitialList`: the object came from a (re-)list rather than a watch event. */
  onAdd?(object: T, isInInitialList: boolean): void;
  onUpdate?(oldObject: T, newObject: T): void;
  /** The object's last state: the DELETED event's, or the stored one when a re-list found it gone. */
  onDelete?(object: T): void;
}

/** Counters for tests and metrics. */
export interface InformerStats {
  /** Complete lists (initial and re-lists). */
  lists: number;
  /** Re-lists caused by 410 Expired. */
  expiredRelists: number;
  /** Watch requests started. */
  watches: number;
  /** Watches that ended normally and were resumed from the last resourceVersion. */
  resumes: number;
  /** Failures followed by a backoff. */
  failures: number;
}

/** What ended one watch. */
type WatchOutcome = 'ended' | 'expired' | 'stopped';

const pagesMax = 1_000_000;

export class Informer<T extends KubeObject = KubeObject> {
  readonly indexer = new Indexer<T>();
  readonly stats: InformerStats = { lists: 0, expiredRelists: 0, watches: 0, resumes: 0, failures: 0 };
  private readonly handlers: EventHandler<T>[] = [];
  private readonly namespace: string;
  private readonly pageSize: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly onError: (error: unknown) => void;
  /** resourceVersion to resume the watch from; '' means a list is needed. */
  private rv = '';
  private synced = false;
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private started = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private currentWatch: WatchStream<T> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private sleepResolve: (() => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;

  constructor(
    private readonly api: ClusterApi,
    readonly resource: ResourceType,
    private readonly options: InformerOptions = {},
  ) {
    this.namespace = options.namespace ?? '';
    this.pageSize = options.pageSize ?? 500;
    this.backoffInitialMs = options.backoffInitialMs ?? 100;
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000;
    this.onError = options.onError ?? (() => undefined);
    if (!(this.pageSize >= 1)) throw new RangeError(`pageSize must be at least 1, got ${this.pageSize}`);
    if (!(this.backoffInitialMs > 0 && this.backoffMaxMs >= this.backoffInitialMs)) {
      throw new RangeError(`need 0 < backoffInitialMs <= backoffMaxMs, got ${this.backoffInitialMs}, ${this.backoffMaxMs}`);
    }
  }

  /** The resourceVersion the store reflects (last event or bookmark seen); '' before the first list. */
  get lastSyncResourceVersion(): string {
    return this.rv;
  }

  /** Adds a handler; returns its removal. After sync it first receives the store as onAdd. */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.push(handler);
    if (this.synced && handler.onAdd !== undefined) {
      for (const obj of this.indexer.list()) this.call(handler, 'add', obj, undefined);
    }
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexer.addIndexer(name, fn);
  }

  /** Starts listing and watching (once; later calls do nothing). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.loop = this.run();
    const resyncMs = this.options.resyncPeriodMs ?? 0;
    if (resyncMs > 0) this.resyncTimer = setInterval(() => this.resync(), resyncMs);
  }

  /** True once the first list was applied to the store. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if stopped first or `timeoutMs` passed. */
  waitForSync(timeoutMs = 60_000): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        const i = this.syncWaiters.indexOf(done);
        if (i >= 0) this.syncWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (synced: boolean): void => {
        clearTimeout(timer);
        resolve(synced);
      };
      this.syncWaiters.push(done);
    });
  }

  /** Stops watching; resolves when the loop has ended (a list in flight completes first). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    this.currentWatch?.close();
    this.wakeSleep();
    this.settleSyncWaiters(false);
    await this.loop;
  }

  // ---- the loop ----

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.rv === '') await this.listAndReplace();
        if (this.stopped) break;
        const startedMs = Date.now();
        const { outcome, events } = await this.watchOnce();
        if (outcome === 'stopped') break;
        if (outcome === 'expired') {
          this.rv = '';
          this.stats.expiredRelists++;
          this.consecutiveFailures = 0;
          continue;
        }
        this.stats.resumes++;
        // A watch the server ends at once with nothing in it, again and again, is a problem on
        // its side: do not spin on it.
        if (events === 0 && Date.now() - startedMs < 1000) await this.backoff();
        else this.consecutiveFailures = 0;
      } catch (e) {
        if (this.stopped) break;
        if (isStatusError(e) && e.code === 410) {
          // The resourceVersion we resume from fell out of the window: only a list helps.
          this.rv = '';
          this.stats.expiredRelists++;
        }
        this.stats.failures++;
        this.onError(e);
        await this.backoff();
      }
    }
    this.settleSyncWaiters(false);
  }

  private async listAndReplace(): Promise<void> {
    let items: T[] = [];
    let rv = '';
    let cont = '';
    try {
      for (let page = 0; page < pagesMax; page++) {
        const list = await this.api.list<T>(this.resource, this.namespace, this.listOptions(this.pageSize, cont));
        if (page === 0) rv = list.metadata.resourceVersion ?? '';
        for (let i = 0; i < list.items.length; i++) items.push(list.items[i] as T);
        cont = list.metadata.continue ?? '';
        if (cont === '' || this.stopped) break;
      }
    } catch (e) {
      // The continue token expired mid-way (the writes outran the window): one unpaged list,
      // as client-go's pager falls back to.
      if (!(isStatusError(e) && e.code === 410 && cont !== '')) throw e;
      const list = await this.api.list<T>(this.resource, this.namespace, this.listOptions(0, ''));
      items = list.items;
      rv = list.metadata.resourceVersion ?? '';
    }
    if (this.stopped) return;
    this.replace(items, rv);
  }

  private listOptions(limit: number, cont: string): { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string } {
    const o: { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string } = {};
    if (this.options.labelSelector !== undefined) o.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector !== undefined) o.fieldSelector = this.options.fieldSelector;
    if (limit > 0) o.limit = limit;
    if (cont !== '') o.continue = cont;
    return o;
  }

  /** Makes the store equal `items` (at `rv`), telling handlers what changed. */
  private replace(items: readonly T[], rv: string): void {
    const seen = new Set<string>();
    for (let i = 0; i < items.length; i++) {
      const obj = items[i] as T;
      const key = objectKeyOf(obj);
      seen.add(key);
      const old = this.indexer.upsert(key, obj);
      if (old === undefined) this.dispatch('add', obj, undefined, true);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.dispatch('update', obj, old, true);
    }
    if (this.indexer.size > seen.size) {
      for (const key of this.indexer.listKeys()) {
        if (seen.has(key)) continue;
        const old = this.indexer.remove(key);
        if (old !== undefined) this.dispatch('delete', old, undefined, true);
      }
    }
    this.rv = rv;
    this.stats.lists++;
    this.consecutiveFailures = 0;
    if (!this.synced) {
      this.synced = true;
      this.settleSyncWaiters(true);
    }
  }

  private async watchOnce(): Promise<{ outcome: WatchOutcome; events: number }> {
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const o: { labelSelector?: string; fieldSelector?: string; resourceVersion: string; allowWatchBookmarks: true; timeoutSeconds: number } = {
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    if (this.options.labelSelector !== undefined) o.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector !== undefined) o.fieldSelector = this.options.fieldSelector;
    this.stats.watches++;
    const stream = await this.api.watch<T>(this.resource, this.namespace, o);
    this.currentWatch = stream;
    let events = 0;
    try {
      if (this.stopped) return { outcome: 'stopped', events };
      if (stream.nextBatch !== undefined) {
        // One promise per batch of events (the HTTP client's), not per event.
        for (let batch = await stream.nextBatch(); batch !== undefined; batch = await stream.nextBatch()) {
          for (let i = 0; i < batch.length; i++) {
            if (this.stopped) return { outcome: 'stopped', events };
            events++;
            const outcome = this.apply(batch[i] as WatchEvent<T>);
            if (outcome !== undefined) return { outcome, events };
          }
        }
        return { outcome: this.stopped ? 'stopped' : 'ended', events };
      }
      for await (const ev of stream) {
        if (this.stopped) return { outcome: 'stopped', events };
        events++;
        const outcome = this.apply(ev);
        if (outcome !== undefined) return { outcome, events };
      }
      return { outcome: this.stopped ? 'stopped' : 'ended', events };
    } finally {
      this.currentWatch = undefined;
      stream.close();
    }
  }

  /** Applies one event; returns an outcome when the event ends the watch. */
  private apply(ev: WatchEvent<T>): WatchOutcome | undefined {
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const obj = ev.object as T;
        const old = this.indexer.upsert(objectKeyOf(obj), obj);
        if (old === undefined) this.dispatch('add', obj, undefined, false);
        else this.dispatch('update', obj, old, false);
        this.rv = obj.metadata.resourceVersion ?? this.rv;
        return undefined;
      }
      case 'DELETED': {
        const obj = ev.object as T;
        this.indexer.remove(objectKeyOf(obj));
        this.dispatch('delete', obj, undefined, false);
        this.rv = obj.metadata.resourceVersion ?? this.rv;
        return undefined;
      }
      case 'BOOKMARK': {
        const rv = (ev.object as T).metadata?.resourceVersion;
        if (rv !== undefined && rv !== '') this.rv = rv;
        return undefined;
      }
      case 'ERROR': {
        const status = ev.object as Status;
        if (status.code === 410) return 'expired';
        throw new StatusError(status.reason === '' ? 'InternalError' : status.reason, status.message, status.details, status.code);
      }
      default: {
        const never: never = ev.type;
        throw new Error(`unknown watch event type ${String(never)}`);
      }
    }
  }

  // ---- handlers ----

  private dispatch(what: 'add' | 'update' | 'delete', obj: T, old: T | undefined, inInitialList: boolean): void {
    for (let i = 0; i < this.handlers.length; i++) this.call(this.handlers[i] as EventHandler<T>, what, obj, old, inInitialList);
  }

  private call(h: EventHandler<T>, what: 'add' | 'update' | 'delete', obj: T, old: T | undefined, inInitialList = true): void {
    try {
      switch (what) {
        case 'add':
          h.onAdd?.(obj, inInitialList);
          break;
        case 'update':
          h.onUpdate?.(old as T, obj);
          break;
        case 'delete':
          h.onDelete?.(obj);
          break;
        default: {
          const never: never = what;
          throw new Error(`unknown handler call ${String(never)}`);
        }
      }
    } catch (e) {
      // A failing handler must not stop the informer or starve the other handlers.
      this.onError(e);
    }
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.indexer.list()) this.dispatch('update', obj, obj, false);
  }

  // ---- waiting ----

  private settleSyncWaiters(synced: boolean): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w(synced);
  }

  /** Sleeps the next backoff delay: initial × 2^failures capped at max, jittered to [½, 1]×. */
  private backoff(): Promise<void> {
    const ceilingMs = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(this.consecutiveFailures, 30));
    this.consecutiveFailures++;
    const delayMs = ceilingMs * (0.5 + Math.random() * 0.5);
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.sleepResolve = resolve;
      this.sleepTimer = setTimeout(() => this.wakeSleep(), delayMs);
    });
  }

  private wakeSleep(): void {
    if (this.sleepTimer !== undefined) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const resolve = this.sleepResolve;
    this.sleepResolve = undefined;
    resolve?.();
  }
}

/** Creates an informer (not started). */
export function createInformer<T extends KubeObject = KubeObject>(api: ClusterApi, resource: ResourceType, options: InformerOptions = {}): Informer<T> {
  return new Informer<T>(api, resource, options);
}

/**
 * One informer per resource and selector, shared by every controller that asks for it (client-go's
 * SharedInformerFactory): one list + watch, one store, many handlers.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly api: ClusterApi,
    private readonly defaults: InformerOptions = {},
  ) {}

  /**
   * The informer for `resource` with these selectors; the first request creates it (with its
   * other options), later ones share it. Started at once if the factory was started.
   */
  informerFor<T extends KubeObject = KubeObject>(resource: ResourceType, options: InformerOptions = {}): Informer<T> {
    const merged: InformerOptions = { ...this.defaults, ...options };
    const key = [resource.group, resource.version, resource.plural, merged.namespace ?? '', merged.labelSelector ?? '', merged.fieldSelector ?? ''].join('\u0000');
    let informer = this.informers.get(key);
    if (informer === undefined) {
      informer = new Informer(this.api, resource, merged);
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer, and those requested later. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** True when every informer synced within `timeoutMs`. */
  async waitForCacheSync(timeoutMs = 60_000): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(timeoutMs)));
    return results.every((r) => r);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
