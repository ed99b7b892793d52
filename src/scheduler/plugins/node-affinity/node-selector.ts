// Node selectors (v1.NodeSelector: terms ORed, each term the AND of its matchExpressions on node
// labels and its matchFields on node fields), compiled once into flat Int32Array programs of
// interned ids and evaluated against the node table's columns on any thread. The one compiler of
// the scheduler: NodeAffinity compiles a Pod's required and preferred terms with it, VolumeBinding
// a PersistentVolume's nodeAffinity and a StorageClass's allowedTopologies.
//
//   selector = termCount, term*        termCount -1 (matchAll): no selector, every node matches
//   term     = reqCount, req*          a term without requirements matches no node
//   req      = field, keyId, op, valueCount, valueId*
//
// `field` says what a requirement reads: a label (matchExpressions), the node's name
// (matchFields metadata.name), or another field, which a node does not have (its value is "", as
// a fields.Set answers). A requirement that component-helpers' nodeaffinity fails to parse
// compiles to Op.Invalid and fails its term, as a term with parse errors never matches there:
//   matchExpressions  In / NotIn need values, Exists / DoesNotExist take none, Gt / Lt exactly one
//                     integer;
//   matchFields       In / NotIn with exactly one value; no other operator.
// A selector compiled for a node without fields ('labelsOnly', a PersistentVolume's) compiles
// its well-formed matchFields to Op.Pass: nodeaffinity compares a term's matchFields only when
// the node has a field, and a Node without a name has none.
import type { InternTable } from '../../workers/intern.js';
import type { NodeTable } from '../../workers/node-table.js';

const Field = { Label: 0, Name: 1, Other: 2 } as const;
const Op = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3, Gt: 4, Lt: 5, Invalid: 6, Pass: 7 } as const;
/** Interned id of "": the value of a field a node does not have. */
const emptyStringId = 0;

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | undefined;
}

export interface SelectorTerm {
  readonly matchExpressions?: readonly SelectorRequirement[] | undefined;
  readonly matchFields?: readonly SelectorRequirement[] | undefined;
}

/**
 * What the node a selector is matched against carries. `node`: the whole node, its name among
 * its fields (a Pod's node affinity). `labelsOnly`: its labels and no field, as
 * volume.CheckNodeAffinity builds the Node it matches a PersistentVolume's nodeAffinity against.
 */
export type NodeShape = 'node' | 'labelsOnly';

/** The program of "no selector": every node matches. */
export const matchAll: Int32Array = Int32Array.of(-1);

const int64Pattern = /^[+-]?\d{1,18}$/;

/** A label value as strconv.ParseInt reads it (what Gt and Lt compare), or NaN. */
export function labelInt(s: string): number {
  return int64Pattern.test(s) ? Number.parseInt(s, 10) : Number.NaN;
}

function fieldOf(key: string): number {
  return key === 'metadata.name' ? Field.Name : Field.Other;
}

/** The operation a requirement compiles to; Op.Invalid where kube's parser reports an error. */
function requirementOp(r: SelectorRequirement, field: number): number {
  const values = r.values ?? [];
  const n = values.length;
  if (field !== Field.Label) {
    if (n !== 1) return Op.Invalid;
    return r.operator === 'In' ? Op.In : r.operator === 'NotIn' ? Op.NotIn : Op.Invalid;
  }
  switch (r.operator) {
    case 'In': return n > 0 ? Op.In : Op.Invalid;
    case 'NotIn': return n > 0 ? Op.NotIn : Op.Invalid;
    case 'Exists': return n === 0 ? Op.Exists : Op.Invalid;
    case 'DoesNotExist': return n === 0 ? Op.DoesNotExist : Op.Invalid;
    case 'Gt':
    case 'Lt':
      if (n !== 1 || Number.isNaN(labelInt(values[0] as string))) return Op.Invalid;
      return r.operator === 'Gt' ? Op.Gt : Op.Lt;
    default: return Op.Invalid;
  }
}

function compileRequirement(r: SelectorRequirement, field: number, shape: NodeShape, intern: InternTable, out: number[]): void {
  const values = r.values ?? [];
  let op = requirementOp(r, field);
  // A node without fields skips the matchFields it could parse; a parse error still fails the term.
  if (field !== Field.Label && shape === 'labelsOnly' && op !== Op.Invalid) op = Op.Pass;
  out.push(field, field === Field.Label ? intern.intern(r.key) : 0, op, values.length);
  for (const v of values) out.push(intern.intern(v));
}

/** Appends one term (reqCount, req*) to `out`. */
export function compileTerm(term: SelectorTerm, intern: InternTable, out: number[], shape: NodeShape = 'node'): void {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  out.push(exprs.length + fields.length);
  for (const r of exprs) compileRequirement(r, Field.Label, shape, intern, out);
  for (const r of fields) compileRequirement(r, fieldOf(r.key), shape, intern, out);
}

/**
 * nodeSelectorTerms as a selector program, matched against nodes of the given shape; undefined
 * (no selector at all) is matchAll.
 */
export function compileNodeSelector(terms: readonly SelectorTerm[] | undefined, intern: InternTable, shape: NodeShape = 'node'): Int32Array {
  if (terms === undefined) return matchAll;
  const out: number[] = [terms.length];
  for (const t of terms) compileTerm(t, intern, out, shape);
  return Int32Array.from(out);
}

/** Whether the term at program[at] (its reqCount) matches `node`. */
export function termMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array, at: number): boolean {
  const reqCount = program[at] as number;
  if (reqCount === 0) return false;
  let p = at + 1;
  for (let r = 0; r < reqCount; r++) {
    const field = program[p] as number;
    const op = program[p + 2] as number;
    const n = program[p + 3] as number;
    const vals = p + 4;
    const have = field === Field.Label ? table.labelValueOf(node, program[p + 1] as number) : field === Field.Name ? (table.nameId[node] as number) : emptyStringId;
    switch (op) {
      case Op.In: {
        if (have < 0) return false;
        let v = 0;
        while (v < n && program[vals + v] !== have) v++;
        if (v === n) return false;
        break;
      }
      case Op.NotIn:
        if (have >= 0) for (let v = 0; v < n; v++) if (program[vals + v] === have) return false;
        break;
      case Op.Exists:
        if (have < 0) return false;
        break;
      case Op.DoesNotExist:
        if (have >= 0) return false;
        break;
      case Op.Pass:
        break;
      case Op.Gt:
      case Op.Lt: {
        // The node's label must parse as an integer too (NaN compares false).
        if (have < 0) return false;
        const mine = numeric[have] as number;
        const theirs = numeric[program[vals] as number] as number;
        if (!(op === Op.Gt ? mine > theirs : mine < theirs)) return false;
        break;
      }
      default:
        return false;
    }
    p = vals + n;
  }
  return true;
}

/** The position just past the term at program[at]. */
export function termEnd(program: Int32Array, at: number): number {
  const reqCount = program[at] as number;
  let p = at + 1;
  for (let r = 0; r < reqCount; r++) p += 4 + (program[p + 3] as number);
  return p;
}

/** Whether `node` satisfies the selector program (any term). */
export function selectorMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array): boolean {
  const terms = program[0] as number;
  if (terms < 0) return true;
  let p = 1;
  for (let t = 0; t < terms; t++) {
    if (termMatches(table, numeric, node, program, p)) return true;
    p = termEnd(program, p);
  }
  return false;
}

/** A Node object as the object-level match reads it. */
export interface NodeFields {
  readonly metadata: { readonly name?: string | undefined; readonly labels?: Readonly<Record<string, string>> | undefined };
}

function requirementMatchesObject(r: SelectorRequirement, field: number, node: NodeFields): boolean {
  const op = requirementOp(r, field);
  // extractNodeFields gives a nameless Node no field at all, and an empty field set is not compared.
  if (field !== Field.Label && (node.metadata.name ?? '') === '') return op !== Op.Invalid;
  const have = field === Field.Label ? node.metadata.labels?.[r.key] : field === Field.Name ? (node.metadata.name ?? '') : '';
  const values = r.values ?? [];
  switch (op) {
    case Op.In: return have !== undefined && values.includes(have);
    case Op.NotIn: return have === undefined || !values.includes(have);
    case Op.Exists: return have !== undefined;
    case Op.DoesNotExist: return have === undefined;
    case Op.Gt:
    case Op.Lt: {
      if (have === undefined) return false;
      const mine = labelInt(have);
      const theirs = labelInt(values[0] as string);
      return op === Op.Gt ? mine > theirs : mine < theirs;
    }
    default: return false;
  }
}

/**
 * The same match over a Node object instead of the table, for callers that hold objects (cold
 * paths: PodTopologySpread's domain counting). Same semantics as the compiled program; a Node
 * without a name is the 'labelsOnly' shape.
 */
export function nodeSelectorTermsMatchObject(terms: readonly SelectorTerm[], node: NodeFields): boolean {
  for (const term of terms) {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length + fields.length === 0) continue;
    let ok = true;
    for (const r of exprs) if (ok && !requirementMatchesObject(r, Field.Label, node)) ok = false;
    for (const r of fields) if (ok && !requirementMatchesObject(r, fieldOf(r.key), node)) ok = false;
    if (ok) return true;
  }
  return false;
}
