// URLs and query strings exactly as kube-apiserver routes them (src/net/server/routes.ts):
//
//   resourcePath(pods, 'default')                 /api/v1/namespaces/default/pods
//   resourcePath(pods, 'default', 'web-1')        /api/v1/namespaces/default/pods/web-1
//   resourcePath(pods, 'default', 'web-1', 'status')  …/pods/web-1/status
//   resourcePath(deployments, '')                 /apis/apps/v1/deployments   (all namespaces)
//   resourcePath(nodes, 'ignored', 'n1')          /api/v1/nodes/n1            (cluster-scoped)
//   resourcePath(namespaces, '', 'default')       /api/v1/namespaces/default
//
// A namespace given for a kind known to be cluster-scoped is dropped, as the registry ignores it
// in process: the same call means the same thing over both clients.

import { kindByResource } from '../../core/api/kinds.js';
import type { DeleteOptions, ListOptions, PatchOptions, ResourceType, WatchOptions, WriteOptions } from '../api.js';

export function resourcePath(r: ResourceType, namespace: string, name = '', subresource = ''): string {
  let path = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (namespace !== '' && kindByResource(r.group, r.plural)?.namespaced !== false) {
    path += `/namespaces/${encodeURIComponent(namespace)}`;
  }
  path += `/${r.plural}`;
  if (name !== '') path += `/${encodeURIComponent(name)}`;
  if (subresource !== '') path += `/${subresource}`;
  return path;
}

/** Appends `name=value` (URL-encoded) to a query being built; `q` is '' or starts with '?'. */
function param(q: string, name: string, value: string): string {
  return `${q === '' ? '?' : `${q}&`}${name}=${encodeURIComponent(value)}`;
}

export function listQuery(o: ListOptions | undefined): string {
  if (o === undefined) return '';
  let q = '';
  if (o.labelSelector !== undefined && o.labelSelector !== '') q = param(q, 'labelSelector', o.labelSelector);
  if (o.fieldSelector !== undefined && o.fieldSelector !== '') q = param(q, 'fieldSelector', o.fieldSelector);
  if (o.limit !== undefined && o.limit > 0) q = param(q, 'limit', String(o.limit));
  if (o.continue !== undefined && o.continue !== '') q = param(q, 'continue', o.continue);
  if (o.resourceVersion !== undefined) q = param(q, 'resourceVersion', o.resourceVersion);
  if (o.resourceVersionMatch !== undefined) q = param(q, 'resourceVersionMatch', o.resourceVersionMatch);
  return q;
}

export function watchQuery(o: WatchOptions | undefined): string {
  let q = '?watch=true';
  if (o === undefined) return q;
  if (o.labelSelector !== undefined && o.labelSelector !== '') q = param(q, 'labelSelector', o.labelSelector);
  if (o.fieldSelector !== undefined && o.fieldSelector !== '') q = param(q, 'fieldSelector', o.fieldSelector);
  if (o.resourceVersion !== undefined) q = param(q, 'resourceVersion', o.resourceVersion);
  if (o.resourceVersionMatch !== undefined) q = param(q, 'resourceVersionMatch', o.resourceVersionMatch);
  if (o.allowWatchBookmarks === true) q = param(q, 'allowWatchBookmarks', 'true');
  if (o.timeoutSeconds !== undefined && o.timeoutSeconds > 0) q = param(q, 'timeoutSeconds', String(Math.floor(o.timeoutSeconds)));
  if (o.sendInitialEvents !== undefined) q = param(q, 'sendInitialEvents', String(o.sendInitialEvents));
  return q;
}

export function writeQuery(o: WriteOptions | undefined): string {
  if (o === undefined) return '';
  let q = '';
  if (o.dryRun === true) q = param(q, 'dryRun', 'All');
  if (o.fieldManager !== undefined && o.fieldManager !== '') q = param(q, 'fieldManager', o.fieldManager);
  if (o.fieldValidation !== undefined) q = param(q, 'fieldValidation', o.fieldValidation);
  return q;
}

export function patchQuery(o: PatchOptions | undefined): string {
  if (o === undefined) return '';
  let q = writeQuery(o);
  if (o.force !== undefined) q = param(q, 'force', String(o.force));
  return q;
}

/** The body of a DELETE, a meta/v1 DeleteOptions as client-go sends it; undefined when empty. */
export function deleteOptionsBody(o: DeleteOptions | undefined): Record<string, unknown> | undefined {
  if (o === undefined) return undefined;
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  let given = false;
  if (o.dryRun === true) {
    body['dryRun'] = ['All'];
    given = true;
  }
  if (o.gracePeriodSeconds !== undefined) {
    body['gracePeriodSeconds'] = o.gracePeriodSeconds;
    given = true;
  }
  if (o.propagationPolicy !== undefined) {
    body['propagationPolicy'] = o.propagationPolicy;
    given = true;
  }
  if (o.preconditions !== undefined) {
    body['preconditions'] = o.preconditions;
    given = true;
  }
  return given ? body : undefined;
}

/** The Content-Type of each patch mechanism. */
export const patchContentTypeOf = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
