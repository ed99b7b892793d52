// @kubernetes/client-node 1.4.0, unmodified, against a real Coxswain API server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from './harness.js';

interface HttpError {
  readonly code?: number;
  readonly body?: string;
}

describe('@kubernetes/client-node end to end', () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    // A small event ring and small watcher buffers, so a burst of writes can expire a watch.
    c = await startTestCluster({ watchCache: { historyEventsMax: 8, bufferEventsMax: 4 } });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.server.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await c?.close();
  });

  test('CRUD on a ConfigMap, with Status errors carrying code and body', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cn', labels: { app: 'cn' } }, data: { a: '1' } },
    });
    assert.equal(created.metadata?.name, 'cn');
    assert.match(created.metadata?.resourceVersion ?? '', /^[0-9]+$/);

    const read = await core.readNamespacedConfigMap({ name: 'cn', namespace: 'default' });
    assert.deepEqual(read.data, { a: '1' });

    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'cn', namespace: 'default', body: read });
    assert.equal(replaced.data?.['a'], '2');
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

    // A stale resourceVersion is a 409 Conflict.
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'cn', namespace: 'default', body: read }), (e: HttpError) => {
      assert.equal(e.code, 409);
      assert.equal((JSON.parse(e.body ?? '{}') as { reason?: string }).reason, 'Conflict');
      return true;
    });

    await core.deleteNamespacedConfigMap({ name: 'cn', namespace: 'default' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cn', namespace: 'default' }), (e: HttpError) => {
      assert.equal(e.code, 404);
      assert.match(e.body ?? '', /configmaps \\"cn\\" not found/);
      return true;
    });
  });

  test('create and list Deployments with a label selector', async () => {
    for (const [name, tier] of [['a', 'web'], ['b', 'web'], ['c', 'db']] as const) {
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name, labels: { tier } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
          },
        },
      });
    }
    const web = await apps.listNamespacedDeployment({ namespace: 'default', labelSelector: 'tier=web' });
    assert.deepEqual(web.items.map((d) => d.metadata?.name).sort(), ['a', 'b']);
    const all = await apps.listDeploymentForAllNamespaces();
    assert.equal(all.items.length, 3);
    // Defaults were applied by the server.
    assert.equal(all.items[0]?.spec?.strategy?.type, 'RollingUpdate');
  });

  test('watch from a list revision delivers later changes in order', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const rv = list.metadata?.resourceVersion ?? '';
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const req = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: rv },
      (type: string, obj: k8s.V1ConfigMap) => {
        seen.push(`${type} ${obj.metadata?.name ?? ''}`);
        if (seen.length === 3) done();
      },
      () => undefined,
    );
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w1' } } });
    await core.patchNamespacedConfigMap(
      { name: 'w1', namespace: 'default', body: { data: { x: 'y' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'default' });
    await finished;
    req.abort();
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  test('an informer survives a server-side 410 by re-listing, and converges', async () => {
    let lists = 0;
    const listFn = (): Promise<k8s.V1PodList> => {
      lists++;
      return core.listNamespacedPod({ namespace: 'default' });
    };
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', listFn);
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      // A burst: the watcher's 4-event buffer overflows, its stream ends, and its resume
      // revision is older than the 8-event window: the server answers 410 and it re-lists.
      const registry = c.server.registry;
      const pod = (i: number): k8s.V1Pod & { apiVersion: string; kind: string; metadata: { name: string } } => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `burst-${i}` },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => registry.create({ group: '', version: 'v1', plural: 'pods' }, 'default', pod(i))),
      );
      const deadline = Date.now() + 20_000;
      while (informer.list('default').length < 60 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(informer.list('default').length, 60);
      assert.ok(lists >= 2, `expected a re-list after 410, saw ${lists} list call(s)`);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});
