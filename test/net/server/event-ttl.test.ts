// Event TTL (kube-apiserver --event-ttl): an Event is deleted a TTL after its last write, as its
// etcd lease expiring would; other kinds are never touched; a sweep's work is bounded; Events
// from before a restart expire from the time they record; 0 keeps Events forever.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds } from '../../../src/core/api/kinds.js';
import type { KubeObject } from '../../../src/core/api/types.js';
import { limits } from '../../../src/core/limits.js';
import { openLmdbStore, type LmdbStore } from '../../../src/core/store/lmdb-store.js';
import type { ResourceType } from '../../../src/net/api.js';
import { startApiServer } from '../../../src/net/server/api-server.js';
import { Registry } from '../../../src/net/server/registry/registry.js';
import type { WatchCache } from '../../../src/watch/cache.js';
import { WatchHub } from '../../../src/watch/hub.js';

const events: ResourceType = { group: '', version: 'v1', plural: 'events' };
const configmaps: ResourceType = { group: '', version: 'v1', plural: 'configmaps' };
const namespaces: ResourceType = { group: '', version: 'v1', plural: 'namespaces' };

function eventBody(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    reason: 'Started',
    message: 'started',
    type: 'Normal',
    ...extra,
  } as KubeObject;
}

/** The store and watch caches of an API server, and registries over them with a clock we move. */
class Cluster {
  clockMs = Date.parse('2026-01-01T00:00:00Z');
  private readonly registries: Registry[] = [];

  private constructor(
    readonly store: LmdbStore<KubeObject>,
    readonly hub: WatchHub,
  ) {}

  static async open(dir: string): Promise<Cluster> {
    const store = await openLmdbStore<KubeObject>({ path: dir });
    const hub = new WatchHub(store, {});
    for (const kind of kinds) hub.register(kind);
    await hub.start();
    return new Cluster(store, hub);
  }

  registry(eventTtlMs: number): Registry {
    const hub = this.hub;
    const r = new Registry({
      store: this.store,
      caches: {
        cacheFor(kind): WatchCache {
          const cache = hub.cacheFor(kind);
          if (cache === undefined) throw new Error(`no cache for ${kind.plural}`);
          return cache;
        },
      },
      now: () => new Date(this.clockMs),
      eventTtlMs,
      // No timer: the tests move the clock and sweep themselves.
      eventTtlSweepPeriodMs: 0,
    });
    this.registries.push(r);
    return r;
  }

  async close(): Promise<void> {
    for (const r of this.registries) r.close();
    this.hub.close();
    await this.store.close();
  }
}

async function names(r: Registry, resource: ResourceType): Promise<string[]> {
  return (await r.list(resource, 'default')).items.map((o) => o.metadata.name ?? '');
}

describe('Event TTL', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cox-event-ttl-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('an Event goes a TTL after its last write; an update starts the TTL again', async () => {
    const c = await Cluster.open(join(dir, 'renew'));
    try {
      const ttlMs = 60_000;
      const r = c.registry(ttlMs);
      await r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      await r.create(events, 'default', eventBody('a'));
      await r.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
      c.clockMs += 10_000;
      await r.create(events, 'default', eventBody('b'));
      c.clockMs += 20_000;
      // t = 30 s: `a` is written again (as a recorder bumps count), so it lives until 90 s.
      await r.patch(events, 'default', 'a', 'merge', { count: 2 });
      const steps: readonly { readonly atMs: number; readonly deleted: number; readonly left: readonly string[] }[] = [
        { atMs: ttlMs - 1, deleted: 0, left: ['a', 'b'] },
        { atMs: ttlMs, deleted: 0, left: ['a', 'b'] }, // a's first entry is stale: no delete
        { atMs: 10_000 + ttlMs, deleted: 1, left: ['a'] },
        { atMs: 30_000 + ttlMs - 1, deleted: 0, left: ['a'] },
        { atMs: 30_000 + ttlMs, deleted: 1, left: [] },
      ];
      const start = Date.parse('2026-01-01T00:00:00Z');
      for (const s of steps) {
        c.clockMs = start + s.atMs;
        assert.equal(await r.sweepExpiredEvents(), s.deleted, `at ${s.atMs} ms`);
        assert.deepEqual(await names(r, events), s.left, `at ${s.atMs} ms`);
      }
      assert.deepEqual(await names(r, configmaps), ['cm'], 'other kinds are not touched');
    } finally {
      await c.close();
    }
  });

  test('one sweep examines at most limits.eventTtlSweepEntriesMax entries; the next takes the rest', async () => {
    const c = await Cluster.open(join(dir, 'bounded'));
    try {
      const r = c.registry(1000);
      await r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      const count = limits.eventTtlSweepEntriesMax + 37;
      await Promise.all(Array.from({ length: count }, (_, i) => r.create(events, 'default', eventBody(`e${i}`))));
      c.clockMs += 1000;
      assert.equal(await r.sweepExpiredEvents(), limits.eventTtlSweepEntriesMax);
      assert.equal((await names(r, events)).length, 37);
      assert.equal(await r.sweepExpiredEvents(), 37);
      assert.equal(await r.sweepExpiredEvents(), 0);
      assert.deepEqual(await names(r, events), []);
    } finally {
      await c.close();
    }
  });

  test('after a restart, Events expire from the latest time they record', async () => {
    const c = await Cluster.open(join(dir, 'restart'));
    try {
      const ttlMs = 3_600_000;
      const first = c.registry(ttlMs);
      await first.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      await first.create(events, 'default', eventBody('old'));
      await first.create(events, 'default', eventBody('seen-later', { lastTimestamp: new Date(c.clockMs + 1_800_000).toISOString() }));
      first.close();
      // A new registry (the server started again) knows nothing of the writes above.
      const second = c.registry(ttlMs);
      c.clockMs += ttlMs;
      assert.equal(await second.sweepExpiredEvents(), 1);
      assert.deepEqual(await names(second, events), ['seen-later']);
      c.clockMs += 1_800_000;
      assert.equal(await second.sweepExpiredEvents(), 1);
      assert.deepEqual(await names(second, events), []);
    } finally {
      await c.close();
    }
  });

  test('a TTL of 0 keeps Events forever; a negative TTL is refused', async () => {
    const c = await Cluster.open(join(dir, 'zero'));
    try {
      const r = c.registry(0);
      await r.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      await r.create(events, 'default', eventBody('kept'));
      c.clockMs += 365 * 24 * 3_600_000;
      assert.equal(await r.sweepExpiredEvents(), 0);
      assert.deepEqual(await names(r, events), ['kept']);
      assert.throws(() => c.registry(-1), /eventTtlMs must be a finite number >= 0/);
    } finally {
      await c.close();
    }
  });

  test('over HTTP, with a short TTL, a watcher sees the Event DELETED and the ConfigMap stays', async () => {
    const server = await startApiServer({ dataDir: join(dir, 'http'), port: 0, eventTtlMs: 200 });
    try {
      const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
        const res = await fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        assert.equal(res.status, 201);
        return (await res.json()) as Record<string, unknown>;
      };
      await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stays' } });
      const created = await post('/api/v1/namespaces/default/events', eventBody('short'));
      const rv = (created['metadata'] as { resourceVersion: string }).resourceVersion;
      const abort = new AbortController();
      const deadline = setTimeout(() => abort.abort(), 15_000);
      const seen: string[] = [];
      try {
        const res = await fetch(`${server.url}/api/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`, { signal: abort.signal });
        const decoder = new TextDecoder();
        let buffered = '';
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        while (!seen.includes('DELETED')) {
          const { value, done } = await reader.read();
          if (done) break;
          buffered += decoder.decode(value, { stream: true });
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = JSON.parse(buffered.slice(0, nl)) as { type: string; object: KubeObject };
            buffered = buffered.slice(nl + 1);
            if (line.type !== 'BOOKMARK') seen.push(`${line.type}`, line.object.metadata.name ?? '');
          }
        }
        await reader.cancel();
      } finally {
        clearTimeout(deadline);
      }
      assert.deepEqual(seen, ['DELETED', 'short']);
      const gone = await fetch(`${server.url}/api/v1/namespaces/default/events/short`);
      assert.equal(gone.status, 404);
      assert.equal((await fetch(`${server.url}/api/v1/namespaces/default/configmaps/stays`)).status, 200);
    } finally {
      await server.close();
    }
  });
});
