// NodeAffinity. Filter: spec.nodeSelector (every label equal) and
// affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution (any term; a term is the
// AND of its matchExpressions and matchFields; an empty term or an empty term list matches
// nothing). Score: the sum of the weights of the preferred terms a node matches, normalized by
// the maximum (weight 2 by default).
//
// Selectors are compiled once per pod into flat Int32Array programs of interned ids:
//   program   = termCount, term*
//   term      = [weight,] reqCount, req*           (weight only in preferred programs)
//   req       = field (0 label, 1 metadata.name), keyId, op, valueCount, valueId*
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
import type { InternTable } from '../../workers/intern.js';
import type { NodeTable } from '../../workers/node-table.js';

export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
/** Every required term pins the pod to metadata.name values, and no name is left. */
export const errReasonConflict = 'pod affinity terms conflict';

const Op = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3, Gt: 4, Lt: 5, Invalid: 6 } as const;

function opCode(op: string): number {
  switch (op) {
    case 'In': return Op.In;
    case 'NotIn': return Op.NotIn;
    case 'Exists': return Op.Exists;
    case 'DoesNotExist': return Op.DoesNotExist;
    case 'Gt': return Op.Gt;
    case 'Lt': return Op.Lt;
    default: return Op.Invalid;
  }
}

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | undefined;
}
interface Term {
  readonly matchExpressions?: readonly Requirement[] | undefined;
  readonly matchFields?: readonly Requirement[] | undefined;
}

function compileTerm(term: Term, intern: InternTable, out: number[]): void {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  out.push(exprs.length + fields.length);
  for (const r of exprs) {
    const values = r.values ?? [];
    out.push(0, intern.intern(r.key), opCode(r.operator), values.length);
    for (const v of values) out.push(intern.intern(v));
  }
  for (const r of fields) {
    const values = r.values ?? [];
    // Only metadata.name is a node field selector key; others never match.
    const op = r.key === 'metadata.name' && (r.operator === 'In' || r.operator === 'NotIn') ? opCode(r.operator) : Op.Invalid;
    out.push(1, 0, op, values.length);
    for (const v of values) out.push(intern.intern(v));
  }
}

interface FilterState {
  /** nodeSelector as pairs [keyId, valueId]*. */
  readonly selector: Int32Array;
  /** Required terms program, or an empty array when the pod has none. */
  readonly required: Int32Array;
}

const filterKey = stateKey<FilterState>('PreFilterNodeAffinity');
const scoreKey = stateKey<Int32Array>('PreScoreNodeAffinity');

/** Whether the requirements at program[at..] match `node`; returns the position after them in `end`. */
function termMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array, at: number, reqCount: number): boolean {
  if (reqCount === 0) return false;
  let p = at;
  let ok = true;
  for (let r = 0; r < reqCount; r++) {
    const field = program[p] as number;
    const keyId = program[p + 1] as number;
    const op = program[p + 2] as number;
    const n = program[p + 3] as number;
    const vals = p + 4;
    p = vals + n;
    if (!ok) continue;
    const have = field === 1 ? (table.nameId[node] as number) : table.labelValueOf(node, keyId);
    switch (op) {
      case Op.In: {
        let found = false;
        if (have >= 0) for (let v = 0; v < n; v++) if (program[vals + v] === have) { found = true; break; }
        ok = found;
        break;
      }
      case Op.NotIn: {
        if (have >= 0) for (let v = 0; v < n; v++) if (program[vals + v] === have) { ok = false; break; }
        break;
      }
      case Op.Exists: ok = have >= 0; break;
      case Op.DoesNotExist: ok = have < 0; break;
      case Op.Gt:
      case Op.Lt: {
        // Exactly one integer value; the node's label must parse as an integer too.
        if (have < 0 || n !== 1) { ok = false; break; }
        const mine = numeric[have] as number;
        const theirs = numeric[program[vals] as number] as number;
        ok = op === Op.Gt ? mine > theirs : mine < theirs;
        break;
      }
      default: ok = false;
    }
  }
  return ok;
}

/** Skips over `reqCount` requirements starting at `at`. */
function skipReqs(program: Int32Array, at: number, reqCount: number): number {
  let p = at;
  for (let r = 0; r < reqCount; r++) p += 4 + (program[p + 3] as number);
  return p;
}

function requiredMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array): boolean {
  const terms = program[0] as number;
  let p = 1;
  for (let t = 0; t < terms; t++) {
    const reqCount = program[p] as number;
    if (termMatches(table, numeric, node, program, p + 1, reqCount)) return true;
    p = skipReqs(program, p + 1, reqCount);
  }
  return false;
}

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
    const program: number[] = [];
    if (required !== undefined) {
      const terms = required.nodeSelectorTerms ?? [];
      program.push(terms.length);
      for (const t of terms) compileTerm(t, ctx.intern, program);
    }
    state.write(filterKey, { selector: Int32Array.from(pairs), required: Int32Array.from(program) });
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
      if (ok && required.length > 0) ok = requiredMatches(table, numeric, node, required);
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
          const weight = program[p] as number;
          const reqCount = program[p + 1] as number;
          if (termMatches(table, numeric, node, program, p + 2, reqCount)) total += weight;
          p = skipReqs(program, p + 2, reqCount);
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
export function pinnedNodeNames(terms: readonly Term[]): Set<string> | undefined {
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
export function requiredNodeAffinityMatches(pod: PodInfo['pod'], node: { readonly metadata: { readonly name?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined } }): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length + fields.length === 0) return false;
    const one = (have: string | undefined, r: Requirement): boolean => {
      const values = r.values ?? [];
      switch (r.operator) {
        case 'In': return have !== undefined && values.includes(have);
        case 'NotIn': return have === undefined || !values.includes(have);
        case 'Exists': return have !== undefined;
        case 'DoesNotExist': return have === undefined;
        case 'Gt':
        case 'Lt': {
          if (have === undefined || values.length !== 1 || !/^[+-]?\d+$/.test(have) || !/^[+-]?\d+$/.test(values[0]!)) return false;
          const a = Number.parseInt(have, 10);
          const b = Number.parseInt(values[0]!, 10);
          return r.operator === 'Gt' ? a > b : a < b;
        }
        default: return false;
      }
    };
    return exprs.every((r) => one(labels[r.key], r)) && fields.every((r) => r.key === 'metadata.name' && (r.operator === 'In' || r.operator === 'NotIn') && one(node.metadata.name, r));
  });
}
