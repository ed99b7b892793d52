// kubectl logs against a real Coxswain API server, the logs served by a fake kubelet endpoint
// (plain HTTP on loopback, as our node agent serves them) that the API server proxies to.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/core/api/types.js';
import { kubeletSchemeAnnotation } from '../../src/net/server/node-proxy.js';
import { FakeKubelet } from './fake-kubelet.js';
import { kubectlMissing, startTestCluster, type TestCluster } from './harness.js';

const missing = kubectlMissing();
if (missing !== undefined) console.log(`# ${missing}`);

describe('kubectl logs end to end', { skip: missing }, () => {
  let c: TestCluster;
  let kubelet: FakeKubelet;

  before(async () => {
    c = await startTestCluster();
    kubelet = new FakeKubelet();
    await kubelet.start();
    const r = c.server.registry;
    await r.create({ group: '', version: 'v1', plural: 'nodes' }, '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', annotations: { [kubeletSchemeAnnotation]: 'http' } },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
    } as KubeObject);
    const podOf = (name: string, containers: string[]): KubeObject =>
      ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { nodeName: 'node-1', containers: containers.map((n) => ({ name: n, image: 'busybox' })) },
      }) as KubeObject;
    await r.create({ group: '', version: 'v1', plural: 'pods' }, 'default', podOf('web', ['app']));
    await r.create({ group: '', version: 'v1', plural: 'pods' }, 'default', podOf('pair', ['app', 'sidecar']));
    kubelet.setLog('default', 'web', 'app', ['starting', 'listening on :8080', 'GET /healthz 200']);
    kubelet.setLog('default', 'pair', 'app', ['app line']);
    kubelet.setLog('default', 'pair', 'sidecar', ['sidecar line 1', 'sidecar line 2']);
  });
  after(async () => {
    await kubelet?.close();
    await c?.close();
  });

  test('logs prints the single container’s log', async () => {
    const r = await c.kubectl(['logs', 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'starting\nlistening on :8080\nGET /healthz 200\n');
  });

  test('logs -c names the container; without it kubectl picks the first one itself', async () => {
    let r = await c.kubectl(['logs', 'pair', '-c', 'sidecar']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sidecar line 1\nsidecar line 2\n');
    // kubectl picks the first container itself (with a note) when none is named.
    r = await c.kubectl(['logs', 'pair']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'app line\n');
    assert.match(r.stderr, /Defaulted container "app" out of: app, sidecar/);
    r = await c.kubectl(['logs', 'pair', '-c', 'nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod pair/);
  });

  test('logs --tail and --timestamps reach the kubelet', async () => {
    const r = await c.kubectl(['logs', 'web', '--tail=2', '--timestamps']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${FakeKubelet.timestamp} listening on :8080\n${FakeKubelet.timestamp} GET /healthz 200\n`);
    assert.ok(kubelet.requests.some((q) => q.path === '/containerLogs/default/web/app' && q.query === 'tailLines=2&timestamps=true'));
  });

  test('logs -f prints lines as they come and exits when the log ends', async () => {
    const follow = c.spawnKubectl(['logs', '-f', 'web']);
    const exited = new Promise<number | null>((resolve) => follow.child.once('exit', (code) => resolve(code)));
    try {
      await follow.waitFor((out) => out.includes('GET /healthz 200\n'));
      await kubelet.until(() => kubelet.followerCount('default', 'web', 'app') === 1);
      kubelet.append('default', 'web', 'app', 'GET /orders 201');
      await follow.waitFor((out) => out.includes('GET /orders 201\n'));
      kubelet.endFollowers('default', 'web', 'app');
      assert.equal(await exited, 0);
      assert.equal(follow.output, 'starting\nlistening on :8080\nGET /healthz 200\nGET /orders 201\n');
    } finally {
      follow.kill();
    }
  });

  test('interrupting logs -f closes the kubelet stream', async () => {
    const closedBefore = kubelet.closedFollowers;
    const follow = c.spawnKubectl(['logs', '-f', 'pair', '-c', 'sidecar']);
    try {
      await follow.waitFor((out) => out.includes('sidecar line 2\n'));
      await kubelet.until(() => kubelet.followerCount('default', 'pair', 'sidecar') === 1);
    } finally {
      follow.kill();
    }
    await kubelet.until(() => kubelet.closedFollowers === closedBefore + 1);
    assert.equal(kubelet.followerCount('default', 'pair', 'sidecar'), 0);
  });

  test('logs of a missing pod is kubectl’s NotFound', async () => {
    const r = await c.kubectl(['logs', 'ghost']);
    assert.notEqual(r.code, 0);
    // kubectl's own wording for the pod GET it makes first, as against kube-apiserver.
    assert.match(r.stderr, /error from server \(NotFound\): pods "ghost" not found in namespace "default"/);
  });
});
