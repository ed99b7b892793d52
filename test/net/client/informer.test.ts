// Informers against a real server (over HTTP and in process): paged list, watch, handlers,
// indexes, resume after the server ends a watch, re-list after a server-side 410; and against a
// scripted API for HTTP 410 and backoff on failures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeList, KubeObject } from '../../../src/core/api/types.js';
import { expired } from '../../../src/core/errors.js';
import type { ClusterApi, ListOptions, ResourceType, WatchEvent, WatchOptions, WatchStream } from '../../../src/net/api.js';
import { Informer, SharedInformerFactory, createInformer, type EventHandler } from '../../../src/net/client/informer.js';
import { namespaceIndex } from '../../../src/net/client/indexer.js';
import { configMap, configMaps, eventually, namespaces, startTestServer, type ClientKind, type TestServer } from './harness.js';

interface Recorded {
  readonly added: string[];
  readonly addedInitial: string[];
  readonly updated: [string, string][];
  readonly deleted: string[];
}

function recorder(): Recorded & EventHandler {
  const r: Recorded = { added: [], addedInitial: [], updated: [], deleted: [] };
  return {
    ...r,
    onAdd(o, initial) {
      (initial ? r.addedInitial : r.added).push(o.metadata.name ?? '');
    },
    onUpdate(oldObj, newObj) {
      r.updated.push([oldObj.metadata.resourceVersion ?? '', newObj.metadata.resourceVersion ?? '']);
    },
    onDelete(o) {
      r.deleted.push(o.metadata.name ?? '');
    },
  };
}

/**
 * Delegates to a real client, but lets a test hold new watches at a gate and cut the running one:
 * timing control only; what the informer sees comes from the server.
 */
class GatedApi {
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  current: WatchStream | undefined;
  readonly api: ClusterApi;

  constructor(inner: ClusterApi) {
    // A ClusterApi whose watch waits at the gate; everything else is the inner client's.
    const watch = async <T extends KubeObject>(r: ResourceType, ns: string, o?: WatchOptions): Promise<WatchStream<T>> => {
      if (this.gate !== undefined) await this.gate;
      const s = await inner.watch<T>(r, ns, o);
      this.current = s as unknown as WatchStream;
      return s;
    };
    this.api = new Proxy(inner, {
      get: (target, prop, receiver) => (prop === 'watch' ? watch : (Reflect.get(target, prop, receiver) as unknown)),
    });
  }

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }
}

const configMapKind = { group: '', plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true } as const;

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.close();
});

const kinds: readonly ClientKind[] = ['http-msgpack', 'in-process'];

for (const kind of kinds) {
  describe(`informer over ${kind}`, () => {
    let api: ClusterApi;
    const ns = `inf-${kind}`;
    before(async () => {
      api = ts.client(kind);
      await api.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      for (let i = 0; i < 7; i++) await api.create(configMaps, ns, configMap(`pre-${i}`, {}, { app: i < 4 ? 'a' : 'b' }));
    });

    test('lists in pages, syncs, then follows events into the store and the handlers', async () => {
      const informer = createInformer(api, configMaps, { namespace: ns, pageSize: 2 });
      const rec = recorder();
      informer.addEventHandler(rec);
      informer.addIndexer('app', (o) => [o.metadata.labels?.['app'] ?? '']);
      assert.equal(informer.hasSynced(), false);
      informer.start();
      assert.equal(await informer.waitForSync(5000), true);
      try {
        assert.equal(informer.stats.lists, 1);
        assert.deepEqual(rec.addedInitial.sort(), ['pre-0', 'pre-1', 'pre-2', 'pre-3', 'pre-4', 'pre-5', 'pre-6']);
        assert.equal(informer.indexer.size, 7);
        assert.equal(informer.indexer.byIndex(namespaceIndex, ns).length, 7);
        assert.deepEqual(informer.indexer.byIndex('app', 'a').map((o) => o.metadata.name).sort(), ['pre-0', 'pre-1', 'pre-2', 'pre-3']);

        await api.create(configMaps, ns, configMap('new-1', {}, { app: 'a' }));
        const patched = await api.patch(configMaps, ns, 'pre-4', 'merge', { metadata: { labels: { app: 'a' } } });
        await api.delete(configMaps, ns, 'pre-0');
        await eventually(() => rec.deleted.length === 1, 5000, 'the DELETED event');
        assert.deepEqual(rec.added, ['new-1']);
        assert.equal(rec.updated.length, 1);
        assert.equal(rec.updated[0]?.[1], patched.object.metadata.resourceVersion);
        assert.deepEqual(rec.deleted, ['pre-0']);
        assert.equal(informer.indexer.getByName(ns, 'pre-0'), undefined);
        assert.equal(informer.indexer.getByName(ns, 'pre-4')?.metadata.resourceVersion, patched.object.metadata.resourceVersion);
        // The custom index follows updates: pre-4 moved from b to a.
        assert.deepEqual(informer.indexer.byIndex('app', 'a').map((o) => o.metadata.name).sort(), ['new-1', 'pre-1', 'pre-2', 'pre-3', 'pre-4']);
        assert.deepEqual(informer.indexer.byIndex('app', 'b').map((o) => o.metadata.name).sort(), ['pre-5', 'pre-6']);

        // A handler added late first sees what is there.
        const late = recorder();
        informer.addEventHandler(late);
        assert.equal(late.addedInitial.length, informer.indexer.size);
      } finally {
        await informer.stop();
      }
      // Restore for the next test.
      await api.create(configMaps, ns, configMap('pre-0', {}, { app: 'a' }));
      await api.patch(configMaps, ns, 'pre-4', 'merge', { metadata: { labels: { app: 'b' } } });
      await api.delete(configMaps, ns, 'new-1');
    });

    test('a label-selected informer sees only matching objects, and one leaving the selection as deleted', async () => {
      const informer = createInformer(api, configMaps, { namespace: ns, labelSelector: 'app=b' });
      const rec = recorder();
      informer.addEventHandler(rec);
      informer.start();
      try {
        assert.equal(await informer.waitForSync(5000), true);
        assert.deepEqual(informer.indexer.listKeys().sort(), [`${ns}/pre-4`, `${ns}/pre-5`, `${ns}/pre-6`]);
        await api.patch(configMaps, ns, 'pre-6', 'merge', { metadata: { labels: { app: 'c' } } });
        await eventually(() => rec.deleted.length === 1, 5000, 'pre-6 leaving the selection');
        assert.deepEqual(rec.deleted, ['pre-6']);
      } finally {
        await informer.stop();
        await api.patch(configMaps, ns, 'pre-6', 'merge', { metadata: { labels: { app: 'b' } } });
      }
    });

    test('resumes from its last resourceVersion when the server ends the watch (timeoutSeconds), without a re-list', async () => {
      const informer = createInformer(api, configMaps, { namespace: ns, watchTimeoutSeconds: 1 });
      const rec = recorder();
      informer.addEventHandler(rec);
      informer.start();
      try {
        assert.equal(await informer.waitForSync(5000), true);
        await eventually(() => informer.stats.resumes >= 1, 5000, 'the server to end the first watch');
        await api.create(configMaps, ns, configMap('after-resume'));
        await eventually(() => rec.added.includes('after-resume'), 5000, 'the event after the resume');
        assert.equal(informer.stats.lists, 1);
        assert.equal(informer.stats.expiredRelists, 0);
        assert.ok(informer.stats.watches >= 2);
      } finally {
        await informer.stop();
        await api.delete(configMaps, ns, 'after-resume');
      }
    });

    test('a continue token that expires mid-list (410) falls back to one unpaged list', async () => {
      // After the first page, the cluster moves on and history is dropped: the token expires.
      let pages = 0;
      const expiring = new Proxy(api, {
        get: (target, prop, receiver) => {
          if (prop !== 'list') return Reflect.get(target, prop, receiver) as unknown;
          return async (r: ResourceType, n: string, o?: ListOptions) => {
            pages++;
            const page = await target.list(r, n, o);
            if (pages === 1) {
              const moved = await target.patch(configMaps, ns, 'pre-3', 'merge', { data: { page: 'moved' } });
              ts.server.hub.cacheFor(configMapKind)?.compact(Number(moved.object.metadata.resourceVersion));
            }
            return page;
          };
        },
      });
      const errors: unknown[] = [];
      const informer = createInformer(expiring, configMaps, { namespace: ns, pageSize: 2, onError: (e) => errors.push(e) });
      informer.start();
      try {
        assert.equal(await informer.waitForSync(5000), true);
        assert.equal(pages, 3, `first page, the expired continue, the unpaged list: ${pages} calls`);
        assert.deepEqual(errors, []);
        assert.equal(informer.indexer.size, (await api.list(configMaps, ns)).items.length);
        assert.deepEqual((informer.indexer.getByName(ns, 'pre-3') as KubeObject & { data?: unknown }).data, { page: 'moved' });
      } finally {
        await informer.stop();
      }
    });

    test('survives a server-side 410: re-lists and tells handlers what changed while it was away', async () => {
      const gated = new GatedApi(api);
      const informer = createInformer(gated.api, configMaps, { namespace: ns, backoffInitialMs: 10, backoffMaxMs: 50 });
      const rec = recorder();
      informer.addEventHandler(rec);
      informer.start();
      try {
        assert.equal(await informer.waitForSync(5000), true);
        await eventually(() => gated.current !== undefined, 5000, 'the first watch');
        const rvBefore = informer.lastSyncResourceVersion;
        // Cut the watch and hold the next one while the cluster moves on and history is dropped.
        gated.hold();
        gated.current?.close();
        await api.create(configMaps, ns, configMap('while-away'));
        await api.delete(configMaps, ns, 'pre-1');
        const changed = await api.patch(configMaps, ns, 'pre-2', 'merge', { data: { x: 'y' } });
        const cache = ts.server.hub.cacheFor(configMapKind);
        assert.ok(cache !== undefined);
        cache.compact(Number(changed.object.metadata.resourceVersion));
        gated.release();

        await eventually(() => informer.stats.expiredRelists === 1 && informer.stats.lists === 2, 5000, 'the re-list after 410');
        assert.ok(Number(informer.lastSyncResourceVersion) >= Number(changed.object.metadata.resourceVersion));
        assert.ok(Number(rvBefore) < Number(informer.lastSyncResourceVersion));
        assert.deepEqual(rec.added, []);
        assert.ok(rec.addedInitial.includes('while-away'));
        assert.deepEqual(rec.deleted, ['pre-1']);
        assert.deepEqual(rec.updated, [[rec.updated[0]?.[0] ?? '', changed.object.metadata.resourceVersion ?? '']]);
        assert.equal(informer.indexer.getByName(ns, 'pre-1'), undefined);
        assert.deepEqual((informer.indexer.getByName(ns, 'pre-2') as KubeObject & { data?: unknown }).data, { x: 'y' });

        // And it keeps following after the re-list.
        await api.create(configMaps, ns, configMap('after-relist'));
        await eventually(() => rec.added.includes('after-relist'), 5000, 'an event after the re-list');
      } finally {
        gated.release();
        await informer.stop();
      }
    });
  });
}

// ---- a scripted API: failures the real server does not produce on demand ----

type Step = { readonly kind: 'list'; readonly fail?: Error } | { readonly kind: 'watch'; readonly fail?: Error };

class ScriptedApi {
  readonly calls: string[] = [];
  private readonly items: KubeObject[] = [configMap('only')].map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'x', resourceVersion: '5' } }));
  constructor(private readonly steps: Step[]) {}

  readonly api = {
    list: async (_r: ResourceType, _ns: string, _o?: ListOptions): Promise<KubeList> => {
      this.calls.push('list');
      const step = this.steps.shift();
      if (step?.fail !== undefined) throw step.fail;
      return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '5' }, items: this.items };
    },
    watch: async (_r: ResourceType, _ns: string, o?: WatchOptions): Promise<WatchStream> => {
      this.calls.push(`watch@${o?.resourceVersion ?? ''}`);
      const step = this.steps.shift();
      if (step?.fail !== undefined) throw step.fail;
      // A stream that stays open until closed.
      let close: () => void = () => undefined;
      const closed = new Promise<void>((resolve) => {
        close = resolve;
      });
      return {
        close,
        async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
          await closed;
        },
      };
    },
  } as unknown as ClusterApi;
}

describe('informer failure handling', () => {
  test('HTTP 410 on watch → re-list; other failures → backoff and retry', async () => {
    const scripted = new ScriptedApi([
      { kind: 'list', fail: new Error('connect ECONNREFUSED') },
      { kind: 'list', fail: new Error('connect ECONNREFUSED') },
      { kind: 'list' },
      { kind: 'watch', fail: expired('too old resource version: 5 (9)') },
      { kind: 'list' },
      { kind: 'watch' },
    ]);
    const errors: unknown[] = [];
    const informer = new Informer(scripted.api, configMaps, { backoffInitialMs: 1, backoffMaxMs: 4, onError: (e) => errors.push(e) });
    informer.start();
    try {
      assert.equal(await informer.waitForSync(5000), true);
      await eventually(() => scripted.calls.length === 6, 5000, 'the scripted calls');
      assert.deepEqual(scripted.calls, ['list', 'list', 'list', 'watch@5', 'list', 'watch@5']);
      assert.equal(informer.stats.expiredRelists, 1);
      assert.equal(informer.stats.lists, 2);
      assert.equal(errors.length, 3);
    } finally {
      await informer.stop();
    }
  });

  test('stop() during a backoff ends the loop and waitForSync answers false', async () => {
    const scripted = new ScriptedApi([{ kind: 'list', fail: new Error('down') }]);
    const informer = new Informer(scripted.api, configMaps, { backoffInitialMs: 60_000, backoffMaxMs: 60_000 });
    informer.start();
    const waiting = informer.waitForSync(60_000);
    await eventually(() => informer.stats.failures === 1, 5000, 'the first failure');
    await informer.stop();
    assert.equal(await waiting, false);
    assert.equal(informer.hasSynced(), false);
  });

  test('a throwing handler neither stops the informer nor starves the other handlers', async () => {
    const scripted = new ScriptedApi([{ kind: 'list' }, { kind: 'watch' }]);
    const errors: unknown[] = [];
    const informer = new Informer(scripted.api, configMaps, { onError: (e) => errors.push(e) });
    const seen: string[] = [];
    informer.addEventHandler({ onAdd: () => { throw new Error('handler bug'); } });
    informer.addEventHandler({ onAdd: (o) => seen.push(o.metadata.name ?? '') });
    informer.start();
    try {
      assert.equal(await informer.waitForSync(5000), true);
      assert.deepEqual(seen, ['only']);
      assert.equal(errors.length, 1);
    } finally {
      await informer.stop();
    }
  });

  test('resync hands every object to onUpdate(obj, obj)', async () => {
    const scripted = new ScriptedApi([{ kind: 'list' }, { kind: 'watch' }]);
    const informer = new Informer(scripted.api, configMaps, { resyncPeriodMs: 20 });
    const updates: [KubeObject, KubeObject][] = [];
    informer.addEventHandler({ onUpdate: (a, b) => updates.push([a, b]) });
    informer.start();
    try {
      await eventually(() => updates.length >= 2, 5000, 'two resyncs');
      assert.ok(updates.every(([a, b]) => a === b && a.metadata.name === 'only'));
    } finally {
      await informer.stop();
    }
  });
});

describe('SharedInformerFactory', () => {
  test('one informer per resource and selector, started and synced together', async () => {
    const api = ts.client('in-process');
    const factory = new SharedInformerFactory(api);
    const a = factory.informerFor(configMaps, { namespace: 'default' });
    const b = factory.informerFor(configMaps, { namespace: 'default' });
    const c = factory.informerFor(configMaps, { namespace: 'default', labelSelector: 'app=x' });
    const d = factory.informerFor(namespaces);
    assert.equal(a, b);
    assert.notEqual(a, c);
    factory.start();
    try {
      assert.equal(await factory.waitForCacheSync(5000), true);
      assert.ok(a.hasSynced() && c.hasSynced() && d.hasSynced());
      assert.ok(d.indexer.getByName('', 'kube-system') !== undefined);
      // Requested after start: started at once.
      const e = factory.informerFor(namespaces, { labelSelector: 'x=y' });
      assert.equal(await e.waitForSync(5000), true);
    } finally {
      await factory.shutdown();
    }
  });
});
