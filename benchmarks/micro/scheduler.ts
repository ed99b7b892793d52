// Micro benchmark: the scheduler's hot functions over 5,000 scheduler_perf nodes (4 CPU / 32Gi).
// Run: npx tsc -p . && node dist/benchmarks/micro/scheduler.js [--json]
// ops/s is node evaluations per second (filter+score kernel, checker) or decisions per second
// (template path: re-evaluate the changed node, pick the best).
import { Bench } from 'tinybench';
import { CycleState } from '../../src/scheduler/framework/cycle-state.js';
import { parseSchedulerConfig } from '../../src/scheduler/framework/config.js';
import type { PrepareContext } from '../../src/scheduler/framework/interfaces.js';
import { newPodInfo } from '../../src/scheduler/framework/pod-info.js';
import { buildFramework } from '../../src/scheduler/framework/runtime.js';
import { Code } from '../../src/scheduler/framework/status.js';
import { PodEvaluation, writeChunk } from '../../src/scheduler/evaluation.js';
import { writeNode } from '../../src/scheduler/nodes.js';
import { inTreeRegistry } from '../../src/scheduler/plugins/registry.js';
import { activeScorePlugins, evaluateNodes, EvaluateScratch } from '../../src/scheduler/workers/evaluate.js';
import { InternTable } from '../../src/scheduler/workers/intern.js';
import { NodeTable } from '../../src/scheduler/workers/node-table.js';
import { reportMicroBench } from './report.js';

const nodeCount = 5000;
const table = NodeTable.allocate({ nodesMax: nodeCount, labelsMax: 8, taintsMax: 4, imagesMax: 4, portsMax: 4 });
const intern = new InternTable(1 << 16);
for (let i = 0; i < nodeCount; i++) {
  writeNode(table, intern, i, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, zone: `z${i % 3}` } },
    status: { allocatable: { cpu: '4', memory: '32Gi', pods: '110' } },
  }, i * 2654435761);
  table.reqCpuMilli[i] = table.nonZeroCpuMilli[i] = (i % 30) * 100;
  table.reqMemBytes[i] = table.nonZeroMemBytes[i] = (i % 30) * 500 * 1024 * 1024;
}
table.setHighWater(nodeCount);
const nodes = Int32Array.from({ length: nodeCount }, (_, i) => i);
const ctx: PrepareContext = {
  table,
  strings: intern.columns,
  liveNodes: nodeCount,
  intern,
  nodeIndex: () => -1,
  nodes,
  nodeObject: () => undefined,
  assignedPods: () => [],
};
const fw = buildFramework(parseSchedulerConfig({}).profiles[0]!, inTreeRegistry(), { binder: { bind: () => Promise.resolve() } });

function prepared(spec: object): { info: ReturnType<typeof newPodInfo>; state: CycleState; active: Int32Array } {
  const info = newPodInfo({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: spec as never });
  const state = new CycleState();
  for (const p of fw.preFilter) if (p.preFilter(state, info, ctx).status.code === Code.Skip) state.skipFilter.add(p.name);
  for (const p of fw.preScore) if (p.preScore(state, info, ctx).code === Code.Skip) state.skipScore.add(p.name);
  return { info, state, active: activeScorePlugins(fw, state) };
}

const basic = prepared({ containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] });
const affinity = prepared({
  containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '500Mi' } } }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } }],
    },
  },
  tolerations: [{ key: 'spot', operator: 'Exists' }],
});

const scratch = new EvaluateScratch();
const verdicts = new Uint16Array(nodeCount);
const raw = new Float64Array(8 * nodeCount);
const cached = new PodEvaluation(fw, basic.state, basic.info, basic.active, true, nodeCount, 0, 0);
evaluateNodes(fw, basic.state, basic.info, ctx, nodes, nodeCount, basic.active, verdicts, raw, scratch);
writeChunk(cached.layout, nodes, nodeCount, verdicts, raw, cached);
cached.finish(table.rank);
cached.best();
const one = new Int32Array(1);
const oneVerdict = new Uint16Array(1);
const oneRaw = new Float64Array(8);
let sink = 0;
let step = 0;

const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  .add('filter+score kernel, SchedulingBasic pod (per node)', () => {
    evaluateNodes(fw, basic.state, basic.info, ctx, nodes, nodeCount, basic.active, verdicts, raw, scratch);
    sink += verdicts[7] as number;
  })
  .add('filter+score kernel, affinity + tolerations (per node)', () => {
    evaluateNodes(fw, affinity.state, affinity.info, ctx, nodes, nodeCount, affinity.active, verdicts, raw, scratch);
    sink += verdicts[7] as number;
  })
  .add('writeChunk (worker side) (per node)', () => {
    writeChunk(cached.layout, nodes, nodeCount, verdicts, raw, cached);
    sink += cached.partial[7] as number;
  })
  .add('finish + best (main thread, per node)', () => {
    cached.finish(table.rank);
    sink += cached.best();
  });
const perNode = bench.tasks.length;
bench.add('template decision: re-evaluate 1 changed node + best (per decision)', () => {
  const node = (step++ * 7919) % nodeCount;
  one[0] = node;
  evaluateNodes(fw, basic.state, basic.info, ctx, one, 1, basic.active, oneVerdict, oneRaw, scratch);
  cached.updateNode(node, oneVerdict[0] as number, oneRaw, table.rank);
  sink += cached.best();
});

await bench.run();

if (sink === Number.MIN_VALUE) console.log(sink);
reportMicroBench(bench, (_task, i) => (i < perNode ? nodeCount : 1));
