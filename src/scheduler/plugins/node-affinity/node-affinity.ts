// NodeAffinity. Filter: spec.nodeSelector (every label equal) and
// affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution (any term; a term is the
// AND of its matchExpressions and matchFields; an empty term or an empty term list matches
// nothing). Score: the sum of the weights of the preferred terms a node matches, normalized by
// the maximum (weight 2 by default).
//
// Selectors are compiled once per pod by the shared node-selector compiler (./node-selector.ts);
// the preferred terms carry their weight: program = termCount, (weight, term)*.
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
import { Code, newStatus, skip, success, type Status } from '../../framework/status.js';
import {
  compileNodeSelector,
  compileTerm,
  nodeSelectorTermsMatchObject,
  selectorMatches,
  termEnd,
  termMatches,
  type NodeFields,
  type SelectorTerm,
} from './node-selector.js';

export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
/** Every required term pins the pod to metadata.name values, and no name is left. */
export const errReasonConflict = 'pod affinity terms conflict';

interface FilterState {
  /** nodeSelector as pairs [keyId, valueId]*. */
  readonly selector: Int32Array;
  /** The required terms' selector program, or noRequired when the pod has none. */
  readonly required: Int32Array;
}

const noRequired = new Int32Array(0);

const filterKey = stateKey<FilterState>('PreFilterNodeAffinity');
const scoreKey = stateKey<Int32Array>('PreScoreNodeAffinity');

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = names.NodeAffinity;
  readonly nodeLocal = true;
  readonly normalization = 'max';
  readonly reasons: readonly FilterReason[] = [{ texts: [errReasonPod], code: Code.UnschedulableAndUnresolvable }];

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const spec = pod.pod.spec;
    const sel = spec?.nodeSelector;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const hasSelector = sel !== undefined && Object.keys(sel).length > 0;
    if (!hasSelector && required === undefined) return { status: skip };
    const pairs: number[] = [];
    if (sel !== undefined) for (const [k, v] of Object.entries(sel)) pairs.push(ctx.intern.intern(k), ctx.intern.intern(v));
    const program = required === undefined ? noRequired : compileNodeSelector(required.nodeSelectorTerms ?? [], ctx.intern);
    state.write(filterKey, { selector: Int32Array.from(pairs), required: program });
    const pinned = required === undefined ? undefined : pinnedNodeNames(required.nodeSelectorTerms ?? []);
    if (pinned === undefined) return { status: success };
    if (pinned.size === 0) return { status: newStatus(Code.UnschedulableAndUnresolvable, this.name, errReasonConflict) };
    // A name not in the snapshot is -1: it keeps the set non-empty (the scheduler keeps only the
    // nodes it has, the others are absent), as kube-scheduler's set of names does.
    const nodes: number[] = [];
    for (const n of pinned) nodes.push(ctx.nodeIndex(n));
    return { status: success, nodes };
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const s = state.read(filterKey);
    if (s === undefined) return;
    const table = view.table;
    const numeric = view.strings.numeric;
    const { selector, required } = s;
    const rejected = reasonBase + 1;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      let ok = true;
      for (let k = 0; k < selector.length; k += 2) {
        if (table.labelValueOf(node, selector[k] as number) !== selector[k + 1]) { ok = false; break; }
      }
      if (ok && required.length > 0) ok = selectorMatches(table, numeric, node, required);
      if (!ok) verdicts[i] = rejected;
    }
  }

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const program: number[] = [0];
    for (const t of preferred) {
      // An empty preference matches everything with weight 0: a no-op, left out.
      const n = (t.preference.matchExpressions?.length ?? 0) + (t.preference.matchFields?.length ?? 0);
      if (t.weight === 0 || n === 0) continue;
      program[0] = (program[0] as number) + 1;
      program.push(t.weight);
      compileTerm(t.preference, ctx.intern, program);
    }
    if (program[0] === 0) return skip;
    state.write(scoreKey, Int32Array.from(program));
    return success;
  }

  score(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const program = state.read(scoreKey);
    const table = view.table;
    const numeric = view.strings.numeric;
    for (let i = 0; i < count; i++) {
      let total = 0;
      if (program !== undefined) {
        const node = nodes[i] as number;
        const terms = program[0] as number;
        let p = 1;
        for (let t = 0; t < terms; t++) {
          if (termMatches(table, numeric, node, program, p + 1)) total += program[p] as number;
          p = termEnd(program, p + 1);
        }
      }
      out[i] = total;
    }
  }
}

/**
 * kube-scheduler's NodeAffinity PreFilterResult: when every required term has a
 * `metadata.name In` matchField, the union over terms of the intersection of each term's name
 * lists; undefined when some term does not pin names (terms are ORed: every node stays eligible).
 */
export function pinnedNodeNames(terms: readonly SelectorTerm[]): Set<string> | undefined {
  if (terms.length === 0) return undefined;
  let union: Set<string> | undefined;
  for (const t of terms) {
    let inTerm: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const values = new Set(r.values ?? []);
      if (inTerm === undefined) inTerm = values;
      else for (const v of inTerm) if (!values.has(v)) inTerm.delete(v);
    }
    if (inTerm === undefined) return undefined;
    union ??= new Set<string>();
    for (const v of inTerm) union.add(v);
  }
  return union;
}

export function newNodeAffinity(): NodeAffinity {
  return new NodeAffinity();
}

/**
 * The pod's nodeSelector and required node affinity over a Node object (not the table): what
 * PodTopologySpread's nodeAffinityPolicy Honor checks when it counts domains.
 */
export function requiredNodeAffinityMatches(pod: PodInfo['pod'], node: NodeFields): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || nodeSelectorTermsMatchObject(required.nodeSelectorTerms ?? [], node);
}
