// LIST from the watch cache: consistent at one revision, pages from a snapshot while writes go on,
// continue tokens that expire with kube-apiserver's message, exact resourceVersions, filters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/api/types.js';
import type { StatusError } from '../../src/core/errors.js';
import { WatchCache } from '../../src/watch/cache.js';
import { continueExpiredMessage } from '../../src/watch/errors.js';
import { ModelStore, pod, podKey, podsResource, prng } from './fixtures.js';

function names(items: readonly KubeObject[]): string[] {
  return items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`);
}

function modelNames(model: ModelStore, revision: number, keep: (o: KubeObject) => boolean = () => true): string[] {
  return [...model.stateAt(revision).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([, [o]]) => keep(o))
    .map(([, [o, rv]]) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}@${rv}`);
}

test('paginated LIST is the state at the first page\'s revision, whatever is written between pages', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 7 }), (seed, limit) => {
      const rand = prng(seed);
      const model = new ModelStore(1);
      const cache = new WatchCache(podsResource);
      cache.reset([], 1);
      const write = (): void => {
        const ns = rand() < 0.5 ? 'a' : 'b';
        const name = `p${Math.floor(rand() * 30)}`;
        const key = podKey(ns, name);
        const node = rand() < 0.5 ? 'n1' : 'n2';
        cache.apply(
          model.state.has(key) && rand() < 0.4
            ? model.del(key)
            : model.put(key, pod(ns, name, { app: rand() < 0.5 ? 'web' : 'db' }, node)),
        );
      };
      for (let i = 0; i < 60; i++) write();
      const filters = [
        { label: 'all', filter: {}, keep: () => true },
        { label: 'ns a', filter: { namespace: 'a' }, keep: (o: KubeObject) => o.metadata.namespace === 'a' },
        {
          label: 'node n1',
          filter: { nodeName: 'n1' },
          keep: (o: KubeObject) => (o.spec as { nodeName?: string }).nodeName === 'n1',
        },
        {
          label: 'web',
          filter: { predicate: (o: KubeObject) => o.metadata.labels?.['app'] === 'web' },
          keep: (o: KubeObject) => o.metadata.labels?.['app'] === 'web',
        },
      ];
      for (const f of filters) {
        const whole = cache.listNow({ filter: f.filter });
        assert.deepEqual(names(whole.items), modelNames(model, model.revision, f.keep), `${f.label} unpaged`);
        assert.deepEqual(whole.entries.map((e) => e.object), whole.items);
        const first = cache.listNow({ filter: f.filter, limit });
        const at = Number(first.resourceVersion);
        assert.equal(at, model.revision);
        const got = [...first.items];
        let token = first.continue;
        for (let page = 0; token !== undefined && page < 100; page++) {
          write();
          write();
          const next = cache.listNow({ filter: f.filter, limit, continue: token });
          assert.equal(next.resourceVersion, String(at), 'every page at the first page\'s revision');
          assert.ok(next.items.length <= limit);
          got.push(...next.items);
          token = next.continue;
        }
        assert.equal(token, undefined);
        assert.deepEqual(names(got), modelNames(model, at, f.keep), f.label);
      }
    }),
    { numRuns: 25 },
  );
});

test('LIST at an exact resourceVersion inside the window; 410 outside it', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  for (let i = 0; i < 10; i++) cache.apply(model.put(podKey('ns', `p${i % 4}`), pod('ns', `p${i % 4}`, { i: String(i) })));
  cache.apply(model.del(podKey('ns', 'p1')));
  for (const rv of [1, 3, 6, 11, 12]) {
    const r = cache.listNow({ resourceVersion: String(rv), resourceVersionMatch: 'Exact' });
    assert.equal(r.resourceVersion, String(rv));
    assert.deepEqual(names(r.items), modelNames(model, rv), `at ${rv}`);
  }
  // NotOlderThan (the default for a set resourceVersion) serves the latest.
  assert.equal(cache.listNow({ resourceVersion: '3' }).resourceVersion, '12');
  cache.compact(5);
  assert.throws(
    () => cache.listNow({ resourceVersion: '4', resourceVersionMatch: 'Exact' }),
    (e: StatusError) => e.code === 410 && e.status.message === 'too old resource version: 4 (5)',
  );
});

test('a continue token older than the window is 410 Expired with kube-apiserver\'s message', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  for (let i = 0; i < 5; i++) cache.apply(model.put(podKey('ns', `p${i}`), pod('ns', `p${i}`)));
  const first = cache.listNow({ limit: 2 });
  assert.ok(first.continue !== undefined);
  cache.apply(model.put(podKey('ns', 'p9'), pod('ns', 'p9')));
  cache.compact(model.revision);
  assert.throws(
    () => cache.listNow({ limit: 2, continue: first.continue as string }),
    (e: StatusError) =>
      e.code === 410 && e.reason === 'Expired' && e.status.message === continueExpiredMessage,
  );
  assert.throws(
    () => cache.listNow({ continue: 'not-a-token' }),
    (e: StatusError) => e.code === 400,
  );
});

test('the continue token has kube-apiserver\'s format', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  for (let i = 0; i < 3; i++) cache.apply(model.put(podKey('ns', `p${i}`), pod('ns', `p${i}`)));
  const r = cache.listNow({ limit: 1, filter: { namespace: 'ns' } });
  const decoded = JSON.parse(Buffer.from(r.continue as string, 'base64url').toString('utf8')) as unknown;
  assert.deepEqual(decoded, { v: 'meta.k8s.io/v1', rv: 4, start: 'p0\u0000' });
});

test('GET returns the current frozen object with its resourceVersion', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  cache.apply(model.put(podKey('ns', 'a'), pod('ns', 'a')));
  const o = cache.get('ns', 'a');
  assert.equal(o?.metadata.resourceVersion, '2');
  assert.ok(Object.isFrozen(o));
  assert.equal(cache.get('ns', 'b'), undefined);
});
