// Per-pod, per-node, per-plugin results, in the annotations kube-scheduler-simulator's debuggable
// scheduler writes (kube-scheduler-simulator.sigs.k8s.io/…), so its web UI and tools read ours:
//
//   filter-result      {"node-a": {"NodeResourcesFit": "passed", "TaintToleration": "passed"},
//                       "node-b": {"NodeResourcesFit": "Insufficient cpu"}}   (plugins up to the first failure)
//   score-result       {"node-a": {"NodeResourcesFit": "73", …}}              (raw scores, feasible nodes)
//   finalscore-result  {"node-a": {"NodeResourcesFit": "73", "TaintToleration": "300", …}}
//                                                                         (normalized × weight)
//   prefilter-result-status / prescore-result / reserve-result / prebind-result / bind-result
//                      {"<plugin>": "success"}
//   prefilter-result, postfilter-result, permit-result, permit-result-timeout   {}
//   selected-node      node-a
//
// Computing them runs every filter and score plugin over every live node once more for the pod:
// only when asked (SchedulerOptions.recordResults, `cox scheduler --record-results`).
import type { CycleState } from './framework/cycle-state.js';
import type { NodeView } from './framework/interfaces.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Framework } from './framework/runtime.js';
import { normalizedScore } from './evaluation.js';
import type { InternTable } from './workers/intern.js';

export const simulatorAnnotationPrefix = 'kube-scheduler-simulator.sigs.k8s.io/';
export const annotationKeys = {
  preFilterStatus: `${simulatorAnnotationPrefix}prefilter-result-status`,
  preFilter: `${simulatorAnnotationPrefix}prefilter-result`,
  filter: `${simulatorAnnotationPrefix}filter-result`,
  postFilter: `${simulatorAnnotationPrefix}postfilter-result`,
  preScore: `${simulatorAnnotationPrefix}prescore-result`,
  score: `${simulatorAnnotationPrefix}score-result`,
  finalScore: `${simulatorAnnotationPrefix}finalscore-result`,
  reserve: `${simulatorAnnotationPrefix}reserve-result`,
  permit: `${simulatorAnnotationPrefix}permit-result`,
  permitTimeout: `${simulatorAnnotationPrefix}permit-result-timeout`,
  preBind: `${simulatorAnnotationPrefix}prebind-result`,
  bind: `${simulatorAnnotationPrefix}bind-result`,
  selectedNode: `${simulatorAnnotationPrefix}selected-node`,
} as const;

export const passed = 'passed';
const success = 'success';

/** What recordResults needs from the scheduler. */
export interface RecordInput {
  readonly fw: Framework;
  readonly state: CycleState;
  readonly pod: PodInfo;
  readonly view: NodeView;
  readonly intern: InternTable;
  readonly nodes: Int32Array;
  readonly nodeName: (node: number) => string;
  readonly selected: string;
}

/** The annotations for one scheduled pod (values are JSON texts, as the simulator writes them). */
export function recordResults(input: RecordInput): Record<string, string> {
  const { fw, state, pod, view, nodes } = input;
  const count = nodes.length;
  const verdicts = new Uint16Array(count);
  const filter: Record<string, Record<string, string>> = {};
  for (let i = 0; i < count; i++) filter[input.nodeName(nodes[i] as number)] = {};
  for (let f = 0; f < fw.filter.length; f++) {
    const p = fw.filter[f]!;
    if (state.skipFilter.has(p.name)) continue;
    const before = verdicts.slice();
    p.filter(state, pod, view, nodes, count, verdicts, fw.filterReasonBase[f] as number);
    for (let i = 0; i < count; i++) {
      if (before[i] !== 0) continue; // failed an earlier plugin: this one did not run there
      const row = filter[input.nodeName(nodes[i] as number)]!;
      const v = verdicts[i] as number;
      if (v === 0) {
        row[p.name] = passed;
        continue;
      }
      const r = fw.reasons[v - 1];
      const texts = r === undefined ? [] : p.explain === undefined ? r.r.texts : p.explain(state, pod, view, nodes[i] as number, r.reason, input.intern);
      row[p.name] = texts.join(', ');
    }
  }
  const feasible: number[] = [];
  for (let i = 0; i < count; i++) if (verdicts[i] === 0) feasible.push(nodes[i] as number);
  const feasibleNodes = Int32Array.from(feasible);
  const score: Record<string, Record<string, string>> = {};
  const finalScore: Record<string, Record<string, string>> = {};
  for (const n of feasible) {
    score[input.nodeName(n)] = {};
    finalScore[input.nodeName(n)] = {};
  }
  const preScore: Record<string, string> = {};
  for (const p of fw.preScore) if (!state.skipScore.has(p.name)) preScore[p.name] = success;
  const raw = new Float64Array(feasible.length);
  for (let s = 0; s < fw.score.length; s++) {
    const p = fw.score[s]!;
    if (state.skipScore.has(p.name)) continue;
    p.score(state, pod, view, feasibleNodes, feasible.length, raw);
    // Normalization over the feasible nodes, as the evaluation does ('spread' ignores negatives).
    const signed = p.normalization === 'minMax';
    let max = signed ? Number.NEGATIVE_INFINITY : 0;
    let min = Number.POSITIVE_INFINITY;
    for (const v of raw) {
      if (v > max) max = v;
      if ((signed || v >= 0) && v < min) min = v;
    }
    if (max === Number.NEGATIVE_INFINITY) max = 0;
    if (min === Number.POSITIVE_INFINITY) min = 0;
    const weight = fw.scoreWeights[s] as number;
    for (let i = 0; i < feasible.length; i++) {
      const name = input.nodeName(feasible[i] as number);
      const v = raw[i] as number;
      score[name]![p.name] = String(v);
      finalScore[name]![p.name] = String(weight * normalizedScore(p.normalization, v, max, min));
    }
  }
  const preFilterStatus: Record<string, string> = {};
  for (const p of fw.preFilter) preFilterStatus[p.name] = success;
  const statuses = (list: readonly { readonly name: string }[]): string => JSON.stringify(Object.fromEntries(list.map((p) => [p.name, success])));
  return {
    [annotationKeys.preFilterStatus]: JSON.stringify(preFilterStatus),
    [annotationKeys.preFilter]: '{}',
    [annotationKeys.filter]: JSON.stringify(filter),
    [annotationKeys.postFilter]: '{}',
    [annotationKeys.preScore]: JSON.stringify(preScore),
    [annotationKeys.score]: JSON.stringify(score),
    [annotationKeys.finalScore]: JSON.stringify(finalScore),
    [annotationKeys.reserve]: statuses(fw.reserve),
    [annotationKeys.permit]: '{}',
    [annotationKeys.permitTimeout]: '{}',
    [annotationKeys.preBind]: statuses(fw.preBind),
    [annotationKeys.bind]: JSON.stringify(fw.bind.length > 0 ? { [fw.bind[0]!.name]: success } : {}),
    [annotationKeys.selectedNode]: input.selected,
  };
}
