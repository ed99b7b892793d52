// Field-level schema of every kind served: which fields exist and their JSON types. The API server
// runs objects through `checkFields` before admission, as kube-apiserver's strict JSON decoder
// does: unknown fields are reported (rejected, warned about, or dropped, per fieldValidation), and
// a value of the wrong type is a 400 naming the field.
//
// The schema is generated from @kubernetes/client-node's models (scripts/gen-api-schema.mjs).

import { schemaJson } from './generated.js';

interface Schema {
  readonly roots: Readonly<Record<string, string>>;
  readonly types: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const schema = JSON.parse(schemaJson) as Schema;

export interface FieldCheck {
  /** Paths of unknown fields, as kube-apiserver prints them: `spec.template.spec.containers[0].imagee`. */
  readonly unknownFields: readonly string[];
  /** Values of the wrong type: one message per field, in Kubernetes' words. */
  readonly typeErrors: readonly string[];
}

/** A FieldCheck being filled by the naming walk. */
interface Findings {
  readonly unknownFields: string[];
  readonly typeErrors: string[];
}

/** The answer for a clean body (most of them): nothing found; frozen and shared. */
const clean: FieldCheck = Object.freeze({ unknownFields: Object.freeze([]), typeErrors: Object.freeze([]) });

/**
 * apiVersion → kind → schema type name, from the roots (`apps/v1/Deployment`), so a lookup
 * builds no joined key.
 */
const rootsByApiVersion = new Map<string, Map<string, string>>();
for (const key in schema.roots) {
  const slash = key.lastIndexOf('/');
  const apiVersion = key.slice(0, slash);
  let byKind = rootsByApiVersion.get(apiVersion);
  if (byKind === undefined) {
    byKind = new Map();
    rootsByApiVersion.set(apiVersion, byKind);
  }
  const typeName = schema.roots[key];
  if (typeName !== undefined) byKind.set(key.slice(slash + 1), typeName);
}

/** The schema type name of a kind (`apps/v1` + `Deployment` → `V1Deployment`), if known. */
export function schemaTypeOf(apiVersion: string, kind: string): string | undefined {
  return rootsByApiVersion.get(apiVersion)?.get(kind);
}

/** Field names of a schema type, for callers that need them (e.g. to drop unknown fields). */
export function fieldsOfType(typeName: string): Readonly<Record<string, string>> | undefined {
  return schema.types[typeName];
}

/**
 * Walks `value` against the kind's schema. Returns undefined when the kind has no schema here.
 * Cost is one visit per field present in the object.
 */
export function checkFields(value: unknown, apiVersion: string, kind: string): FieldCheck | undefined {
  const root = schemaTypeOf(apiVersion, kind);
  if (root === undefined) return undefined;
  // Most bodies are clean: a first pass only answers yes or no (no paths built, no messages);
  // the second, which names every finding, runs only for a body that has some.
  if (objectClean(value, root)) return clean;
  const result: Findings = { unknownFields: [], typeErrors: [] };
  walkObject(value, root, '', result, kind);
  return result;
}

/** `[T` / `{T` → `T`, memoized: the clean pass must not slice descriptors per value. */
const elementDescriptors = new Map<string, string>();

function elementOf(d: string): string {
  let e = elementDescriptors.get(d);
  if (e === undefined) {
    e = d.slice(1);
    elementDescriptors.set(d, e);
  }
  return e;
}

/** True when walkObject would find nothing: the same checks, without the findings. */
function objectClean(v: unknown, typeName: string): boolean {
  const fields = schema.types[typeName];
  if (fields === undefined) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  if (v === null) return true;
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    const d = fields[key];
    if (d === undefined || !valueClean(obj[key], d)) return false;
  }
  return true;
}

/** True when walkValue would find nothing. */
function valueClean(v: unknown, d: string): boolean {
  if (v === null || v === undefined) return true;
  switch (d[0]) {
    case 's':
    case 't':
      return typeof v === 'string';
    case 'i':
      return typeof v === 'number' && Number.isInteger(v);
    case 'f':
      return typeof v === 'number';
    case 'b':
      return typeof v === 'boolean';
    case 'o':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case 'a':
      return true;
    case '[': {
      if (!Array.isArray(v)) return false;
      const item = elementOf(d);
      for (let i = 0; i < v.length; i++) if (!valueClean(v[i], item)) return false;
      return true;
    }
    case '{': {
      if (typeof v !== 'object' || Array.isArray(v)) return false;
      const item = elementOf(d);
      const map = v as Record<string, unknown>;
      for (const k in map) if (!valueClean(map[k], item)) return false;
      return true;
    }
    default:
      return objectClean(v, d);
  }
}

/**
 * Removes unknown fields in place (fieldValidation=Ignore, and after a Warn), returning the count.
 * The object must be one the caller owns (freshly decoded).
 */
export function dropUnknownFields(value: unknown, apiVersion: string, kind: string): number {
  const root = schemaTypeOf(apiVersion, kind);
  if (root === undefined) return 0;
  return dropIn(value, root);
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Go type names as kube-apiserver's decoder errors print them. */
function goTypeOf(descriptor: string): string {
  switch (descriptor[0]) {
    case 's':
      return 'string';
    case 'i':
      return 'int32';
    case 'f':
      return 'float64';
    case 'b':
      return 'bool';
    case 't':
      return 'v1.Time';
    case 'o':
      return 'intstr.IntOrString';
    case '[':
      return `[]${goTypeOf(descriptor.slice(1))}`;
    case '{':
      return `map[string]${goTypeOf(descriptor.slice(1))}`;
    default:
      return `v1.${descriptor.replace(/^(Core|Discovery|Storage)?V1/, '')}`;
  }
}

function typeError(kind: string, path: string, v: unknown, descriptor: string): string {
  return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${kind}.${path} of type ${goTypeOf(descriptor)}`;
}

function walkObject(v: unknown, typeName: string, path: string, out: Findings, kind: string): void {
  const fields = schema.types[typeName];
  if (fields === undefined) return;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    if (v !== null) out.typeErrors.push(typeError(kind, path, v, typeName));
    return;
  }
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    const child = obj[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    const d = fields[key];
    if (d === undefined) {
      out.unknownFields.push(childPath);
      continue;
    }
    walkValue(child, d, childPath, out, kind);
  }
}

function walkValue(v: unknown, d: string, path: string, out: Findings, kind: string): void {
  if (v === null || v === undefined) return;
  switch (d[0]) {
    case 's':
    case 't':
      if (typeof v !== 'string') out.typeErrors.push(typeError(kind, path, v, d));
      return;
    case 'i':
      if (typeof v !== 'number' || !Number.isInteger(v)) out.typeErrors.push(typeError(kind, path, v, d));
      return;
    case 'f':
      if (typeof v !== 'number') out.typeErrors.push(typeError(kind, path, v, d));
      return;
    case 'b':
      if (typeof v !== 'boolean') out.typeErrors.push(typeError(kind, path, v, d));
      return;
    case 'o':
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
        out.typeErrors.push(typeError(kind, path, v, d));
      }
      return;
    case 'a':
      return;
    case '[': {
      if (!Array.isArray(v)) {
        out.typeErrors.push(typeError(kind, path, v, d));
        return;
      }
      const item = d.slice(1);
      for (let i = 0; i < v.length; i++) walkValue(v[i], item, `${path}[${i}]`, out, kind);
      return;
    }
    case '{': {
      if (typeof v !== 'object' || Array.isArray(v)) {
        out.typeErrors.push(typeError(kind, path, v, d));
        return;
      }
      const item = d.slice(1);
      const map = v as Record<string, unknown>;
      for (const k in map) walkValue(map[k], item, `${path}[${k}]`, out, kind);
      return;
    }
    default:
      walkObject(v, d, path, out, kind);
  }
}

function dropIn(v: unknown, typeName: string): number {
  const fields = schema.types[typeName];
  if (fields === undefined || typeof v !== 'object' || v === null || Array.isArray(v)) return 0;
  const obj = v as Record<string, unknown>;
  let dropped = 0;
  for (const key in obj) {
    const d = fields[key];
    if (d === undefined) {
      delete obj[key];
      dropped++;
    } else {
      dropped += dropValue(obj[key], d);
    }
  }
  return dropped;
}

function dropValue(v: unknown, d: string): number {
  if (v === null || typeof v !== 'object') return 0;
  switch (d[0]) {
    case '[': {
      if (!Array.isArray(v)) return 0;
      let n = 0;
      for (const item of v) n += dropValue(item, d.slice(1));
      return n;
    }
    case '{': {
      let n = 0;
      const map = v as Record<string, unknown>;
      for (const k in map) n += dropValue(map[k], d.slice(1));
      return n;
    }
    case 's':
    case 't':
    case 'i':
    case 'f':
    case 'b':
    case 'o':
    case 'a':
      return 0;
    default:
      return dropIn(v, d);
  }
}
