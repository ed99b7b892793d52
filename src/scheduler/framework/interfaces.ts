// Extension points: one small interface each, as kube-scheduler's framework. A plugin implements
// only the points it uses. The doc comment of each method is its contract.
//
// Filter and Score are columnar: a plugin handles a whole batch of nodes in one call, in a tight loop
// over the node table's typed arrays, instead of one virtual call per node. They run on the main
// thread or on a worker, over the shared columns; they read only their arguments (the CycleState
// their PreFilter/PreScore wrote, the PodInfo, the node view), never plugin-instance mutable state.
import type { Node, PodDisruptionBudget } from '../../core/api/types.js';
import type { InternColumns, InternTable } from '../workers/intern.js';
import type { NodeTable } from '../workers/node-table.js';
import type { VolumeCatalog } from '../plugins/volume-binding/catalog.js';
import type { CycleState } from './cycle-state.js';
import type { PodInfo } from './pod-info.js';
import type { Code, Status } from './status.js';

export interface Plugin {
  readonly name: string;
}

/** Where Filter and Score read nodes: the shared columns and the shared side of the intern table. */
export interface NodeView {
  readonly table: NodeTable;
  readonly strings: InternColumns;
  /** Live nodes in the snapshot (ImageLocality's spread divides by it). */
  readonly liveNodes: number;
}

/** A pod placed on a node (bound or assumed). */
export interface AssignedPod {
  readonly info: PodInfo;
  readonly node: number;
  /**
   * Evicted by a preemption and not gone yet: it still holds its room until the embedder removes it
   * (kube-scheduler's pod with a deletionTimestamp and DisruptionTarget=PreemptionByScheduler).
   */
  readonly preempted?: boolean;
}

/** What PreFilter / PreScore may use besides the node view (main thread only). */
export interface PrepareContext extends NodeView {
  readonly intern: InternTable;
  /** The node index of a node name, or -1. */
  nodeIndex(name: string): number;
  /** The live node indices. */
  readonly nodes: Int32Array;
  /** The Node object at an index (its labels, for selectors over objects). */
  nodeObject(node: number): Node | undefined;
  /** Every pod placed on a node, bound or assumed. */
  assignedPods(): Iterable<AssignedPod>;
}

export interface PreEnqueuePlugin extends Plugin {
  /** Success lets the pod into the active queue; anything else parks it until a pod update. */
  preEnqueue(pod: PodInfo): Status;
}

/** The queue entry QueueSort compares. */
export interface QueuedPodInfo {
  readonly info: PodInfo;
  /** When the pod was first added to the queue (ms, monotonic clock of the queue). */
  readonly initialAttemptMs: number;
  /** When it last entered the active queue. */
  timestampMs: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected it last time (cluster events that concern them move it back). */
  unschedulablePlugins: ReadonlySet<string>;
  /** Insertion sequence, the final tie-break (FIFO). */
  seq: number;
}

export interface QueueSortPlugin extends Plugin {
  /** True if `a` must be scheduled before `b`. A strict weak order. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

export interface PreFilterResult {
  readonly status: Status;
  /**
   * When set (with Success), only these nodes (indices) can fit: the others are neither filtered nor
   * scored (kube-scheduler's PreFilterResult.NodeNames). Results of several plugins are intersected;
   * an empty intersection rejects the pod (UnschedulableAndUnresolvable). -1 stands for a node the
   * plugin named but the scheduler does not have (it counts in the intersection, never evaluated).
   */
  readonly nodes?: readonly number[];
}

export interface PreFilterPlugin extends Plugin {
  /**
   * Runs once per pod before Filter; writes the plugin's CycleState entry. Success, Skip (Filter is
   * not run for this pod), Unschedulable / UnschedulableAndUnresolvable (the pod fails at once), Error.
   */
  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult;
  /**
   * Optional, main thread: told of every placement (sign 1: `pod` assumed or bound on `node`; -1:
   * gone from it), so PreFilter/PreScore can keep an index of placed pods instead of scanning them.
   * Returns true when the change can alter other pods' results on nodes other than `node`
   * (InterPodAffinity: terms count across a topology domain); every cached evaluation is then stale.
   */
  observePlacement?(pod: PodInfo, node: number, sign: 1 | -1): boolean;
  /**
   * Optional, main thread (kube's PreFilterExtensions.AddPod): `state` is a clone (CycleState.clone)
   * of the state this plugin's PreFilter wrote for `pod`; count `other` as placed on `node` in this
   * plugin's entry. The entry is copied before its first change (never mutated while shared:
   * CycleState.owns). For plugins whose Filter counts pods beyond the node's columns
   * (PodTopologySpread, InterPodAffinity): nominated pods and preemption's dry runs.
   */
  addPod?(state: CycleState, pod: PodInfo, other: PodInfo, node: number, ctx: PrepareContext): void;
  /** Optional, main thread (kube's PreFilterExtensions.RemovePod): the inverse of addPod. */
  removePod?(state: CycleState, pod: PodInfo, other: PodInfo, node: number, ctx: PrepareContext): void;
}

/** One way a node can fail a filter plugin: its reason texts (several: "Insufficient cpu", "Insufficient memory") and code. */
export interface FilterReason {
  readonly texts: readonly string[];
  readonly code: typeof Code.Unschedulable | typeof Code.UnschedulableAndUnresolvable;
}

export interface FilterPlugin extends Plugin {
  /** Every reason this plugin writes, by index. */
  readonly reasons: readonly FilterReason[];
  /**
   * True when a node's verdict depends only on the pod and that node's columns (and on the node set,
   * which invalidates every cache when it changes). Such verdicts are reused across pods of a template
   * until the node changes. False for plugins that count pods across nodes (topology spread).
   */
  readonly nodeLocal: boolean;
  /**
   * For i in [0, count) with verdicts[i] === 0 (still feasible), checks node nodes[i]; if it does not
   * fit, sets verdicts[i] = reasonBase + 1 + r, r the index of its reason in `reasons`. Nodes already
   * rejected are left alone (the first failing plugin gives the reason, as kube-scheduler stops at the
   * first failure per node).
   */
  filter(state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void;
  /** The reason texts for one node when they depend on the node (the untolerated taint); default reasons[r].texts. */
  explain?(state: CycleState, pod: PodInfo, view: NodeView, node: number, reason: number, strings: InternTable): readonly string[];
  /** Optional, for plugins that are not nodeLocal: see Refreshable. */
  refresh?: Refreshable['refresh'];
}

/** Where Refreshable.refresh reports the nodes it affects (scratch owned by the scheduler). */
export interface RefreshOut {
  /** Nodes whose result may have changed: every plugin is re-run on them. */
  readonly recheck: number[];
  /** Nodes that now fail this plugin's Filter, with reason `failingReason`: only their verdict changes. */
  readonly failing: number[];
  /**
   * Whole domains (their node lists, read only, valid during the call) whose Filter verdict flipped
   * back to passing: as `recheck`, but handed over without copying each node.
   */
  readonly recheckSets: Int32Array[];
  /** Whole domains that now fail this plugin's Filter: as `failing`, without copying. */
  readonly failingSets: Int32Array[];
  failingReason: number;
}

/**
 * A plugin that is not nodeLocal but can keep a cached evaluation exact without a full pass: after
 * placements (the scheduler re-evaluates the nodes they touched anyway), it brings the CycleState its
 * PreFilter / PreScore wrote for `pod` up to date from the counts it keeps (observePlacement), and
 * reports every other node whose result may have changed (PodTopologySpread: the nodes of a domain
 * whose verdict flipped; those that now fail go to `failing`, no other plugin needs to run there).
 * Returns false when it cannot: the evaluation is rebuilt. Main thread only.
 */
export interface Refreshable {
  refresh(state: CycleState, pod: PodInfo, ctx: PrepareContext, out: RefreshOut): boolean;
}

/**
 * What PostFilter decided (kube's PostFilterResult + Status):
 * - status Success, nominatedNode and victims: the victims are evicted and the pod is nominated to
 *   the node; it is retried once they are gone;
 * - status Unschedulable with clearNomination: preemption cannot help, the pod's nomination (if
 *   any) is dropped; without it (e.g. its victims are still terminating) the nomination stays.
 * The status' first reason is the message appended to the FitError ("preemption: …").
 */
export interface PostFilterResult {
  readonly status: Status;
  /** The node the pod is nominated to (after preemption), if any. */
  readonly nominatedNode?: number;
  /** Pods to evict so the pod fits the nominated node. */
  readonly victims?: readonly AssignedPod[];
  readonly clearNomination?: boolean;
}

/** What PostFilter sees of the failed cycle, and a way to try a node without some of its pods. */
export interface PostFilterContext extends PrepareContext {
  /** Nodes that failed with Unschedulable (not Unresolvable): removing pods may help there. */
  readonly candidates: Int32Array;
  /** The pods placed on a node. */
  podsOn(node: number): readonly AssignedPod[];
  /**
   * Dry run: takes a placed pod off its node's columns (nothing else sees it: no change log, no
   * placement observers). Every pod taken off must be put back (dryRestore) before postFilter returns.
   */
  dryRemove(p: AssignedPod): void;
  /** Undoes dryRemove. */
  dryRestore(p: AssignedPod): void;
  /**
   * Whether the pod passes every filter on `node` as its columns are now (during a dry run), both
   * with and without the pods nominated to it of equal or higher priority (kube's
   * RunFilterPluginsWithNominatedPods).
   */
  fits(node: number): boolean;
  /**
   * fits(), on a node where fits() passed since with only placed pods dry-removed or restored in
   * between: the filters whose verdict cannot depend on the pods placed on a node (NodeUnschedulable,
   * NodeName, TaintToleration, NodeAffinity) passed then and are not run again (the reprieve loop).
   */
  fitsAgain(node: number): boolean;
  /** Why the pod does not fit `node` now (reason texts, as the FitError counts them); [] if it fits. */
  failureTexts(node: number): readonly string[];
  /**
   * The node an earlier preemption nominated this pod to, when the pod failed there with Unschedulable
   * in this cycle (kube then checks it for victims still terminating); -1 otherwise.
   */
  readonly nominatedNode: number;
  /**
   * Non-empty when a dry run's outcome on a node depends only on that node (every filter in play is
   * node-local) and may be reused while nodeVersion(node) is unchanged: it names the pod's
   * template, the node set generation and the budgets, so a different key means nothing carries over.
   */
  readonly dryRunCacheKey: string;
  /** Changes whenever the node's columns or the pods placed on it change. */
  nodeVersion(node: number): number;
  /** PodDisruptionBudgets known to the scheduler. */
  readonly disruptionBudgets: readonly PodDisruptionBudget[];
  /**
   * A uniform integer in [0, bound) from the scheduler's seeded random source (kube draws from
   * math/rand): the same seed gives the same draws, whatever the number of workers.
   */
  randomInt(bound: number): number;
}

export interface PostFilterPlugin extends Plugin {
  /**
   * Runs when no node fits. Success with a nominated node and victims: the scheduler evicts them and
   * nominates the pod to the node (lower or equal priority pods may not take its room meanwhile); the
   * pod is retried once its victims are gone. Unschedulable: nothing to do (see PostFilterResult).
   */
  postFilter(state: CycleState, pod: PodInfo, ctx: PostFilterContext): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  /** Runs once per pod after Filter; Skip means its Score is not run for this pod. */
  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status;
}

/**
 * How raw scores become [0, 100] over the feasible nodes (kube's DefaultNormalizeScore):
 * 'none' — the raw score is already in [0, 100];
 * 'max' — score * 100 / max (all stay 0 when max is 0);
 * 'maxReverse' — 100 - score * 100 / max (all 100 when max is 0);
 * 'spread' — PodTopologySpread's: a negative raw score marks an ignored node (→ 0); the others
 *   100 · (max + min − score) / max over the non-ignored ones (all 100 when max is 0);
 * 'minMax' — InterPodAffinity's: raw scores may be negative; 100 · ((score − min) / (max − min))
 *   truncated, over every feasible node (all 0 when max = min).
 */
export type Normalization = 'none' | 'max' | 'maxReverse' | 'spread' | 'minMax';

export interface ScorePlugin extends Plugin {
  readonly normalization: Normalization;
  /** As FilterPlugin.nodeLocal, for the raw score. */
  readonly nodeLocal: boolean;
  /** Optional, for plugins that are not nodeLocal: see Refreshable. */
  refresh?: Refreshable['refresh'];
  /** Writes the raw integer score of nodes[i] into out[i], for i in [0, count). */
  score(state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void;
}

export interface ReservePlugin extends Plugin {
  /** Called when the pod is assumed on the node. Non-Success unreserves every plugin and requeues. */
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  /** Undoes reserve. Must be idempotent: it may run for a plugin whose reserve never ran. */
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Success, Unschedulable (rejected, requeued) or Error. (Wait is not supported yet: treated as Error.) */
  permit(state: CycleState, pod: PodInfo, nodeName: string): Status;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Binds the pod; Skip hands it to the next bind plugin. Resolves once the bind is durable. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface PostBindPlugin extends Plugin {
  /** Informational; runs after a successful bind. */
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Writes a binding somewhere durable: an API server, a store, memory. */
export interface Binder {
  bind(pod: PodInfo, nodeName: string): Promise<void>;
}

export const extensionPoints = [
  'preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score',
  'reserve', 'permit', 'preBind', 'bind', 'postBind',
] as const;
export type ExtensionPoint = (typeof extensionPoints)[number];

/** The method that marks a plugin as implementing an extension point. */
const methodOfPoint: { readonly [P in ExtensionPoint]: string } = {
  preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter',
  postFilter: 'postFilter', preScore: 'preScore', score: 'score', reserve: 'reserve',
  permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

export function implementsPoint(plugin: Plugin, point: ExtensionPoint): boolean {
  return typeof (plugin as unknown as Record<string, unknown>)[methodOfPoint[point]] === 'function';
}

/** What a plugin factory receives besides its args. */
export interface FactoryHandle {
  readonly binder: Binder;
  /** PVCs, PVs and StorageClasses for VolumeBinding / VolumeRestrictions (none: every claim is "not found"). */
  readonly volumes?: VolumeCatalog;
}
