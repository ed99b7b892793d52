// Discovery documents: `/version`, legacy discovery (`/api`, `/apis`, `/api/v1`, `/apis/{g}`,
// `/apis/{g}/{v}`) and aggregated discovery v2 / v2beta1 (`APIGroupDiscoveryList` for `/api` and
// `/apis`), all derived from the registry of kinds. Everything is built once by `buildDiscovery`
// and kept as encoded bytes with an ETag; a request only picks a Buffer (`discoveryResponse`).
//
// kubectl 1.32 asks `/api` and `/apis` with
//   Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,
//           application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json
// and, given the aggregated document with the matching Content-Type, makes no further discovery
// request. Older clients (and client-node) get the legacy documents.

import { createHash } from 'node:crypto';
import type { KindInfo } from '../../core/api/kinds.js';

/** The Kubernetes release whose API this server speaks; kubectl compares its own minor with it. */
export const kubernetesVersion = Object.freeze({ major: '1', minor: '32', gitVersion: 'v1.32.0-cox' });

/** `version.Info`, as `GET /version` returns it (field order as kube-apiserver's). */
export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

export function versionInfo(buildDate = '1970-01-01T00:00:00Z'): VersionInfo {
  return {
    major: kubernetesVersion.major,
    minor: kubernetesVersion.minor,
    gitVersion: kubernetesVersion.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate,
    // Not Go, but clients only print it; it tells a user what actually runs.
    goVersion: `node${process.versions.node}`,
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

// ---- legacy discovery shapes (meta/v1) -------------------------------------------------------

/** `metav1.APIResource`; keys in Go's field order so the bytes match kube-apiserver's. */
export interface APIResource {
  readonly name: string;
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly group?: string;
  readonly version?: string;
  readonly kind: string;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly storageVersionHash?: string;
}

export interface APIResourceList {
  readonly kind: 'APIResourceList';
  readonly apiVersion: 'v1';
  readonly groupVersion: string;
  readonly resources: readonly APIResource[];
}

export interface GroupVersionForDiscovery {
  readonly groupVersion: string;
  readonly version: string;
}

export interface APIGroup {
  readonly name: string;
  readonly versions: readonly GroupVersionForDiscovery[];
  readonly preferredVersion: GroupVersionForDiscovery;
}

// ---- aggregated discovery shapes (apidiscovery.k8s.io/v2) ------------------------------------

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface APISubresourceDiscovery {
  readonly subresource: string;
  readonly responseKind: GroupVersionKind;
  readonly verbs: readonly string[];
}

export interface APIResourceDiscovery {
  readonly resource: string;
  readonly responseKind: GroupVersionKind;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly singularResource: string;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly subresources?: readonly APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  readonly version: string;
  readonly resources: readonly APIResourceDiscovery[];
  readonly freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  readonly metadata: { readonly name?: string; readonly creationTimestamp: null };
  readonly versions: readonly APIVersionDiscovery[];
}

export type AggregatedVersion = 'v2' | 'v2beta1';

export interface APIGroupDiscoveryList {
  readonly kind: 'APIGroupDiscoveryList';
  readonly apiVersion: `apidiscovery.k8s.io/${AggregatedVersion}`;
  readonly metadata: Record<string, never>;
  readonly items: readonly APIGroupDiscovery[];
}

// ---- subresources ----------------------------------------------------------------------------

interface SubresourceShape {
  /** The kind the subresource answers with; undefined = the parent's own kind. */
  readonly responseKind: GroupVersionKind | undefined;
  readonly verbs: readonly string[];
}

const getPatchUpdate: readonly string[] = Object.freeze(['get', 'patch', 'update']);
const createGet: readonly string[] = Object.freeze(['create', 'get']);

/** What kube-apiserver advertises for each subresource it serves (pkg/registry/.../storage). */
const subresourceShapes: ReadonlyMap<string, SubresourceShape> = new Map<string, SubresourceShape>([
  ['status', { responseKind: undefined, verbs: getPatchUpdate }],
  ['scale', { responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: getPatchUpdate }],
  ['binding', { responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] }],
  ['eviction', { responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] }],
  ['log', { responseKind: undefined, verbs: ['get'] }],
  ['finalize', { responseKind: undefined, verbs: ['update'] }],
  ['ephemeralcontainers', { responseKind: undefined, verbs: getPatchUpdate }],
  ['resize', { responseKind: undefined, verbs: getPatchUpdate }],
  ['exec', { responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: createGet }],
  ['attach', { responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: createGet }],
  ['portforward', { responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: createGet }],
  [
    'proxy',
    {
      responseKind: { group: '', version: 'v1', kind: 'PodProxyOptions' },
      verbs: ['create', 'delete', 'get', 'patch', 'update'],
    },
  ],
]);

function subresourceShape(k: KindInfo, subresource: string): { gvk: GroupVersionKind; verbs: readonly string[] } {
  const shape = subresourceShapes.get(subresource);
  if (shape === undefined) {
    // The registry names a subresource discovery does not know: a bug to fix here, not at run time.
    throw new Error(`discovery: unknown subresource ${k.plural}/${subresource}`);
  }
  const gvk = shape.responseKind ?? { group: k.group, version: k.version, kind: k.kind };
  return { gvk, verbs: shape.verbs };
}

/** kube-apiserver's storageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

// ---- documents -------------------------------------------------------------------------------

/** `group/version`, or `version` alone for the core group. */
function groupVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** The kinds grouped by group then version, in registry order (core group first). */
function groupsOf(kinds: readonly KindInfo[]): Map<string, Map<string, KindInfo[]>> {
  const groups = new Map<string, Map<string, KindInfo[]>>();
  for (const k of kinds) {
    let versions = groups.get(k.group);
    if (versions === undefined) {
      versions = new Map();
      groups.set(k.group, versions);
    }
    let list = versions.get(k.version);
    if (list === undefined) {
      list = [];
      versions.set(k.version, list);
    }
    list.push(k);
  }
  return groups;
}

/** The `APIResourceList` for one group-version: each kind, then its subresources as `plural/sub`. */
export function apiResourceList(group: string, version: string, kinds: readonly KindInfo[]): APIResourceList {
  const resources: APIResource[] = [];
  for (const k of kinds) {
    if (k.group !== group || k.version !== version) continue;
    const main: APIResource = {
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: k.verbs,
      ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length > 0 ? { categories: k.categories } : {}),
      storageVersionHash: storageVersionHash(k.group, k.version, k.kind),
    };
    resources.push(main);
    for (const sub of k.subresources) {
      const { gvk, verbs } = subresourceShape(k, sub);
      const other = gvk.group !== group || gvk.version !== version;
      resources.push({
        name: `${k.plural}/${sub}`,
        singularName: '',
        namespaced: k.namespaced,
        ...(other ? { group: gvk.group, version: gvk.version } : {}),
        kind: gvk.kind,
        verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionOf(group, version), resources };
}

function apiGroup(name: string, versions: Iterable<string>): APIGroup {
  const list: GroupVersionForDiscovery[] = [];
  for (const v of versions) list.push({ groupVersion: `${name}/${v}`, version: v });
  const preferred = list[0];
  if (preferred === undefined) throw new Error(`discovery: group ${name} has no version`);
  return { name, versions: list, preferredVersion: preferred };
}

function resourceDiscovery(k: KindInfo): APIResourceDiscovery {
  const subresources: APISubresourceDiscovery[] = [];
  for (const sub of k.subresources) {
    const { gvk, verbs } = subresourceShape(k, sub);
    subresources.push({ subresource: sub, responseKind: gvk, verbs });
  }
  return {
    resource: k.plural,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: k.singular,
    verbs: k.verbs,
    ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
    ...(k.categories.length > 0 ? { categories: k.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

function groupDiscovery(name: string, versions: Map<string, KindInfo[]>): APIGroupDiscovery {
  const out: APIVersionDiscovery[] = [];
  for (const [version, list] of versions) {
    out.push({ version, resources: list.map(resourceDiscovery), freshness: 'Current' });
  }
  return { metadata: name === '' ? { creationTimestamp: null } : { name, creationTimestamp: null }, versions: out };
}

/** Aggregated discovery for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(
  kinds: readonly KindInfo[],
  root: 'api' | 'apis',
  version: AggregatedVersion,
): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] = [];
  for (const [group, versions] of groupsOf(kinds)) {
    if ((group === '') === (root === 'api')) items.push(groupDiscovery(group, versions));
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

// ---- negotiation -----------------------------------------------------------------------------

export const aggregatedContentType: Readonly<Record<AggregatedVersion, string>> = Object.freeze({
  v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
});

export type DiscoveryFormat =
  | { readonly kind: 'aggregated'; readonly version: AggregatedVersion }
  | { readonly kind: 'legacy' }
  | { readonly kind: 'notAcceptable' };

const legacyFormat: DiscoveryFormat = Object.freeze({ kind: 'legacy' });
const notAcceptableFormat: DiscoveryFormat = Object.freeze({ kind: 'notAcceptable' });
const aggregatedFormats: Readonly<Record<AggregatedVersion, DiscoveryFormat>> = Object.freeze({
  v2: Object.freeze({ kind: 'aggregated', version: 'v2' }),
  v2beta1: Object.freeze({ kind: 'aggregated', version: 'v2beta1' }),
});

/** What one media range of an Accept header would get from a discovery endpoint, and its q. */
function judgeMediaRange(range: string): { format: DiscoveryFormat; q: number } {
  const parts = range.split(';');
  const mediaType = (parts[0] ?? '').trim().toLowerCase();
  let g = '';
  let v = '';
  let as = '';
  let q = 1;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] ?? '';
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1).trim();
    if (key === 'g') g = value;
    else if (key === 'v') v = value;
    else if (key === 'as') as = value;
    else if (key === 'q') {
      const n = Number(value);
      q = Number.isFinite(n) ? n : 0;
    }
  }
  const jsonLike = mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*';
  if (!jsonLike) return { format: notAcceptableFormat, q };
  if (as === '' && g === '' && v === '') return { format: legacyFormat, q };
  if (mediaType === 'application/json' && as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io') {
    if (v === 'v2' || v === 'v2beta1') return { format: aggregatedFormats[v], q };
  }
  // A typed JSON form we do not serve here (Table, an unknown version): skip this range.
  return { format: notAcceptableFormat, q };
}

/**
 * The discovery form an Accept header asks for: the acceptable media range with the highest q
 * (the first among equals), as kube-apiserver's negotiation picks. No header means plain JSON.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  if (accept === undefined || accept.trim() === '') return legacyFormat;
  let best: DiscoveryFormat = notAcceptableFormat;
  let bestQ = 0;
  for (const range of accept.split(',')) {
    const { format, q } = judgeMediaRange(range);
    if (format.kind === 'notAcceptable' || q <= 0) continue;
    if (best.kind === 'notAcceptable' || q > bestQ) {
      best = format;
      bestQ = q;
    }
  }
  return best;
}

// ---- precomputed bytes -----------------------------------------------------------------------

/** One encoded document, ready to send. */
export interface DiscoveryDocument {
  readonly contentType: string;
  readonly body: Buffer;
  /** Strong ETag (quoted) over the body; clients may send it back in If-None-Match. */
  readonly etag: string;
}

export interface DiscoveryDocuments {
  readonly version: DiscoveryDocument;
  /** `/api` → APIVersions. */
  readonly apiVersions: DiscoveryDocument;
  /** `/apis` → APIGroupList. */
  readonly apiGroupList: DiscoveryDocument;
  /** `/apis/{group}` → APIGroup, by group name. */
  readonly apiGroups: ReadonlyMap<string, DiscoveryDocument>;
  /** `/api/v1`, `/apis/{g}/{v}` → APIResourceList, by groupVersion (`v1`, `apps/v1`). */
  readonly resourceLists: ReadonlyMap<string, DiscoveryDocument>;
  /** Aggregated discovery for `/api` and `/apis`, per apidiscovery version. */
  readonly aggregated: {
    readonly api: Readonly<Record<AggregatedVersion, DiscoveryDocument>>;
    readonly apis: Readonly<Record<AggregatedVersion, DiscoveryDocument>>;
  };
}

function encode(value: unknown, contentType = 'application/json'): DiscoveryDocument {
  const body = Buffer.from(JSON.stringify(value));
  const etag = `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;
  return Object.freeze({ contentType, body, etag });
}

export interface DiscoveryOptions {
  /** `host:port` clients reach this server at, for APIVersions.serverAddressByClientCIDRs. */
  readonly serverAddress?: string;
  /** RFC 3339 build date for /version. */
  readonly buildDate?: string;
}

/** Builds every discovery document for these kinds, once. */
export function buildDiscovery(kinds: readonly KindInfo[], options: DiscoveryOptions = {}): DiscoveryDocuments {
  const groups = groupsOf(kinds);
  const resourceLists = new Map<string, DiscoveryDocument>();
  const apiGroups = new Map<string, DiscoveryDocument>();
  const groupList: APIGroup[] = [];
  const coreVersions: string[] = [];
  for (const [group, versions] of groups) {
    for (const version of versions.keys()) {
      resourceLists.set(groupVersionOf(group, version), encode(apiResourceList(group, version, kinds)));
    }
    if (group === '') {
      coreVersions.push(...versions.keys());
      continue;
    }
    const g = apiGroup(group, versions.keys());
    groupList.push(g);
    apiGroups.set(group, encode({ kind: 'APIGroup', apiVersion: 'v1', ...g }));
  }
  const aggregated = (root: 'api' | 'apis'): Record<AggregatedVersion, DiscoveryDocument> => ({
    v2: encode(aggregatedDiscovery(kinds, root, 'v2'), aggregatedContentType.v2),
    v2beta1: encode(aggregatedDiscovery(kinds, root, 'v2beta1'), aggregatedContentType.v2beta1),
  });
  return Object.freeze({
    version: encode(versionInfo(options.buildDate)),
    apiVersions: encode({
      kind: 'APIVersions',
      versions: coreVersions,
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress ?? '127.0.0.1:6443' }],
    }),
    apiGroupList: encode({ kind: 'APIGroupList', apiVersion: 'v1', groups: groupList }),
    apiGroups,
    resourceLists,
    aggregated: { api: aggregated('api'), apis: aggregated('apis') },
  });
}

/** The answer to a discovery GET: a document, 406 (Accept names nothing we serve), or not ours. */
export type DiscoveryResult =
  | { readonly kind: 'document'; readonly document: DiscoveryDocument }
  | { readonly kind: 'notAcceptable' }
  | { readonly kind: 'notDiscovery' };

const notDiscovery: DiscoveryResult = Object.freeze({ kind: 'notDiscovery' });
const notAcceptable: DiscoveryResult = Object.freeze({ kind: 'notAcceptable' });

function rootDocument(
  docs: DiscoveryDocuments,
  root: 'api' | 'apis',
  accept: string | undefined,
): DiscoveryResult {
  const format = negotiateDiscovery(accept);
  switch (format.kind) {
    case 'aggregated':
      return { kind: 'document', document: docs.aggregated[root][format.version] };
    case 'legacy':
      return { kind: 'document', document: root === 'api' ? docs.apiVersions : docs.apiGroupList };
    case 'notAcceptable':
      return notAcceptable;
    default: {
      const never: never = format;
      return never;
    }
  }
}

function plain(document: DiscoveryDocument | undefined, accept: string | undefined): DiscoveryResult {
  if (document === undefined) return notDiscovery;
  return negotiateDiscovery(accept).kind === 'notAcceptable' ? notAcceptable : { kind: 'document', document };
}

/**
 * Picks the discovery document for a request path (without query string) and Accept header.
 * `notDiscovery` means the path is not a discovery path (a resource URL, or an unknown group,
 * which the router answers with 404).
 */
export function discoveryResponse(docs: DiscoveryDocuments, path: string, accept: string | undefined): DiscoveryResult {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (p === '/version') return plain(docs.version, accept);
  if (p === '/api') return rootDocument(docs, 'api', accept);
  if (p === '/apis') return rootDocument(docs, 'apis', accept);
  if (p.startsWith('/api/')) {
    const version = p.slice(5);
    return version.includes('/') ? notDiscovery : plain(docs.resourceLists.get(version), accept);
  }
  if (p.startsWith('/apis/')) {
    const rest = p.slice(6);
    const slash = rest.indexOf('/');
    if (slash < 0) return plain(docs.apiGroups.get(rest), accept);
    if (rest.indexOf('/', slash + 1) >= 0) return notDiscovery;
    return plain(docs.resourceLists.get(rest), accept);
  }
  return notDiscovery;
}
