// `npm run bench -- scheduler --workload <name> [--workers N] [--json]`
//
// kube-scheduler's scheduler_perf workloads, with their shapes: nodes 4 CPU / 32Gi / 110 pods, pods
// 100m / 500Mi (pause image); the initial pods are placed first (not measured), then the measured
// pods are all added at once and timed until the last one's bind is durable.
//
// Every bind is one write to an LMDB store in a temp dir (the pod, with spec.nodeName, compare-and-
// swap on the revision its create returned); concurrent binds share group commits. A pod counts as
// scheduled when its bind is durable. Throughput is sampled every second (avg, p50, p90, p99 pods/s);
// latency is per pod, from being added to its bind being durable.
//
// A workload may run scheduler_perf's churn op (mode create) while the measured pods are scheduled:
// one pod every `intervalMs`, created in the store and handed to the scheduler, until the last
// measured pod is bound (bounded by `number` and the time budget too). Preemption victims are deleted
// from the store (the deletes of one preemption share group commits) and removed from the scheduler
// once durable, as an informer would report them; only the measured pods count.
//
// The placement checker runs during the measured phase: every placement is re-filtered against the
// node state at commit, and every `--check-every`-th is re-scored from scratch over all nodes (its
// score must equal the best); `placementViolations` counts failures and must be 0.
//
// `scoreSpeedupWorkers2`: after the run, the full filter+score path (what a pod with a new template
// costs) timed over `--score-pods` distinct pods on the same nodes, main thread alone vs 2 workers.
//
// Targets (issue 5): SchedulingBasic/5000Nodes_50000Pods ≥ 10,000 pods/s with 100% of nodes scored
// and 0 violations; other workloads ≥ 10× kube-scheduler's CI threshold.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Node, Pod } from '../../src/core/api/types.js';
import { openLmdbStore } from '../../src/core/store/lmdb-store.js';
import type { Store } from '../../src/core/store/store.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/index.js';
import type { Binder } from '../../src/scheduler/framework/interfaces.js';
import { parseArgsOrExit, type OptionsSpec } from '../lib/args.js';
import { installSignalHandlers, makeTempDir } from '../lib/cleanup.js';
import { progress, writeJsonLast } from '../lib/report.js';
import { LatencyRecorder, percentileOfSorted } from '../lib/stats.js';
import { formatMs, formatRate, formatRatio, formatTable } from '../lib/table.js';

interface Workload {
  readonly nodes: number;
  readonly initPods: number;
  readonly measurePods: number;
  /** kube-scheduler's CI threshold, pods/s average. */
  readonly thresholdPodsPerSec: number;
  readonly node: (i: number) => Node;
  readonly initPod: (i: number) => Pod;
  readonly measurePod: (i: number) => Pod;
  /** Initial pods that can never be placed (Unschedulable): not waited for. */
  readonly initUnschedulable?: boolean;
  /** scheduler_perf's churn op, running while the measured pods are scheduled. */
  readonly churn?: Churn;
}

/**
 * scheduler_perf's churnOp with mode create: every intervalMilliseconds one object per template is
 * created, none deleted, until `number` (0: no limit there; here the measured phase and the time
 * budget bound it).
 */
export interface Churn {
  readonly intervalMs: number;
  readonly number: number;
  readonly pod: (i: number) => Pod;
}

const zoneLabel = 'topology.kubernetes.io/zone';

function makeNode(i: number, labels: Record<string, string> = {}): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${i}`, labels: { 'kubernetes.io/hostname': name, ...labels } },
    status: {
      capacity: { cpu: '4', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
      images: [],
    },
  };
}

function makePod(name: string, cpu: string, memory: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory }, limits: { cpu, memory } } }],
      ...extra,
    },
  };
}

const basic = (nodes: number, initPods: number, measurePods: number, thresholdPodsPerSec: number): Workload => ({
  nodes,
  initPods,
  measurePods,
  thresholdPodsPerSec,
  node: (i) => makeNode(i),
  initPod: (i) => makePod(`init-pod-${i}`, '100m', '500Mi'),
  measurePod: (i) => makePod(`pod-${i}`, '100m', '500Mi'),
});

/** scheduler_perf's node-with-name template: room for 30,000 pods. */
function largeNamedNode(name: string): Node {
  const n = makeNode(0);
  n.metadata = { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name } };
  const capacity = { cpu: '30000', memory: '30000Gi', pods: '30000' };
  n.status = { capacity, allocatable: capacity, images: [] };
  return n;
}

/** The DaemonSet controller's pin: a required term on the field metadata.name. */
function pinnedTo(nodeName: string): NonNullable<NonNullable<Pod['spec']>['affinity']> {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
}

const affinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: zoneLabel, operator: 'In' as const, values: ['zone1', 'zone2'] }] }],
    },
  },
};

/** scheduler_perf's pod-with-pod-(anti-)affinity templates: one required term over sched-0 and sched-1. */
function podAffinityOf(kind: 'podAffinity' | 'podAntiAffinity', color: string, topologyKey: string): NonNullable<NonNullable<Pod['spec']>['affinity']> {
  const term = { labelSelector: { matchLabels: { color } }, topologyKey, namespaces: ['sched-1', 'sched-0'] };
  return { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
}

function inNamespace(pod: Pod, namespace: string, labels?: Record<string, string>): Pod {
  pod.metadata.namespace = namespace;
  if (labels !== undefined) pod.metadata.labels = labels;
  return pod;
}

/** scheduler_perf's pod templates declare containerPort 80 (no hostPort: no NodePorts conflict). */
function withPort80(pod: Pod): Pod {
  pod.spec!.containers[0]!.ports = [{ containerPort: 80 }];
  return pod;
}

/**
 * scheduler_perf's PreemptionAsync (misc/performance-config.yaml; its 5000Nodes workload has
 * initNodes 5000, initPods 20000, measurePods 5000, threshold 570, SchedulerAsyncPreemption off):
 *   1. createNodes (node-default: 4 CPU, 32Gi, 110 pods);
 *   2. createPods initPods × pod-low-priority (900m / 500Mi, no priority: 0,
 *      terminationGracePeriodSeconds 0): 4 per node, 3.6 of its 4 CPUs;
 *   3. churn, mode create, intervalMilliseconds 200, pod-high-priority (priority 10, 3000m / 500Mi):
 *      each must preempt 3 low pods of a node; it runs in the background from here on;
 *   4. createPods measurePods × pod-default (100m / 500Mi, priority 0), collectMetrics: only these
 *      count, and they always fit (100m of the 400m each node has left).
 * Each op creates its pods in namespace-<op index>, as scheduler_perf does. What differs: the churn
 * stops when the last measured pod is bound (scheduler_perf cancels it when the workload ends, which
 * is then too); pods are created straight in the store, not through an API server; victims are
 * deleted without blocking the scheduling loop (as with SchedulerAsyncPreemption on, scheduler_perf's
 * 5000Nodes_AsyncPreemptionEnabled, same threshold), the preemptor waiting nominated meanwhile.
 */
function preemptionAsync(nodes: number, initPods: number, measurePods: number): Workload {
  return {
    nodes,
    initPods,
    measurePods,
    thresholdPodsPerSec: 570,
    node: (i) => makeNode(i),
    initPod: (i) => inNamespace(withPort80(makePod(`pod-low-${i}`, '900m', '500Mi', { terminationGracePeriodSeconds: 0 })), 'namespace-1'),
    churn: { intervalMs: 200, number: 0, pod: (i) => inNamespace(withPort80(makePod(`pod-high-${i}`, '3000m', '500Mi', { priority: 10 })), 'namespace-2') },
    measurePod: (i) => inNamespace(withPort80(makePod(`pod-${i}`, '100m', '500Mi')), 'namespace-3'),
  };
}

export const workloads: Readonly<Record<string, Workload>> = {
  'SchedulingBasic/5000Nodes_10000Pods': basic(5000, 1000, 10_000, 810),
  'SchedulingBasic/5000Nodes_50000Pods': basic(5000, 5000, 50_000, 810),
  'SchedulingBasic/15000Nodes_30000Pods': basic(15_000, 15_000, 30_000, 810),
  // scheduler_perf's NodeAffinity: half the nodes in zone1, pods require zone1 or zone2.
  'NodeAffinity/5000Nodes_10000Pods': {
    nodes: 5000,
    initPods: 5000,
    measurePods: 10_000,
    thresholdPodsPerSec: 220,
    node: (i) => makeNode(i, i % 2 === 0 ? { [zoneLabel]: 'zone1' } : {}),
    initPod: (i) => makePod(`init-pod-${i}`, '100m', '500Mi', { affinity }),
    measurePod: (i) => makePod(`pod-${i}`, '100m', '500Mi', { affinity }),
  },
  // scheduler_perf's TopologySpreading: zones moon-1..3; measured pods spread by zone, maxSkew 5.
  'TopologySpreading/5000Nodes_5000Pods': {
    nodes: 5000,
    initPods: 5000,
    measurePods: 5000,
    thresholdPodsPerSec: 460,
    node: (i) => makeNode(i, { [zoneLabel]: `moon-${(i % 3) + 1}` }),
    initPod: (i) => makePod(`init-pod-${i}`, '100m', '500Mi'),
    measurePod: (i) => {
      const p = makePod(`pod-${i}`, '100m', '500Mi', {
        topologySpreadConstraints: [{ maxSkew: 5, topologyKey: zoneLabel, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { color: 'blue' } } }],
      });
      p.metadata.labels = { color: 'blue' };
      return p;
    },
  },
  'PreemptionAsync/5000Nodes_5000Pods': preemptionAsync(5000, 20_000, 5000),
  // scheduler_perf's integration-test size (5Nodes: 5 nodes, 20 initial, 5 measured).
  'PreemptionAsync/5Nodes': preemptionAsync(5, 20, 5),
  // scheduler_perf's SchedulingPodAntiAffinity: every pod (color: green) repels green pods of
  // sched-0 and sched-1 by hostname; 1000 initial pods in sched-0, 2000 measured in sched-1.
  'PodAntiAffinity/5000Nodes_2000Pods': {
    nodes: 5000,
    initPods: 1000,
    measurePods: 2000,
    thresholdPodsPerSec: 60,
    node: (i) => makeNode(i),
    initPod: (i) => inNamespace(makePod(`init-pod-${i}`, '100m', '500Mi', { affinity: podAffinityOf('podAntiAffinity', 'green', 'kubernetes.io/hostname') }), 'sched-0', { color: 'green' }),
    measurePod: (i) => inNamespace(makePod(`pod-${i}`, '100m', '500Mi', { affinity: podAffinityOf('podAntiAffinity', 'green', 'kubernetes.io/hostname') }), 'sched-1', { color: 'green' }),
  },
  // scheduler_perf's SchedulingPodAffinity: every node in zone1; every pod (color: blue) requires
  // a blue pod of sched-0 or sched-1 in its zone; 5000 initial pods in sched-0, 5000 measured in sched-1.
  'PodAffinity/5000Nodes_5000Pods': {
    nodes: 5000,
    initPods: 5000,
    measurePods: 5000,
    thresholdPodsPerSec: 35,
    node: (i) => makeNode(i, { [zoneLabel]: 'zone1' }),
    initPod: (i) => inNamespace(makePod(`init-pod-${i}`, '100m', '500Mi', { affinity: podAffinityOf('podAffinity', 'blue', zoneLabel) }), 'sched-0', { color: 'blue' }),
    measurePod: (i) => inNamespace(makePod(`pod-${i}`, '100m', '500Mi', { affinity: podAffinityOf('podAffinity', 'blue', zoneLabel) }), 'sched-1', { color: 'blue' }),
  },
  // scheduler_perf's SchedulingDaemonset: one large node named scheduler-perf-node (node-with-name:
  // 30000 pods / 30000 CPU / 30000Gi), then 15,000 default nodes; every measured pod is pinned to
  // scheduler-perf-node by a required NodeAffinity term on matchFields metadata.name, as the
  // DaemonSet controller writes it (daemonset-pod template: 100m / 500Mi, containerPort 80).
  'SchedulingDaemonset/15000Nodes_30000Pods': {
    nodes: 15_001,
    initPods: 0,
    measurePods: 30_000,
    thresholdPodsPerSec: 1100,
    node: (i) => (i === 0 ? largeNamedNode('scheduler-perf-node') : makeNode(i - 1)),
    initPod: (i) => makePod(`init-pod-${i}`, '100m', '500Mi'),
    measurePod: (i) => {
      const p = makePod(`daemonset-${i}`, '100m', '500Mi', { affinity: pinnedTo('scheduler-perf-node') });
      p.spec!.containers[0]!.ports = [{ containerPort: 80 }];
      return p;
    },
  },
  // 200 pods that fit nowhere (9 CPUs) stay in the queue while the measured pods are scheduled.
  'Unschedulable/5000Nodes_10000Pods': {
    nodes: 5000,
    initPods: 200,
    measurePods: 10_000,
    thresholdPodsPerSec: 600,
    initUnschedulable: true,
    node: (i) => makeNode(i),
    initPod: (i) => makePod(`large-pod-${i}`, '9', '500Mi'),
    measurePod: (i) => makePod(`pod-${i}`, '100m', '500Mi'),
  },
};

const spec = {
  workload: { kind: 'string', default: 'SchedulingBasic/5000Nodes_10000Pods', choices: Object.keys(workloads), help: 'scheduler_perf workload' },
  workers: { kind: 'int', default: 0, min: 0, max: 16, help: 'score worker threads (0: main thread only)' },
  seed: { kind: 'int', default: 1, min: 0, max: 2 ** 31 - 1, help: 'tie-break seed' },
  percentageOfNodesToScore: { kind: 'int', default: 100, min: 0, max: 100, help: 'the profile\'s percentageOfNodesToScore (0: kube-scheduler\'s adaptive default)' },
  batchPods: { kind: 'int', default: 64, min: 1, max: 4096, help: 'pods evaluated per worker round trip' },
  checkEvery: { kind: 'int', default: 100, min: 1, max: 1_000_000, help: 're-score all nodes from scratch every N placements' },
  scorePods: { kind: 'int', default: 128, min: 0, max: 10_000, help: 'distinct pods timed for scoreSpeedupWorkers2 (0: skip)' },
  maxSeconds: { kind: 'number', default: 180, min: 1, max: 1200, help: 'time budget of the measured phase' },
  cpuProf: { kind: 'string', default: '', help: 'write a CPU profile of the measured phase only (main thread) to this .cpuprofile file' },
  json: { kind: 'flag', default: false, help: 'print one JSON object as the last line of stdout' },
} as const satisfies OptionsSpec;

const summary = "kube-scheduler's scheduler_perf workloads through the library scheduler, binds durable in LMDB.";

/** Binds by writing the pod with spec.nodeName, CAS on the revision its create returned. */
class StoreBinder implements Binder {
  readonly revisions = new Map<string, number>();
  constructor(private readonly store: Store<Pod>) {}

  async bind(info: { readonly pod: Pod; readonly key: string }, nodeName: string): Promise<void> {
    const key = `/pods/${info.key}`;
    const rev = this.revisions.get(key);
    if (rev === undefined) throw new Error(`${key} was never created`);
    const pod = info.pod;
    const kv = await this.store.update(key, { ...pod, spec: { ...pod.spec!, nodeName } }, rev);
    this.revisions.set(key, kv.modRevision);
  }
}

async function createAll(store: Store<Pod>, binder: StoreBinder, pods: readonly Pod[]): Promise<void> {
  const chunk = 2000;
  for (let i = 0; i < pods.length; i += chunk) {
    await Promise.all(
      pods.slice(i, i + chunk).map(async (pod) => {
        const key = `/pods/${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
        const kv = await store.create(key, pod);
        binder.revisions.set(key, kv.modRevision);
      }),
    );
  }
}

function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

/**
 * Runs a churn op (mode create) until stop() or `limit` pods: one pod per tick (the first after one
 * interval, as Go's ticker), handed to `create`. stop() resolves, once every create has, to the count.
 */
export function startChurn(churn: Churn, limit: number, create: (pod: Pod) => Promise<void>): { stop(): Promise<number> } {
  const max = churn.number > 0 ? Math.min(churn.number, limit) : limit;
  let created = 0;
  const inFlight: Promise<void>[] = [];
  const timer = setInterval(() => {
    if (created >= max) {
      clearInterval(timer);
      return;
    }
    inFlight.push(create(churn.pod(created++)));
  }, churn.intervalMs);
  return {
    async stop(): Promise<number> {
      clearInterval(timer);
      await Promise.all(inFlight);
      return created;
    },
  };
}

function waitUntil(done: () => boolean, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (done()) resolve(true);
      else if (performance.now() > deadlineMs) resolve(false);
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function waitForBound(s: Scheduler, target: number, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (s.stats().bound >= target) resolve(true);
      else if (performance.now() > deadlineMs) resolve(false);
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/** Full filter+score time (ms) of `pods` distinct pods on the scheduler's current nodes. */
async function timeDryRun(s: Scheduler, pods: readonly Pod[]): Promise<number> {
  await s.dryRun(pods.slice(0, Math.min(8, pods.length))); // warm up (JIT, worker start)
  const t0 = performance.now();
  await s.dryRun(pods);
  return performance.now() - t0;
}

export async function run(args: readonly string[]): Promise<void> {
  const o = parseArgsOrExit('scheduler', summary, args, spec);
  installSignalHandlers();
  const w = workloads[o.workload]!;
  const dir = makeTempDir('cox-bench-scheduler-');
  const store = await openLmdbStore<Pod>({ path: dir.path });
  const binder = new StoreBinder(store);
  const scheduler = createScheduler({
    profiles: { percentageOfNodesToScore: o.percentageOfNodesToScore },
    workers: o.workers,
    seed: o.seed,
    binder,
    batchPods: o.batchPods,
    check: 'full',
    checkEvery: o.checkEvery,
    nodeTable: { nodesMax: Math.max(w.nodes, 1024) },
  });
  try {
    progress(`${o.workload}: ${w.nodes} nodes, ${w.initPods} initial pods, ${w.measurePods} measured pods, workers ${o.workers}`);
    for (let i = 0; i < w.nodes; i++) scheduler.addNode(w.node(i));
    const initPods = Array.from({ length: w.initPods }, (_, i) => w.initPod(i));
    const measurePods = Array.from({ length: w.measurePods }, (_, i) => w.measurePod(i));
    await createAll(store, binder, initPods);
    await createAll(store, binder, measurePods);
    progress('pods created in the store; placing the initial pods');
    for (const p of initPods) scheduler.addPod(p);
    if (!w.initUnschedulable) {
      if (!(await waitForBound(scheduler, w.initPods, performance.now() + o.maxSeconds * 1000))) throw new Error('initial pods not placed in time');
    } else await scheduler.idle();
    // Preemption victims are deleted from the store, as kube-scheduler deletes them through the API
    // (one preemption's deletes share group commits); once durable the scheduler hears of each, as
    // its informer would, and the preemptor's room is free.
    const writes: Promise<unknown>[] = [];
    let victimsDeleted = 0;
    scheduler.onPreemption((p) => {
      for (const v of p.victims) {
        const namespace = v.metadata.namespace ?? 'default';
        const name = v.metadata.name ?? '';
        writes.push(
          store.delete(`/pods/${namespace}/${name}`).then(() => {
            victimsDeleted++;
            scheduler.removePod(namespace, name);
          }),
        );
      }
    });
    const checksBefore = scheduler.stats();

    progress('measuring');
    const latency = new LatencyRecorder(w.measurePods);
    const addedAtMs = new Float64Array(w.measurePods);
    // By identity: a binding hands back the Pod object the scheduler was given.
    const indexOf = new Map<Pod, number>();
    measurePods.forEach((p, i) => indexOf.set(p, i));
    // Only the measured pods count (not the churn's), as scheduler_perf's collector counts its namespace.
    let measured = 0;
    let doneAtMs = 0;
    const off = scheduler.onBinding((b) => {
      const i = indexOf.get(b.pod);
      if (i === undefined) return;
      const now = performance.now();
      latency.record(now - (addedAtMs[i] as number));
      if (++measured === w.measurePods) doneAtMs = now;
    });
    const profiler = o.cpuProf === '' ? undefined : new Session();
    if (profiler !== undefined) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpuBefore = process.cpuUsage();
    const samples: number[] = [];
    const t0 = performance.now();
    let lastMeasured = 0;
    const sampler = setInterval(() => {
      samples.push(measured - lastMeasured);
      lastMeasured = measured;
    }, 1000);
    const churn = w.churn === undefined ? undefined : startChurn(w.churn, Math.ceil((o.maxSeconds * 1000) / w.churn.intervalMs), async (pod) => {
      const key = `/pods/${podKey(pod)}`;
      const kv = await store.create(key, pod);
      binder.revisions.set(key, kv.modRevision);
      scheduler.addPod(pod);
    });
    for (let i = 0; i < measurePods.length; i++) {
      addedAtMs[i] = performance.now();
      scheduler.addPod(measurePods[i]!);
    }
    const done = await waitUntil(() => measured >= w.measurePods, t0 + o.maxSeconds * 1000);
    const elapsedMs = (done ? doneAtMs : performance.now()) - t0;
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time of this process (all threads) per measured pod: less sensitive to a shared machine.
    const cpuUsPerPod = measured === 0 ? null : (cpu.user + cpu.system) / measured;
    if (profiler !== undefined) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(o.cpuProf, JSON.stringify(profile));
      profiler.disconnect();
    }
    clearInterval(sampler);
    const churnPods = churn === undefined ? 0 : await churn.stop();
    await Promise.all(writes);
    off();
    const stats = scheduler.stats();
    if (!done) progress(`time budget exhausted: ${measured}/${w.measurePods} pods bound`);
    const avgPodsPerSec = (measured * 1000) / elapsedMs;
    const sorted = Float64Array.from(samples.length > 0 ? samples : [avgPodsPerSec]).sort();
    const lat = latency.summarize();

    let scoreMsMain: number | null = null;
    let scoreMsWorkers2: number | null = null;
    if (o.scorePods > 0) {
      // Distinct specs (a per-pod env var), so each pod takes the full path.
      const distinct = Array.from({ length: o.scorePods }, (_, i) => {
        const p = makePod(`score-pod-${i}`, '100m', '500Mi');
        p.spec!.containers[0]!.env = [{ name: 'N', value: String(i) }];
        return p;
      });
      progress(`timing the full filter+score path: ${o.scorePods} distinct pods, main thread vs 2 workers`);
      const nodes = Array.from({ length: w.nodes }, (_, i) => w.node(i));
      for (const workers of [0, 2]) {
        const s2 = createScheduler({ workers, seed: o.seed, batchPods: o.batchPods, nodeTable: { nodesMax: Math.max(w.nodes, 1024) } });
        for (const n of nodes) s2.addNode(n);
        const ms = await timeDryRun(s2, distinct);
        await s2.close();
        if (workers === 0) scoreMsMain = ms;
        else scoreMsWorkers2 = ms;
      }
    }
    const scoreSpeedupWorkers2 = scoreMsMain !== null && scoreMsWorkers2 !== null ? scoreMsMain / scoreMsWorkers2 : null;

    const report = {
      workload: o.workload,
      workers: o.workers,
      nodes: w.nodes,
      measuredPods: measured,
      durationMs: elapsedMs,
      avgPodsPerSec,
      p50PodsPerSec: percentileOfSorted(sorted, 50),
      p90PodsPerSec: percentileOfSorted(sorted, 90),
      p99PodsPerSec: percentileOfSorted(sorted, 99),
      p50LatencyMs: lat.p50Ms,
      p90LatencyMs: lat.p90Ms,
      p99LatencyMs: lat.p99Ms,
      nodesScoredPct: stats.nodesScoredPct,
      placementsChecked: stats.placementsChecked - checksBefore.placementsChecked,
      placementsFullyChecked: stats.placementsFullyChecked - checksBefore.placementsFullyChecked,
      placementViolations: stats.placementViolations,
      fullEvaluations: stats.fullEvaluations,
      preemptions: stats.preemptions,
      cpuUsPerPod,
      churnPods,
      victimsDeleted,
      thresholdPodsPerSec: w.thresholdPodsPerSec,
      vsThreshold: avgPodsPerSec / w.thresholdPodsPerSec,
      scoreMsMain,
      scoreMsWorkers2,
      scoreSpeedupWorkers2,
      completed: done,
    };
    const rows = [
      ['pods/s avg', formatRate(avgPodsPerSec)],
      ['pods/s p50 / p90 / p99 (per-second samples)', `${formatRate(report.p50PodsPerSec)} / ${formatRate(report.p90PodsPerSec)} / ${formatRate(report.p99PodsPerSec)}`],
      ['latency p50 / p90 / p99', `${formatMs(lat.p50Ms)} / ${formatMs(lat.p90Ms)} / ${formatMs(lat.p99Ms)}`],
      ['vs kube-scheduler CI threshold', formatRatio(report.vsThreshold)],
      ['nodes scored', `${stats.nodesScoredPct.toFixed(1)}%`],
      ['placements checked (fully)', `${report.placementsChecked} (${report.placementsFullyChecked})`],
      ['placement violations', String(stats.placementViolations)],
      ['full filter+score passes', String(stats.fullEvaluations)],
      ['churn pods created / preemptions / victims deleted', `${churnPods} / ${stats.preemptions} / ${victimsDeleted}`],
      ['score phase, main / 2 workers', `${formatMs(scoreMsMain)} / ${formatMs(scoreMsWorkers2)} (${formatRatio(scoreSpeedupWorkers2)})`],
    ];
    process.stdout.write(`${o.workload}, workers ${o.workers}\n${formatTable(['figure', 'value'], rows)}\n`);
    if (o.json) writeJsonLast({ ...report });
  } finally {
    await scheduler.close();
    await store.close();
    dir.remove();
  }
}
