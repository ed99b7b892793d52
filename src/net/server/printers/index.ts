// Server-side Table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), as
// kube-apiserver answers `kubectl get`: column definitions plus one row of cells per object,
// each row carrying the object's metadata (PartialObjectMetadata, the default), the whole object
// (`includeObject=Object`) or nothing (`includeObject=None`).
//
//   tableForList(kind, items, { now })      a LIST answer
//   tableForObject(kind, obj, { now })      a GET answer, or one watch event's object
//   tableRow(kind, obj, now, includeObject) one row, for callers that assemble their own Table
//
// kubectl prints the headers of the first Table it gets in a watch and expects none after:
// pass `noHeaders: true` for every event after the first, as kube-apiserver does.

import type { KindInfo } from '../../../core/api/kinds.js';
import type { KubeObject } from '../../../core/api/types.js';
import { defaultPrinter } from './common.js';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.js';
import {
  endpointSlicePrinter,
  ingressClassPrinter,
  ingressPrinter,
  leasePrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  storageClassPrinter,
} from './cluster.js';
import { podPrinter } from './pods.js';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  scalePrinter,
  statefulSetPrinter,
} from './workloads.js';
import type {
  IncludeObject,
  MetaVersion,
  PartialObjectMetadata,
  Printer,
  Table,
  TableListMeta,
  TableRow,
} from './types.js';

export type {
  IncludeObject,
  MetaVersion,
  PartialObjectMetadata,
  Printer,
  Table,
  TableCell,
  TableColumnDefinition,
  TableListMeta,
  TableRow,
  TableRowCondition,
} from './types.js';
export { humanDuration } from './format.js';
export { podSummary } from './pods.js';

/** Printers by `group/kind` (group '' for core); kinds not listed get NAME and AGE. */
const printers: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['/Pod', podPrinter],
  ['/Node', nodePrinter],
  ['/Namespace', namespacePrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/Event', eventPrinter],
  ['/PersistentVolume', persistentVolumePrinter],
  ['/PersistentVolumeClaim', persistentVolumeClaimPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['batch/Job', jobPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['scheduling.k8s.io/PriorityClass', priorityClassPrinter],
  ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
  ['storage.k8s.io/StorageClass', storageClassPrinter],
  // Not a registry kind, but what the scale subresource answers with.
  ['autoscaling/Scale', scalePrinter],
]);

/** Printers already looked up, by the registry's (frozen, long-lived) KindInfo objects. */
const printerCache = new WeakMap<object, Printer>();

/** The printer for a kind (its own, or NAME/AGE). */
export function printerFor(kind: Pick<KindInfo, 'group' | 'kind'>): Printer {
  let printer = printerCache.get(kind);
  if (printer === undefined) {
    printer = printers.get(`${kind.group}/${kind.kind}`) ?? defaultPrinter;
    // Only frozen kinds can be remembered: a mutable one may name another kind next time.
    if (Object.isFrozen(kind)) printerCache.set(kind, printer);
  }
  return printer;
}

export interface TableOptions {
  /** The moment ages are measured from, in epoch milliseconds (Date.now() in the server). */
  readonly now: number;
  /** Default `Metadata`. */
  readonly includeObject?: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first). */
  readonly noHeaders?: boolean;
  /** meta.k8s.io version of the Table and of PartialObjectMetadata rows; default v1. */
  readonly metaVersion?: MetaVersion;
}

export interface ListTableOptions extends TableOptions {
  /** The list's metadata (resourceVersion, continue, remainingItemCount), copied to the Table. */
  readonly listMeta?: TableListMeta;
}

function rowObject(
  obj: KubeObject,
  includeObject: IncludeObject,
  apiVersion: PartialObjectMetadata['apiVersion'],
): PartialObjectMetadata | KubeObject | null {
  switch (includeObject) {
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
    case 'Object':
      return obj;
    case 'None':
      return null;
    default: {
      const never: never = includeObject;
      return never;
    }
  }
}

function rowWith(
  printer: Printer,
  obj: KubeObject,
  nowMs: number,
  includeObject: IncludeObject,
  apiVersion: Table['apiVersion'],
): TableRow {
  const conditions = printer.conditions?.(obj);
  const cells = printer.cells(obj, nowMs);
  const object = rowObject(obj, includeObject, apiVersion);
  return conditions === undefined ? { cells, object } : { cells, conditions, object };
}

/** One object's row. */
export function tableRow(
  kind: Pick<KindInfo, 'group' | 'kind'>,
  obj: KubeObject,
  nowMs: number,
  includeObject: IncludeObject = 'Metadata',
  metaVersion: MetaVersion = 'v1',
): TableRow {
  return rowWith(printerFor(kind), obj, nowMs, includeObject, `meta.k8s.io/${metaVersion}`);
}

/** The Table for a list of objects of one kind. */
export function tableForList(
  kind: Pick<KindInfo, 'group' | 'kind'>,
  objects: readonly KubeObject[],
  options: ListTableOptions,
): Table {
  const printer = printerFor(kind);
  const includeObject = options.includeObject ?? 'Metadata';
  const apiVersion: Table['apiVersion'] = `meta.k8s.io/${options.metaVersion ?? 'v1'}`;
  const rows: TableRow[] = new Array<TableRow>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    rows[i] = rowWith(printer, objects[i] as KubeObject, options.now, includeObject, apiVersion);
  }
  return {
    kind: 'Table',
    apiVersion,
    metadata: options.listMeta ?? {},
    columnDefinitions: options.noHeaders === true ? [] : printer.columns,
    rows,
  };
}

/** The one-row Table for a single object (GET, or a watch event). */
export function tableForObject(kind: Pick<KindInfo, 'group' | 'kind'>, obj: KubeObject, options: TableOptions): Table {
  const printer = printerFor(kind);
  const rv = obj.metadata.resourceVersion;
  const apiVersion: Table['apiVersion'] = `meta.k8s.io/${options.metaVersion ?? 'v1'}`;
  return {
    kind: 'Table',
    apiVersion,
    metadata: rv === undefined ? {} : { resourceVersion: rv },
    columnDefinitions: options.noHeaders === true ? [] : printer.columns,
    rows: [rowWith(printer, obj, options.now, options.includeObject ?? 'Metadata', apiVersion)],
  };
}
