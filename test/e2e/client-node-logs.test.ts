// @kubernetes/client-node 1.4.0 reading pod logs through a real Coxswain API server, which
// proxies them to a fake kubelet endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/core/api/types.js';
import { kubeletSchemeAnnotation } from '../../src/net/server/node-proxy.js';
import { FakeKubelet } from './fake-kubelet.js';
import { startTestCluster, type TestCluster } from './harness.js';

interface HttpError {
  readonly code?: number;
  readonly body?: string;
}

describe('@kubernetes/client-node pod logs end to end', () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let kubelet: FakeKubelet;

  before(async () => {
    c = await startTestCluster();
    kubelet = new FakeKubelet();
    await kubelet.start();
    await c.server.registry.create({ group: '', version: 'v1', plural: 'nodes' }, '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', annotations: { [kubeletSchemeAnnotation]: 'http' } },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
    } as KubeObject);
    await c.server.registry.create({ group: '', version: 'v1', plural: 'pods' }, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'worker' },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }, { name: 'side', image: 'busybox' }] },
    } as KubeObject);
    kubelet.setLog('default', 'worker', 'main', ['a', 'b', 'c']);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.server.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    await kubelet?.close();
    await c?.close();
  });

  test('readNamespacedPodLog returns the log text, tailLines applied', async () => {
    assert.equal(await core.readNamespacedPodLog({ name: 'worker', namespace: 'default', container: 'main' }), 'a\nb\nc\n');
    assert.equal(await core.readNamespacedPodLog({ name: 'worker', namespace: 'default', container: 'main', tailLines: 1 }), 'c\n');
  });

  test('without a container, a two-container pod is a 400 naming the choices', async () => {
    await assert.rejects(core.readNamespacedPodLog({ name: 'worker', namespace: 'default' }), (e: HttpError) => {
      assert.equal(e.code, 400);
      const status = JSON.parse(e.body ?? '{}') as { reason?: string; message?: string };
      assert.equal(status.reason, 'BadRequest');
      assert.equal(status.message, 'a container name must be specified for pod worker, choose one of: [main side]');
      return true;
    });
  });

  test('Log follows a container into a Writable until the log ends', async () => {
    let text = '';
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const sink = new Writable({
      write(chunk: Buffer, _enc, done): void {
        text += chunk.toString('utf8');
        done();
      },
      final(done): void {
        finish();
        done();
      },
    });
    await new k8s.Log(kc).log('default', 'worker', 'main', sink, { follow: true });
    await kubelet.until(() => kubelet.followerCount('default', 'worker', 'main') === 1);
    kubelet.append('default', 'worker', 'main', 'd');
    kubelet.endFollowers('default', 'worker', 'main');
    await finished;
    assert.equal(text, 'a\nb\nc\nd\n');
  });
});
