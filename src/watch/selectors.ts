// From a request's namespace, labelSelector and fieldSelector to a WatchFilter, choosing the
// index: an exact `spec.nodeName=` on pods picks the node index (every node agent watches its own
// pods that way, and the scheduler watches `spec.nodeName=` for unbound ones); an exact
// `metadata.namespace=` picks the namespace index when the path names no namespace. The full
// selectors are always evaluated too, so an index only narrows what is looked at.

import type { KubeObject } from '../core/api/types.js';
import type { LabelSelector } from '../core/api/labels.js';
import { type FieldSelector, fieldSelectorMatchesObject } from '../core/api/fields.js';
import type { WatchFilter } from './cache.js';

export interface SelectorRequest {
  /** The resource's plural (field selectors are per resource). */
  readonly plural: string;
  /** From the URL path ('' or undefined: all namespaces). */
  readonly namespace?: string;
  readonly labelSelector?: LabelSelector;
  /** Already converted (convertFieldSelector): old names such as spec.host are replaced. */
  readonly fieldSelector?: FieldSelector;
  /** Whether the cache indexes spec.nodeName (WatchCache.indexNodeName). */
  readonly nodeIndexed: boolean;
}

export function watchFilter(req: SelectorRequest): WatchFilter {
  const labels = req.labelSelector;
  const fields = req.fieldSelector;
  const labelsAll = labels === undefined || labels.empty;
  const fieldsAll = fields === undefined || fields.empty;
  let namespace = req.namespace ?? '';
  if (namespace === '' && fields !== undefined) {
    namespace = fields.requiresExactMatch('metadata.namespace') ?? '';
  }
  const nodeName =
    req.nodeIndexed && fields !== undefined ? fields.requiresExactMatch('spec.nodeName') : undefined;
  let predicate: ((o: KubeObject) => boolean) | undefined;
  const plural = req.plural;
  if (!labelsAll && !fieldsAll) {
    const l = labels as LabelSelector;
    const f = fields as FieldSelector;
    predicate = (o) => l.matches(o.metadata.labels) && fieldSelectorMatchesObject(f, plural, o);
  } else if (!labelsAll) {
    const l = labels as LabelSelector;
    predicate = (o) => l.matches(o.metadata.labels);
  } else if (!fieldsAll) {
    const f = fields as FieldSelector;
    predicate = (o) => fieldSelectorMatchesObject(f, plural, o);
  }
  return {
    ...(namespace === '' ? {} : { namespace }),
    ...(nodeName === undefined ? {} : { nodeName }),
    ...(predicate === undefined ? {} : { predicate }),
  };
}
