// Schema-aware walks over objects for server-side apply, with structured-merge-diff's
// semantics: the field set of an object, the comparison of two objects, the apply merge, and
// removal of a set of paths.
//
// How a value is treated follows its field schema (schema.ts):
//   leaf       scalars, null, atomic structs/maps, atomic lists, lists of unknown fields
//   map        objects: one path per key (struct fields and map keys alike)
//   set        lists of scalars with patchStrategy merge: one `v:` path per item
//   list-map   lists with merge keys: one `k:{…}` path per item, whose fields are paths too

import { isObject, jsonEqual, type JsonArray, type JsonObject, type JsonValue } from './json.js';
import { PathSet } from './fieldpath.js';
import { fieldOf, type FieldSchema, type TypeSchema } from './schema.js';

/** A value the schema cannot take (an item without its keys, duplicate keys…). */
export class TypedError extends Error {}

type Shape = 'leaf' | 'map' | 'set' | 'listMap';

function shapeOf(v: JsonValue, f: FieldSchema): Shape {
  if (Array.isArray(v)) {
    if (f.list === 'set') return 'set';
    if (f.list === 'map') return 'listMap';
    return 'leaf';
  }
  if (isObject(v) && !f.atomic) return 'map';
  return 'leaf';
}

function pathOf(prefix: string, key: string): string {
  return `${prefix}.${key}`;
}

/** `k:{…}` of a list-map item: its key fields (defaults filled in), sorted by name. */
export function itemKey(item: JsonValue, f: FieldSchema, where: string, index: number): string {
  if (!isObject(item)) {
    throw new TypedError(`${where}: element ${index}: expected map, got ${item === null ? 'null' : Array.isArray(item) ? 'list' : typeof item}`);
  }
  const keys = f.keys ?? [];
  let out = 'k:{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === undefined) continue;
    let v = item[k.name];
    if (v === undefined || v === null) v = k.defaultValue;
    if (v === undefined || v === null || typeof v === 'object') {
      throw new TypedError(
        `${where}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k.name)} (and doesn't have default value)`,
      );
    }
    if (i > 0) out += ',';
    out += `${JSON.stringify(k.name)}:${JSON.stringify(v)}`;
  }
  return `${out}}`;
}

function setKey(item: JsonValue): string {
  return `v:${JSON.stringify(item)}`;
}

// ---- field set (typed.ToFieldSet) ----

/** Every field path `obj` sets, as the field manager records an applied configuration. */
export function toFieldSet(obj: JsonObject, root: TypeSchema): PathSet {
  const s = new PathSet();
  visitMapToSet(obj, root, s, '');
  return s;
}

function visitMapToSet(obj: JsonObject, t: TypeSchema | undefined, s: PathSet, where: string): void {
  for (const key in obj) {
    const v = obj[key] as JsonValue;
    const f = fieldOf(t, key);
    const c = s.child(`f:${key}`);
    const shape = shapeOf(v, f);
    if (shape === 'map') {
      let empty = true;
      for (const _ in v as JsonObject) {
        empty = false;
        break;
      }
      if (empty) c.member = true;
      else visitMapToSet(v as JsonObject, f.type, c, pathOf(where, key));
    } else if (shape === 'leaf') {
      c.member = true;
    } else {
      visitListToSet(v as JsonArray, f, shape, c, pathOf(where, key));
    }
  }
}

function visitListToSet(list: JsonArray, f: FieldSchema, shape: Shape, s: PathSet, where: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    const key = shape === 'set' ? setKey(item) : itemKey(item, f, where, i);
    if (seen.has(key)) {
      throw new TypedError(`${where}: duplicate entries for key ${key.slice(2)}`);
    }
    seen.add(key);
    const c = s.child(key);
    c.member = true;
    if (shape === 'listMap') visitMapToSet(item as JsonObject, f.type, c, `${where}[${i}]`);
  }
}

// ---- comparison (typed.Compare) ----

export interface Comparison {
  readonly added: PathSet;
  readonly modified: PathSet;
  readonly removed: PathSet;
}

/**
 * What changed from `lhs` to `rhs`. A node that appears counts as added along with its contents
 * (so a new map or list item is a member with children: `"."`). `lhs` undefined is a create:
 * compared against the kind's zero value, where value structs (`spec`, `template`…) exist.
 */
export function compareObjects(lhs: JsonObject | undefined, rhs: JsonObject, root: TypeSchema): Comparison {
  const c: Comparison = { added: new PathSet(), modified: new PathSet(), removed: new PathSet() };
  compareMaps(lhs ?? {}, rhs, root, c.added, c.modified, c.removed, '');
  return c;
}

function compareMaps(
  l: JsonObject | undefined,
  r: JsonObject | undefined,
  t: TypeSchema | undefined,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  where: string,
): void {
  if (l !== undefined) {
    for (const key in l) {
      const f = fieldOf(t, key);
      const lv = l[key] as JsonValue;
      const rv = r === undefined ? undefined : r[key];
      const e = `f:${key}`;
      compareValues(lv, rv, f, added.child(e), modified.child(e), removed.child(e), pathOf(where, key));
    }
  }
  if (r !== undefined) {
    for (const key in r) {
      if (l !== undefined && key in l) continue;
      const f = fieldOf(t, key);
      // A field present in the Go zero value of an existing parent was there before.
      let lv: JsonValue | undefined;
      if (l !== undefined && f.zero !== undefined) lv = f.zero === 'object' ? {} : null;
      const e = `f:${key}`;
      compareValues(lv, r[key], f, added.child(e), modified.child(e), removed.child(e), pathOf(where, key));
    }
  }
}

function compareValues(
  l: JsonValue | undefined,
  r: JsonValue | undefined,
  f: FieldSchema,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  where: string,
): void {
  const ls = l === undefined || l === null ? undefined : shapeOf(l, f);
  const rs = r === undefined || r === null ? undefined : shapeOf(r, f);
  const shape = ls ?? rs;
  // null on one side of a map or list is an empty value that exists (a wildcard upstream).
  if (shape !== undefined && shape !== 'leaf' && (ls === undefined || rs === undefined || ls === rs)) {
    const lv = l === null ? emptyOf(shape) : l;
    const rv = r === null ? emptyOf(shape) : r;
    if (shape === 'map') {
      compareMaps(lv as JsonObject | undefined, rv as JsonObject | undefined, f.type, added, modified, removed, where);
    } else {
      compareLists(lv as JsonArray | undefined, rv as JsonArray | undefined, f, shape, added, modified, removed, where);
    }
    if (l === undefined) added.member = true;
    else if (r === undefined) removed.member = true;
    return;
  }
  if (l === undefined) added.member = true;
  else if (r === undefined) removed.member = true;
  else if (!jsonEqual(l, r)) modified.member = true;
}

function emptyOf(shape: Shape): JsonValue {
  return shape === 'map' ? {} : [];
}

function indexList(list: JsonArray, f: FieldSchema, shape: Shape, where: string): Map<string, JsonValue> {
  const m = new Map<string, JsonValue>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    const key = shape === 'set' ? setKey(item) : itemKey(item, f, where, i);
    // Duplicates in a live object are kept as they are; the first one wins.
    if (!m.has(key)) m.set(key, item);
  }
  return m;
}

function compareLists(
  l: JsonArray | undefined,
  r: JsonArray | undefined,
  f: FieldSchema,
  shape: Shape,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  where: string,
): void {
  const lm = l === undefined ? new Map<string, JsonValue>() : indexList(l, f, shape, where);
  const rm = r === undefined ? new Map<string, JsonValue>() : indexList(r, f, shape, where);
  for (const [key, lv] of lm) {
    const rv = rm.get(key);
    if (shape === 'set') {
      if (rv === undefined) removed.child(key).member = true;
      continue;
    }
    compareMaps(lv as JsonObject, rv as JsonObject | undefined, f.type, added.child(key), modified.child(key), removed.child(key), where);
    if (rv === undefined) removed.child(key).member = true;
  }
  for (const [key, rv] of rm) {
    if (lm.has(key)) continue;
    if (shape === 'listMap') {
      compareMaps(undefined, rv as JsonObject, f.type, added.child(key), modified.child(key), removed.child(key), where);
    }
    added.child(key).member = true;
  }
}

// ---- apply merge (typed.Merge with the applied configuration winning) ----

/**
 * `live` with `config` merged in: config's leaves win, maps merge, atomic lists are replaced,
 * sets and list-maps merge item by item (shared items keep config's order). Nulls in config
 * remove the field. Neither input is mutated.
 */
export function mergeApplied(live: JsonObject, config: JsonObject, root: TypeSchema): JsonObject {
  return mergeMaps(live, config, root, '');
}

function mergeMaps(l: JsonObject, r: JsonObject, t: TypeSchema | undefined, where: string): JsonObject {
  const out: JsonObject = { ...l };
  for (const key in r) {
    const rv = r[key] as JsonValue;
    if (rv === null) {
      delete out[key];
      continue;
    }
    const lv = l[key];
    const f = fieldOf(t, key);
    out[key] = lv === undefined || lv === null ? stripNulls(rv, f) : mergeValues(lv, rv, f, pathOf(where, key));
  }
  return out;
}

function stripNulls(v: JsonValue, f: FieldSchema): JsonValue {
  if (Array.isArray(v)) {
    if (f.list !== 'map') return v;
    return v.map((x) => (isObject(x) ? stripNulls(x, { ...f, list: undefined, atomic: false }) : x));
  }
  if (!isObject(v) || f.atomic) return v;
  const out: JsonObject = {};
  for (const k in v) {
    const x = v[k] as JsonValue;
    if (x !== null) out[k] = stripNulls(x, fieldOf(f.type, k));
  }
  return out;
}

function mergeValues(l: JsonValue, r: JsonValue, f: FieldSchema, where: string): JsonValue {
  const ls = shapeOf(l, f);
  const rs = shapeOf(r, f);
  if (ls !== rs || rs === 'leaf') return stripNulls(r, f);
  if (rs === 'map') return mergeMaps(l as JsonObject, r as JsonObject, f.type, where);
  return mergeLists(l as JsonArray, r as JsonArray, f, rs, where);
}

/**
 * Merges list items keyed by path element. Live-only items keep their place; items in both
 * follow the configuration's order; new items are placed where the configuration puts them.
 */
function mergeLists(l: JsonArray, r: JsonArray, f: FieldSchema, shape: Shape, where: string): JsonArray {
  const lKeys: string[] = new Array<string>(l.length);
  const rKeys: string[] = new Array<string>(r.length);
  for (let i = 0; i < l.length; i++) lKeys[i] = shape === 'set' ? setKey(l[i] as JsonValue) : itemKey(l[i] as JsonValue, f, where, i);
  const rSeen = new Map<string, JsonValue>();
  for (let i = 0; i < r.length; i++) {
    const key = shape === 'set' ? setKey(r[i] as JsonValue) : itemKey(r[i] as JsonValue, f, where, i);
    if (rSeen.has(key)) throw new TypedError(`${where}: duplicate entries for key ${key.slice(2)}`);
    rSeen.set(key, r[i] as JsonValue);
    rKeys[i] = key;
  }
  const lSeen = new Map<string, JsonValue>();
  for (let i = 0; i < l.length; i++) {
    const key = lKeys[i] as string;
    if (!lSeen.has(key)) lSeen.set(key, l[i] as JsonValue);
  }
  // Items in both, in the configuration's order.
  const shared: string[] = [];
  for (const key of rKeys) if (lSeen.has(key)) shared.push(key);
  let sharedAt = 0;
  const merged = new Set<string>();
  const out: JsonArray = [];
  const item = (key: string): JsonValue => {
    const lv = lSeen.get(key);
    const rv = rSeen.get(key);
    if (rv === undefined) return lv as JsonValue;
    if (lv === undefined || shape === 'set') return stripNulls(rv, { ...f, list: undefined, atomic: false });
    return mergeMaps(lv as JsonObject, rv as JsonObject, f.type, where);
  };
  let li = 0;
  let ri = 0;
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const lk = lKeys[li] as string;
      if (lk === rKeys[ri]) {
        merged.add(lk);
        out.push(item(lk));
        li++;
        ri++;
        sharedAt++;
        continue;
      }
      if (rSeen.has(lk) && sharedAt < shared.length && shared[sharedAt] !== lk) {
        // A shared item, but not the next one in the configuration's order: it comes later.
        li++;
        continue;
      }
    }
    if (li < l.length) {
      const lk = lKeys[li] as string;
      if (!rSeen.has(lk)) {
        out.push(l[li] as JsonValue);
        li++;
        continue;
      }
      if (merged.has(lk)) {
        li++;
        continue;
      }
    }
    if (ri < r.length) {
      const rk = rKeys[ri] as string;
      merged.add(rk);
      out.push(item(rk));
      ri++;
      if (sharedAt < shared.length && shared[sharedAt] === rk) sharedAt++;
    }
  }
  return out;
}

// ---- removal (typed.RemoveItems) ----

/**
 * `obj` without the paths of `remove` (a new object; `obj` is not mutated). A member that is a
 * list item or a leaf goes with everything under it; a struct with fields left is kept (its
 * fields are removed one by one). Maps and lists emptied by the removal are dropped.
 */
export function removePaths(obj: JsonObject, remove: PathSet, root: TypeSchema): JsonObject {
  return removeFromMap(obj, remove, root, '') ?? {};
}

function removeFromMap(obj: JsonObject, s: PathSet, t: TypeSchema | undefined, where: string): JsonObject | undefined {
  if (s.children === undefined) return obj;
  let out: JsonObject | undefined;
  for (const [e, c] of s.children) {
    if (e.charCodeAt(0) !== 102 /* f */) continue;
    const key = e.slice(2);
    const v = obj[key];
    if (v === undefined) continue;
    const f = fieldOf(t, key);
    const shape = v === null ? 'leaf' : shapeOf(v, f);
    let next: JsonValue | undefined = v;
    if (c.member && (shape !== 'map' || isEmptyObject(v))) next = undefined;
    else if (shape === 'map') next = removeFromMap(v as JsonObject, c, f.type, pathOf(where, key));
    else if (shape === 'set' || shape === 'listMap') next = removeFromList(v as JsonArray, c, f, shape, pathOf(where, key));
    if (next === v) continue;
    out ??= { ...obj };
    if (next === undefined) delete out[key];
    else out[key] = next;
  }
  if (out === undefined) return obj;
  for (const _ in out) return out;
  return undefined;
}

function removeFromList(list: JsonArray, s: PathSet, f: FieldSchema, shape: Shape, where: string): JsonArray | undefined {
  if (s.children === undefined) return list;
  let changed = false;
  const out: JsonArray = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    const key = shape === 'set' ? setKey(item) : itemKey(item, f, where, i);
    const c = s.get(key);
    if (c === undefined) {
      out.push(item);
      continue;
    }
    if (c.member) {
      changed = true;
      continue;
    }
    const next = shape === 'listMap' ? removeFromMap(item as JsonObject, c, f.type, where) : item;
    if (next !== item) changed = true;
    if (next !== undefined) out.push(next);
  }
  if (!changed) return list;
  return out.length === 0 ? undefined : out;
}

function isEmptyObject(v: JsonValue): boolean {
  if (!isObject(v)) return false;
  for (const _ in v) return false;
  return true;
}
