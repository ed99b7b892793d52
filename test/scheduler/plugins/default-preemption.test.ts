import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodDisruptionBudget } from '../../../src/core/api/types.js';
import { createScheduler, type Preemption, type Scheduler } from '../../../src/scheduler/index.js';
import { node, pod } from '../helpers.js';

function prio(name: string, priority: number, cpu: string, labels: Record<string, string> = {}, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  const p = pod({ name, priority, requests: { cpu }, ...extra });
  p.metadata.labels = labels;
  return p;
}

/** Places `pods` on the named nodes (as already-bound pods), then schedules `preemptor`. */
async function run(
  nodes: { name: string; cpu: string }[],
  placed: { pod: Pod; on: string }[],
  preemptor: Pod,
  pdbs: PodDisruptionBudget[] = [],
): Promise<{ s: Scheduler; preemptions: Preemption[]; messages: string[] }> {
  const s = createScheduler({ check: 'filters' });
  const preemptions: Preemption[] = [];
  const messages: string[] = [];
  s.onPreemption((p) => preemptions.push(p));
  s.onUnschedulable((u) => messages.push(u.message));
  for (const n of nodes) s.addNode(node(n));
  for (const p of pdbs) s.addPodDisruptionBudget(p);
  for (const { pod: p, on } of placed) s.addPod({ ...p, spec: { ...p.spec!, nodeName: on } });
  s.addPod(preemptor);
  await s.idle();
  return { s, preemptions, messages };
}

const victimNames = (p: Preemption): string[] => p.victims.map((v) => v.metadata.name ?? '');

test('preemption evicts the fewest, least important pods and places the preemptor', async () => {
  const { s, preemptions } = await run(
    [{ name: 'n1', cpu: '2' }],
    [{ pod: prio('low', 1, '1'), on: 'n1' }, { pod: prio('mid', 5, '1'), on: 'n1' }],
    prio('high', 10, '1'),
  );
  try {
    assert.equal(preemptions.length, 1);
    assert.equal(preemptions[0]!.nodeName, 'n1');
    assert.deepEqual(victimNames(preemptions[0]!), ['low']);
    assert.equal(s.placementOf('default', 'high'), 'n1');
    assert.equal(s.placementOf('default', 'low'), undefined);
    assert.equal(s.placementOf('default', 'mid'), 'n1');
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('preemption picks the node whose most important victim has the lowest priority', async () => {
  const { s, preemptions } = await run(
    [{ name: 'n1', cpu: '1' }, { name: 'n2', cpu: '1' }],
    [{ pod: prio('p3', 3, '1'), on: 'n1' }, { pod: prio('p1', 1, '1'), on: 'n2' }],
    prio('high', 10, '1'),
  );
  try {
    assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [['n2', ['p1']]]);
  } finally {
    await s.close();
  }
});

test('preemption respects PodDisruptionBudgets when another node will do', async () => {
  const pdb: PodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'guard', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'db' } } },
    status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
  };
  const { s, preemptions } = await run(
    [{ name: 'n1', cpu: '1' }, { name: 'n2', cpu: '1' }],
    [{ pod: prio('db', 1, '1', { app: 'db' }), on: 'n1' }, { pod: prio('batch', 3, '1'), on: 'n2' }],
    prio('high', 10, '1'),
    [pdb],
  );
  try {
    // Without the budget n1 (priority 1 victim) would win; with it, n2.
    assert.deepEqual(preemptions.map((p) => [p.nodeName, victimNames(p)]), [['n2', ['batch']]]);
  } finally {
    await s.close();
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
      preemptor: prio('polite', 10, '1', {}, { preemptionPolicy: 'Never' }),
      message: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    const { s, preemptions, messages } = await run([{ name: 'n1', cpu: '1' }], [{ pod: prio('running', 5, '1'), on: 'n1' }], c.preemptor);
    try {
      assert.deepEqual(preemptions, [], c.name);
      assert.deepEqual(messages, [c.message], c.name);
      assert.equal(s.placementOf('default', 'running'), 'n1');
    } finally {
      await s.close();
    }
  }
});
