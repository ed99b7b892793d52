// The registry of kinds Coxswain serves: for each, the names kube-apiserver gives it in discovery
// (plural, singular, short names, categories), its scope and its subresources. Discovery, routing,
// kubectl's short names (`kubectl get po`) and error messages (`deployments.apps "x" not found`)
// all read this one table.

import type { QualifiedResource } from '../errors.js';

export interface KindInfo {
  /** API group; '' for the core (legacy) group served under /api. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `group/version`, or just `version` for the core group (what objects carry as apiVersion). */
  readonly apiVersion: string;
  /** The resource name in URLs: `deployments`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** Subresources served under `<plural>/<name>/<subresource>`. */
  readonly subresources: readonly string[];
  readonly verbs: readonly string[];
  readonly listKind: string;
  /**
   * An update without a resourceVersion (a PUT without one, a patch that removes it) is applied
   * to whatever is stored instead of refused: the kind's strategy AllowUnconditionalUpdate().
   */
  readonly allowUnconditionalUpdate: boolean;
}

/**
 * Kinds whose strategy refuses unconditional updates (AllowUnconditionalUpdate() false in
 * pkg/registry/<group>/<kind>/strategy.go): a Lease's holder must prove it read the current one.
 */
const conditionalUpdateOnly: ReadonlySet<string> = new Set(['coordination.k8s.io/v1/Lease']);

/** The verbs of every main resource here (kube-apiserver's standard REST storage). */
const standardVerbs: readonly string[] = Object.freeze([
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
]);

function define(
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: readonly string[],
  subresources: readonly string[],
  categories: readonly string[] = [],
): KindInfo {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return Object.freeze({
    group,
    version,
    kind,
    apiVersion,
    plural,
    singular: kind.toLowerCase(),
    shortNames: Object.freeze([...shortNames]),
    categories: Object.freeze([...categories]),
    namespaced,
    subresources: Object.freeze([...subresources]),
    verbs: standardVerbs,
    listKind: `${kind}List`,
    allowUnconditionalUpdate: !conditionalUpdateOnly.has(`${apiVersion}/${kind}`),
  });
}

const all = ['all'] as const;
const NS = true;
const CLUSTER = false;

/** Every kind served, in discovery order (core group first, then groups as kube-apiserver lists them). */
export const kinds: readonly KindInfo[] = Object.freeze([
  define('v1', 'Pod', 'pods', NS, ['po'], ['status', 'binding', 'eviction', 'log'], all),
  define('v1', 'Node', 'nodes', CLUSTER, ['no'], ['status']),
  define('v1', 'Namespace', 'namespaces', CLUSTER, ['ns'], ['status', 'finalize']),
  define('v1', 'Service', 'services', NS, ['svc'], ['status'], all),
  define('v1', 'Endpoints', 'endpoints', NS, ['ep'], []),
  define('v1', 'ConfigMap', 'configmaps', NS, ['cm'], []),
  define('v1', 'Secret', 'secrets', NS, [], []),
  define('v1', 'Event', 'events', NS, ['ev'], []),
  define('v1', 'PersistentVolume', 'persistentvolumes', CLUSTER, ['pv'], ['status']),
  define('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', NS, ['pvc'], ['status']),
  define('v1', 'ServiceAccount', 'serviceaccounts', NS, ['sa'], []),
  define('apps/v1', 'Deployment', 'deployments', NS, ['deploy'], ['status', 'scale'], all),
  define('apps/v1', 'ReplicaSet', 'replicasets', NS, ['rs'], ['status', 'scale'], all),
  define('apps/v1', 'StatefulSet', 'statefulsets', NS, ['sts'], ['status', 'scale'], all),
  define('apps/v1', 'DaemonSet', 'daemonsets', NS, ['ds'], ['status'], all),
  define('apps/v1', 'ControllerRevision', 'controllerrevisions', NS, [], []),
  define('batch/v1', 'Job', 'jobs', NS, [], ['status'], all),
  define('networking.k8s.io/v1', 'Ingress', 'ingresses', NS, ['ing'], ['status']),
  define('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', CLUSTER, [], []),
  define('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', NS, [], []),
  define('coordination.k8s.io/v1', 'Lease', 'leases', NS, [], []),
  define('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', CLUSTER, ['pc'], []),
  define('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', NS, ['pdb'], ['status']),
  define('storage.k8s.io/v1', 'StorageClass', 'storageclasses', CLUSTER, ['sc'], []),
]);

// Lookup tables, built once. Keys join parts with a character no name may contain.
const byResource = new Map<string, KindInfo>();
const byGVK = new Map<string, KindInfo>();
const byShortName = new Map<string, KindInfo>();
for (const k of kinds) {
  byResource.set(`${k.group}\u0000${k.plural}`, k);
  byGVK.set(`${k.apiVersion}\u0000${k.kind}`, k);
  for (const s of k.shortNames) byShortName.set(s, k);
}

/** The kind served at `/apis/<group>/<version>/<plural>` (group '' for the core group). */
export function kindByResource(group: string, plural: string): KindInfo | undefined {
  return byResource.get(`${group}\u0000${plural}`);
}

/** The kind an object with this apiVersion and kind belongs to. */
export function kindByGVK(apiVersion: string, kind: string): KindInfo | undefined {
  return byGVK.get(`${apiVersion}\u0000${kind}`);
}

/** The kind a kubectl short name stands for (`po` → Pod, `deploy` → Deployment). */
export function resourceForShortName(shortName: string): KindInfo | undefined {
  return byShortName.get(shortName);
}

/** The kinds of one group (''=core), for discovery documents. */
export function kindsOfGroup(group: string): readonly KindInfo[] {
  return kinds.filter((k) => k.group === group);
}

/** `pods` or `deployments.apps`, as used in NotFound/AlreadyExists/Conflict messages. */
export function qualifiedResource(k: KindInfo): QualifiedResource {
  return { group: k.group, resource: k.plural };
}

/** `Pod` or `Deployment.apps`, as used in Invalid messages (Kubernetes' GroupKind.String()). */
export function qualifiedKind(k: KindInfo): string {
  return k.group === '' ? k.kind : `${k.kind}.${k.group}`;
}

export function hasSubresource(k: KindInfo, subresource: string): boolean {
  return k.subresources.includes(subresource);
}
