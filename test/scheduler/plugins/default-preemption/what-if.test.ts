// Preemption's dry run filters with a copy of the cycle state from which the victims are removed
// (kube's SelectVictimsOnNode: RemovePod on the PreFilter state of PodTopologySpread and
// InterPodAffinity), so removing a victim can make a spread or affinity verdict pass, and putting
// it back (reprieve) can make it fail again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../../src/core/api/types.js';
import { createScheduler, type Preemption } from '../../../../src/scheduler/index.js';
import { node, type NodeSpec } from '../../helpers.js';
import { bound, prio } from './default-preemption.test.js';

const zoneKey = 'topology.kubernetes.io/zone';
const hostKey = 'kubernetes.io/hostname';

const spreadWeb: Partial<NonNullable<Pod['spec']>> = {
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
};
const awayFromDb: Partial<NonNullable<Pod['spec']>> = {
  affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: hostKey, labelSelector: { matchLabels: { app: 'db' } } }] } },
};

interface Case {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly placed: readonly Pod[];
  readonly preemptor: Pod;
  /** The node preempted and its victims. */
  readonly want: readonly [string, readonly string[]];
}

const cases: readonly Case[] = [
  {
    // Without its two web pods, zone a no longer runs ahead: n0 becomes a candidate, and its
    // victims (priority 0) beat n1's (priority 5).
    name: 'spread: removing the web pods of a zone lets the preemptor into it',
    nodes: [
      { name: 'n0', cpu: '1', labels: { [hostKey]: 'n0', [zoneKey]: 'a' } },
      { name: 'n1', cpu: '1', labels: { [hostKey]: 'n1', [zoneKey]: 'b' } },
    ],
    placed: [bound(prio('w1', 0, '500m', { labels: { app: 'web' } }), 'n0'), bound(prio('w2', 0, '500m', { labels: { app: 'web' } }), 'n0'), bound(prio('y', 5, '1'), 'n1')],
    preemptor: prio('high', 10, '1', { labels: { app: 'web' }, spec: spreadWeb }),
    want: ['n0', ['w1', 'w2']],
  },
  {
    // The db pod goes (anti-affinity passes without it); the other pod is reprieved (room for both).
    name: 'anti-affinity: the db pod is the victim, its neighbour is reprieved',
    nodes: [
      { name: 'n0', cpu: '1500m', labels: { [hostKey]: 'n0' } },
      { name: 'n1', cpu: '1', labels: { [hostKey]: 'n1' } },
    ],
    placed: [bound(prio('db', 0, '500m', { labels: { app: 'db' } }), 'n0'), bound(prio('z', 0, '500m'), 'n0'), bound(prio('y', 5, '1'), 'n1')],
    preemptor: prio('high', 10, '1', { spec: awayFromDb }),
    want: ['n0', ['db']],
  },
  {
    // Reprieve: the web pod put back makes the zone run ahead again, so it stays a victim although
    // the room would allow it back; its neighbour is reprieved.
    name: 'spread: a web pod put back would break the skew, so it stays a victim',
    nodes: [
      { name: 'n0', cpu: '2', labels: { [hostKey]: 'n0', [zoneKey]: 'a' } },
      { name: 'n1', cpu: '1', labels: { [hostKey]: 'n1', [zoneKey]: 'b' } },
    ],
    placed: [bound(prio('w1', 0, '500m', { labels: { app: 'web' } }), 'n0'), bound(prio('x', 0, '1500m'), 'n0'), bound(prio('y', 5, '1'), 'n1')],
    preemptor: prio('high', 10, '500m', { labels: { app: 'web' }, spec: spreadWeb }),
    want: ['n0', ['w1']],
  },
];

for (const c of cases) {
  test(`preemption what-if: ${c.name}`, async () => {
    const s = createScheduler({ check: 'full', now: () => 0 });
    const preemptions: Preemption[] = [];
    s.onPreemption((p) => preemptions.push(p));
    try {
      for (const n of c.nodes) s.addNode(node(n));
      for (const p of c.placed) s.addPod(p);
      s.addPod(c.preemptor);
      await s.idle();
      assert.deepEqual(
        preemptions.map((p) => [p.nodeName, p.victims.map((v) => v.metadata.name).sort()]),
        [[c.want[0], [...c.want[1]].sort()]],
      );
      assert.equal(s.stats().placementViolations, 0);
    } finally {
      await s.close();
    }
  });
}
