// The watch cache and its revisioned fan-out (issue 3). Reads and watches are served from here;
// writes go to the store, whose committed events feed the caches.
//
// ─── Setup ─────────────────────────────────────────────────────────────────────────────────────
//
//   const hub = new WatchHub(store, { cache: { historyWindowMs, bufferEventsMax, … } });
//   const pods = hub.register(kindInfo);        // one WatchCache per resource (KindInfo fits)
//   await hub.start();                          // list all at one revision, then subscribe
//
// Tests and benchmarks drive a cache directly, without a store:
//
//   const cache = new WatchCache(resource, options);
//   cache.reset(initialKeyValues, revision);    // the state at `revision`
//   cache.apply(storeEvents, throughRevision?); // committed events, in revision order
//   cache.advance(revision);                    // progress without events of this resource
//   cache.compact(revision);                    // drop history up to `revision`
//
// Values given to reset()/apply() become the cache's: they are frozen in place (the store's are
// frozen already) and handed out, stamped with metadata.resourceVersion, to every reader.
//
// ─── Reads ─────────────────────────────────────────────────────────────────────────────────────
//
//   cache.get(namespace, name)            → frozen object | undefined
//   await cache.list({ filter, limit, continue, resourceVersion, resourceVersionMatch })
//                                         → { items, entries, resourceVersion, continue }
//   cache.listNow(…)                      the same without waiting (throws 504 if RV is ahead)
//
//   For a consistent read (resourceVersion unset), first await
//   cache.waitForRevision(store.currentRevision): the cache is then as fresh as every write
//   acknowledged so far. The same before a watch-list (sendInitialEvents) from "now".
//   Errors are StatusErrors with kube-apiserver's messages: 410 Expired (exact RV or continue
//   token older than the window), 504 Timeout "Too large resource version", 400 bad token.
//   `entries[i].bytes(codec)` is the item's cached encoding, for writing list bodies.
//
// ─── Watch ─────────────────────────────────────────────────────────────────────────────────────
//
//   const w = cache.watch({ resourceVersion, sendInitialEvents, allowWatchBookmarks,
//                           timeoutSeconds, filter, bufferEventsMax });
//
//   resourceVersion  unset/"" or "0": the current state as ADDED, then changes;
//                    "n": every change after n; n older than the window: one ERROR (410
//                    Expired, "too old resource version: n (w)") and the end; n newer than the
//                    cache: waits up to 3 s, then ERROR (504 "Too large resource version").
//   sendInitialEvents=true: the state as ADDED, then BOOKMARK with annotation
//                    k8s.io/initial-events-end: "true"; sendInitialEvents=false with "0":
//                    changes from now, no state.
//   filter           { namespace?, nodeName?, predicate? }; build it from request selectors with
//                    watchFilter() (selectors.ts), which picks the node / namespace index.
//
//   Consuming (pull; every item is a shared, frozen WatchItem {type, object, revision}):
//     in process   for await (const item of w) …           (breaking out closes the watch)
//                  or w.next() / w.take(out, max) + w.onReadable(listener) + w.done
//     over HTTP    await pipeWatch(w, jsonWatchCodec | msgpackWatchCodec, res)
//                  (src/net/wire/pipe.ts: backpressure, ends `res` at the end of the watch,
//                  closes the watch when `res` closes). Flush headers before piping.
//   timeoutSeconds   the watch ends normally (queued events still delivered; with bookmarks
//                    allowed, a last BOOKMARK at the current revision first).
//   w.close() ends it; w.endReason says why it ended: 'closed' | 'timeout' | 'overflow' |
//   'expired' | 'too-large' | 'resync' | 'cache-closed'. On 'overflow' (the buffer bound was
//   reached) or 'timeout' the client resumes from the last revision it read.
//
// Guarantees (as etcd states them): ordered, unique, reliable inside the window, atomic (one
// revision never split, even when a stream is cut), resumable, bookmarkable. Checked by
// test/watch/validator.test.ts over randomized histories.

export {
  WatchCache,
  parseRevision,
  type CachedResource,
  type ListRequest,
  type ListResult,
  type WatchCacheOptions,
  type WatchCacheStats,
  type WatchFilter,
  type WatchRequest,
} from './cache.js';
export { WatchHub, type WatchHubOptions } from './hub.js';
export { Entry, WatchItem, type WatchEventType } from './items.js';
export { Watcher, type WatchEndReason } from './watcher.js';
export { watchFilter, type SelectorRequest } from './selectors.js';
export {
  continueExpired,
  continueExpiredMessage,
  tooLargeResourceVersion,
  tooOldResourceVersion,
} from './errors.js';
