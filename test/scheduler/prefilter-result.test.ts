// PreFilterResult node narrowing (kube-scheduler semantics): NodeAffinity's matchFields
// metadata.name pins a pod to named nodes; only those are filtered and scored, the others are
// "absent" and named in the FitError; the decision is the same as without narrowing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { INodeSelectorRequirement } from 'kubernetes-models/v1/NodeSelectorRequirement';
import type { INodeSelectorTerm } from 'kubernetes-models/v1/NodeSelectorTerm';
import type { Pod } from '../../src/core/api/types.js';
import { createScheduler, type Scheduler, type SchedulerOptions } from '../../src/scheduler/index.js';
import { pinnedNodeNames } from '../../src/scheduler/plugins/node-affinity/node-affinity.js';
import { node, pod } from './helpers.js';

type Term = INodeSelectorTerm;
const nameIn = (...values: string[]): INodeSelectorRequirement[] => [{ key: 'metadata.name', operator: 'In', values }];

test('NodeAffinity PreFilterResult: union over terms of the intersection within a term', () => {
  const cases: { name: string; terms: Term[]; want: string[] | undefined }[] = [
    { name: 'no terms: every node', terms: [], want: undefined },
    { name: 'one term, one name', terms: [{ matchFields: nameIn('a') }], want: ['a'] },
    { name: 'two terms: union', terms: [{ matchFields: nameIn('a') }, { matchFields: nameIn('b', 'c') }], want: ['a', 'b', 'c'] },
    { name: 'a term without names: every node', terms: [{ matchFields: nameIn('a') }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], want: undefined },
    {
      name: 'two In fields in a term: intersection',
      terms: [{ matchFields: [...nameIn('a', 'b'), ...nameIn('b', 'c')] }],
      want: ['b'],
    },
    { name: 'disjoint within a term: empty (conflict)', terms: [{ matchFields: [...nameIn('a'), ...nameIn('b')] }], want: [] },
    { name: 'NotIn does not pin', terms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['a'] }] }], want: undefined },
    { name: 'names with label expressions too', terms: [{ matchFields: nameIn('a'), matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], want: ['a'] },
  ];
  for (const c of cases) {
    const got = pinnedNodeNames(c.terms);
    assert.deepEqual(got === undefined ? undefined : [...got].sort(), c.want, c.name);
  }
});

function pinned(name: string, nodeName: string, cpu = '100m', more: Term[] = []): Pod {
  return pod({
    name,
    requests: { cpu },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: nameIn(nodeName) }, ...more] } } },
  });
}

async function run(options: SchedulerOptions, fn: (s: Scheduler, messages: string[]) => Promise<void>): Promise<void> {
  const s = createScheduler(options);
  const messages: string[] = [];
  s.onUnschedulable((u) => messages.push(u.message));
  try {
    await fn(s, messages);
  } finally {
    s.close();
  }
}

test('pinned pods are placed on their node; only that node is examined (nodesScoredPct), same with 0/1/2/4 workers', async () => {
  const results: string[] = [];
  for (const workers of [0, 1, 2, 4]) {
    await run({ workers, check: 'full', checkEvery: 1 }, async (s) => {
      for (let i = 0; i < 10; i++) s.addNode(node({ name: `n${i}`, cpu: '4' }));
      const pods = [];
      for (let i = 0; i < 20; i++) pods.push(pinned(`p${i}`, `n${i % 10}`, '1'));
      // An unpinned pod in the same run: every node is examined for it.
      pods.push(pod({ name: 'free', requests: { cpu: '1' } }));
      for (const p of pods) s.addPod(p);
      await s.idle();
      for (let i = 0; i < 20; i++) assert.equal(s.placementOf('default', `p${i}`), `n${i % 10}`);
      const stats = s.stats();
      assert.equal(stats.placementViolations, 0);
      assert.equal(stats.scheduled, 21);
      // 20 decisions over 1 node and one over 10, out of 21 · 10 live nodes.
      assert.equal(stats.nodesScoredPct, (100 * (20 + 10)) / (21 * 10));
      results.push(pods.map((p) => s.placementOf('default', p.metadata.name ?? '')).join(','));
    });
  }
  assert.equal(new Set(results).size, 1);
});

test('FitError: the nodes outside the PreFilterResult are "didn\'t satisfy plugin(s) [NodeAffinity]"', async () => {
  await run({ workers: 0 }, async (s, messages) => {
    s.addNode(node({ name: 'a', cpu: '1' }));
    s.addNode(node({ name: 'b', cpu: '8' }));
    s.addNode(node({ name: 'c', cpu: '8' }));
    s.addPod(pinned('big', 'a', '2'));
    await s.idle();
    assert.equal(messages.length, 1);
    assert.ok(
      messages[0]!.startsWith("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: "),
      messages[0],
    );
    assert.equal(s.placementOf('default', 'big'), undefined);
  });
});

test('a pinned pod waits for its node: a node update there schedules it; another node does not', async () => {
  const clock = { ms: 0 };
  await run({ workers: 0, now: () => clock.ms }, async (s) => {
    s.addNode(node({ name: 'a', cpu: '1' }));
    s.addNode(node({ name: 'b', cpu: '8' }));
    s.addPod(pinned('big', 'a', '2'));
    await s.idle();
    clock.ms += 60_000;
    s.addNode(node({ name: 'c', cpu: '8' }));
    await s.idle();
    assert.equal(s.placementOf('default', 'big'), undefined);
    clock.ms += 60_000;
    s.updateNode(node({ name: 'a', cpu: '4' }));
    await s.idle();
    assert.equal(s.placementOf('default', 'big'), 'a');
  });
});

test('PreFilterResult edge cases: a missing node name, and terms that conflict', async () => {
  await run({ workers: 0 }, async (s, messages) => {
    s.addNode(node({ name: 'a' }));
    s.addNode(node({ name: 'b' }));
    s.addNode(node({ name: 'c' }));
    s.addPod(pinned('ghost', 'nowhere'));
    s.addPod(pod({ name: 'conflict', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [...nameIn('a'), ...nameIn('b')] }] } } } }));
    await s.idle();
    assert.equal(messages.length, 2);
    const ghost = messages.find((m) => m.includes('satisfy'));
    const conflict = messages.find((m) => m.includes('conflict'));
    // A name the scheduler does not have: every node is absent (kube-scheduler's absent nodes status).
    assert.ok(ghost?.startsWith("0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]."), ghost);
    assert.ok(conflict?.startsWith('0/3 nodes are available: pod affinity terms conflict.'), conflict);
  });
});
