// Preemption through the API, as kube-scheduler does it: the victim gets a DisruptionTarget
// condition and is deleted, a Preempted Event names the preemptor, and the preemptor is nominated
// to the node (status.nominatedNodeName) while it waits for the victim to go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '../../../src/core/api/types.js';
import { InProcessClient } from '../../../src/net/client/in-process-client.js';
import { startApiServer } from '../../../src/net/server/api-server.js';
import { SchedulerService } from '../../../src/scheduler/service/scheduler-service.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };
const events = { group: '', version: 'v1', plural: 'events' };

function pod(name: string, cpu: string, priorityClassName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      ...(priorityClassName === undefined ? {} : { priorityClassName }),
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }],
    },
  };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 400 && !ok(v); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    v = await read();
  }
  return v;
}

test('a higher-priority pod preempts: DisruptionTarget, delete, Preempted event, nominatedNodeName', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cox-sched-preempt-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  const api = new InProcessClient(server.registry);
  const service = new SchedulerService(api, { workers: 0, seed: 1 });
  try {
    await api.create(nodes, '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { allocatable: { cpu: '1', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    assert.equal(await service.start(), true);
    await api.create(pods, 'default', pod('low', '800m'));
    const low = await until(() => api.get<Pod>(pods, 'default', 'low'), (p) => (p.spec?.nodeName ?? '') === 'n1');
    assert.equal(low.spec?.nodeName, 'n1');

    await api.create(pods, 'default', pod('high', '800m', 'system-cluster-critical'));
    // The victim is on a node, so its delete is graceful: it stays, terminating, until its node
    // agent confirms; the preemptor waits nominated.
    const victim = await until(() => api.get<Pod>(pods, 'default', 'low'), (p) => p.metadata.deletionTimestamp !== undefined);
    assert.notEqual(victim.metadata.deletionTimestamp, undefined);
    const disruption = (victim.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual(
      { status: disruption?.status, reason: disruption?.reason, message: disruption?.message },
      { status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' },
    );
    const high = await until(() => api.get<Pod>(pods, 'default', 'high'), (p) => (p.status?.nominatedNodeName ?? '') !== '');
    assert.equal(high.status?.nominatedNodeName, 'n1');
    assert.equal(high.spec?.nodeName, undefined);

    const preempted = await until(
      () => api.list(events, 'default', { fieldSelector: 'involvedObject.name=low' }),
      (l) => l.items.length > 0,
    );
    assert.deepEqual(
      preempted.items.map((e) => {
        const ev = e as { reason?: string; message?: string; type?: string };
        return [ev.type, ev.reason, ev.message];
      }),
      [['Normal', 'Preempted', `Preempted by pod ${high.metadata.uid ?? ''} on node n1`]],
    );

    // Once the victim is gone (its node agent would finish the delete), the preemptor is bound there.
    await api.delete(pods, 'default', 'low', { gracePeriodSeconds: 0 });
    const bound = await until(() => api.get<Pod>(pods, 'default', 'high'), (p) => (p.spec?.nodeName ?? '') !== '');
    assert.equal(bound.spec?.nodeName, 'n1');
  } finally {
    await service.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
