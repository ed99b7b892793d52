// Label and field selectors of a LIST or WATCH request: parsed and checked against the resource
// (400 with kube-apiserver's message when bad), then compiled by src/watch/selectors.ts into the
// watch cache's filter (index hints plus one predicate).

import type { KindInfo } from '../../../core/api/kinds.js';
import { convertFieldSelector, parseFieldSelector, FieldSelectorError, type FieldSelector } from '../../../core/api/fields.js';
import { parseLabelSelector, SelectorError, type LabelSelector } from '../../../core/api/labels.js';
import { badRequest } from '../../../core/errors.js';
import type { WatchFilter } from '../../../watch/cache.js';
import { watchFilter } from '../../../watch/selectors.js';

export function compileFilter(
  kind: KindInfo,
  namespace: string,
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
  nodeIndexed: boolean,
): WatchFilter {
  let labels: LabelSelector | undefined;
  let fields: FieldSelector | undefined;
  try {
    if (labelSelector !== undefined && labelSelector !== '') labels = parseLabelSelector(labelSelector);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
  try {
    if (fieldSelector !== undefined && fieldSelector !== '') {
      fields = convertFieldSelector(kind.plural, parseFieldSelector(fieldSelector));
    }
  } catch (e) {
    if (e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
  return watchFilter({
    plural: kind.plural,
    namespace,
    ...(labels === undefined ? {} : { labelSelector: labels }),
    ...(fields === undefined ? {} : { fieldSelector: fields }),
    nodeIndexed,
  });
}
