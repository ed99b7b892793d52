// Writing Node objects into the node table (main thread only): allocatable (extended resources in
// their columns), labels, taints, images, the unschedulable flag. A node with more labels, taints or
// images than the table's slots grows the table. Pods' requests are added and removed by the
// scheduler separately (extended ones through applyPodScalars).
import type { Container, Node, Pod } from '../core/api/types.js';
import { validateLabelKey } from '../core/api/labels.js';
import { parseMilli, parseValue } from '../core/api/quantity.js';
import type { PodInfo } from './framework/pod-info.js';
import type { InternTable } from './workers/intern.js';
import { NodeFlag, taintEffectCode, type NodeTable } from './workers/node-table.js';

/** Resources with columns of their own (pods, cpu, memory, ephemeral-storage). */
const nativeColumns: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

/** v1helper.IsExtendedResourceName: outside kubernetes.io, with a prefix, a qualified name as a quota. */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.includes('kubernetes.io/') || name.startsWith('requests.')) return false;
  return validateLabelKey(`requests.${name}`).length === 0;
}

/** schedutil.IsScalarResourceName: extended, hugepages-*, prefixed native or attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (nativeColumns.has(name)) return false;
  return isExtendedResourceName(name) || name.startsWith('hugepages-') || name.includes('kubernetes.io/') || name.startsWith('attachable-volumes-');
}

/** One extended resource a pod requests (Value(): a count, or bytes for hugepages). */
export interface ScalarRequest {
  readonly name: string;
  readonly quantity: number;
}

function addScalars(into: Map<string, number>, requests: Readonly<Record<string, string | number>> | undefined): void {
  if (requests === undefined) return;
  for (const name of Object.keys(requests)) {
    if (!isScalarResourceName(name)) continue;
    into.set(name, (into.get(name) ?? 0) + parseValue(requests[name] as string | number));
  }
}

function containerScalars(c: Container): Map<string, number> {
  const m = new Map<string, number>();
  addScalars(m, c.resources?.requests);
  return m;
}

/**
 * The pod's extended-resource requests as resourcehelper.PodRequests sums them: containers plus
 * sidecars, or the largest regular init container (with the sidecars before it), plus overhead.
 * Sorted by name; zero requests left out.
 */
export function podScalarRequests(pod: Pod): readonly ScalarRequest[] {
  const spec = pod.spec;
  if (!mayRequestScalars(pod)) return noScalars;
  const sum = new Map<string, number>();
  for (const c of spec?.containers ?? []) for (const [k, v] of containerScalars(c)) sum.set(k, (sum.get(k) ?? 0) + v);
  const sidecars = new Map<string, number>();
  const init = new Map<string, number>();
  for (const c of spec?.initContainers ?? []) {
    const one = containerScalars(c);
    if (c.restartPolicy === 'Always') {
      for (const [k, v] of one) sidecars.set(k, (sidecars.get(k) ?? 0) + v);
      continue;
    }
    for (const k of new Set([...one.keys(), ...sidecars.keys()])) init.set(k, Math.max(init.get(k) ?? 0, (one.get(k) ?? 0) + (sidecars.get(k) ?? 0)));
  }
  for (const [k, v] of sidecars) sum.set(k, (sum.get(k) ?? 0) + v);
  for (const [k, v] of init) sum.set(k, Math.max(sum.get(k) ?? 0, v));
  const overhead = new Map<string, number>();
  addScalars(overhead, spec?.overhead);
  for (const [k, v] of overhead) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum].filter(([, v]) => v !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, quantity]) => ({ name, quantity }));
}

const noScalars: readonly ScalarRequest[] = Object.freeze([]);

function hasOtherKey(requests: Readonly<Record<string, unknown>> | undefined): boolean {
  if (requests === undefined) return false;
  const keys = Object.keys(requests);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k !== 'cpu' && k !== 'memory' && k !== 'ephemeral-storage') return true;
  }
  return false;
}

/** False when every request is cpu / memory / ephemeral-storage (nearly every pod): no maps built. */
function mayRequestScalars(pod: Pod): boolean {
  const spec = pod.spec;
  if (spec === undefined) return false;
  for (const c of spec.containers) if (hasOtherKey(c.resources?.requests)) return true;
  for (const c of spec.initContainers ?? []) if (hasOtherKey(c.resources?.requests)) return true;
  return hasOtherKey(spec.overhead);
}

const scalarsOfPod = new WeakMap<PodInfo, readonly ScalarRequest[]>();

/**
 * podScalarRequests, computed once per PodInfo that has any. Nearly every pod has none: they are
 * answered by a scan of the request keys, without a WeakMap entry (whose cost grows with the GC).
 */
export function scalarRequestsOf(info: PodInfo): readonly ScalarRequest[] {
  if (!mayRequestScalars(info.pod)) return noScalars;
  let r = scalarsOfPod.get(info);
  if (r === undefined) scalarsOfPod.set(info, (r = podScalarRequests(info.pod)));
  return r;
}

/** Adds (sign 1) or removes (-1) a pod's extended-resource requests on a node (main thread, between rounds). */
export function applyPodScalars(table: NodeTable, intern: InternTable, info: PodInfo, node: number, sign: 1 | -1): void {
  const requests = scalarRequestsOf(info);
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    const column = table.addScalarColumn(intern.intern(r.name));
    const at = column * table.dims.nodesMax + node;
    table.reqScalar[at] = (table.reqScalar[at] as number) + sign * r.quantity;
  }
}

function quantityOr(q: string | number | undefined, parse: (q: string | number) => number): number {
  return q === undefined ? 0 : parse(q);
}

/** The image names a node reports (one entry per name, as kube-scheduler's ImageStates). */
export function nodeImageNames(node: Node): { readonly name: string; readonly sizeBytes: number }[] {
  const out: { name: string; sizeBytes: number }[] = [];
  for (const image of node.status?.images ?? []) for (const name of image.names ?? []) out.push({ name, sizeBytes: image.sizeBytes ?? 0 });
  return out;
}

/** Writes everything but the requests, growing the table when a list exceeds its slots. */
export function writeNode(table: NodeTable, intern: InternTable, index: number, node: Node, rank: number): void {
  const name = node.metadata.name ?? '';
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const labels = Object.entries(node.metadata.labels ?? {});
  const taints = node.spec?.taints ?? [];
  const images = nodeImageNames(node);
  table.ensure({ labelsMax: labels.length, taintsMax: taints.length, imagesMax: images.length });
  const dims = table.dims;
  table.allocCpuMilli[index] = quantityOr(alloc['cpu'], parseMilli);
  table.allocMemBytes[index] = quantityOr(alloc['memory'], parseValue);
  table.allocEphBytes[index] = quantityOr(alloc['ephemeral-storage'], parseValue);
  table.allocPods[index] = quantityOr(alloc['pods'], parseValue);
  // Extended resources: every column is rewritten (a resource the node no longer reports is 0).
  for (const rName of Object.keys(alloc)) if (isScalarResourceName(rName)) table.addScalarColumn(intern.intern(rName));
  for (let c = 0; c < table.scalarCount; c++) {
    const q = alloc[intern.string(table.scalarName[c] as number)];
    table.allocScalar[c * dims.nodesMax + index] = q === undefined ? 0 : parseValue(q);
  }
  let base = index * dims.labelsMax;
  for (const [k, v] of labels) {
    table.labelKey[base] = intern.intern(k);
    table.labelValue[base] = intern.intern(v);
    base++;
  }
  table.labelCount[index] = labels.length;
  base = index * dims.taintsMax;
  for (const t of taints) {
    table.taintKey[base] = intern.intern(t.key);
    table.taintValue[base] = intern.intern(t.value ?? '');
    table.taintEffect[base] = taintEffectCode(t.effect);
    base++;
  }
  table.taintCount[index] = taints.length;
  const imageCount = images.length;
  base = index * dims.imagesMax;
  for (let k = 0; k < imageCount; k++) {
    const id = intern.intern(images[k]!.name);
    table.imageId[base + k] = id;
    table.imageBytes[base + k] = images[k]!.sizeBytes;
    intern.columns.imageNodes[id] = (intern.columns.imageNodes[id] as number) + 1;
  }
  table.imageCount[index] = imageCount;
  table.nameId[index] = intern.intern(name);
  table.rank[index] = rank;
  let flags = (table.flags[index] as number) & NodeFlag.portsOverflow;
  flags |= NodeFlag.live;
  if (node.spec?.unschedulable === true) flags |= NodeFlag.unschedulable;
  table.flags[index] = flags;
}

/** Forgets the node's images (their node counts) before a rewrite or removal. */
export function releaseNodeImages(table: NodeTable, intern: InternTable, index: number): void {
  const base = index * table.dims.imagesMax;
  const n = table.imageCount[index] as number;
  for (let k = 0; k < n; k++) {
    const id = table.imageId[base + k] as number;
    intern.columns.imageNodes[id] = (intern.columns.imageNodes[id] as number) - 1;
  }
  table.imageCount[index] = 0;
}

/** Clears a slot for reuse. */
export function clearNode(table: NodeTable, intern: InternTable, index: number): void {
  releaseNodeImages(table, intern, index);
  table.flags[index] = 0;
  table.labelCount[index] = 0;
  table.taintCount[index] = 0;
  table.portCount[index] = 0;
  table.allocCpuMilli[index] = 0;
  table.allocMemBytes[index] = 0;
  table.allocEphBytes[index] = 0;
  table.allocPods[index] = 0;
  table.reqCpuMilli[index] = 0;
  table.reqMemBytes[index] = 0;
  table.reqEphBytes[index] = 0;
  table.reqPods[index] = 0;
  table.nonZeroCpuMilli[index] = 0;
  table.nonZeroMemBytes[index] = 0;
  const n = table.dims.nodesMax;
  for (let c = 0; c < table.scalarCount; c++) {
    table.allocScalar[c * n + index] = 0;
    table.reqScalar[c * n + index] = 0;
  }
}
