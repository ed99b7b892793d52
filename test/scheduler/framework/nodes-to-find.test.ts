import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numFeasibleNodesToFind } from '../../../src/scheduler/framework/nodes-to-find.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { node, pod } from '../helpers.js';

test('numFeasibleNodesToFind follows kube-scheduler', () => {
  const cases: { pct: number; nodes: number; want: number }[] = [
    { pct: 100, nodes: 5000, want: 5000 },
    { pct: 0, nodes: 50, want: 50 }, // under 100 nodes: all
    { pct: 10, nodes: 99, want: 99 },
    { pct: 0, nodes: 100, want: 100 }, // 50 − 0 = 50% of 100 = 50 → the 100 floor
    { pct: 0, nodes: 1000, want: 420 }, // 50 − 8 = 42%
    { pct: 0, nodes: 5000, want: 500 }, // 50 − 40 = 10%
    { pct: 0, nodes: 4999, want: 549 }, // 50 − 39 = 11% (integer division)
    { pct: 0, nodes: 15_000, want: 750 }, // 50 − 120 < 5 → 5%
    { pct: 1, nodes: 5000, want: 100 }, // 50 → the 100 floor
    { pct: 30, nodes: 1000, want: 300 },
  ];
  for (const c of cases) assert.equal(numFeasibleNodesToFind(c.pct, c.nodes), c.want, `${c.pct}% of ${c.nodes}`);
});

async function run(percentage: number | undefined, nodes: number, pods: number): Promise<{ placements: string[]; pct: number; violations: number }> {
  const profiles = percentage === undefined ? undefined : { percentageOfNodesToScore: percentage };
  const s = createScheduler({ ...(profiles === undefined ? {} : { profiles }), check: 'full', checkEvery: 1, seed: 3 });
  try {
    for (let i = 0; i < nodes; i++) s.addNode(node({ name: `n${i}` }));
    const list = Array.from({ length: pods }, (_, i) => pod({ name: `p${i}`, requests: { cpu: '100m', memory: '100Mi' } }));
    for (const p of list) s.addPod(p);
    await s.idle();
    const placements = list.map((p) => s.placementOf('default', p.metadata.name!) ?? '');
    return { placements, pct: s.stats().nodesScoredPct, violations: s.stats().placementViolations };
  } finally {
    await s.close();
  }
}

test('percentageOfNodesToScore: unset scores every node; 0 and 30 examine fewer, rotating the start', async () => {
  const all = await run(undefined, 1000, 20);
  assert.equal(all.pct, 100);
  assert.equal(all.violations, 0);
  // Adaptive on 1000 nodes: 420 feasible nodes found per cycle, every node feasible.
  const adaptive = await run(0, 1000, 20);
  assert.equal(adaptive.pct, 42);
  assert.equal(adaptive.violations, 0);
  const thirty = await run(30, 1000, 20);
  assert.equal(thirty.pct, 30);
  assert.equal(thirty.violations, 0);
  // The first cycle sees nodes 0..299, the second 300..599, the third 600..899, the fourth wraps.
  const windows = [[0, 300], [300, 600], [600, 900]] as const;
  for (const [k, [lo, hi]] of windows.entries()) {
    const at = Number(thirty.placements[k]!.slice(1));
    assert.ok(at >= lo && at < hi, `pod ${k} on n${at}, expected within [${lo}, ${hi})`);
  }
  const fourth = Number(thirty.placements[3]!.slice(1));
  assert.ok(fourth >= 900 || fourth < 200, `pod 3 on n${fourth}`);
  // Fewer than 100 nodes: every node, whatever the percentage.
  assert.equal((await run(10, 50, 5)).pct, 100);
});
