// DefaultPreemption reuses a node's dry-run outcome for pods of one template while the node is
// unchanged. Property: the preemptions (node, victims) and placements are exactly those of pods
// that share nothing (a distinct label per pod: a distinct template, so nothing is reused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod, PodDisruptionBudget } from '../../../src/core/api/types.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { node, pod } from '../helpers.js';

interface Scenario {
  readonly nodes: readonly number[];
  readonly low: readonly { readonly on: number; readonly priority: number; readonly cpuMilli: number; readonly app: number }[];
  readonly highs: number;
  readonly highCpuMilli: number;
  readonly budget: boolean;
}

async function play(sc: Scenario, shareTemplate: boolean, workers: number): Promise<string[]> {
  const s = createScheduler({ check: 'filters', workers });
  const log: string[] = [];
  s.onPreemption((p) => log.push(`${p.preemptor.metadata.name} -> ${p.nodeName}: ${p.victims.map((v) => v.metadata.name).join(',')}`));
  try {
    sc.nodes.forEach((cpu, i) => s.addNode(node({ name: `n${i}`, cpu: `${cpu}` }, i)));
    if (sc.budget) {
      const pdb: PodDisruptionBudget = {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'b', namespace: 'default' },
        spec: { selector: { matchLabels: { app: 'a0' } } },
        status: { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
      };
      s.addPodDisruptionBudget(pdb);
    }
    sc.low.forEach((l, i) => {
      const p: Pod = pod({ name: `low-${i}`, priority: l.priority, requests: { cpu: `${l.cpuMilli}m` }, nodeName: `n${l.on % sc.nodes.length}` });
      p.metadata.labels = { app: `a${l.app}` };
      s.addPod(p);
    });
    await s.idle();
    // One at a time: each preemptor sees the previous preemption's effect (the cache must too).
    for (let i = 0; i < sc.highs; i++) {
      const p = pod({ name: `high-${i}`, priority: 100, requests: { cpu: `${sc.highCpuMilli}m` } });
      p.metadata.labels = shareTemplate ? { app: 'high' } : { app: 'high', unique: `${i}` };
      s.addPod(p);
      await s.idle();
      log.push(`high-${i} on ${s.placementOf('default', `high-${i}`) ?? '-'}`);
    }
    assert.equal(s.stats().placementViolations, 0);
    return log;
  } finally {
    s.close();
  }
}

test('property: cached dry runs give the preemptions of a scheduler that reuses nothing (0 and 2 workers)', async () => {
  const scenario = fc.record({
    nodes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 6 }),
    low: fc.array(fc.record({ on: fc.nat(20), priority: fc.integer({ min: 0, max: 3 }), cpuMilli: fc.integer({ min: 3, max: 15 }).map((x) => x * 100), app: fc.integer({ min: 0, max: 2 }) }), { minLength: 2, maxLength: 16 }),
    highs: fc.integer({ min: 1, max: 5 }),
    highCpuMilli: fc.integer({ min: 5, max: 25 }).map((x) => x * 100),
    budget: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async (sc) => {
      const reference = await play(sc, false, 0);
      assert.deepEqual(await play(sc, true, 0), reference);
    }),
    { numRuns: 60 },
  );
  // Workers only run full passes; preemption stays on the main thread: same outcome.
  const sc: Scenario = { nodes: [4, 4, 4, 3], low: [0, 1, 2, 3, 0, 1, 2, 3].map((on, i) => ({ on, priority: i % 3, cpuMilli: 1500, app: i % 2 })), highs: 4, highCpuMilli: 2500, budget: true };
  assert.deepEqual(await play(sc, true, 2), await play(sc, false, 0));
});
