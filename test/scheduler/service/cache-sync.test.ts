// kube-scheduler schedules nothing before its caches have synced. A pod listed before the nodes are
// must wait for them, not fail against an empty cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '../../../src/core/api/types.js';
import type { ClusterApi } from '../../../src/net/api.js';
import { InProcessClient } from '../../../src/net/client/in-process-client.js';
import { startApiServer } from '../../../src/net/server/api-server.js';
import { SchedulerService } from '../../../src/scheduler/service/scheduler-service.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };
const events = { group: '', version: 'v1', plural: 'events' };

/** A client whose node LIST answers late, so the pod informer syncs first. */
function withSlowNodeList(api: ClusterApi, delayMs: number): ClusterApi {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'list' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const r = args[0] as { plural?: string } | undefined;
        if (r?.plural === 'nodes') await new Promise((resolve) => setTimeout(resolve, delayMs));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

test('pending pods wait for the node cache: bound without a FailedScheduling event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cox-sched-sync-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  const direct = new InProcessClient(server.registry);
  const service = new SchedulerService(withSlowNodeList(direct, 300), { workers: 0, seed: 1 });
  try {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    await direct.create(nodes, '', node);
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'early' },
      spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
    };
    await direct.create(pods, 'default', pod);
    assert.equal(await service.start(), true);
    let bound = '';
    for (let i = 0; i < 200 && bound === ''; i++) {
      bound = (await direct.get<Pod>(pods, 'default', 'early')).spec?.nodeName ?? '';
      if (bound === '') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(bound, 'n1');
    const failed = await direct.list(events, 'default', { fieldSelector: 'involvedObject.name=early' });
    assert.deepEqual(failed.items.map((e) => (e as { reason?: string }).reason), []);
  } finally {
    await service.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
