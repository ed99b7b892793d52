// DefaultPreemption reuses a node's dry-run outcome for pods of one template while the node is
// unchanged. Property: the preemptions (node, victims) and placements are exactly those of pods
// that share nothing (a distinct label per pod: a distinct template, so nothing is reused), and the
// same with 1, 2 and 4 workers as on the main thread alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod, PodDisruptionBudget } from '../../../../src/core/api/types.js';
import { createScheduler } from '../../../../src/scheduler/index.js';
import { node, pod } from '../../helpers.js';

interface Scenario {
  readonly nodes: readonly number[];
  readonly low: readonly { readonly on: number; readonly priority: number; readonly cpuMilli: number; readonly app: number }[];
  readonly highs: number;
  readonly highCpuMilli: number;
  readonly budget: boolean;
  /** Priority-0 pods of 100m added with each preemptor (they must respect its nomination). */
  readonly fillers: number;
}

async function play(sc: Scenario, shareTemplate: boolean, workers: number): Promise<string[]> {
  const clock = { ms: 0 };
  const s = createScheduler({ check: 'full', workers, now: () => clock.ms });
  const log: string[] = [];
  s.onPreemption((p) => {
    log.push(`${p.preemptor.metadata.name} -> ${p.nodeName}: ${p.victims.map((v) => v.metadata.name).join(',')}`);
    // The embedder deletes the victims; their removal reaches the scheduler at once.
    for (const v of p.victims) s.removePod('default', v.metadata.name ?? '');
  });
  s.onUnschedulable((u) => log.push(`${u.pod.metadata.name} unschedulable${u.nominatedNodeName === undefined ? '' : `, nominated to ${u.nominatedNodeName}`}`));
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
      for (let f = 0; f < sc.fillers; f++) {
        const filler = pod({ name: `filler-${i}-${f}`, priority: 0, requests: { cpu: '100m' } });
        filler.metadata.labels = shareTemplate ? { app: 'filler' } : { app: 'filler', unique: `${i}-${f}` };
        s.addPod(filler);
      }
      await s.idle();
      // Past the preemptor's backoff: retried on its nominated node.
      clock.ms += 60_000;
      s.updatePod(p);
      await s.idle();
      log.push(`high-${i} on ${s.placementOf('default', `high-${i}`) ?? '-'}`);
    }
    assert.equal(s.stats().placementViolations, 0);
    return log;
  } finally {
    await s.close();
  }
}

const scenario = fc.record({
  nodes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 6 }),
  low: fc.array(fc.record({ on: fc.nat(20), priority: fc.integer({ min: 0, max: 3 }), cpuMilli: fc.integer({ min: 3, max: 15 }).map((x) => x * 100), app: fc.integer({ min: 0, max: 2 }) }), { minLength: 2, maxLength: 16 }),
  highs: fc.integer({ min: 1, max: 5 }),
  highCpuMilli: fc.integer({ min: 5, max: 25 }).map((x) => x * 100),
  budget: fc.boolean(),
  fillers: fc.integer({ min: 0, max: 3 }),
});

test('property: cached dry runs give the preemptions of a scheduler that reuses nothing', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (sc) => {
      const reference = await play(sc, false, 0);
      assert.deepEqual(await play(sc, true, 0), reference);
    }),
    { numRuns: 60 },
  );
});

test('preemptions, nominations and placements are the same with 1, 2 and 4 workers', async () => {
  // Workers run the full passes; preemption and nominations stay on the main thread: same outcome.
  const fixed: Scenario = { nodes: [4, 4, 4, 3], low: [0, 1, 2, 3, 0, 1, 2, 3].map((on, i) => ({ on, priority: i % 3, cpuMilli: 1500, app: i % 2 })), highs: 4, highCpuMilli: 2500, budget: true, fillers: 3 };
  const samples = [fixed, ...fc.sample(scenario, { numRuns: 1, seed: 7 })];
  for (const sc of samples) {
    const reference = await play(sc, true, 0);
    if (sc === fixed) assert.ok(reference.some((line) => line.includes(' -> ')), 'the fixed scenario preempts');
    for (const workers of [1, 2, 4]) assert.deepEqual(await play(sc, true, workers), reference, `workers ${workers}`);
  }
});
