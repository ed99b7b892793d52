// A pod's evaluation over every node: verdicts, raw scores per plugin, the weighted total and a
// tournament tree whose root is the best node. Built once by a full filter+score pass (on workers
// or inline), then kept exact by re-evaluating only the nodes that changed since (the change log):
// pods of one template share it, so the 2nd..nth pod of a ReplicaSet costs O(changed nodes · log n),
// and every node is still considered for each of them.
//
//   total[node] = Σ_s weight_s · normalize_s(raw_s[node])  · 2^32  +  rank[node]
//                                                   (rank: the seeded tie-break, unique per node)
//   tree[1] = argmax total                           (tree[P + node] = node, P = power of two ≥ size)
import type { CycleState } from './framework/cycle-state.js';
import type { Normalization } from './framework/interfaces.js';
import { maxNodeScore } from './framework/names.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Framework } from './framework/runtime.js';

/** Verdict of a node index that is not a live node. */
export const kNoNode = 0xffff;
const rankScale = 4294967296; // 2^32

export function normalizedScore(normalization: Normalization, raw: number, max: number): number {
  switch (normalization) {
    case 'none': return raw;
    case 'max': return max === 0 ? 0 : Math.floor((maxNodeScore * raw) / max);
    case 'maxReverse': return max === 0 ? maxNodeScore : maxNodeScore - Math.floor((maxNodeScore * raw) / max);
    default: {
      const never: never = normalization;
      throw new Error(`unknown normalization ${String(never)}`);
    }
  }
}

export class PodEvaluation {
  /** Node index space covered: [0, size). */
  readonly size: number;
  readonly verdicts: Uint16Array;
  /** raw[s * size + node], s over `activeScores`. */
  readonly raw: Float64Array;
  readonly maxRaw: Float64Array;
  readonly total: Float64Array;
  private readonly tree: Int32Array;
  private readonly leaves: number;
  feasible = 0;
  /** Change-log sequence this evaluation reflects. */
  syncedSeq: number;
  /** Node-set generation it was built for (a node added, updated or removed makes it stale). */
  readonly generation: number;
  lastUsedSeq = 0;
  private readonly weights: Float64Array;
  private readonly normalizations: readonly Normalization[];

  constructor(
    readonly fw: Framework,
    readonly state: CycleState,
    /** The pod the state was prepared for (the template's first pod). */
    readonly template: PodInfo,
    readonly activeScores: Int32Array,
    /** False when a plugin's result depends on other nodes' pods: no incremental updates. */
    readonly nodeLocal: boolean,
    size: number,
    syncedSeq: number,
    generation: number,
  ) {
    this.size = size;
    this.syncedSeq = syncedSeq;
    this.generation = generation;
    this.verdicts = new Uint16Array(size).fill(kNoNode);
    this.raw = new Float64Array(activeScores.length * size);
    this.maxRaw = new Float64Array(activeScores.length);
    this.total = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
    let leaves = 1;
    while (leaves < size) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Int32Array(2 * leaves).fill(-1);
    this.weights = Float64Array.from(activeScores, (s) => fw.scoreWeights[s] as number);
    this.normalizations = Array.from(activeScores, (s) => fw.score[s]!.normalization);
  }

  /** Totals, maxima and the tree from verdicts and raw scores (after a full pass). */
  finish(rank: Int32Array): void {
    const S = this.activeScores.length;
    const size = this.size;
    let feasible = 0;
    for (let node = 0; node < size; node++) if (this.verdicts[node] === 0) feasible++;
    this.feasible = feasible;
    for (let s = 0; s < S; s++) this.maxRaw[s] = this.computeMax(s);
    for (let node = 0; node < size; node++) this.total[node] = this.computeTotal(node, rank);
    const tree = this.tree;
    const leaves = this.leaves;
    for (let node = 0; node < size; node++) tree[leaves + node] = node;
    for (let k = leaves - 1; k >= 1; k--) tree[k] = this.better(tree[2 * k] as number, tree[2 * k + 1] as number);
  }

  private computeMax(s: number): number {
    if (this.normalizations[s] === 'none') return 0;
    const base = s * this.size;
    let max = 0;
    for (let node = 0; node < this.size; node++) {
      if (this.verdicts[node] === 0 && (this.raw[base + node] as number) > max) max = this.raw[base + node] as number;
    }
    return max;
  }

  /** The weighted score of a node (no tie-break), or -Infinity when infeasible. */
  score(node: number): number {
    if (this.verdicts[node] !== 0) return Number.NEGATIVE_INFINITY;
    let total = 0;
    for (let s = 0; s < this.activeScores.length; s++) {
      total += (this.weights[s] as number) * normalizedScore(this.normalizations[s]!, this.raw[s * this.size + node] as number, this.maxRaw[s] as number);
    }
    return total;
  }

  private computeTotal(node: number, rank: Int32Array): number {
    const score = this.score(node);
    return score === Number.NEGATIVE_INFINITY ? score : score * rankScale + ((rank[node] as number) >>> 0);
  }

  private better(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    const ta = this.total[a] as number;
    const tb = this.total[b] as number;
    return ta > tb || (ta === tb && a < b) ? a : b;
  }

  /** The best node, or -1 when none is feasible. */
  best(): number {
    const root = this.tree[1] as number;
    return root < 0 || this.total[root] === Number.NEGATIVE_INFINITY ? -1 : root;
  }

  /**
   * Replaces one node's verdict and raw scores (rawOne[s], s over activeScores). When a normalized
   * plugin's maximum moves, every total is recomputed (rare: those plugins score labels and taints,
   * which pods do not change).
   */
  updateNode(node: number, verdict: number, rawOne: Float64Array, rank: Int32Array): void {
    const size = this.size;
    const S = this.activeScores.length;
    const wasFeasible = this.verdicts[node] === 0;
    this.verdicts[node] = verdict;
    const nowFeasible = verdict === 0;
    this.feasible += (nowFeasible ? 1 : 0) - (wasFeasible ? 1 : 0);
    let maxMoved = false;
    for (let s = 0; s < S; s++) {
      const old = this.raw[s * size + node] as number;
      const v = rawOne[s] as number;
      this.raw[s * size + node] = v;
      if (this.normalizations[s] === 'none') continue;
      const max = this.maxRaw[s] as number;
      if ((nowFeasible && v > max) || (wasFeasible && old === max && (v < max || !nowFeasible))) {
        const m = this.computeMax(s);
        if (m !== max) {
          this.maxRaw[s] = m;
          maxMoved = true;
        }
      }
    }
    if (maxMoved) {
      this.finish(rank);
      return;
    }
    this.total[node] = this.computeTotal(node, rank);
    const tree = this.tree;
    for (let k = (this.leaves + node) >> 1; k >= 1; k >>= 1) tree[k] = this.better(tree[2 * k] as number, tree[2 * k + 1] as number);
  }
}
