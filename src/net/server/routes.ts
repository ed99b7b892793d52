// URL → request target, as kube-apiserver's RequestInfoFactory parses it.
//
//   /api/v1/pods                                   list/watch pods in all namespaces
//   /api/v1/namespaces/default/pods                list/watch/create pods in default
//   /api/v1/namespaces/default/pods/web-1          get/update/patch/delete one pod
//   /api/v1/namespaces/default/pods/web-1/status   its status subresource
//   /api/v1/nodes/node-7                           a cluster-scoped object
//   /api/v1/namespaces/default                     the Namespace object "default"
//   /api/v1/namespaces/default/status              its status subresource
//   /apis/apps/v1/namespaces/default/deployments/web/scale
//   /api/v1/watch/namespaces/default/pods          legacy watch path (same as ?watch=true)
//
// Anything else (/version, /healthz, discovery, /openapi) is served before resource routing.

import { kindByResource, type KindInfo } from '../../core/api/kinds.js';

export interface ResourceTarget {
  readonly kind: KindInfo;
  /** Namespace from the URL; '' when absent (cluster-scoped, or a list across namespaces). */
  readonly namespace: string;
  /** Object name; '' for collection requests. */
  readonly name: string;
  /** Subresource ('status', 'scale', …); '' for the main resource. */
  readonly subresource: string;
  /** True for the legacy `/watch/` path prefix. */
  readonly legacyWatch: boolean;
}

export type RouteResult =
  | { readonly type: 'resource'; readonly target: ResourceTarget }
  | { readonly type: 'group-version'; readonly group: string; readonly version: string }
  | { readonly type: 'not-found' };

const notFound: RouteResult = { type: 'not-found' };
const namespaceSubresources = new Set(['status', 'finalize']);

/** Parses a path (no query string) under /api or /apis into a resource target. */
export function routeResourcePath(path: string): RouteResult {
  const parts = path.split('/');
  // parts[0] is '' (leading slash); drop a trailing '' from a trailing slash.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  let i: number;
  let group: string;
  let version: string;
  if (parts[1] === 'api') {
    group = '';
    version = parts[2] ?? '';
    i = 3;
  } else if (parts[1] === 'apis') {
    group = parts[2] ?? '';
    version = parts[3] ?? '';
    i = 4;
  } else {
    return notFound;
  }
  if (version === '') return notFound;
  if (parts.length === i) return { type: 'group-version', group, version };

  let legacyWatch = false;
  if (parts[i] === 'watch') {
    legacyWatch = true;
    i++;
  }
  let namespace = '';
  let rest = parts.slice(i);
  // /namespaces/<ns>/<plural>/...: a namespaced request, unless it is the Namespace object itself
  // (/namespaces/<ns> or /namespaces/<ns>/status|finalize).
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresources.has(rest[2] ?? '')) {
    namespace = rest[1] ?? '';
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return notFound;
  const plural = rest[0] ?? '';
  const kind = kindByResource(group, plural);
  if (kind === undefined || kind.version !== version) return notFound;
  if (namespace !== '' && !kind.namespaced) return notFound;
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (subresource !== '' && !kind.subresources.includes(subresource)) return notFound;
  if (name === '' && rest.length > 1) return notFound;
  return {
    type: 'resource',
    target: {
      kind,
      namespace,
      name: decodePathSegment(name),
      subresource,
      legacyWatch,
    },
  };
}

function decodePathSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
