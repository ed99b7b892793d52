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

// ---------------------------------------------------------------------------------------------
// The clean pass, on the schema compiled once into shapes: a shape says what the value at a
// field must be, with its item shape (arrays, maps) or field table (objects) linked in, so the
// pass reads no descriptor strings and looks nothing up but a field name.

const shapeString = 0; // s, t
const shapeInteger = 1; // i
const shapeNumber = 2; // f
const shapeBoolean = 3; // b
const shapeIntOrString = 4; // o
const shapeAny = 5; // a, and a type the schema does not list
const shapeArray = 6; // [X
const shapeMap = 7; // {X
const shapeObject = 8; // a listed type

interface Shape {
  readonly code: number;
  /** shapeObject: field name → shape. Filled right after the shape is made (types recurse). */
  readonly fields: ReadonlyMap<string, Shape> | null;
  /** shapeArray, shapeMap: the shape of every item. */
  readonly item: Shape | null;
}

/** Descriptor → shape, for every descriptor of the schema; written only while compiling. */
const shapes = new Map<string, Shape>();

function newShape(code: number, fields: ReadonlyMap<string, Shape> | null, item: Shape | null): Shape {
  return { code, fields, item };
}

function shapeOf(d: string): Shape {
  const known = shapes.get(d);
  if (known !== undefined) return known;
  let shape: Shape;
  switch (d[0]) {
    case 's':
    case 't':
      shape = newShape(shapeString, null, null);
      break;
    case 'i':
      shape = newShape(shapeInteger, null, null);
      break;
    case 'f':
      shape = newShape(shapeNumber, null, null);
      break;
    case 'b':
      shape = newShape(shapeBoolean, null, null);
      break;
    case 'o':
      shape = newShape(shapeIntOrString, null, null);
      break;
    case 'a':
      shape = newShape(shapeAny, null, null);
      break;
    case '[':
      shape = newShape(shapeArray, null, shapeOf(d.slice(1)));
      break;
    case '{':
      shape = newShape(shapeMap, null, shapeOf(d.slice(1)));
      break;
    default: {
      const type = schema.types[d];
      if (type === undefined) {
        shape = newShape(shapeAny, null, null);
        break;
      }
      const fields = new Map<string, Shape>();
      shape = newShape(shapeObject, fields, null);
      // Registered before its fields are compiled: a type may contain itself.
      shapes.set(d, shape);
      for (const key in type) {
        const fd = type[key];
        if (fd !== undefined) fields.set(key, shapeOf(fd));
      }
      return shape;
    }
  }
  shapes.set(d, shape);
  return shape;
}

/** True when walkValue would find nothing: the same checks, without the findings. */
function valueClean(v: unknown, shape: Shape): boolean {
  if (v === null || v === undefined) return true;
  switch (shape.code) {
    case shapeString:
      return typeof v === 'string';
    case shapeInteger:
      return typeof v === 'number' && Number.isInteger(v);
    case shapeNumber:
      return typeof v === 'number';
    case shapeBoolean:
      return typeof v === 'boolean';
    case shapeIntOrString:
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case shapeAny:
      return true;
    case shapeArray: {
      if (!Array.isArray(v)) return false;
      const item = shape.item as Shape;
      for (let i = 0; i < v.length; i++) if (!valueClean(v[i], item)) return false;
      return true;
    }
    case shapeMap: {
      if (typeof v !== 'object' || Array.isArray(v)) return false;
      const item = shape.item as Shape;
      const map = v as Record<string, unknown>;
      for (const k in map) if (!valueClean(map[k], item)) return false;
      return true;
    }
    default:
      return fieldsClean(v, shape.fields as ReadonlyMap<string, Shape>);
  }
}

/** True when walkObject would find nothing in `v`, an object of a listed type. */
function fieldsClean(v: unknown, fields: ReadonlyMap<string, Shape>): boolean {
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  if (v === null) return true;
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    const shape = fields.get(key);
    if (shape === undefined || !valueClean(obj[key], shape)) return false;
  }
  return true;
}

/** True when walkObject would find nothing in `v` as a `typeName`. */
function objectClean(v: unknown, typeName: string): boolean {
  const shape = shapeOf(typeName);
  return shape.code !== shapeObject || fieldsClean(v, shape.fields as ReadonlyMap<string, Shape>);
}

for (const key in schema.roots) {
  const typeName = schema.roots[key];
  if (typeName !== undefined) shapeOf(typeName);
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
