// Strategic merge patch (application/strategic-merge-patch+json), with the semantics of
// k8s.io/apimachinery/pkg/util/strategicpatch as kube-apiserver runs it
// (StrategicMergeMapPatch: MergeParallelList and IgnoreUnmatchedNulls on).
//
//   maps                merged key by key; `null` deletes a key
//   lists, no strategy  replaced whole (tolerations, command, args…)
//   lists, merge + key  items matched by merge key and merged; new items go first, in patch order
//   scalar lists, merge union without duplicates (finalizers)
//   directives          {$patch: replace|delete} on a map; {$patch: delete, <key>: v} and
//                       {$patch: replace} items in a merge list; $retainKeys: [...];
//                       $setElementOrder/<list>: [...]; $deleteFromPrimitiveList/<list>: [...]
//
// Worked example (kubectl apply after changing the image; live has containers [nginx, sidecar]):
//   patch  {"$setElementOrder/containers":[{"name":"nginx"}],
//           "containers":[{"image":"nginx:1.16.1","name":"nginx"}]}
//   result containers [nginx (image nginx:1.16.1, other fields kept), sidecar]

import {
  cloneJson,
  isObject,
  type Gvk,
  type JsonArray,
  type JsonObject,
  type JsonValue,
} from './json.js';
import { fieldOf, rootSchema, type FieldSchema, type TypeSchema } from './schema.js';
import { goFormat, patchBadRequest, patchInternal, patchUnprocessable } from './errors.js';
import type { StatusError } from '../../../core/errors.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';

// mergepatch's sentinel errors; the first group becomes 400, the second 422, as in
// interpretStrategicMergePatchError.
const errBadPatchFormatForPrimitiveList = 'invalid patch format of primitive list';
const errBadPatchFormatForRetainKeys = 'invalid patch format of retainKeys';
const errBadPatchFormatForSetElementOrderList = 'invalid patch format of setElementOrder list';
const errNoListOfLists = 'lists of lists are not supported';

class SmpError extends Error {
  constructor(
    message: string,
    readonly kind: 'badRequest' | 'unprocessable' | 'internal',
  ) {
    super(message);
  }
}

function toStatus(e: SmpError): StatusError {
  switch (e.kind) {
    case 'badRequest':
      return patchBadRequest(e.message);
    case 'unprocessable':
      return patchUnprocessable();
    case 'internal':
      return patchInternal(e.message);
    default: {
      const never: never = e.kind;
      return never;
    }
  }
}

function errNoMergeKey(m: JsonObject, key: string): SmpError {
  return new SmpError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`, 'internal');
}

function errBadPatchType(t: JsonValue | undefined, m: JsonObject): SmpError {
  return new SmpError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`, 'internal');
}

type ElemKind = 'map' | 'string' | 'number' | 'bool' | 'null';

function kindOf(v: JsonValue): ElemKind | 'list' {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return Array.isArray(v) ? 'list' : 'map';
  }
}

/** reflect.Kind of a decoded JSON value, as Go error texts name it (ints are kept as int64). */
function goKind(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return Array.isArray(v) ? 'slice' : 'map';
  }
}

/** The one element kind of the given lists (Go: sliceElementType). */
function sliceElementKind(a: JsonArray | undefined, b: JsonArray | undefined): ElemKind {
  let kind: ElemKind | 'list' | undefined;
  for (const s of [a, b]) {
    if (s === undefined) continue;
    for (let i = 0; i < s.length; i++) {
      const k = kindOf(s[i] as JsonValue);
      if (kind === undefined) {
        if (k === 'list') throw new SmpError(errNoListOfLists, 'unprocessable');
        kind = k;
      } else if (kind !== k) {
        const shown = [a ?? [], b ?? []];
        throw new SmpError(`list element types are not identical: ${goFormat(shown)}`, 'internal');
      }
    }
  }
  if (kind === undefined || kind === 'list') {
    throw new SmpError('no elements in any of the given slices', 'internal');
  }
  return kind;
}

/**
 * A value copied from the patch into the result: directive keys and nulls dropped, as decoding
 * the result into the kind's Go struct would drop them.
 */
function cleanInserted(v: JsonValue): JsonValue {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array<JsonValue>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cleanInserted(v[i] as JsonValue);
    return out;
  }
  const out: JsonObject = {};
  for (const k in v) {
    const x = v[k] as JsonValue;
    if (x === null || k.charCodeAt(0) === 36 /* $ */) continue;
    out[k] = cleanInserted(x);
  }
  return out;
}

/** Splits `$setElementOrder/containers` into `containers`; errors as extractKey does. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListPrefix) {
      throw new SmpError(errBadPatchFormatForPrimitiveList, 'badRequest');
    }
    throw new SmpError(errBadPatchFormatForSetElementOrderList, 'badRequest');
  }
  return key.slice(slash + 1);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(retainKeysDirective in patch)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw new SmpError(errBadPatchFormatForRetainKeys, 'badRequest');
  const retained = new Set<JsonValue>(list);
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) {
      continue;
    }
    // Every field the patch sets must be retained.
    if (!retained.has(k)) throw new SmpError(errBadPatchFormatForRetainKeys, 'badRequest');
  }
  for (const k of Object.keys(original)) {
    if (!retained.has(k)) delete original[k];
  }
}

/** The value of the merge key for maps, the item itself for scalars (Go: index's getValFn). */
function identity(item: JsonValue, mergeKey: string | undefined): JsonValue | undefined {
  if (mergeKey === undefined) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: JsonArray, item: JsonValue, mergeKey: string | undefined): number {
  const id = identity(item, mergeKey);
  for (let i = 0; i < list.length; i++) {
    if (identity(list[i] as JsonValue, mergeKey) === id) return i;
  }
  return -1;
}

function validateMergeKeys(mergeKey: string, list: JsonArray): void {
  for (const item of list) {
    if (!isObject(item)) {
      throw new SmpError(`expected a map, but received a ${goKind(item)}`, 'internal');
    }
    if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
  }
}

function isDeleteItem(v: JsonValue): boolean {
  return isObject(v) && v[directiveMarker] === 'delete';
}

/** Sorts `toSort` by position in `order`, stably; `$patch: delete` items go last. */
function normalizeSliceOrder(
  toSort: JsonArray,
  order: JsonArray,
  mergeKey: string | undefined,
  isMap: boolean,
): JsonArray {
  let items = toSort;
  let toDelete: JsonArray = [];
  if (isMap && mergeKey !== undefined) {
    validateMergeKeys(mergeKey, toSort);
    validateMergeKeys(mergeKey, order);
    items = toSort.filter((v) => !isDeleteItem(v));
    toDelete = toSort.filter((v) => isDeleteItem(v));
  } else {
    items = toSort.slice();
  }
  // Insertion sort with the upstream comparator (an item not found in `order` counts as
  // "less"): the same result as sort.SliceStable on lists of up to 20 items.
  const n = items.length;
  const pos = new Int32Array(n);
  for (let i = 0; i < n; i++) pos[i] = indexIn(order, items[i] as JsonValue, isMap ? mergeKey : undefined);
  for (let i = 1; i < n; i++) {
    for (let j = i; j > 0; j--) {
      const pj = pos[j] as number;
      const pk = pos[j - 1] as number;
      const less = pj >= 0 && pk >= 0 ? pj < pk : true;
      if (!less) break;
      const t = items[j] as JsonValue;
      items[j] = items[j - 1] as JsonValue;
      items[j - 1] = t;
      pos[j] = pk;
      pos[j - 1] = pj;
    }
  }
  return toDelete.length === 0 ? items : items.concat(toDelete);
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`) keeping both relative
 * orders; a server-only item goes before a patch item only when both appear in the live list in
 * that order. Items new to the live list therefore come first.
 */
function mergeSortedSlice(
  left: JsonArray,
  right: JsonArray,
  serverOrder: JsonArray,
  mergeKey: string | undefined,
): JsonArray {
  const size = left.length + right.length;
  const out: JsonArray = new Array<JsonValue>(size);
  let i = 0;
  let j = 0;
  for (let k = 0; k < size; k++) {
    if (i >= left.length) out[k] = right[j++] as JsonValue;
    else if (j >= right.length) out[k] = left[i++] as JsonValue;
    else {
      const li = indexIn(serverOrder, left[i] as JsonValue, mergeKey);
      const ri = indexIn(serverOrder, right[j] as JsonValue, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out[k] = left[i++] as JsonValue;
      else out[k] = right[j++] as JsonValue;
    }
  }
  return out;
}

function normalizeElementOrder(
  patchItems: JsonArray,
  serverOnly: JsonArray,
  patchOrder: JsonArray,
  serverOrder: JsonArray,
  mergeKey: string | undefined,
  isMap: boolean,
): JsonArray {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, isMap);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, isMap);
  return mergeSortedSlice(s, p, serverOrder, isMap ? mergeKey : undefined);
}

/** Splits `merged` into the items present in `by` and the others (server-only). */
function partition(
  merged: JsonArray,
  by: JsonArray,
  mergeKey: string | undefined,
  isMap: boolean,
): [JsonArray, JsonArray] {
  const inPatch: JsonArray = [];
  const serverOnly: JsonArray = [];
  if (!isMap) {
    const set = new Set<JsonValue>(by);
    for (const v of merged) (set.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  const key = mergeKey ?? '';
  for (const v of merged) {
    if (!isObject(v)) throw new SmpError(`expected a map, but received a ${goKind(v)}`, 'internal');
    if (!(key in v)) throw errNoMergeKey(v, key);
    const id = v[key];
    let found = false;
    for (const b of by) {
      if (!isObject(b)) throw new SmpError(`value for key ${key} is not a map.`, 'internal');
      if (key in b && b[key] === id) {
        found = true;
        break;
      }
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function dedupeScalars(s: JsonArray): JsonArray {
  // Upstream moves the last element into a duplicate's slot; order is normalized afterwards.
  const out = s.slice();
  let length = out.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (out[i] === out[j]) {
        out[j] = out[length] as JsonValue;
        out.length = length;
        length--;
        j--;
      }
    }
  }
  return out;
}

function mergeSlice(
  original: JsonArray,
  patchIn: JsonArray,
  f: FieldSchema,
  isDeleteList: boolean,
): JsonArray {
  if (original.length === 0 && patchIn.length === 0) return original;
  const kind = sliceElementKind(original, patchIn);
  const mergeKey = f.mergeKey;
  let orig = original;
  let patch = patchIn;
  let merged: JsonArray;
  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set<JsonValue>(patch);
      return orig.filter((v) => !del.has(v));
    }
    merged = dedupeScalars(orig.concat(patch.map(cleanInserted)));
  } else {
    if (mergeKey === undefined) {
      throw new SmpError('cannot merge lists without merge key for type map', 'internal');
    }
    // Special elements: {$patch: delete, key: v} removes matches, {$patch: replace} replaces.
    const plain: JsonArray = [];
    let replace = false;
    for (const v of patch) {
      const item = v as JsonObject;
      if (!(directiveMarker in item)) {
        plain.push(v);
        continue;
      }
      const directive = item[directiveMarker];
      if (directive === 'delete') {
        if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
        const id = item[mergeKey];
        orig = orig.filter((o) => !(isObject(o) && mergeKey in o && o[mergeKey] === id));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw new SmpError('merging lists cannot yet be specified in the patch', 'internal');
      } else {
        throw errBadPatchType(directive, item);
      }
    }
    if (replace) {
      orig = plain.map(cleanInserted);
      patch = [];
    } else {
      patch = plain;
    }
    merged = orig.slice();
    for (const v of patch) {
      const item = v as JsonObject;
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
      const id = item[mergeKey];
      let at = -1;
      for (let i = 0; i < merged.length; i++) {
        const o = merged[i] as JsonValue;
        if (!isObject(o)) throw new SmpError(`value for key ${i} is not a map.`, 'internal');
        if (mergeKey in o && o[mergeKey] === id) {
          at = i;
          break;
        }
      }
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, f.type);
      else merged.push(cleanInserted(item));
    }
  }
  const isMap = kind === 'map';
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey, isMap);
  return normalizeElementOrder(patchItems, serverOnly, patch, orig, mergeKey, isMap);
}

/** `$setElementOrder/<list>`: merges the list (if patched) and orders it as told. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, t: TypeSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) {
      throw new SmpError(`expected a slice, but received a ${goKind(order)}`, 'internal');
    }
    const listKey = extractKey(key, setElementOrderPrefix);
    const origV = original[listKey];
    const patchV = patch[listKey];
    const foundOriginal = origV !== undefined;
    const foundPatch = patchV !== undefined;
    if (foundOriginal && !Array.isArray(origV)) {
      throw new SmpError(`expected a slice, but received a ${goKind(origV)}`, 'internal');
    }
    if (foundPatch && !Array.isArray(patchV)) {
      throw new SmpError(`expected a slice, but received a ${goKind(patchV)}`, 'internal');
    }
    const origList = foundOriginal ? (origV as JsonArray) : undefined;
    const patchList = foundPatch ? (patchV as JsonArray) : undefined;
    const f = fieldOf(t, listKey);
    const mergeKey = f.mergeKey;
    validatePatchWithSetOrderList(patchList ?? [], order, mergeKey);
    let merged: JsonArray;
    if (origList !== undefined && patchList === undefined) merged = origList;
    else if (origList === undefined && patchList !== undefined) merged = patchList.map(cleanInserted);
    else if (origList !== undefined && patchList !== undefined) {
      merged = f.smpMerge ? mergeSlice(origList, patchList, f, false) : patchList.map(cleanInserted);
    } else continue;
    const isMap = sliceElementKind(origList, patchList) === 'map';
    const keyForOrder = mergeKey !== undefined && isMap ? mergeKey : undefined;
    const [patchItems, serverOnly] = partition(merged, order, keyForOrder, keyForOrder !== undefined);
    const serverOrder =
      origList !== undefined && patchList !== undefined && f.smpMerge && keyForOrder !== undefined
        ? aliasedServerOrder(origList, patchList, keyForOrder)
        : (origList ?? []);
    original[listKey] = normalizeElementOrder(
      patchItems,
      serverOnly,
      order,
      serverOrder,
      keyForOrder,
      keyForOrder !== undefined,
    );
    delete patch[listKey];
  }
}

/**
 * The live list as upstream's `$setElementOrder` step sees it after merging: Go's mergeSlice
 * deletes and appends in place in the live list's backing array, and the ordering step then
 * reads that array through the live list's original length. kubectl's patches depend on it:
 *
 *   live [1, 2, 4], patch [{3}, {$patch: delete, 1}]:
 *     delete 1 → array [2, 4, 4] (length 2); append 3 → [2, 4, 3]; seen as [2, 4, 3]
 *
 * so a server-only item (4) keeps its place before a new one (3). Appends past the original
 * length never show (they may land in a new array).
 */
function aliasedServerOrder(orig: JsonArray, patchList: JsonArray, mergeKey: string): JsonArray {
  const view = orig.slice();
  const capacity = view.length;
  let length = view.length;
  let replaced = false;
  for (const v of patchList) {
    if (!isObject(v) || !(directiveMarker in v)) continue;
    if (v[directiveMarker] === 'replace') replaced = true;
    if (v[directiveMarker] !== 'delete') continue;
    const id = v[mergeKey];
    for (;;) {
      let at = -1;
      for (let i = 0; i < length; i++) {
        const o = view[i] as JsonValue;
        if (isObject(o) && mergeKey in o && o[mergeKey] === id) {
          at = i;
          break;
        }
      }
      if (at < 0) break;
      for (let i = at; i < length - 1; i++) view[i] = view[i + 1] as JsonValue;
      length--;
    }
  }
  // After a replace the merged list is a new array; the live one only saw the deletions.
  if (replaced) return view;
  for (const v of patchList) {
    if (!isObject(v) || directiveMarker in v) continue;
    const id = v[mergeKey];
    let found = false;
    for (let i = 0; i < length; i++) {
      const o = view[i] as JsonValue;
      if (isObject(o) && mergeKey in o && o[mergeKey] === id) {
        found = true;
        break;
      }
    }
    if (found) continue;
    if (length >= capacity) break;
    view[length++] = v;
  }
  return view;
}

/** The items of the patch list must appear in the `$setElementOrder` list, in its order. */
function validatePatchWithSetOrderList(patchList: JsonArray, order: JsonArray, mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey !== undefined ? patchList.filter((v) => !isDeleteItem(v)) : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    const item = nonDelete[p] as JsonValue;
    if (isObject(item) && directiveMarker in item) {
      p++;
      continue;
    }
    let equal: boolean;
    if (mergeKey === undefined) equal = item === order[s];
    else {
      const a = item;
      const b = order[s] as JsonValue;
      if (!isObject(a) || !isObject(b)) {
        throw new SmpError(`expected a map, but received a ${goKind(isObject(a) ? b : a)}`, 'internal');
      }
      if (!(mergeKey in a)) throw errNoMergeKey(a, mergeKey);
      if (!(mergeKey in b)) throw errNoMergeKey(b, mergeKey);
      equal = a[mergeKey] === b[mergeKey];
    }
    if (equal) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw new SmpError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`,
      'internal',
    );
  }
}

/** Merges `patchIn` into `original` (owned: mutated and returned). */
function mergeMap(original: JsonObject, patchIn: JsonObject, t: TypeSchema | undefined): JsonObject {
  if (directiveMarker in patchIn) {
    const directive = patchIn[directiveMarker];
    if (directive === 'replace') return cleanInserted(patchIn) as JsonObject;
    if (directive === 'delete') return {};
    throw errBadPatchType(directive, patchIn);
  }
  const patch: JsonObject = { ...patchIn };
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, t);
  for (const k of Object.keys(patch)) {
    const patchV = patch[k] as JsonValue;
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(k, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    const origV = original[key];
    if (origV === undefined) {
      if (!isDeleteList) original[key] = cleanInserted(patchV);
      continue;
    }
    const ok = kindOf(origV);
    if (ok !== kindOf(patchV)) {
      // A delete list never adds anything, even over a null or mistyped value.
      if (!isDeleteList) original[key] = cleanInserted(patchV);
      continue;
    }
    const f = fieldOf(t, key);
    if (ok === 'map') {
      original[key] = f.smpReplace
        ? (cleanInserted(patchV) as JsonObject)
        : mergeMap(origV as JsonObject, patchV as JsonObject, f.type);
    } else if (ok === 'list') {
      // Delete lists work the same whatever the field's strategy.
      original[key] =
        f.smpMerge || isDeleteList
          ? mergeSlice(origV as JsonArray, patchV as JsonArray, f, isDeleteList)
          : (cleanInserted(patchV) as JsonArray);
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

/**
 * Applies a strategic merge patch to `obj` (not mutated) for an object of kind `gvk.kind`.
 * Errors are StatusErrors as kube-apiserver sends them: malformed directives 400 BadRequest,
 * lists of lists 422, others 500 with the upstream message.
 */
export function applyStrategicMergePatch(obj: JsonObject, patch: unknown, gvk: Gvk): JsonObject {
  if (!isObject(patch)) {
    // The body does not decode into map[string]interface{}.
    throw patchBadRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  try {
    return mergeMap(cloneJson(obj), patch, rootSchema(gvk.kind));
  } catch (e) {
    if (e instanceof SmpError) throw toStatus(e);
    throw e;
  }
}
