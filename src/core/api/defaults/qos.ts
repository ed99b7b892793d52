// A Pod's QoS class (status.qosClass), computed as kube-apiserver does when the Pod is created
// (qos.GetPodQOS): only cpu and memory count, and zero quantities count as unset.
//   BestEffort  no request and no limit on any container;
//   Guaranteed  every container limits both cpu and memory, and summed requests equal summed
//               limits for each;
//   Burstable   otherwise.

import { addQuantities, compareQuantities, isZeroQuantity, tryParseQuantity, type Quantity } from '../quantity.js';
import type { Container, Pod } from '../types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources: readonly string[] = ['cpu', 'memory'];

export function podQOSClass(pod: Pod): QOSClass {
  const spec = pod.spec;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const lists: readonly (readonly Container[] | undefined)[] = [spec?.initContainers, spec?.containers];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (typeof c !== 'object' || c === null) continue;
      const resources: unknown = c.resources;
      if (typeof resources !== 'object' || resources === null) {
        guaranteed = false;
        continue;
      }
      const limitList = asList(c.resources?.limits);
      // A limit without a request is also the request (SetDefaults_Pod), so the class is the
      // same whether or not the pod was defaulted yet.
      sumInto(requests, asList(c.resources?.requests), limitList);
      const found = sumInto(limits, limitList, undefined);
      if (found !== qosResources.length) guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function asList(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Adds the positive cpu/memory quantities of `list` (or, for a resource it lacks, of
 * `fallback`) into `sums`; returns how many were found.
 */
function sumInto(
  sums: Map<string, Quantity>,
  list: Record<string, unknown> | undefined,
  fallback: Record<string, unknown> | undefined,
): number {
  if (list === undefined && fallback === undefined) return 0;
  let found = 0;
  for (const name of qosResources) {
    const q = tryParseQuantity(list?.[name] ?? fallback?.[name]);
    if (q === undefined || isZeroQuantity(q) || q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) continue;
    found++;
    const prev = sums.get(name);
    sums.set(name, prev === undefined ? q : addQuantities(prev, q));
  }
  return found;
}
