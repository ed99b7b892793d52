// A pod's evaluation over every node: verdicts, raw scores per plugin, the weighted total and a
// tournament tree whose root is the best node. Built once by a full filter+score pass (on workers
// or inline), then kept exact by re-evaluating only the nodes that changed since (the change log):
// pods of one template share it, so the 2nd..nth pod of a ReplicaSet costs O(changed nodes · log n),
// and every node is still considered for each of them.
//
//   partial[node] = Σ_s weight_s · raw_s[node]         over plugins whose raw score is final
//   normRaw[k][node] = raw score of the k-th plugin that normalizes over all nodes
//   total[node] = (partial + Σ_k weight_k · normalize_k(normRaw_k[node], max_k)) · 2^32 + rank[node]
//                                                   (rank: the seeded tie-break, unique per node)
//   tree[1] = argmax total                           (tree[P + node] = node, P = power of two ≥ size)
//
// Only the normalizing plugins' raw scores are kept per node (their maximum may move); the others
// are folded into `partial`, so a worker writes 2 + K numbers per node, not 1 + S, straight into
// the evaluation's shared arrays (writeChunk).
import type { CycleState } from './framework/cycle-state.js';
import type { Normalization } from './framework/interfaces.js';
import { maxNodeScore } from './framework/names.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Framework } from './framework/runtime.js';

/** Verdict of a node index that is not a live node. */
export const kNoNode = 0xffff;
const rankScale = 4294967296; // 2^32

export function normalizedScore(normalization: Normalization, raw: number, max: number, min = 0): number {
  switch (normalization) {
    case 'none': return raw;
    case 'max': return max === 0 ? 0 : Math.floor((maxNodeScore * raw) / max);
    case 'maxReverse': return max === 0 ? maxNodeScore : maxNodeScore - Math.floor((maxNodeScore * raw) / max);
    case 'spread': return raw < 0 ? 0 : max === 0 ? maxNodeScore : Math.floor((maxNodeScore * (max + min - raw)) / max);
    // Go's int64(float64(MaxNodeScore) * (float64(s-min) / float64(max-min))): divide first.
    case 'minMax': return max > min ? Math.trunc(maxNodeScore * ((raw - min) / (max - min))) : 0;
    default: {
      const never: never = normalization;
      throw new Error(`unknown normalization ${String(never)}`);
    }
  }
}

interface Buffers {
  readonly key: string;
  readonly verdicts: Uint16Array;
  readonly partial: Float64Array;
  readonly normRaw: Float64Array;
  readonly maxRaw: Float64Array;
  readonly total: Float64Array;
  /** Leaves past `size` stay -1 for the buffers' life. */
  readonly tree: Int32Array;
}

// Large typed arrays are costly to allocate and collect (15,000 nodes × 6 arrays per pod with a new
// template): released evaluations give theirs back, by shape, up to a bound.
const poolSetsMax = 256;
const pool = new Map<string, Buffers[]>();
let pooled = 0;

function takeBuffers(size: number, norms: number, leaves: number): Buffers {
  const key = `${size}:${norms}`;
  const b = pool.get(key)?.pop();
  if (b !== undefined) {
    pooled--;
    return b;
  }
  return {
    key,
    // Shared: workers write a full pass's results straight into them (see writeChunk).
    verdicts: new Uint16Array(new SharedArrayBuffer(2 * size)),
    partial: new Float64Array(new SharedArrayBuffer(8 * size)),
    normRaw: new Float64Array(new SharedArrayBuffer(8 * Math.max(1, norms * size)), 0, norms * size),
    maxRaw: new Float64Array(norms),
    total: new Float64Array(size),
    tree: new Int32Array(2 * leaves).fill(-1),
  };
}

function giveBuffers(b: Buffers): void {
  if (pooled >= poolSetsMax) return;
  let list = pool.get(b.key);
  if (list === undefined) pool.set(b.key, (list = []));
  list.push(b);
  pooled++;
}

/** How a pod's active score plugins combine: weights, and which ones normalize. */
export interface ScoreLayout {
  /** Per active plugin (index into activeScores): its weight. */
  readonly weights: Float64Array;
  /** Per active plugin: -1 if its raw score is final, else its slot k among the normalizing ones. */
  readonly normSlot: Int32Array;
  readonly normalizations: readonly Normalization[];
  /** Number of normalizing plugins (K). */
  readonly norms: number;
  /** Per normalizing plugin k: 1 when it keeps a minimum too ('spread', 'minMax'). */
  readonly extremeKept: Uint8Array;
}

export function scoreLayout(fw: Framework, activeScores: Int32Array): ScoreLayout {
  const weights = Float64Array.from(activeScores, (s) => fw.scoreWeights[s] as number);
  const normalizations: Normalization[] = [];
  const normSlot = new Int32Array(activeScores.length);
  for (let i = 0; i < activeScores.length; i++) {
    const n = fw.score[activeScores[i] as number]!.normalization;
    if (n === 'none') normSlot[i] = -1;
    else {
      normSlot[i] = normalizations.length;
      normalizations.push(n);
    }
  }
  const extremeKept = Uint8Array.from(normalizations, (n) => (n === 'spread' || n === 'minMax' ? 1 : 0));
  return { weights, normSlot, normalizations, norms: normalizations.length, extremeKept };
}

/** Where a full pass writes one pod's results: an evaluation's shared arrays. */
export interface EvaluationTarget {
  readonly size: number;
  readonly verdicts: Uint16Array;
  readonly partial: Float64Array;
  readonly normRaw: Float64Array;
}

/**
 * Writes the kernel's output for nodes[0..count) (verdicts[i], raw[s * count + i]) into the
 * target at the nodes' indices: verdict, partial weighted score, raw scores of the normalizing
 * plugins. Workers call it on the shared arrays of the main thread's evaluation; chunks are disjoint.
 */
export function writeChunk(layout: ScoreLayout, nodes: Int32Array, count: number, verdicts: Uint16Array, raw: Float64Array, target: EvaluationTarget): void {
  const S = layout.weights.length;
  const size = target.size;
  const tv = target.verdicts;
  const tp = target.partial;
  for (let i = 0; i < count; i++) {
    const node = nodes[i] as number;
    tv[node] = verdicts[i] as number;
    tp[node] = 0;
  }
  for (let s = 0; s < S; s++) {
    const slot = layout.normSlot[s] as number;
    const src = s * count;
    if (slot < 0) {
      const w = layout.weights[s] as number;
      for (let i = 0; i < count; i++) {
        const node = nodes[i] as number;
        tp[node] = (tp[node] as number) + w * (raw[src + i] as number);
      }
    } else {
      const base = slot * size;
      for (let i = 0; i < count; i++) target.normRaw[base + (nodes[i] as number)] = raw[src + i] as number;
    }
  }
}

export class PodEvaluation {
  private buffers: Buffers | undefined;
  /** Node index space covered: [0, size). */
  readonly size: number;
  readonly verdicts: Uint16Array;
  readonly partial: Float64Array;
  /** normRaw[k * size + node] */
  readonly normRaw: Float64Array;
  readonly maxRaw: Float64Array;
  /** Minimum non-negative raw score per normalizing plugin ('spread' uses it). */
  readonly minRaw: Float64Array;
  readonly total: Float64Array;
  private readonly tree: Int32Array;
  private readonly leaves: number;
  private treeBuilt = false;
  /** suspended[node] = 1: feasible until failNodes, scores untouched since (allocated on first use). */
  private suspended: Uint8Array | undefined;
  /**
   * A suspended node's total when failNodes took it out, valid while heldAt[node] === finishes + 1
   * (no finish() since: the extremes it was computed with still hold). Allocated with `suspended`.
   */
  private held: Float64Array | undefined;
  private heldAt: Int32Array | undefined;
  private finishes = 0;
  private bestCalls = 0;
  /** failNodes / resume since the last settle(): the tree is stale; so are the totals when extremesMoved. */
  private bulkChanged = false;
  private extremesMoved = false;
  feasible = 0;
  /** Change-log sequence this evaluation reflects. */
  syncedSeq: number;
  /** Node-set generation it was built for (a node added, updated or removed makes it stale). */
  readonly generation: number;
  lastUsedSeq = 0;
  /** Its key in the scheduler's template cache, once cached. */
  templateKey = '';
  /**
   * Set by a bulk write (a full pass, on workers that know nothing of nominated pods): the nodes
   * with nominated pods must be re-evaluated before a decision reads it (per-node updates include them).
   */
  nominationsPending = true;
  readonly layout: ScoreLayout;

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
    this.layout = scoreLayout(fw, activeScores);
    let leaves = 1;
    while (leaves < size) leaves *= 2;
    this.leaves = leaves;
    const b = takeBuffers(size, this.layout.norms, leaves);
    this.buffers = b;
    this.verdicts = b.verdicts.fill(kNoNode);
    this.partial = b.partial;
    this.normRaw = b.normRaw;
    this.maxRaw = b.maxRaw;
    this.minRaw = new Float64Array(this.layout.norms);
    this.total = b.total.fill(Number.NEGATIVE_INFINITY);
    this.tree = b.tree;
  }

  /** Totals, maxima and (lazily) the tree from verdicts and scores, after a full pass. */
  finish(rank: Int32Array): void {
    const K = this.layout.norms;
    const size = this.size;
    const verdicts = this.verdicts;
    const total = this.total;
    const partial = this.partial;
    for (let k = 0; k < K; k++) this.maxRaw[k] = this.computeMax(k);
    // Normalizing plugins whose maximum is 0 add a constant (0, or 100 reversed): folded in here,
    // so the common case is one fused pass over the nodes.
    let constant = 0;
    let varying = 0;
    for (let k = 0; k < K; k++) {
      const n = this.layout.normalizations[k];
      if (this.maxRaw[k] === 0 && n !== 'spread' && n !== 'minMax') constant += n === 'maxReverse' ? this.normWeight(k) * maxNodeScore : 0;
      else varying++;
    }
    let feasible = 0;
    for (let node = 0; node < size; node++) {
      if (verdicts[node] !== 0) {
        total[node] = Number.NEGATIVE_INFINITY;
        continue;
      }
      feasible++;
      total[node] = ((partial[node] as number) + constant) * rankScale + ((rank[node] as number) >>> 0);
    }
    this.feasible = feasible;
    this.finishes++;
    this.bulkChanged = false;
    this.extremesMoved = false;
    if (varying > 0) {
      const raw = this.normRaw;
      for (let k = 0; k < K; k++) {
        const max = this.maxRaw[k] as number;
        const normalization = this.layout.normalizations[k]!;
        const w = this.normWeight(k) * rankScale;
        const base = k * size;
        if (normalization === 'spread' || normalization === 'minMax') {
          const min = this.minRaw[k] as number;
          for (let node = 0; node < size; node++) {
            if (verdicts[node] !== 0) continue;
            total[node] = (total[node] as number) + w * normalizedScore(normalization, raw[base + node] as number, max, min);
          }
          continue;
        }
        if (max === 0) continue;
        const reverse = normalization === 'maxReverse';
        for (let node = 0; node < size; node++) {
          if (verdicts[node] !== 0) continue;
          const n = Math.floor((maxNodeScore * (raw[base + node] as number)) / max);
          total[node] = (total[node] as number) + w * (reverse ? maxNodeScore - n : n);
        }
      }
    }
    this.treeBuilt = false;
  }

  private normWeight(k: number): number {
    const slots = this.layout.normSlot;
    for (let s = 0; s < slots.length; s++) if (slots[s] === k) return this.layout.weights[s] as number;
    return 0;
  }

  /** The tournament tree is built on the second best() (a one-off pod never needs it). */
  private buildTree(): void {
    const tree = this.tree;
    const leaves = this.leaves;
    const size = this.size;
    for (let node = 0; node < size; node++) tree[leaves + node] = node;
    for (let k = leaves - 1; k >= 1; k--) tree[k] = this.better(tree[2 * k] as number, tree[2 * k + 1] as number);
    this.treeBuilt = true;
  }

  private scanBest(): number {
    const total = this.total;
    let best = -1;
    let bestTotal = Number.NEGATIVE_INFINITY;
    for (let node = 0; node < this.size; node++) {
      const t = total[node] as number;
      if (t > bestTotal) {
        bestTotal = t;
        best = node;
      }
    }
    return best;
  }

  private computeMax(k: number): number {
    const base = k * this.size;
    // 'minMax' takes the true extremes (raw scores may be negative); the others floor max at 0.
    const signed = this.layout.normalizations[k] === 'minMax';
    let max = signed ? Number.NEGATIVE_INFINITY : 0;
    let min = Number.POSITIVE_INFINITY;
    for (let node = 0; node < this.size; node++) {
      if (this.verdicts[node] !== 0) continue;
      const v = this.normRaw[base + node] as number;
      if (v > max) max = v;
      if ((signed || v >= 0) && v < min) min = v;
    }
    this.minRaw[k] = min === Number.POSITIVE_INFINITY ? 0 : min;
    return max === Number.NEGATIVE_INFINITY ? 0 : max;
  }

  /** The weighted score of a node (no tie-break), or -Infinity when infeasible. */
  score(node: number): number {
    if (this.verdicts[node] !== 0) return Number.NEGATIVE_INFINITY;
    let total = this.partial[node] as number;
    const slots = this.layout.normSlot;
    for (let s = 0; s < slots.length; s++) {
      const k = slots[s] as number;
      if (k < 0) continue;
      total += (this.layout.weights[s] as number) * normalizedScore(this.layout.normalizations[k]!, this.normRaw[k * this.size + node] as number, this.maxRaw[k] as number, this.minRaw[k] as number);
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

  /**
   * The best of a subset of feasible nodes (percentageOfNodesToScore below 100), normalizing over
   * that subset only, as kube-scheduler normalizes over the nodes it scored; -1 if it is empty.
   * `extremes` is scratch of at least 2 · norms numbers.
   */
  bestOf(nodes: Int32Array, count: number, rank: Int32Array, extremes: Float64Array): number {
    const K = this.layout.norms;
    const size = this.size;
    const raw = this.normRaw;
    for (let k = 0; k < K; k++) {
      const signed = this.layout.normalizations[k] === 'minMax';
      let max = signed ? Number.NEGATIVE_INFINITY : 0;
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < count; i++) {
        const v = raw[k * size + (nodes[i] as number)] as number;
        if (v > max) max = v;
        if ((signed || v >= 0) && v < min) min = v;
      }
      extremes[2 * k] = max === Number.NEGATIVE_INFINITY ? 0 : max;
      extremes[2 * k + 1] = min === Number.POSITIVE_INFINITY ? 0 : min;
    }
    const slots = this.layout.normSlot;
    let best = -1;
    let bestTotal = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let score = this.partial[node] as number;
      for (let s = 0; s < slots.length; s++) {
        const k = slots[s] as number;
        if (k < 0) continue;
        score += (this.layout.weights[s] as number) * normalizedScore(this.layout.normalizations[k]!, raw[k * size + node] as number, extremes[2 * k] as number, extremes[2 * k + 1] as number);
      }
      const total = score * rankScale + ((rank[node] as number) >>> 0);
      if (total > bestTotal || (total === bestTotal && node < best)) {
        bestTotal = total;
        best = node;
      }
    }
    return best;
  }

  /** Gives the buffers back for reuse. The evaluation must not be used afterwards. */
  release(): void {
    const b = this.buffers;
    this.buffers = undefined;
    if (b !== undefined) giveBuffers(b);
  }

  /** The best node, or -1 when none is feasible. */
  best(): number {
    if (!this.treeBuilt) {
      if (this.bestCalls++ === 0) return this.scanBest();
      this.buildTree();
    }
    const root = this.tree[1] as number;
    return root < 0 || this.total[root] === Number.NEGATIVE_INFINITY ? -1 : root;
  }

  /**
   * Replaces the verdicts and raw scores of nodes[0..count) (the kernel's output, as writeChunk),
   * then recomputes every total: one O(size) pass, cheaper than per-node updates once many nodes
   * changed (a topology domain whose PodTopologySpread verdict flipped).
   */
  updateNodes(nodes: Int32Array, count: number, verdicts: Uint16Array, raw: Float64Array, rank: Int32Array): void {
    writeChunk(this.layout, nodes, count, verdicts, raw, this);
    const suspended = this.suspended;
    if (suspended !== undefined) for (let i = 0; i < count; i++) suspended[nodes[i] as number] = 0;
    this.refinish(rank);
  }

  /** finish() after bulk changes; the next best() scans (rebuilding the tree costs more, and another bulk update may follow). */
  refinish(rank: Int32Array): void {
    this.finish(rank);
    this.bestCalls = 0;
  }

  /**
   * Nodes that now fail the filter plugin whose verdicts are (base, …]: they get `verdict` unless an
   * earlier plugin (verdict ≤ base) already rejects them, as the first failing plugin names the
   * reason. Totals stay exact unless a normalizing plugin's extremes may have moved: settle() then
   * recomputes them (see settle).
   */
  failNodes(nodes: ArrayLike<number>, verdict: number, base: number): void {
    const verdicts = this.verdicts;
    const suspended = (this.suspended ??= new Uint8Array(this.size));
    const held = (this.held ??= new Float64Array(this.size));
    const heldAt = (this.heldAt ??= new Int32Array(this.size));
    const stamp = this.finishes + 1;
    const total = this.total;
    const watch = this.extremeWatch();
    if (watch === -1) this.extremesMoved = true;
    let out = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as number;
      const v = verdicts[node] as number;
      if (v === kNoNode || (v !== 0 && v <= base)) continue;
      verdicts[node] = verdict;
      if (v !== 0) continue;
      // A feasible node's scores stay valid while it is suspended (see resume).
      suspended[node] = 1;
      held[node] = total[node] as number;
      heldAt[node] = stamp;
      total[node] = Number.NEGATIVE_INFINITY;
      if (watch > 0 && !this.extremesMoved && this.holdsExtreme(node, watch)) this.extremesMoved = true;
      out++;
    }
    if (out === 0) return;
    this.feasible -= out;
    this.bulkChanged = true;
  }

  /**
   * resume() over nodes (a whole domain whose verdict flipped back); the nodes it cannot resume
   * (re-evaluated since they were suspended, or never feasible) are pushed to `leftovers`.
   * Returns the number resumed.
   */
  resumeAll(nodes: ArrayLike<number>, verdict: number, rank: Int32Array, leftovers: number[]): number {
    let resumed = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as number;
      if (this.resume(node, verdict, rank)) resumed++;
      else leftovers.push(node);
    }
    return resumed;
  }

  /**
   * Makes a node failNodes rejected with `verdict` feasible again without re-running any plugin,
   * if it was feasible then and has not been re-evaluated since (its other verdicts and scores are
   * still exact). False: it must be re-evaluated. Call settle() once done.
   */
  resume(node: number, verdict: number, rank: Int32Array): boolean {
    const suspended = this.suspended;
    if (suspended === undefined || suspended[node] !== 1 || this.verdicts[node] !== verdict) return false;
    suspended[node] = 0;
    this.verdicts[node] = 0;
    this.feasible++;
    this.bulkChanged = true;
    if (!this.extremesMoved && this.layout.norms > 0 && this.exceedsExtreme(node)) this.extremesMoved = true;
    // With the extremes unmoved, the node's total is what it was before it was suspended.
    this.total[node] = this.heldAt![node] === this.finishes + 1 ? (this.held![node] as number) : this.computeTotal(node, rank);
    return true;
  }

  /**
   * After failNodes / resume: one domain's verdict flips per call, so totals are kept per node and
   * only the tree is dropped (the next best() scans, as after refinish); every total is recomputed
   * only when a normalizing plugin's extremes may have moved (rare: those plugins score labels and
   * taints, and an extreme held by a suspended node).
   */
  settle(rank: Int32Array): void {
    if (this.extremesMoved) this.refinish(rank);
    else if (this.bulkChanged) {
      this.treeBuilt = false;
      this.bestCalls = 0;
    }
    this.extremesMoved = false;
    this.bulkChanged = false;
  }

  /**
   * The normalizing plugins whose extremes a node leaving or joining the feasible set may move:
   * -1 when one of them always may ('spread', 'minMax' keep a minimum), else a bitmask of those
   * with a positive max (a max of 0 stays 0 whoever leaves: it is floored at 0). Usually 0.
   */
  private extremeWatch(): number {
    const K = this.layout.norms;
    let mask = 0;
    for (let k = 0; k < K; k++) {
      if (this.layout.extremeKept[k] === 1) return -1;
      if ((this.maxRaw[k] as number) !== 0) mask |= 1 << k;
    }
    return mask;
  }

  /** Whether leaving the feasible set, the node holds a watched plugin's max. */
  private holdsExtreme(node: number, mask: number): boolean {
    for (let k = 0; k < this.layout.norms; k++) {
      if (((mask >>> k) & 1) !== 0 && this.normRaw[k * this.size + node] === this.maxRaw[k]) return true;
    }
    return false;
  }

  /** Whether joining the feasible set, the node may move a normalizing plugin's extremes. */
  private exceedsExtreme(node: number): boolean {
    for (let k = 0; k < this.layout.norms; k++) {
      if (this.layout.extremeKept[k] === 1 || (this.normRaw[k * this.size + node] as number) > (this.maxRaw[k] as number)) return true;
    }
    return false;
  }

  /**
   * Replaces one node's verdict and raw scores (rawOne[s], s over activeScores). When a normalizing
   * plugin's maximum moves, every total is recomputed (rare: those plugins score labels and taints,
   * which pods do not change).
   */
  updateNode(node: number, verdict: number, rawOne: Float64Array, rank: Int32Array): void {
    const size = this.size;
    if (this.suspended !== undefined) this.suspended[node] = 0;
    const wasFeasible = this.verdicts[node] === 0;
    this.verdicts[node] = verdict;
    const nowFeasible = verdict === 0;
    this.feasible += (nowFeasible ? 1 : 0) - (wasFeasible ? 1 : 0);
    const slots = this.layout.normSlot;
    let partial = 0;
    let maxMoved = false;
    for (let s = 0; s < slots.length; s++) {
      const k = slots[s] as number;
      const v = rawOne[s] as number;
      if (k < 0) {
        partial += (this.layout.weights[s] as number) * v;
        continue;
      }
      const old = this.normRaw[k * size + node] as number;
      this.normRaw[k * size + node] = v;
      const max = this.maxRaw[k] as number;
      const min = this.minRaw[k] as number;
      if (this.layout.normalizations[k] === 'spread' || this.layout.normalizations[k] === 'minMax') {
        if (this.computeMax(k) !== max || this.minRaw[k] !== min) maxMoved = true;
      } else if ((nowFeasible && v > max) || (wasFeasible && old === max && (v < max || !nowFeasible))) {
        if (this.computeMax(k) !== max) maxMoved = true;
      }
    }
    this.partial[node] = partial;
    if (maxMoved) {
      this.finish(rank);
      return;
    }
    this.total[node] = this.computeTotal(node, rank);
    if (!this.treeBuilt) return;
    const tree = this.tree;
    for (let k = (this.leaves + node) >> 1; k >= 1; k >>= 1) tree[k] = this.better(tree[2 * k] as number, tree[2 * k + 1] as number);
  }
}
