// TaintToleration. Filter: a node's NoSchedule / NoExecute taints must all be tolerated.
// Score: the number of PreferNoSchedule taints the pod does not tolerate, normalized in reverse
// (fewest intolerable taints → 100), weight 3 by default.
//
// Tolerations are interned once per pod in PreFilter / PreScore, into flat Int32Arrays:
//   [keyId (-1 = any key), exists (1) | equal (0), valueId, effect (0 = any)] per toleration.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type {
  FilterPlugin,
  FilterReason,
  NodeView,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  PrepareContext,
  ScorePlugin,
} from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, success, type Status } from '../../framework/status.js';
import type { InternTable } from '../../workers/intern.js';
import { TaintEffect, taintEffectCode, type NodeTable } from '../../workers/node-table.js';

const kStride = 4;

/** Every toleration of the pod, interned. */
const filterKey = stateKey<Int32Array>('PreFilterTaintToleration');
/** Only the tolerations that apply to PreferNoSchedule (effect empty or PreferNoSchedule). */
const scoreKey = stateKey<Int32Array>('PreScoreTaintToleration');

function internTolerations(pod: PodInfo, intern: InternTable, preferOnly: boolean): Int32Array {
  const list = pod.pod.spec?.tolerations ?? [];
  const out: number[] = [];
  for (const t of list) {
    const effect = taintEffectCode(t.effect);
    if (preferOnly && effect !== TaintEffect.None && effect !== TaintEffect.PreferNoSchedule) continue;
    out.push(t.key === undefined || t.key === '' ? -1 : intern.intern(t.key), t.operator === 'Exists' ? 1 : 0, intern.intern(t.value ?? ''), effect);
  }
  return Int32Array.from(out);
}

/** ToleratesTaint for taint slot `slot` of the table against every toleration in `tols`. */
function tolerated(table: NodeTable, slot: number, tols: Int32Array): boolean {
  const key = table.taintKey[slot] as number;
  const value = table.taintValue[slot] as number;
  const effect = table.taintEffect[slot] as number;
  for (let t = 0; t < tols.length; t += kStride) {
    const tEffect = tols[t + 3] as number;
    if (tEffect !== 0 && tEffect !== effect) continue;
    const tKey = tols[t] as number;
    if (tKey !== -1 && tKey !== key) continue;
    if (tols[t + 1] === 1 || tols[t + 2] === value) return true;
  }
  return false;
}

/** The slot of the first NoSchedule / NoExecute taint not tolerated, or -1. */
function firstUntolerated(table: NodeTable, node: number, tols: Int32Array): number {
  const base = node * table.dims.taintsMax;
  const end = base + (table.taintCount[node] as number);
  for (let s = base; s < end; s++) {
    const e = table.taintEffect[s] as number;
    if (e !== TaintEffect.NoSchedule && e !== TaintEffect.NoExecute) continue;
    if (!tolerated(table, s, tols)) return s;
  }
  return -1;
}

export class TaintToleration implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = names.TaintToleration;
  readonly nodeLocal = true;
  readonly normalization = 'maxReverse';
  readonly reasons: readonly FilterReason[] = [{ texts: ['node(s) had untolerated taint'], code: Code.UnschedulableAndUnresolvable }];

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    state.write(filterKey, internTolerations(pod, ctx.intern, false));
    return { status: success };
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const tols = state.read(filterKey) ?? new Int32Array(0);
    const table = view.table;
    const taintCount = table.taintCount;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      if (taintCount[node] === 0) continue;
      if (firstUntolerated(table, node, tols) >= 0) verdicts[i] = reasonBase + 1;
    }
  }

  explain(state: CycleState, _pod: PodInfo, view: NodeView, node: number, _reason: number, strings: InternTable): readonly string[] {
    const tols = state.read(filterKey) ?? new Int32Array(0);
    const s = firstUntolerated(view.table, node, tols);
    if (s < 0) return ['node(s) had untolerated taint'];
    return [`node(s) had untolerated taint {${strings.string(view.table.taintKey[s] as number)}: ${strings.string(view.table.taintValue[s] as number)}}`];
  }

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    state.write(scoreKey, internTolerations(pod, ctx.intern, true));
    return success;
  }

  score(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const tols = state.read(scoreKey) ?? new Int32Array(0);
    const table = view.table;
    const taintsMax = table.dims.taintsMax;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      const base = node * taintsMax;
      const end = base + (table.taintCount[node] as number);
      let intolerable = 0;
      for (let s = base; s < end; s++) {
        if (table.taintEffect[s] === TaintEffect.PreferNoSchedule && !tolerated(table, s, tols)) intolerable++;
      }
      out[i] = intolerable;
    }
  }
}

export function newTaintToleration(): TaintToleration {
  return new TaintToleration();
}
