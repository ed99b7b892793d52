// The watch cache of one resource: its current objects, a ring of recent events, and its watchers.
// It is fed committed store events through `apply()` (by WatchHub from the store's subscription,
// or directly by tests and benchmarks) and serves GET, LIST and WATCH from memory.
//
// Revisions. `revision` is the latest revision the cache reflects (it advances with this
// resource's events and with `advance()`, which the hub calls with every store batch, so other
// resources' writes move it too). `windowRevision` (W) is the oldest revision the cache can serve
// from: every event of this resource after W is in the ring. A watch or exact list from R works
// iff W <= R <= revision; R < W is 410 Expired ("too old resource version: R (W)"), R > revision
// waits up to `futureWaitMs` for the cache to get there.
//
// Fan-out. Watchers that have caught up with the ring (SYNCED) sit in exactly one group, chosen by
// the most selective index their filter allows:
//
//     byNode[nodeName]   pods watched with an exact spec.nodeName=  (every node agent)
//     byNamespace[ns]    watches of one namespace
//     all                everything else
//
// An event visits `all`, its namespace's group and the groups of its node before and after (a
// binding moves a pod from node '' to node X), so its cost is proportional to the watchers that
// may match it, not to all watchers. Each watcher then evaluates its own full filter.
//
// Ownership: everything here is written only by this class, on the thread that calls apply().

import type { KubeObject, ListMeta } from '../core/api/types.js';
import { resourcePrefix } from '../core/store/keys.js';
import type { KeyValue, StoreEvent } from '../core/store/store.js';
import { StatusError, badRequest } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { decodeContinue, encodeContinue } from './continue.js';
import {
  continueExpired,
  invalidResourceVersion,
  tooLargeResourceVersion,
  tooOldResourceVersion,
} from './errors.js';
import { CacheEvent, Encodable, Entry, WatchItem, deepFreeze, stampRevision } from './items.js';
import { EventRing } from './ring.js';
import { KeySlot, SortedEntries } from './sorted.js';
import { type CompiledFilter, Watcher, WatcherState } from './watcher.js';

/** The resource a cache holds. src/core/api/kinds.ts's KindInfo satisfies it. */
export interface CachedResource {
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

export interface WatchCacheOptions {
  /** Events older than this leave the ring (default limits.historyWindowMs, 5 minutes). */
  readonly historyWindowMs?: number;
  /** The ring holds at most this many events (default limits.historyRevisionsMax). */
  readonly historyEventsMax?: number;
  /** Default bound of each watcher's buffer (default limits.watchBufferEventsMax). */
  readonly bufferEventsMax?: number;
  /** Period of BOOKMARK events for watchers that allow them (default 60 s, as kube-apiserver). */
  readonly bookmarkIntervalMs?: number;
  /** How long a request for a revision newer than the cache waits (default 3 s). */
  readonly futureWaitMs?: number;
  /** Index objects by spec.nodeName (default: true for core pods). */
  readonly indexNodeName?: boolean;
  /** The clock (tests). */
  readonly nowMs?: () => number;
}

/** What a watch selects. Selectors compile to this (see selectors.ts). */
export interface WatchFilter {
  /** Only this namespace ('' or undefined: all). */
  readonly namespace?: string;
  /** Only pods with exactly this spec.nodeName ('' = unbound). Needs a node-indexed cache. */
  readonly nodeName?: string;
  /** Anything else (label and field selectors): true to include the object. */
  readonly predicate?: (object: KubeObject) => boolean;
}

export interface WatchRequest {
  /** '' or undefined: now, with the state; '0': any, with the state; '<n>': events after n. */
  readonly resourceVersion?: string;
  /** Watch-list: send the state as ADDED, then a BOOKMARK annotated k8s.io/initial-events-end. */
  readonly sendInitialEvents?: boolean;
  readonly allowWatchBookmarks?: boolean;
  /** The watch ends (normally) after this long. */
  readonly timeoutSeconds?: number;
  readonly filter?: WatchFilter;
  /** Overrides the cache's default buffer bound for this watcher. */
  readonly bufferEventsMax?: number;
}

export interface ListRequest {
  readonly filter?: WatchFilter;
  /** Page size (0 or undefined: everything). */
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export interface ListResult {
  /** Frozen objects in key order (built on first access from `entries`); never mutate them. */
  readonly items: readonly KubeObject[];
  /** The same, with their cached encodings (`entry.bytes(codec)`) for the response writer. */
  readonly entries: readonly Entry[];
  /** The revision the list is consistent at. */
  readonly resourceVersion: string;
  /** Set when more items follow: pass it back as `continue`. */
  readonly continue: string | undefined;
  /**
   * With `continue`, how many items follow this page at `resourceVersion`, when that is known:
   * only for lists without label or field selectors (kube-apiserver's pred.Empty()); undefined
   * on the last page and with selectors.
   */
  readonly remainingItemCount: number | undefined;
}

/** A list response's metadata (ListMeta, in its field order) from a cache list. */
export function listMetaOf(result: ListResult): ListMeta {
  const meta: ListMeta = { resourceVersion: result.resourceVersion };
  if (result.continue !== undefined) meta.continue = result.continue;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  return meta;
}

/** A LIST result; `items` is derived on demand (a server writing cached bytes never needs it). */
class CachedList implements ListResult {
  private itemsCache: KubeObject[] | undefined = undefined;

  readonly continue: string | undefined;
  readonly remainingItemCount: number | undefined;

  constructor(
    readonly entries: readonly Entry[],
    readonly resourceVersion: string,
    continueToken: string | undefined,
    remainingItemCount: number | undefined,
  ) {
    this.continue = continueToken;
    this.remainingItemCount = remainingItemCount;
  }

  get items(): readonly KubeObject[] {
    if (this.itemsCache === undefined) this.itemsCache = objectsOf(this.entries);
    return this.itemsCache;
  }
}

/** Counters, for metrics and tests. */
export interface WatchCacheStats {
  readonly objects: number;
  readonly ringEvents: number;
  readonly watchers: number;
  readonly syncedWatchers: number;
  readonly endedByOverflow: number;
  readonly eventsApplied: number;
}

interface Overlay {
  /** Key → the entry it had at the overlay's revision (undefined: absent then). */
  readonly before: Map<string, Entry | undefined>;
  keys: string[];
  builtToSeq: number;
}

const overlaysMax = 8;

/**
 * Remaining counts remembered for the next page (see remainingAfterPage). A miss costs a scan of
 * the rest of the list, so the bound only has to cover the paginated lists in flight.
 */
const remainingMemoMax = 256;

export class WatchCache {
  readonly prefix: string;
  readonly ring: EventRing;
  revision = 0;
  windowRevision = 0;
  ready = false;

  private readonly byKey = new Map<string, KeySlot>();
  private readonly sorted = new SortedEntries();
  /** nodeName → the slots of the objects on that node (node-indexed caches only). */
  private readonly entriesByNode = new Map<string, Set<KeySlot>>();
  /** namespace → how many objects it holds now (namespaced resources), for remainingItemCount. */
  private readonly countByNamespace = new Map<string, number>();
  /**
   * `revision\0listPrefix\0lastKey` of a page served → the items after it at that revision, so
   * the next page's count is this minus its length instead of a scan (pages of one list are
   * consecutive ranges at one revision). Oldest first; at most remainingMemoMax.
   */
  private readonly remainingMemo = new Map<string, number>();

  private readonly all: Watcher[] = [];
  private readonly watchersByNamespace = new Map<string, Watcher[]>();
  private readonly watchersByNode = new Map<string, Watcher[]>();
  private readonly bookmarkWatchers: Watcher[] = [];
  /** INITIAL and UNSYNCED watchers: they read the snapshot and the ring, outside the groups. */
  private readonly catchingUp = new Set<Watcher>();
  /** WAITING watchers (future revision, or the cache not ready yet). */
  private waiting: Watcher[] = [];
  private readonly waitTimers = new Map<Watcher, NodeJS.Timeout>();
  private readonly revisionWaiters: {
    readonly revision: number;
    readonly resolve: () => void;
    readonly reject: (e: StatusError) => void;
    readonly timer: NodeJS.Timeout;
  }[] = [];
  private watcherCount = 0;

  /** True inside apply(): group removals are deferred until the loops are done. */
  private applying = false;
  private readonly pendingRemovals: Watcher[] = [];
  private notifyList: Watcher[] = [];
  private notifyScheduledFlag = false;
  private readonly flushNotifies = (): void => this.runNotifies();

  private readonly overlays = new Map<number, Overlay>();
  private bookmarkTimer: NodeJS.Timeout | undefined = undefined;
  private bookmarkCache: WatchItem | undefined = undefined;
  private closed = false;

  private readonly historyWindowMs: number;
  private readonly bufferEventsMax: number;
  private readonly bookmarkIntervalMs: number;
  readonly futureWaitMs: number;
  readonly indexNodeName: boolean;
  private readonly nowMs: () => number;
  private overflowCount = 0;
  private appliedCount = 0;

  constructor(
    readonly resource: CachedResource,
    options: WatchCacheOptions = {},
  ) {
    this.prefix = resourcePrefix(resource);
    this.ring = new EventRing(options.historyEventsMax ?? limits.historyRevisionsMax);
    this.historyWindowMs = options.historyWindowMs ?? limits.historyWindowMs;
    this.bufferEventsMax = options.bufferEventsMax ?? limits.watchBufferEventsMax;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.futureWaitMs = options.futureWaitMs ?? 3000;
    this.indexNodeName =
      options.indexNodeName ?? (resource.group === '' && resource.plural === 'pods');
    this.nowMs = options.nowMs ?? Date.now;
  }

  // ---- feeding ----

  /**
   * Loads the state at `revision` (the initial list, or a re-list after the feed broke). Ends
   * every watcher (they resume, and get 410 if they were behind) and empties the ring.
   */
  reset(items: readonly KeyValue<KubeObject>[], revision: number): void {
    // The first load starts the watchers waiting for it; a re-list ends everyone.
    if (this.ready) this.endAll('resync');
    this.byKey.clear();
    this.sorted.clear();
    this.entriesByNode.clear();
    this.countByNamespace.clear();
    this.remainingMemo.clear();
    this.ring.clear();
    this.overlays.clear();
    for (let i = 0; i < items.length; i++) {
      const kv = items[i] as KeyValue<KubeObject>;
      if (kv.modRevision > revision) throw new Error(`invariant: ${kv.key} newer than list revision`);
      this.setEntry(this.newEntry(kv.key, kv.value, kv.modRevision));
    }
    this.revision = revision;
    this.windowRevision = revision;
    this.ready = true;
    this.afterRevisionMoved();
    this.flushLater();
  }

  /**
   * Applies committed events of this resource, in revision order (all of one revision together),
   * and then moves the cache to `throughRevision` if given (the store batch's last revision).
   */
  apply(events: readonly StoreEvent<KubeObject>[], throughRevision?: number): void {
    if (!this.ready) throw new Error('invariant: apply() before reset()');
    this.applying = true;
    try {
      const now = this.nowMs();
      for (let i = 0; i < events.length; i++) {
        this.applyOne(events[i] as StoreEvent<KubeObject>, now);
      }
      if (throughRevision !== undefined && throughRevision > this.revision) {
        this.revision = throughRevision;
      }
      this.evictByAge(now);
    } finally {
      this.applying = false;
    }
    this.afterRevisionMoved();
    this.flushLater();
  }

  /** Moves the revision without events of this resource (other resources were written). */
  advance(revision: number): void {
    if (revision <= this.revision || !this.ready) return;
    this.revision = revision;
    this.afterRevisionMoved();
    this.flushLater();
  }

  /** Drops history up to `revision`: watches and exact lists from before it get 410. */
  compact(revision: number): void {
    const target = Math.min(revision, this.revision);
    while (this.ring.size > 0 && (this.ring.oldest() as CacheEvent).revision <= target) {
      this.evictOldestGroup();
    }
    if (target > this.windowRevision) this.windowRevision = target;
    this.flushLater();
  }

  private applyOne(ev: StoreEvent<KubeObject>, now: number): void {
    const rev = ev.revision;
    if (rev < this.revision) {
      throw new Error(`invariant: event ${rev} for ${ev.key} after revision ${this.revision}`);
    }
    this.appliedCount++;
    let cur: Entry | undefined;
    let prev: Entry | undefined;
    if (ev.type === 'delete') {
      prev = this.byKey.get(ev.key)?.entry;
      if (prev === undefined) {
        // Not ours to know (deleted before the list): nothing to tell anyone.
        this.revision = rev;
        return;
      }
      this.removeEntry(prev);
    } else {
      const kv = ev.kv;
      if (kv === undefined) throw new Error(`invariant: ${ev.type} event without kv for ${ev.key}`);
      cur = this.newEntry(ev.key, kv.value, rev);
      prev = this.setEntry(cur);
    }
    const event = new CacheEvent(rev, ev.key, cur, prev);
    if (this.ring.size >= this.ring.capacityMax) this.evictOldestGroup();
    this.ring.push(event, now);
    this.revision = rev;
    this.fanOut(event);
  }

  private newEntry(key: string, value: KubeObject, revision: number): Entry {
    const object = stampRevision(value, revision);
    const meta = object.metadata;
    const nodeName = this.indexNodeName ? podNodeName(object) : '';
    return new Entry(key, meta.namespace ?? '', meta.name ?? '', nodeName, revision, object);
  }

  /** Makes `e` the current entry of its key; returns the previous one. */
  private setEntry(e: Entry): Entry | undefined {
    const slot = this.byKey.get(e.key);
    if (slot === undefined) {
      const fresh = new KeySlot(e.key, e);
      this.byKey.set(e.key, fresh);
      this.sorted.insert(fresh);
      if (this.indexNodeName) this.nodeSet(e.nodeName).add(fresh);
      if (this.resource.namespaced) {
        this.countByNamespace.set(e.namespace, (this.countByNamespace.get(e.namespace) ?? 0) + 1);
      }
      return undefined;
    }
    const prev = slot.entry;
    slot.set(e);
    if (this.indexNodeName && prev.nodeName !== e.nodeName) {
      this.unindexNode(prev.nodeName, slot);
      this.nodeSet(e.nodeName).add(slot);
    }
    return prev;
  }

  private removeEntry(e: Entry): void {
    const slot = this.byKey.get(e.key);
    if (slot === undefined) return;
    this.byKey.delete(e.key);
    this.sorted.remove(e.key);
    if (this.indexNodeName) this.unindexNode(slot.entry.nodeName, slot);
    if (this.resource.namespaced) {
      const n = (this.countByNamespace.get(slot.entry.namespace) ?? 0) - 1;
      if (n > 0) this.countByNamespace.set(slot.entry.namespace, n);
      else this.countByNamespace.delete(slot.entry.namespace);
    }
  }

  private nodeSet(nodeName: string): Set<KeySlot> {
    let set = this.entriesByNode.get(nodeName);
    if (set === undefined) this.entriesByNode.set(nodeName, (set = new Set()));
    return set;
  }

  private unindexNode(nodeName: string, slot: KeySlot): void {
    const set = this.entriesByNode.get(nodeName);
    if (set === undefined) return;
    set.delete(slot);
    if (set.size === 0) this.entriesByNode.delete(nodeName);
  }

  private evictOldestGroup(): void {
    const first = this.ring.shift();
    while (this.ring.size > 0 && (this.ring.oldest() as CacheEvent).revision === first.revision) {
      this.ring.shift();
    }
    if (first.revision > this.windowRevision) this.windowRevision = first.revision;
    this.dropStaleOverlays();
  }

  private evictByAge(now: number): void {
    const oldestKeptMs = now - this.historyWindowMs;
    // Bounded by the ring's size.
    while (this.ring.size > 0 && this.ring.oldestRecordedAtMs() < oldestKeptMs) {
      this.evictOldestGroup();
    }
  }

  // ---- fan-out (the hot path: no allocation per watcher) ----

  private fanOut(ev: CacheEvent): void {
    // Built once per event, only when someone may receive it.
    let natural: WatchItem | undefined;
    if (this.all.length > 0) deliver(this.all, ev, (natural = ev.natural));
    const ns = ev.cur !== undefined ? ev.cur.namespace : (ev.prev as Entry).namespace;
    if (ns !== '' && this.watchersByNamespace.size > 0) {
      const g = this.watchersByNamespace.get(ns);
      if (g !== undefined) deliver(g, ev, natural ?? (natural = ev.natural));
    }
    if (this.watchersByNode.size > 0) {
      const node = ev.cur !== undefined ? ev.cur.nodeName : undefined;
      const prevNode = ev.prev !== undefined ? ev.prev.nodeName : undefined;
      if (node !== undefined) {
        const g = this.watchersByNode.get(node);
        if (g !== undefined) deliver(g, ev, natural ?? (natural = ev.natural));
      }
      if (prevNode !== undefined && prevNode !== node) {
        const g = this.watchersByNode.get(prevNode);
        if (g !== undefined) deliver(g, ev, natural ?? (natural = ev.natural));
      }
    }
  }

  // ---- watch ----

  /**
   * Starts a watch. Errors found after the request was parsed (410 Expired, too large resource
   * version) arrive as an ERROR item and the end of the stream, as kube-apiserver sends them;
   * only an unparseable resourceVersion throws (a 400 the server answers directly).
   */
  watch(request: WatchRequest = {}): Watcher {
    if (this.closed) throw new StatusError('ServiceUnavailable', 'the watch cache is closed');
    const rvText = request.resourceVersion ?? '';
    const rv = rvText === '' ? -1 : parseRevision(rvText);
    const filter = this.compileFilter(request.filter);
    // Kubernetes' rules: RV unset or "0" sends the state unless sendInitialEvents=false;
    // sendInitialEvents=true sends the state at a revision not older than RV.
    const sendState =
      request.sendInitialEvents === true ||
      (request.sendInitialEvents === undefined && (rv === -1 || rv === 0));
    const timeoutMs =
      request.timeoutSeconds !== undefined && request.timeoutSeconds > 0
        ? request.timeoutSeconds * 1000
        : undefined;
    const w = new Watcher(this, filter, request.bufferEventsMax ?? this.bufferEventsMax, {
      sendState,
      sendInitialEventsEnd: request.sendInitialEvents === true,
      allowBookmarks: request.allowWatchBookmarks === true,
      // -1: "now" (resolved when the watch starts).
      startRevision: rv <= 0 ? -1 : rv,
      timeoutMs,
    });
    this.watcherCount++;
    if (w.allowBookmarks) this.addBookmarkWatcher(w);
    if (!this.ready || (w.startRevision > this.revision)) {
      this.waiting.push(w);
      if (this.ready || w.startRevision > 0) {
        // Not unref'd: a waiting request is work in progress (bounded by futureWaitMs).
        const timer = setTimeout(() => this.waitTimedOut(w), this.futureWaitMs);
        this.waitTimers.set(w, timer);
      }
    } else {
      this.start(w);
    }
    return w;
  }

  private start(w: Watcher): void {
    const timer = this.waitTimers.get(w);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.waitTimers.delete(w);
    }
    if (w.sendState) {
      this.catchingUp.add(w);
      w.startInitial(this.snapshotFor(w.filter), this.revision, this.ring.endSeq);
      return;
    }
    const from = w.startRevision < 0 ? this.revision : w.startRevision;
    if (from < this.windowRevision) {
      w.end('expired', this.expiredItem(from));
      return;
    }
    this.catchingUp.add(w);
    w.startUnsynced(from, this.ring.seqAfter(from));
  }

  private waitTimedOut(w: Watcher): void {
    this.waitTimers.delete(w);
    if (w.state !== WatcherState.Waiting) return;
    const status = tooLargeResourceVersion(w.startRevision, this.revision).status;
    w.end('too-large', new WatchItem('ERROR', this.revision, new Encodable(status)));
  }

  /** The objects a state-sending watch starts with, narrowed by the best index. */
  private snapshotFor(filter: CompiledFilter): Entry[] {
    const out: Entry[] = [];
    if (filter.nodeName !== undefined) {
      const set = this.entriesByNode.get(filter.nodeName);
      if (set !== undefined) for (const slot of set) out.push(slot.entry);
      return out;
    }
    const prefix = filter.namespace === '' ? this.prefix : `${this.prefix}${filter.namespace}/`;
    this.sorted.collectPrefix(prefix, out, undefined);
    return out;
  }

  /** A SYNCED watcher joins its fan-out group (called by the watcher when it caught up). */
  join(w: Watcher): void {
    this.catchingUp.delete(w);
    let group: Watcher[];
    const f = w.filter;
    if (f.nodeName !== undefined) {
      group = this.watchersByNode.get(f.nodeName) ?? [];
      if (group.length === 0) this.watchersByNode.set(f.nodeName, group);
    } else if (f.namespace !== '') {
      group = this.watchersByNamespace.get(f.namespace) ?? [];
      if (group.length === 0) this.watchersByNamespace.set(f.namespace, group);
    } else {
      group = this.all;
    }
    w.group = group;
    w.groupIndex = group.length;
    group.push(w);
  }

  /** The watcher ended: forget it (deferred while apply() iterates the groups). */
  detach(w: Watcher, wasIn: WatcherState): void {
    if (wasIn === WatcherState.Waiting) {
      const timer = this.waitTimers.get(w);
      if (timer !== undefined) clearTimeout(timer);
      this.waitTimers.delete(w);
      const i = this.waiting.indexOf(w);
      if (i >= 0) this.waiting.splice(i, 1);
    }
    this.catchingUp.delete(w);
    if (this.applying) this.pendingRemovals.push(w);
    else this.removeFromGroups(w);
    this.watcherCount--;
  }

  private removeFromGroups(w: Watcher): void {
    if (w.endReason === 'overflow') this.overflowCount++;
    const g = w.group;
    if (g !== undefined) {
      const last = g.pop() as Watcher;
      if (last !== w) {
        g[w.groupIndex] = last;
        last.groupIndex = w.groupIndex;
      }
      w.group = undefined;
      w.groupIndex = -1;
      if (g.length === 0 && g !== this.all) {
        if (w.filter.nodeName !== undefined) this.watchersByNode.delete(w.filter.nodeName);
        else this.watchersByNamespace.delete(w.filter.namespace);
      }
    }
    if (w.bookmarkIndex >= 0) {
      const b = this.bookmarkWatchers;
      const last = b.pop() as Watcher;
      if (last !== w) {
        b[w.bookmarkIndex] = last;
        last.bookmarkIndex = w.bookmarkIndex;
      }
      w.bookmarkIndex = -1;
      if (b.length === 0 && this.bookmarkTimer !== undefined) {
        clearInterval(this.bookmarkTimer);
        this.bookmarkTimer = undefined;
      }
    }
  }

  private addBookmarkWatcher(w: Watcher): void {
    w.bookmarkIndex = this.bookmarkWatchers.length;
    this.bookmarkWatchers.push(w);
    if (this.bookmarkTimer === undefined) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), this.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  /**
   * Sends a BOOKMARK at the current revision to every synced watcher that allows bookmarks and
   * has not been sent anything at or past it. Runs periodically; tests may call it.
   */
  sendBookmarks(): void {
    const item = this.bookmarkItem(this.revision, false);
    const b = this.bookmarkWatchers;
    for (let i = 0; i < b.length; i++) {
      const w = b[i] as Watcher;
      if (w.state === WatcherState.Synced && w.lastQueuedRevision < this.revision) {
        w.pushBookmark(item);
      }
    }
    this.flushLater();
  }

  /** A BOOKMARK item at `revision` (shared while the revision does not move). */
  bookmarkItem(revision: number, initialEventsEnd: boolean): WatchItem {
    if (!initialEventsEnd && this.bookmarkCache?.revision === revision) return this.bookmarkCache;
    const metadata = initialEventsEnd
      ? { resourceVersion: String(revision), annotations: { 'k8s.io/initial-events-end': 'true' } }
      : { resourceVersion: String(revision) };
    const object = deepFreeze({
      kind: this.resource.kind,
      apiVersion: this.resource.apiVersion,
      metadata,
    });
    const item = new WatchItem('BOOKMARK', revision, new Encodable<KubeObject>(object));
    if (!initialEventsEnd) this.bookmarkCache = item;
    return item;
  }

  /** The ERROR item ending a watch from `requested`, older than the window. */
  expiredItem(requested: number): WatchItem {
    const status = tooOldResourceVersion(requested, this.windowRevision).status;
    return new WatchItem('ERROR', this.revision, new Encodable(status));
  }

  private afterRevisionMoved(): void {
    if (this.waiting.length > 0) {
      const still: Watcher[] = [];
      const ready: Watcher[] = [];
      for (const w of this.waiting) {
        if (this.ready && w.startRevision <= this.revision) ready.push(w);
        else still.push(w);
      }
      this.waiting = still;
      for (const w of ready) this.start(w);
    }
    if (this.revisionWaiters.length > 0) {
      for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
        const waiter = this.revisionWaiters[i] as (typeof this.revisionWaiters)[number];
        if (this.ready && waiter.revision <= this.revision) {
          clearTimeout(waiter.timer);
          this.revisionWaiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
    if (this.pendingRemovals.length > 0) {
      for (const w of this.pendingRemovals) this.removeFromGroups(w);
      this.pendingRemovals.length = 0;
    }
  }

  // ---- notifications ----

  scheduleNotify(w: Watcher): void {
    if (w.notifyScheduled) return;
    w.notifyScheduled = true;
    this.notifyList.push(w);
    if (!this.applying) this.flushLater();
  }

  private flushLater(): void {
    if (this.notifyList.length === 0 || this.notifyScheduledFlag) return;
    this.notifyScheduledFlag = true;
    queueMicrotask(this.flushNotifies);
  }

  private runNotifies(): void {
    this.notifyScheduledFlag = false;
    const list = this.notifyList;
    this.notifyList = [];
    for (let i = 0; i < list.length; i++) (list[i] as Watcher).notify();
  }

  // ---- reads ----

  /** The current object, or undefined. */
  get(namespace: string, name: string): KubeObject | undefined {
    const key = this.resource.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
    return this.byKey.get(key)?.entry.object;
  }

  /** The current entry (object and its cached encodings), or undefined. */
  getEntry(namespace: string, name: string): Entry | undefined {
    const key = this.resource.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
    return this.byKey.get(key)?.entry;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Resolves once the cache reflects `revision`; rejects with 504 Too large resource version. */
  waitForRevision(revision: number, timeoutMs: number = this.futureWaitMs): Promise<void> {
    if (this.ready && revision <= this.revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.revisionWaiters.findIndex((x) => x.timer === timer);
        if (i >= 0) this.revisionWaiters.splice(i, 1);
        reject(tooLargeResourceVersion(revision, this.revision));
      }, timeoutMs);
      this.revisionWaiters.push({ revision, resolve, reject, timer });
    });
  }

  /**
   * LIST with Kubernetes semantics: resourceVersion unset → the latest; "0" → any (the latest
   * here); n with NotOlderThan → at least n (waits up to futureWaitMs); n with Exact → exactly n,
   * from the ring (410 when older than the window); `continue` → the next page of the list it
   * came from, at that list's revision (410 with kube's message when that fell out of the window).
   */
  async list(request: ListRequest = {}): Promise<ListResult> {
    const rvText = request.resourceVersion ?? '';
    if (request.continue !== undefined && request.continue !== '') {
      if (rvText !== '' && rvText !== '0') {
        throw badRequest('specifying resource version is not allowed when using continue');
      }
    } else if (rvText !== '' && rvText !== '0') {
      const rv = parseRevision(rvText);
      if (rv > this.revision || !this.ready) await this.waitForRevision(rv);
    } else if (!this.ready) {
      await this.waitForRevision(0);
    }
    return this.listNow(request);
  }

  /** LIST without waiting (the cache must be ready and recent enough, else this throws). */
  listNow(request: ListRequest = {}): ListResult {
    const filter = this.compileFilter(request.filter);
    const listPrefix = filter.namespace === '' ? this.prefix : `${this.prefix}${filter.namespace}/`;
    const limit = request.limit !== undefined && request.limit > 0 ? request.limit : 0;
    let revision = this.revision;
    let afterKey: string | undefined;
    if (request.continue !== undefined && request.continue !== '') {
      const point = decodeContinue(request.continue, listPrefix);
      if (point.revision < this.windowRevision) throw continueExpired();
      if (point.revision > this.revision) {
        throw badRequest('continue key is not valid: resource version is in the future');
      }
      revision = point.revision;
      afterKey = point.afterKey;
    } else {
      const rvText = request.resourceVersion ?? '';
      if (rvText !== '' && rvText !== '0') {
        const rv = parseRevision(rvText);
        if (rv > this.revision) throw tooLargeResourceVersion(rv, this.revision);
        if (request.resourceVersionMatch === 'Exact') {
          if (rv < this.windowRevision) throw tooOldResourceVersion(rv, this.windowRevision);
          revision = rv;
        }
      }
    }
    return this.listAt(revision, listPrefix, afterKey, limit, filter);
  }

  private listAt(
    revision: number,
    listPrefix: string,
    afterKey: string | undefined,
    limit: number,
    filter: CompiledFilter,
  ): ListResult {
    const entries: Entry[] = [];
    const rvString = String(revision);
    const overlay = revision === this.revision ? undefined : this.overlayAt(revision);
    const unfiltered =
      filter.nodeName === undefined && filter.predicate === undefined && overlay === undefined;
    // Fast path: the whole current state of a prefix, no filter.
    if (unfiltered && limit === 0 && afterKey === undefined) {
      this.sorted.collectPrefix(listPrefix, entries, undefined);
      return new CachedList(entries, rvString, undefined, undefined);
    }
    const matches = (e: Entry): boolean =>
      (filter.nodeName === undefined || e.nodeName === filter.nodeName) &&
      (filter.predicate === undefined || filter.predicate(e.object));
    let more = false;
    const consider = (e: Entry | undefined): boolean => {
      if (e === undefined || !matches(e)) return true;
      if (limit !== 0 && entries.length === limit) {
        more = true;
        return false;
      }
      entries.push(e);
      return true;
    };
    const okeys = overlay?.keys ?? [];
    let oi = upperBoundKeys(okeys, afterKey ?? '');
    const visit = (e: Entry): boolean => {
      // Keys present at `revision` but not now, ordered before e.
      while (oi < okeys.length && (okeys[oi] as string) < e.key) {
        const k = okeys[oi++] as string;
        if (k.startsWith(listPrefix) && !consider(overlay?.before.get(k))) return false;
      }
      if (oi < okeys.length && okeys[oi] === e.key) {
        oi++;
        return consider(overlay?.before.get(e.key));
      }
      return consider(e);
    };
    if (filter.nodeName !== undefined && overlay === undefined) {
      const set = this.entriesByNode.get(filter.nodeName);
      const candidates: Entry[] = [];
      if (set !== undefined) {
        for (const slot of set) {
          const e = slot.entry;
          if (e.key.startsWith(listPrefix) && (afterKey === undefined || e.key > afterKey)) {
            candidates.push(e);
          }
        }
      }
      candidates.sort(compareEntryKeys);
      for (let i = 0; i < candidates.length; i++) if (!visit(candidates[i] as Entry)) break;
    } else {
      this.sorted.scan(afterKey, listPrefix, visit);
    }
    if (!more && overlay !== undefined) {
      while (oi < okeys.length) {
        const k = okeys[oi++] as string;
        if (k.startsWith(listPrefix) && !consider(overlay.before.get(k))) break;
      }
    }
    const last = entries[entries.length - 1];
    if (!more || last === undefined) return new CachedList(entries, rvString, undefined, undefined);
    const token = encodeContinue(revision, last.key, listPrefix);
    // As kube-apiserver: a count only when no selector filters the list (the namespace is part
    // of the prefix, not a selector; a node filter comes from a field selector).
    const remaining =
      filter.nodeName === undefined && filter.predicate === undefined
        ? this.remainingAfterPage(revision, listPrefix, afterKey, entries.length, last.key, overlay)
        : undefined;
    return new CachedList(entries, rvString, token, remaining);
  }

  /**
   * The items of an unfiltered list at `revision` under `listPrefix` after the page that started
   * after `afterKey` (undefined: the first page), held `pageLength` items and ended at `lastKey`.
   * The first page: the prefix's count (a counter lookup, adjusted by the overlay when the list
   * is older than the cache). A next page: the previous page's remaining count minus this page,
   * from the memo; a miss (evicted, or another server's token) counts the rest of the list.
   */
  private remainingAfterPage(
    revision: number,
    listPrefix: string,
    afterKey: string | undefined,
    pageLength: number,
    lastKey: string,
    overlay: Overlay | undefined,
  ): number {
    let fromStart: number;
    if (afterKey === undefined) {
      fromStart = this.countInPrefix(listPrefix, overlay);
    } else {
      const memo = this.remainingMemo.get(`${revision}\u0000${listPrefix}\u0000${afterKey}`);
      fromStart = memo ?? this.countAfter(listPrefix, afterKey, overlay);
    }
    const remaining = fromStart - pageLength;
    // A continue token is only made when an item follows the page.
    if (remaining < 1) throw new Error(`invariant: ${remaining} items after ${lastKey} at ${revision}`);
    if (this.remainingMemo.size >= remainingMemoMax) {
      this.remainingMemo.delete(this.remainingMemo.keys().next().value as string);
    }
    this.remainingMemo.set(`${revision}\u0000${listPrefix}\u0000${lastKey}`, remaining);
    return remaining;
  }

  /** How many objects `listPrefix` held at the overlay's revision (now, without one). */
  private countInPrefix(listPrefix: string, overlay: Overlay | undefined): number {
    let count: number;
    if (listPrefix === this.prefix) count = this.byKey.size;
    else if (this.resource.namespaced) {
      count = this.countByNamespace.get(listPrefix.slice(this.prefix.length, -1)) ?? 0;
    } else return this.countAfter(listPrefix, undefined, overlay);
    return overlay === undefined ? count : count + this.overlayDelta(overlay, listPrefix, undefined);
  }

  /** How many objects under `listPrefix` after `afterKey` there were at the overlay's revision. */
  private countAfter(listPrefix: string, afterKey: string | undefined, overlay: Overlay | undefined): number {
    let count = 0;
    this.sorted.scan(afterKey, listPrefix, () => {
      count++;
      return true;
    });
    return overlay === undefined ? count : count + this.overlayDelta(overlay, listPrefix, afterKey);
  }

  /**
   * Objects under `listPrefix` after `afterKey` at the overlay's revision minus those now: each
   * key written since counts +1 if it existed then, -1 if it exists now.
   */
  private overlayDelta(overlay: Overlay, listPrefix: string, afterKey: string | undefined): number {
    const keys = overlay.keys;
    let delta = 0;
    for (let i = upperBoundKeys(keys, afterKey === undefined || afterKey < listPrefix ? listPrefix : afterKey); i < keys.length; i++) {
      const k = keys[i] as string;
      if (!k.startsWith(listPrefix)) break;
      if (overlay.before.get(k) !== undefined) delta++;
      if (this.byKey.has(k)) delta--;
    }
    return delta;
  }

  /**
   * The difference between the state at `revision` and now: for each key written since, the
   * entry it had then. Built from the ring, cached for the next pages of the same list.
   */
  private overlayAt(revision: number): Overlay {
    let o = this.overlays.get(revision);
    if (o === undefined) {
      if (this.overlays.size >= overlaysMax) {
        const oldest = this.overlays.keys().next().value as number;
        this.overlays.delete(oldest);
      }
      o = { before: new Map(), keys: [], builtToSeq: this.ring.seqAfter(revision) };
      this.overlays.set(revision, o);
    }
    if (o.builtToSeq < this.ring.endSeq) {
      let added = false;
      for (let seq = o.builtToSeq; seq < this.ring.endSeq; seq++) {
        const ev = this.ring.at(seq);
        if (!o.before.has(ev.key)) {
          o.before.set(ev.key, ev.prev);
          o.keys.push(ev.key);
          added = true;
        }
      }
      o.builtToSeq = this.ring.endSeq;
      if (added) o.keys.sort();
    }
    return o;
  }

  private dropStaleOverlays(): void {
    if (this.overlays.size === 0) return;
    for (const r of [...this.overlays.keys()]) if (r < this.windowRevision) this.overlays.delete(r);
  }

  // ---- lifecycle ----

  get stats(): WatchCacheStats {
    let synced = this.all.length;
    for (const g of this.watchersByNamespace.values()) synced += g.length;
    for (const g of this.watchersByNode.values()) synced += g.length;
    return {
      objects: this.byKey.size,
      ringEvents: this.ring.size,
      watchers: this.watcherCount,
      syncedWatchers: synced,
      endedByOverflow: this.overflowCount,
      eventsApplied: this.appliedCount,
    };
  }

  /** Ends every watcher and stops the timers; the cache serves nothing afterwards. */
  close(): void {
    this.closed = true;
    this.endAll('cache-closed');
    for (const waiter of this.revisionWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new StatusError('ServiceUnavailable', 'the watch cache is closed'));
    }
    this.revisionWaiters.length = 0;
  }

  private endAll(reason: 'resync' | 'cache-closed'): void {
    const everyone: Watcher[] = [...this.all, ...this.waiting, ...this.bookmarkWatchers];
    for (const g of this.watchersByNamespace.values()) everyone.push(...g);
    for (const g of this.watchersByNode.values()) everyone.push(...g);
    for (const w of this.catchingUp) everyone.push(w);
    for (const w of everyone) w.end(reason, undefined);
  }

  private compileFilter(f: WatchFilter | undefined): CompiledFilter {
    const namespace = f?.namespace ?? '';
    const nodeName = f?.nodeName;
    if (nodeName !== undefined && !this.indexNodeName) {
      throw new Error(`invariant: nodeName filter on ${this.prefix}, which is not node-indexed`);
    }
    return { namespace, nodeName, predicate: f?.predicate };
  }
}

/** Fan-out of one event to one group. Kept small and monomorphic for the JIT. */
function deliver(group: readonly Watcher[], ev: CacheEvent, natural: WatchItem): void {
  for (let i = 0; i < group.length; i++) {
    const w = group[i] as Watcher;
    if (w.state !== WatcherState.Synced) continue;
    const item = w.matchAll ? natural : w.select(ev);
    if (item !== undefined) w.push(item);
  }
}

function podNodeName(object: KubeObject): string {
  const spec = object.spec as { nodeName?: unknown } | undefined;
  const n = spec?.nodeName;
  return typeof n === 'string' ? n : '';
}

function objectsOf(entries: readonly Entry[]): KubeObject[] {
  const out = new Array<KubeObject>(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = (entries[i] as Entry).object;
  return out;
}

function compareEntryKeys(a: Entry, b: Entry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function upperBoundKeys(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A resourceVersion as a revision; a 400 when it is not a non-negative integer. */
export function parseRevision(text: string): number {
  if (!/^[0-9]{1,15}$/.test(text)) throw invalidResourceVersion(text);
  return Number(text);
}
