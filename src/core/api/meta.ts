// Metadata semantics as kube-apiserver applies them around a write (rest.BeforeCreate,
// rest.BeforeUpdate, rest.BeforeDelete and each kind's strategy). Pure functions over plain
// objects: each returns a new top-level object and a new metadata object, and never mutates
// its arguments (nested values it does not change are shared).
//
// resourceVersion is not touched: the store's revision becomes it, and on update the client's
// value is kept so the registry can compare-and-swap on it.

import { kinds } from './kinds.js';
import { podQOSClass } from './defaults/qos.js';
import { generateJobSelector } from './defaults/job.js';
import type { Job, KubeObject, ObjectMeta, Pod } from './types.js';

/** A plain object view of any JSON value, for fields the kind's type does not name. */
type Fields = Record<string, unknown>;

/** Kubernetes' name generator alphabet: no vowels (no accidental words), no 0/1/3 (look-alikes). */
const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const generatedSuffixLength = 5;
/** 63 - 5: the base is cut so a generated name still fits a DNS label. */
const generatedBaseLengthMax = 58;

/** `generateName` + 5 random characters, as Kubernetes' SimpleNameGenerator. */
export function generateName(base: string, random: () => number = Math.random): string {
  let name = base.length > generatedBaseLengthMax ? base.slice(0, generatedBaseLengthMax) : base;
  for (let i = 0; i < generatedSuffixLength; i++) {
    name += nameAlphabet[Math.floor(random() * nameAlphabet.length)] ?? 'b';
  }
  return name;
}

/** RFC 3339 at seconds precision, as metav1.Time serializes: `2024-01-02T03:04:05Z`. */
export function formatTimestamp(ms: number): string {
  // Writes in the same second share one string: every create stamps one, mostly the last one.
  const second = Math.floor(ms / 1000);
  if (second === lastFormattedSecond) return lastFormatted;
  const iso = new Date(second * 1000).toISOString();
  lastFormatted = `${iso.slice(0, 19)}Z`;
  lastFormattedSecond = second;
  return lastFormatted;
}

/** formatTimestamp's last answer (written only by it). */
let lastFormattedSecond = Number.NaN;
let lastFormatted = '';

/**
 * Kinds whose strategies set metadata.generation (1 on create, +1 when the desired state
 * changes). Others (Service, ConfigMap, Node…) leave it unset, as kube-apiserver does. Pods are
 * included as from Kubernetes 1.33 on.
 */
const generationKinds: ReadonlySet<string> = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'Ingress',
  'IngressClass',
  'EndpointSlice',
  'PodDisruptionBudget',
]);

export function tracksGeneration(kind: string): boolean {
  return generationKinds.has(kind);
}

/**
 * apiVersion → the kinds of it with a status subresource. Looked up by the two strings an object
 * carries (no joined key built per write). Built once from the static kind table.
 */
const statusKindsByApiVersion = new Map<string, Set<string>>();
for (const k of kinds) {
  if (!k.subresources.includes('status')) continue;
  let set = statusKindsByApiVersion.get(k.apiVersion);
  if (set === undefined) {
    set = new Set();
    statusKindsByApiVersion.set(k.apiVersion, set);
  }
  set.add(k.kind);
}

/** Whether the object's kind has a status subresource (which owns its status). */
function hasStatusSubresource(obj: KubeObject): boolean {
  return statusKindsByApiVersion.get(obj.apiVersion)?.has(obj.kind) === true;
}

/**
 * The status a kind starts with on create, where the status subresource owns it: what the
 * strategy's PrepareForCreate leaves, serialized as Go does (required counters as 0).
 * `undefined` means keep what the client sent (Node: the kubelet registers with its status).
 */
function statusOnCreate(obj: KubeObject, nowMs: number): unknown {
  switch (obj.kind) {
    case 'Pod':
      return { phase: 'Pending', qosClass: podQOSClass(obj as Pod) };
    case 'Node':
      return undefined;
    case 'Namespace':
      return { phase: 'Active' };
    case 'PersistentVolume':
      return { phase: 'Pending', lastPhaseTransitionTime: formatTimestamp(nowMs) };
    case 'PersistentVolumeClaim':
      return { phase: 'Pending' };
    case 'Service':
    case 'Ingress':
      return { loadBalancer: {} };
    case 'ReplicaSet':
      return { replicas: 0 };
    case 'StatefulSet':
      return { replicas: 0, availableReplicas: 0 };
    case 'DaemonSet':
      return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    case 'PodDisruptionBudget':
      return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    default:
      return {};
  }
}

/**
 * Prepares a new object for storage (rest.BeforeCreate + the kind's PrepareForCreate):
 * name from generateName when no name is given, a new uid, creationTimestamp, generation 1 where
 * the kind tracks it, deletion fields cleared, status reset where the status subresource owns
 * it, and for Namespaces the `kubernetes` finalizer; for Jobs without manualSelector, the
 * generated selector and labels (they need the uid).
 *
 * kube-apiserver's order is decode → applyDefaults → admission → prepareForCreate → validate;
 * the result here is the same if defaults are applied after this instead.
 */
export function prepareForCreate<T extends KubeObject>(
  obj: T,
  now: Date,
  uidGen: () => string,
  random: () => number = Math.random,
): T {
  const nowMs = now.getTime();
  const m = obj.metadata as Fields;
  const base: unknown = m['generateName'];
  const generated = (m['name'] === undefined || m['name'] === '') && typeof base === 'string' && base !== '';
  // The client's metadata in its order, without what the server sets, then what it sets: uid,
  // creationTimestamp, generation (where tracked), name (when generated). Deletion fields go.
  const metadata: Fields = {};
  for (const k in m) {
    switch (k) {
      case 'deletionTimestamp':
      case 'deletionGracePeriodSeconds':
      case 'uid':
      case 'creationTimestamp':
      case 'generation':
        continue;
      case 'name':
        if (generated) continue;
        break;
      default:
        break;
    }
    metadata[k] = m[k];
  }
  metadata['uid'] = uidGen();
  metadata['creationTimestamp'] = formatTimestamp(nowMs);
  if (tracksGeneration(obj.kind)) metadata['generation'] = 1;
  if (generated) metadata['name'] = generateName(base, random);
  // The top level likewise: the client's fields, then metadata, the status the kind starts
  // with (where the status subresource owns it) and a Namespace's spec with its finalizer.
  const status = hasStatusSubresource(obj) ? statusOnCreate(obj, nowMs) : undefined;
  const namespace = obj.kind === 'Namespace';
  const src = obj as unknown as Fields;
  const top: Fields = {};
  for (const k in src) {
    if (k === 'metadata' || (k === 'status' && status !== undefined) || (k === 'spec' && namespace)) continue;
    top[k] = src[k];
  }
  top['metadata'] = metadata;
  if (status !== undefined) top['status'] = status;
  if (namespace) top['spec'] = rebuild(asFields(obj.spec), { finalizers: [finalizerKubernetes] });
  let out = top as unknown as KubeObject;
  if (obj.kind === 'Job' && asFields(obj.spec)['manualSelector'] !== true) out = generateJobSelector(out as Job);
  return out as T;
}

/**
 * A copy of `src` with the entries of `set` applied; an undefined value in `set` removes the
 * key. Used instead of `delete`, which turns V8 objects into slow dictionaries.
 */
function rebuild(src: object, set: Fields): Fields {
  const s = src as Fields;
  const out: Fields = {};
  for (const k in s) if (!(k in set)) out[k] = s[k];
  for (const k in set) {
    const v = set[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function asFields(v: unknown): Fields {
  return typeof v === 'object' && v !== null ? (v as Fields) : {};
}

/**
 * Applies rest.BeforeUpdate + the kind's PrepareForUpdate for an update of the main resource:
 * generation, uid (when omitted), creationTimestamp and deletion fields come from the stored
 * object; where a status subresource exists the status is kept from the stored object; the
 * generation is bumped when the desired state changed. Changed name/namespace/uid are left for
 * validation to reject (`field is immutable`).
 */
export function prepareForUpdate<T extends KubeObject>(newObj: T, oldObj: KubeObject): T {
  const om = oldObj.metadata;
  const nm = newObj.metadata;
  const metaSet: Fields = {
    // Clients cannot set generation; the strategy bumps it.
    generation: om.generation,
  };
  if (nm.uid === undefined || nm.uid === '') metaSet['uid'] = om.uid;
  if (om.creationTimestamp !== undefined) metaSet['creationTimestamp'] = om.creationTimestamp;
  // An update can never remove or change a deletion timestamp, nor drop the grace period.
  if (om.deletionTimestamp !== undefined) metaSet['deletionTimestamp'] = om.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined && nm.deletionGracePeriodSeconds === undefined) {
    metaSet['deletionGracePeriodSeconds'] = om.deletionGracePeriodSeconds;
  }
  const metadata = rebuild(nm, metaSet) as ObjectMeta;
  const top: Fields = { metadata };
  if (hasStatusSubresource(newObj)) top['status'] = oldObj.status;
  if (newObj.kind === 'Namespace') {
    // spec.finalizers change only through the finalize subresource.
    top['spec'] = rebuild(asFields(newObj.spec), { finalizers: asFields(oldObj.spec)['finalizers'] });
  } else if (newObj.kind === 'Service') {
    top['spec'] = keepAllocatedServiceFields(newObj.spec, oldObj.spec);
  }
  const out = rebuild(newObj, top) as unknown as KubeObject;
  if (tracksGeneration(newObj.kind) && desiredStateChanged(out, oldObj)) {
    metadata.generation = (om.generation ?? 0) + 1;
  }
  return out as T;
}

/**
 * Update through the `status` subresource: only status changes. Everything else but the
 * resourceVersion (the client's precondition) comes from the stored object, including the
 * labels, annotations, finalizers and ownerReferences (metav1.ResetObjectMetaForStatus).
 */
export function prepareForStatusUpdate<T extends KubeObject>(newObj: T, oldObj: KubeObject): T {
  const metadata = rebuild(oldObj.metadata, { resourceVersion: newObj.metadata.resourceVersion });
  return rebuild(oldObj, { metadata, status: newObj.status }) as unknown as T;
}

/** Namespace `finalize` subresource: only spec.finalizers changes. */
export function prepareForFinalize<T extends KubeObject>(newObj: T, oldObj: KubeObject): T {
  const metadata = rebuild(oldObj.metadata, { resourceVersion: newObj.metadata.resourceVersion });
  const spec = rebuild(asFields(oldObj.spec), { finalizers: asFields(newObj.spec)['finalizers'] });
  return rebuild(oldObj, { metadata, spec }) as unknown as T;
}

/**
 * What the Service registry keeps on update when the client omits it (kubectl replace/apply of
 * a manifest without them): the allocated cluster IPs, and each port's nodePort when the port
 * (by name and protocol, else by position) still exists and the type still uses node ports.
 */
function keepAllocatedServiceFields(newSpec: unknown, oldSpec: unknown): unknown {
  if (typeof newSpec !== 'object' || newSpec === null || typeof oldSpec !== 'object' || oldSpec === null) return newSpec;
  const n: Fields = { ...(newSpec as Fields) };
  const o = oldSpec as Fields;
  const type = n['type'] ?? 'ClusterIP';
  if (type !== 'ExternalName' && o['type'] !== 'ExternalName') {
    if ((n['clusterIP'] === undefined || n['clusterIP'] === '') && o['clusterIP'] !== undefined) n['clusterIP'] = o['clusterIP'];
    if (n['clusterIPs'] === undefined && o['clusterIPs'] !== undefined && n['clusterIP'] === o['clusterIP']) {
      n['clusterIPs'] = o['clusterIPs'];
    }
  }
  if ((type === 'NodePort' || type === 'LoadBalancer') && Array.isArray(n['ports']) && Array.isArray(o['ports'])) {
    const oldPorts = (o['ports'] as unknown[]).map(asFields);
    n['ports'] = (n['ports'] as unknown[]).map((value, i) => {
      if (typeof value !== 'object' || value === null) return value;
      const p = value as Fields;
      if (p['nodePort'] !== undefined && p['nodePort'] !== 0) return p;
      const match =
        oldPorts.find((q) => q['name'] === p['name'] && q['protocol'] === p['protocol'] && q['port'] === p['port']) ??
        (oldPorts.length === 1 && i === 0 ? oldPorts[0] : undefined);
      return match?.['nodePort'] === undefined ? p : { ...p, nodePort: match['nodePort'] };
    });
    if (n['healthCheckNodePort'] === undefined && o['healthCheckNodePort'] !== undefined) n['healthCheckNodePort'] = o['healthCheckNodePort'];
  }
  return n;
}

/**
 * Whether the part of the object that drives metadata.generation changed: spec for most kinds;
 * for Deployments also the annotations (they are copied to ReplicaSets); for EndpointSlices,
 * which have no spec, everything but metadata, plus the labels.
 */
export function desiredStateChanged(newObj: KubeObject, oldObj: KubeObject): boolean {
  switch (newObj.kind) {
    case 'EndpointSlice': {
      const n = newObj as unknown as Fields;
      const o = oldObj as unknown as Fields;
      return (
        !deepEqual(n['endpoints'], o['endpoints']) ||
        !deepEqual(n['ports'], o['ports']) ||
        !deepEqual(n['addressType'], o['addressType']) ||
        !deepEqual(newObj.metadata.labels, oldObj.metadata.labels)
      );
    }
    case 'Deployment':
      return (
        !deepEqual(newObj.spec, oldObj.spec) ||
        !deepEqual(newObj.metadata.annotations, oldObj.metadata.annotations)
      );
    default:
      return !deepEqual(newObj.spec, oldObj.spec);
  }
}

/**
 * Structural equality of JSON values. An absent map or list equals an empty one, as Kubernetes'
 * semantic equality treats nil and empty after a round trip through JSON with omitempty.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return isEmptyish(a) && isEmptyish(b);
  }
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return isEmptyish(a) && isEmptyish(b);
  if (aArray) {
    const x = a as readonly unknown[];
    const y = b as readonly unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ao = a as Fields;
  const bo = b as Fields;
  for (const k in ao) {
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) {
    if (!(k in ao) && !isEmptyish(bo[k])) return false;
  }
  return true;
}

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Deletion (rest.BeforeDelete, the store's graceful deletion and garbage-collection finalizers).

export const finalizerOrphan = 'orphan';
export const finalizerForeground = 'foregroundDeletion';
/** The finalizer the namespace controller owns, in a Namespace's spec.finalizers. */
export const finalizerKubernetes = 'kubernetes';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  /** Seconds before the object is removed; Pods only (others are removed at once). */
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: PropagationPolicy;
}

/** What the registry does for a DELETE. */
export type DeletePlan<T extends KubeObject> =
  /** Remove the object from the store now. */
  | { readonly action: 'delete' }
  /** Write this object (deletionTimestamp set, finalizers adjusted) and keep it. */
  | { readonly action: 'update'; readonly object: T }
  /** A deletion is already under way and nothing changes; answer with the stored object. */
  | { readonly action: 'pending' };

/** Default terminationGracePeriodSeconds of a Pod. */
const podGracePeriodSecondsDefault = 30;

/**
 * Plans a DELETE of `obj` at `now`. Pods are deleted gracefully: deletionTimestamp = now + grace
 * period (from options, else spec.terminationGracePeriodSeconds), immediately when unscheduled
 * or finished; a second delete may only shorten the period. Objects with finalizers (or a
 * Namespace with spec.finalizers) are marked and kept until the finalizers are removed.
 * Orphan/Foreground propagation adds the `orphan`/`foregroundDeletion` finalizer; Background
 * removes both; no policy keeps them.
 */
export function planDelete<T extends KubeObject>(obj: T, options: DeleteOptions, now: Date): DeletePlan<T> {
  const nowMs = now.getTime();
  const m = obj.metadata;
  // Negative grace periods are treated as 1 second on the delete path.
  const g = options.gracePeriodSeconds;
  const requested = g === undefined ? undefined : g < 0 ? 1 : g;

  if (m.deletionTimestamp !== undefined) {
    const current = m.deletionGracePeriodSeconds;
    const pending = hasPendingFinalizers(obj);
    if (current === undefined || current === 0) return pending ? { action: 'pending' } : { action: 'delete' };
    if (requested === undefined || requested >= current) return { action: 'pending' };
    if (requested === 0 && !pending) return { action: 'delete' };
    const start = Date.parse(m.deletionTimestamp) - current * 1000;
    const metadata: ObjectMeta = {
      ...m,
      deletionTimestamp: formatTimestamp(start + requested * 1000),
      deletionGracePeriodSeconds: requested,
    };
    return { action: 'update', object: { ...obj, metadata } };
  }

  const finalizers = finalizersForPropagation(m.finalizers, options.propagationPolicy);
  const metadata = rebuild(m, finalizers !== m.finalizers ? { finalizers } : {}) as ObjectMeta;
  const marked = { ...obj, metadata } as T;
  const pending = hasPendingFinalizers(marked);

  let grace = 0;
  if (obj.kind === 'Pod') grace = podGracePeriodSeconds(obj as unknown as Pod, requested);
  if (grace === 0 && !pending) return { action: 'delete' };

  metadata.deletionTimestamp = formatTimestamp(nowMs + grace * 1000);
  metadata.deletionGracePeriodSeconds = grace;
  if (m.generation !== undefined && m.generation > 0) metadata.generation = m.generation + 1;
  if (obj.kind === 'Namespace') {
    const status = (obj.status ?? {}) as Fields;
    (marked as KubeObject).status = { ...status, phase: 'Terminating' };
  }
  return { action: 'update', object: marked };
}

/**
 * Whether an object just written must now be removed: it is being deleted, its grace period is
 * over (0) and no finalizer remains. The registry checks this after every update, which is how
 * removing the last finalizer completes a deletion.
 */
export function shouldDeleteAfterUpdate(obj: KubeObject): boolean {
  const m = obj.metadata;
  return m.deletionTimestamp !== undefined && (m.deletionGracePeriodSeconds ?? 0) === 0 && !hasPendingFinalizers(obj);
}

/** metadata.finalizers, and for a Namespace spec.finalizers too. */
export function hasPendingFinalizers(obj: KubeObject): boolean {
  if ((obj.metadata.finalizers?.length ?? 0) > 0) return true;
  if (obj.kind === 'Namespace') {
    const f = ((obj.spec ?? {}) as Fields)['finalizers'];
    return Array.isArray(f) && f.length > 0;
  }
  return false;
}

/**
 * The finalizers after applying a propagation policy. Returns the same array when nothing
 * changes, so callers can tell.
 */
export function finalizersForPropagation(
  finalizers: readonly string[] | undefined,
  policy: PropagationPolicy | undefined,
): string[] | undefined {
  const current = finalizers as string[] | undefined;
  if (policy === undefined) return current;
  const list = current ?? [];
  const hasOrphan = list.includes(finalizerOrphan);
  const hasForeground = list.includes(finalizerForeground);
  let want: string | undefined;
  let drop: readonly string[];
  switch (policy) {
    case 'Orphan':
      want = finalizerOrphan;
      drop = [finalizerForeground];
      if (hasOrphan && !hasForeground) return current;
      break;
    case 'Foreground':
      want = finalizerForeground;
      drop = [finalizerOrphan];
      if (hasForeground && !hasOrphan) return current;
      break;
    case 'Background':
      want = undefined;
      drop = [finalizerOrphan, finalizerForeground];
      if (!hasOrphan && !hasForeground) return current;
      break;
    default: {
      const never: never = policy;
      throw new Error(`unknown propagation policy ${String(never)}`);
    }
  }
  const next = list.filter((f) => !drop.includes(f));
  if (want !== undefined && !next.includes(want)) next.push(want);
  return next.length === 0 ? undefined : next;
}

function podGracePeriodSeconds(pod: Pod, requested: number | undefined): number {
  const spec = pod.spec;
  // An unscheduled or finished pod has no process to stop: it goes at once.
  if (spec?.nodeName === undefined || spec.nodeName === '') return 0;
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return 0;
  return requested ?? spec.terminationGracePeriodSeconds ?? podGracePeriodSecondsDefault;
}
