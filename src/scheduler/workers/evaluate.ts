// The filter+score kernel, the same on the main thread and on workers: for one pod and a slice of
// nodes, every filter plugin over the slice (each rejects with a verdict code), then every score
// plugin over the nodes still feasible (raw scores, not normalized: normalization needs every node,
// so the main thread does it).
//
// Output layout for a slice of `count` nodes and S active score plugins:
//   verdicts[i]            0 = feasible, else the reason code (see Framework.reasons)
//   raw[s * count + i]     raw score of plugin s for node i (0 when infeasible)
import type { CycleState } from '../framework/cycle-state.js';
import type { NodeView } from '../framework/interfaces.js';
import type { PodInfo } from '../framework/pod-info.js';
import type { Framework } from '../framework/runtime.js';

/** Scratch reused across calls (valid until the next call); grows to the largest slice seen. */
export class EvaluateScratch {
  feasibleNodes = new Int32Array(0);
  feasibleAt = new Int32Array(0);
  scores = new Float64Array(0);

  ensure(count: number): void {
    if (this.feasibleNodes.length >= count) return;
    this.feasibleNodes = new Int32Array(count);
    this.feasibleAt = new Int32Array(count);
    this.scores = new Float64Array(count);
  }
}

/** Score plugins that run for this pod (PreScore did not skip them), by index into fw.score. */
export function activeScorePlugins(fw: Framework, state: CycleState): Int32Array {
  const out: number[] = [];
  for (const [i, p] of fw.score.entries()) if (!state.skipScore.has(p.name)) out.push(i);
  return Int32Array.from(out);
}

/** Filters then scores nodes[0..count); writes verdicts[0..count) and raw[0..S*count). */
export function evaluateNodes(
  fw: Framework,
  state: CycleState,
  pod: PodInfo,
  view: NodeView,
  nodes: Int32Array,
  count: number,
  activeScores: Int32Array,
  verdicts: Uint16Array,
  raw: Float64Array,
  scratch: EvaluateScratch,
): void {
  verdicts.fill(0, 0, count);
  const filters = fw.filter;
  for (let f = 0; f < filters.length; f++) {
    const p = filters[f]!;
    if (state.skipFilter.has(p.name)) continue;
    p.filter(state, pod, view, nodes, count, verdicts, fw.filterReasonBase[f] as number);
  }
  scratch.ensure(count);
  const feasibleNodes = scratch.feasibleNodes;
  const feasibleAt = scratch.feasibleAt;
  let n = 0;
  for (let i = 0; i < count; i++) {
    if (verdicts[i] === 0) {
      feasibleNodes[n] = nodes[i] as number;
      feasibleAt[n] = i;
      n++;
    }
  }
  raw.fill(0, 0, activeScores.length * count);
  if (n === 0) return;
  const scores = scratch.scores;
  for (let s = 0; s < activeScores.length; s++) {
    const p = fw.score[activeScores[s] as number]!;
    p.score(state, pod, view, feasibleNodes, n, scores);
    const base = s * count;
    for (let k = 0; k < n; k++) raw[base + (feasibleAt[k] as number)] = scores[k] as number;
  }
}
