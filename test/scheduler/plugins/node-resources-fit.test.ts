import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/scheduler/framework/errors.js';
import { brokenLinear, newNodeResourcesFit } from '../../../src/scheduler/plugins/node-resources-fit/node-resources-fit.js';
import { Cluster, pod } from '../helpers.js';

const mi = 1024 * 1024;

test('NodeResourcesFit Filter reports every shortage, as kube-scheduler', () => {
  const cases: { name: string; requests: Record<string, string>; requested: [number, number]; pods?: string; want: string[] }[] = [
    { name: 'fits', requests: { cpu: '1', memory: '1Gi' }, requested: [0, 0], want: [] },
    { name: 'exactly fits', requests: { cpu: '1' }, requested: [3000, 0], want: [] },
    { name: 'cpu short', requests: { cpu: '1' }, requested: [3001, 0], want: ['Insufficient cpu'] },
    { name: 'memory short', requests: { memory: '2Gi' }, requested: [0, 31 * 1024 * mi], want: ['Insufficient memory'] },
    { name: 'both short', requests: { cpu: '2', memory: '2Gi' }, requested: [3000, 31 * 1024 * mi], want: ['Insufficient cpu', 'Insufficient memory'] },
    { name: 'more than the node has', requests: { cpu: '5' }, requested: [0, 0], want: ['Insufficient cpu'] },
    { name: 'pod count', requests: { cpu: '1' }, requested: [0, 0], pods: '0', want: ['Too many pods'] },
    { name: 'pod count and cpu', requests: { cpu: '5' }, requested: [0, 0], pods: '0', want: ['Too many pods', 'Insufficient cpu'] },
    { name: 'requests nothing', requests: {}, requested: [4000, 32 * 1024 * mi], want: [] },
  ];
  for (const c of cases) {
    const cluster = new Cluster([{ cpu: '4', memory: '32Gi', pods: c.pods ?? '110', requested: c.requested }]);
    const got = cluster.filter(newNodeResourcesFit(undefined, 'args'), pod({ requests: c.requests }));
    assert.deepEqual(got, [c.want], c.name);
  }
});

// kube-scheduler's own test: pod 3000m / 5000 bytes on nodes 4000m/10000 and 6000m/10000.
const sized = [
  { cpu: '4000m', memory: '10000' },
  { cpu: '6000m', memory: '10000' },
];

test('NodeResourcesFit scoring strategies match kube-scheduler formulas', () => {
  const cases: { name: string; args: unknown; want: number[] }[] = [
    // LeastAllocated: cpu (4000-3000)*100/4000 = 25, memory 50 → 37; node 2: 50, 50 → 50.
    { name: 'LeastAllocated', args: undefined, want: [37, 50] },
    { name: 'MostAllocated', args: { scoringStrategy: { type: 'MostAllocated' } }, want: [62, 50] },
    // Weights: cpu 3, memory 1 → (25·3 + 50)/4 = 31; (50·3 + 50)/4 = 50.
    { name: 'LeastAllocated weighted', args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } }, want: [31, 50] },
    // Shape (0 → 10, 100 → 0): 75% cpu → 25, 50% memory → 50, rounded mean 37.5 → 38.
    {
      name: 'RequestedToCapacityRatio',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] } } },
      want: [38, 50],
    },
  ];
  for (const c of cases) {
    const cluster = new Cluster(sized);
    const got = cluster.score(newNodeResourcesFit(c.args, 'args'), pod({ requests: { cpu: '3000m', memory: '5000' } }));
    assert.deepEqual(got, c.want, c.name);
  }
});

test('NodeResourcesFit scores a pod without requests as 100m / 200Mi', () => {
  const cluster = new Cluster([{ cpu: '1', memory: '1000Mi' }]);
  // cpu (1000-100)*100/1000 = 90; memory (1000-200)*100/1000 = 80 → 85.
  assert.deepEqual(cluster.score(newNodeResourcesFit(undefined, 'args'), pod()), [85]);
});

test('brokenLinear interpolates between shape points and clamps outside them', () => {
  const u = [10, 50, 90];
  const s = [0, 100, 20];
  const cases: [number, number][] = [[0, 0], [10, 0], [30, 50], [50, 100], [70, 60], [90, 20], [100, 20]];
  for (const [p, want] of cases) assert.equal(brokenLinear(u, s, p), want, `p=${p}`);
});

test('NodeResourcesFit args errors name the field', () => {
  const cases: { args: unknown; field: string }[] = [
    { args: { scoringStrategy: { type: 'Fastest' } }, field: 'args.scoringStrategy.type' },
    { args: { scoringStrategy: { resources: [{ name: 'cpu', weight: 0 }] } }, field: 'args.scoringStrategy.resources[0].weight' },
    { args: { scoringStrategy: { resources: [{ name: 'gpu', weight: 1 }] } }, field: 'args.scoringStrategy.resources[0].name' },
    { args: { ignoredResources: ['a/b/c'] }, field: 'args.ignoredResources[0]' },
    { args: { ignoredResourceGroups: ['example.com/x'] }, field: 'args.ignoredResourceGroups[0]' },
    { args: { scoringStrategy: { type: 'RequestedToCapacityRatio' } }, field: 'args.scoringStrategy.requestedToCapacityRatio.shape' },
    {
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 40, score: 2 }] } } },
      field: 'args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization',
    },
    { args: { scoringStrat: {} }, field: 'args.scoringStrat' },
  ];
  for (const c of cases) {
    assert.throws(() => newNodeResourcesFit(c.args, 'args'), (e: unknown) => e instanceof ConfigError && e.field === c.field, c.field);
  }
});
