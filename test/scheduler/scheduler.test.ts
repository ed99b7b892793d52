// The library scheduler end to end: placements, messages, events, binds, determinism across workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node, Pod } from '../../src/core/api/types.js';
import { createScheduler, type Scheduler, type SchedulerOptions, type Unschedulable } from '../../src/scheduler/index.js';
import { node, pod } from './helpers.js';

async function placements(s: Scheduler, pods: readonly Pod[]): Promise<Map<string, string | undefined>> {
  await s.idle();
  return new Map(pods.map((p) => [p.metadata.name ?? '', s.placementOf('default', p.metadata.name ?? '')]));
}

function withScheduler<T>(options: SchedulerOptions, fn: (s: Scheduler) => Promise<T>): Promise<T> {
  const s = createScheduler(options);
  return fn(s).finally(() => s.close());
}

test('pods go to the node with the best weighted score (LeastAllocated, balanced)', async () => {
  await withScheduler({}, async (s) => {
    s.addNode(node({ name: 'small', cpu: '2', memory: '8Gi' }));
    s.addNode(node({ name: 'large', cpu: '8', memory: '32Gi' }));
    s.addNode(node({ name: 'medium', cpu: '4', memory: '16Gi' }));
    const p = pod({ name: 'a', requests: { cpu: '1', memory: '1Gi' } });
    s.addPod(p);
    assert.deepEqual(await placements(s, [p]), new Map([['a', 'large']]));
  });
});

test('an unschedulable pod gets kube-scheduler\'s message, and a node added later takes it', async () => {
  const clock = { ms: 0 };
  await withScheduler({ now: () => clock.ms }, async (s) => {
    const events: Unschedulable[] = [];
    s.onUnschedulable((u) => events.push(u));
    s.addNode(node({ name: 'n1', cpu: '1' }));
    s.addNode(node({ name: 'n2', cpu: '8', labels: { zone: 'b' } }));
    s.addNode(node({ name: 'n3', cpu: '8', labels: { zone: 'b' } }));
    const p = pod({ name: 'big', requests: { cpu: '2' }, nodeSelector: { zone: 'a' } });
    s.addPod(p);
    await s.idle();
    assert.equal(events.length, 1);
    // Filters run in order and a node's first failure is its reason: NodeAffinity before NodeResourcesFit.
    // Then, as kube-scheduler, what preemption found (UnschedulableAndUnresolvable everywhere).
    assert.equal(
      events[0]!.message,
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    assert.deepEqual(events[0]!.condition, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: events[0]!.message });
    assert.equal(s.queueLocation('default', 'big'), 'unschedulable');
    clock.ms += 10_000; // past the backoff
    s.addNode(node({ name: 'n4', cpu: '4', labels: { zone: 'a' } }));
    assert.deepEqual(await placements(s, [p]), new Map([['big', 'n4']]));
  });
});

test('FitError counts every reason of every node, sorted', async () => {
  await withScheduler({}, async (s) => {
    const events: string[] = [];
    s.onUnschedulable((u) => events.push(u.message));
    s.addNode(node({ name: 'n1', cpu: '1', memory: '1Gi' }));
    s.addNode(node({ name: 'n2', cpu: '1', memory: '64Gi' }));
    s.addNode(node({ name: 'n3', cpu: '8', memory: '64Gi', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
    s.addPod(pod({ name: 'p', requests: { cpu: '2', memory: '2Gi' } }));
    await s.idle();
    assert.deepEqual(events, [
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    ]);
  });
});

test('removing a pod frees its node for a pending one', async () => {
  const clock = { ms: 0 };
  await withScheduler({ now: () => clock.ms }, async (s) => {
    s.addNode(node({ name: 'n', cpu: '1' }));
    const a = pod({ name: 'a', requests: { cpu: '600m' } });
    const b = pod({ name: 'b', requests: { cpu: '600m' } });
    s.addPod(a);
    await s.idle();
    s.addPod(b);
    await s.idle();
    assert.equal(s.placementOf('default', 'b'), undefined);
    clock.ms += 10_000;
    s.removePod('default', 'a');
    assert.deepEqual(await placements(s, [b]), new Map([['b', 'n']]));
  });
});

test('a failed bind releases the node and the pod is retried', async () => {
  const clock = { ms: 0 };
  let failures = 1;
  const binder = {
    bind(): Promise<void> {
      if (failures-- > 0) return Promise.reject(new Error('apiserver unavailable'));
      return Promise.resolve();
    },
  };
  await withScheduler({ binder, now: () => clock.ms }, async (s) => {
    const errors: string[] = [];
    s.onUnschedulable((u) => errors.push(`${u.condition.reason}: ${u.message}`));
    s.addNode(node({ name: 'n', cpu: '1' }));
    const p = pod({ name: 'a', requests: { cpu: '1' } });
    s.addPod(p);
    await s.idle();
    assert.deepEqual(errors, ['SchedulerError: binding rejected: apiserver unavailable']);
    assert.equal(s.placementOf('default', 'a'), undefined);
    assert.equal(s.table.reqCpuMilli[0], 0);
    clock.ms += 10_000;
    s.updatePod(p); // any update retries; the backoff timer would too
    assert.deepEqual(await placements(s, [p]), new Map([['a', 'n']]));
    assert.equal(s.stats().bound, 1);
  });
});

test('scheduling gates hold a pod until they are removed', async () => {
  await withScheduler({}, async (s) => {
    s.addNode(node({ name: 'n' }));
    const gated = pod({ name: 'g', schedulingGates: [{ name: 'example.com/quota' }] });
    s.addPod(gated);
    await s.idle();
    assert.equal(s.queueLocation('default', 'g'), 'gated');
    s.updatePod(pod({ name: 'g' }));
    assert.deepEqual(await placements(s, [gated]), new Map([['g', 'n']]));
  });
});

test('profiles are chosen by spec.schedulerName; pods for other schedulers are ignored', async () => {
  const profiles = {
    profiles: [
      { schedulerName: 'default-scheduler' },
      { schedulerName: 'bin-packer', pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }] },
    ],
  };
  await withScheduler({ profiles }, async (s) => {
    s.addNode(node({ name: 'busy', cpu: '4', memory: '16Gi' }));
    s.addNode(node({ name: 'idle', cpu: '4', memory: '16Gi' }));
    s.addPod({ ...pod({ name: 'x', requests: { cpu: '2', memory: '8Gi' } }), spec: { ...pod({ requests: { cpu: '2', memory: '8Gi' } }).spec!, nodeName: 'busy' } });
    const spread = pod({ name: 'spread', requests: { cpu: '1', memory: '1Gi' } });
    const packed = pod({ name: 'packed', requests: { cpu: '1', memory: '1Gi' }, schedulerName: 'bin-packer' });
    const other = pod({ name: 'other', schedulerName: 'someone-else' });
    s.addPod(spread);
    s.addPod(packed);
    s.addPod(other);
    assert.deepEqual(await placements(s, [spread, packed, other]), new Map([['spread', 'idle'], ['packed', 'busy'], ['other', undefined]]));
  });
});

/** A mixed cluster: sizes, zones, taints; and pods of a few templates plus unique ones. */
function mixedCluster(nodes: number): Node[] {
  return Array.from({ length: nodes }, (_, i) =>
    node({
      name: `node-${i}`,
      cpu: ['2', '4', '8'][i % 3]!,
      memory: ['8Gi', '16Gi', '32Gi'][i % 3]!,
      pods: '20',
      labels: { zone: `z${i % 4}`, ...(i % 5 === 0 ? { disk: 'ssd' } : {}) },
      ...(i % 7 === 0 ? { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' as const }] } : {}),
      ...(i % 11 === 0 ? { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' as const }] } : {}),
    }),
  );
}

function mixedPods(count: number): Pod[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `pod-${i}`;
    switch (i % 5) {
      case 0: return pod({ name, requests: { cpu: '100m', memory: '500Mi' } });
      case 1: return pod({ name, requests: { cpu: '250m', memory: '1Gi' }, nodeSelector: { zone: `z${i % 4}` } });
      case 2: return pod({
        name,
        requests: { cpu: '500m' },
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } },
      });
      case 3: return pod({ name, requests: { cpu: `${100 + (i % 13) * 10}m`, memory: `${200 + i}Mi` }, tolerations: [{ key: 'gpu', operator: 'Exists' }] });
      default: return pod({ name, containers: [{ name: 'c', image: 'img', ports: [{ containerPort: 80, hostPort: 8000 + (i % 3) }] }] });
    }
  });
}

async function runMixed(workers: number, seed: number, pods: readonly Pod[], nodes: readonly Node[]): Promise<{ placed: Map<string, string | undefined>; violations: number; checked: number }> {
  return withScheduler({ workers, seed, check: 'full', checkEvery: 7, batchPods: 16 }, async (s) => {
    for (const n of nodes) s.addNode(n);
    for (const p of pods) s.addPod(p);
    const placed = await placements(s, pods);
    const st = s.stats();
    return { placed, violations: st.placementViolations, checked: st.placementsFullyChecked };
  });
}

test('identical placements with 0, 1, 2 and 4 workers for a fixed seed; the checker finds no violation', async () => {
  const nodes = mixedCluster(60);
  const pods = mixedPods(400);
  const runs = [];
  for (const workers of [0, 1, 2, 4]) runs.push(await runMixed(workers, 42, pods, nodes));
  const base = runs[0]!;
  assert.ok([...base.placed.values()].filter((n) => n !== undefined).length > 300, 'most pods placed');
  for (const r of runs) {
    assert.deepEqual(r.placed, base.placed);
    assert.equal(r.violations, 0);
    assert.ok(r.checked > 0);
  }
  const otherSeed = await runMixed(0, 43, pods, nodes);
  assert.notDeepEqual(otherSeed.placed, base.placed, 'the seed breaks ties');
});

test('property: placements never exceed a node\'s allocatable, and every placement is checked', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 8 }), pods: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.record({ cpuMilli: fc.integer({ min: 0, max: 3000 }), template: fc.boolean() }), { minLength: 1, maxLength: 40 }),
      async (nodeSpecs, podSpecs) => {
        await withScheduler({ check: 'full', checkEvery: 1 }, async (s) => {
          nodeSpecs.forEach((n, i) => s.addNode(node({ name: `n${i}`, cpu: String(n.cpu), pods: String(n.pods) })));
          const pods = podSpecs.map((p, i) => pod({ name: `p${i}`, requests: { cpu: p.template ? '500m' : `${p.cpuMilli}m` } }));
          for (const p of pods) s.addPod(p);
          const placed = await placements(s, pods);
          const usedCpu = new Map<string, number>();
          const usedPods = new Map<string, number>();
          pods.forEach((p, i) => {
            const n = placed.get(p.metadata.name ?? '');
            if (n === undefined) return;
            const spec = podSpecs[i]!;
            usedCpu.set(n, (usedCpu.get(n) ?? 0) + (spec.template ? 500 : spec.cpuMilli));
            usedPods.set(n, (usedPods.get(n) ?? 0) + 1);
          });
          nodeSpecs.forEach((n, i) => {
            assert.ok((usedCpu.get(`n${i}`) ?? 0) <= n.cpu * 1000);
            assert.ok((usedPods.get(`n${i}`) ?? 0) <= n.pods);
          });
          assert.equal(s.stats().placementViolations, 0);
          assert.equal(s.stats().placementsFullyChecked, s.stats().scheduled);
        });
      },
    ),
    { numRuns: 30 },
  );
});
