// Validation shared by every kind: object metadata (ValidateObjectMeta, ValidateObjectMetaUpdate),
// labels, annotations, label selectors, and the small numeric checks.

import { validateLabelKey, validateLabelValue, type LabelSelectorObject } from '../labels.js';
import type { ObjectMeta } from '../types.js';
import { deepEqual } from '../meta.js';
import {
  duplicate,
  forbidden,
  invalid,
  required,
  tooLong,
  formatGoValue,
  goQuote,
  goStringMap,
  type FieldErrors,
} from './field.js';
import { nameIsDNSLabel, type NameValidator } from './names.js';

export const fieldImmutableMessage = 'field is immutable';
export const isNegativeMessage = 'must be greater than or equal to 0';
/** Total size of keys and values of an object's annotations (TotalAnnotationSizeLimitB). */
export const annotationsBytesMax = 256 * 1024;

const standardFinalizers: ReadonlySet<string> = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

type Fields = Record<string, unknown>;

/**
 * Label keys already known to be valid. The same few keys (app, pod-template-hash,
 * node.kubernetes.io/…) recur on almost every object, so remembering them skips most key
 * checks. Bounded: once full, new keys are checked every time.
 */
const validLabelKeys = new Set<string>();
const validLabelKeysMax = 4096;
const noErrors: readonly string[] = Object.freeze([]);

/** validateLabelKey, remembering valid keys. */
export function labelKeyErrors(key: string): readonly string[] {
  if (validLabelKeys.has(key)) return noErrors;
  const errs = validateLabelKey(key);
  if (errs.length === 0 && validLabelKeys.size < validLabelKeysMax) validLabelKeys.add(key);
  return errs;
}

export function asFields(v: unknown): Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : {};
}

export function asArray(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string field, '' when absent or not a string. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A number field, 0 when absent (Go's zero value). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export function validateNonnegative(value: number, field: string, errs: FieldErrors): void {
  if (value < 0) errs.push(invalid(field, value, isNegativeMessage));
}

export function validateImmutable(newVal: unknown, oldVal: unknown, field: string, errs: FieldErrors, badValueText?: string): void {
  if (!deepEqual(newVal, oldVal)) errs.push(invalid(field, newVal, fieldImmutableMessage, badValueText));
}

/** ValidateLabels: keys as qualified names, values as label values; errors at the map's path. */
export function validateLabels(labels: unknown, field: string, errs: FieldErrors): void {
  const m = asFields(labels);
  for (const k in m) {
    for (const msg of labelKeyErrors(k)) errs.push(invalid(field, k, msg));
    const v = str(m[k]);
    for (const msg of validateLabelValue(v)) errs.push(invalid(field, v, msg));
  }
}

export function validateAnnotations(annotations: unknown, field: string, errs: FieldErrors): void {
  const m = asFields(annotations);
  let bytes = 0;
  for (const k in m) {
    // Annotation keys are qualified names, case-insensitively.
    for (const msg of labelKeyErrors(k.toLowerCase())) errs.push(invalid(field, k, msg));
    bytes += Buffer.byteLength(k) + Buffer.byteLength(str(m[k]));
  }
  if (bytes > annotationsBytesMax) errs.push(tooLong(field, '', annotationsBytesMax));
}

/** `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}` as Go's %#v prints a selector. */
export function goLabelSelector(sel: LabelSelectorObject | undefined): string {
  if (sel === undefined || sel === null) return 'null';
  if (typeof sel !== 'object' || Array.isArray(sel)) return formatGoValue(sel);
  const exprs: unknown = sel.matchExpressions;
  const mlValue: unknown = sel.matchLabels;
  const ml = typeof mlValue === 'object' && mlValue !== null ? (mlValue as Record<string, string>) : undefined;
  let e = '[]v1.LabelSelectorRequirement(nil)';
  if (Array.isArray(exprs)) {
    const items = exprs.map((item: unknown) => {
      const x = asFields(item);
      const vs = x['values'];
      const values = Array.isArray(vs) ? `[]string{${vs.map((v) => goQuote(str(v))).join(', ')}}` : '[]string(nil)';
      return `v1.LabelSelectorRequirement{Key:${goQuote(str(x['key']))}, Operator:${goQuote(str(x['operator']))}, Values:${values}}`;
    });
    e = `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
  }
  return `v1.LabelSelector{MatchLabels:${goStringMap(ml)}, MatchExpressions:${e}}`;
}

/** ValidateLabelSelector (values validated strictly). */
export function validateLabelSelector(sel: unknown, field: string, errs: FieldErrors): void {
  if (sel === undefined || sel === null) return;
  const s = asFields(sel);
  validateLabels(s['matchLabels'], `${field}.matchLabels`, errs);
  const exprs = asArray(s['matchExpressions']);
  for (let i = 0; i < exprs.length; i++) {
    const e = asFields(exprs[i]);
    const p = `${field}.matchExpressions[${i}]`;
    const values = asArray(e['values']);
    const op = str(e['operator']);
    switch (op) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, op, 'not a valid selector operator'));
    }
    const key = str(e['key']);
    for (const msg of labelKeyErrors(key)) errs.push(invalid(`${p}.key`, key, msg));
    for (let j = 0; j < values.length; j++) {
      const v = str(values[j]);
      for (const msg of validateLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, v, msg));
    }
  }
}

function validateFinalizers(finalizers: unknown, field: string, errs: FieldErrors): void {
  const list = asArray(finalizers);
  let orphan = false;
  let foreground = false;
  for (const f of list) {
    const name = str(f);
    for (const msg of labelKeyErrors(name)) errs.push(invalid(field, name, msg));
    if (name === 'orphan') orphan = true;
    if (name === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) {
    errs.push(invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
}

/** The Kubernetes-specific finalizer check the core validation adds per entry. */
function validateKubeFinalizers(finalizers: unknown, field: string, errs: FieldErrors): void {
  const list = asArray(finalizers);
  for (let i = 0; i < list.length; i++) {
    const name = str(list[i]);
    const p = `${field}[${i}]`;
    for (const msg of labelKeyErrors(name)) errs.push(invalid(p, name, msg));
    if (!name.includes('/') && !standardFinalizers.has(name)) {
      errs.push(invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
}

function validateOwnerReferences(refs: unknown, field: string, errs: FieldErrors): void {
  const list = asArray(refs);
  let firstController = '';
  for (const r of list) {
    const ref = asFields(r);
    const apiVersion = str(ref['apiVersion']);
    const kind = str(ref['kind']);
    const slash = apiVersion.indexOf('/');
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    if (version === '') errs.push(invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind === '') errs.push(invalid(`${field}.kind`, kind, 'must not be empty'));
    if (str(ref['name']) === '') errs.push(invalid(`${field}.name`, str(ref['name']), 'must not be empty'));
    if (str(ref['uid']) === '') errs.push(invalid(`${field}.uid`, str(ref['uid']), 'must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') {
      errs.push(invalid(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref['controller'] === true) {
      const name = `${kind}/${str(ref['name'])}`;
      if (firstController !== '') {
        errs.push(
          invalid(field, list, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`),
        );
      } else firstController = name;
    }
  }
}

/**
 * ValidateObjectMeta of a new object (after name generation). `namespaced` says whether the
 * kind requires a namespace; `nameFn` is the kind's name rule.
 */
export function validateObjectMeta(
  metaValue: ObjectMeta | undefined,
  namespaced: boolean,
  nameFn: NameValidator,
  errs: FieldErrors,
  field = 'metadata',
): void {
  const m = asFields(metaValue);
  const generateName = str(m['generateName']);
  if (generateName !== '') {
    for (const msg of nameFn(generateName, true)) errs.push(invalid(`${field}.generateName`, generateName, msg));
  }
  const name = str(m['name']);
  if (name === '') errs.push(required(`${field}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(invalid(`${field}.name`, name, msg));
  validateMetaCommon(m, namespaced, errs, field);
  validateKubeFinalizers(m['finalizers'], `${field}.finalizers`, errs);
}

function validateMetaCommon(m: Fields, namespaced: boolean, errs: FieldErrors, field: string): void {
  const ns = str(m['namespace']);
  if (namespaced) {
    if (ns === '') errs.push(required(`${field}.namespace`));
    else for (const msg of nameIsDNSLabel(ns, false)) errs.push(invalid(`${field}.namespace`, ns, msg));
  } else if (ns !== '') {
    errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  validateNonnegative(num(m['generation']), `${field}.generation`, errs);
  validateLabels(m['labels'], `${field}.labels`, errs);
  validateAnnotations(m['annotations'], `${field}.annotations`, errs);
  validateOwnerReferences(m['ownerReferences'], `${field}.ownerReferences`, errs);
  validateFinalizers(m['finalizers'], `${field}.finalizers`, errs);
}

/** ValidateObjectMetaUpdate: identity and system fields may not change. */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined,
  oldMeta: ObjectMeta | undefined,
  errs: FieldErrors,
  field = 'metadata',
): void {
  const n = asFields(newMeta);
  const o = asFields(oldMeta);
  if (o['deletionTimestamp'] !== undefined) {
    const oldSet = new Set(asArray(o['finalizers']).map(str));
    const extra = [...new Set(asArray(n['finalizers']).map(str))].filter((f) => !oldSet.has(f)).sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(`${field}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${formatGoValue(extra)}`),
      );
    }
  }
  if (str(n['resourceVersion']) === '') {
    errs.push(invalid(`${field}.resourceVersion`, '', 'must be specified for an update'));
  }
  if (num(n['generation']) < num(o['generation'])) {
    errs.push(invalid(`${field}.generation`, num(n['generation']), 'must not be decremented'));
  }
  validateImmutable(str(n['name']), str(o['name']), `${field}.name`, errs);
  validateImmutable(str(n['namespace']), str(o['namespace']), `${field}.namespace`, errs);
  validateImmutable(str(n['uid']), str(o['uid']), `${field}.uid`, errs);
  validateImmutable(n['creationTimestamp'], o['creationTimestamp'], `${field}.creationTimestamp`, errs);
  validateImmutable(n['deletionTimestamp'], o['deletionTimestamp'], `${field}.deletionTimestamp`, errs);
  validateImmutable(n['deletionGracePeriodSeconds'], o['deletionGracePeriodSeconds'], `${field}.deletionGracePeriodSeconds`, errs);
  validateLabels(n['labels'], `${field}.labels`, errs);
  validateAnnotations(n['annotations'], `${field}.annotations`, errs);
  validateOwnerReferences(n['ownerReferences'], `${field}.ownerReferences`, errs);
  validateFinalizers(n['finalizers'], `${field}.finalizers`, errs);
  validateKubeFinalizers(n['finalizers'], `${field}.finalizers`, errs);
}

/** Pushes `Duplicate value` for names seen before; returns whether `name` was new. */
export function checkUnique(seen: Set<string>, name: string, field: string, errs: FieldErrors): boolean {
  if (seen.has(name)) {
    errs.push(duplicate(field, name));
    return false;
  }
  seen.add(name);
  return true;
}
