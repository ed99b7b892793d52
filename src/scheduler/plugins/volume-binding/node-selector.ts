// Node selectors of volumes (a PV's spec.nodeAffinity.required, a StorageClass's allowedTopologies)
// compiled to flat Int32Array programs over interned label ids, evaluated against the node table's
// label columns on any thread:
//
//   program = termCount, term*          termCount -1: no constraint (matches every node)
//   term    = reqCount, req*            a term with no requirements matches nothing
//   req     = keyId, op, valueCount, valueId*
//
// As volume.CheckNodeAffinity, which matches a Node carrying only labels: matchFields never match.
import type { InternTable } from '../../workers/intern.js';
import type { NodeTable } from '../../workers/node-table.js';

const Op = { In: 0, NotIn: 1, Exists: 2, DoesNotExist: 3, Gt: 4, Lt: 5, Never: 6 } as const;

function opCode(op: string): number {
  switch (op) {
    case 'In': return Op.In;
    case 'NotIn': return Op.NotIn;
    case 'Exists': return Op.Exists;
    case 'DoesNotExist': return Op.DoesNotExist;
    case 'Gt': return Op.Gt;
    case 'Lt': return Op.Lt;
    default: return Op.Never;
  }
}

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | undefined;
}

export interface SelectorTerm {
  readonly matchExpressions?: readonly Requirement[] | undefined;
  readonly matchFields?: readonly Requirement[] | undefined;
}

export const matchAll: Int32Array = Int32Array.of(-1);

/** nodeSelectorTerms (ORed; each the AND of its requirements). undefined: no constraint. */
export function compileNodeSelector(terms: readonly SelectorTerm[] | undefined, intern: InternTable): Int32Array {
  if (terms === undefined) return matchAll;
  const out: number[] = [terms.length];
  for (const t of terms) {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    out.push(exprs.length + fields.length);
    for (const r of exprs) {
      const values = r.values ?? [];
      out.push(intern.intern(r.key), opCode(r.operator), values.length);
      for (const v of values) out.push(intern.intern(v));
    }
    for (const r of fields) out.push(intern.intern(r.key), Op.Never, 0);
  }
  return Int32Array.from(out);
}

/** A StorageClass's allowedTopologies (matchLabelExpressions: key In values). Empty: no constraint. */
export function compileTopology(terms: readonly { readonly matchLabelExpressions?: readonly { readonly key: string; readonly values: readonly string[] }[] | undefined }[] | undefined, intern: InternTable): Int32Array {
  if (terms === undefined || terms.length === 0) return matchAll;
  return compileNodeSelector(
    terms.map((t) => ({ matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values })) })),
    intern,
  );
}

function reqMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array, p: number): boolean {
  const keyId = program[p] as number;
  const op = program[p + 1] as number;
  const n = program[p + 2] as number;
  const vals = p + 3;
  const have = table.labelValueOf(node, keyId);
  switch (op) {
    case Op.In:
      if (have < 0) return false;
      for (let v = 0; v < n; v++) if (program[vals + v] === have) return true;
      return false;
    case Op.NotIn:
      if (have < 0) return true;
      for (let v = 0; v < n; v++) if (program[vals + v] === have) return false;
      return true;
    case Op.Exists: return have >= 0;
    case Op.DoesNotExist: return have < 0;
    case Op.Gt:
    case Op.Lt: {
      if (have < 0 || n !== 1) return false;
      const mine = numeric[have] as number;
      const theirs = numeric[program[vals] as number] as number;
      return op === Op.Gt ? mine > theirs : mine < theirs;
    }
    default: return false;
  }
}

/** Whether `node` satisfies the program. */
export function selectorMatches(table: NodeTable, numeric: Float64Array, node: number, program: Int32Array): boolean {
  const terms = program[0] as number;
  if (terms < 0) return true;
  let p = 1;
  for (let t = 0; t < terms; t++) {
    const reqCount = program[p++] as number;
    let ok = reqCount > 0;
    for (let r = 0; r < reqCount; r++) {
      if (ok && !reqMatches(table, numeric, node, program, p)) ok = false;
      p += 3 + (program[p + 2] as number);
    }
    if (ok) return true;
  }
  return false;
}
