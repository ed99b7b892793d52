// Table-driven tests of the node-level plugins against kube-scheduler's documented behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizedScore } from '../../../src/scheduler/evaluation.js';
import { newBalancedAllocation } from '../../../src/scheduler/plugins/node-resources-balanced-allocation/balanced-allocation.js';
import { newImageLocality, normalizedImageName } from '../../../src/scheduler/plugins/image-locality/image-locality.js';
import { newNodeAffinity } from '../../../src/scheduler/plugins/node-affinity/node-affinity.js';
import { newNodeName } from '../../../src/scheduler/plugins/node-name/node-name.js';
import { newNodePorts } from '../../../src/scheduler/plugins/node-ports/node-ports.js';
import { newNodeUnschedulable } from '../../../src/scheduler/plugins/node-unschedulable/node-unschedulable.js';
import { newTaintToleration } from '../../../src/scheduler/plugins/taint-toleration/taint-toleration.js';
import { newSchedulingGates } from '../../../src/scheduler/plugins/scheduling-gates/scheduling-gates.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import type { Toleration } from '../../../src/core/api/types.js';
import { Cluster, pod, type NodeSpec } from '../helpers.js';

test('NodeResourcesBalancedAllocation: (1 - std of the requested fractions) · 100', () => {
  // kube-scheduler's test: pod 3000m / 5000 on 4000m / 10000 → fractions .75, .5 → std .125 → 87;
  // on 6000m / 10000 → .5, .5 → 100.
  const cluster = new Cluster([{ cpu: '4000m', memory: '10000' }, { cpu: '6000m', memory: '10000' }]);
  const plugin = newBalancedAllocation(undefined, 'args');
  assert.deepEqual(cluster.score(plugin, pod({ requests: { cpu: '3000m', memory: '5000' } })), [87, 100]);
  // Existing requests count; fractions are capped at 1: 4000/4000 (cap), 6000/10000 → std .2 → 80.
  const busy = new Cluster([{ cpu: '4000m', memory: '10000', requested: [3000, 1000] }]);
  assert.deepEqual(busy.score(plugin, pod({ requests: { cpu: '3000m', memory: '5000' } })), [80]);
  // Best-effort pods skip it.
  assert.equal(cluster.score(plugin, pod()), 'skip');
});

const tol = (t: Partial<Toleration>): Toleration => t as Toleration;

test('TaintToleration Filter: NoSchedule and NoExecute taints must be tolerated', () => {
  const nodes: NodeSpec[] = [
    {},
    { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] },
    { taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] },
  ];
  const untolerated = 'node(s) had untolerated taint {dedicated: gpu}';
  const cases: { name: string; tolerations: Toleration[]; want: string[][] }[] = [
    { name: 'no tolerations', tolerations: [], want: [[], [untolerated], [untolerated], []] },
    { name: 'Equal key and value', tolerations: [tol({ key: 'dedicated', operator: 'Equal', value: 'gpu' })], want: [[], [], [], []] },
    { name: 'wrong value', tolerations: [tol({ key: 'dedicated', operator: 'Equal', value: 'cpu' })], want: [[], [untolerated], [untolerated], []] },
    { name: 'Exists on the key', tolerations: [tol({ key: 'dedicated', operator: 'Exists' })], want: [[], [], [], []] },
    { name: 'effect must match', tolerations: [tol({ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' })], want: [[], [], [untolerated], []] },
    { name: 'empty key with Exists tolerates everything', tolerations: [tol({ operator: 'Exists' })], want: [[], [], [], []] },
  ];
  for (const c of cases) {
    const cluster = new Cluster(nodes);
    assert.deepEqual(cluster.filter(newTaintToleration(), pod({ tolerations: c.tolerations })), c.want, c.name);
  }
});

test('TaintToleration Score counts intolerable PreferNoSchedule taints, normalized in reverse', () => {
  const cluster = new Cluster([
    {},
    { taints: [{ key: 'a', value: '1', effect: 'PreferNoSchedule' }] },
    { taints: [{ key: 'a', value: '1', effect: 'PreferNoSchedule' }, { key: 'b', value: '2', effect: 'PreferNoSchedule' }] },
    { taints: [{ key: 'c', value: '3', effect: 'NoSchedule' }] },
  ]);
  const plugin = newTaintToleration();
  const raw = cluster.score(plugin, pod());
  assert.deepEqual(raw, [0, 1, 2, 0]);
  const max = Math.max(...(raw as number[]));
  assert.deepEqual((raw as number[]).map((r) => normalizedScore('maxReverse', r, max)), [100, 50, 0, 100]);
  // A toleration for b (effect empty) removes it from the count; a NoSchedule one would not.
  assert.deepEqual(cluster.score(plugin, pod({ tolerations: [tol({ key: 'b', operator: 'Exists' })] })), [0, 1, 1, 0]);
  assert.deepEqual(cluster.score(plugin, pod({ tolerations: [tol({ key: 'b', operator: 'Exists', effect: 'NoSchedule' })] })), [0, 1, 2, 0]);
  assert.deepEqual([0, 0].map((r) => normalizedScore('maxReverse', r, 0)), [100, 100]);
});

test('NodeAffinity Filter: nodeSelector and required terms (OR of ANDs)', () => {
  const nodes: NodeSpec[] = [
    { name: 'a', labels: { zone: 'z1', disk: 'ssd', cores: '8' } },
    { name: 'b', labels: { zone: 'z2', cores: '2' } },
    { name: 'c', labels: {} },
  ];
  const no = ["node(s) didn't match Pod's node affinity/selector"];
  const req = (terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }) as never;
  const cases: { name: string; spec: Parameters<typeof pod>[0]; want: string[][] | 'skip' }[] = [
    { name: 'no selector: skipped', spec: {}, want: 'skip' },
    { name: 'nodeSelector', spec: { nodeSelector: { zone: 'z1' } }, want: [[], no, no] },
    { name: 'nodeSelector, two labels', spec: { nodeSelector: { zone: 'z1', disk: 'hdd' } }, want: [no, no, no] },
    { name: 'In', spec: { affinity: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] }]) }, want: [[], [], no] },
    { name: 'NotIn matches nodes without the label', spec: { affinity: req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }]) }, want: [no, [], []] },
    { name: 'Exists', spec: { affinity: req([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]) }, want: [[], no, no] },
    { name: 'DoesNotExist', spec: { affinity: req([{ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }]) }, want: [no, [], []] },
    { name: 'Gt', spec: { affinity: req([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }]) }, want: [[], no, no] },
    { name: 'Lt', spec: { affinity: req([{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }]) }, want: [no, [], no] },
    {
      name: 'terms are ORed, expressions ANDed',
      spec: { affinity: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'cores', operator: 'Lt', values: ['4'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }]) },
      want: [no, [], no],
    },
    { name: 'matchFields on metadata.name', spec: { affinity: req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }]) }, want: [no, no, []] },
    { name: 'an empty term matches nothing', spec: { affinity: req([{}]) }, want: [no, no, no] },
    { name: 'no terms match nothing', spec: { affinity: req([]) }, want: [no, no, no] },
    { name: 'selector and affinity both apply', spec: { nodeSelector: { zone: 'z1' }, affinity: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }]) }, want: [no, no, no] },
  ];
  for (const c of cases) assert.deepEqual(new Cluster(nodes).filter(newNodeAffinity(), pod(c.spec)), c.want, c.name);
});

test('NodeAffinity Score: sum of matching preferred weights, normalized by the max', () => {
  const cluster = new Cluster([{ labels: { zone: 'z1' } }, { labels: { zone: 'z1', disk: 'ssd' } }, { labels: {} }]);
  const affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['z1'] }] } },
        { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' as const }] } },
      ],
    },
  };
  const raw = cluster.score(newNodeAffinity(), pod({ affinity })) as number[];
  assert.deepEqual(raw, [2, 7, 0]);
  assert.deepEqual(raw.map((r) => normalizedScore('max', r, 7)), [28, 100, 0]);
  assert.equal(cluster.score(newNodeAffinity(), pod()), 'skip');
});

test('NodePorts: host ports conflict by protocol, port and host IP (0.0.0.0 is every IP)', () => {
  const cluster = new Cluster([{}]);
  const used = newPodInfo(pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] }));
  const t = cluster.table;
  t.portKey[0] = used.hostPorts[0]!.key;
  t.portHostIp[0] = cluster.intern.intern('10.0.0.1');
  t.portCount[0] = 1;
  const taken = ["node(s) didn't have free ports for the requested pod ports"];
  const cases: { name: string; port: { hostPort: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }; want: string[][] }[] = [
    { name: 'same port, same IP', port: { hostPort: 8080, hostIP: '10.0.0.1' }, want: [taken] },
    { name: 'same port, any IP', port: { hostPort: 8080 }, want: [taken] },
    { name: 'same port, other IP', port: { hostPort: 8080, hostIP: '10.0.0.2' }, want: [[]] },
    { name: 'same port, UDP', port: { hostPort: 8080, protocol: 'UDP' }, want: [[]] },
    { name: 'other port', port: { hostPort: 8081 }, want: [[]] },
  ];
  for (const c of cases) {
    const p = pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, ...c.port }] }] });
    assert.deepEqual(cluster.filter(newNodePorts(), p), c.want, c.name);
  }
  assert.equal(cluster.filter(newNodePorts(), pod()), 'skip');
});

test('NodeName and NodeUnschedulable filters', () => {
  const cluster = new Cluster([{ name: 'a' }, { name: 'b', unschedulable: true }]);
  assert.deepEqual(cluster.filter(newNodeName(), pod({ nodeName: 'b' })), [["node(s) didn't match the requested node name"], []]);
  assert.equal(cluster.filter(newNodeName(), pod()), 'skip');
  assert.deepEqual(cluster.filter(newNodeUnschedulable(), pod()), [[], ['node(s) were unschedulable']]);
  const tolerates = pod({ tolerations: [tol({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' })] });
  assert.deepEqual(cluster.filter(newNodeUnschedulable(), tolerates), [[], []]);
});

test('ImageLocality: image sizes scaled by spread, clamped between 23 MiB and 1000 MiB per container', () => {
  const mib = 1024 * 1024;
  const cluster = new Cluster([
    { images: [{ names: ['gcr.io/40:latest'], sizeBytes: 40 * mib }] },
    { images: [{ names: ['gcr.io/300:latest'], sizeBytes: 300 * mib }] },
  ]);
  const p = pod({ containers: [{ name: 'a', image: 'gcr.io/40' }, { name: 'b', image: 'gcr.io/300' }] });
  // node 0: 40 MiB · 1/2 = 20 MiB < 23 MiB → 0; node 1: 150 MiB → 100 · (150 − 23) / (2000 − 23) = 6.
  assert.deepEqual(cluster.score(newImageLocality(), p), [0, 6]);
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('reg:5000/nginx'), 'reg:5000/nginx:latest');
  assert.equal(normalizedImageName('nginx:1.2'), 'nginx:1.2');
});

test('SchedulingGates keeps gated pods out of the active queue', () => {
  const plugin = newSchedulingGates();
  assert.equal(plugin.preEnqueue(newPodInfo(pod())).code, Code.Success);
  const s = plugin.preEnqueue(newPodInfo(pod({ schedulingGates: [{ name: 'a' }, { name: 'b' }] })));
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, ['waiting for scheduling gates: [a b]']);
});

test('PodInfo requests: containers summed, init containers as a maximum, sidecars added, overhead added', () => {
  const info = newPodInfo(pod({
    containers: [
      { name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
      { name: 'b', resources: { requests: { cpu: '200m' } } },
    ],
    initContainers: [
      { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
      { name: 'init', resources: { requests: { cpu: '1', memory: '1Mi' } } },
    ],
    overhead: { cpu: '10m' },
  }));
  // max(100 + 200 + 50, 1000 + 50) + 10 = 1060 m
  assert.equal(info.cpuMilli, 1060);
  assert.equal(info.memBytes, 100 * 1024 * 1024);
  // Scoring defaults: container b has no memory request → 200Mi; the sidecar none → 200Mi.
  assert.equal(info.nonZeroMemBytes, (100 + 200 + 200) * 1024 * 1024);
});
