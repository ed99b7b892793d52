// DefaultPreemption (PostFilter): when no node fits, evict lower-priority pods from one node so the
// pod fits there, as kube-scheduler's default preemption (framework/preemption, defaultpreemption):
//
//   0. eligibility: not with preemptionPolicy Never, nor while victims of the pod's previous
//      preemption are still terminating on the node it is nominated to;
//   1. potential nodes: those that failed with Unschedulable (Unresolvable ones cannot be helped);
//   2. on each, every pod of lower priority is a potential victim; if the pod does not fit even
//      without all of them (nominated pods of higher or equal priority counted), the node is out;
//   3. reprieve: victims are tried back one by one, most important first (higher priority, then
//      earlier start), those whose eviction would break a PodDisruptionBudget first; a pod stays a
//      victim only if the preemptor no longer fits with it back;
//   4. the node: fewest PDB violations, then the lowest highest-victim priority, then the smallest
//      sum of victim priorities, then the fewest victims, then the latest start among the most
//      important victims, then the node's tie-break rank.
//
// As kube-scheduler, the search stops once max(minCandidateNodesPercentage % of the potential
// nodes, minCandidateNodesAbsolute) candidates are found, one of them without PDB violation
// (defaults 10 % and 100), starting from a random offset (kube's GetOffsetAndNumCandidates: here
// drawn from the scheduler's seeded random source, so a seed fixes the outcome), so large clusters
// stay fast. A pod without status.startTime counts as started now.
//
// Step 2–3 is a dry run on the node's columns (dryRemove / fits / dryRestore), O(pods on the node);
// the reprieve steps re-run only the filters that can read placed pods (fitsAgain).
// Its outcome on a node is kept for the pod's template while the node is unchanged (nodeVersion),
// when every filter in play is node-local: pods of one ReplicaSet preempting in turn re-run it only
// on the nodes the previous preemptions touched.
//
// The dry run filters with a clone of the cycle state: victims leave it (and reprieved pods come
// back) through the PreFilter plugins' removePod / addPod, so PodTopologySpread and InterPodAffinity
// count without them; the nominated pods are added as in scheduling (RunFilterPluginsWithNominatedPods).
import type { PodDisruptionBudget } from '../../../core/api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { AssignedPod, PostFilterContext, PostFilterPlugin, PostFilterResult } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, success } from '../../framework/status.js';
import { ConfigError, intArg, objectArg, onlyKeys } from '../../framework/errors.js';

interface Candidate {
  readonly kind: 'candidate';
  readonly node: number;
  /** Most important first. */
  readonly victims: readonly AssignedPod[];
  readonly pdbViolations: number;
  /** The most important victim's priority, and Σ (priority + 2^31) over the victims. */
  readonly highestPriority: number;
  readonly prioritySum: number;
  /** The earliest start among the victims of the highest priority (kube's GetEarliestPodStartTime). */
  readonly earliestStartMs: number;
}

/**
 * The pod does not fit the node even without its lower-priority pods. `texts` (why, for the failure
 * message) is filled on first need and kept with the cached outcome: failed() writes it once.
 */
interface NoFit {
  readonly kind: 'noFit';
  texts: readonly string[] | undefined;
}

/** Why a node is no candidate: no lower-priority pod on it, or the pod does not fit even without them. */
type NodeOutcome = Candidate | { readonly kind: 'noVictims' } | NoFit;
const noVictims: NodeOutcome = { kind: 'noVictims' };

const priorityOffset = 2 ** 31;
/** A pod that has not started counts as starting now: after every pod that has. */
const notStartedMs = Number.MAX_SAFE_INTEGER;
// Start times parsed, by their text (pods started in the same second share it); bounded.
const parsedStarts = new Map<string, number>();
const parsedStartsMax = 4096;

function startMs(p: AssignedPod): number {
  const t = p.info.pod.status?.startTime;
  if (t === undefined) return notStartedMs;
  let ms = parsedStarts.get(t);
  if (ms === undefined) {
    ms = Date.parse(t);
    if (Number.isNaN(ms)) ms = notStartedMs;
    if (parsedStarts.size >= parsedStartsMax) parsedStarts.clear();
    parsedStarts.set(t, ms);
  }
  return ms;
}

/** kube's MoreImportantPod: higher priority, then the one that started earlier (then the key, for determinism). */
export function moreImportantFirst(a: AssignedPod, b: AssignedPod): number {
  return b.info.priority - a.info.priority || startMs(a) - startMs(b) || (a.info.key < b.info.key ? -1 : a.info.key > b.info.key ? 1 : 0);
}

/**
 * Sorts a node's few pods most important first (moreImportantFirst): an insertion sort that looks
 * each pod's start time up once (`starts`: scratch of at least pods.length), not per comparison.
 */
export function sortMostImportantFirst(pods: AssignedPod[], starts: Float64Array): void {
  const n = pods.length;
  for (let i = 0; i < n; i++) starts[i] = startMs(pods[i]!);
  for (let i = 1; i < n; i++) {
    const p = pods[i]!;
    const start = starts[i] as number;
    let j = i - 1;
    for (; j >= 0; j--) {
      const q = pods[j]!;
      const qStart = starts[j] as number;
      const d = q.info.priority - p.info.priority || start - qStart || (p.info.key < q.info.key ? -1 : 1);
      if (d >= 0) break; // q stays before p
      pods[j + 1] = q;
      starts[j + 1] = qStart;
    }
    pods[j + 1] = p;
    starts[j + 1] = start;
  }
}

/**
 * kube's filterPodsWithPDBViolation (stable): a pod violates when its eviction takes a matching
 * budget's disruptionsAllowed below zero. A pod already in a budget's disruptedPods is not counted
 * (the API server has processed its eviction); an empty selector matches nothing.
 */
function splitByBudget(victims: readonly AssignedPod[], budgets: readonly PodDisruptionBudget[]): { violating: AssignedPod[]; fine: AssignedPod[] } {
  const allowed = budgets.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = budgets.map((b) => labelSelectorFromObject((b.spec?.selector ?? null) as LabelSelectorObject | null));
  const violating: AssignedPod[] = [];
  const fine: AssignedPod[] = [];
  for (const v of victims) {
    const pod = v.info.pod;
    const labels = pod.metadata.labels;
    let violates = false;
    if (labels !== undefined && Object.keys(labels).length > 0) {
      for (let i = 0; i < budgets.length; i++) {
        const b = budgets[i]!;
        if ((b.metadata.namespace ?? 'default') !== (pod.metadata.namespace ?? 'default')) continue;
        const selector = selectors[i]!;
        if (selector.empty || !selector.matches(labels)) continue;
        if (b.status?.disruptedPods?.[pod.metadata.name ?? ''] !== undefined) continue;
        allowed[i] = (allowed[i] as number) - 1;
        if ((allowed[i] as number) < 0) violates = true;
      }
    }
    (violates ? violating : fine).push(v);
  }
  return { violating, fine };
}

export interface PreemptionArgs {
  readonly minCandidateNodesPercentage: number;
  readonly minCandidateNodesAbsolute: number;
}

const notHelpful = 'Preemption is not helpful for scheduling';
const noVictimsText = 'No preemption victims found for incoming pod';

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = names.DefaultPreemption;

  // Dry-run outcomes of the last template, per node, reused while the node is unchanged (the pods of
  // a ReplicaSet preempting one after another: only the nodes preemption touched are tried again).
  // Main thread only. cachedAt[node] = nodeVersion + 1 when cached[node] holds its outcome.
  private cacheKey = '';
  private cachedAt = new Float64Array(0);
  private cached: (NodeOutcome | undefined)[] = [];
  /** sortMostImportantFirst's scratch (main thread, valid during one call). */
  private starts = new Float64Array(16);

  constructor(readonly args: PreemptionArgs) {}

  /** kube's calculateNumCandidates over the potential nodes. */
  numCandidates(potential: number): number {
    const n = Math.max(Math.floor((potential * this.args.minCandidateNodesPercentage) / 100), this.args.minCandidateNodesAbsolute);
    return Math.min(n, potential);
  }

  private outcomeCached(node: number, pod: PodInfo, ctx: PostFilterContext): NodeOutcome {
    if (ctx.dryRunCacheKey === '') return this.outcomeOn(node, pod, ctx);
    const version = ctx.nodeVersion(node) + 1;
    if (node < this.cachedAt.length && this.cachedAt[node] === version) return this.cached[node]!;
    const c = this.outcomeOn(node, pod, ctx);
    if (node < this.cachedAt.length) {
      this.cachedAt[node] = version;
      this.cached[node] = c;
    }
    return c;
  }

  postFilter(_state: CycleState, pod: PodInfo, ctx: PostFilterContext): PostFilterResult {
    // kube's PodEligibleToPreemptOthers: the nomination is kept (no clearNomination).
    if (pod.pod.spec?.preemptionPolicy === 'Never') {
      return { status: newStatus(Code.Unschedulable, this.name, 'preemption: not eligible due to preemptionPolicy=Never.') };
    }
    if (ctx.nominatedNode >= 0) {
      const placed = ctx.podsOn(ctx.nominatedNode);
      for (let i = 0; i < placed.length; i++) {
        const p = placed[i]!;
        if (p.preempted === true && p.info.priority < pod.priority) {
          return { status: newStatus(Code.Unschedulable, this.name, 'preemption: not eligible due to a terminating pod on the nominated node.') };
        }
      }
    }
    if (ctx.dryRunCacheKey !== this.cacheKey) {
      this.cacheKey = ctx.dryRunCacheKey;
      this.cachedAt = new Float64Array(ctx.dryRunCacheKey === '' ? 0 : ctx.table.highWater);
      this.cached = [];
    }
    const nodes = ctx.candidates;
    const n = nodes.length;
    if (n === 0) return this.failed(ctx, 0, pod);
    const wanted = this.numCandidates(n);
    const offset = ctx.randomInt(n);
    let best: Candidate | undefined;
    // kube's DryRunPreemption: each list holds at most `wanted`; the search goes on past `wanted`
    // candidates until one of them violates no budget.
    let nonViolating = 0;
    let violating = 0;
    for (let k = 0; k < n; k++) {
      if (nonViolating > 0 && nonViolating + violating >= wanted) break;
      const c = this.outcomeCached(nodes[(offset + k) % n] as number, pod, ctx);
      if (c.kind !== 'candidate') continue;
      if (c.pdbViolations === 0) {
        if (nonViolating === wanted) continue;
        nonViolating++;
      } else {
        if (violating === wanted) continue;
        violating++;
      }
      if (best === undefined || this.better(c, best, ctx)) best = c;
    }
    if (best === undefined) return this.failed(ctx, n, pod);
    return { status: success, nominatedNode: best.node, victims: best.victims };
  }

  /**
   * No candidate: kube's FitError over what the dry run found on every potential node (none were
   * skipped: the search ran to the end), the other nodes "not helpful". The nomination is dropped.
   */
  private failed(ctx: PostFilterContext, potential: number, pod: PodInfo): PostFilterResult {
    const histogram = new Map<string, number>();
    const add = (text: string, count: number): void => {
      if (count > 0) histogram.set(text, (histogram.get(text) ?? 0) + count);
    };
    for (let i = 0; i < potential; i++) {
      const node = ctx.candidates[i] as number;
      const c = this.outcomeCached(node, pod, ctx);
      if (c.kind === 'noVictims') add(noVictimsText, 1);
      else if (c.kind === 'noFit') for (const t of (c.texts ??= this.failureWithoutVictims(node, pod, ctx))) add(t, 1);
    }
    add(notHelpful, ctx.liveNodes - potential);
    const parts = [...histogram].map(([text, count]) => `${count} ${text}`).sort();
    const message = `preemption: 0/${ctx.liveNodes} nodes are available: ${parts.join(', ')}.`;
    return { status: newStatus(Code.Unschedulable, this.name, message), clearNomination: true };
  }

  /** Why the pod does not fit a node even with every lower-priority pod gone (failure path only). */
  private failureWithoutVictims(node: number, pod: PodInfo, ctx: PostFilterContext): readonly string[] {
    const lower = this.lowerOn(node, pod, ctx) ?? [];
    for (let i = 0; i < lower.length; i++) ctx.dryRemove(lower[i]!);
    const texts = ctx.failureTexts(node);
    for (let i = 0; i < lower.length; i++) ctx.dryRestore(lower[i]!);
    return texts;
  }

  private lowerOn(node: number, pod: PodInfo, ctx: PostFilterContext): AssignedPod[] | undefined {
    const placed = ctx.podsOn(node);
    let lower: AssignedPod[] | undefined;
    for (let i = 0; i < placed.length; i++) {
      const p = placed[i]!;
      if (p.info.priority < pod.priority) (lower ??= []).push(p);
    }
    return lower;
  }

  /**
   * kube's SelectVictimsOnNode as a dry run on the node's columns: every lower-priority pod taken
   * off; if the pod fits, each is put back in reprieve order and taken off again (a victim) only
   * when the pod no longer fits with it. O(pods on the node) column updates and filter runs.
   */
  private outcomeOn(node: number, pod: PodInfo, ctx: PostFilterContext): NodeOutcome {
    const lower = this.lowerOn(node, pod, ctx);
    if (lower === undefined) return noVictims;
    for (let i = 0; i < lower.length; i++) ctx.dryRemove(lower[i]!);
    if (!ctx.fits(node)) {
      for (let i = 0; i < lower.length; i++) ctx.dryRestore(lower[i]!);
      return { kind: 'noFit', texts: undefined };
    }
    if (lower.length > 1) {
      if (this.starts.length < lower.length) this.starts = new Float64Array(2 * lower.length);
      sortMostImportantFirst(lower, this.starts);
    }
    // Reprieve order: PDB-violating victims first, each group most important first.
    let order = lower;
    let violatingCount = 0;
    let mixed = false;
    if (ctx.disruptionBudgets.length > 0) {
      const { violating, fine } = splitByBudget(lower, ctx.disruptionBudgets);
      if (violating.length > 0) order = [...violating, ...fine];
      violatingCount = violating.length;
      mixed = violating.length > 0 && fine.length > 0;
    }
    const victims: AssignedPod[] = [];
    let pdbViolations = 0;
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      ctx.dryRestore(p);
      if (ctx.fitsAgain(node)) continue;
      ctx.dryRemove(p);
      victims.push(p);
      if (k < violatingCount) pdbViolations++;
    }
    for (let i = 0; i < victims.length; i++) ctx.dryRestore(victims[i]!);
    // kube reports "expected at least one victim pod on node": no candidate (it fits: no reason text).
    if (victims.length === 0) return { kind: 'noFit', texts: [] };
    if (mixed && victims.length > 1) victims.sort(moreImportantFirst);
    let prioritySum = 0;
    const highestPriority = victims[0]!.info.priority;
    let earliestStartMs = notStartedMs;
    for (let i = 0; i < victims.length; i++) {
      const v = victims[i]!;
      // kube adds MaxInt32 + 1 to each (all ≥ 0): more victims of a negative priority never sum lower.
      prioritySum += v.info.priority + priorityOffset;
      if (v.info.priority === highestPriority) earliestStartMs = Math.min(earliestStartMs, startMs(v));
    }
    return { kind: 'candidate', node, victims, pdbViolations, highestPriority, prioritySum, earliestStartMs };
  }

  /** Whether candidate a beats b (kube's pickOneNodeForPreemption criteria, in order). */
  private better(a: Candidate, b: Candidate, ctx: PostFilterContext): boolean {
    if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations < b.pdbViolations;
    if (a.highestPriority !== b.highestPriority) return a.highestPriority < b.highestPriority;
    if (a.prioritySum !== b.prioritySum) return a.prioritySum < b.prioritySum;
    if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
    if (a.earliestStartMs !== b.earliestStartMs) return a.earliestStartMs > b.earliestStartMs;
    return (ctx.table.rank[a.node] as number) >>> 0 > (ctx.table.rank[b.node] as number) >>> 0;
  }
}

/** DefaultPreemptionArgs: minCandidateNodesPercentage [0, 100] (10), minCandidateNodesAbsolute ≥ 0 (100). */
export function newDefaultPreemption(raw: unknown, field: string): DefaultPreemption {
  const o = objectArg(raw, field) ?? {};
  onlyKeys(o, field, ['minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
  const pct = intArg(o['minCandidateNodesPercentage'], `${field}.minCandidateNodesPercentage`, 0, 100) ?? 10;
  const abs = intArg(o['minCandidateNodesAbsolute'], `${field}.minCandidateNodesAbsolute`, 0, 2 ** 31 - 1) ?? 100;
  if (pct === 0 && abs === 0) throw new ConfigError(`${field}.minCandidateNodesPercentage`, 'Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute');
  return new DefaultPreemption({ minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs });
}
