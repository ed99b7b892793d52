// kube's RunFilterPluginsWithNominatedPods: the pods nominated to a node with priority ≥ the pod's
// are added to the node before EVERY filter runs (PodTopologySpread and InterPodAffinity count them
// through AddPod on their PreFilter state), and when a node fails with them, that first run's reason
// is the node's reason (the run without them is not made).
//
// Each case: a priority-10 pod `nominee` preempts the priority-0 pod filling n0 and is nominated
// there (its victim is deleted at once; the test clock keeps it in backoff, so it stays nominated);
// then `freed` pods are removed, and the pod under test (priority 5) is scheduled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/core/api/types.js';
import { createScheduler, type Unschedulable } from '../../src/scheduler/index.js';
import { node, pod, type NodeSpec } from './helpers.js';

const zoneKey = 'topology.kubernetes.io/zone';
const hostKey = 'kubernetes.io/hostname';
type Spec = Partial<NonNullable<Pod['spec']>>;

function mk(name: string, priority: number, cpu: string, labels: Record<string, string> = {}, spec: Spec = {}, nodeName?: string): Pod {
  const p = pod({ name, priority, requests: { cpu }, ...spec, ...(nodeName === undefined ? {} : { nodeName }) });
  p.metadata.labels = labels;
  return p;
}

const spreadWeb: Spec = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] };
const preferZoneA: Spec['affinity'] = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: zoneKey, operator: 'In', values: ['a'] }] } }] } };

const repelQ: Spec['affinity'] = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: hostKey, labelSelector: { matchLabels: { app: 'q' } } }] } };

interface Case {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly placed: readonly Pod[];
  readonly nominee: Pod;
  readonly freed: readonly string[];
  readonly pod: Pod;
  /** Where the pod goes, or the start of its FitError message. */
  readonly want: { readonly node: string } | { readonly message: string };
}

const twoZones: readonly NodeSpec[] = [
  { name: 'n0', cpu: '4', labels: { [hostKey]: 'n0', [zoneKey]: 'a' } },
  { name: 'n1', cpu: '4', labels: { [hostKey]: 'n1', [zoneKey]: 'b' } },
];
// n0 filled by a pod the nominee preempts; n1 by one it cannot (priority 20), freed afterwards.
const filled = [mk('low', 0, '4', {}, {}, 'n0'), mk('keeper', 20, '4', {}, {}, 'n1')];

const cases: readonly Case[] = [
  {
    name: 'PodTopologySpread counts a nominated web pod in its zone',
    nodes: twoZones,
    placed: filled,
    nominee: mk('nominee', 10, '1', { app: 'web' }),
    freed: ['keeper'],
    pod: mk('web', 5, '100m', { app: 'web' }, { ...spreadWeb, affinity: preferZoneA }),
    want: { node: 'n1' },
  },
  {
    name: 'InterPodAffinity: the pod repels a nominated web pod',
    nodes: twoZones,
    placed: filled,
    nominee: mk('nominee', 10, '1', { app: 'web' }),
    freed: ['keeper'],
    pod: mk('loner', 5, '100m', {}, { affinity: { ...preferZoneA, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: hostKey, labelSelector: { matchLabels: { app: 'web' } } }] } } }),
    want: { node: 'n1' },
  },
  {
    // A placed pod on n2 (full) repels it too, so InterPodAffinity's PreFilter does not skip the pod.
    name: "InterPodAffinity: a nominated pod's anti-affinity repels the pod",
    nodes: [...twoZones, { name: 'n2', cpu: '100m', labels: { [hostKey]: 'n2', [zoneKey]: 'c' } }],
    placed: [...filled, mk('guard', 30, '100m', {}, { affinity: repelQ }, 'n2')],
    nominee: mk('nominee', 10, '1', {}, { affinity: repelQ }),
    freed: ['keeper'],
    pod: mk('q', 5, '100m', { app: 'q' }, { affinity: preferZoneA }),
    want: { node: 'n1' },
  },
  {
    // kube's PreFilter skips a pod without terms when no placed pod's anti-affinity matches it: its
    // Filter, and so the nominated pod's terms, are not consulted.
    name: "InterPodAffinity skipped: a nominated pod's anti-affinity alone is not seen",
    nodes: twoZones,
    placed: filled,
    nominee: mk('nominee', 10, '1', {}, { affinity: repelQ }),
    freed: ['keeper'],
    pod: mk('q', 5, '100m', { app: 'q' }, { affinity: preferZoneA }),
    want: { node: 'n0' },
  },
  {
    name: 'a lower-priority nominated pod is not counted',
    nodes: twoZones,
    placed: filled,
    nominee: mk('nominee', 10, '1', { app: 'web' }),
    freed: ['keeper'],
    pod: mk('web', 15, '100m', { app: 'web' }, { ...spreadWeb, affinity: preferZoneA }),
    want: { node: 'n0' },
  },
  {
    // n0 fails both runs: with the nominee, Insufficient cpu (the first run's reason, NodeResourcesFit
    // runs before PodTopologySpread); without it the web pod already there breaks the skew.
    name: 'a node failing with and without nominated pods reports the run with them',
    nodes: twoZones,
    placed: [mk('low', 0, '3900m', {}, {}, 'n0'), mk('w', 0, '100m', { app: 'web' }, {}, 'n0'), mk('keeper', 20, '4', {}, {}, 'n1')],
    nominee: mk('nominee', 10, '1'),
    freed: [],
    pod: mk('big', 5, '3500m', { app: 'web' }, spreadWeb),
    want: { message: '0/2 nodes are available: 2 Insufficient cpu.' },
  },
];

for (const c of cases) {
  test(`nominated pods in every filter: ${c.name}`, async () => {
    const s = createScheduler({ check: 'full', now: () => 0 });
    const unschedulable: Unschedulable[] = [];
    s.onPreemption((p) => {
      for (const v of p.victims) s.removePod(v.metadata.namespace ?? 'default', v.metadata.name ?? '');
    });
    s.onUnschedulable((u) => unschedulable.push(u));
    try {
      for (const n of c.nodes) s.addNode(node(n));
      for (const p of c.placed) s.addPod(p);
      s.addPod(c.nominee);
      await s.idle();
      assert.equal(s.nominatedNodeOf('default', 'nominee'), 'n0', 'the nominee waits on n0');
      for (const name of c.freed) s.removePod('default', name);
      unschedulable.length = 0;
      s.addPod(c.pod);
      await s.idle();
      const name = c.pod.metadata.name!;
      if ('node' in c.want) assert.equal(s.placementOf('default', name), c.want.node);
      else {
        const mine = unschedulable.filter((u) => u.pod.metadata.name === name);
        assert.ok(mine.length > 0 && mine[0]!.message.startsWith(c.want.message), mine[0]?.message);
      }
      assert.equal(s.nominatedNodeOf('default', 'nominee'), 'n0', 'still nominated');
      assert.equal(s.stats().placementViolations, 0);
    } finally {
      await s.close();
    }
  });
}
