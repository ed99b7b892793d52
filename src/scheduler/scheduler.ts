// The scheduler in library mode: nodes and pods handed in as objects, placements handed out as
// bindings. One scheduling loop on the calling thread:
//
//   queue.pop × batch ─► prepare (PreFilter / PreScore, or reuse the template's evaluation)
//        │
//        ├─ pods without an up-to-date evaluation: one round of Piscina tasks, node chunks × pods
//        │  (or inline with workers: 0), all against one epoch of the node table
//        ▼
//   for each pod in order: bring its evaluation up to date (re-evaluate the nodes changed since:
//   earlier pods of the batch, binds, user updates) ─► best node ─► [check] ─► assume (write the
//   table) ─► Reserve ─► Permit ─► async PreBind / Bind / PostBind
//
// The node table is written only between rounds: user calls made while a round is in flight are
// queued and applied when it returns (see `mutate`), so workers always read one consistent epoch.
//
// Preemption, as kube-scheduler: when no node fits, PostFilter picks victims on one node; they are
// marked preempted and reported (onPreemption) but keep their room until the embedder removes them
// (removePod, as an informer's delete event); the preemptor is requeued nominated to the node. While
// nominated, it counts in every filter of pods of lower or equal priority on that node, as kube's
// RunFilterPluginsWithNominatedPods: its requests on the columns, and through addPod in the PreFilter
// state of PodTopologySpread and InterPodAffinity; a node failing with it reports that reason (a
// change-log entry makes every evaluation re-check the node); when retried, its nominated node is
// tried first.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Node, Pod, PodDisruptionBudget } from '../core/api/types.js';
import { parseSchedulerConfig, type SchedulerConfig } from './framework/config.js';
import type { SchedulerConfigInput } from './framework/config-input.js';
import { CycleState } from './framework/cycle-state.js';
import type { AssignedPod as AssignedPodView, Binder, FilterPlugin, NodeView, PostFilterContext, PreFilterPlugin, PrepareContext, RefreshOut } from './framework/interfaces.js';
import { defaultSchedulerName, names } from './framework/names.js';
import { newPodInfo, type PodInfo } from './framework/pod-info.js';
import { SchedulingQueue, type ClusterEvent, type QueueLocation } from './framework/queue.js';
import type { Registry } from './framework/registry.js';
import { buildFramework, type Framework } from './framework/runtime.js';
import { Code, isRejected, newStatus, type Status } from './framework/status.js';
import { numFeasibleNodesToFind } from './framework/nodes-to-find.js';
import { recordResults } from './record.js';
import { hash32 } from './hash.js';
import { SeededRandom } from './random.js';
import { kNoNode, PodEvaluation, writeChunk } from './evaluation.js';
import { applyPodScalars, clearNode, releaseNodeImages, writeNode } from './nodes.js';
import { inTreeRegistry } from './plugins/registry.js';
import type { VolumeCatalog } from './plugins/volume-binding/catalog.js';
import type { WorkloadCatalog } from './plugins/pod-topology-spread/workloads.js';
import { activeScorePlugins, evaluateNodes, EvaluateScratch } from './workers/evaluate.js';
import { InternTable } from './workers/intern.js';
import { defaultNodeTableDims, NodeFlag, NodeTable, protocolCode, type NodeTableDims } from './workers/node-table.js';
import type { EvalResult, EvalTask, TaskPod, WorkerInit } from './workers/protocol.js';

export interface SchedulerOptions {
  /** A KubeSchedulerConfiguration (YAML text or object); default: one default-scheduler profile. */
  readonly profiles?: SchedulerConfigInput;
  /** Worker threads filtering and scoring node chunks; 0 runs everything on the calling thread. */
  readonly workers?: number;
  /** Seed of the tie-break between equally scored nodes. */
  readonly seed?: number;
  /** Where bindings are written (DefaultBinder); default: accepted at once, in memory. */
  readonly binder?: Binder;
  /** PVCs, PVs and StorageClasses the volume plugins read (and where they bind claims). */
  readonly volumes?: VolumeCatalog;
  /** Services and controllers PodTopologySpread's default constraints read (none: no defaults apply). */
  readonly workloads?: WorkloadCatalog;
  /** Plugins beyond the in-tree ones. Profiles using them need `workers: 0`. */
  readonly registry?: Registry;
  readonly nodeTable?: Partial<NodeTableDims>;
  /** Pods popped and evaluated per round (one worker round trip). */
  readonly batchPods?: number;
  /**
   * The placement checker: 'filters' re-runs every filter on the chosen node at commit; 'full'
   * also re-scores every node from scratch and checks the chosen score is the best (expensive:
   * `checkEvery` spaces the full checks out).
   */
  readonly check?: 'off' | 'filters' | 'full';
  readonly checkEvery?: number;
  /**
   * Compute each scheduled pod's per-node, per-plugin filter and score results (Binding.results,
   * kube-scheduler-simulator's annotations). Costly: every plugin runs over every node once more.
   */
  readonly recordResults?: boolean;
  /** Bindings in flight at most; the loop waits for one to finish beyond it. */
  readonly bindsInFlightMax?: number;
  /** Queue clock (tests). */
  readonly now?: () => number;
}

export interface Binding {
  readonly pod: Pod;
  readonly nodeName: string;
  /** With recordResults: the annotations kube-scheduler-simulator writes (see record.ts). */
  readonly results?: Readonly<Record<string, string>>;
}

export interface Unschedulable {
  readonly pod: Pod;
  /** kube-scheduler's FitError text: "0/5000 nodes are available: 5000 Insufficient cpu." */
  readonly message: string;
  /**
   * The node a preemption nominated the pod to (what kube-scheduler writes to
   * status.nominatedNodeName): it is retried there once its victims are gone.
   */
  readonly nominatedNodeName?: string;
  /** The PodScheduled condition kube-scheduler would set. */
  readonly condition: { readonly type: 'PodScheduled'; readonly status: 'False'; readonly reason: 'Unschedulable' | 'SchedulerError'; readonly message: string };
}

export interface Preemption {
  readonly preemptor: Pod;
  /** The node the preemptor is nominated to. */
  readonly nodeName: string;
  /**
   * Evicted so the preemptor fits: the embedding application deletes them and calls removePod once
   * each is gone (as kube-scheduler's cache sees the delete event). Until then they hold their room
   * and the preemptor waits, nominated. Victims already being evicted are not listed again.
   */
  readonly victims: readonly Pod[];
}

export interface SchedulerStats {
  readonly scheduled: number;
  readonly bound: number;
  readonly unschedulableAttempts: number;
  readonly bindErrors: number;
  /** Full filter+score passes (cache misses) and incremental node re-evaluations. */
  readonly fullEvaluations: number;
  readonly nodeReevaluations: number;
  readonly workerRounds: number;
  /** Time spent in full passes (filter+score of every node), ms. */
  readonly fullEvaluationMs: number;
  readonly placementsChecked: number;
  readonly placementsFullyChecked: number;
  readonly placementViolations: number;
  readonly preemptions: number;
  /** Nodes considered per decision, as a percentage of live nodes (100: every node). */
  readonly nodesScoredPct: number;
}

const changeLogSize = 8192;
/**
 * In-tree filters whose verdict on a node depends only on the Node object and the pod, never on the
 * pods placed there: preemption's reprieve loop does not re-run them (PostFilterContext.fitsAgain).
 */
const podIndependentFilters: ReadonlySet<string> = new Set([names.NodeUnschedulable, names.NodeName, names.TaintToleration, names.NodeAffinity]);
const templateCacheMax = 64;

interface AssignedPod {
  readonly info: PodInfo;
  readonly node: number;
  /** Bound (durable) or only assumed. */
  bound: boolean;
  /** Evicted by a preemption, still holding its room until removePod. */
  preempted: boolean;
}

/**
 * A pod a preemption nominated to a node (kube's nominator): while it waits for its victims, the
 * filters count it on that node for pods of lower or equal priority (not for higher ones, which may
 * preempt it in turn, nor for itself).
 */
interface Nomination {
  readonly info: PodInfo;
  readonly node: number;
}

interface PortUse {
  readonly key: number;
  readonly hostIpId: number;
}

interface Prepared {
  readonly qp: ReturnType<SchedulingQueue['pop']> & object;
  readonly fw: Framework;
  readonly templateKey: string;
  evaluation: PodEvaluation | undefined;
  /** Set when PreFilter rejected the pod outright. */
  rejected: Status | undefined;
  state: CycleState | undefined;
}

class Channel<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  close(): void {
    this.closed = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

const memoryBinder: Binder = { bind: () => Promise.resolve() };

export class Scheduler {
  readonly table: NodeTable;
  readonly intern: InternTable;
  private readonly config: SchedulerConfig;
  private readonly frameworks = new Map<string, Framework>();
  private readonly queue: SchedulingQueue;
  private readonly seed: number;
  /** What kube-scheduler draws at random (preemption's search offset), from the seed. */
  private readonly random: SeededRandom;
  private readonly workers: number;
  private pool: Piscina | undefined;
  private readonly batchPods: number;
  private readonly check: 'off' | 'filters' | 'full';
  private readonly checkEvery: number;
  private readonly bindsInFlightMax: number;
  private readonly now: () => number;

  private readonly nodeIndex = new Map<string, number>();
  private readonly nodeObjects: (Node | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private liveList = new Int32Array(0);
  private liveListDirty = true;
  /** prepareContext's last result, valid while the live list and the intern columns are the same objects. */
  private contextCache: PrepareContext | undefined;
  /** Bumped when the node set or a node's own fields change: every evaluation is then stale. */
  private generation = 0;
  private readonly nodePorts = new Map<number, PortUse[]>();

  private readonly changeLog = new Int32Array(changeLogSize);
  /** Per node index: bumped by logChange (preemption's dry-run cache checks it). */
  private nodeVersions = new Int32Array(0);
  /** PostFilter's candidate nodes (scratch). */
  private preemptCandidates = new Int32Array(0);
  /** Bumped when a PodDisruptionBudget is added or removed. */
  private budgetsVersion = 0;
  private changeSeq = 0;
  private readonly templates = new Map<string, PodEvaluation>();
  private toRelease: PodEvaluation[] = [];
  private useSeq = 0;

  private readonly pending = new Map<string, PodInfo>();
  private readonly assigned = new Map<string, AssignedPod>();
  /** The same pods by node index (preemption lists a node's pods). */
  private readonly podsByNode = new Map<number, AssignedPod[]>();
  /** Pending pods nominated to a node by their preemption, by pod key and by node. */
  private readonly nominations = new Map<string, Nomination>();
  private readonly nominatedOn = new Map<number, Nomination[]>();

  /** Worker rounds reading the table; it is written only when none is out (see mutate). */
  private roundsInFlight = 0;
  private readonly deferred: (() => void)[] = [];
  private loopRunning = false;
  private loopScheduled = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private bindsInFlight = 0;
  private bindWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Unsubscribes from the VolumeCatalog's changes. */
  private offVolumes: (() => void) | undefined;
  private offWorkloads: (() => void) | undefined;

  private readonly bindingListeners = new Set<(b: Binding) => void>();
  private readonly recordResults: boolean;
  /** With recordResults: each pod's results from its decision until its bind ends. */
  private readonly records = new Map<string, Record<string, string>>();
  private readonly unschedulableListeners = new Set<(u: Unschedulable) => void>();
  private readonly bindingChannels = new Set<Channel<Binding>>();
  private readonly preemptionListeners = new Set<(p: Preemption) => void>();
  private readonly disruptionBudgets = new Map<string, PodDisruptionBudget>();

  private readonly scratch = new EvaluateScratch();
  private readonly oneNode = new Int32Array(1);
  /** Scratch of refresh (valid until the next call): nodes to re-evaluate beyond the change log. */
  private readonly refreshOut: RefreshOut = { recheck: [], failing: [], recheckSets: [], failingSets: [], failingReason: 0 };
  private refreshFailed = false;
  private refreshList = new Int32Array(0);
  /** percentageOfNodesToScore below 100: where the next search for feasible nodes starts. */
  private nextStartNodeIndex = 0;
  /** The feasible nodes the last decision chose among (valid until the next), -1 when all were. */
  private sampled = new Int32Array(0);
  private sampledCount = -1;
  private extremes = new Float64Array(8);
  private readonly oneVerdict = new Uint16Array(1);
  /** nominatedVerdict's scratch (filters only: no score plugins). */
  private readonly nominatedNode = new Int32Array(1);
  private readonly nominatedOut = new Uint16Array(1);
  private readonly nominatedRaw = new Float64Array(1);
  private readonly noScores = new Int32Array(0);
  private oneRaw = new Float64Array(16);
  private readonly checkNode = new Int32Array(1);
  private checkVerdicts = new Uint16Array(1);
  private checkRaw = new Float64Array(16);
  private inlineVerdicts = new Uint16Array(0);
  private inlineRaw = new Float64Array(0);

  private counters = {
    scheduled: 0,
    bound: 0,
    unschedulableAttempts: 0,
    bindErrors: 0,
    fullEvaluations: 0,
    nodeReevaluations: 0,
    workerRounds: 0,
    fullEvaluationMs: 0,
    placementsChecked: 0,
    placementsFullyChecked: 0,
    placementViolations: 0,
    preemptions: 0,
    nodesConsidered: 0,
    nodesLiveAtDecision: 0,
  };

  constructor(options: SchedulerOptions = {}) {
    this.recordResults = options.recordResults === true;
    const dims: NodeTableDims = { ...defaultNodeTableDims, ...options.nodeTable };
    this.table = NodeTable.allocate(dims);
    this.intern = new InternTable(Math.max(1 << 16, dims.nodesMax * 8));
    this.seed = options.seed ?? 0;
    this.random = new SeededRandom(this.seed);
    this.workers = options.workers ?? 0;
    if (!(Number.isInteger(this.workers) && this.workers >= 0 && this.workers <= 64)) {
      throw new RangeError(`workers must be an integer in [0, 64], got ${this.workers}`);
    }
    this.batchPods = options.batchPods ?? 64;
    this.check = options.check ?? 'off';
    this.checkEvery = options.checkEvery ?? 1;
    this.bindsInFlightMax = options.bindsInFlightMax ?? 1024;
    this.now = options.now ?? (() => performance.now());
    const configInput = options.profiles ?? {};
    this.config = parseSchedulerConfig(configInput);
    const registry = options.registry ?? inTreeRegistry();
    const handle = { binder: options.binder ?? memoryBinder, ...(options.volumes === undefined ? {} : { volumes: options.volumes }), ...(options.workloads === undefined ? {} : { workloads: options.workloads }) };
    for (const p of this.config.profiles) this.frameworks.set(p.schedulerName, buildFramework(p, registry, handle));
    const first = this.frameworks.values().next().value as Framework;
    for (const fw of this.frameworks.values()) {
      if (fw.queueSort.name !== first.queueSort.name) {
        throw new Error(`all profiles must use the same queue sort plugin (${first.queueSort.name} vs ${fw.queueSort.name})`);
      }
    }
    this.queue = new SchedulingQueue({
      sort: first.queueSort,
      // PreEnqueue plugins of the pod's own profile; with several profiles, the union is checked.
      preEnqueue: [...new Map([...this.frameworks.values()].flatMap((fw) => fw.preEnqueue.map((p) => [p.name, p] as const))).values()],
      now: this.now,
    });
    // A claim, volume or class changed: evaluations that read the catalog are stale; pods the
    // volume plugins rejected may fit now.
    this.offVolumes = options.volumes?.onChange(() => {
      this.generation++;
      this.event('VolumeChange');
    });
    // A Service or controller changed: default spread selectors may differ; evaluations are stale.
    this.offWorkloads = options.workloads?.onChange(() => this.generation++);
    if (this.workers > 0) {
      if (options.registry !== undefined) throw new Error('a custom registry needs workers: 0 (workers build in-tree plugins only)');
      const init: WorkerInit = { table: this.table.buffers, strings: this.intern.columns.buffers, config: configInput };
      this.pool = new Piscina({
        filename: new URL('./workers/score-worker.js', import.meta.url).href,
        minThreads: this.workers,
        maxThreads: this.workers,
        idleTimeout: 60_000,
        workerData: init,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Nodes

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    if (this.nodeIndex.has(name)) {
      this.updateNode(node);
      return;
    }
    this.mutate(() => {
      let index = this.freeSlots.pop();
      if (index === undefined) {
        index = this.table.highWater;
        if (index >= this.table.dims.nodesMax) throw new RangeError(`more than ${this.table.dims.nodesMax} nodes (raise nodeTable.nodesMax)`);
        this.table.setHighWater(index + 1);
      }
      writeNode(this.table, this.intern, index, node, hash32(name, this.seed));
      this.nodeIndex.set(name, index);
      this.nodeObjects[index] = node;
      this.nodeSetChanged();
    });
    this.event('NodeAdd');
  }

  updateNode(node: Node): void {
    const name = node.metadata.name ?? '';
    if (!this.nodeIndex.has(name)) {
      this.addNode(node);
      return;
    }
    this.mutate(() => {
      const index = this.nodeIndex.get(name);
      if (index === undefined) return;
      releaseNodeImages(this.table, this.intern, index);
      writeNode(this.table, this.intern, index, node, hash32(name, this.seed));
      this.nodeObjects[index] = node;
      this.nodeSetChanged();
    });
    this.event('NodeUpdate');
  }

  removeNode(name: string): void {
    this.mutate(() => {
      const index = this.nodeIndex.get(name);
      if (index === undefined) return;
      clearNode(this.table, this.intern, index);
      this.nodeIndex.delete(name);
      this.nodeObjects[index] = undefined;
      this.nodePorts.delete(index);
      this.freeSlots.push(index);
      // Pods on it stay assigned (as in kube-scheduler's cache) but no longer count anywhere.
      for (const a of [...(this.podsByNode.get(index) ?? [])]) {
        this.unplace(a.info.key);
        this.observePlacement(a.info, index, -1);
      }
      // Pods nominated to it look for another node next time.
      for (const n of [...(this.nominatedOn.get(index) ?? [])]) this.unnominate(n.info.key);
      this.nodeSetChanged();
    });
  }

  get nodeCount(): number {
    return this.nodeIndex.size;
  }

  private nodeSetChanged(): void {
    this.generation++;
    if (this.nodeVersions.length < this.table.highWater) {
      const grown = new Int32Array(this.table.dims.nodesMax);
      grown.set(this.nodeVersions);
      this.nodeVersions = grown;
    }
    this.liveListDirty = true;
    this.table.bumpEpoch();
  }

  private liveNodes(): Int32Array {
    if (this.liveListDirty) {
      const list = new Int32Array(this.nodeIndex.size);
      let n = 0;
      const hw = this.table.highWater;
      for (let i = 0; i < hw; i++) if (this.table.isLive(i)) list[n++] = i;
      this.liveList = list.subarray(0, n);
      this.liveListDirty = false;
    }
    return this.liveList;
  }

  // -------------------------------------------------------------------------------------------
  // Pods

  /**
   * A pod. Without spec.nodeName it is pending: queued for the profile named by
   * spec.schedulerName (pods for other schedulers are ignored). With spec.nodeName it is assigned:
   * its requests count on that node.
   */
  addPod(pod: Pod): void {
    const info = newPodInfo(pod);
    if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') {
      this.mutate(() => {
        const index = this.nodeIndex.get(pod.spec?.nodeName ?? '');
        if (index === undefined || this.assigned.has(info.key)) return;
        this.unnominate(info.key);
        this.assume(info, index);
        const a = this.assigned.get(info.key);
        if (a !== undefined) a.bound = true;
      });
      this.event('AssignedPodAdd');
      return;
    }
    const scheduler = pod.spec?.schedulerName ?? defaultSchedulerName;
    if (!this.frameworks.has(scheduler)) return;
    if (this.pending.has(info.key) || this.assigned.has(info.key)) return;
    this.pending.set(info.key, info);
    this.queue.add(info);
    this.kick();
  }

  /** A pending pod changed (e.g. its scheduling gates were removed). */
  updatePod(pod: Pod): void {
    const info = newPodInfo(pod);
    if (!this.pending.has(info.key)) {
      this.addPod(pod);
      return;
    }
    this.pending.set(info.key, info);
    this.queue.update(info);
    this.kick();
  }

  /** The pod is gone: dequeued if pending, its requests released if assigned. */
  removePod(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.pending.delete(key)) {
      this.queue.delete(key);
      this.unnominate(key);
    }
    this.mutate(() => {
      const a = this.unplace(key);
      if (a === undefined) return;
      this.applyPod(a.info, a.node, -1);
    });
    this.event('PodDelete');
  }

  /** Where the pod is in the queue ('absent' once placed or unknown). */
  queueLocation(namespace: string, name: string): QueueLocation {
    return this.queue.where(`${namespace}/${name}`);
  }

  /** The node a pod was placed on (assumed or bound), if any. */
  placementOf(namespace: string, name: string): string | undefined {
    const a = this.assigned.get(`${namespace}/${name}`);
    return a === undefined ? undefined : this.nodeObjects[a.node]?.metadata.name;
  }

  /** The node a preemption nominated a pending pod to (its status.nominatedNodeName), if any. */
  nominatedNodeOf(namespace: string, name: string): string | undefined {
    const n = this.nominations.get(`${namespace}/${name}`);
    return n === undefined ? undefined : this.nodeObjects[n.node]?.metadata.name;
  }

  /** A PodDisruptionBudget preemption must respect (status.disruptionsAllowed is read as given). */
  addPodDisruptionBudget(pdb: PodDisruptionBudget): void {
    this.disruptionBudgets.set(`${pdb.metadata.namespace ?? 'default'}/${pdb.metadata.name ?? ''}`, pdb);
    this.budgetsVersion++;
  }

  removePodDisruptionBudget(namespace: string, name: string): void {
    this.disruptionBudgets.delete(`${namespace}/${name}`);
    this.budgetsVersion++;
  }

  // -------------------------------------------------------------------------------------------
  // Outputs

  /**
   * Preemptions: delete the victims for real and call removePod for each once it is gone; the
   * preemptor waits, nominated to the node, until then. A listener may call removePod at once.
   */
  onPreemption(listener: (p: Preemption) => void): () => void {
    this.preemptionListeners.add(listener);
    return () => this.preemptionListeners.delete(listener);
  }

  onBinding(listener: (b: Binding) => void): () => void {
    this.bindingListeners.add(listener);
    return () => this.bindingListeners.delete(listener);
  }

  onUnschedulable(listener: (u: Unschedulable) => void): () => void {
    this.unschedulableListeners.add(listener);
    return () => this.unschedulableListeners.delete(listener);
  }

  /** Every binding from now on, until close(). */
  bindings(): AsyncIterableIterator<Binding> {
    const ch = new Channel<Binding>();
    this.bindingChannels.add(ch);
    return ch;
  }

  /** Resolves once no pod is ready to schedule and no bind is in flight (backoffs may remain). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): SchedulerStats {
    const c = this.counters;
    return {
      scheduled: c.scheduled,
      bound: c.bound,
      unschedulableAttempts: c.unschedulableAttempts,
      bindErrors: c.bindErrors,
      fullEvaluations: c.fullEvaluations,
      nodeReevaluations: c.nodeReevaluations,
      workerRounds: c.workerRounds,
      fullEvaluationMs: c.fullEvaluationMs,
      placementsChecked: c.placementsChecked,
      placementsFullyChecked: c.placementsFullyChecked,
      placementViolations: c.placementViolations,
      preemptions: c.preemptions,
      nodesScoredPct: c.nodesLiveAtDecision === 0 ? 100 : (100 * c.nodesConsidered) / c.nodesLiveAtDecision,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.offVolumes?.();
    this.offWorkloads?.();
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer);
    while (this.loopRunning || this.bindsInFlight > 0) await new Promise<void>((r) => setTimeout(r, 5));
    for (const ch of this.bindingChannels) ch.close();
    this.bindingChannels.clear();
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await pool.destroy();
  }

  /**
   * What-if: filters and scores every node for each pod against the current state, from scratch
   * (no template reuse), and places nothing. Resolves to the node each pod would get (undefined when
   * none fits). Runs on the workers when there are any; measures the full filter+score path.
   */
  async dryRun(pods: readonly Pod[]): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = [];
    interface Pass {
      readonly list: Prepared[];
      readonly ok: Prepared[];
      readonly round: ReturnType<Scheduler['startFull']>;
    }
    const drain = async (p: Pass): Promise<void> => {
      await p.round.done;
      this.finishFull(p.ok, p.round, false);
      for (const b of p.list) {
        const node = b.evaluation?.best() ?? -1;
        out.push(node < 0 ? undefined : this.nodeObjects[node]?.metadata.name);
        b.evaluation?.release();
      }
    };
    // Pipelined: batch k+1 is on the workers while the main thread totals batch k (nothing writes
    // the table meanwhile: the scheduling loop waits for rounds out, user writes are deferred).
    let previous: Pass | undefined;
    for (let from = 0; from < pods.length; from += this.batchPods) {
      while (this.loopRunning) await new Promise<void>((r) => setImmediate(r));
      const ctx = this.prepareContext();
      const list: Prepared[] = [];
      for (const pod of pods.slice(from, from + this.batchPods)) {
        const info = newPodInfo(pod);
        const fw = this.frameworks.get(pod.spec?.schedulerName ?? defaultSchedulerName);
        if (fw === undefined) throw new Error(`no profile named ${pod.spec?.schedulerName ?? ''}`);
        const qp = { info, initialAttemptMs: 0, timestampMs: 0, attempts: 0, unschedulablePlugins: new Set<string>(), seq: 0 };
        const { state, rejected } = this.prepare(fw, info, ctx);
        list.push({ qp, fw, templateKey: '', evaluation: undefined, rejected, state });
      }
      const ok = list.filter((b) => b.rejected === undefined);
      const pass: Pass = { list, ok, round: this.startFull(ok) };
      if (previous !== undefined) await drain(previous);
      previous = pass;
    }
    if (previous !== undefined) await drain(previous);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Node-table writes

  /** Runs a table write now, or after the worker round in flight. */
  private mutate(fn: () => void): void {
    if (this.roundsInFlight > 0) this.deferred.push(fn);
    else fn();
  }

  private applyDeferred(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  private logChange(node: number): void {
    this.changeLog[this.changeSeq % changeLogSize] = node;
    this.changeSeq++;
    this.nodeVersions[node] = (this.nodeVersions[node] as number) + 1;
  }

  /**
   * Adds (sign 1) or removes (sign -1) a pod's requests and host ports on a node. `log` false is for
   * a simulation that is undone before anything reads the table (preemption's what-ifs).
   */
  private applyPod(info: PodInfo, node: number, sign: 1 | -1, log = true): void {
    const t = this.table;
    t.reqCpuMilli[node] = (t.reqCpuMilli[node] as number) + sign * info.cpuMilli;
    t.reqMemBytes[node] = (t.reqMemBytes[node] as number) + sign * info.memBytes;
    t.reqEphBytes[node] = (t.reqEphBytes[node] as number) + sign * info.ephBytes;
    t.reqPods[node] = (t.reqPods[node] as number) + sign;
    t.nonZeroCpuMilli[node] = (t.nonZeroCpuMilli[node] as number) + sign * info.nonZeroCpuMilli;
    t.nonZeroMemBytes[node] = (t.nonZeroMemBytes[node] as number) + sign * info.nonZeroMemBytes;
    applyPodScalars(t, this.intern, info, node, sign);
    if (info.hostPorts.length > 0) {
      const uses = this.nodePorts.get(node) ?? [];
      for (const p of info.hostPorts) {
        const use = { key: (protocolCode(p.protocol) << 16) | p.port, hostIpId: this.intern.intern(p.hostIp) };
        if (sign > 0) uses.push(use);
        else {
          const at = uses.findIndex((u) => u.key === use.key && u.hostIpId === use.hostIpId);
          if (at >= 0) uses.splice(at, 1);
        }
      }
      this.nodePorts.set(node, uses);
      const max = t.dims.portsMax;
      const n = Math.min(uses.length, max);
      for (let k = 0; k < n; k++) {
        t.portKey[node * max + k] = uses[k]!.key;
        t.portHostIp[node * max + k] = uses[k]!.hostIpId;
      }
      t.portCount[node] = n;
      t.flags[node] = uses.length > max ? (t.flags[node] as number) | NodeFlag.portsOverflow : (t.flags[node] as number) & ~NodeFlag.portsOverflow;
    }
    if (!log) return;
    // Plugins that index placed pods are told; a pod whose placement changes other pods' results
    // beyond this node (InterPodAffinity terms) makes every evaluation stale.
    if (this.observePlacement(info, node, sign)) this.generation++;
    t.bumpEpoch();
    this.logChange(node);
  }

  /** Tells the plugins that observe placements; true if one says others' results changed elsewhere. */
  private observePlacement(info: PodInfo, node: number, sign: 1 | -1): boolean {
    let others = false;
    for (const fw of this.frameworks.values()) {
      for (const p of fw.preFilter) if (p.observePlacement !== undefined && p.observePlacement(info, node, sign)) others = true;
    }
    return others;
  }

  /** Records a placed pod (assigned map and per-node index). */
  private place(a: AssignedPod): void {
    this.assigned.set(a.info.key, a);
    const list = this.podsByNode.get(a.node);
    if (list === undefined) this.podsByNode.set(a.node, [a]);
    else list.push(a);
  }

  /** Forgets a placed pod; returns it. */
  private unplace(key: string): AssignedPod | undefined {
    const a = this.assigned.get(key);
    if (a === undefined) return undefined;
    this.assigned.delete(key);
    const list = this.podsByNode.get(a.node);
    if (list !== undefined) {
      const at = list.indexOf(a);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.podsByNode.delete(a.node);
    }
    return a;
  }

  private assume(info: PodInfo, node: number): void {
    this.place({ info, node, bound: false, preempted: false });
    this.applyPod(info, node, 1);
  }

  // -------------------------------------------------------------------------------------------
  // Nominations

  /** Nominates a pod to a node; every evaluation re-checks that node (the change log). */
  private nominate(info: PodInfo, node: number): void {
    this.unnominate(info.key);
    const n: Nomination = { info, node };
    this.nominations.set(info.key, n);
    const list = this.nominatedOn.get(node);
    if (list === undefined) this.nominatedOn.set(node, [n]);
    else list.push(n);
    this.logChange(node);
  }

  private unnominate(key: string): Nomination | undefined {
    const n = this.nominations.get(key);
    if (n === undefined) return undefined;
    this.nominations.delete(key);
    const list = this.nominatedOn.get(n.node);
    if (list !== undefined) {
      const at = list.indexOf(n);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.nominatedOn.delete(n.node);
    }
    this.logChange(n.node);
    return n;
  }

  /**
   * The first run of kube's RunFilterPluginsWithNominatedPods on one node: the pods nominated to it
   * with priority ≥ the pod's are added to its columns and, through addPod, to a clone of the
   * PreFilter state of the plugins that count pods beyond the node (PodTopologySpread,
   * InterPodAffinity); every filter runs. Returns that run's verdict (0: fits), or -1 when no
   * nominated pod applies (no first run). kube runs the filters again without them only when this
   * run passes, so a node failing both reports this run's reason: callers take the plain verdict only
   * when this one is 0 or -1. Scores are not affected (kube scores without them). Writes and restores
   * the table: main thread, no worker round out. The pod's own nomination is lifted while it is being
   * scheduled, so it never counts against itself.
   */
  private nominatedVerdict(fw: Framework, state: CycleState, info: PodInfo, node: number, ctx: PrepareContext): number {
    const list = this.nominatedOn.get(node);
    if (list === undefined) return -1;
    let whatIf: CycleState | undefined;
    for (let i = 0; i < list.length; i++) {
      const q = list[i]!;
      if (q.info.priority < info.priority) continue;
      whatIf ??= state.clone();
      this.applyPod(q.info, node, 1, false);
      for (const p of fw.preFilter) if (p.addPod !== undefined && !state.skipFilter.has(p.name)) p.addPod(whatIf, info, q.info, node, ctx);
    }
    if (whatIf === undefined) return -1;
    this.nominatedNode[0] = node;
    evaluateNodes(fw, whatIf, info, ctx, this.nominatedNode, 1, this.noScores, this.nominatedOut, this.nominatedRaw, this.scratch);
    for (let i = 0; i < list.length; i++) {
      const q = list[i]!;
      if (q.info.priority >= info.priority) this.applyPod(q.info, node, -1, false);
    }
    return this.nominatedOut[0] as number;
  }

  /** kube's RunFilterPluginsWithNominatedPods: the first run's verdict if it fails, else `plain` (the run without them). */
  private withNominated(fw: Framework, state: CycleState, info: PodInfo, node: number, ctx: PrepareContext, plain: number): number {
    const first = this.nominatedOn.has(node) ? this.nominatedVerdict(fw, state, info, node, ctx) : -1;
    return first > 0 ? first : plain;
  }

  /** After a full pass (workers know nothing of nominations): the nominated nodes, re-evaluated. */
  private applyNominations(e: PodEvaluation, info: PodInfo, view: PrepareContext): void {
    e.nominationsPending = false;
    if (this.nominatedOn.size === 0) return;
    for (const node of this.nominatedOn.keys()) this.reevaluateNode(e, info, node, view);
  }

  // -------------------------------------------------------------------------------------------
  // The loop

  private event(e: ClusterEvent): void {
    if (this.queue.onEvent(e) > 0) this.kick();
  }

  private kick(): void {
    if (this.closed || this.loopScheduled || this.loopRunning) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      void this.runLoop();
    });
  }

  private isIdle(): boolean {
    return !this.loopRunning && !this.loopScheduled && this.bindsInFlight === 0 && this.queue.activeCount === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async runLoop(): Promise<void> {
    if (this.loopRunning) return;
    this.loopRunning = true;
    try {
      while (!this.closed) {
        // A dry run's worker rounds may be out: the table must not change under them.
        while (this.roundsInFlight > 0) await new Promise<void>((r) => setImmediate(r));
        const batch: Prepared[] = [];
        while (batch.length < this.batchPods) {
          const qp = this.queue.pop();
          if (qp === undefined) break;
          if (!this.pending.has(qp.info.key)) {
            this.queue.done(qp.info.key);
            continue;
          }
          const fw = this.frameworks.get(qp.info.pod.spec?.schedulerName ?? defaultSchedulerName)!;
          batch.push({ qp, fw, templateKey: '', evaluation: undefined, rejected: undefined, state: undefined });
        }
        if (batch.length === 0) break;
        await this.scheduleBatch(batch);
        while (this.bindsInFlight >= this.bindsInFlightMax) await new Promise<void>((r) => this.bindWaiters.push(r));
        // Let binds complete and user calls in between batches.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.loopRunning = false;
      this.armBackoffTimer();
      this.notifyIdle();
    }
  }

  private armBackoffTimer(): void {
    if (this.closed) return;
    const at = this.queue.nextBackoffExpiryMs();
    if (at === undefined) return;
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.kick();
    }, Math.max(1, at - this.now()));
    this.backoffTimer.unref();
  }

  /** The context of the current node set: one object (and its closures) per live-list version, not per pod. */
  private prepareContext(): PrepareContext {
    const nodes = this.liveNodes();
    const cached = this.contextCache;
    if (cached !== undefined && cached.nodes === nodes && cached.strings === this.intern.columns) return cached;
    const ctx: PrepareContext = {
      table: this.table,
      strings: this.intern.columns,
      liveNodes: nodes.length,
      intern: this.intern,
      nodeIndex: (name: string) => this.nodeIndex.get(name) ?? -1,
      nodes,
      nodeObject: (node: number) => this.nodeObjects[node],
      assignedPods: () => this.assigned.values(),
    };
    this.contextCache = ctx;
    return ctx;
  }

  /**
   * Template key: pods with the same namespace, controller, labels and spec share PreFilter/PreScore
   * results and evaluations. The namespace scopes affinity terms and spread selectors, the
   * controller gives default spreading its selector, and labels decide whether a pod matches its
   * own selectors.
   */
  private templateKeyOf(info: PodInfo): string {
    const meta = info.pod.metadata;
    let controllerUid = '';
    const owners = meta.ownerReferences;
    if (owners !== undefined) for (const o of owners) if (o.controller === true) controllerUid = o.uid;
    return `${meta.namespace ?? ''}\u0000${controllerUid}\u0000${JSON.stringify(meta.labels ?? {})}${JSON.stringify(info.pod.spec ?? {})}`;
  }

  /** Whether every plugin that runs for this pod is node-local (incremental updates allowed). */
  private allNodeLocal(fw: Framework, state: CycleState, active: Int32Array): boolean {
    for (const p of fw.filter) if (!state.skipFilter.has(p.name) && !p.nodeLocal) return false;
    for (const s of active) if (!fw.score[s]!.nodeLocal) return false;
    return true;
  }

  /** PreFilter and PreScore; a rejection is returned, not thrown. */
  private prepare(fw: Framework, info: PodInfo, ctx: PrepareContext): { state: CycleState; rejected: Status | undefined } {
    const state = new CycleState();
    // PreFilterResult node sets, intersected as kube-scheduler's RunPreFilterPlugins merges them.
    let narrowed: Set<number> | undefined;
    const narrowedBy: string[] = [];
    for (const p of fw.preFilter) {
      const r = p.preFilter(state, info, ctx);
      if (r.status.code === Code.Skip) state.skipFilter.add(p.name);
      else if (r.status.code !== Code.Success) return { state, rejected: { ...r.status, plugin: p.name } };
      else if (r.nodes !== undefined) {
        narrowedBy.push(p.name);
        if (narrowed === undefined) narrowed = new Set(r.nodes);
        else {
          const mine = new Set(r.nodes);
          for (const n of narrowed) if (!mine.has(n)) narrowed.delete(n);
        }
        if (narrowed.size === 0) {
          const message = narrowedBy.length === 1 ? `node(s) didn't satisfy plugin ${p.name}` : `node(s) didn't satisfy plugin(s) [${[...narrowedBy].sort().join(' ')}] simultaneously`;
          return { state, rejected: newStatus(Code.UnschedulableAndUnresolvable, p.name, message) };
        }
      }
    }
    if (narrowed !== undefined) {
      const list = Int32Array.from(narrowed).filter((n) => n >= 0 && this.table.isLive(n));
      state.preFilterNodes = list.sort();
      state.preFilterNarrowedBy = narrowedBy.sort();
    }
    for (const p of fw.preScore) {
      const s = p.preScore(state, info, ctx);
      if (s.code === Code.Skip) state.skipScore.add(p.name);
      else if (s.code !== Code.Success) return { state, rejected: { ...s, plugin: p.name } };
    }
    return { state, rejected: undefined };
  }

  private usable(e: PodEvaluation | undefined): e is PodEvaluation {
    return e !== undefined && e.generation === this.generation && e.size === this.table.highWater && (e.nodeLocal || e.syncedSeq === this.changeSeq || this.refreshable(e)) && this.changeSeq - e.syncedSeq <= changeLogSize;
  }

  /** Whether every plugin of the evaluation that is not node-local can refresh it (Refreshable). */
  private refreshable(e: PodEvaluation): boolean {
    const fw = e.fw;
    for (const p of fw.filter) if (!e.state.skipFilter.has(p.name) && !p.nodeLocal && p.refresh === undefined) return false;
    for (const s of e.activeScores) {
      const p = fw.score[s]!;
      if (!p.nodeLocal && p.refresh === undefined) return false;
    }
    return true;
  }

  /**
   * Lets the non-node-local plugins of a refreshable evaluation update its state. Nodes that now
   * fail a filter get its verdict at once (settled once the plugins are done: refreshFailed); refreshOut.recheck
   * collects the nodes to re-evaluate. False: rebuild it.
   */
  private refresh(e: PodEvaluation, ctx: PrepareContext): boolean {
    const fw = e.fw;
    const out = this.refreshOut;
    out.recheck.length = 0;
    this.refreshFailed = false;
    for (let f = 0; f < fw.filter.length; f++) {
      const p = fw.filter[f]!;
      if (e.state.skipFilter.has(p.name) || p.nodeLocal) continue;
      out.failing.length = 0;
      out.failingSets.length = 0;
      out.recheckSets.length = 0;
      if (p.refresh === undefined || !p.refresh(e.state, e.template, ctx, out)) return false;
      const base = fw.filterReasonBase[f] as number;
      const verdict = base + 1 + out.failingReason;
      if (out.failing.length > 0) {
        e.failNodes(out.failing, verdict, base);
        this.refreshFailed = true;
      }
      for (let i = 0; i < out.failingSets.length; i++) {
        e.failNodes(out.failingSets[i]!, verdict, base);
        this.refreshFailed = true;
      }
      // Nodes this plugin alone suspended come back without re-running any plugin.
      const recheck = out.recheck;
      let kept = 0;
      for (let i = 0; i < recheck.length; i++) {
        const node = recheck[i] as number;
        if (e.resume(node, verdict, this.table.rank)) this.refreshFailed = true;
        else recheck[kept++] = node;
      }
      recheck.length = kept;
      for (let i = 0; i < out.recheckSets.length; i++) {
        if (e.resumeAll(out.recheckSets[i]!, verdict, this.table.rank, recheck) > 0) this.refreshFailed = true;
      }
      out.recheckSets.length = 0;
    }
    for (const s of e.activeScores) {
      const p = fw.score[s]!;
      if (p.nodeLocal) continue;
      // A plugin at both points (PodTopologySpread) is called twice: refresh is idempotent.
      out.failing.length = 0;
      out.failingSets.length = 0;
      out.recheckSets.length = 0;
      if (p.refresh === undefined || !p.refresh(e.state, e.template, ctx, out)) return false;
      if (out.failing.length > 0 || out.failingSets.length > 0) return false; // a score plugin cannot reject nodes
      for (let i = 0; i < out.recheckSets.length; i++) {
        const set = out.recheckSets[i]!;
        for (let k = 0; k < set.length; k++) out.recheck.push(set[k] as number);
      }
      out.recheckSets.length = 0;
    }
    return true;
  }

  private async scheduleBatch(batch: Prepared[]): Promise<void> {
    const ctx = this.prepareContext();
    const misses: Prepared[] = [];
    const missByTemplate = new Map<string, Prepared>();
    for (const b of batch) {
      const key = `${b.fw.schedulerName}\u0000${this.templateKeyOf(b.qp.info)}`;
      (b as { templateKey: string }).templateKey = key;
      const cached = this.templates.get(key);
      if (this.usable(cached)) {
        b.evaluation = cached;
        b.state = cached.state;
        continue;
      }
      const first = missByTemplate.get(key);
      if (first !== undefined) continue; // evaluated once for the template, below
      const { state, rejected } = this.prepare(b.fw, b.qp.info, ctx);
      b.state = state;
      b.rejected = rejected;
      if (rejected === undefined) {
        misses.push(b);
        missByTemplate.set(key, b);
      }
    }
    if (misses.length > 0) await this.evaluateFull(misses);
    for (const b of batch) {
      if (b.evaluation === undefined && b.rejected === undefined) {
        const first = missByTemplate.get(b.templateKey);
        b.evaluation = first?.evaluation;
        b.state = first?.state;
        if (first?.rejected !== undefined) b.rejected = first.rejected;
      }
      this.scheduleOne(b, ctx);
    }
    this.releaseEvicted();
  }

  private releaseEvicted(): void {
    const list = this.toRelease;
    this.toRelease = [];
    for (const e of list) if (this.templates.get(e.templateKey) !== e) e.release();
  }

  /** Full filter+score of every live node for each pod, on workers or inline. */
  private async evaluateFull(list: Prepared[], cache = true): Promise<void> {
    const round = this.startFull(list);
    await round.done;
    this.finishFull(list, round, cache);
  }

  /**
   * Starts a full filter+score pass of every live node for each pod: on the workers (the returned
   * promise settles when they are done; the table stays unwritten until then) or inline (done at
   * once). finishFull completes it.
   */
  private startFull(list: Prepared[]): { readonly evals: PodEvaluation[]; readonly done: Promise<void>; readonly startMs: number } {
    const startMs = performance.now();
    const nodes = this.liveNodes();
    const size = this.table.highWater;
    const evals = list.map((b) => {
      const state = b.state!;
      const active = activeScorePlugins(b.fw, state);
      return new PodEvaluation(b.fw, state, b.qp.info, active, this.allNodeLocal(b.fw, state, active), size, this.changeSeq, this.generation);
    });
    const view: NodeView = { table: this.table, strings: this.intern.columns, liveNodes: nodes.length };
    const inlineAll = this.pool === undefined || nodes.length === 0;
    // Pods whose PreFilter narrowed the node set (a DaemonSet pod: one node) are evaluated inline
    // over those nodes: a worker round trip would cost more than the nodes themselves.
    const wide: number[] = [];
    for (const [k, e] of evals.entries()) {
      const narrowed = e.state.preFilterNodes;
      if (narrowed === undefined && !inlineAll) {
        wide.push(k);
        continue;
      }
      const own = narrowed ?? nodes;
      const count = own.length;
      if (this.inlineVerdicts.length < count) this.inlineVerdicts = new Uint16Array(count);
      const need = e.activeScores.length * count;
      if (this.inlineRaw.length < need) this.inlineRaw = new Float64Array(need);
      evaluateNodes(e.fw, e.state, list[k]!.qp.info, view, own, count, e.activeScores, this.inlineVerdicts, this.inlineRaw, this.scratch);
      this.scatter(e, own, this.inlineVerdicts, this.inlineRaw, count);
    }
    if (wide.length === 0 || this.pool === undefined) return { evals, done: Promise.resolve(), startMs };
    const chunks = this.workers;
    const per = Math.ceil(nodes.length / chunks);
    const pods: TaskPod[] = wide.map((k) => {
      const b = list[k]!;
      const e = evals[k]!;
      return {
        info: b.qp.info,
        profile: b.fw.schedulerName,
        state: b.state!.entries(),
        skipFilter: [...b.state!.skipFilter],
        skipScore: [...b.state!.skipScore],
        target: { size: e.size, verdicts: e.verdicts, partial: e.partial, normRaw: e.normRaw },
      };
    });
    const epoch = this.table.epoch;
    const tasks: Promise<EvalResult>[] = [];
    for (let c = 0; c < chunks; c++) {
      const slice = nodes.slice(c * per, Math.min(nodes.length, (c + 1) * per));
      if (slice.length === 0) continue;
      const task: EvalTask = { epoch, liveNodes: nodes.length, nodes: slice, pods };
      tasks.push(this.pool.run(task) as Promise<EvalResult>);
    }
    this.roundsInFlight++;
    const done = Promise.all(tasks).then(
      () => {
        this.roundsInFlight--;
        this.counters.workerRounds++;
      },
      (err: unknown) => {
        this.roundsInFlight--;
        throw err;
      },
    );
    return { evals, done, startMs };
  }

  /** Totals and trees of a finished pass; deferred table writes are applied once no round is out. */
  private finishFull(list: Prepared[], round: { readonly evals: PodEvaluation[]; readonly startMs: number }, cache: boolean): void {
    for (const [k, e] of round.evals.entries()) {
      e.finish(this.table.rank);
      const b = list[k]!;
      b.evaluation = e;
      if (cache) this.remember(b.templateKey, e);
    }
    this.counters.fullEvaluations += list.length;
    this.counters.fullEvaluationMs += performance.now() - round.startMs;
    // Writes that arrived during the round are applied now; they show in the change log.
    if (this.roundsInFlight === 0) this.applyDeferred();
  }

  /** Writes the kernel's output for nodes[0..count) into the evaluation. */
  private scatter(e: PodEvaluation, nodes: Int32Array, verdicts: Uint16Array, raw: Float64Array, count: number): void {
    writeChunk(e.layout, nodes, count, verdicts, raw, e);
  }

  private remember(key: string, e: PodEvaluation): void {
    // The evaluation it replaces gives its buffers back too (at the batch's end, as evicted ones).
    const replaced = this.templates.get(key);
    if (replaced !== undefined && replaced !== e) this.toRelease.push(replaced);
    this.templates.delete(key);
    this.templates.set(key, e);
    e.templateKey = key;
    e.lastUsedSeq = ++this.useSeq;
    while (this.templates.size > templateCacheMax) {
      const oldest = this.templates.keys().next().value as string;
      const evicted = this.templates.get(oldest);
      this.templates.delete(oldest);
      // Pods of the batch in flight may still hold it: released when the batch ends.
      if (evicted !== undefined) this.toRelease.push(evicted);
    }
  }

  /** Re-evaluates one node of an evaluation with the main thread's plugins. */
  private reevaluateNode(e: PodEvaluation, info: PodInfo, node: number, view: PrepareContext): void {
    // A node outside the PreFilter narrowing stays absent (kNoNode) whatever changes on it.
    if (!e.state.includes(node)) return;
    const S = e.activeScores.length;
    if (this.oneRaw.length < S) this.oneRaw = new Float64Array(S);
    if (!this.table.isLive(node)) {
      this.oneRaw.fill(0);
      e.updateNode(node, kNoNode, this.oneRaw, this.table.rank);
      return;
    }
    this.oneNode[0] = node;
    evaluateNodes(e.fw, e.state, info, view, this.oneNode, 1, e.activeScores, this.oneVerdict, this.oneRaw, this.scratch);
    const verdict = this.withNominated(e.fw, e.state, info, node, view, this.oneVerdict[0] as number);
    e.updateNode(node, verdict, this.oneRaw, this.table.rank);
    this.counters.nodeReevaluations++;
  }

  /** Brings an evaluation up to date with the change log; false when it cannot be (rebuild). */
  private sync(e: PodEvaluation, info: PodInfo, ctx: PrepareContext): boolean {
    if (e.generation !== this.generation || e.size !== this.table.highWater) return false;
    if (e.syncedSeq === this.changeSeq) return true;
    if (this.changeSeq - e.syncedSeq > changeLogSize) return false;
    if (!e.nodeLocal) {
      if (!this.refreshable(e) || !this.refresh(e, ctx)) return false;
      const more = this.refreshOut.recheck;
      // Few nodes: one by one (tree updates); a whole domain: one columnar pass, then every total.
      if (more.length * 16 < e.size) {
        for (let i = 0; i < more.length; i++) this.reevaluateNode(e, info, more[i] as number, ctx);
        if (this.refreshFailed) e.settle(this.table.rank);
      } else {
        if (this.refreshList.length < more.length) this.refreshList = new Int32Array(Math.max(more.length, 2 * this.refreshList.length));
        const list = this.refreshList;
        let count = 0;
        for (let i = 0; i < more.length; i++) if (e.state.includes(more[i] as number)) list[count++] = more[i] as number;
        const S = e.activeScores.length;
        if (this.inlineVerdicts.length < count) this.inlineVerdicts = new Uint16Array(count);
        if (this.inlineRaw.length < S * count) this.inlineRaw = new Float64Array(S * count);
        evaluateNodes(e.fw, e.state, info, ctx, list, count, e.activeScores, this.inlineVerdicts, this.inlineRaw, this.scratch);
        e.updateNodes(list, count, this.inlineVerdicts, this.inlineRaw, this.table.rank);
        this.counters.nodeReevaluations += count;
        e.nominationsPending = true;
      }
    }
    for (let seq = e.syncedSeq; seq < this.changeSeq; seq++) {
      this.reevaluateNode(e, info, this.changeLog[seq % changeLogSize] as number, ctx);
    }
    e.syncedSeq = this.changeSeq;
    return true;
  }

  /** Rebuilds an evaluation inline (rare: stale after a node-set change during the batch). */
  private rebuild(b: Prepared, ctx: PrepareContext): PodEvaluation | undefined {
    const { state, rejected } = this.prepare(b.fw, b.qp.info, ctx);
    if (rejected !== undefined) {
      b.rejected = rejected;
      return undefined;
    }
    const nodes = state.preFilterNodes ?? this.liveNodes();
    const active = activeScorePlugins(b.fw, state);
    const e = new PodEvaluation(b.fw, state, b.qp.info, active, this.allNodeLocal(b.fw, state, active), this.table.highWater, this.changeSeq, this.generation);
    const count = nodes.length;
    // The inline pass's scratch (valid until the next pass; scatter copies out of it).
    if (this.inlineVerdicts.length < count) this.inlineVerdicts = new Uint16Array(count);
    if (this.inlineRaw.length < active.length * count) this.inlineRaw = new Float64Array(active.length * count);
    const verdicts = this.inlineVerdicts;
    const raw = this.inlineRaw;
    const view: NodeView = { table: this.table, strings: this.intern.columns, liveNodes: this.liveNodes().length };
    evaluateNodes(b.fw, state, b.qp.info, view, nodes, count, active, verdicts, raw, this.scratch);
    this.scatter(e, nodes, verdicts, raw, count);
    e.finish(this.table.rank);
    this.remember(b.templateKey, e);
    this.counters.fullEvaluations++;
    b.state = state;
    return e;
  }

  /**
   * The node for a pod: the best feasible node, or, when the profile's percentageOfNodesToScore
   * asks for fewer (numFeasibleNodesToFind), the best of the first that many feasible nodes met
   * from nextStartNodeIndex on, normalized over those (kube-scheduler's findNodesThatPassFilters);
   * the next search starts past the nodes examined. Counts the nodes examined. -1: none feasible.
   */
  private choose(fw: Framework, e: PodEvaluation, ctx: PrepareContext): number {
    // kube-scheduler looks for feasible nodes among the PreFilterResult's nodes only.
    const nodes = e.state.preFilterNodes ?? ctx.nodes;
    const n = nodes.length;
    this.sampledCount = -1;
    const want = fw.percentageOfNodesToScore === 100 ? n : numFeasibleNodesToFind(fw.percentageOfNodesToScore, n);
    const best = e.best();
    if (best < 0 || want >= n || e.feasible <= want) {
      // Every node is examined (all of them are needed to find `want` feasible ones).
      this.counters.nodesConsidered += n;
      return best;
    }
    if (this.sampled.length < want) this.sampled = new Int32Array(want);
    const sampled = this.sampled;
    const verdicts = e.verdicts;
    let found = 0;
    let examined = 0;
    const start = this.nextStartNodeIndex % n;
    while (examined < n && found < want) {
      const node = nodes[(start + examined) % n] as number;
      examined++;
      if (verdicts[node] === 0) sampled[found++] = node;
    }
    this.nextStartNodeIndex = (start + examined) % n;
    this.counters.nodesConsidered += examined;
    this.sampledCount = found;
    const K = e.layout.norms;
    if (this.extremes.length < 2 * K) this.extremes = new Float64Array(2 * K);
    return e.bestOf(sampled, found, this.table.rank, this.extremes);
  }

  private scheduleOne(b: Prepared, ctxIn: PrepareContext): void {
    const info = b.qp.info;
    const key = info.key;
    if (!this.pending.has(key)) {
      this.queue.done(key);
      return;
    }
    const ctx = this.prepareContext();
    void ctxIn;
    // A pod nominated by its earlier preemption does not hold its room against itself (kube's
    // filters skip it); it gets the nomination back if it fails without a new outcome.
    const own = this.unnominate(key);
    let e = b.evaluation;
    if (b.rejected === undefined) {
      if (e === undefined || !this.sync(e, info, ctx)) e = this.rebuild(b, ctx);
    }
    if (b.rejected !== undefined || e === undefined) {
      if (own !== undefined) this.nominate(info, own.node);
      const st = b.rejected;
      this.fail(b, st === undefined ? 'internal error: no evaluation' : this.preFilterMessage(st), st === undefined || st.code === Code.Error, new Set(st === undefined ? [] : [st.plugin]), own?.node);
      return;
    }
    if (e.nominationsPending) this.applyNominations(e, info, ctx);
    e.lastUsedSeq = ++this.useSeq;
    let node: number;
    if (own !== undefined && e.verdicts[own.node] === 0) {
      // kube's evaluateNominatedNode: the node its preemption freed is tried first, and alone.
      node = own.node;
      if (this.sampled.length === 0) this.sampled = new Int32Array(1);
      this.sampled[0] = node;
      this.sampledCount = 1;
      this.counters.nodesConsidered++;
    } else node = this.choose(b.fw, e, ctx);
    this.counters.nodesLiveAtDecision += ctx.liveNodes;
    if (node < 0) {
      const pf = this.postFilter(b, e, ctx, own);
      const { message, plugins } = this.fitError(e, info, ctx, this.unschedulableListeners.size > 0);
      let nominated = -1;
      if (pf.preemption !== undefined) nominated = pf.preemption.node;
      else if (own !== undefined && !pf.clearNomination && this.table.isLive(own.node)) nominated = own.node;
      if (nominated >= 0) this.nominate(info, nominated);
      this.fail(b, pf.message === undefined ? message : `${message} ${pf.message}`, false, plugins, nominated);
      // After the requeue: a listener that removes the victims at once moves the pod on.
      if (pf.preemption !== undefined) for (const l of this.preemptionListeners) l(pf.preemption.event);
      return;
    }
    if (this.check !== 'off') this.checkPlacement(b, e, node, ctx);
    const nodeName = this.nodeObjects[node]?.metadata.name ?? '';
    if (this.recordResults) {
      this.records.set(key, recordResults({ fw: b.fw, state: e.state, pod: info, view: ctx, intern: this.intern, nodes: ctx.nodes, nodeName: (n) => this.nodeObjects[n]?.metadata.name ?? '', selected: nodeName }));
    }
    this.pending.delete(key);
    this.assume(info, node);
    const state = e.state;
    for (const p of b.fw.reserve) {
      const s = p.reserve(state, info, nodeName);
      if (s.code !== Code.Success) {
        for (const q of b.fw.reserve) q.unreserve(state, info, nodeName);
        this.unassume(info);
        this.pending.set(key, info);
        this.fail(b, s.reasons.join(', '), s.code === Code.Error, new Set([p.name]));
        return;
      }
    }
    for (const p of b.fw.permit) {
      const s = p.permit(state, info, nodeName);
      if (s.code !== Code.Success) {
        for (const q of b.fw.reserve) q.unreserve(state, info, nodeName);
        this.unassume(info);
        this.pending.set(key, info);
        this.fail(b, s.reasons.join(', '), s.code !== Code.Unschedulable, new Set([p.name]));
        return;
      }
    }
    this.counters.scheduled++;
    // The pod stays in flight in the queue until its bind ends (a failure backs it off).
    this.bindsInFlight++;
    void this.bindCycle(b.fw, state, info, nodeName);
  }

  /**
   * PostFilter (preemption). On success the victims are marked preempted (they keep their room until
   * removePod), lower-priority pods nominated to the node lose their nomination and are retried (kube's
   * prepareCandidate), and the event for onPreemption listeners is returned; the caller nominates the
   * pod and requeues it. Otherwise: the plugin's message, and whether the pod's nomination goes.
   */
  private postFilter(b: Prepared, e: PodEvaluation, ctx: PrepareContext, own: Nomination | undefined): { preemption?: { node: number; event: Preemption }; message?: string; clearNomination: boolean } {
    if (b.fw.postFilter.length === 0) return { clearNomination: false };
    const info = b.qp.info;
    const live = ctx.nodes;
    const n = live.length;
    if (this.preemptCandidates.length < n) this.preemptCandidates = new Int32Array(n);
    const verdicts = e.verdicts;
    const reasons = b.fw.reasons;
    // helps[v] = 1: verdict v is an Unschedulable reason (removing pods may help); feasible (0) and
    // absent (kNoNode, past the end) nodes read 0 / undefined.
    const helps = new Uint8Array(reasons.length + 1);
    for (let r = 0; r < reasons.length; r++) if (reasons[r]!.r.code === Code.Unschedulable) helps[r + 1] = 1;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const node = live[i] as number;
      if (helps[verdicts[node] as number] === 1) this.preemptCandidates[count++] = node;
    }
    // Scratch, valid until the next postFilter (plugins read it during their call only).
    const candidates = this.preemptCandidates.subarray(0, count);
    const one = new Int32Array(1);
    const verdict = new Uint16Array(1);
    const raw = new Float64Array(1);
    const fw = b.fw;
    // kube's SelectVictimsOnNode filters with a copy of the cycle state: victims leave it through
    // RemovePod as they leave the node's columns, so PodTopologySpread and InterPodAffinity stop
    // counting them (and count them again when reprieved).
    const whatIf: PreFilterPlugin[] = [];
    for (const p of fw.preFilter) if (p.addPod !== undefined && p.removePod !== undefined && !e.state.skipFilter.has(p.name)) whatIf.push(p);
    const state = whatIf.length === 0 ? e.state : e.state.clone();
    // The dry run's verdict on a node as its columns are now, nominated pods included.
    const verdictNow = (node: number): number => {
      one[0] = node;
      evaluateNodes(fw, state, info, ctx, one, 1, this.noScores, verdict, raw, this.scratch);
      return this.withNominated(fw, state, info, node, ctx, verdict[0] as number);
    };
    // fitsAgain: the filters that may read the pods placed on a node, for this pod.
    const again: FilterPlugin[] = [];
    const againBase: number[] = [];
    for (let f = 0; f < fw.filter.length; f++) {
      const p = fw.filter[f]!;
      if (state.skipFilter.has(p.name) || podIndependentFilters.has(p.name)) continue;
      again.push(p);
      againBase.push(fw.filterReasonBase[f] as number);
    }
    const pfCtx: PostFilterContext = {
      ...ctx,
      candidates,
      fitsAgain: (node) => {
        one[0] = node;
        verdict[0] = 0;
        for (let i = 0; i < again.length && verdict[0] === 0; i++) again[i]!.filter(state, info, ctx, one, 1, verdict, againBase[i] as number);
        return this.withNominated(fw, state, info, node, ctx, verdict[0] as number) === 0;
      },
      disruptionBudgets: [...this.disruptionBudgets.values()],
      podsOn: (node) => this.podsByNode.get(node) ?? [],
      dryRemove: (p) => {
        this.applyPod(p.info, p.node, -1, false);
        for (let i = 0; i < whatIf.length; i++) whatIf[i]!.removePod!(state, info, p.info, p.node, ctx);
      },
      dryRestore: (p) => {
        this.applyPod(p.info, p.node, 1, false);
        for (let i = 0; i < whatIf.length; i++) whatIf[i]!.addPod!(state, info, p.info, p.node, ctx);
      },
      fits: (node) => verdictNow(node) === 0,
      failureTexts: (node) => {
        const v = verdictNow(node);
        return v === 0 ? [] : this.reasonTexts(fw, state, info, ctx, node, v);
      },
      nominatedNode: own !== undefined && helps[verdicts[own.node] as number] === 1 ? own.node : -1,
      dryRunCacheKey: e.nodeLocal && e.templateKey !== '' ? `${e.templateKey}\u0000${this.generation}\u0000${this.budgetsVersion}` : '',
      nodeVersion: (node) => this.nodeVersions[node] ?? 0,
      randomInt: (bound) => this.random.int(bound),
    };
    let message: string | undefined;
    let clearNomination = false;
    for (const p of fw.postFilter) {
      const r = p.postFilter(state, info, pfCtx);
      if (r.status.code === Code.Success && r.nominatedNode !== undefined) {
        return { preemption: this.preempt(info, r.nominatedNode, r.victims ?? []), clearNomination: false };
      }
      if (message === undefined && r.status.reasons.length > 0) message = r.status.reasons.join(', ');
      if (r.clearNomination === true) clearNomination = true;
    }
    return message === undefined ? { clearNomination } : { message, clearNomination };
  }

  /** Marks the victims preempted; clears lower-priority nominations on the node (they are retried). */
  private preempt(info: PodInfo, node: number, victims: readonly AssignedPodView[]): { node: number; event: Preemption } {
    const evicted: Pod[] = [];
    for (const v of victims) {
      const a = this.assigned.get(v.info.key);
      // Already being evicted (an earlier preemption chose it too): not evicted twice.
      if (a === undefined || a.node !== v.node || a.preempted) continue;
      a.preempted = true;
      evicted.push(a.info.pod);
    }
    const others = this.nominatedOn.get(node);
    if (others !== undefined) {
      for (const q of [...others]) {
        if (q.info.priority >= info.priority) continue;
        this.unnominate(q.info.key);
        if (this.pending.has(q.info.key)) this.queue.update(q.info);
      }
    }
    this.counters.preemptions++;
    return { node, event: { preemptor: info.pod, nodeName: this.nodeObjects[node]?.metadata.name ?? '', victims: evicted } };
  }

  /** A filter verdict's reason texts on a node (the untolerated taint named, as the FitError does). */
  private reasonTexts(fw: Framework, state: CycleState, info: PodInfo, view: NodeView, node: number, v: number): readonly string[] {
    const r = fw.reasons[v - 1];
    if (r === undefined) return [];
    const plugin = fw.filter[r.plugin]!;
    return plugin.explain === undefined ? r.r.texts : plugin.explain(state, info, view, node, r.reason, this.intern);
  }

  private unassume(info: PodInfo): void {
    const a = this.unplace(info.key);
    if (a === undefined) return;
    this.applyPod(info, a.node, -1);
  }

  private async bindCycle(fw: Framework, state: CycleState, info: PodInfo, nodeName: string): Promise<void> {
    let status: Status | undefined;
    try {
      for (const p of fw.preBind) {
        const s = await p.preBind(state, info, nodeName);
        if (s.code !== Code.Success) {
          status = s;
          break;
        }
      }
      if (status === undefined) {
        for (const p of fw.bind) {
          const s = await p.bind(state, info, nodeName);
          if (s.code === Code.Skip) continue;
          status = s;
          break;
        }
      }
    } catch (err) {
      status = { code: Code.Error, reasons: [(err as Error).message], plugin: 'bind' };
    }
    this.bindsInFlight--;
    if (status !== undefined && status.code === Code.Success) {
      const a = this.assigned.get(info.key);
      if (a !== undefined) a.bound = true;
      this.queue.done(info.key);
      this.counters.bound++;
      for (const p of fw.postBind) p.postBind(state, info, nodeName);
      const results = this.records.get(info.key);
      this.records.delete(info.key);
      const binding: Binding = results === undefined ? { pod: info.pod, nodeName } : { pod: info.pod, nodeName, results };
      for (const l of this.bindingListeners) l(binding);
      for (const ch of this.bindingChannels) ch.push(binding);
      // As kube-scheduler sees its own binds come back from the informer: pods waiting on pod
      // affinity or topology spread may fit now.
      this.event('AssignedPodAdd');
    } else {
      this.counters.bindErrors++;
      this.records.delete(info.key);
      this.mutate(() => {
        for (const q of fw.reserve) q.unreserve(state, info, nodeName);
        this.unassume(info);
      });
      if (!this.closed) {
        this.pending.set(info.key, info);
        this.queue.requeue(info.key, new Set(), true);
        this.armBackoffTimer();
      }
      const message = status === undefined ? 'no bind plugin bound the pod' : status.reasons.join(', ');
      this.emitUnschedulable(info, `binding rejected: ${message}`, true);
    }
    const waiters = this.bindWaiters;
    this.bindWaiters = [];
    for (const w of waiters) w();
    this.notifyIdle();
  }

  private fail(b: Prepared, message: string, error: boolean, plugins: ReadonlySet<string>, nominated = -1): void {
    this.records.delete(b.qp.info.key);
    this.counters.unschedulableAttempts++;
    this.queue.requeue(b.qp.info.key, plugins, error);
    this.emitUnschedulable(b.qp.info, message, error, nominated);
  }

  private emitUnschedulable(info: PodInfo, message: string, error: boolean, nominated = -1): void {
    if (this.unschedulableListeners.size === 0) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: error ? 'SchedulerError' : 'Unschedulable', message } as const;
    const nodeName = nominated < 0 ? undefined : this.nodeObjects[nominated]?.metadata.name;
    const u: Unschedulable = nodeName === undefined ? { pod: info.pod, message, condition } : { pod: info.pod, message, nominatedNodeName: nodeName, condition };
    for (const l of this.unschedulableListeners) l(u);
  }

  private preFilterMessage(s: Status): string {
    return `0/${this.nodeIndex.size} nodes are available: ${s.reasons.join(', ')}.`;
  }

  /**
   * kube-scheduler's FitError: "0/N nodes are available: <count> <reason>, …." sorted, and the
   * plugins that rejected the pod (its requeue waits for their events). The message is built only
   * when someone reads it (`withMessage`: an onUnschedulable listener); '' otherwise.
   */
  private fitError(e: PodEvaluation, info: PodInfo, view: NodeView, withMessage: boolean): { message: string; plugins: Set<string> } {
    const histogram = withMessage ? new Map<string, number>() : undefined;
    const fw = e.fw;
    const seen = new Uint8Array(fw.reasons.length + 1);
    const nodes = this.liveNodes();
    const verdicts = e.verdicts;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as number;
      const v = verdicts[node] as number;
      if (v === 0 || v === kNoNode || v >= seen.length) continue;
      seen[v] = 1;
      if (histogram === undefined) continue;
      for (const t of this.reasonTexts(fw, e.state, info, view, node, v)) histogram.set(t, (histogram.get(t) ?? 0) + 1);
    }
    const plugins = new Set<string>();
    for (let v = 1; v < seen.length; v++) if (seen[v] === 1) plugins.add(fw.filter[fw.reasons[v - 1]!.plugin]!.name);
    const narrowed = e.state.preFilterNodes;
    if (narrowed !== undefined && nodes.length > narrowed.length) {
      // Nodes outside the PreFilterResult: kube-scheduler's absent nodes status.
      const by = e.state.preFilterNarrowedBy;
      histogram?.set(`node(s) didn't satisfy plugin(s) [${by.join(' ')}]`, nodes.length - narrowed.length);
      for (const p of by) plugins.add(p);
    }
    if (histogram === undefined) return { message: '', plugins };
    const parts = [...histogram].map(([text, n]) => `${n} ${text}`).sort();
    return { message: `0/${nodes.length} nodes are available: ${parts.join(', ')}.`, plugins };
  }

  /**
   * The placement checker: the chosen node passes every filter against the table as it is now
   * (fresh PreFilter); with 'full', a from-scratch evaluation of every node finds no better score.
   */
  private checkPlacement(b: Prepared, e: PodEvaluation, node: number, ctx: PrepareContext): void {
    const info = b.qp.info;
    this.counters.placementsChecked++;
    const full = this.check === 'full' && this.counters.placementsChecked % this.checkEvery === 0;
    // The PreFilter results of node-local plugins depend only on the pod's spec (they never read
    // other pods), so the evaluation's entries are reused and only Filter and Score are re-run
    // against the node state now; the PreFilters of plugins that count pods across nodes
    // (PodTopologySpread, InterPodAffinity) rerun from the placements now. A full check reruns all.
    let state = e.state;
    let rerunAll = full;
    if (!full && !e.nodeLocal) {
      state = e.state.clone();
      for (const p of b.fw.preFilter) {
        if ((p as Partial<FilterPlugin>).nodeLocal !== false) continue;
        const r = p.preFilter(state, info, ctx);
        if (r.status.code === Code.Skip) state.skipFilter.add(p.name);
        else if (r.status.code !== Code.Success) {
          this.counters.placementViolations++;
          return;
        } else if (r.nodes !== undefined) rerunAll = true; // its narrowing merges with the others': PreFilter reruns
        else state.skipFilter.delete(p.name);
      }
    }
    if (rerunAll) {
      const fresh = this.prepare(b.fw, info, ctx);
      if (fresh.rejected !== undefined) {
        this.counters.placementViolations++;
        return;
      }
      state = fresh.state;
    }
    // A filters-only check scores nothing (the verdict is all it reads).
    const active = full ? activeScorePlugins(b.fw, state) : this.noScores;
    const view: NodeView = ctx;
    // A full check scores what the decision could choose from: the PreFilterResult's nodes, if any.
    const nodes = full ? (state.preFilterNodes ?? this.liveNodes()) : this.checkNode;
    if (!full) this.checkNode[0] = node;
    const count = nodes.length;
    if (this.checkVerdicts.length < count) this.checkVerdicts = new Uint16Array(count);
    if (this.checkRaw.length < active.length * count) this.checkRaw = new Float64Array(active.length * count);
    const verdicts = this.checkVerdicts;
    const raw = this.checkRaw;
    evaluateNodes(b.fw, state, info, view, nodes, count, active, verdicts, raw, this.scratch);
    if (!full) {
      if (this.withNominated(b.fw, state, info, node, ctx, verdicts[0] as number) !== 0) this.counters.placementViolations++;
      return;
    }
    const fresh = new PodEvaluation(b.fw, state, info, active, true, this.table.highWater, this.changeSeq, this.generation);
    this.scatter(fresh, nodes, verdicts, raw, count);
    // Nominated pods of higher or equal priority hold their room (kube filters with them).
    for (const nominated of this.nominatedOn.keys()) {
      if (fresh.verdicts[nominated] !== kNoNode) fresh.verdicts[nominated] = this.withNominated(b.fw, state, info, nominated, ctx, fresh.verdicts[nominated] as number);
    }
    if (fresh.verdicts[node] !== 0) {
      this.counters.placementViolations++;
      fresh.release();
      return;
    }
    if (!full) return;
    this.counters.placementsFullyChecked++;
    fresh.finish(this.table.rank);
    if (this.sampledCount >= 0) {
      // A sampled decision: the best among the same nodes, normalized over them.
      if (fresh.bestOf(this.sampled, this.sampledCount, this.table.rank, this.extremes) !== node) this.counters.placementViolations++;
      fresh.release();
      return;
    }
    const best = fresh.best();
    if (best < 0 || fresh.score(best) !== fresh.score(node) || e.score(node) !== fresh.score(node)) this.counters.placementViolations++;
    fresh.release();
  }
}

/** Creates a scheduler (library mode). */
export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  return new Scheduler(options);
}

/** Workers to use by default on this machine: one per core beyond the main thread, at least 1. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export { isRejected };
