// The watch validator: randomized histories (creates, updates, deletes, multi-key transactions,
// compactions) with 60 watchers per history starting at random revisions, with random filters,
// buffers and reading speeds. Every stream is checked against a model of the store for etcd's
// guarantees — ordered, unique, reliable, atomic, resumable, bookmarkable — and for filter
// correctness (Kubernetes' ADDED/MODIFIED/DELETED rules for objects entering and leaving a
// selection). The expected streams are computed from the model alone, not from the cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/api/types.js';
import type { Status } from '../../src/core/errors.js';
import { WatchCache, type WatchFilter, type WatchRequest } from '../../src/watch/cache.js';
import type { WatchItem } from '../../src/watch/items.js';
import type { Watcher } from '../../src/watch/watcher.js';
import { ModelStore, pod, podKey, podsResource, prng } from './fixtures.js';

type Spec =
  | { readonly kind: 'all' }
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'node'; readonly node: string }
  | { readonly kind: 'label'; readonly app: string }
  | { readonly kind: 'namespace+label'; readonly namespace: string; readonly app: string }
  | { readonly kind: 'node+label'; readonly node: string; readonly app: string };

type Start = 'unset' | 'zero' | 'initial-events' | 'revision';
type Speed = 'eager' | 'slow' | 'stalled';

function filterOf(spec: Spec): WatchFilter {
  switch (spec.kind) {
    case 'all':
      return {};
    case 'namespace':
      return { namespace: spec.namespace };
    case 'node':
      return { nodeName: spec.node };
    case 'label':
      return { predicate: (o) => o.metadata.labels?.['app'] === spec.app };
    case 'namespace+label':
      return { namespace: spec.namespace, predicate: (o) => o.metadata.labels?.['app'] === spec.app };
    case 'node+label':
      return { nodeName: spec.node, predicate: (o) => o.metadata.labels?.['app'] === spec.app };
  }
}

/** The model's own reading of a filter (independent of the cache's index logic). */
function modelMatches(spec: Spec, o: KubeObject): boolean {
  const ns = o.metadata.namespace ?? '';
  const node = ((o.spec as { nodeName?: string } | undefined)?.nodeName) ?? '';
  const app = o.metadata.labels?.['app'];
  switch (spec.kind) {
    case 'all':
      return true;
    case 'namespace':
      return ns === spec.namespace;
    case 'node':
      return node === spec.node;
    case 'label':
      return app === spec.app;
    case 'namespace+label':
      return ns === spec.namespace && app === spec.app;
    case 'node+label':
      return node === spec.node && app === spec.app;
  }
}

interface Seen {
  readonly type: string;
  readonly key: string;
  readonly rv: number;
  readonly app: string | undefined;
}

function seenOf(item: WatchItem): Seen {
  const o = item.object as KubeObject;
  return {
    type: item.type,
    key: podKey(o.metadata.namespace ?? '', o.metadata.name ?? ''),
    rv: Number(o.metadata.resourceVersion),
    app: o.metadata.labels?.['app'],
  };
}

/** What a watcher with `spec` must receive for the model's events after `after`. */
function expectedAfter(model: ModelStore, spec: Spec, after: number): Seen[] {
  const out: Seen[] = [];
  for (const ev of model.log) {
    if (ev.revision <= after) continue;
    const cur = ev.type === 'delete' ? undefined : ev.kv?.value;
    const prev = ev.prev?.value;
    const curPasses = cur !== undefined && modelMatches(spec, cur);
    const prevPasses = prev !== undefined && modelMatches(spec, prev);
    if (curPasses) {
      out.push({
        type: prevPasses ? 'MODIFIED' : 'ADDED',
        key: ev.key,
        rv: ev.revision,
        app: cur.metadata.labels?.['app'],
      });
    } else if (prevPasses) {
      out.push({ type: 'DELETED', key: ev.key, rv: ev.revision, app: prev.metadata.labels?.['app'] });
    }
  }
  return out;
}

interface Record {
  readonly spec: Spec;
  readonly start: Start;
  readonly speed: Speed;
  readonly resumer: boolean;
  /** The revision the stream starts after (the snapshot's for state-sending watches). */
  readonly from: number;
  readonly windowAtStart: number;
  /** The model state at `from` (state-sending watches only). */
  readonly initial: Map<string, readonly [KubeObject, number]> | undefined;
  watcher: Watcher;
  readonly items: WatchItem[];
  /** Items of each segment (resumes start a new one). */
  readonly segments: WatchItem[][];
  resumes: number;
}

const namespaces = ['ns-a', 'ns-b'];
const nodes = ['', 'n1', 'n2'];
const apps = ['web', 'db'];
const names = Array.from({ length: 10 }, (_, i) => `p${i}`);

function runHistory(seed: number): void {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource, {
    historyWindowMs: 1e12,
    historyEventsMax: 1_000_000,
    bookmarkIntervalMs: 1e9,
    futureWaitMs: 10,
  });
  cache.reset([], 1);
  let modelWindow = 1;
  const compactions: number[] = [];
  const records: Record[] = [];
  const watchersTotal = 60;
  const rounds = 50;

  const randomSpec = (): Spec => {
    const k = Math.floor(rand() * 6);
    if (k === 0) return { kind: 'all' };
    if (k === 1) return { kind: 'namespace', namespace: pick(namespaces) };
    if (k === 2) return { kind: 'node', node: pick(nodes) };
    if (k === 3) return { kind: 'label', app: pick(apps) };
    if (k === 4) return { kind: 'namespace+label', namespace: pick(namespaces), app: pick(apps) };
    return { kind: 'node+label', node: pick(nodes), app: pick(apps) };
  };

  const newWatcher = (): void => {
    const spec = randomSpec();
    const start = pick<Start>(['unset', 'zero', 'initial-events', 'revision', 'revision']);
    const speed = pick<Speed>(['eager', 'eager', 'slow', 'slow', 'stalled']);
    const resumer = speed === 'slow' && rand() < 0.5;
    let from = model.revision;
    let request: WatchRequest = { filter: filterOf(spec), allowWatchBookmarks: rand() < 0.5 };
    if (start === 'zero') request = { ...request, resourceVersion: '0' };
    if (start === 'initial-events') {
      request = { ...request, resourceVersion: '', sendInitialEvents: true, allowWatchBookmarks: true };
    }
    if (start === 'revision') {
      // Anywhere from a little below the window to now.
      from = Math.max(1, modelWindow - 3 + Math.floor(rand() * (model.revision - modelWindow + 4)));
      request = { ...request, resourceVersion: String(from) };
    }
    const bufferEventsMax = speed === 'eager' ? 10_000 : 3 + Math.floor(rand() * 20);
    const watcher = cache.watch({ ...request, bufferEventsMax });
    const items: WatchItem[] = [];
    records.push({
      spec,
      start,
      speed,
      resumer,
      from,
      windowAtStart: modelWindow,
      initial: start === 'revision' ? undefined : model.stateAt(from),
      watcher,
      items,
      segments: [items],
      resumes: 0,
    });
  };

  const read = (r: Record, max: number): void => {
    const seg = r.segments[r.segments.length - 1] as WatchItem[];
    for (let i = 0; i < max; i++) {
      const item = r.watcher.next();
      if (item === undefined) break;
      seg.push(item);
    }
    // Resume after an overflow, from the last resourceVersion seen (events and bookmarks, as
    // client-go's reflector keeps it): the client's side of "resumable".
    if (r.resumer && r.watcher.done && r.watcher.endReason === 'overflow' && r.resumes < 3) {
      // A state-sending watch overflows only after its whole initial state was read (that state
      // is read from a snapshot, not queued), so the client resumes at least from the snapshot's
      // revision (a watch-list client has it from the initial-events-end bookmark).
      const all = r.segments.flat();
      const last = all[all.length - 1];
      const resumeFrom = Math.max(last === undefined ? r.from : last.revision, r.initial === undefined ? 0 : r.from);
      r.resumes++;
      r.watcher = cache.watch({
        filter: filterOf(r.spec),
        resourceVersion: String(resumeFrom),
        bufferEventsMax: 1000,
      });
      r.segments.push([]);
    }
  };

  for (let round = 0; round < rounds; round++) {
    // A batch of transactions, applied together as the store publishes them.
    const batch = [];
    const txns = 1 + Math.floor(rand() * 6);
    for (let t = 0; t < txns; t++) {
      const writes: { key: string; value: KubeObject | undefined }[] = [];
      const width = rand() < 0.15 ? 2 + Math.floor(rand() * 2) : 1;
      const used = new Set<string>();
      for (let w = 0; w < width; w++) {
        const ns = pick(namespaces);
        const name = pick(names);
        const key = podKey(ns, name);
        if (used.has(key)) continue;
        used.add(key);
        const cur = model.state.get(key);
        if (cur === undefined) {
          writes.push({ key, value: pod(ns, name, { app: pick(apps) }, pick(nodes)) });
        } else if (rand() < 0.7) {
          const o = cur.value;
          const labels = rand() < 0.5 ? { app: pick(apps) } : (o.metadata.labels ?? {});
          const node = rand() < 0.5 ? pick(nodes) : ((o.spec as { nodeName?: string }).nodeName ?? '');
          writes.push({ key, value: pod(ns, name, labels, node) });
        } else {
          writes.push({ key, value: undefined });
        }
      }
      batch.push(...model.txn(writes));
    }
    cache.apply(batch, model.revision);

    if (rand() < 0.08 && model.revision > modelWindow) {
      const to = modelWindow + Math.floor(rand() * (model.revision - modelWindow));
      cache.compact(to);
      modelWindow = Math.max(modelWindow, to);
      compactions.push(to);
    }
    assert.equal(cache.windowRevision, modelWindow, 'the window is where the model says');
    if (rand() < 0.3) cache.sendBookmarks();

    const target = Math.ceil(((round + 1) * watchersTotal) / rounds);
    while (records.length < target) newWatcher();

    for (const r of records) {
      if (r.speed === 'eager') read(r, 1_000_000);
      else if (r.speed === 'slow') read(r, Math.floor(rand() * 4));
    }
  }
  // The end: everyone reads what is left (a stalled reader wakes up to what its buffer kept).
  for (const r of records) for (let i = 0; i < 100; i++) read(r, 1_000_000);

  for (const [index, r] of records.entries()) checkRecord(model, r, compactions, `seed ${seed} watcher ${index} ${JSON.stringify(r.spec)} ${r.start} ${r.speed}`);
  assert.ok(records.length >= 50);
  cache.close();
}

function checkRecord(model: ModelStore, r: Record, compactions: readonly number[], label: string): void {
  const items = r.segments.flat();
  if (r.start === 'revision' && r.from < r.windowAtStart) {
    // 410 exactly when older than the window: one ERROR, nothing else.
    assert.equal(r.segments[0]?.length, 1, `${label}: one item`);
    const status = (r.segments[0]?.[0] as WatchItem).object as Status;
    assert.equal((r.segments[0]?.[0] as WatchItem).type, 'ERROR', label);
    assert.equal(status.code, 410, label);
    assert.equal(status.reason, 'Expired', label);
    assert.equal(status.message, `too old resource version: ${r.from} (${r.windowAtStart})`, label);
    return;
  }
  let i = 0;
  // Initial state, as ADDED events (any order), then the initial-events-end bookmark.
  if (r.initial !== undefined) {
    const want = new Map<string, number>();
    for (const [k, [o, rv]] of r.initial) if (modelMatches(r.spec, o)) want.set(k, rv);
    const got = new Map<string, number>();
    while (got.size < want.size && i < items.length && items[i]?.type === 'ADDED') {
      const s = seenOf(items[i++] as WatchItem);
      assert.ok(!got.has(s.key), `${label}: initial ${s.key} twice`);
      got.set(s.key, s.rv);
    }
    if (!r.watcher.done) assert.deepEqual(got, want, `${label}: initial state`);
    for (const [k, rv] of got) assert.equal(want.get(k), rv, `${label}: initial ${k}`);
    if (r.start === 'initial-events' && got.size === want.size && i < items.length) {
      const b = items[i++] as WatchItem;
      assert.equal(b.type, 'BOOKMARK', `${label}: initial-events-end`);
      const meta = (b.object as KubeObject).metadata;
      assert.equal(meta.annotations?.['k8s.io/initial-events-end'], 'true', label);
      assert.equal(meta.resourceVersion, String(r.from), label);
    }
  }
  const expected = expectedAfter(model, r.spec, r.from);
  const got: Seen[] = [];
  let lastRv = r.from;
  let ended410 = false;
  for (; i < items.length; i++) {
    const item = items[i] as WatchItem;
    if (item.type === 'BOOKMARK') {
      // Bookmarkable: a bookmark at b promises every later event is after b.
      const b = Number((item.object as KubeObject).metadata.resourceVersion);
      assert.ok(b >= lastRv && b <= model.revision, `${label}: bookmark ${b} after ${lastRv}`);
      lastRv = b;
      continue;
    }
    if (item.type === 'ERROR') {
      const status = item.object as Status;
      assert.equal(status.code, 410, label);
      assert.equal(i, items.length - 1, `${label}: an ERROR is the last item`);
      // Only a compaction that reached what this watcher had read can expire it mid-stream (at
      // lastRv itself when it was inside a multi-key revision; the client re-lists on 410).
      assert.ok(
        compactions.some((c) => c >= lastRv),
        `${label}: 410 without a compaction past ${lastRv}: ${status.message}`,
      );
      ended410 = true;
      continue;
    }
    const s = seenOf(item);
    // Ordered (and unique): revisions never go back; one key never twice at one revision.
    assert.ok(s.rv >= lastRv && (s.rv > lastRv || got.at(-1)?.rv === s.rv), `${label}: order at ${s.rv}`);
    lastRv = s.rv;
    assert.equal(item.revision, s.rv, `${label}: item revision is the object's resourceVersion`);
    got.push(s);
  }
  // Reliable and filter-correct: exactly the expected events, in order...
  const finished = !r.watcher.done;
  if (finished) {
    assert.deepEqual(got, expected, `${label}: full stream`);
  } else {
    // ...or, for a stream that ended (overflow, 410) or was not read, a prefix of them that
    // ends on a revision boundary (atomic).
    assert.deepEqual(got, expected.slice(0, got.length), `${label}: prefix`);
    const next = expected[got.length];
    const last = got[got.length - 1];
    if (r.watcher.done && next !== undefined && last !== undefined && !ended410) {
      assert.notEqual(next.rv, last.rv, `${label}: revision ${last.rv} split`);
    }
  }
}

test('watch validator: randomized histories, 60 watchers each, zero violations', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      runHistory(seed);
    }),
    { numRuns: 20 },
  );
});
