// remainingItemCount of paginated LISTs from the watch cache, as kube-apiserver sets it: on every
// page that has a continue token, the number of items after that page at the list's revision;
// never on the last page, never when a selector filters the list (the count would be a guess).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/api/types.js';
import { WatchCache, type ListRequest, type ListResult, type WatchFilter } from '../../src/watch/cache.js';
import { ModelStore, pod, podKey, podsResource, prng } from './fixtures.js';

/** Items under `prefix` at `revision` with a key after `afterKey`, in the model. */
function modelCountAfter(model: ModelStore, revision: number, prefix: string, afterKey: string): number {
  let n = 0;
  for (const key of model.stateAt(revision).keys()) if (key.startsWith(prefix) && key > afterKey) n++;
  return n;
}

function keyOf(o: KubeObject): string {
  return podKey(o.metadata.namespace ?? '', o.metadata.name ?? '');
}

/** Checks one page against the model; returns its continue token. */
function checkPage(model: ModelStore, page: ListResult, prefix: string | undefined, label: string): string | undefined {
  const last = page.items[page.items.length - 1];
  if (page.continue === undefined) {
    assert.equal(page.remainingItemCount, undefined, `${label}: no count on the last page`);
    return undefined;
  }
  assert.ok(last !== undefined);
  if (prefix === undefined) {
    assert.equal(page.remainingItemCount, undefined, `${label}: no count with a selector`);
  } else {
    const want = modelCountAfter(model, Number(page.resourceVersion), prefix, keyOf(last));
    assert.equal(page.remainingItemCount, want, `${label}: items after ${keyOf(last)}`);
    assert.ok(want >= 1);
  }
  return page.continue;
}

interface FilterCase {
  readonly label: string;
  readonly filter: WatchFilter;
  /** The key prefix of the list when it is countable (no selector); undefined otherwise. */
  readonly prefix: string | undefined;
}

const filterCases: readonly FilterCase[] = [
  { label: 'all namespaces', filter: {}, prefix: '/core/pods/' },
  { label: 'namespace a', filter: { namespace: 'a' }, prefix: '/core/pods/a/' },
  { label: 'namespace b', filter: { namespace: 'b' }, prefix: '/core/pods/b/' },
  { label: 'node n1 (a field selector)', filter: { nodeName: 'n1' }, prefix: undefined },
  { label: 'label app=web', filter: { predicate: (o) => o.metadata.labels?.['app'] === 'web' }, prefix: undefined },
];

test('every page but the last counts the items after it at the list\'s revision, while writes go on', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1e9 }),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
      (seed, limit, alternate) => {
        const rand = prng(seed);
        const model = new ModelStore(1);
        // Two caches fed the same events: with `alternate`, pages come from each in turn, so the
        // next page's count is computed without the previous page's (another server's token).
        const caches = [new WatchCache(podsResource), new WatchCache(podsResource)];
        for (const c of caches) c.reset([], 1);
        const write = (): void => {
          const ns = rand() < 0.5 ? 'a' : 'b';
          const name = `p${Math.floor(rand() * 30)}`;
          const key = podKey(ns, name);
          const events =
            model.state.has(key) && rand() < 0.4
              ? model.del(key)
              : model.put(key, pod(ns, name, { app: rand() < 0.5 ? 'web' : 'db' }, rand() < 0.5 ? 'n1' : 'n2'));
          for (const c of caches) c.apply(events);
        };
        for (let i = 0; i < 60; i++) write();
        for (const f of filterCases) {
          let token = checkPage(model, (caches[0] as WatchCache).listNow({ filter: f.filter, limit }), f.prefix, f.label);
          for (let page = 1; token !== undefined && page < 100; page++) {
            write();
            const cache = caches[alternate ? page % 2 : 0] as WatchCache;
            token = checkPage(model, cache.listNow({ filter: f.filter, limit, continue: token }), f.prefix, `${f.label} page ${page}`);
          }
          assert.equal(token, undefined);
        }
      },
    ),
    { numRuns: 30 },
  );
});

test('a list at an older exact resourceVersion counts what was there then', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  for (let i = 0; i < 10; i++) cache.apply(model.put(podKey('a', `p${i}`), pod('a', `p${i}`)));
  const then = model.revision;
  // After `then`: three deleted, five created, in both namespaces.
  for (const i of [1, 4, 8]) cache.apply(model.del(podKey('a', `p${i}`)));
  for (let i = 0; i < 5; i++) cache.apply(model.put(podKey(i % 2 === 0 ? 'a' : 'b', `q${i}`), pod(i % 2 === 0 ? 'a' : 'b', `q${i}`)));
  const cases: readonly { readonly request: ListRequest; readonly prefix: string; readonly revision: number }[] = [
    { request: { limit: 3, resourceVersion: String(then), resourceVersionMatch: 'Exact' }, prefix: '/core/pods/', revision: then },
    { request: { limit: 3, resourceVersion: String(then), resourceVersionMatch: 'Exact', filter: { namespace: 'a' } }, prefix: '/core/pods/a/', revision: then },
    { request: { limit: 3, resourceVersion: String(then), resourceVersionMatch: 'Exact', filter: { namespace: 'b' } }, prefix: '/core/pods/b/', revision: then },
    { request: { limit: 3 }, prefix: '/core/pods/', revision: model.revision },
    { request: { limit: 3, filter: { namespace: 'a' } }, prefix: '/core/pods/a/', revision: model.revision },
  ];
  for (const c of cases) {
    const label = `${c.prefix} at ${c.revision}`;
    let page = cache.listNow(c.request);
    assert.equal(page.resourceVersion, String(c.revision), label);
    let pages = 1;
    let token = checkPage(model, page, c.prefix, label);
    for (; token !== undefined && pages < 20; pages++) {
      page = cache.listNow({ limit: 3, continue: token, ...(c.request.filter === undefined ? {} : { filter: c.request.filter }) });
      token = checkPage(model, page, c.prefix, `${label} page ${pages}`);
    }
    assert.equal(token, undefined, label);
    assert.equal(pages, Math.max(1, Math.ceil(modelCountAfter(model, c.revision, c.prefix, '') / 3)), label);
  }
  // Namespace b did not exist then: one empty page, no token, no count.
  const empty = cache.listNow({ limit: 3, resourceVersion: String(then), resourceVersionMatch: 'Exact', filter: { namespace: 'b' } });
  assert.deepEqual([empty.items.length, empty.continue, empty.remainingItemCount], [0, undefined, undefined]);
});

test('counts follow the initial load, re-lists and deletes', () => {
  const model = new ModelStore(1);
  for (let i = 0; i < 6; i++) model.put(podKey(i < 4 ? 'a' : 'b', `p${i}`), pod(i < 4 ? 'a' : 'b', `p${i}`));
  const cache = new WatchCache(podsResource);
  cache.reset(model.list(), model.revision);
  assert.equal(cache.listNow({ limit: 1, filter: { namespace: 'a' } }).remainingItemCount, 3);
  assert.equal(cache.listNow({ limit: 1 }).remainingItemCount, 5);
  cache.apply(model.del(podKey('a', 'p0')));
  cache.apply(model.put(podKey('a', 'p1'), pod('a', 'p1', { changed: 'yes' })));
  assert.equal(cache.listNow({ limit: 1, filter: { namespace: 'a' } }).remainingItemCount, 2);
  // A re-list replaces everything: counts start again from the new state.
  model.put(podKey('c', 'x'), pod('c', 'x'));
  cache.reset(model.list(), model.revision);
  assert.equal(cache.listNow({ limit: 1, filter: { namespace: 'c' } }).continue, undefined);
  assert.equal(cache.listNow({ limit: 2, filter: { namespace: 'a' } }).remainingItemCount, 1);
  assert.equal(cache.listNow({ limit: 2 }).remainingItemCount, 4);
  // No limit: no page, no count.
  const whole = cache.listNow({});
  assert.deepEqual([whole.items.length, whole.continue, whole.remainingItemCount], [6, undefined, undefined]);
});
