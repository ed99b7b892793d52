// DefaultPreemption (PostFilter): when no node fits, evict lower-priority pods from one node so the
// pod fits there, as kube-scheduler's default preemption:
//
//   1. candidates: nodes that failed with Unschedulable (Unresolvable ones cannot be helped);
//   2. on each, every pod of lower priority is a potential victim; if the pod does not fit even
//      without all of them, the node is out;
//   3. reprieve: victims are tried back one by one, most important first (higher priority, then
//      earlier start), those whose eviction would break a PodDisruptionBudget first; a pod stays a
//      victim only if the preemptor no longer fits with it back;
//   4. the node: fewest PDB violations, then the lowest highest-victim priority, then the smallest
//      sum of victim priorities, then the fewest victims, then the node's tie-break rank.
//
// As kube-scheduler, the search stops once max(minCandidateNodesPercentage % of the nodes,
// minCandidateNodesAbsolute) candidates are found (defaults 10 % and 100), starting from an offset
// that depends on the pod (deterministic here, random there), so large clusters stay fast.
//
// Step 2–3 is a dry run on the node's columns (dryRemove / fits / dryRestore), O(pods on the node).
// Its outcome on a node is kept for the pod's template while the node is unchanged (nodeVersion),
// when every filter in play is node-local: pods of one ReplicaSet preempting in turn re-run it only
// on the nodes the previous preemptions touched.
//
// Pods with preemptionPolicy Never do not preempt. Not done: nominated pods are not reserved on
// their node (library mode places the preemptor at once instead); filters that count pods across
// nodes (PodTopologySpread) are not re-counted without the victims.
import type { PodDisruptionBudget } from '../../../core/api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { AssignedPod, PostFilterContext, PostFilterPlugin, PostFilterResult } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, success } from '../../framework/status.js';
import { ConfigError, intArg, objectArg, onlyKeys } from '../../framework/errors.js';
import { hash32 } from '../../hash.js';

interface Candidate {
  readonly node: number;
  readonly victims: readonly AssignedPod[];
  readonly pdbViolations: number;
  /** The most important victim's priority (-Infinity without victims) and the victims' priority sum. */
  readonly highestPriority: number;
  readonly prioritySum: number;
}

const startCache = new WeakMap<PodInfo, number>();

function startMs(p: AssignedPod): number {
  let ms = startCache.get(p.info);
  if (ms === undefined) {
    const t = p.info.pod.status?.startTime ?? p.info.pod.metadata.creationTimestamp;
    ms = t === undefined ? 0 : Date.parse(t);
    startCache.set(p.info, ms);
  }
  return ms;
}

/** kube's MoreImportantPod: higher priority, then the one that started earlier. */
function moreImportantFirst(a: AssignedPod, b: AssignedPod): number {
  return b.info.priority - a.info.priority || startMs(a) - startMs(b) || (a.info.key < b.info.key ? -1 : a.info.key > b.info.key ? 1 : 0);
}

/** Splits victims into those whose eviction would exceed a PDB's disruptionsAllowed, and the others. */
function splitByBudget(victims: readonly AssignedPod[], budgets: readonly PodDisruptionBudget[]): { violating: AssignedPod[]; fine: AssignedPod[] } {
  const allowed = budgets.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = budgets.map((b) => labelSelectorFromObject((b.spec?.selector ?? null) as LabelSelectorObject | null));
  const violating: AssignedPod[] = [];
  const fine: AssignedPod[] = [];
  for (const v of victims) {
    const pod = v.info.pod;
    let violates = false;
    budgets.forEach((b, i) => {
      if ((b.metadata.namespace ?? 'default') !== (pod.metadata.namespace ?? 'default')) return;
      // An empty selector matches nothing for a PDB (policy/v1 semantics differ by version; we follow "nothing").
      if (selectors[i]!.empty || !selectors[i]!.matches(pod.metadata.labels ?? {})) return;
      allowed[i] = (allowed[i] as number) - 1;
      if ((allowed[i] as number) < 0) violates = true;
    });
    (violates ? violating : fine).push(v);
  }
  return { violating, fine };
}

export interface PreemptionArgs {
  readonly minCandidateNodesPercentage: number;
  readonly minCandidateNodesAbsolute: number;
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = names.DefaultPreemption;

  // Dry-run outcomes of the last template, per node, reused while the node is unchanged (the pods of
  // a ReplicaSet preempting one after another: only the nodes preemption touched are tried again).
  // Main thread only. cachedAt[node] = nodeVersion + 1 when cached[node] holds its outcome (null: none).
  private cacheKey = '';
  private cachedAt = new Float64Array(0);
  private cached: (Candidate | null)[] = [];

  constructor(readonly args: PreemptionArgs) {}

  private candidateCached(node: number, pod: PodInfo, ctx: PostFilterContext): Candidate | undefined {
    if (ctx.dryRunCacheKey === '') return this.candidateOn(node, pod, ctx);
    const version = ctx.nodeVersion(node) + 1;
    if (node < this.cachedAt.length && this.cachedAt[node] === version) return this.cached[node] ?? undefined;
    const c = this.candidateOn(node, pod, ctx);
    if (node < this.cachedAt.length) {
      this.cachedAt[node] = version;
      this.cached[node] = c ?? null;
    }
    return c;
  }

  postFilter(_state: CycleState, pod: PodInfo, ctx: PostFilterContext): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === 'Never') {
      return { status: newStatus(Code.Unschedulable, this.name, 'not eligible due to preemptionPolicy=Never.') };
    }
    let best: Candidate | undefined;
    if (ctx.dryRunCacheKey !== this.cacheKey) {
      this.cacheKey = ctx.dryRunCacheKey;
      this.cachedAt = new Float64Array(ctx.dryRunCacheKey === '' ? 0 : ctx.table.highWater);
      this.cached = [];
    }
    const nodes = ctx.candidates;
    const n = nodes.length;
    const wanted = Math.min(n, Math.max(Math.floor((ctx.liveNodes * this.args.minCandidateNodesPercentage) / 100), this.args.minCandidateNodesAbsolute));
    const offset = n === 0 ? 0 : (hash32(pod.key, 0) >>> 0) % n;
    let found = 0;
    for (let k = 0; k < n && found < wanted; k++) {
      const c = this.candidateCached(nodes[(offset + k) % n] as number, pod, ctx);
      if (c === undefined) continue;
      found++;
      if (best === undefined || this.better(c, best, ctx)) best = c;
    }
    if (best === undefined) {
      return { status: newStatus(Code.Unschedulable, this.name, `0/${ctx.liveNodes} nodes are available: ${ctx.liveNodes} No preemption victims found for incoming pod.`) };
    }
    return { status: success, nominatedNode: best.node, victims: best.victims };
  }

  /**
   * kube's selectVictimsOnNode as a dry run on the node's columns: every lower-priority pod taken
   * off; if the pod fits, each is put back in reprieve order and taken off again (a victim) only
   * when the pod no longer fits with it. O(pods on the node) column updates and filter runs.
   */
  private candidateOn(node: number, pod: PodInfo, ctx: PostFilterContext): Candidate | undefined {
    const placed = ctx.podsOn(node);
    let lower: AssignedPod[] | undefined;
    for (let i = 0; i < placed.length; i++) {
      const p = placed[i]!;
      if (p.info.priority < pod.priority) (lower ??= []).push(p);
    }
    if (lower === undefined) return undefined;
    for (let i = 0; i < lower.length; i++) ctx.dryRemove(lower[i]!);
    if (!ctx.fits(node)) {
      for (let i = 0; i < lower.length; i++) ctx.dryRestore(lower[i]!);
      return undefined;
    }
    if (lower.length > 1) lower.sort(moreImportantFirst);
    // Reprieve order: PDB-violating victims first, each group most important first.
    let order = lower;
    let violatingCount = 0;
    if (ctx.disruptionBudgets.length > 0) {
      const { violating, fine } = splitByBudget(lower, ctx.disruptionBudgets);
      if (violating.length > 0) order = [...violating, ...fine];
      violatingCount = violating.length;
    }
    const victims: AssignedPod[] = [];
    let pdbViolations = 0;
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      ctx.dryRestore(p);
      if (ctx.fits(node)) continue;
      ctx.dryRemove(p);
      victims.push(p);
      if (k < violatingCount) pdbViolations++;
    }
    for (let i = 0; i < victims.length; i++) ctx.dryRestore(victims[i]!);
    if (violatingCount > 0 && victims.length > 1) victims.sort(moreImportantFirst);
    let prioritySum = 0;
    for (let i = 0; i < victims.length; i++) prioritySum += victims[i]!.info.priority;
    return { node, victims, pdbViolations, highestPriority: victims[0]?.info.priority ?? Number.NEGATIVE_INFINITY, prioritySum };
  }

  /** Whether candidate a beats b (kube's pickOneNodeForPreemption criteria). */
  private better(a: Candidate, b: Candidate, ctx: PostFilterContext): boolean {
    if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations < b.pdbViolations;
    if (a.highestPriority !== b.highestPriority) return a.highestPriority < b.highestPriority;
    if (a.prioritySum !== b.prioritySum) return a.prioritySum < b.prioritySum;
    if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
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
