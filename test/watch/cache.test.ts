// Watch cache behaviour a client relies on: selector transitions, 410 and too-large resource
// versions, watch-list and bookmarks, timeouts, slow watchers, shared encodings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/api/types.js';
import type { Status } from '../../src/core/errors.js';
import { WatchCache, type WatchRequest } from '../../src/watch/cache.js';
import type { WatchItem } from '../../src/watch/items.js';
import type { Watcher } from '../../src/watch/watcher.js';
import { jsonWatchCodec, msgpackWatchCodec } from '../../src/net/wire/watch-frames.js';
import { ModelStore, pod, podKey, podsResource } from './fixtures.js';

function setup(options: ConstructorParameters<typeof WatchCache>[1] = {}) {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource, { bookmarkIntervalMs: 1e9, ...options });
  cache.reset([], 1);
  const put = (ns: string, name: string, labels: Record<string, string>, node?: string): void =>
    cache.apply(model.put(podKey(ns, name), pod(ns, name, labels, node)));
  const del = (ns: string, name: string): void => cache.apply(model.del(podKey(ns, name)));
  return { model, cache, put, del };
}

function drain(w: Watcher): WatchItem[] {
  const out: WatchItem[] = [];
  w.take(out, 1_000_000);
  return out;
}

function brief(items: readonly WatchItem[]): string[] {
  return items.map((i) => {
    const o = i.object as KubeObject;
    return `${i.type} ${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''} ${JSON.stringify(o.metadata.labels ?? {})}`;
  });
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test('label selector transitions emit ADDED / MODIFIED / DELETED as Kubernetes does', () => {
  const { cache, put, del } = setup();
  const w = cache.watch({
    resourceVersion: '1',
    filter: { predicate: (o) => o.metadata.labels?.['app'] === 'web' },
  });
  put('ns', 'a', { app: 'web' }); // 2: enters
  put('ns', 'a', { app: 'web', tier: 'x' }); // 3: stays
  put('ns', 'a', { app: 'db' }); // 4: leaves → DELETED of the old object at revision 4
  put('ns', 'a', { app: 'db', tier: 'y' }); // 5: stays out
  put('ns', 'a', { app: 'web' }); // 6: enters again
  del('ns', 'a'); // 7
  put('ns', 'b', { app: 'db' }); // 8: never matches
  assert.deepEqual(brief(drain(w)), [
    'ADDED a@2 {"app":"web"}',
    'MODIFIED a@3 {"app":"web","tier":"x"}',
    'DELETED a@4 {"app":"web","tier":"x"}',
    'ADDED a@6 {"app":"web"}',
    'DELETED a@7 {"app":"web"}',
  ]);
});

test('binding a pod moves it from the unbound watch to its node watch', () => {
  const { cache, put } = setup();
  const unbound = cache.watch({ resourceVersion: '1', filter: { nodeName: '' } });
  const n1 = cache.watch({ resourceVersion: '1', filter: { nodeName: 'n1' } });
  const n2 = cache.watch({ resourceVersion: '1', filter: { nodeName: 'n2' } });
  put('ns', 'p', {}); // 2
  put('ns', 'p', {}, 'n1'); // 3: bound
  put('ns', 'p', {}, 'n2'); // 4: (not something Kubernetes allows, but the rule is the same)
  assert.deepEqual(brief(drain(unbound)), ['ADDED p@2 {}', 'DELETED p@3 {}']);
  assert.deepEqual(brief(drain(n1)), ['ADDED p@3 {}', 'DELETED p@4 {}']);
  assert.deepEqual(brief(drain(n2)), ['ADDED p@4 {}']);
});

test('watch from a revision: 410 Expired exactly when older than the window', () => {
  const { cache, put } = setup();
  for (let i = 0; i < 10; i++) put('ns', `p${i}`, {}); // revisions 2..11
  cache.compact(6); // window: events after 6 are kept
  assert.equal(cache.windowRevision, 6);
  const cases: readonly { rv: string; expired: boolean; events: number }[] = [
    { rv: '1', expired: true, events: 0 },
    { rv: '5', expired: true, events: 0 },
    { rv: '6', expired: false, events: 5 },
    { rv: '7', expired: false, events: 4 },
    { rv: '11', expired: false, events: 0 },
  ];
  for (const c of cases) {
    const items = drain(cache.watch({ resourceVersion: c.rv }));
    if (c.expired) {
      assert.equal(items.length, 1, c.rv);
      const item = items[0] as WatchItem;
      assert.equal(item.type, 'ERROR');
      const status = item.object as Status;
      assert.deepEqual(
        { code: status.code, reason: status.reason, message: status.message, kind: status.kind },
        { code: 410, reason: 'Expired', message: `too old resource version: ${c.rv} (6)`, kind: 'Status' },
      );
    } else {
      assert.equal(items.length, c.events, c.rv);
      assert.ok(items.every((i) => i.type === 'ADDED'));
    }
  }
});

test('the ring is bounded by count: evicted history moves the window', () => {
  const { cache, put } = setup({ historyEventsMax: 4 });
  for (let i = 0; i < 10; i++) put('ns', `p${i}`, {}); // revisions 2..11
  assert.equal(cache.stats.ringEvents, 4);
  assert.equal(cache.windowRevision, 7);
  assert.equal(drain(cache.watch({ resourceVersion: '7' })).length, 4);
  assert.equal(drain(cache.watch({ resourceVersion: '6' }))[0]?.type, 'ERROR');
});

test('the ring is bounded by age', () => {
  let now = 0;
  const { cache, put } = setup({ historyWindowMs: 1000, nowMs: () => now });
  put('ns', 'a', {}); // 2 at t=0
  now = 500;
  put('ns', 'b', {}); // 3 at t=500
  now = 1200;
  put('ns', 'c', {}); // 4 at t=1200: the event of t=0 is too old
  assert.equal(cache.windowRevision, 2);
  assert.deepEqual(brief(drain(cache.watch({ resourceVersion: '2' }))), ['ADDED b@3 {}', 'ADDED c@4 {}']);
  assert.equal(drain(cache.watch({ resourceVersion: '1' }))[0]?.type, 'ERROR');
});

test('a revision newer than the cache waits, then starts or fails with Too large resource version', async () => {
  const { cache, put } = setup({ futureWaitMs: 30 });
  put('ns', 'a', {}); // 2
  const soon = cache.watch({ resourceVersion: '3' });
  const never = cache.watch({ resourceVersion: '50' });
  assert.equal(soon.next(), undefined);
  put('ns', 'b', {}); // 3: reached, nothing after it yet
  put('ns', 'c', {}); // 4
  assert.deepEqual(brief(drain(soon)), ['ADDED c@4 {}']);
  await new Promise((resolve) => setTimeout(resolve, 60));
  const items = drain(never);
  assert.equal(items.length, 1);
  const status = (items[0] as WatchItem).object as Status;
  assert.equal(status.code, 504);
  assert.equal(status.reason, 'Timeout');
  assert.equal(status.message, 'Timeout: Too large resource version: 50, current: 4');
  assert.deepEqual(status.details?.causes, [
    { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
  ]);
  assert.ok(never.done);
  await assert.rejects(cache.list({ resourceVersion: '99' }), (e: { code?: number }) => e.code === 504);
});

test('resourceVersion unset and "0" send the state first; sendInitialEvents ends it with a bookmark', () => {
  const { cache, put } = setup();
  put('ns', 'a', {}); // 2
  put('ns', 'b', {}); // 3
  put('ns', 'a', { v: '2' }); // 4
  const cases: readonly { req: WatchRequest; want: string[] }[] = [
    { req: {}, want: ['ADDED a@4 {"v":"2"}', 'ADDED b@3 {}'] },
    { req: { resourceVersion: '0' }, want: ['ADDED a@4 {"v":"2"}', 'ADDED b@3 {}'] },
    { req: { resourceVersion: '0', sendInitialEvents: false }, want: [] },
    { req: { resourceVersion: '3' }, want: ['MODIFIED a@4 {"v":"2"}'] },
    {
      req: { sendInitialEvents: true, allowWatchBookmarks: true },
      want: ['ADDED a@4 {"v":"2"}', 'ADDED b@3 {}', 'BOOKMARK @4 {}'],
    },
  ];
  for (const c of cases) {
    const items = drain(cache.watch(c.req));
    assert.deepEqual(brief(items), c.want, JSON.stringify(c.req));
    const bookmark = items.find((i) => i.type === 'BOOKMARK');
    if (bookmark !== undefined) {
      const o = bookmark.object as KubeObject;
      assert.deepEqual(o.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
      assert.equal(o.kind, 'Pod');
      assert.equal(o.apiVersion, 'v1');
    }
  }
});

test('periodic bookmarks carry the revision, only to watchers that allow them', () => {
  const { cache, put } = setup();
  const withBookmarks = cache.watch({ resourceVersion: '1', allowWatchBookmarks: true });
  const without = cache.watch({ resourceVersion: '1' });
  put('ns', 'a', {}); // 2
  drain(withBookmarks);
  drain(without);
  cache.advance(9); // other resources were written
  cache.sendBookmarks();
  assert.deepEqual(brief(drain(withBookmarks)), ['BOOKMARK @9 {}']);
  assert.deepEqual(drain(without), []);
  cache.sendBookmarks(); // nothing new: no second bookmark
  assert.deepEqual(drain(withBookmarks), []);
});

test('timeoutSeconds ends the watch normally', async () => {
  const { cache } = setup();
  const w = cache.watch({ resourceVersion: '1', timeoutSeconds: 0.02 });
  assert.equal(w.done, false);
  let items = 0;
  for await (const _ of w) items++;
  assert.equal(items, 0);
  assert.ok(w.done);
  assert.equal(w.endReason, 'timeout');
});

test('at timeoutSeconds a watcher that allows bookmarks gets what was queued, then a last bookmark', async () => {
  const { cache, put } = setup();
  const w = cache.watch({ resourceVersion: '1', timeoutSeconds: 0.03, allowWatchBookmarks: true });
  assert.equal(w.next(), undefined); // synced
  put('ns', 'a', {}); // 2
  cache.advance(7);
  const seen: string[] = [];
  for await (const item of w) seen.push(`${item.type}@${item.revision}`);
  assert.deepEqual(seen, ['ADDED@2', 'BOOKMARK@7']);
  assert.equal(w.endReason, 'timeout');
});

test('a stalled watcher ends at its bound and does not change what others receive', async () => {
  const { cache, put } = setup();
  const bound = 100;
  const stalled = cache.watch({ resourceVersion: '1', bufferEventsMax: bound });
  // It reads once (as the HTTP pipe does when the watch starts), then never again.
  assert.equal(stalled.next(), undefined);
  // A watcher that has not read yet holds nothing: it catches up from the ring when it reads.
  const neverRead = cache.watch({ resourceVersion: '1', bufferEventsMax: bound });
  const others = Array.from({ length: 10 }, (_, i) =>
    cache.watch({ resourceVersion: '1', filter: i % 2 === 0 ? {} : { namespace: 'ns' } }),
  );
  const received = others.map(() => [] as WatchItem[]);
  others.forEach((w, i) => w.onReadable(() => w.take(received[i] as WatchItem[], 1_000_000)));
  let maxBuffered = 0;
  for (let i = 0; i < 1000; i++) {
    put('ns', `p${i % 50}`, { i: String(i) });
    maxBuffered = Math.max(maxBuffered, stalled.bufferedCount);
    if (i % 100 === 0) await nextTick();
  }
  await nextTick();
  assert.ok(maxBuffered <= bound, `buffered ${maxBuffered}`);
  assert.ok(stalled.bufferCapacity <= 128, `capacity ${stalled.bufferCapacity}`);
  assert.equal(stalled.endReason, 'overflow');
  assert.equal(stalled.bufferedCount, 0, 'the ended watcher released what it held');
  for (const r of received) {
    assert.equal(r.length, 1000);
    assert.deepEqual(
      r.map((i) => i.revision),
      Array.from({ length: 1000 }, (_, i) => i + 2),
    );
  }
  assert.equal(cache.stats.endedByOverflow, 1);
  assert.equal(neverRead.bufferedCount, 0);
  assert.equal(neverRead.take([], 2000), 1000, 'it reads all history when it starts reading');
});

test('each event is encoded once per format and the bytes are shared by all its watchers', () => {
  const { cache, put } = setup();
  const a = cache.watch({ resourceVersion: '1' });
  const b = cache.watch({ resourceVersion: '1', filter: { namespace: 'ns' } });
  put('ns', 'x', { app: 'web' });
  const framesA: Buffer[] = [];
  const framesB: Buffer[] = [];
  assert.ok(a.takeFrames(jsonWatchCodec, framesA, 1 << 20) > 0);
  assert.ok(b.takeFrames(jsonWatchCodec, framesB, 1 << 20) > 0);
  const fa = framesA[0] as Buffer;
  assert.equal(fa, framesB[0], 'the same Buffer');
  const line = JSON.parse(fa.toString('utf8')) as { type: string; object: KubeObject };
  assert.equal(line.type, 'ADDED');
  assert.equal(line.object.metadata.resourceVersion, '2');
  assert.ok(fa.toString('utf8').endsWith('}\n'));
  // msgpack too, and objects handed out are frozen.
  const c = cache.watch({ resourceVersion: '1' });
  const d = cache.watch({ resourceVersion: '1' });
  const ic = c.next() as WatchItem;
  const id = d.next() as WatchItem;
  assert.equal(ic, id);
  assert.equal(ic.frame(msgpackWatchCodec), id.frame(msgpackWatchCodec));
  assert.ok(Object.isFrozen(ic.object));
  assert.ok(Object.isFrozen((ic.object as KubeObject).metadata));
  assert.ok(Object.isFrozen((ic.object as KubeObject).spec));
  // The object's own bytes (what list bodies are written from) are those inside the frame.
  for (const codec of [jsonWatchCodec, msgpackWatchCodec]) {
    const entry = cache.listNow({}).entries[0];
    assert.ok(entry !== undefined);
    assert.deepEqual(entry.bytes(codec), codec.encodeObject(entry.object), codec.name);
  }
});

test('the async iterator delivers events as they are applied and closes the watch on break', async () => {
  const { cache, put } = setup();
  const w = cache.watch({ resourceVersion: '1' });
  const seen: string[] = [];
  const consumer = (async () => {
    for await (const item of w) {
      seen.push(`${item.type} ${(item.object as KubeObject).metadata.name ?? ''}`);
      if (seen.length === 3) break;
    }
  })();
  put('ns', 'a', {});
  await nextTick();
  put('ns', 'b', {});
  put('ns', 'c', {});
  put('ns', 'd', {});
  await consumer;
  assert.deepEqual(seen, ['ADDED a', 'ADDED b', 'ADDED c']);
  assert.equal(w.endReason, 'closed');
  assert.equal(cache.stats.watchers, 0);
});

test('reset (re-list) ends every watcher', () => {
  const { cache, put, model } = setup();
  put('ns', 'a', {});
  const synced = cache.watch({ resourceVersion: '1' });
  drain(synced);
  const catchingUp = cache.watch({ resourceVersion: '1' });
  cache.reset(model.list(), model.revision);
  assert.equal(synced.endReason, 'resync');
  assert.equal(catchingUp.endReason, 'resync');
  assert.equal(cache.stats.watchers, 0);
});

test('a reader that takes exactly what was queued is still woken for the next event', async () => {
  const { cache, put } = setup();
  const w = cache.watch({ resourceVersion: '1' });
  let wakeups = 0;
  w.onReadable(() => wakeups++);
  assert.equal(w.next(), undefined); // caught up: synced
  put('ns', 'a', {});
  put('ns', 'b', {});
  await nextTick();
  assert.equal(wakeups, 1);
  assert.equal(w.take([], 2), 2); // exactly what was queued
  put('ns', 'c', {});
  await nextTick();
  assert.equal(wakeups, 2);
  w.close();
});

test('an unparseable resourceVersion is a 400 before any stream', async () => {
  const { cache } = setup();
  for (const rv of ['abc', '-1', '1.5']) {
    assert.throws(
      () => cache.watch({ resourceVersion: rv }),
      (e: { code?: number; message?: string }) =>
        e.code === 400 && e.message === `resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`,
    );
    await assert.rejects(cache.list({ resourceVersion: rv }), (e: { code?: number }) => e.code === 400);
  }
});
