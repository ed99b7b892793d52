// pods/log is long-running in kube-apiserver (like a watch): followed log streams, open for as
// long as the container runs, hold no in-flight read slot, so they never make other reads 429.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/api/types.js';
import { startApiServer, type RunningApiServer } from '../../../src/net/server/api-server.js';
import { ApiServer } from '../../../src/net/server/http-server.js';
import { kubeletSchemeAnnotation } from '../../../src/net/server/node-proxy.js';
import { FakeKubelet } from '../../e2e/fake-kubelet.js';

const inflightRequestsMax = 2;
const followers = inflightRequestsMax + 3;

/** A GET handed over as its response starts; `close` aborts it. */
function open(url: string): Promise<{ res: IncomingMessage; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => resolve({ res, close: () => req.destroy() }));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}

async function getStatus(url: string): Promise<number> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  await res.arrayBuffer();
  return res.status;
}

describe('pods/log and the in-flight limit', () => {
  let dir: string;
  let server: RunningApiServer;
  let kubelet: FakeKubelet;
  let limited: ApiServer;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cox-podlog-inflight-'));
    server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
    kubelet = new FakeKubelet();
    await kubelet.start();
    const r = server.registry;
    await r.create({ group: '', version: 'v1', plural: 'nodes' }, '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', annotations: { [kubeletSchemeAnnotation]: 'http' } },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
    } as KubeObject);
    await r.create({ group: '', version: 'v1', plural: 'pods' }, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    } as KubeObject);
    kubelet.setLog('default', 'web', 'c', ['one']);
    // A second HTTP front on the same registry, with a small read limit.
    limited = new ApiServer({ registry: r, inflightRequestsMax, onInternalError: () => undefined });
    const address = await limited.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await kubelet?.close();
    await limited?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(`${followers} followed logs over a limit of ${inflightRequestsMax} reads: every stream opens and GETs still answer 200`, async () => {
    const streams: { res: IncomingMessage; close(): void }[] = [];
    try {
      for (let i = 0; i < followers; i++) streams.push(await open(`${base}/api/v1/namespaces/default/pods/web/log?follow=true`));
      for (const s of streams) assert.equal(s.res.statusCode, 200);
      await kubelet.until(() => kubelet.followerCount('default', 'web', 'c') === followers);
      for (let i = 0; i < inflightRequestsMax + 2; i++) {
        assert.equal(await getStatus(`${base}/api/v1/namespaces/default/configmaps`), 200);
        assert.equal(await getStatus(`${base}/api/v1/namespaces/default/pods/web`), 200);
      }
    } finally {
      for (const s of streams) s.close();
    }
    await kubelet.until(() => kubelet.followerCount('default', 'web', 'c') === 0);
  });
});
