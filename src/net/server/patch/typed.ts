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
import { PathSet, compareElements } from './fieldpath.js';
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
    if (shape === 'listMap' && !f.atomicItems) visitMapToSet(item as JsonObject, f.type, c, `${where}[${i}]`);
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
 * Subtrees shared by reference or equal are skipped without allocating.
 */
export function compareObjects(
  lhs: JsonObject | undefined,
  rhs: JsonObject,
  root: TypeSchema,
  scope: RootScope = allFields,
): Comparison {
  const c: Comparison = { added: new PathSet(), modified: new PathSet(), removed: new PathSet() };
  compareMaps(scoped(lhs ?? {}, scope), scoped(rhs, scope), root, c.added, c.modified, c.removed, '');
  return c;
}

/** Which top-level fields a comparison looks at (the others are not tracked: skip the work). */
export type RootScope =
  | { readonly only: string }
  | { readonly except: ReadonlySet<string> };

const allFields: RootScope = { except: new Set() };

function scoped(o: JsonObject, scope: RootScope): JsonObject {
  if ('only' in scope) {
    const v = o[scope.only];
    return v === undefined ? {} : { [scope.only]: v };
  }
  let out: JsonObject | undefined;
  for (const k of scope.except) {
    if (!(k in o)) continue;
    out ??= { ...o };
    delete out[k];
  }
  return out ?? o;
}

function compareMaps(
  l: JsonObject,
  r: JsonObject,
  t: TypeSchema | undefined,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  where: string,
): void {
  for (const key in l) {
    const lv = l[key] as JsonValue;
    const rv = r[key];
    if (lv === rv) continue;
    const f = fieldOf(t, key);
    const e = `f:${key}`;
    if (rv === undefined) {
      markAll(lv, f, removed.child(e), where);
      continue;
    }
    if (jsonEqual(lv, rv)) continue;
    compareValues(lv, rv, f, added, modified, removed, e, where, key);
  }
  for (const key in r) {
    if (key in l) continue;
    const rv = r[key] as JsonValue;
    const f = fieldOf(t, key);
    const e = `f:${key}`;
    if (f.zero !== undefined) {
      // Present in the Go zero value of this (existing) parent: it was there before.
      const zero: JsonValue = f.zero === 'object' ? {} : null;
      if (!jsonEqual(zero, rv)) compareValues(zero, rv, f, added, modified, removed, e, where, key);
      continue;
    }
    markAll(rv, f, added.child(e), where);
  }
}

/** Both sides present and different. */
function compareValues(
  l: JsonValue,
  r: JsonValue,
  f: FieldSchema,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  e: string,
  where: string,
  key: string,
): void {
  const ls = l === null ? undefined : shapeOf(l, f);
  const rs = r === null ? undefined : shapeOf(r, f);
  const shape = ls ?? rs;
  // null on one side of a map or list is an empty value that exists (a wildcard upstream).
  if (shape !== undefined && shape !== 'leaf' && (ls === undefined || rs === undefined || ls === rs)) {
    const path = pathOf(where, key);
    if (shape === 'map') {
      compareMaps(
        (l === null ? {} : l) as JsonObject,
        (r === null ? {} : r) as JsonObject,
        f.type,
        added.child(e),
        modified.child(e),
        removed.child(e),
        path,
      );
    } else {
      compareLists(
        (l === null ? [] : l) as JsonArray,
        (r === null ? [] : r) as JsonArray,
        f,
        shape,
        added.child(e),
        modified.child(e),
        removed.child(e),
        path,
      );
    }
    return;
  }
  modified.child(e).member = true;
}

/** Marks `v` and everything under it (an added or a removed subtree). */
function markAll(v: JsonValue, f: FieldSchema, s: PathSet, where: string): void {
  s.member = true;
  if (v === null) return;
  const shape = shapeOf(v, f);
  if (shape === 'map') {
    const m = v as JsonObject;
    for (const key in m) {
      markAll(m[key] as JsonValue, fieldOf(f.type, key), s.child(`f:${key}`), where);
    }
  } else if (shape === 'set') {
    const list = v as JsonArray;
    for (let i = 0; i < list.length; i++) s.child(setKey(list[i] as JsonValue)).member = true;
  } else if (shape === 'listMap') {
    const list = v as JsonArray;
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as JsonValue;
      const c = s.child(itemKey(item, f, where, i));
      c.member = true;
      if (f.atomicItems) continue;
      const m = item as JsonObject;
      for (const key in m) markAll(m[key] as JsonValue, fieldOf(f.type, key), c.child(`f:${key}`), where);
    }
  }
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
  l: JsonArray,
  r: JsonArray,
  f: FieldSchema,
  shape: Shape,
  added: PathSet,
  modified: PathSet,
  removed: PathSet,
  where: string,
): void {
  const lm = indexList(l, f, shape, where);
  const rm = indexList(r, f, shape, where);
  for (const [key, lv] of lm) {
    const rv = rm.get(key);
    if (rv === undefined) {
      if (shape === 'set') removed.child(key).member = true;
      else markItem(lv as JsonObject, f, removed.child(key), where);
      continue;
    }
    if (shape === 'set' || lv === rv || jsonEqual(lv, rv)) continue;
    if (f.atomicItems) {
      modified.child(key).member = true;
      continue;
    }
    compareMaps(lv as JsonObject, rv as JsonObject, f.type, added.child(key), modified.child(key), removed.child(key), where);
  }
  for (const [key, rv] of rm) {
    if (lm.has(key)) continue;
    if (shape === 'set') added.child(key).member = true;
    else markItem(rv as JsonObject, f, added.child(key), where);
  }
}

function markItem(item: JsonObject, f: FieldSchema, s: PathSet, where: string): void {
  s.member = true;
  if (f.atomicItems) return;
  for (const key in item) markAll(item[key] as JsonValue, fieldOf(f.type, key), s.child(`f:${key}`), where);
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
    if (lv === undefined || shape === 'set' || f.atomicItems) return stripNulls(rv, { ...f, list: undefined, atomic: false });
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
 * list item or a leaf goes with everything under it; a map or list keeps what is not removed
 * under it. Maps and lists emptied by the removal are dropped.
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
    // Only what the object's own field set holds as a member goes whole: leaves, nulls, empty
    // maps. A granular map or list is never a member of it (only its contents are), so a set
    // that owns one as a member (an Update entry's ".") only removes what is under it.
    if (c.member && (shape === 'leaf' || isEmptyObject(v))) next = undefined;
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

// ---- FieldsV1 of a create, built directly (the hot path of every create) ----

function sortedFieldKeys(m: JsonObject): string[] {
  const keys = Object.keys(m);
  if (keys.length > 1) keys.sort();
  return keys;
}

/**
 * The FieldsV1 an Update entry gets for creating `obj`: what compareObjects(undefined, obj) then
 * toFieldsV1 give, without building a path trie. Fields outside `scope` and the metadata
 * bookkeeping fields in `metadataSkip` are left out. Undefined when nothing is tracked.
 */
export function createdFieldsV1(
  obj: JsonObject,
  root: TypeSchema,
  scope: RootScope,
  metadataSkip: ReadonlySet<string>,
): JsonObject | undefined {
  return zeroMapFields(scoped(obj, scope), root, '', metadataSkip);
}

/** Children of a map that existed before (as `{}` in the zero value): no member of its own. */
function zeroMapFields(
  m: JsonObject,
  t: TypeSchema | undefined,
  where: string,
  skip: ReadonlySet<string> | undefined,
): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const key of sortedFieldKeys(m)) {
    if (skip !== undefined && skip.has(key)) continue;
    const v = m[key] as JsonValue;
    const f = fieldOf(t, key);
    let node: JsonObject | undefined;
    if (f.zero === undefined) {
      node = addedFields(v, f, pathOf(where, key));
    } else {
      const zero: JsonValue = f.zero === 'object' ? {} : null;
      if (jsonEqual(zero, v)) continue;
      const shape = v === null ? undefined : shapeOf(v, f);
      if (shape === 'map' && f.zero === 'object') {
        node = zeroMapFields(v as JsonObject, f.type, pathOf(where, key), key === 'metadata' && where === '' ? skip : undefined);
      } else if ((shape === 'set' || shape === 'listMap') && f.zero === 'null') {
        node = listItemFields(v as JsonArray, f, shape, pathOf(where, key));
      } else {
        node = {};
      }
    }
    if (node !== undefined) (out ??= {})[`f:${key}`] = node;
  }
  return out;
}

/** The node of a value that was added, with everything under it. */
function addedFields(v: JsonValue, f: FieldSchema, where: string): JsonObject {
  if (v === null) return {};
  const shape = shapeOf(v, f);
  if (shape === 'leaf') return {};
  const children =
    shape === 'map'
      ? addedMapFields(v as JsonObject, f.type, where)
      : listItemFields(v as JsonArray, f, shape, where);
  return children === undefined ? {} : { '.': {}, ...children };
}

function addedMapFields(m: JsonObject, t: TypeSchema | undefined, where: string): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const key of sortedFieldKeys(m)) {
    (out ??= {})[`f:${key}`] = addedFields(m[key] as JsonValue, fieldOf(t, key), pathOf(where, key));
  }
  return out;
}

function listItemFields(list: JsonArray, f: FieldSchema, shape: Shape, where: string): JsonObject | undefined {
  if (list.length === 0) return undefined;
  const keys: string[] = new Array<string>(list.length);
  const nodes = new Map<string, JsonObject>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as JsonValue;
    const key = shape === 'set' ? setKey(item) : itemKey(item, f, where, i);
    if (nodes.has(key)) throw new TypedError(`${where}: duplicate entries for key ${key.slice(2)}`);
    keys[i] = key;
    let node: JsonObject = {};
    if (shape === 'listMap' && !f.atomicItems) {
      const children = addedMapFields(item as JsonObject, f.type, where);
      if (children !== undefined) node = { '.': {}, ...children };
    }
    nodes.set(key, node);
  }
  if (keys.length > 1) keys.sort(compareElements);
  const out: JsonObject = {};
  for (const k of keys) out[k] = nodes.get(k) as JsonObject;
  return out;
}
