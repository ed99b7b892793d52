// A Pod's QoS class (status.qosClass), computed as kube-apiserver does when the Pod is created
// (qos.GetPodQOS): only cpu and memory count, and zero quantities count as unset.
//   BestEffort  no request and no limit on any container;
//   Guaranteed  every container limits both cpu and memory, and summed requests equal summed
//               limits for each;
//   Burstable   otherwise.

import { addQuantities, compareQuantities, isZeroQuantity, tryParseQuantity, type Quantity } from '../quantity.js';
import type { Container, Pod } from '../types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/**
 * podQOSClass's running sums of positive cpu and memory quantities, reset on every call (the
 * function is synchronous, so one scratch object serves every call without allocating).
 * Written only by podQOSClass and addContainer.
 */
interface QOSSums {
  requestCpu: Quantity | undefined;
  requestMemory: Quantity | undefined;
  limitCpu: Quantity | undefined;
  limitMemory: Quantity | undefined;
  /** False once a container lacks resources or a positive cpu or memory limit. */
  guaranteed: boolean;
}

const sums: QOSSums = { requestCpu: undefined, requestMemory: undefined, limitCpu: undefined, limitMemory: undefined, guaranteed: true };

export function podQOSClass(pod: Pod): QOSClass {
  const spec = pod.spec;
  sums.requestCpu = undefined;
  sums.requestMemory = undefined;
  sums.limitCpu = undefined;
  sums.limitMemory = undefined;
  sums.guaranteed = true;
  addContainers(spec?.initContainers);
  addContainers(spec?.containers);
  const { requestCpu, requestMemory, limitCpu, limitMemory } = sums;
  if (requestCpu === undefined && requestMemory === undefined && limitCpu === undefined && limitMemory === undefined) {
    return 'BestEffort';
  }
  // Guaranteed: every summed request has an equal summed limit, and nothing is limited
  // without being requested.
  let guaranteed = sums.guaranteed;
  if (guaranteed && requestCpu !== undefined) guaranteed = limitCpu !== undefined && compareQuantities(limitCpu, requestCpu) === 0;
  if (guaranteed && requestMemory !== undefined) guaranteed = limitMemory !== undefined && compareQuantities(limitMemory, requestMemory) === 0;
  const requestCount = (requestCpu === undefined ? 0 : 1) + (requestMemory === undefined ? 0 : 1);
  const limitCount = (limitCpu === undefined ? 0 : 1) + (limitMemory === undefined ? 0 : 1);
  return guaranteed && requestCount === limitCount ? 'Guaranteed' : 'Burstable';
}

function addContainers(list: readonly Container[] | undefined): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const c: unknown = list[i];
    if (typeof c !== 'object' || c === null) continue;
    const resources: unknown = (c as Container).resources;
    if (typeof resources !== 'object' || resources === null) {
      sums.guaranteed = false;
      continue;
    }
    const r = resources as Record<string, unknown>;
    const limits = asList(r['limits']);
    const requests = asList(r['requests']);
    // A limit without a request is also the request (SetDefaults_Pod), so the class is the
    // same whether or not the pod was defaulted yet.
    if (requests !== undefined || limits !== undefined) {
      const cpu = positiveQuantity(requests?.['cpu'] ?? limits?.['cpu']);
      if (cpu !== undefined) sums.requestCpu = sumOf(sums.requestCpu, cpu);
      const memory = positiveQuantity(requests?.['memory'] ?? limits?.['memory']);
      if (memory !== undefined) sums.requestMemory = sumOf(sums.requestMemory, memory);
    }
    let limited = 0;
    if (limits !== undefined) {
      const cpu = positiveQuantity(limits['cpu']);
      if (cpu !== undefined) {
        sums.limitCpu = sumOf(sums.limitCpu, cpu);
        limited++;
      }
      const memory = positiveQuantity(limits['memory']);
      if (memory !== undefined) {
        sums.limitMemory = sumOf(sums.limitMemory, memory);
        limited++;
      }
    }
    if (limited !== 2) sums.guaranteed = false;
  }
}

function asList(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The quantity `v` holds when it is well-formed and above zero; zero and negatives count as unset. */
function positiveQuantity(v: unknown): Quantity | undefined {
  const q = tryParseQuantity(v);
  if (q === undefined || isZeroQuantity(q) || q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) return undefined;
  return q;
}

function sumOf(sum: Quantity | undefined, q: Quantity): Quantity {
  return sum === undefined ? q : addQuantities(sum, q);
}
