// Server-side apply and managedFields, as kube-apiserver's field manager
// (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager over structured-merge-diff) keeps them.
//
// Every write records who set which fields. managedFields holds one entry per manager and
// operation: Apply entries (one per manager, whatever the apiVersion) own exactly the fields of
// that manager's last applied configuration; Update entries (per manager and apiVersion) own the
// fields their writes changed. A field changed by one manager leaves every other manager's set.
//
// An apply of configuration C by manager M on live object L:
//   1. merged = L with C merged in (C wins);
//   2. fields M applied last time, that C no longer sets and no one else owns, are removed;
//   3. fields whose value changes and that another manager owns are conflicts: 409 unless
//      force, in which case the other managers lose them;
//   4. M's Apply entry becomes the field set of C.

import { StatusError, type StatusCause } from '../../../core/errors.js';
import { apiVersionOf, isObject, jsonEqual, type Gvk, type JsonObject, type JsonValue } from './json.js';
import { PathSet, fromFieldsV1, pathString, subtractFieldsV1, toFieldsV1 } from './fieldpath.js';
import { rootSchema, type TypeSchema } from './schema.js';
import {
  TypedError,
  compareObjects,
  createdFieldsV1,
  mergeApplied,
  removePaths,
  toFieldSet,
  type Comparison,
  type RootScope,
} from './typed.js';
import { patchBadRequest, patchInternal } from './errors.js';

export type ManagedFieldsOperation = 'Apply' | 'Update';

/** metav1.ManagedFieldsEntry as sent on the wire. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  readonly apiVersion: string;
  readonly time?: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: JsonObject;
  readonly subresource?: string;
}

export interface ApplyOptions {
  /** The field manager (`?fieldManager=`; kubectl sends "kubectl"). */
  readonly manager: string;
  /** `?force=true`: take conflicting fields from their managers instead of failing. */
  readonly force: boolean;
  /** The time recorded in the entry: ms since the epoch, a Date, or an RFC 3339 string. */
  readonly now: number | Date | string;
  /** The kind and version of the request (and of the applied configuration). */
  readonly gvk: Gvk;
  /** 'status' when applying to the status subresource. */
  readonly subresource?: string;
}

export interface ApplyResult {
  /** The new object, with `metadata.managedFields` set. */
  readonly object: JsonObject;
  readonly managedFields: readonly ManagedFieldsEntry[];
  /** False when the apply changed neither the object nor its managed fields. */
  readonly changed: boolean;
}

export interface UpdateOptions {
  readonly now?: number | Date | string;
  readonly subresource?: string;
}

/** Fields never tracked (fieldmanager's stripMeta). */
const strippedMeta: readonly string[] = Object.freeze([
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'clusterName',
  'generation',
  'managedFields',
  'resourceVersion',
]);
const strippedMetaSet: ReadonlySet<string> = new Set(strippedMeta);

interface Manager {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  apiVersion: string;
  time: string | undefined;
  set: PathSet;
  readonly subresource: string | undefined;
}

// ---- helpers ----

// The last formatted second: writes come in bursts within the same second.
let lastSecond = Number.NaN;
let lastFormatted = '';

function formatTime(now: number | Date | string): string {
  if (typeof now === 'string') return now;
  const second = Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);
  if (second !== lastSecond) {
    lastFormatted = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastFormatted;
}

/** The identity of an entry (BuildManagerIdentifier): apiVersion only for Update entries. */
function managerKey(manager: string, operation: ManagedFieldsOperation, apiVersion: string, subresource: string | undefined): string {
  return `${operation}\u0000${manager}\u0000${operation === 'Update' ? apiVersion : ''}\u0000${subresource ?? ''}`;
}

/** How a manager is named in conflict messages (printManager). */
function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource !== undefined && m.subresource !== '') s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') {
    s += ` using ${m.apiVersion}`;
  }
  return s;
}

function metadataOf(obj: JsonObject | undefined): JsonObject | undefined {
  const m = obj?.['metadata'];
  return isObject(m) ? m : undefined;
}

function decodeManagedFields(v: JsonValue | undefined): Map<string, Manager> | undefined {
  const out = new Map<string, Manager>();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) return undefined;
  for (const e of v) {
    if (!isObject(e)) return undefined;
    const manager = typeof e['manager'] === 'string' ? e['manager'] : '';
    const operation = e['operation'];
    if (operation !== 'Apply' && operation !== 'Update') return undefined;
    const apiVersion = typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '';
    const subresource = typeof e['subresource'] === 'string' && e['subresource'] !== '' ? e['subresource'] : undefined;
    const set = e['fieldsV1'] === undefined ? new PathSet() : fromFieldsV1(e['fieldsV1']);
    if (set === undefined) return undefined;
    const time = typeof e['time'] === 'string' ? e['time'] : undefined;
    out.set(managerKey(manager, operation, apiVersion, subresource), { manager, operation, apiVersion, time, set, subresource });
  }
  return out;
}

/** `[{}]`: a client asking to drop all managed fields. */
function isResetManagedFields(v: JsonValue | undefined): boolean {
  if (!Array.isArray(v) || v.length !== 1) return false;
  const e = v[0];
  if (!isObject(e)) return false;
  for (const k in e) {
    const x = e[k];
    if (x !== undefined && x !== null && x !== '' && !(isObject(x) && Object.keys(x).length === 0)) return false;
  }
  return true;
}

function timeSeconds(t: string | undefined): number {
  if (t === undefined) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeManagedFields(managers: Map<string, Manager>): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) if (!m.set.isEmpty()) out.push(encodeEntry(m));
  return sortEntries(out);
}

/** One entry, fields in Go's order: manager, operation, apiVersion, time, fieldsType, fieldsV1. */
function encodeEntry(m: Manager): ManagedFieldsEntry {
  const fieldsV1 = toFieldsV1(m.set);
  if (m.time !== undefined && m.subresource === undefined) {
    // The common shape, built in one literal.
    return { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1 };
  }
  const base = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
  const timed = m.time === undefined ? base : { ...base, time: m.time };
  const entry = { ...timed, fieldsType: 'FieldsV1' as const, fieldsV1 };
  return m.subresource === undefined ? entry : { ...entry, subresource: m.subresource };
}

const mainScope: RootScope = { except: new Set(['apiVersion', 'kind', 'status']) };
const mainScopeNoStatus: RootScope = { except: new Set(['apiVersion', 'kind']) };
const statusScope: RootScope = { only: 'status' };

/** The top-level fields a write to the main resource or a subresource is tracked on. */
function scopeOf(statusOnly: boolean, hasStatus: boolean): RootScope {
  if (statusOnly) return statusScope;
  return hasStatus ? mainScope : mainScopeNoStatus;
}

/** Removes the untracked paths (metadata bookkeeping; status or spec by subresource). */
function filterTracked(s: PathSet, trackStatusOnly: boolean, hasStatus: boolean): PathSet {
  if (s.children === undefined) return s;
  s.children.delete('f:apiVersion');
  s.children.delete('f:kind');
  const meta = s.children.get('f:metadata');
  if (meta !== undefined) {
    meta.member = false;
    for (const f of strippedMeta) meta.children?.delete(`f:${f}`);
  }
  if (trackStatusOnly) {
    for (const k of [...s.children.keys()]) if (k !== 'f:status') s.children.delete(k);
  } else if (hasStatus) {
    // Status is reset on writes to the main resource (the strategy's ResetFields).
    s.children.delete('f:status');
  }
  return s;
}

/** a ∪ b, reusing one of them (both are scratch sets of one comparison). */
function union(a: PathSet, b: PathSet): PathSet {
  if (a.isEmpty()) return b;
  if (b.isEmpty()) return a;
  return a.unionInPlace(b);
}

/** schema.GroupVersionKind's String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(gvk: Gvk): string {
  return `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

function typedFailure(e: unknown, what: string, obj: JsonObject, gvk: Gvk): never {
  if (e instanceof TypedError) {
    const meta = metadataOf(obj);
    const ns = typeof meta?.['namespace'] === 'string' ? meta['namespace'] : '';
    const name = typeof meta?.['name'] === 'string' ? meta['name'] : '';
    const kindStr = gvkString(gvk);
    throw patchInternal(`failed to create typed ${what} object (${ns}/${name}; ${kindStr}): ${e.message}`);
  }
  throw e;
}

function withManagedFields(obj: JsonObject, entries: readonly ManagedFieldsEntry[]): JsonObject {
  const meta: JsonObject = { ...(metadataOf(obj) ?? {}) };
  if (entries.length === 0) delete meta['managedFields'];
  else meta['managedFields'] = entries as unknown as JsonValue;
  return { ...obj, metadata: meta };
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  if (meta === undefined || !('managedFields' in meta)) return obj;
  const m: JsonObject = { ...meta };
  delete m['managedFields'];
  return { ...obj, metadata: m };
}

// ---- update (non-apply writes) ----

/** A well-formed entry of a stored object (anything else is dropped, as a decode failure). */
type StoredEntry = JsonObject & { fieldsV1: JsonObject };

function isEntry(e: JsonValue): e is StoredEntry {
  return (
    isObject(e) &&
    typeof e['manager'] === 'string' &&
    (e['operation'] === 'Apply' || e['operation'] === 'Update') &&
    isObject(e['fieldsV1'])
  );
}

function isEmptyJson(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

function entryKey(e: JsonObject): string {
  const op = e['operation'] === 'Apply' ? 'Apply' : 'Update';
  const sub = typeof e['subresource'] === 'string' && e['subresource'] !== '' ? e['subresource'] : undefined;
  return managerKey(String(e['manager']), op, typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '', sub);
}

/**
 * The managedFields after a create, update or patch by `manager` that turned `oldObj` (undefined
 * on create) into `newObj`: the fields this write changed join the manager's Update entry and
 * leave every other entry; removed fields leave every entry. If `newObj` carries managedFields of
 * its own that differ from `oldObj`'s, they are taken as the starting point (a client may set
 * them); `[{}]` clears them.
 *
 * Hot path (every write): unchanged subtrees are skipped by reference, and entries the write does
 * not touch are returned as the same objects.
 */
export function updateManagedFields(
  oldObj: JsonObject | undefined,
  newObj: JsonObject,
  manager: string,
  operation: ManagedFieldsOperation = 'Update',
  options: UpdateOptions = {},
): ManagedFieldsEntry[] {
  const apiVersion = typeof newObj['apiVersion'] === 'string' ? newObj['apiVersion'] : '';
  const kind = typeof newObj['kind'] === 'string' ? newObj['kind'] : '';
  const root = rootSchema(kind);
  const oldEntries = metadataOf(oldObj)?.['managedFields'];
  const requested = metadataOf(newObj)?.['managedFields'];
  let source: JsonValue | undefined = oldEntries;
  if (options.subresource === undefined && requested !== undefined && requested !== oldEntries) {
    if (isResetManagedFields(requested)) source = undefined;
    else if (Array.isArray(requested) && requested.length > 0 && requested.every(isEntry)) source = requested;
  }
  const entries: StoredEntry[] = [];
  if (Array.isArray(source)) {
    for (const e of source) if (isEntry(e)) entries.push(e);
  }
  // An existing object that has no managed fields stays without (skipNonAppliedManager): only
  // creates start tracking; an apply adopts such an object through "before-first-apply".
  if (oldObj !== undefined && entries.length === 0) return [];

  const statusOnly = options.subresource === 'status';
  const hasStatus = root.fields.has('status');
  if (oldObj === undefined && entries.length === 0) {
    // A create: every tracked field is this manager's. Built straight from the object.
    try {
      const fieldsV1 = createdFieldsV1(newObj, root, scopeOf(statusOnly, hasStatus), strippedMetaSet);
      if (fieldsV1 === undefined) return [];
      const time = formatTime(options.now ?? Date.now());
      const e: ManagedFieldsEntry =
        options.subresource === undefined
          ? { manager, operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1 }
          : { manager, operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1, subresource: options.subresource };
      return [e];
    } catch (e) {
      // Duplicate list keys and the like: the general path below tolerates them.
      if (!(e instanceof TypedError)) throw e;
    }
  }

  let diff: Comparison;
  try {
    diff = compareObjects(
      oldObj === undefined ? undefined : withoutManagedFields(oldObj),
      withoutManagedFields(newObj),
      root,
      scopeOf(statusOnly, hasStatus),
    );
  } catch (e) {
    // A live object the schema cannot take: leave its managed fields as they were.
    if (e instanceof TypedError) return entries as unknown as ManagedFieldsEntry[];
    throw e;
  }
  const changed = union(filterTracked(diff.modified, statusOnly, hasStatus), filterTracked(diff.added, statusOnly, hasStatus));
  const removed = filterTracked(diff.removed, statusOnly, hasStatus);
  const nothingChanged = changed.isEmpty();
  if (nothingChanged && removed.isEmpty()) return entries as unknown as ManagedFieldsEntry[];

  const key = managerKey(manager, operation, apiVersion, options.subresource);
  const out: ManagedFieldsEntry[] = [];
  let mine: PathSet | undefined;
  for (const e of entries) {
    const fields = subtractFieldsV1(subtractFieldsV1(e.fieldsV1, changed), removed);
    if (!nothingChanged && entryKey(e) === key) {
      mine = fromFieldsV1(fields);
      continue;
    }
    if (isEmptyJson(fields)) continue;
    out.push((fields === e.fieldsV1 ? e : { ...e, fieldsV1: fields }) as unknown as ManagedFieldsEntry);
  }
  if (!nothingChanged) {
    const set = mine === undefined ? changed : mine.unionInPlace(changed);
    out.push(
      encodeEntry({
        manager,
        operation,
        apiVersion,
        time: formatTime(options.now ?? Date.now()),
        set,
        subresource: options.subresource,
      }),
    );
  }
  return sortEntries(out);
}

/** Update entries kept before the oldest are merged (fieldmanager's DefaultMaxUpdateManagers). */
export const updateManagersMax = 10;
/** The bucket old Update entries are merged into, one per apiVersion. */
const ancientChangesManager = 'ancient-changes';

/** The manager identifier upstream sorts by: the entry's JSON without time and fields. */
function entryIdentifier(e: {
  readonly manager: string;
  readonly operation: ManagedFieldsOperation;
  readonly apiVersion: string;
  readonly subresource?: string | undefined;
}): string {
  const id: JsonObject = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update') id['apiVersion'] = e.apiVersion;
  if (e.subresource !== undefined) id['subresource'] = e.subresource;
  return JSON.stringify(id);
}

/**
 * More than 10 Update entries: the oldest are merged, per apiVersion, into an "ancient-changes"
 * entry (capManagersManager), so objects written by many clients keep bounded managedFields.
 */
function capUpdateManagers(list: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  let updates = 0;
  for (const e of list) if (e.operation === 'Update') updates++;
  if (updates <= updateManagersMax) return list;
  const updaters = list.filter((e) => e.operation === 'Update');
  updaters.sort((p, q) => timeSeconds(p.time) - timeSeconds(q.time) || cmp(entryIdentifier(p), entryIdentifier(q)));
  const dropped = new Set<ManagedFieldsEntry>();
  const firstByVersion = new Map<string, ManagedFieldsEntry>();
  const buckets = new Map<string, { set: PathSet; time: string | undefined }>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > updateManagersMax; i++) {
    const e = updaters[i] as ManagedFieldsEntry;
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, e);
      continue;
    }
    let bucket = buckets.get(e.apiVersion);
    if (bucket === undefined) {
      // An existing bucket of this version absorbs the entry; otherwise the first entry of the
      // version becomes the bucket.
      const existing = list.find(
        (x) => x.operation === 'Update' && x.manager === ancientChangesManager && x.apiVersion === e.apiVersion && x.subresource === undefined,
      );
      const base = existing ?? first;
      bucket = { set: fromFieldsV1(base.fieldsV1) ?? new PathSet(), time: base.time };
      buckets.set(e.apiVersion, bucket);
      dropped.add(base);
    }
    if (dropped.has(e)) continue;
    bucket.set.unionInPlace(fromFieldsV1(e.fieldsV1) ?? new PathSet());
    // The bucket takes the time of the (more recent) entry merged into it.
    bucket.time = e.time;
    dropped.add(e);
    length--;
  }
  const out = list.filter((e) => !dropped.has(e));
  for (const [apiVersion, b] of buckets) {
    out.push(
      encodeEntry({ manager: ancientChangesManager, operation: 'Update', apiVersion, time: b.time, set: b.set, subresource: undefined }),
    );
  }
  return out;
}

/** Entries in kube-apiserver's order: Apply before Update, then by time, manager, version. */
function sortEntries(unsorted: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const list = capUpdateManagers(unsorted);
  return list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      timeSeconds(p.time) - timeSeconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

// ---- apply ----

/** The kubectl client-side apply annotation. */
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** The Update entry that adopts the fields of an untracked object on its first apply. */
const beforeFirstApplyManager = 'before-first-apply';

/** The manager kubectl --server-side uses, for which the client-side-apply upgrade path exists. */
const kubectlManager = 'kubectl';

interface Conflict {
  readonly manager: Manager;
  readonly paths: string[][];
}

type ApplyOutcome =
  | { readonly kind: 'applied'; readonly result: ApplyResult }
  | { readonly kind: 'conflicts'; readonly conflicts: readonly Conflict[] };

/**
 * Server-side apply of `applied` (the request body, decoded) by `options.manager` on `live`
 * (undefined: the object does not exist and is created). Returns the new object with its
 * managedFields, or throws a StatusError: 409 Conflict listing the fields other managers own
 * (unless force), 400 for a configuration carrying managedFields or of another apiVersion.
 *
 * As kube-apiserver does for `kubectl apply --server-side` (manager "kubectl") on an object last
 * written by client-side apply: conflicts on fields whose live value is still the one in the
 * last-applied annotation are taken over without force, and the annotation is kept in step with
 * the applied configuration.
 */
export function applyServerSideApply(
  live: JsonObject | undefined,
  applied: JsonObject,
  options: ApplyOptions,
): ApplyResult {
  let outcome = applyOnce(live, applied, options, options.force);
  if (outcome.kind === 'conflicts' && options.manager === kubectlManager && live !== undefined) {
    const allowed = conflictsAllowedByLastApplied(live, rootSchema(options.gvk.kind));
    if (allowed !== undefined) {
      const remaining: Conflict[] = [];
      for (const c of outcome.conflicts) {
        const paths = c.paths.filter((p) => !hasPath(allowed, p));
        if (paths.length > 0) remaining.push({ manager: c.manager, paths });
      }
      outcome = remaining.length > 0 ? { kind: 'conflicts', conflicts: remaining } : applyOnce(live, applied, options, true);
    }
  }
  if (outcome.kind === 'conflicts') throw conflictError(outcome.conflicts);
  const result = outcome.result;
  if (options.manager !== kubectlManager) return result;
  return syncLastApplied(result, applied);
}

function hasPath(s: PathSet, path: readonly string[]): boolean {
  let node: PathSet | undefined = s;
  for (const e of path) {
    node = node.get(e);
    if (node === undefined) return false;
  }
  return node.member;
}

function annotationsOf(obj: JsonObject | undefined): JsonObject | undefined {
  const a = metadataOf(obj)?.['annotations'];
  return isObject(a) ? a : undefined;
}

/**
 * The fields of the last-applied annotation whose live value still matches it (lastAppliedManager's
 * allowedConflictsFromLastApplied); undefined when there is no usable annotation.
 */
function conflictsAllowedByLastApplied(live: JsonObject, root: TypeSchema): PathSet | undefined {
  const text = annotationsOf(live)?.[lastAppliedAnnotation];
  if (typeof text !== 'string' || text === '') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(last)) return undefined;
  try {
    const set = toFieldSet(last, root);
    const diff = compareObjects(last, withoutManagedFields(live), root);
    set.subtractInPlace(diff.modified);
    set.subtractInPlace(diff.added);
    set.subtractInPlace(diff.removed);
    return set;
  } catch (e) {
    if (e instanceof TypedError) return undefined;
    throw e;
  }
}

/** lastAppliedUpdater: an existing last-applied annotation is rewritten to the applied config. */
function syncLastApplied(result: ApplyResult, applied: JsonObject): ApplyResult {
  const annotations = annotationsOf(result.object);
  if (annotations === undefined || !(lastAppliedAnnotation in annotations)) return result;
  const appliedMeta = metadataOf(applied);
  let forAnnotation = applied;
  const appliedAnnotations = annotationsOf(applied);
  if (appliedMeta !== undefined && appliedAnnotations !== undefined && lastAppliedAnnotation in appliedAnnotations) {
    const a: JsonObject = { ...appliedAnnotations };
    delete a[lastAppliedAnnotation];
    forAnnotation = { ...applied, metadata: { ...appliedMeta, annotations: a } };
  }
  const value = `${goJsonStringify(forAnnotation)}\n`;
  if (annotations[lastAppliedAnnotation] === value) return result;
  const meta = metadataOf(result.object) as JsonObject;
  const object = { ...result.object, metadata: { ...meta, annotations: { ...annotations, [lastAppliedAnnotation]: value } } };
  return { ...result, object, changed: true };
}

/** encoding/json's output for a decoded value: keys sorted, <, > and & escaped, compact. */
export function goJsonStringify(v: JsonValue): string {
  if (v === null || typeof v !== 'object') return escapeHtml(JSON.stringify(v));
  if (Array.isArray(v)) return `[${v.map((x) => goJsonStringify(x)).join(',')}]`;
  const keys = Object.keys(v).sort();
  const parts: string[] = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    parts[i] = `${escapeHtml(JSON.stringify(k))}:${goJsonStringify(v[k] as JsonValue)}`;
  }
  return `{${parts.join(',')}}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function applyOnce(
  live: JsonObject | undefined,
  applied: JsonObject,
  options: ApplyOptions,
  force: boolean,
): ApplyOutcome {
  const { manager, gvk } = options;
  const apiVersion = apiVersionOf(gvk);
  const appliedVersion = typeof applied['apiVersion'] === 'string' ? applied['apiVersion'] : '';
  const appliedKind = typeof applied['kind'] === 'string' ? applied['kind'] : '';
  if (appliedVersion !== apiVersion || appliedKind !== gvk.kind) {
    // versionCheckManager: the configuration must be of the request's group, version and kind.
    const slash = appliedVersion.indexOf('/');
    const group = slash < 0 ? '' : appliedVersion.slice(0, slash);
    const version = slash < 0 ? appliedVersion : appliedVersion.slice(slash + 1);
    throw patchBadRequest(`invalid object type: ${gvkString({ group, version, kind: appliedKind })}`);
  }
  const appliedMeta = metadataOf(applied);
  if (appliedMeta !== undefined && appliedMeta['managedFields'] !== undefined && appliedMeta['managedFields'] !== null) {
    throw patchBadRequest('metadata.managedFields must be nil');
  }
  const root: TypeSchema = rootSchema(gvk.kind);
  const statusOnly = options.subresource === 'status';
  const hasStatus = root.fields.has('status');
  const managers = decodeManagedFields(metadataOf(live)?.['managedFields']);
  if (managers === undefined) {
    throw patchInternal('failed to decode managed fields: invalid managedFields');
  }
  const liveObj = live === undefined ? {} : withoutManagedFields(live);
  if (live !== undefined && managers.size === 0) {
    // The fields of an object no one tracked yet belong to "before-first-apply", so an apply
    // that changes them conflicts as it would with any other manager.
    let set = new PathSet();
    try {
      const adopted = compareObjects(undefined, liveObj, root, scopeOf(statusOnly, hasStatus));
      set = union(filterTracked(adopted.modified, statusOnly, hasStatus), filterTracked(adopted.added, statusOnly, hasStatus));
    } catch (e) {
      if (!(e instanceof TypedError)) throw e;
    }
    if (!set.isEmpty()) {
      const liveVersion = typeof liveObj['apiVersion'] === 'string' ? liveObj['apiVersion'] : apiVersion;
      managers.set(managerKey(beforeFirstApplyManager, 'Update', liveVersion, undefined), {
        manager: beforeFirstApplyManager,
        operation: 'Update',
        apiVersion: liveVersion,
        time: formatTime(options.now),
        set,
        subresource: undefined,
      });
    }
  }

  let configSet: PathSet;
  try {
    configSet = filterTracked(toFieldSet(applied, root), statusOnly, hasStatus);
  } catch (e) {
    typedFailure(e, 'patch', applied, gvk);
  }

  const key = managerKey(manager, 'Apply', apiVersion, options.subresource);
  const previous = managers.get(key);
  const lastSet = previous?.set;

  let merged: JsonObject;
  try {
    merged = mergeApplied(liveObj, applied, root);
  } catch (e) {
    typedFailure(e, 'patch', applied, gvk);
  }

  // Prune: what this manager applied before, no longer applies, and no one else owns.
  if (lastSet !== undefined && !lastSet.isEmpty()) {
    const remove = lastSet.copy();
    remove.subtractInPlace(configSet);
    for (const [k, m] of managers) {
      if (k !== key) remove.subtractInPlace(m.set);
    }
    if (!remove.isEmpty()) {
      try {
        merged = removePaths(merged, remove, root);
      } catch (e) {
        typedFailure(e, 'live', merged, gvk);
      }
    }
  }

  let diff;
  try {
    diff = compareObjects(live === undefined ? undefined : liveObj, merged, root, scopeOf(statusOnly, hasStatus));
  } catch (e) {
    typedFailure(e, 'live', liveObj, gvk);
  }
  const changed = union(filterTracked(diff.modified, statusOnly, hasStatus), filterTracked(diff.added, statusOnly, hasStatus));
  const removed = filterTracked(diff.removed, statusOnly, hasStatus);

  // Conflicts: fields this apply changes that another manager owns.
  const conflicts: Conflict[] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.push({ manager: m, paths: c.members() });
  }
  if (conflicts.length > 0 && !force) return { kind: 'conflicts', conflicts };
  for (const [k, m] of managers) {
    if (k === key) continue;
    m.set.subtractInPlace(changed);
    m.set.subtractInPlace(removed);
  }

  const objectChanged = !jsonEqual(liveObj, merged);
  const time = objectChanged || previous === undefined || previous.time === undefined ? formatTime(options.now) : previous.time;
  const managedChanged = previous === undefined || !previous.set.equals(configSet) || conflicts.length > 0 || !removed.isEmpty();
  managers.set(key, {
    manager,
    operation: 'Apply',
    apiVersion,
    time,
    set: configSet,
    subresource: options.subresource,
  });
  const managedFields = encodeManagedFields(managers);
  return {
    kind: 'applied',
    result: {
      object: withManagedFields(merged, managedFields),
      managedFields,
      changed: objectChanged || managedChanged || time !== previous?.time,
    },
  };
}

/** The 409 kube-apiserver sends for apply conflicts (fieldmanager's NewConflictError). */
function conflictError(conflicts: readonly Conflict[]): StatusError {
  const causes: StatusCause[] = [];
  let count = 0;
  for (const c of conflicts) {
    for (const p of c.paths) {
      count++;
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(p) });
    }
  }
  let message: string;
  if (count === 1) {
    const c = conflicts[0] as Conflict;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathString(c.paths[0] ?? [])}`;
  } else {
    // Grouped by manager, managers sorted by their identifier.
    const sorted = [...conflicts].sort((a, b) => cmp(entryIdentifier(a.manager), entryIdentifier(b.manager)));
    const lines: string[] = [];
    for (const c of sorted) {
      lines.push(`conflicts with ${describeManager(c.manager)}`);
      for (const p of c.paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${count} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError('Conflict', message, { causes });
}
