// The two clients against a real server: the same calls give the same results and the same
// Status errors over HTTP (msgpack and JSON) and in process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/core/api/types.js';
import { StatusError, type Status } from '../../../src/core/errors.js';
import type { ClusterApi, WatchEvent, WatchStream } from '../../../src/net/api.js';
import { HttpClient } from '../../../src/net/client/http-client.js';
import { clientKinds, configMap, configMaps, namespaces, pod, pods, startTestServer, type TestServer } from './harness.js';

async function statusOf(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e.status;
  }
  assert.fail('expected the call to fail');
}

/** Reads `n` events, bounded by a timer that closes the stream. */
async function take(stream: WatchStream, n: number, timeoutMs = 5000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const timer = setTimeout(() => stream.close(), timeoutMs);
  try {
    for await (const ev of stream) {
      out.push(ev);
      if (out.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

function dataOf(o: KubeObject): unknown {
  return (o as KubeObject & { data?: unknown }).data;
}

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.close();
});

for (const kind of clientKinds) {
  describe(`client ${kind}`, () => {
    let api: ClusterApi;
    const ns = `ns-${kind}`;
    before(async () => {
      api = ts.client(kind);
      await api.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    });

    test('create, get, update, patch, delete', async () => {
      const created = await api.create(configMaps, ns, configMap('cm1', { a: '1' }));
      assert.equal(created.created, true);
      assert.equal(created.object.metadata.name, 'cm1');
      assert.equal(created.object.metadata.namespace, ns);
      assert.match(created.object.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
      const rv1 = created.object.metadata.resourceVersion ?? '';
      assert.match(rv1, /^[0-9]+$/);

      const got = await api.get(configMaps, ns, 'cm1');
      assert.deepEqual(got, created.object);

      const updated = await api.update(configMaps, ns, 'cm1', { ...got, data: { a: '2' } } as KubeObject);
      assert.equal(updated.created, false);
      assert.deepEqual(dataOf(updated.object), { a: '2' });
      assert.ok(Number(updated.object.metadata.resourceVersion) > Number(rv1));

      const merged = await api.patch(configMaps, ns, 'cm1', 'merge', { data: { b: '3' } });
      assert.deepEqual(dataOf(merged.object), { a: '2', b: '3' });
      const jsonPatched = await api.patch(configMaps, ns, 'cm1', 'json', [{ op: 'remove', path: '/data/a' }]);
      assert.deepEqual(dataOf(jsonPatched.object), { b: '3' });
      const strategic = await api.patch(configMaps, ns, 'cm1', 'strategic', { metadata: { labels: { tier: 'x' } } });
      assert.deepEqual(strategic.object.metadata.labels, { tier: 'x' });

      const deleted = await api.delete(configMaps, ns, 'cm1');
      assert.equal(deleted.gone, true);
      const status = await statusOf(api.get(configMaps, ns, 'cm1'));
      assert.equal(status.reason, 'NotFound');
      assert.equal(status.code, 404);
      assert.equal(status.message, 'configmaps "cm1" not found');
      assert.deepEqual(status.details, { name: 'cm1', group: '', kind: 'configmaps' });
    });

    test('server-side apply creates, then updates with 200', async () => {
      const first = await api.patch(configMaps, ns, 'applied', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: 'v' } }, { fieldManager: 'test' });
      assert.equal(first.created, true);
      const second = await api.patch(configMaps, ns, 'applied', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: 'w' } }, { fieldManager: 'test' });
      assert.equal(second.created, false);
      assert.deepEqual(dataOf(second.object), { k: 'w' });
    });

    test('Status errors: AlreadyExists, Conflict, Invalid with causes, NotFound on delete', async () => {
      const { object } = await api.create(configMaps, ns, configMap('dup'));
      const exists = await statusOf(api.create(configMaps, ns, configMap('dup')));
      assert.equal(exists.reason, 'AlreadyExists');
      assert.equal(exists.code, 409);
      assert.equal(exists.message, 'configmaps "dup" already exists');

      await api.update(configMaps, ns, 'dup', { ...object, data: { x: '1' } } as KubeObject);
      // `object` now carries a stale resourceVersion.
      const conflict = await statusOf(api.update(configMaps, ns, 'dup', { ...object, data: { x: '2' } } as KubeObject));
      assert.equal(conflict.reason, 'Conflict');
      assert.equal(conflict.code, 409);
      assert.equal(
        conflict.message,
        'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
      );

      const invalid = await statusOf(api.create(configMaps, ns, configMap('Bad_Name')));
      assert.equal(invalid.reason, 'Invalid');
      assert.equal(invalid.code, 422);
      assert.match(invalid.message, /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/);
      assert.equal(invalid.details?.causes?.[0]?.field, 'metadata.name');
      assert.equal(invalid.details?.causes?.[0]?.reason, 'FieldValueInvalid');

      const gone = await statusOf(api.delete(configMaps, ns, 'never-was'));
      assert.equal(gone.reason, 'NotFound');
      assert.equal(gone.message, 'configmaps "never-was" not found');
    });

    test('dryRun writes nothing; unknown fields come back as warnings (fieldValidation=Warn)', async () => {
      const dry = await api.create(configMaps, ns, configMap('dry'), { dryRun: true });
      assert.equal(dry.object.metadata.name, 'dry');
      assert.equal((await statusOf(api.get(configMaps, ns, 'dry'))).reason, 'NotFound');

      const odd = { ...configMap('odd'), bogus: 1 } as KubeObject;
      const warned = await api.create(configMaps, ns, odd, { fieldValidation: 'Warn' });
      assert.deepEqual(warned.warnings, ['unknown field "bogus"']);
      const strict = await statusOf(api.create(configMaps, ns, { ...odd, metadata: { name: 'odd2' } } as KubeObject, { fieldValidation: 'Strict' }));
      assert.equal(strict.reason, 'BadRequest');
      assert.match(strict.message, /unknown field "bogus"/);
    });

    test('list with label and field selectors, and pages that cover everything once at one revision', async () => {
      const listNs = `${ns}-list`;
      await api.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: listNs } });
      for (let i = 0; i < 10; i++) {
        await api.create(configMaps, listNs, configMap(`item-${i}`, {}, { parity: i % 2 === 0 ? 'even' : 'odd' }));
      }
      const even = await api.list(configMaps, listNs, { labelSelector: 'parity=even' });
      assert.equal(even.kind, 'ConfigMapList');
      assert.deepEqual(even.items.map((o) => o.metadata.name).sort(), ['item-0', 'item-2', 'item-4', 'item-6', 'item-8']);
      const one = await api.list(configMaps, listNs, { fieldSelector: 'metadata.name=item-3' });
      assert.deepEqual(one.items.map((o) => o.metadata.name), ['item-3']);
      const notIn = await api.list(configMaps, listNs, { labelSelector: 'parity notin (even)', fieldSelector: 'metadata.name!=item-1' });
      assert.deepEqual(notIn.items.map((o) => o.metadata.name).sort(), ['item-3', 'item-5', 'item-7', 'item-9']);

      const seen: string[] = [];
      let cont: string | undefined;
      let rv: string | undefined;
      for (let page = 0; page < 10; page++) {
        const list = await api.list(configMaps, listNs, { limit: 3, ...(cont === undefined ? {} : { continue: cont }) });
        assert.ok(list.items.length <= 3);
        rv ??= list.metadata.resourceVersion;
        assert.equal(list.metadata.resourceVersion, rv);
        seen.push(...list.items.map((o) => o.metadata.name ?? ''));
        // A write between pages does not show in the pages of the list already started.
        if (page === 0) await api.create(configMaps, listNs, configMap('late'));
        cont = list.metadata.continue;
        if (cont === undefined || cont === '') break;
      }
      assert.deepEqual(seen.sort(), Array.from({ length: 10 }, (_, i) => `item-${i}`).sort());

      const removed = await api.deleteCollection(configMaps, listNs, { labelSelector: 'parity=odd' });
      assert.equal(removed.items.length, 5);
      const left = await api.list(configMaps, listNs);
      assert.deepEqual(left.items.map((o) => o.metadata.name).sort(), ['item-0', 'item-2', 'item-4', 'item-6', 'item-8', 'late']);
    });

    test('cluster-scoped objects: a namespace by name', async () => {
      const got = await api.get(namespaces, '', ns);
      assert.equal(got.kind, 'Namespace');
      assert.equal(got.metadata.name, ns);
      const all = await api.list(namespaces, '');
      assert.ok(all.items.some((o) => o.metadata.name === 'kube-system'));
    });

    test('watch: ordered events from a resourceVersion, filtered by label', async () => {
      const start = await api.list(configMaps, ns);
      const w = await api.watch(configMaps, ns, { resourceVersion: start.metadata.resourceVersion ?? '', labelSelector: 'watched=yes' });
      await api.create(configMaps, ns, configMap('w-skip'));
      const a = await api.create(configMaps, ns, configMap('w1', {}, { watched: 'yes' }));
      const b = await api.patch(configMaps, ns, 'w1', 'merge', { data: { k: 'v' } });
      const c = await api.delete(configMaps, ns, 'w1');
      assert.equal(c.gone, true);
      const events = await take(w, 3);
      w.close();
      assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      const rvs = events.map((e) => (e.object as KubeObject).metadata.resourceVersion);
      assert.equal(rvs[0], a.object.metadata.resourceVersion);
      assert.equal(rvs[1], b.object.metadata.resourceVersion);
      assert.ok(Number(rvs[2]) > Number(rvs[1]));
      assert.deepEqual(dataOf(events[1]?.object as KubeObject), { k: 'v' });
    });

    test('watch from a resourceVersion older than the window: one ERROR event, 410 Expired, then the end', async () => {
      const before = await api.create(configMaps, ns, configMap('old-1'));
      const after = await api.create(configMaps, ns, configMap('old-2'));
      const cache = ts.server.hub.cacheFor({ group: '', plural: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true });
      assert.ok(cache !== undefined);
      cache.compact(Number(after.object.metadata.resourceVersion));
      const w = await api.watch(configMaps, ns, { resourceVersion: before.object.metadata.resourceVersion ?? '' });
      const events = await take(w, 2);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'ERROR');
      const status = events[0]?.object as Status;
      assert.equal(status.code, 410);
      assert.equal(status.reason, 'Expired');
      assert.match(status.message, /^too old resource version: \d+ \(\d+\)$/);
    });

    test('a watch on an unknown resource fails at once with the 404 Status', async () => {
      const status = await statusOf(api.watch({ group: '', version: 'v1', plural: 'nonesuch' }, ns));
      assert.equal(status.code, 404);
      assert.equal(status.reason, 'NotFound');
    });

    test('closing a watch ends its iteration', async () => {
      const w = await api.watch(configMaps, ns, {});
      const reading = take(w, 1_000_000, 10_000);
      setTimeout(() => w.close(), 50);
      const events = await reading;
      // Only the initial ADDED events of what is there, then the end caused by close().
      assert.ok(events.every((e) => e.type === 'ADDED'));
    });

    if (kind === 'in-process') {
      test('objects handed out are frozen; objects handed in are not', async () => {
        const input = configMap('frozen', { a: '1' });
        const { object } = await api.create(configMaps, ns, input);
        assert.ok(Object.isFrozen(object) && Object.isFrozen(object.metadata));
        assert.ok(!Object.isFrozen(input) && !Object.isFrozen(input.metadata));
        input.metadata.name = 'changed-after';
        assert.equal((await api.get(configMaps, ns, 'frozen')).metadata.name, 'frozen');
        const got = await api.get(configMaps, ns, 'frozen');
        assert.throws(() => {
          (got.metadata as { name?: string }).name = 'x';
        }, TypeError);
        const list = await api.list(configMaps, ns);
        assert.ok(Object.isFrozen(list) && Object.isFrozen(list.items) && list.items.every((o) => Object.isFrozen(o)));
        const dry = await api.create(configMaps, ns, configMap('frozen-dry'), { dryRun: true });
        assert.ok(Object.isFrozen(dry.object) && Object.isFrozen(dry.object.metadata));
      });
    }
  });
}

describe('the same Status over HTTP as in process', () => {
  test('NotFound, AlreadyExists and Invalid are field-for-field equal', async () => {
    const local = ts.client('in-process');
    const remote = ts.client('http-msgpack');
    const remoteJson = ts.client('http-json');
    await local.create(configMaps, 'default', configMap('same'));
    const cases: ((api: ClusterApi) => Promise<unknown>)[] = [
      (api) => api.get(configMaps, 'default', 'missing'),
      (api) => api.create(configMaps, 'default', configMap('same')),
      (api) => api.create(configMaps, 'default', configMap('-bad-')),
      (api) => api.get(pods, '', 'x'),
      (api) => api.create(configMaps, 'no-such-ns', configMap('x')),
    ];
    for (const c of cases) {
      const expected = await statusOf(c(local));
      assert.deepEqual(await statusOf(c(remote)), expected);
      assert.deepEqual(await statusOf(c(remoteJson)), expected);
    }
  });

  test('a pod with a grace period is not gone after DELETE; without one it is', async () => {
    for (const api of [ts.client('http-msgpack'), ts.client('in-process')]) {
      const name = `graceful-${api.constructor.name.toLowerCase()}`;
      await api.create(pods, 'default', pod(name, {}, 'node-1'));
      const pending = await api.delete(pods, 'default', name, { gracePeriodSeconds: 30 });
      assert.equal(pending.gone, false);
      assert.ok((pending.object as KubeObject).metadata.deletionTimestamp !== undefined);
      const done = await api.delete(pods, 'default', name, { gracePeriodSeconds: 0 });
      assert.equal(done.gone, true);
      assert.equal((await statusOf(api.get(pods, 'default', name))).reason, 'NotFound');
    }
  });
});

describe('HttpClient watch flow control', () => {
  test('a slow reader with a tiny buffer gets every event, in order (the socket is paused, not the events dropped)', async () => {
    const local = ts.client('in-process');
    await local.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slow' } });
    const rv = (await local.list(configMaps, 'slow')).metadata.resourceVersion ?? '';
    for (let i = 0; i < 60; i++) await local.create(configMaps, 'slow', configMap(`s-${i}`, { pad: 'x'.repeat(2000) }));
    const client = new HttpClient({ url: ts.server.url, watchBufferEventsMax: 2 });
    try {
      const w = await client.watch(configMaps, 'slow', { resourceVersion: rv });
      const names: string[] = [];
      for await (const ev of w) {
        names.push((ev.object as KubeObject).metadata.name ?? '');
        await new Promise((r) => setImmediate(r));
        if (names.length === 60) break;
      }
      assert.deepEqual(names, Array.from({ length: 60 }, (_, i) => `s-${i}`));
    } finally {
      await client.close();
    }
  });
});
