// Store keys for Kubernetes objects. One layout, used by the registry (writes) and the watch cache
// (which demultiplexes the store's single event stream by resource prefix):
//
//   namespaced       /<group>/<plural>/<namespace>/<name>     /core/pods/default/web-1
//   cluster-scoped   /<group>/<plural>/<name>                 /core/nodes/node-7
//
// The core group ("") is spelled `core`. Names and namespaces never contain `/` (validation
// guarantees it), so a prefix ending in `/` selects exactly one resource or one namespace of it.

export interface ResourceRef {
  readonly group: string;
  readonly plural: string;
}

export function resourcePrefix(r: ResourceRef): string {
  return `/${r.group === '' ? 'core' : r.group}/${r.plural}/`;
}

export function namespacePrefix(r: ResourceRef, namespace: string): string {
  return `${resourcePrefix(r)}${namespace}/`;
}

/** The key of one object; `namespace` is undefined or '' for cluster-scoped kinds. */
export function objectKey(r: ResourceRef, namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === ''
    ? `${resourcePrefix(r)}${name}`
    : `${resourcePrefix(r)}${namespace}/${name}`;
}

/** Splits a key back into its parts; undefined if it is not an object key. */
export function parseObjectKey(
  key: string,
): { group: string; plural: string; namespace: string; name: string } | undefined {
  const parts = key.split('/');
  // ['', group, plural, name] or ['', group, plural, namespace, name]
  if (parts[0] !== '' || (parts.length !== 4 && parts.length !== 5)) return undefined;
  const group = parts[1] === 'core' ? '' : (parts[1] ?? '');
  const plural = parts[2] ?? '';
  if (parts.length === 4) return { group, plural, namespace: '', name: parts[3] ?? '' };
  return { group, plural, namespace: parts[3] ?? '', name: parts[4] ?? '' };
}
