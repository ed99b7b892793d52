// Deep copy of a JSON value. Defaulting copies the decoded object once and then fills fields in
// place on the copy; a plain recursive copy is several times faster than structuredClone for
// the small, JSON-shaped objects the API handles.

export function cloneJson<T>(value: T): T {
  return cloneValue(value) as T;
}

function cloneValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i]);
    return out;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) out[k] = cloneValue(src[k]);
  return out;
}

/**
 * Whether `v` is a plain object. Defaulting runs before validation on whatever the client sent,
 * so every nested value it writes into is checked first: a mistyped field is left for
 * validation to report, never a TypeError.
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** isRecord for values whose static type is already an object type (or undefined). */
export function isObj<T>(v: T): v is NonNullable<T> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
