// The hub against the real LMDB store: initial lists at one revision, one subscription
// demultiplexed by resource, progress for resources without writes, late registration, and a
// start that retries when the revision it listed at was compacted before it subscribed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/core/api/types.js';
import { openLmdbStore } from '../../src/core/store/lmdb-store.js';
import { CompactedError, type Store, type StoreEventListener } from '../../src/core/store/store.js';
import { WatchHub } from '../../src/watch/hub.js';
import type { WatchItem } from '../../src/watch/items.js';
import type { Watcher } from '../../src/watch/watcher.js';
import { pod, podKey, podsResource } from './fixtures.js';

const configMaps = { group: '', plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true };
const services = { group: '', plural: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true };

function cm(ns: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name } };
}

async function withStore(fn: (store: Store<KubeObject>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cox-watch-hub-'));
  const store = await openLmdbStore<KubeObject>({ path: dir });
  try {
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function collect(w: Watcher, count: number): Promise<WatchItem[]> {
  const out: WatchItem[] = [];
  for await (const item of w) {
    out.push(item);
    if (out.length === count) break;
  }
  return out;
}

test('hub: lists at one revision, then streams each resource its own events', async () => {
  await withStore(async (store) => {
    await store.create(podKey('ns', 'a'), pod('ns', 'a'));
    await store.create('/core/configmaps/ns/c1', cm('ns', 'c1'));
    const hub = new WatchHub(store);
    const pods = hub.register(podsResource);
    const cms = hub.register(configMaps);
    await hub.start();
    assert.equal(pods.revision, store.currentRevision);
    assert.deepEqual((await pods.list()).items.map((o) => o.metadata.name), ['a']);
    assert.equal((await cms.list()).items[0]?.metadata.resourceVersion, '2');

    const w = pods.watch({ resourceVersion: String(pods.revision) });
    const events = collect(w, 2);
    await store.create(podKey('ns', 'b'), pod('ns', 'b'));
    const cmWrite = await store.create('/core/configmaps/ns/c2', cm('ns', 'c2'));
    await store.delete(podKey('ns', 'a'));
    const got = await events;
    assert.deepEqual(
      got.map((i) => `${i.type} ${(i.object as KubeObject).metadata.name ?? ''}`),
      ['ADDED b', 'DELETED a'],
    );
    // Read-your-writes: the cache already has what the store acknowledged.
    assert.equal(cms.get('ns', 'c2')?.metadata.resourceVersion, String(cmWrite.modRevision));
    // Progress: the pods cache moved with the configmap write too.
    assert.equal(pods.revision, store.currentRevision);
    hub.close();
  });
});

test('hub: a resource registered after start loads, keeping writes made while it listed', async () => {
  await withStore(async (store) => {
    await store.create('/core/services/ns/s1', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 's1' } });
    const hub = new WatchHub(store);
    hub.register(podsResource);
    await hub.start();
    const svcs = hub.register(services);
    const writing = store.create('/core/services/ns/s2', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 's2' } });
    const w = svcs.watch({}); // waits for the cache to load
    const got = await collect(w, 2);
    await writing;
    assert.deepEqual(got.map((i) => (i.object as KubeObject).metadata.name).sort(), ['s1', 's2']);
    await svcs.waitForRevision(store.currentRevision);
    assert.equal((await svcs.list()).items.length, 2);
    hub.close();
  });
});

test('hub: start lists again when its revision was compacted before it subscribed', async () => {
  await withStore(async (store) => {
    await store.create(podKey('ns', 'a'), pod('ns', 'a'));
    let refusals = 0;
    // The first subscribe finds its revision compacted, as after a long initial list.
    const flaky: Store<KubeObject> = Object.create(store) as Store<KubeObject>;
    Object.defineProperty(flaky, 'subscribe', {
      value: (after: number, listener: StoreEventListener<KubeObject>) => {
        if (refusals++ === 0) throw new CompactedError(after, after + 1);
        return store.subscribe(after, listener);
      },
    });
    for (const m of ['list', 'create', 'get'] as const) {
      Object.defineProperty(flaky, m, { value: store[m].bind(store) });
    }
    Object.defineProperty(flaky, 'currentRevision', { get: () => store.currentRevision });
    const hub = new WatchHub(flaky);
    const pods = hub.register(podsResource);
    await hub.start();
    assert.equal(refusals, 2);
    assert.equal(pods.size, 1);
    hub.close();
  });
});

test('hub: a resource registered later that cannot be listed is reported, not thrown', async () => {
  await withStore(async (store) => {
    const broken: Store<KubeObject> = Object.create(store) as Store<KubeObject>;
    Object.defineProperty(broken, 'list', {
      value: (prefix: string, options?: Parameters<Store<KubeObject>['list']>[1]) =>
        prefix.startsWith('/core/services/')
          ? Promise.reject(new Error('disk on fire'))
          : store.list(prefix, options),
    });
    Object.defineProperty(broken, 'subscribe', { value: store.subscribe.bind(store) });
    Object.defineProperty(broken, 'currentRevision', { get: () => store.currentRevision });
    const reported: string[] = [];
    const hub = new WatchHub(broken, { onLoadError: (r, e) => reported.push(`${r.plural}: ${String(e)}`) });
    hub.register(podsResource);
    await hub.start();
    const svcs = hub.register(services);
    for (let i = 0; i < 100 && reported.length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(reported, ['services: Error: disk on fire']);
    assert.equal(svcs.ready, false);
    hub.close();
  });
});
