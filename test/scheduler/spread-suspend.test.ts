// A hard zone spread constraint suspends a whole zone's nodes when its count runs ahead and resumes
// them when the others catch up, keeping each node's total instead of recomputing every total. When
// the suspended nodes held a normalizing plugin's maximum (NodeAffinity's preferred terms here), the
// other nodes' normalized scores move: every decision and every chosen score must still equal a
// from-scratch scheduler's (the full placement checker compares scores too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/core/api/types.js';
import { createScheduler } from '../../src/scheduler/index.js';
import { node, pod } from './helpers.js';

const zoneKey = 'topology.kubernetes.io/zone';

interface Case {
  readonly name: string;
  /** Per node: zone, tier label ('' for none), cpu. */
  readonly nodes: readonly (readonly [string, string, string])[];
  readonly maxSkew: number;
  readonly preferred: boolean;
  readonly pods: number;
}

const cases: readonly Case[] = [
  {
    name: 'the preferred tier lives in one zone: its suspension moves NodeAffinity max',
    nodes: [['a', 't1', '4'], ['a', 't1', '2'], ['b', 't2', '4'], ['b', '', '2'], ['c', 't2', '2'], ['c', '', '4']],
    maxSkew: 1,
    preferred: true,
    pods: 18,
  },
  {
    name: 'tiers across zones, maxSkew 2',
    nodes: [['a', 't1', '4'], ['a', 't2', '4'], ['b', 't2', '2'], ['b', '', '4'], ['c', 't1', '2'], ['c', '', '2'], ['c', 't2', '4']],
    maxSkew: 2,
    preferred: true,
    pods: 24,
  },
  {
    name: 'no preferences: every normalizing plugin has max 0',
    nodes: [['a', '', '4'], ['a', '', '2'], ['b', '', '4'], ['c', '', '2'], ['c', '', '4']],
    maxSkew: 1,
    preferred: false,
    pods: 15,
  },
];

function spreadPod(i: number, preferred: boolean, maxSkew: number): Pod {
  const p = pod({
    name: `p${i}`,
    requests: { cpu: '100m', memory: '100Mi' },
    topologySpreadConstraints: [{ maxSkew, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
    ...(preferred
      ? {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 10, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['t1'] }] } },
                { weight: 3, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['t1', 't2'] }] } },
              ],
            },
          },
        }
      : {}),
  });
  p.metadata.labels = { app: 'web' };
  return p;
}

for (const c of cases) {
  test(`hard spread, zones suspended and resumed: ${c.name}`, async () => {
    const nodes = c.nodes.map(([zone, tier, cpu], i) => node({ name: `n${i}`, cpu, labels: { 'kubernetes.io/hostname': `n${i}`, [zoneKey]: zone, ...(tier === '' ? {} : { tier }) } }));
    const incremental = createScheduler({ seed: 3, check: 'full', checkEvery: 1 });
    const placed: { pod: Pod; nodeName: string }[] = [];
    try {
      for (const n of nodes) incremental.addNode(n);
      for (let i = 0; i < c.pods; i++) {
        const p = spreadPod(i, c.preferred, c.maxSkew);
        const fresh = createScheduler({ seed: 3 });
        let want: string | undefined;
        try {
          for (const n of nodes) fresh.addNode(n);
          for (const q of placed) fresh.addPod({ ...q.pod, spec: { ...q.pod.spec!, nodeName: q.nodeName } });
          fresh.addPod(p);
          await fresh.idle();
          want = fresh.placementOf('default', p.metadata.name!);
        } finally {
          await fresh.close();
        }
        incremental.addPod(p);
        await incremental.idle();
        const got = incremental.placementOf('default', p.metadata.name!);
        assert.equal(got, want, `pod ${i}`);
        if (got !== undefined) placed.push({ pod: p, nodeName: got });
      }
      const stats = incremental.stats();
      assert.equal(stats.placementViolations, 0);
      assert.equal(stats.placementsFullyChecked, placed.length);
      // One template: refreshed, not rebuilt per pod.
      assert.ok(stats.fullEvaluations < c.pods / 2, `full evaluations ${stats.fullEvaluations}`);
    } finally {
      await incremental.close();
    }
  });
}
