// JSON values as patches see them, and the few helpers every patch type shares.
// Patch functions never mutate their inputs: objects handed out of the watch cache are frozen.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonArray = JsonValue[];

/** A group/version/kind, as in `schema.GroupVersionKind` ('' group for the core group). */
export interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value (no prototypes, no cycles: JSON only). */
export function cloneJson<T extends JsonValue>(v: T): T;
export function cloneJson(v: JsonValue): JsonValue {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out: JsonValue[] = new Array<JsonValue>(n);
    for (let i = 0; i < n; i++) out[i] = cloneJson(v[i] as JsonValue);
    return out;
  }
  const out: JsonObject = {};
  for (const k in v) out[k] = cloneJson(v[k] as JsonValue);
  return out;
}

/** Structural equality of JSON values (key order ignored, list order significant). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!jsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  let na = 0;
  for (const k in a) {
    na++;
    if (!(k in b) || !jsonEqual(a[k], b[k])) return false;
  }
  let nb = 0;
  for (const _ in b) nb++;
  return na === nb;
}

/** `group/version`, or `version` for the core group — the apiVersion field of an object. */
export function apiVersionOf(gvk: Gvk): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}
