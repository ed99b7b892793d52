// Writing Node objects into the node table (main thread only): allocatable, labels, taints, images,
// the unschedulable flag. Pods' requests are added and removed by the scheduler separately.
import type { Node } from '../core/api/types.js';
import { parseMilli, parseValue } from '../core/api/quantity.js';
import type { InternTable } from './workers/intern.js';
import { NodeFlag, taintEffectCode, type NodeTable } from './workers/node-table.js';

export class NodeTooLargeError extends Error {
  override readonly name = 'NodeTooLargeError';
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

/** Writes everything but the requests. Throws NodeTooLargeError when a list exceeds its slots. */
export function writeNode(table: NodeTable, intern: InternTable, index: number, node: Node, rank: number): void {
  const dims = table.dims;
  const name = node.metadata.name ?? '';
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const labels = Object.entries(node.metadata.labels ?? {});
  if (labels.length > dims.labelsMax) throw new NodeTooLargeError(`node ${name} has ${labels.length} labels; at most ${dims.labelsMax} are supported`);
  const taints = node.spec?.taints ?? [];
  if (taints.length > dims.taintsMax) throw new NodeTooLargeError(`node ${name} has ${taints.length} taints; at most ${dims.taintsMax} are supported`);
  const images = nodeImageNames(node);
  table.allocCpuMilli[index] = quantityOr(alloc['cpu'], parseMilli);
  table.allocMemBytes[index] = quantityOr(alloc['memory'], parseValue);
  table.allocEphBytes[index] = quantityOr(alloc['ephemeral-storage'], parseValue);
  table.allocPods[index] = quantityOr(alloc['pods'], parseValue);
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
  // Images beyond the slots are left out: ImageLocality then scores as if the node lacked them.
  const imageCount = Math.min(images.length, dims.imagesMax);
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
}
