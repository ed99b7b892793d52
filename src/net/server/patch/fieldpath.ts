// Sets of field paths (sigs.k8s.io/structured-merge-diff's fieldpath.Set), as a trie keyed by
// path elements in their FieldsV1 spelling:
//
//   f:<name>            a field of a struct or map          .spec
//   k:{"name":"nginx"}  an item of an associative list      [name="nginx"]
//   v:"finalizer"       an item of a set                    [="finalizer"]
//   i:0                 an item of a list by index          [0]
//
// A node is a *member* when the path to it is in the set; it may also have children. FieldsV1
// writes a member as `{}`, and a member with children as `{".":{}, …children}`:
//
//   {"f:metadata":{"f:labels":{"f:app":{}}},
//    "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}}}}

import { isObject, type JsonObject, type JsonValue } from './json.js';

export class PathSet {
  /** The path to this node is in the set. */
  member = false;
  /** Children by path element (insertion order; sorted when serialized). */
  children: Map<string, PathSet> | undefined = undefined;

  child(key: string): PathSet {
    let c = this.children?.get(key);
    if (c === undefined) {
      c = new PathSet();
      (this.children ??= new Map()).set(key, c);
    }
    return c;
  }

  get(key: string): PathSet | undefined {
    return this.children?.get(key);
  }

  /** No child has a member below it. */
  isEmptyChildren(): boolean {
    if (this.children === undefined) return true;
    for (const c of this.children.values()) {
      if (!c.isEmpty()) return false;
    }
    return true;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    if (this.children === undefined) return true;
    for (const c of this.children.values()) {
      if (!c.isEmpty()) return false;
    }
    return true;
  }

  copy(): PathSet {
    const out = new PathSet();
    out.member = this.member;
    if (this.children !== undefined) {
      for (const [k, c] of this.children) {
        if (!c.isEmpty()) (out.children ??= new Map()).set(k, c.copy());
      }
    }
    return out;
  }

  /** Adds every path of `other` to this set (in place). */
  unionInPlace(other: PathSet): this {
    if (other.member) this.member = true;
    if (other.children !== undefined) {
      for (const [k, c] of other.children) this.child(k).unionInPlace(c);
    }
    return this;
  }

  /** Removes every path of `other` from this set (in place); returns whether anything changed. */
  subtractInPlace(other: PathSet): boolean {
    let changed = false;
    if (other.member && this.member) {
      this.member = false;
      changed = true;
    }
    if (other.children !== undefined && this.children !== undefined) {
      for (const [k, oc] of other.children) {
        const c = this.children.get(k);
        if (c === undefined) continue;
        if (c.subtractInPlace(oc)) changed = true;
        if (c.isEmpty()) this.children.delete(k);
      }
    }
    return changed;
  }

  /** The paths in both sets (new set). */
  intersection(other: PathSet): PathSet {
    const out = new PathSet();
    out.member = this.member && other.member;
    if (this.children !== undefined && other.children !== undefined) {
      for (const [k, c] of this.children) {
        const oc = other.children.get(k);
        if (oc === undefined) continue;
        const i = c.intersection(oc);
        if (!i.isEmpty()) (out.children ??= new Map()).set(k, i);
      }
    }
    return out;
  }

  equals(other: PathSet): boolean {
    if (this.member !== other.member) return false;
    const a = this.children;
    const b = other.children;
    let na = 0;
    if (a !== undefined) {
      for (const [k, c] of a) {
        if (c.isEmpty()) continue;
        na++;
        const oc = b?.get(k);
        if (oc === undefined || !c.equals(oc)) return false;
      }
    }
    let nb = 0;
    if (b !== undefined) {
      for (const c of b.values()) if (!c.isEmpty()) nb++;
    }
    return na === nb;
  }

  /** Every member path, in FieldsV1 order, as lists of elements. */
  members(): string[][] {
    const out: string[][] = [];
    collectMembers(this, [], out);
    return out;
  }
}

function collectMembers(s: PathSet, prefix: string[], out: string[][]): void {
  if (s.member && prefix.length > 0) out.push(prefix.slice());
  if (s.children === undefined) return;
  for (const k of sortedKeys(s.children)) {
    const c = s.children.get(k) as PathSet;
    prefix.push(k);
    collectMembers(c, prefix, out);
    prefix.pop();
  }
}

// ---- ordering (PathElement.Compare): fields < keys < values < indexes ----

function elementRank(key: string): number {
  switch (key.charCodeAt(0)) {
    case 102: // f
      return 0;
    case 107: // k
      return 1;
    case 118: // v
      return 2;
    default:
      return 3;
  }
}

function valueRank(v: JsonValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'number':
      return 1;
    case 'string':
      return 2;
    case 'boolean':
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** PathElement.Compare on FieldsV1 keys: fields < keys < values < indexes, then by content. */
export function compareElements(a: string, b: string): number {
  // Fields (the common case): same prefix, so the whole strings compare as the names do.
  if (a.charCodeAt(0) === 102 && b.charCodeAt(0) === 102) return a < b ? -1 : a > b ? 1 : 0;
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  const pa = a.slice(2);
  const pb = b.slice(2);
  switch (ra) {
    case 0:
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    case 1: {
      // Key fields are sorted by name in both; compare name, then value, field by field.
      const ka = JSON.parse(pa) as JsonObject;
      const kb = JSON.parse(pb) as JsonObject;
      const na = Object.keys(ka);
      const nb = Object.keys(kb);
      for (let i = 0; ; i++) {
        if (i >= na.length || i >= nb.length) return na.length - nb.length;
        const x = na[i] as string;
        const y = nb[i] as string;
        if (x !== y) return x < y ? -1 : 1;
        const c = compareValues(ka[x] as JsonValue, kb[y] as JsonValue);
        if (c !== 0) return c;
      }
    }
    case 2:
      return compareValues(JSON.parse(pa) as JsonValue, JSON.parse(pb) as JsonValue);
    default:
      return Number(pa) - Number(pb);
  }
}

function sortedKeys(m: Map<string, PathSet>): string[] {
  const keys: string[] = [];
  for (const [k, c] of m) if (!c.isEmpty()) keys.push(k);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (compareElements(keys[i - 1] as string, keys[i] as string) > 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) keys.sort(compareElements);
  return keys;
}

// ---- FieldsV1 ----

/** The FieldsV1 object of a set (members as `{}`, `"."` for a member with children). */
export function toFieldsV1(s: PathSet): JsonObject {
  return childrenToJson(s) ?? {};
}

/** The children of `s` as FieldsV1, sorted; undefined when no child holds a member. */
function childrenToJson(s: PathSet): JsonObject | undefined {
  const children = s.children;
  if (children === undefined) return undefined;
  let sorted = true;
  let prev: string | undefined;
  for (const k of children.keys()) {
    if (prev !== undefined && compareElements(prev, k) > 0) {
      sorted = false;
      break;
    }
    prev = k;
  }
  const keys = sorted ? children.keys() : [...children.keys()].sort(compareElements);
  let out: JsonObject | undefined;
  for (const k of keys) {
    const j = nodeToJson(children.get(k) as PathSet);
    if (j === undefined) continue;
    (out ??= {})[k] = j;
  }
  return out;
}

function nodeToJson(s: PathSet): JsonObject | undefined {
  const children = childrenToJson(s);
  if (children === undefined) return s.member ? {} : undefined;
  if (!s.member) return children;
  // `"."` first: a member that also has children.
  return { '.': {}, ...children };
}

/** Parses FieldsV1; returns undefined when it is not a FieldsV1 object. */
export function fromFieldsV1(v: JsonValue | undefined): PathSet | undefined {
  if (!isObject(v)) return undefined;
  const s = new PathSet();
  return parseNode(v, s) ? s : undefined;
}

function parseNode(v: JsonObject, s: PathSet): boolean {
  for (const k in v) {
    const c = v[k];
    if (!isObject(c)) return false;
    if (k === '.') {
      s.member = true;
      continue;
    }
    const r = elementRank(k);
    if (k.charCodeAt(1) !== 58 /* : */ || (r === 3 && k.charCodeAt(0) !== 105 /* i */)) return false;
    const child = s.child(k);
    let hasChildren = false;
    for (const _ in c) {
      hasChildren = true;
      break;
    }
    if (!hasChildren) child.member = true;
    else if (!parseNode(c, child)) return false;
  }
  return true;
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="nginx"].image`. */
export function pathString(elements: readonly string[]): string {
  let out = '';
  for (const e of elements) {
    const body = e.slice(2);
    switch (e.charCodeAt(0)) {
      case 102: // f
        out += `.${body}`;
        break;
      case 107: {
        const key = JSON.parse(body) as JsonObject;
        const parts: string[] = [];
        for (const name of Object.keys(key)) parts.push(`${name}=${JSON.stringify(key[name])}`);
        out += `[${parts.join(',')}]`;
        break;
      }
      case 118: // v
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}

/**
 * FieldsV1 `v` without the paths of `s`, computed on the JSON itself (no trie is built): the
 * same object when nothing is removed, so entries a write does not touch are reused as they are.
 * Returns an empty object when every path went.
 */
export function subtractFieldsV1(v: JsonObject, s: PathSet): JsonObject {
  if (s.children === undefined) return v;
  let out: JsonObject | undefined;
  for (const [k, sc] of s.children) {
    const jc = v[k];
    if (!isObject(jc)) continue;
    let hasKeys = false;
    for (const _ in jc) {
      hasKeys = true;
      break;
    }
    let next: JsonObject | undefined = jc;
    if (!hasKeys) {
      // A member without children.
      if (sc.member) next = undefined;
    } else {
      let r = subtractFieldsV1(jc, sc);
      if (sc.member && '.' in r) {
        r = { ...r };
        delete r['.'];
      }
      let n = 0;
      let onlyDot = true;
      for (const rk in r) {
        n++;
        if (rk !== '.') onlyDot = false;
      }
      if (n === 0) next = undefined;
      else if (onlyDot) next = {};
      else next = r;
    }
    if (next === jc) continue;
    out ??= { ...v };
    if (next === undefined) delete out[k];
    else out[k] = next;
  }
  return out ?? v;
}
