// One watch: what a client sees. A watcher moves through these states, each with its own source
// of items (etcd's watchable store calls the middle two "unsynced" and "synced"):
//
//   WAITING ──► INITIAL ──► UNSYNCED ──► SYNCED ──► ENDED
//   (future      (snapshot   (reads the    (in the cache's
//    revision,    of the      ring from     fan-out groups:
//    or cache     state as    its cursor,   events are pushed
//    not ready)   ADDED)      lazily)       into its queue)
//
// Items are pulled by the consumer: `next()`/`take()` in process, `takeFrames()` for the HTTP
// server (see src/net/wire/pipe.ts). Only a SYNCED watcher has a queue that fills on its own, and
// it is bounded: on overflow the watcher ends (the client resumes from the last revision it read).
// A watcher that stops reading costs the cache at most `bufferEventsMax` references and never
// delays anyone: the fan-out only appends to queues, it never waits.
//
// Atomicity on overflow: the queue is cut back to the end of the revision the client is reading,
// so a client never sees part of a revision and then a resume point inside it.

import type { KubeObject } from '../core/api/types.js';
import type { WatchCodec } from '../net/wire/watch-frames.js';
import type { WatchFrameSource } from '../net/wire/pipe.js';
import type { CacheEvent, Entry, WatchItem } from './items.js';
import { ItemQueue } from './queue.js';
import type { WatchCache } from './cache.js';

/** Why a watch ended. 'closed': by its consumer; the others by the cache. */
export type WatchEndReason =
  | 'closed'
  | 'timeout'
  | 'overflow'
  | 'expired'
  | 'too-large'
  | 'resync'
  | 'cache-closed';

/** Numeric states: compared in the fan-out loop (see the diagram above). */
export const WatcherState = {
  Waiting: 0,
  Initial: 1,
  Unsynced: 2,
  Synced: 3,
  Ended: 4,
} as const;
export type WatcherState = (typeof WatcherState)[keyof typeof WatcherState];

/** A watcher's compiled filter: namespace, node (index hints) and the full predicate. */
export interface CompiledFilter {
  /** '' matches every namespace. */
  readonly namespace: string;
  /** undefined matches every node. */
  readonly nodeName: string | undefined;
  readonly predicate: ((object: KubeObject) => boolean) | undefined;
}

let nextWatcherId = 1;

export class Watcher implements WatchFrameSource, AsyncIterable<WatchItem> {
  readonly id = nextWatcherId++;
  /** Read by the cache's fan-out loop; written only by this class and the cache. */
  state: WatcherState = WatcherState.Waiting as WatcherState;
  /** True when the filter lets everything through (the fan-out's fast path). */
  readonly matchAll: boolean;
  /** The namespace ('' = all) when that is the whole filter: history blocks serve it (ring.ts). */
  private readonly blockNamespace: string | undefined;
  endReason: WatchEndReason | undefined = undefined;

  // Fan-out group membership, owned by the cache.
  group: Watcher[] | undefined = undefined;
  groupIndex = -1;
  /** Index in the cache's bookmark list, owned by the cache (-1: none). */
  bookmarkIndex = -1;

  /** Revision the watch starts after (WAITING/UNSYNCED), or the snapshot's (INITIAL). */
  startRevision = 0;
  /** WAITING: serve the state as ADDED events once started (RV unset/"0", sendInitialEvents). */
  readonly sendState: boolean;
  /** After the initial ADDED events, send the `k8s.io/initial-events-end` BOOKMARK. */
  private readonly sendInitialEventsEnd: boolean;
  readonly allowBookmarks: boolean;

  private snapshot: Entry[] | undefined = undefined;
  private snapshotIndex = 0;
  /** Ring cursor (UNSYNCED), as an absolute sequence number. */
  cursorSeq = 0;

  private readonly queue = new ItemQueue();
  /** Revision of the last item taken by the consumer. */
  private lastTakenRevision = 0;
  /** Revision of the last item appended to the queue (bookmarks are sent only past it). */
  lastQueuedRevision = 0;

  private listener: (() => void) | undefined = undefined;
  private wantsNotify = false;
  notifyScheduled = false;
  private timeoutTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly cache: WatchCache,
    readonly filter: CompiledFilter,
    readonly bufferEventsMax: number,
    options: {
      readonly sendState: boolean;
      readonly sendInitialEventsEnd: boolean;
      readonly allowBookmarks: boolean;
      readonly startRevision: number;
      readonly timeoutMs: number | undefined;
    },
  ) {
    this.matchAll =
      filter.namespace === '' && filter.nodeName === undefined && filter.predicate === undefined;
    this.blockNamespace = filter.nodeName === undefined && filter.predicate === undefined ? filter.namespace : undefined;
    this.sendState = options.sendState;
    this.sendInitialEventsEnd = options.sendInitialEventsEnd;
    this.allowBookmarks = options.allowBookmarks;
    this.startRevision = options.startRevision;
    if (options.timeoutMs !== undefined) {
      // Not unref'd: an open watch is work in progress; close() or the timeout clears it.
      this.timeoutTimer = setTimeout(() => this.timedOut(), options.timeoutMs);
    }
  }

  // ---- consumer side ----

  /** True once the watch has ended and every remaining item was taken. */
  get done(): boolean {
    return this.state === WatcherState.Ended && this.queue.length === 0;
  }

  /** Items queued right now (SYNCED or ENDED); what this watcher's buffer holds. */
  get bufferedCount(): number {
    return this.queue.length;
  }

  /** References the buffer has allocated (its memory, in slots). */
  get bufferCapacity(): number {
    return this.queue.capacity;
  }

  /** The next item, or undefined if none is ready now (check `done`, or wait with onReadable). */
  next(): WatchItem | undefined {
    // Bounded: each pass either returns or moves to a later state (INITIAL → UNSYNCED → SYNCED).
    for (let pass = 0; pass < 4; pass++) {
      switch (this.state) {
        case WatcherState.Synced:
        case WatcherState.Ended: {
          const item = this.queue.shift();
          if (item === undefined) {
            this.wantsNotify = true;
            return undefined;
          }
          this.lastTakenRevision = item.revision;
          return item;
        }
        case WatcherState.Initial: {
          const item = this.nextFromSnapshot();
          if (item !== undefined) return item;
          continue;
        }
        case WatcherState.Unsynced: {
          const item = this.nextFromRing();
          if (item !== undefined) return item;
          continue;
        }
        case WatcherState.Waiting:
          this.wantsNotify = true;
          return undefined;
        default: {
          const never: never = this.state;
          throw new Error(`invariant: watcher state ${String(never)}`);
        }
      }
    }
    this.wantsNotify = true;
    return undefined;
  }

  /** Moves up to `max` ready items into `out` (appended); returns how many. */
  take(out: WatchItem[], max: number): number {
    if (this.state === WatcherState.Synced) {
      // Fast path: a synced watcher's items are all in its queue.
      const n = this.queue.drainInto(out, max);
      if (n > 0) this.lastTakenRevision = (out[out.length - 1] as WatchItem).revision;
      // Drained: the next push notifies (same contract as next() returning undefined).
      if (this.queue.length === 0) this.wantsNotify = true;
      return n;
    }
    let n = 0;
    while (n < max) {
      const item = this.next();
      if (item === undefined) break;
      out.push(item);
      n++;
    }
    return n;
  }

  /**
   * Appends ready frames in `codec`'s format to `out` (shared buffers: never modify them), about
   * `bytesMax` bytes at most and at least one frame when any is ready; returns their total size.
   */
  takeFrames(codec: WatchCodec, out: Buffer[], bytesMax: number): number {
    let total = 0;
    while (total < bytesMax) {
      // Replaying the history unfiltered or by namespace: whole blocks of it as one shared buffer.
      if (this.state === WatcherState.Unsynced && this.blockNamespace !== undefined) {
        const block = this.cache.ring.block(this.cursorSeq, codec, this.blockNamespace);
        if (block !== undefined) {
          if (total + block.bytes.length <= bytesMax) {
            this.cursorSeq = block.endSeq;
            if (block.bytes.length === 0) continue;
            out.push(block.bytes);
            total += block.bytes.length;
            this.lastTakenRevision = block.lastRevision;
            continue;
          }
          // The next take starts with this block whole (a single frame would break the alignment).
          if (total > 0) break;
        }
      }
      const item = this.next();
      if (item === undefined) break;
      const f = item.frame(codec);
      out.push(f);
      total += f.length;
    }
    return total;
  }

  /**
   * Sets the one listener called (from a microtask, after the cache finished applying a batch)
   * when items become ready or the watch ends, once per wait: call `next()` until it returns
   * undefined before expecting another call. undefined removes it.
   */
  onReadable(listener: (() => void) | undefined): void {
    this.listener = listener;
    if (listener === undefined) return;
    this.wantsNotify = true;
    if (this.hasReady()) this.cache.scheduleNotify(this);
  }

  /** Ends the watch (idempotent). Queued items are dropped. */
  close(): void {
    this.end('closed', undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchItem> {
    try {
      for (;;) {
        const item = this.next();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.done) return;
        await new Promise<void>((resolve) => this.onReadable(resolve));
      }
    } finally {
      this.close();
    }
  }

  // ---- cache side ----

  /** Appends a pushed item (SYNCED only). Called by the fan-out loop: no allocation. */
  push(item: WatchItem): void {
    if (this.queue.length >= this.bufferEventsMax) {
      this.end('overflow', undefined);
      return;
    }
    this.queue.push(item);
    this.lastQueuedRevision = item.revision;
    if (this.wantsNotify && !this.notifyScheduled) this.cache.scheduleNotify(this);
  }

  /** Appends a bookmark unless the buffer is full (a bookmark is never worth ending a watch). */
  pushBookmark(item: WatchItem): void {
    if (this.queue.length >= this.bufferEventsMax) return;
    this.push(item);
  }

  /** The cache calls this when the notification it scheduled runs. */
  notify(): void {
    this.notifyScheduled = false;
    if (!this.wantsNotify && this.state !== WatcherState.Ended) return;
    this.wantsNotify = false;
    const listener = this.listener;
    if (listener === undefined) return;
    try {
      listener();
    } catch (e) {
      // A consumer's bug must not reach the cache or other watchers: end this watch only.
      this.end('closed', undefined);
      process.emitWarning(e instanceof Error ? e : new Error(String(e)), 'WatchListenerError');
    }
  }

  /** Starts serving the state as ADDED events from a snapshot taken at `revision`. */
  startInitial(snapshot: Entry[], revision: number, cursorSeq: number): void {
    this.snapshot = snapshot;
    this.snapshotIndex = 0;
    this.startRevision = revision;
    this.cursorSeq = cursorSeq;
    this.state = WatcherState.Initial;
    this.lastQueuedRevision = revision;
    this.signal();
  }

  /** Starts reading the ring from `cursorSeq` (events after `revision`). */
  startUnsynced(revision: number, cursorSeq: number): void {
    this.startRevision = revision;
    this.cursorSeq = cursorSeq;
    this.state = WatcherState.Unsynced;
    this.lastQueuedRevision = revision;
    this.signal();
  }

  /**
   * Ends the watch. The queue is cut back to the revision being read (never split a revision),
   * and `finalItem` (an ERROR event), if any, is the last thing the consumer reads.
   */
  end(reason: WatchEndReason, finalItem: WatchItem | undefined): void {
    if (this.state === WatcherState.Ended) return;
    const wasIn = this.state;
    this.state = WatcherState.Ended;
    this.endReason = reason;
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.snapshot = undefined;
    if (reason === 'closed') {
      this.queue.release();
    } else if (reason === 'timeout') {
      // A normal end: what is queued is still delivered (it is bounded).
    } else {
      let keep = 0;
      while (keep < this.queue.length && this.queue.at(keep)?.revision === this.lastTakenRevision) keep++;
      this.queue.truncate(keep);
    }
    if (finalItem !== undefined) this.queue.push(finalItem);
    this.cache.detach(this, wasIn);
    this.signal();
  }

  /**
   * timeoutSeconds elapsed. A synced watcher that allows bookmarks gets a last BOOKMARK at the
   * cache's revision (as kube-apiserver sends one before a watch's deadline), so the client
   * resumes from there instead of from its last event.
   */
  private timedOut(): void {
    this.timeoutTimer = undefined;
    if (this.allowBookmarks && this.state === WatcherState.Synced && this.cache.revision > this.lastQueuedRevision) {
      this.pushBookmark(this.cache.bookmarkItem(this.cache.revision, false));
    }
    this.end('timeout', undefined);
  }

  private signal(): void {
    this.wantsNotify = true;
    if (this.listener !== undefined && !this.notifyScheduled) this.cache.scheduleNotify(this);
  }

  private hasReady(): boolean {
    switch (this.state) {
      case WatcherState.Synced:
        return this.queue.length > 0;
      case WatcherState.Ended:
      case WatcherState.Initial:
      case WatcherState.Unsynced:
        return true;
      case WatcherState.Waiting:
        return false;
      default: {
        const never: never = this.state;
        throw new Error(`invariant: watcher state ${String(never)}`);
      }
    }
  }

  private nextFromSnapshot(): WatchItem | undefined {
    const snapshot = this.snapshot;
    if (snapshot !== undefined) {
      while (this.snapshotIndex < snapshot.length) {
        const e = snapshot[this.snapshotIndex++] as Entry;
        if (this.matches(e)) {
          this.lastTakenRevision = this.startRevision;
          return e.added;
        }
      }
    }
    this.snapshot = undefined;
    this.state = WatcherState.Unsynced;
    if (this.sendInitialEventsEnd) {
      this.lastTakenRevision = this.startRevision;
      return this.cache.bookmarkItem(this.startRevision, true);
    }
    return undefined;
  }

  private nextFromRing(): WatchItem | undefined {
    const ring = this.cache.ring;
    if (this.cursorSeq < ring.firstSeq) {
      // The ring dropped events this watcher had not read: it fell out of the window.
      this.end('expired', this.cache.expiredItem(this.lastTakenRevision || this.startRevision));
      return undefined;
    }
    while (this.cursorSeq < ring.endSeq) {
      const ev = ring.at(this.cursorSeq++);
      const item = this.matchAll ? ev.natural : this.select(ev);
      if (item !== undefined) {
        this.lastTakenRevision = item.revision;
        return item;
      }
    }
    // Caught up with the ring: from now on events are pushed.
    this.state = WatcherState.Synced;
    this.lastQueuedRevision = Math.max(this.lastQueuedRevision, this.cache.revision);
    this.cache.join(this);
    return undefined;
  }

  matches(e: Entry): boolean {
    const f = this.filter;
    return (
      (f.namespace === '' || e.namespace === f.namespace) &&
      (f.nodeName === undefined || e.nodeName === f.nodeName) &&
      (f.predicate === undefined || f.predicate(e.object))
    );
  }

  /** The item this watcher receives for `ev` (see CacheEvent), or undefined. */
  select(ev: CacheEvent): WatchItem | undefined {
    const curPasses = ev.cur !== undefined && this.matches(ev.cur);
    const prevPasses = ev.prev !== undefined && this.matches(ev.prev);
    if (curPasses) return prevPasses ? ev.natural : ev.added;
    return prevPasses ? ev.deleted : undefined;
  }
}

