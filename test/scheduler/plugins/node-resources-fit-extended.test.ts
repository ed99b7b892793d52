// NodeResourcesFit with extended resources (example.com/gpu, nvidia.com/gpu, hugepages-*), as
// kube-scheduler: Filter reports "Insufficient <name>" (ignoredResources / ignoredResourceGroups
// skip extended ones, never hugepages), Score counts configured ones the pod requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../src/core/api/types.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { applyPodScalars, isScalarResourceName, podScalarRequests, writeNode } from '../../../src/scheduler/nodes.js';
import { newBalancedAllocation } from '../../../src/scheduler/plugins/node-resources-balanced-allocation/balanced-allocation.js';
import { newNodeResourcesFit } from '../../../src/scheduler/plugins/node-resources-fit/node-resources-fit.js';
import { Cluster, pod } from '../helpers.js';

function gpuNode(name: string, allocatable: Record<string, string>): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: {}, status: { allocatable: { cpu: '4', memory: '32Gi', pods: '110', ...allocatable } } };
}

/** A cluster whose nodes report `allocs` (beyond cpu / memory / pods) and run pods requesting `used`. */
function cluster(allocs: readonly Record<string, string>[], used: readonly Record<string, string>[] = []): Cluster {
  const c = new Cluster(allocs.map(() => ({})));
  allocs.forEach((a, i) => writeNode(c.table, c.intern, i, gpuNode(`node-${i}`, a), i));
  used.forEach((u, i) => {
    if (Object.keys(u).length > 0) applyPodScalars(c.table, c.intern, newPodInfo(pod({ name: `used-${i}`, requests: u })), i, 1);
  });
  return c;
}

test('extended resource names: which ones the scheduler accounts (schedutil.IsScalarResourceName)', () => {
  const cases: [string, boolean][] = [
    ['example.com/gpu', true],
    ['nvidia.com/gpu', true],
    ['hugepages-2Mi', true],
    ['attachable-volumes-aws-ebs', true],
    ['kubernetes.io/batch', true], // prefixed native
    ['cpu', false],
    ['pods', false],
    ['gpu', false], // no prefix: neither native nor extended
    ['requests.example.com/gpu', false],
  ];
  for (const [name, want] of cases) assert.equal(isScalarResourceName(name), want, name);
  // Containers sum, the largest init container wins if larger, overhead adds; zeros are left out.
  const p = pod({ requests: { 'example.com/gpu': '1', cpu: '1' } });
  p.spec!.containers.push({ name: 'b', image: 'i', resources: { requests: { 'example.com/gpu': '2', 'example.com/fpga': '0' } } });
  p.spec!.initContainers = [{ name: 'init', image: 'i', resources: { requests: { 'example.com/gpu': '5', 'hugepages-2Mi': '4Mi' } } }];
  p.spec!.overhead = { 'example.com/gpu': '1' };
  assert.deepEqual(podScalarRequests(p), [
    { name: 'example.com/gpu', quantity: 6 },
    { name: 'hugepages-2Mi', quantity: 4 * 1024 * 1024 },
  ]);
});

test('NodeResourcesFit Filter: Insufficient <extended resource>, ignoredResources and ignoredResourceGroups', () => {
  // node-0: 2 GPUs, 1 in use, 1Gi of 2Mi hugepages; node-1: no GPU; node-2: 4 GPUs of another vendor.
  const allocs = [{ 'example.com/gpu': '2', 'hugepages-2Mi': '1Gi' }, {}, { 'nvidia.com/gpu': '4' }];
  const used = [{ 'example.com/gpu': '1' }, {}, {}];
  const short = (n: string): string => `Insufficient ${n}`;
  const cases: { name: string; args?: unknown; requests: Record<string, string>; want: string[][] }[] = [
    { name: 'one GPU: only where one is free', requests: { 'example.com/gpu': '1' }, want: [[], [short('example.com/gpu')], [short('example.com/gpu')]] },
    { name: 'two GPUs: one is in use', requests: { 'example.com/gpu': '2' }, want: [[short('example.com/gpu')], [short('example.com/gpu')], [short('example.com/gpu')]] },
    { name: 'other vendor', requests: { 'nvidia.com/gpu': '3' }, want: [[short('nvidia.com/gpu')], [short('nvidia.com/gpu')], []] },
    { name: 'a resource no node has', requests: { 'example.com/fpga': '1' }, want: [[short('example.com/fpga')], [short('example.com/fpga')], [short('example.com/fpga')]] },
    { name: 'zero requested is no request', requests: { 'example.com/fpga': '0' }, want: [[], [], []] },
    { name: 'cpu and GPU short: both, cpu first', requests: { cpu: '5', 'example.com/gpu': '2' }, want: [['Insufficient cpu', short('example.com/gpu')], ['Insufficient cpu', short('example.com/gpu')], ['Insufficient cpu', short('example.com/gpu')]] },
    { name: 'hugepages', requests: { 'hugepages-2Mi': '2Gi' }, want: [[short('hugepages-2Mi')], [short('hugepages-2Mi')], [short('hugepages-2Mi')]] },
    { name: 'ignoredResources', args: { ignoredResources: ['example.com/gpu'] }, requests: { 'example.com/gpu': '2' }, want: [[], [], []] },
    { name: 'ignoredResourceGroups', args: { ignoredResourceGroups: ['example.com'] }, requests: { 'example.com/gpu': '2', 'nvidia.com/gpu': '1' }, want: [[short('nvidia.com/gpu')], [short('nvidia.com/gpu')], []] },
    // Hugepages are not extended resources: a group cannot hide them.
    { name: 'hugepages are never ignored', args: { ignoredResources: ['hugepages-2Mi'] }, requests: { 'hugepages-2Mi': '2Gi' }, want: [[short('hugepages-2Mi')], [short('hugepages-2Mi')], [short('hugepages-2Mi')]] },
  ];
  for (const c of cases) {
    const got = cluster(allocs, used).filter(newNodeResourcesFit(c.args, 'args'), pod({ requests: c.requests }));
    assert.deepEqual(got, c.want, c.name);
  }
  // More than the node has at all is unresolvable (preemption cannot help); merely taken is not.
  const plugin = newNodeResourcesFit(undefined, 'args');
  const c = cluster(allocs, used);
  const info = newPodInfo(pod({ requests: { 'example.com/gpu': '2' } }));
  const verdicts = new Uint16Array(3);
  const st = new CycleState();
  plugin.preFilter(st, info, c.ctx);
  plugin.filter(st, info, c.ctx, c.nodes, 3, verdicts, 0);
  assert.deepEqual(Array.from(verdicts, (v) => plugin.reasons[v - 1]!.code), [Code.Unschedulable, Code.UnschedulableAndUnresolvable, Code.UnschedulableAndUnresolvable]);
});

test('NodeResourcesFit Score: configured extended resources count when the pod requests them', () => {
  // kube's formula over cpu (4000m / 6000m), memory 10000 and GPUs (4, 1 in use, on node-0 only).
  const allocs = [{ 'example.com/gpu': '4' }, {}];
  const c = new Cluster([{ cpu: '4000m', memory: '10000' }, { cpu: '6000m', memory: '10000' }]);
  const nodes = [gpuNode('node-0', { cpu: '4000m', memory: '10000', ...allocs[0] }), gpuNode('node-1', { cpu: '6000m', memory: '10000' })];
  nodes.forEach((n, i) => writeNode(c.table, c.intern, i, n, i));
  applyPodScalars(c.table, c.intern, newPodInfo(pod({ name: 'used', requests: { 'example.com/gpu': '1' } })), 0, 1);
  const withGpu = { scoringStrategy: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu', weight: 3 }] } };
  const cases: { name: string; args: unknown; requests: Record<string, string>; want: number[] }[] = [
    // node-0: cpu 25, memory 50, gpu (4 − 2)·100/4 = 50 → (25 + 50 + 150) / 5 = 45; node-1 has no GPU: (50 + 50) / 2.
    { name: 'LeastAllocated with a GPU', args: withGpu, requests: { cpu: '3000m', memory: '5000', 'example.com/gpu': '1' }, want: [45, 50] },
    // No GPU requested: the GPU term is left out everywhere.
    { name: 'pod without GPU', args: withGpu, requests: { cpu: '3000m', memory: '5000' }, want: [37, 50] },
    // MostAllocated: cpu 75, memory 50, gpu 50 → (75 + 50 + 150) / 5 = 55; node-1 (50 + 50) / 2.
    { name: 'MostAllocated with a GPU', args: { scoringStrategy: { ...withGpu.scoringStrategy, type: 'MostAllocated' } }, requests: { cpu: '3000m', memory: '5000', 'example.com/gpu': '1' }, want: [55, 50] },
    // Default resources (cpu, memory): a GPU request changes nothing.
    { name: 'not configured', args: undefined, requests: { cpu: '3000m', memory: '5000', 'example.com/gpu': '1' }, want: [37, 50] },
  ];
  for (const k of cases) assert.deepEqual(c.score(newNodeResourcesFit(k.args, 'args'), pod({ requests: k.requests })), k.want, k.name);
});

test('NodeResourcesBalancedAllocation: configured extended resources join the deviation when requested', () => {
  const c = new Cluster([{}, {}]);
  writeNode(c.table, c.intern, 0, gpuNode('node-0', { cpu: '4000m', memory: '10000', 'example.com/gpu': '4' }), 0);
  writeNode(c.table, c.intern, 1, gpuNode('node-1', { cpu: '6000m', memory: '10000' }), 1);
  applyPodScalars(c.table, c.intern, newPodInfo(pod({ name: 'used', requests: { 'example.com/gpu': '1' } })), 0, 1);
  const args = { resources: [{ name: 'cpu' }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu' }] };
  const cases: { name: string; args: unknown; requests: Record<string, string>; want: number[] | 'skip' }[] = [
    // node-0: fractions cpu .25, memory .2, gpu (1 + 1)/4 = .5 → std .1312 → 86; node-1 (no GPU): |.1667 − .2|/2 → 98.
    { name: 'with a GPU', args, requests: { cpu: '1000m', memory: '2000', 'example.com/gpu': '1' }, want: [86, 98] },
    // Not requested: the GPU is left out (node-0: |.25 − .2|/2 → 97).
    { name: 'without a GPU', args, requests: { cpu: '1000m', memory: '2000' }, want: [97, 98] },
    // Only a GPU requested: not best-effort; node-0 fractions 0, 0, .5 → std .2357 → 76; node-1 0, 0 → 100.
    { name: 'GPU only', args, requests: { 'example.com/gpu': '1' }, want: [76, 100] },
    { name: 'nothing requested: skipped', args, requests: {}, want: 'skip' },
  ];
  for (const k of cases) assert.deepEqual(c.score(newBalancedAllocation(k.args, 'args'), pod({ requests: k.requests })), k.want, k.name);
  const bad: [unknown, string][] = [
    [{ resources: [{ name: 'cpu', weight: 2 }] }, 'args.resources[0].weight: Invalid value: 2: must be 1'],
    [{ resources: [{ name: 'cpu' }, { name: 'cpu' }] }, 'args.resources[1].name: Duplicate value: "cpu"'],
    [{ resources: [{ name: 'gpu' }] }, 'args.resources[0].name: Invalid value: "gpu"'],
  ];
  for (const [a, message] of bad) assert.throws(() => newBalancedAllocation(a, 'args'), (e: unknown) => e instanceof Error && e.message.startsWith(message), message);
});

test('the scheduler places GPU pods only where GPUs are free, and says why not (0 and 2 workers alike)', async () => {
  const results: string[] = [];
  for (const workers of [0, 2]) {
    const s = createScheduler({ workers, seed: 3, check: 'full' });
    const messages: string[] = [];
    const placed = new Map<string, string>();
    s.onUnschedulable((u) => messages.push(u.message));
    s.onBinding((b) => placed.set(b.pod.metadata.name ?? '', b.nodeName));
    s.addNode(gpuNode('gpu-a', { 'example.com/gpu': '2' }));
    s.addNode(gpuNode('gpu-b', { 'example.com/gpu': '1' }));
    s.addNode(gpuNode('plain', {}));
    const gpuPod = (name: string): Pod => pod({ name, requests: { cpu: '100m', 'example.com/gpu': '1' } });
    for (let i = 0; i < 4; i++) s.addPod(gpuPod(`g${i}`));
    s.addPod(pod({ name: 'cpu-only', requests: { cpu: '100m' } }));
    await s.idle();
    const perNode = (n: string): number => [...placed].filter(([p, node]) => p.startsWith('g') && node === n).length;
    assert.equal(perNode('gpu-a'), 2);
    assert.equal(perNode('gpu-b'), 1);
    assert.equal(perNode('plain'), 0);
    assert.ok(placed.has('cpu-only'));
    assert.ok(messages[0]?.startsWith('0/3 nodes are available: 3 Insufficient example.com/gpu.'), messages[0]);
    // A GPU pod leaving frees its GPU for the one waiting.
    const [first] = [...placed].find(([p, n]) => p.startsWith('g') && n === 'gpu-b')!;
    s.removePod('default', first);
    await new Promise((r) => setTimeout(r, 20));
    await s.idle();
    assert.equal(s.stats().placementViolations, 0);
    await s.close();
    results.push(JSON.stringify([...placed].sort()));
  }
  assert.equal(results[0], results[1]);
});
