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

/** What asFields gives for a value that is not an object: empty, frozen, shared. */
const noFields: Fields = Object.freeze({});
/** What asArray gives for a value that is not an array: empty, frozen, shared. */
const noItems: readonly unknown[] = Object.freeze([]);

/** `v` as a plain object to read fields of; a shared frozen empty object when it is not one. */
export function asFields(v: unknown): Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : noFields;
}

/** `v` as an array to read; a shared frozen empty array when it is not one. */
export function asArray(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : noItems;
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

/**
 * Whether `v` is certainly a valid label value: at most 63 characters matching
 * `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`. False sends the caller to validateLabelValue,
 * which answers exactly (and words the errors); this only spares it the common valid case.
 */
function isPlainLabelValue(v: string): boolean {
  const len = v.length;
  if (len === 0) return true;
  if (len > 63 || !isAlnum(v.charCodeAt(0)) || !isAlnum(v.charCodeAt(len - 1))) return false;
  for (let i = 1; i < len - 1; i++) {
    const c = v.charCodeAt(i);
    if (!isAlnum(c) && c !== 0x2d && c !== 0x5f && c !== 0x2e) return false; // - _ .
  }
  return true;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** validateLabelValue, without a new empty list for a valid value. */
function labelValueErrors(v: string): readonly string[] {
  return isPlainLabelValue(v) ? noErrors : validateLabelValue(v);
}

/** `<parent>.<name>`, or `parent` when `name` is '': a field path, built only for an error. */
function fieldOf(parent: string, name: string): string {
  return name === '' ? parent : `${parent}.${name}`;
}

/** ValidateLabels: keys as qualified names, values as label values; errors at the map's path. */
export function validateLabels(labels: unknown, field: string, errs: FieldErrors): void {
  labelsIn(labels, field, '', errs);
}

/** validateLabels of the map at `<parent>.<name>` (at `parent` when `name` is ''). */
export function labelsIn(labels: unknown, parent: string, name: string, errs: FieldErrors): void {
  const m = asFields(labels);
  for (const k in m) {
    const keyErrors = labelKeyErrors(k);
    for (let i = 0; i < keyErrors.length; i++) errs.push(invalid(fieldOf(parent, name), k, keyErrors[i] ?? ''));
    const v = str(m[k]);
    const valueErrors = labelValueErrors(v);
    for (let i = 0; i < valueErrors.length; i++) errs.push(invalid(fieldOf(parent, name), v, valueErrors[i] ?? ''));
  }
}

export function validateAnnotations(annotations: unknown, field: string, errs: FieldErrors): void {
  annotationsIn(annotations, field, '', errs);
}

/** validateAnnotations of the map at `<parent>.<name>` (at `parent` when `name` is ''). */
export function annotationsIn(annotations: unknown, parent: string, name: string, errs: FieldErrors): void {
  const m = asFields(annotations);
  let bytes = 0;
  for (const k in m) {
    // Annotation keys are qualified names, case-insensitively.
    const keyErrors = labelKeyErrors(isLowerAscii(k) ? k : k.toLowerCase());
    for (let i = 0; i < keyErrors.length; i++) errs.push(invalid(fieldOf(parent, name), k, keyErrors[i] ?? ''));
    bytes += utf8Length(k) + utf8Length(str(m[k]));
  }
  if (bytes > annotationsBytesMax) errs.push(tooLong(fieldOf(parent, name), '', annotationsBytesMax));
}

/** Whether toLowerCase would return `s` unchanged because it is ASCII without capitals. */
function isLowerAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (c >= 0x41 && c <= 0x5a)) return false;
  }
  return true;
}

/**
 * The UTF-8 length of `s`, as Buffer.byteLength counts it (a lone surrogate is the 3 bytes of
 * U+FFFD), without a call into the runtime per string.
 */
export function utf8Length(s: string): number {
  const len = s.length;
  let bytes = len;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 bytes.
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
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

/** The finalizers at `<parent>.finalizers`. */
function validateFinalizers(finalizers: unknown, parent: string, errs: FieldErrors): void {
  const list = asArray(finalizers);
  if (list.length === 0) return;
  const field = `${parent}.finalizers`;
  let orphan = false;
  let foreground = false;
  for (let i = 0; i < list.length; i++) {
    const name = str(list[i]);
    pushInvalid(errs, field, name, labelKeyErrors(name));
    if (name === 'orphan') orphan = true;
    if (name === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) {
    errs.push(invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
}

/** The Kubernetes-specific finalizer check the core validation adds per entry, at `<parent>.finalizers[i]`. */
function validateKubeFinalizers(finalizers: unknown, parent: string, errs: FieldErrors): void {
  const list = asArray(finalizers);
  for (let i = 0; i < list.length; i++) {
    const name = str(list[i]);
    const msgs = labelKeyErrors(name);
    if (msgs.length > 0) pushInvalid(errs, `${parent}.finalizers[${i}]`, name, msgs);
    if (!name.includes('/') && !standardFinalizers.has(name)) {
      errs.push(invalid(`${parent}.finalizers[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
}

/** The owner references at `<parent>.ownerReferences`. */
function validateOwnerReferences(refs: unknown, parent: string, errs: FieldErrors): void {
  const list = asArray(refs);
  // The first reference with controller=true, named in the error about a second one.
  let firstController: Fields | undefined;
  for (let i = 0; i < list.length; i++) {
    const ref = asFields(list[i]);
    const apiVersion = str(ref['apiVersion']);
    const kind = str(ref['kind']);
    // The version is what follows the first '/', or all of apiVersion without one.
    const slash = apiVersion.indexOf('/');
    if (slash < 0 ? apiVersion === '' : slash === apiVersion.length - 1) {
      errs.push(invalid(`${parent}.ownerReferences.apiVersion`, apiVersion, 'version must not be empty'));
    }
    if (kind === '') errs.push(invalid(`${parent}.ownerReferences.kind`, kind, 'must not be empty'));
    if (str(ref['name']) === '') errs.push(invalid(`${parent}.ownerReferences.name`, str(ref['name']), 'must not be empty'));
    if (str(ref['uid']) === '') errs.push(invalid(`${parent}.ownerReferences.uid`, str(ref['uid']), 'must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') {
      errs.push(invalid(`${parent}.ownerReferences`, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref['controller'] === true) {
      if (firstController !== undefined) {
        const first = `${str(firstController['kind'])}/${str(firstController['name'])}`;
        const name = `${kind}/${str(ref['name'])}`;
        errs.push(
          invalid(`${parent}.ownerReferences`, list, `Only one reference can have Controller set to true. Found "true" in references for ${first} and ${name}`),
        );
      } else firstController = ref;
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
    const msgs = nameFn(generateName, true);
    if (msgs.length > 0) pushInvalid(errs, `${field}.generateName`, generateName, msgs);
  }
  const name = str(m['name']);
  if (name === '') errs.push(required(`${field}.name`, 'name or generateName is required'));
  else {
    const msgs = nameFn(name, false);
    if (msgs.length > 0) pushInvalid(errs, `${field}.name`, name, msgs);
  }
  validateMetaCommon(m, namespaced, errs, field);
  validateKubeFinalizers(m['finalizers'], field, errs);
}

function validateMetaCommon(m: Fields, namespaced: boolean, errs: FieldErrors, field: string): void {
  const ns = str(m['namespace']);
  if (namespaced) {
    if (ns === '') errs.push(required(`${field}.namespace`));
    else {
      const msgs = nameIsDNSLabel(ns, false);
      if (msgs.length > 0) pushInvalid(errs, `${field}.namespace`, ns, msgs);
    }
  } else if (ns !== '') {
    errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  const generation = num(m['generation']);
  if (generation < 0) errs.push(invalid(`${field}.generation`, generation, isNegativeMessage));
  labelsIn(m['labels'], field, 'labels', errs);
  annotationsIn(m['annotations'], field, 'annotations', errs);
  validateOwnerReferences(m['ownerReferences'], field, errs);
  validateFinalizers(m['finalizers'], field, errs);
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
  labelsIn(n['labels'], field, 'labels', errs);
  annotationsIn(n['annotations'], field, 'annotations', errs);
  validateOwnerReferences(n['ownerReferences'], field, errs);
  validateFinalizers(n['finalizers'], field, errs);
  validateKubeFinalizers(n['finalizers'], field, errs);
}

/**
 * One Invalid value error per message, at `field`. Callers on the success path test
 * `msgs.length > 0` first, so that the field's path is built only for an error.
 */
export function pushInvalid(errs: FieldErrors, field: string, value: unknown, msgs: readonly string[]): void {
  for (let i = 0; i < msgs.length; i++) errs.push(invalid(field, value, msgs[i] ?? ''));
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
