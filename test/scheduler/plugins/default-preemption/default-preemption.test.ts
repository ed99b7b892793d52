// DefaultPreemption against kube-scheduler's documented behaviour (framework/preemption and
// plugins/defaultpreemption): which victims, which node, PodDisruptionBudgets, the failure message.
// Victims are deleted by the embedder (here: removePod as soon as they are reported); the preemptor is
// nominated meanwhile and retried past its backoff (the test's clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodDisruptionBudget } from '../../../../src/core/api/types.js';
import { createScheduler, type Preemption, type Scheduler, type Unschedulable } from '../../../../src/scheduler/index.js';
import type { SchedulerConfigInput } from '../../../../src/scheduler/framework/config-input.js';
import { newDefaultPreemption } from '../../../../src/scheduler/plugins/default-preemption/default-preemption.js';
import { SeededRandom } from '../../../../src/scheduler/random.js';
import { node, pod, type NodeSpec } from '../../helpers.js';

export function prio(name: string, priority: number, cpu: string, more: { labels?: Record<string, string>; startTime?: string; spec?: Partial<NonNullable<Pod['spec']>> } = {}): Pod {
  const p = pod({ name, priority, requests: { cpu }, ...more.spec });
  p.metadata.labels = more.labels ?? {};
  if (more.startTime !== undefined) p.status = { startTime: more.startTime };
  return p;
}

export function bound(p: Pod, on: string): Pod {
  return { ...p, spec: { ...p.spec!, nodeName: on } };
}

function budget(name: string, app: string, disruptionsAllowed: number, disruptedPods: Record<string, string> = {}): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app } } },
    status: { disruptionsAllowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptedPods },
  };
}

interface Run {
  readonly s: Scheduler;
  readonly clock: { ms: number };
  readonly preemptions: Preemption[];
  readonly unschedulable: Unschedulable[];
}

/**
 * Places `placed` as bound pods, adds `preemptor`; with `deleteVictims` the listener removes each
 * victim at once (an embedder whose deletes land at once), then the preemptor is retried past its
 * backoff. The caller closes the scheduler.
 */
async function run(nodes: readonly NodeSpec[], placed: readonly Pod[], preemptor: Pod, options: { pdbs?: PodDisruptionBudget[]; deleteVictims?: boolean; profiles?: SchedulerConfigInput } = {}): Promise<Run> {
  const clock = { ms: 0 };
  const s = createScheduler({ check: 'full', now: () => clock.ms, ...(options.profiles === undefined ? {} : { profiles: options.profiles }) });
  const preemptions: Preemption[] = [];
  const unschedulable: Unschedulable[] = [];
  s.onPreemption((p) => {
    preemptions.push(p);
    if (options.deleteVictims !== false) for (const v of p.victims) s.removePod(v.metadata.namespace ?? '', v.metadata.name ?? '');
  });
  s.onUnschedulable((u) => unschedulable.push(u));
  for (const n of nodes) s.addNode(node(n));
  for (const p of options.pdbs ?? []) s.addPodDisruptionBudget(p);
  for (const p of placed) s.addPod(p);
  s.addPod(preemptor);
  await s.idle();
  if (preemptions.length > 0 && options.deleteVictims !== false) await retry(s, clock, preemptor);
  return { s, clock, preemptions, unschedulable };
}

/** Past the pod's backoff; an update moves it to the active queue (as the backoff timer would). */
async function retry(s: Scheduler, clock: { ms: number }, p: Pod): Promise<void> {
  clock.ms += 60_000;
  s.updatePod(p);
  await s.idle();
}

const victimNames = (p: Preemption): string[] => p.victims.map((v) => v.metadata.name ?? '');

test('victims: the fewest, lowest priority first, reprieved most important first', async () => {
  const cases: { name: string; nodes: NodeSpec[]; placed: Pod[]; preemptor: Pod; node: string; victims: string[] }[] = [
    {
      name: 'the lower of two priorities goes',
      nodes: [{ name: 'n1', cpu: '2' }],
      placed: [bound(prio('low', 1, '1'), 'n1'), bound(prio('mid', 5, '1'), 'n1')],
      preemptor: prio('high', 10, '1'),
      node: 'n1',
      victims: ['low'],
    },
    {
      name: 'reprieve in priority order: the most important comes back first',
      nodes: [{ name: 'n1', cpu: '3' }],
      placed: [bound(prio('p1', 1, '1'), 'n1'), bound(prio('p2', 2, '1'), 'n1'), bound(prio('p3', 3, '1'), 'n1')],
      preemptor: prio('high', 10, '2'),
      node: 'n1',
      victims: ['p2', 'p1'],
    },
    {
      name: 'a minimal set: one pod that frees enough, not every lower pod',
      nodes: [{ name: 'n1', cpu: '3' }],
      placed: [bound(prio('a-big', 1, '2'), 'n1'), bound(prio('b-small', 1, '500m'), 'n1'), bound(prio('c-small', 1, '500m'), 'n1')],
      preemptor: prio('high', 10, '2'),
      node: 'n1',
      victims: ['a-big'],
    },
    {
      name: 'equal priorities: the one that started earlier is more important',
      nodes: [{ name: 'n1', cpu: '2' }],
      placed: [bound(prio('young', 1, '1', { startTime: '2024-01-01T00:00:00Z' }), 'n1'), bound(prio('old', 1, '1', { startTime: '2020-01-01T00:00:00Z' }), 'n1')],
      preemptor: prio('high', 10, '1'),
      node: 'n1',
      victims: ['young'],
    },
    {
      name: 'a pod without a start time counts as started now',
      nodes: [{ name: 'n1', cpu: '2' }],
      placed: [bound(prio('a-pending', 1, '1'), 'n1'), bound(prio('b-started', 1, '1', { startTime: '2024-01-01T00:00:00Z' }), 'n1')],
      preemptor: prio('high', 10, '1'),
      node: 'n1',
      victims: ['a-pending'],
    },
  ];
  for (const c of cases) {
    const { s, preemptions } = await run(c.nodes, c.placed, c.preemptor);
    try {
      assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [[c.node, c.victims]], c.name);
      assert.equal(s.placementOf('default', c.preemptor.metadata.name ?? ''), c.node, c.name);
      for (const v of c.victims) assert.equal(s.placementOf('default', v), undefined, c.name);
      assert.equal(s.stats().placementViolations, 0, c.name);
    } finally {
      await s.close();
    }
  }
});

test('the node: fewest PDB violations, lowest top victim, smallest sum, fewest victims, latest start', async () => {
  const cases: { name: string; nodes: NodeSpec[]; placed: Pod[]; preemptor: Pod; pdbs?: PodDisruptionBudget[]; node: string; victims: string[] }[] = [
    {
      name: 'the lowest highest-priority victim',
      nodes: [{ name: 'n1', cpu: '1' }, { name: 'n2', cpu: '1' }],
      placed: [bound(prio('p3', 3, '1'), 'n1'), bound(prio('p1', 1, '1'), 'n2')],
      preemptor: prio('high', 10, '1'),
      node: 'n2',
      victims: ['p1'],
    },
    {
      name: 'then the smallest sum of priorities',
      nodes: [{ name: 'n1', cpu: '2' }, { name: 'n2', cpu: '2' }],
      placed: [bound(prio('a', 2, '1'), 'n1'), bound(prio('b', 2, '1'), 'n1'), bound(prio('c', 2, '1'), 'n2'), bound(prio('d', 1, '1'), 'n2')],
      preemptor: prio('high', 10, '2'),
      node: 'n2',
      victims: ['c', 'd'],
    },
    {
      name: 'the sum counts each victim from MaxInt32 + 1: two negative-priority victims weigh more than one',
      nodes: [{ name: 'n1', cpu: '2' }, { name: 'n2', cpu: '2' }],
      placed: [bound(prio('a', -5, '1'), 'n1'), bound(prio('b', -5, '1'), 'n1'), bound(prio('c', -1, '2'), 'n2')],
      preemptor: prio('high', 10, '2'),
      node: 'n1',
      victims: ['a', 'b'],
    },
    {
      name: 'then the fewest victims',
      nodes: [{ name: 'n1', cpu: '2' }, { name: 'n2', cpu: '2' }],
      placed: [bound(prio('a', 0, '1'), 'n1'), bound(prio('b', 0, '1'), 'n1'), bound(prio('c', 0, '2'), 'n2')],
      preemptor: prio('high', 10, '2'),
      node: 'n2',
      victims: ['c'],
    },
    {
      name: 'then the latest start among the most important victims',
      nodes: [{ name: 'n1', cpu: '1' }, { name: 'n2', cpu: '1' }],
      placed: [bound(prio('old', 1, '1', { startTime: '2020-01-01T00:00:00Z' }), 'n1'), bound(prio('new', 1, '1', { startTime: '2024-01-01T00:00:00Z' }), 'n2')],
      preemptor: prio('high', 10, '1'),
      node: 'n2',
      victims: ['new'],
    },
    {
      name: 'first the fewest PodDisruptionBudget violations',
      nodes: [{ name: 'n1', cpu: '1' }, { name: 'n2', cpu: '1' }],
      placed: [bound(prio('db', 1, '1', { labels: { app: 'db' } }), 'n1'), bound(prio('batch', 3, '1'), 'n2')],
      pdbs: [budget('guard', 'db', 0)],
      preemptor: prio('high', 10, '1'),
      node: 'n2',
      victims: ['batch'],
    },
  ];
  for (const c of cases) {
    const { s, preemptions } = await run(c.nodes, c.placed, c.preemptor, c.pdbs === undefined ? {} : { pdbs: c.pdbs });
    try {
      assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [[c.node, c.victims]], c.name);
      assert.equal(s.placementOf('default', 'high'), c.node, c.name);
    } finally {
      await s.close();
    }
  }
});

test('PodDisruptionBudgets: violating pods are reprieved first; pods already disrupted do not count', async () => {
  const placed = [bound(prio('guarded', 1, '1', { labels: { app: 'db' } }), 'n1'), bound(prio('other', 2, '1'), 'n1')];
  const cases = [
    // Evicting `guarded` would break its budget: it is put back first, `other` goes though it matters more.
    { name: 'budget exhausted', pdb: budget('guard', 'db', 0), victims: ['other'] },
    { name: 'budget allows one', pdb: budget('guard', 'db', 1), victims: ['guarded'] },
    // The API server already counted its disruption: not a violation.
    { name: 'already in disruptedPods', pdb: budget('guard', 'db', 0, { guarded: '2024-01-01T00:00:00Z' }), victims: ['guarded'] },
  ];
  for (const c of cases) {
    const { s, preemptions } = await run([{ name: 'n1', cpu: '2' }], placed, prio('high', 10, '1'), { pdbs: [c.pdb] });
    try {
      assert.deepEqual(preemptions.map(victimNames), [c.victims], c.name);
    } finally {
      await s.close();
    }
  }
});

test("candidate sampling: kube's calculateNumCandidates over the potential nodes", () => {
  const cases: { args: object | undefined; potential: number; want: number }[] = [
    { args: undefined, potential: 5000, want: 500 },
    { args: undefined, potential: 300, want: 100 },
    { args: undefined, potential: 40, want: 40 },
    { args: { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 }, potential: 5000, want: 1 },
    { args: { minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 0 }, potential: 10, want: 5 },
  ];
  for (const c of cases) assert.equal(newDefaultPreemption(c.args, 'args').numCandidates(c.potential), c.want, JSON.stringify(c));
  assert.throws(() => newDefaultPreemption({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, 'args'), /cannot be zero at the same time/);
  assert.throws(() => newDefaultPreemption({ minCandidateNodesPercentage: 101 }, 'args'), /minCandidateNodesPercentage/);
});

test('with one candidate wanted, the search goes on until a candidate violates no budget', async () => {
  const profiles = { profiles: [{ schedulerName: 'default-scheduler', pluginConfig: [{ name: 'DefaultPreemption', args: { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 } }] }] };
  // Whatever node the search starts from, the one without a violation is found.
  for (const names of [['a', 'b', 'c'], ['c', 'b', 'a'], ['b', 'c', 'a']]) {
    const nodes = names.map((name) => ({ name, cpu: '1' }));
    const placed = [bound(prio('db-a', 1, '1', { labels: { app: 'db' } }), names[0]!), bound(prio('db-b', 1, '1', { labels: { app: 'db' } }), names[1]!), bound(prio('free', 1, '1'), names[2]!)];
    const { s, preemptions } = await run(nodes, placed, prio('high', 10, '1'), { profiles, pdbs: [budget('guard', 'db', 0)] });
    try {
      assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [[names[2], ['free']]]);
    } finally {
      await s.close();
    }
  }
});

test('no preemption for equal or higher priorities, nor with preemptionPolicy Never', async () => {
  const cases: { name: string; preemptor: Pod; message: string }[] = [
    {
      name: 'equal priority',
      preemptor: prio('same', 5, '1'),
      message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    },
    {
      name: 'Never',
      preemptor: prio('polite', 10, '1', { spec: { preemptionPolicy: 'Never' } }),
      message: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    const { s, preemptions, unschedulable } = await run([{ name: 'n1', cpu: '1' }], [bound(prio('running', 5, '1'), 'n1')], c.preemptor);
    try {
      assert.deepEqual(preemptions, [], c.name);
      assert.deepEqual(unschedulable.map((u) => [u.message, u.nominatedNodeName]), [[c.message, undefined]], c.name);
      assert.equal(s.placementOf('default', 'running'), 'n1');
    } finally {
      await s.close();
    }
  }
});

test('the failure message counts why each potential node cannot be freed; the others are not helpful', async () => {
  const nodes: NodeSpec[] = [
    { name: 'same', cpu: '2' }, // only an equal-priority pod: no victims
    { name: 'kept', cpu: '2' }, // too full even without its lower-priority pod
    { name: 'tainted', cpu: '4', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }, // Unresolvable: not a potential node
    { name: 'small', cpu: '1' }, // the pod exceeds its allocatable: Unresolvable too
  ];
  const placed = [bound(prio('peer', 10, '2'), 'same'), bound(prio('boss', 20, '1'), 'kept'), bound(prio('low', 1, '1'), 'kept'), bound(prio('tiny', 1, '1'), 'small')];
  const { s, clock, preemptions, unschedulable } = await run(nodes, placed, prio('high', 10, '2'));
  try {
    // Retried: the same words (the dry runs' outcomes and reasons come from the cache the second time).
    await retry(s, clock, prio('high', 10, '2'));
    assert.deepEqual(preemptions, []);
    const message =
      '0/4 nodes are available: 1 node(s) had untolerated taint {k: v}, 3 Insufficient cpu. ' +
      'preemption: 0/4 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.';
    assert.deepEqual(unschedulable.map((u) => u.message), [message, message]);
  } finally {
    await s.close();
  }
});

test('the preemptor is nominated, waits for its victims, then goes to its nominated node', async () => {
  const { s, clock, preemptions, unschedulable } = await run([{ name: 'n1', cpu: '2' }, { name: 'n2', cpu: '2' }], [bound(prio('low', 1, '2'), 'n1'), bound(prio('mid', 5, '2'), 'n2')], prio('high', 10, '2'), { deleteVictims: false });
  try {
    assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [['n1', ['low']]]);
    // kube's FitError, and status.nominatedNodeName.
    assert.deepEqual(unschedulable.map((u) => [u.message, u.nominatedNodeName, u.condition.reason]), [['0/2 nodes are available: 2 Insufficient cpu.', 'n1', 'Unschedulable']]);
    assert.equal(s.nominatedNodeOf('default', 'high'), 'n1');
    // The victim holds its room until it is gone: the preemptor is not placed, nor does it preempt again.
    await retry(s, clock, prio('high', 10, '2'));
    assert.equal(s.placementOf('default', 'high'), undefined);
    assert.equal(s.placementOf('default', 'low'), 'n1');
    assert.equal(preemptions.length, 1);
    assert.equal(unschedulable.at(-1)!.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.');
    assert.equal(unschedulable.at(-1)!.nominatedNodeName, 'n1');
    // Gone: the preemptor's deletion event moves it; past its backoff it lands on its node.
    s.removePod('default', 'low');
    await retry(s, clock, prio('high', 10, '2'));
    assert.equal(s.placementOf('default', 'high'), 'n1');
    assert.equal(s.nominatedNodeOf('default', 'high'), undefined);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('a nominated pod holds its room against pods of lower or equal priority, not higher', async () => {
  const { s, clock, unschedulable } = await run([{ name: 'n1', cpu: '2' }], [bound(prio('low', 1, '2'), 'n1')], prio('nominee', 10, '2'), { deleteVictims: false });
  try {
    assert.equal(s.nominatedNodeOf('default', 'nominee'), 'n1');
    s.removePod('default', 'low');
    await s.idle();
    // The node is empty now, but its room is the nominee's.
    for (const p of [prio('lower', 1, '1'), prio('equal', 10, '1')]) {
      s.addPod(p);
      await s.idle();
      assert.equal(s.placementOf('default', p.metadata.name ?? ''), undefined, p.metadata.name);
      assert.equal(unschedulable.at(-1)!.pod.metadata.name, p.metadata.name);
      assert.ok(unschedulable.at(-1)!.message.startsWith('0/1 nodes are available: 1 Insufficient cpu.'), unschedulable.at(-1)!.message);
    }
    // A pod of higher priority does not see the nomination.
    s.addPod(prio('higher', 20, '1'));
    await s.idle();
    assert.equal(s.placementOf('default', 'higher'), 'n1');
    // The nominee no longer fits; nothing below it is placed there to preempt: its nomination goes.
    await retry(s, clock, prio('nominee', 10, '2'));
    assert.equal(s.placementOf('default', 'nominee'), undefined);
    assert.equal(s.nominatedNodeOf('default', 'nominee'), undefined);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('a higher-priority preemption on the same node clears lower nominations; terminating victims are not evicted twice', async () => {
  const { s, clock, preemptions } = await run([{ name: 'n1', cpu: '2' }], [bound(prio('low', 1, '2'), 'n1')], prio('first', 10, '2'), { deleteVictims: false });
  try {
    assert.equal(s.nominatedNodeOf('default', 'first'), 'n1');
    s.addPod(prio('second', 20, '2'));
    await s.idle();
    assert.deepEqual(preemptions.map((p) => [p.preemptor.metadata.name, p.nodeName, victimNames(p)]), [['first', 'n1', ['low']], ['second', 'n1', []]]);
    assert.equal(s.nominatedNodeOf('default', 'second'), 'n1');
    assert.equal(s.nominatedNodeOf('default', 'first'), undefined);
    s.removePod('default', 'low');
    await retry(s, clock, prio('second', 20, '2'));
    assert.equal(s.placementOf('default', 'second'), 'n1');
    assert.equal(s.placementOf('default', 'first'), undefined);
  } finally {
    await s.close();
  }
});

test('the candidate search starts at a random offset from the seed (GetOffsetAndNumCandidates), the same with any number of workers', async () => {
  // Eight equal nodes, each full of one priority-1 pod; one candidate wanted: the node preempted is
  // the potential node at the offset drawn, the first draw of the scheduler's seeded source.
  const profiles = { profiles: [{ schedulerName: 'default-scheduler', pluginConfig: [{ name: 'DefaultPreemption', args: { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 } }] }] };
  const nodeCount = 8;
  const chosen = new Set<string>();
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const want = `n${new SeededRandom(seed).int(nodeCount)}`;
    // Full passes run on workers, preemption on the main thread: the draws are the same.
    for (const workers of seed <= 2 ? [0, 1, 2, 4] : [0]) {
      const s = createScheduler({ seed, workers, profiles, check: 'full' });
      const preempted: string[] = [];
      s.onPreemption((p) => preempted.push(p.nodeName));
      try {
        for (let i = 0; i < nodeCount; i++) s.addNode(node({ name: `n${i}`, cpu: '1' }));
        for (let i = 0; i < nodeCount; i++) s.addPod(bound(prio(`low-${i}`, 1, '1'), `n${i}`));
        s.addPod(prio('high', 10, '1'));
        await s.idle();
        assert.deepEqual(preempted, [want], `seed ${seed}, workers ${workers}`);
      } finally {
        await s.close();
      }
    }
    chosen.add(want);
  }
  assert.ok(chosen.size > 1, 'seeds start the search at different nodes');
});
