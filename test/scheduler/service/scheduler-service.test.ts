// The scheduler as a cluster component, through both clients: pods get bound through
// pods/binding; an unschedulable pod gets kube-scheduler's condition and Event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '../../../src/core/api/types.js';
import type { ClusterApi } from '../../../src/net/api.js';
import { HttpClient } from '../../../src/net/client/http-client.js';
import { InProcessClient } from '../../../src/net/client/in-process-client.js';
import { startApiServer, type RunningApiServer } from '../../../src/net/server/api-server.js';
import { SchedulerService } from '../../../src/scheduler/service/scheduler-service.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };
const events = { group: '', version: 'v1', plural: 'events' };

function node(name: string, cpu: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: {
      capacity: { cpu, memory: '32Gi', pods: '110' },
      allocatable: { cpu, memory: '32Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function pod(name: string, cpu: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu, memory: '100Mi' } } }] },
  };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const via of ['in-process', 'http'] as const) {
  describe(`scheduler service (${via} client)`, () => {
    let server: RunningApiServer;
    let dir: string;
    let api: ClusterApi & { close?: () => Promise<void> };
    let service: SchedulerService;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cox-sched-'));
      server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
      api = via === 'http' ? new HttpClient({ url: server.url }) : new InProcessClient(server.registry);
      service = new SchedulerService(api, { workers: 0, seed: 1 });
      assert.equal(await service.start(), true);
    });
    after(async () => {
      await service?.stop();
      await api?.close?.();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('pending pods are bound to nodes with room, through pods/binding', async () => {
      await api.create(nodes, '', node('n1', '1'));
      await api.create(nodes, '', node('n2', '1'));
      for (let i = 0; i < 6; i++) await api.create(pods, 'default', pod(`p${i}`, '300m'));
      const list = await eventually(
        () => api.list<Pod>(pods, 'default'),
        (l) => l.items.filter((p) => (p.spec?.nodeName ?? '') !== '').length === 6,
      );
      const placed = list.items.map((p) => p.spec?.nodeName ?? '');
      assert.ok(placed.every((n) => n === 'n1' || n === 'n2'), placed.join(','));
      // 3 × 300m fit on a 1-CPU node; LeastAllocated spreads them 3 and 3.
      assert.equal(placed.filter((n) => n === 'n1').length, 3);
      const scheduled = list.items[0]?.status?.conditions?.find((c) => c.type === 'PodScheduled');
      assert.equal(scheduled?.status, 'True');
    });

    test('a pod that fits nowhere gets PodScheduled=False and a FailedScheduling Event', async () => {
      await api.create(pods, 'default', pod('huge', '8'));
      const p = await eventually(
        () => api.get<Pod>(pods, 'default', 'huge'),
        (x) => x.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') === true,
      );
      const cond = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
      assert.equal(cond?.reason, 'Unschedulable');
      // kube-scheduler's words, DefaultPreemption's verdict included.
      const message = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
      assert.equal(cond?.message, message);
      const ev = await eventually(
        () => api.list(events, 'default', { fieldSelector: 'involvedObject.name=huge' }),
        (l) => l.items.length > 0,
      );
      const e = ev.items[0] as unknown as { reason: string; message: string; type: string };
      assert.equal(e.reason, 'FailedScheduling');
      assert.equal(e.type, 'Warning');
      assert.equal(e.message, message);
    });

    test('Services and ReplicaSets reach the default spread selector through informers', async () => {
      const services = { group: '', version: 'v1', plural: 'services' };
      const replicaSets = { group: 'apps', version: 'v1', plural: 'replicasets' };
      const member = { metadata: { name: 'm', namespace: 'default', labels: { app: 'spread', hash: 'h1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'spread-h1', uid: 'u', controller: true }] } } as unknown as Pod;
      await api.create(services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'spread' }, spec: { selector: { app: 'spread' }, ports: [{ port: 80 }] } });
      await api.create(replicaSets, 'default', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'spread-h1' },
        spec: { replicas: 0, selector: { matchLabels: { hash: 'h1' } }, template: { metadata: { labels: { app: 'spread', hash: 'h1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      });
      const selector = await eventually(async () => service.workloads.defaultSelector(member).toString(), (s) => s === 'app=spread,hash=h1');
      assert.equal(selector, 'app=spread,hash=h1');
      await api.delete(services, 'default', 'spread');
      assert.equal(await eventually(async () => service.workloads.defaultSelector(member).toString(), (s) => s === 'hash=h1'), 'hash=h1');
    });

    test('deleting a bound pod frees its room for a pending one', async () => {
      await api.create(pods, 'default', pod('late', '300m'));
      // Both nodes hold 900m: `late` waits until a pod goes away.
      await api.delete(pods, 'default', 'p0', { gracePeriodSeconds: 0 });
      const p = await eventually(
        () => api.get<Pod>(pods, 'default', 'late'),
        (x) => (x.spec?.nodeName ?? '') !== '',
      );
      assert.notEqual(p.spec?.nodeName ?? '', '');
    });
  });
}
