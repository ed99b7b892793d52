import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/core/api/types.js';
import { normalizedScore } from '../../../src/scheduler/evaluation.js';
import { newPodTopologySpread } from '../../../src/scheduler/plugins/pod-topology-spread/pod-topology-spread.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { Cluster, node, pod } from '../helpers.js';

type Constraint = NonNullable<NonNullable<Pod['spec']>['topologySpreadConstraints']>[number];

function spread(name: string, constraints: Constraint[], labels: Record<string, string> = { app: 'web' }): Pod {
  const p = pod({ name, topologySpreadConstraints: constraints });
  p.metadata.labels = labels;
  return p;
}

const zoneHard = (maxSkew: number, extra: Partial<Constraint> = {}): Constraint => ({
  maxSkew,
  topologyKey: 'zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});

// Zones: a (nodes 0, 1), b (node 2), c (node 3); node 4 has no zone label.
const zones = [{ labels: { zone: 'a' } }, { labels: { zone: 'a' } }, { labels: { zone: 'b' } }, { labels: { zone: 'c' } }, { labels: {} }];

test('PodTopologySpread Filter: skew = domain count + self − min must stay within maxSkew', () => {
  const cases: { name: string; placed: number[]; constraint: Constraint; labels?: Record<string, string>; want: ('ok' | 'skew' | 'label')[] }[] = [
    { name: 'empty cluster', placed: [], constraint: zoneHard(1), want: ['ok', 'ok', 'ok', 'ok', 'label'] },
    // a: 2, b: 1, c: 0 → min 0; a: 2+1-0 = 3 > 1; b: 1+1 = 2 > 1; c: 1.
    { name: 'uneven', placed: [0, 1, 2], constraint: zoneHard(1), want: ['skew', 'skew', 'skew', 'ok', 'label'] },
    { name: 'maxSkew 2', placed: [0, 1, 2], constraint: zoneHard(2), want: ['skew', 'skew', 'ok', 'ok', 'label'] },
    // The pod does not match its own selector: no +1.
    { name: 'self not matching', placed: [0, 2], constraint: zoneHard(1), labels: { app: 'other' }, want: ['ok', 'ok', 'ok', 'ok', 'label'] },
    // minDomains 4 > 3 domains: the minimum counts as 0 — a (1+1-0) = 2 > 1.
    { name: 'minDomains', placed: [0, 2, 3], constraint: zoneHard(1, { minDomains: 4 }), want: ['skew', 'skew', 'skew', 'skew', 'label'] },
  ];
  for (const c of cases) {
    const cluster = new Cluster(zones);
    const plugin = newPodTopologySpread();
    c.placed.forEach((n, i) => plugin.observePlacement(newPodInfo(spread(`placed-${i}`, [])), n, 1));
    const got = cluster.filter(plugin, spread('new', [c.constraint], c.labels));
    assert.notEqual(got, 'skip');
    const verdicts = (got as string[][]).map((r) => (r.length === 0 ? 'ok' : r[0]!.endsWith('(missing required label)') ? 'label' : 'skew'));
    assert.deepEqual(verdicts, c.want, c.name);
  }
});

test('PodTopologySpread Score: counts weighted by ln(domains + 2), normalized in reverse between min and max', () => {
  const cluster = new Cluster(zones);
  const plugin = newPodTopologySpread();
  [0, 0, 2].forEach((n, i) => plugin.observePlacement(newPodInfo(spread(`placed-${i}`, [])), n, 1));
  // A pod placed then removed counts for nothing.
  plugin.observePlacement(newPodInfo(spread('gone', [])), 3, 1);
  plugin.observePlacement(newPodInfo(spread('gone', [])), 3, -1);
  const soft: Constraint = { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } };
  const raw = cluster.score(plugin, spread('new', [soft])) as number[];
  // 3 domains → weight ln 5 = 1.609: a 2 · 1.609 = 3.2 → 3; b 1.6 → 2; c 0; no zone: ignored.
  assert.deepEqual(raw, [3, 3, 2, 0, -1]);
  const live = raw.filter((r) => r >= 0);
  const max = Math.max(...live);
  const min = Math.min(...live);
  assert.deepEqual(raw.map((r) => normalizedScore('spread', r, max, min)), [0, 0, 33, 100, 0]);
  assert.equal(cluster.score(newPodTopologySpread(), spread('none', [])), 'skip');
});

test('a hard zone constraint spreads a ReplicaSet evenly through the scheduler', async () => {
  const s = createScheduler({ check: 'full' });
  try {
    for (let i = 0; i < 6; i++) s.addNode(node({ name: `n${i}`, labels: { zone: `z${i % 3}` } }));
    const pods = Array.from({ length: 9 }, (_, i) => spread(`web-${i}`, [zoneHard(1)]));
    for (const p of pods) s.addPod(p);
    await s.idle();
    const perZone = new Map<string, number>();
    for (const p of pods) {
      const n = s.placementOf('default', p.metadata.name ?? '');
      assert.ok(n !== undefined);
      const zone = `z${Number(n.slice(1)) % 3}`;
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    assert.deepEqual([...perZone.values()], [3, 3, 3]);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});
