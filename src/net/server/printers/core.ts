// Core-group printers: Service, Node, Namespace, ConfigMap, Secret, Event, Endpoints,
// PersistentVolume, PersistentVolumeClaim, ServiceAccount.

import type {
  ConfigMap,
  Endpoints,
  Event,
  KubeObject,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from '../../../core/api/types.js';
import { age, ageColumn, nameColumn } from './common.js';
import { docs } from './descriptions.js';
import { accessModesString, formatLabels, joinHostPort, quantityString, translateTimestampSince } from './format.js';
import { column, type Printer, type TableCell } from './types.js';

// ---- Service ---------------------------------------------------------------------------------

type ServiceSpec = NonNullable<Service['spec']>;
type LoadBalancerIngress = { readonly ip?: string; readonly hostname?: string };

/** loadBalancerStatusStringer (wide): distinct IPs or hostnames, sorted, joined by commas. */
function loadBalancerAddresses(ingress: readonly LoadBalancerIngress[] | undefined): string {
  if (ingress === undefined || ingress.length === 0) return '';
  const set = new Set<string>();
  for (const i of ingress) {
    if (i.ip !== undefined && i.ip !== '') set.add(i.ip);
    else if (i.hostname !== undefined && i.hostname !== '') set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

/** getServiceExternalIP, as the server prints it (wide: addresses are not clipped). */
function serviceExternalIP(svc: Service): string {
  const spec: ServiceSpec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) return (lb === '' ? externalIPs : [...lb.split(','), ...externalIPs]).join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: `80/TCP`, or `80:30080/TCP` with a node port, joined by commas. */
export function servicePorts(ports: ServiceSpec['ports']): string {
  if (ports === undefined || ports.length === 0) return '';
  let out = '';
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i];
    if (p === undefined) continue;
    if (i > 0) out += ',';
    const protocol = p.protocol ?? '';
    out += p.nodePort !== undefined && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  }
  return out;
}

export const servicePrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Type', 'string', docs.svcSpec.type),
    column('Cluster-IP', 'string', docs.svcSpec.clusterIP),
    column('External-IP', 'string', docs.svcSpec.externalIPs),
    column('Port(s)', 'string', docs.svcSpec.ports),
    ageColumn,
    column('Selector', 'string', docs.svcSpec.selector, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const svc = obj as Service;
    const ports = servicePorts(svc.spec?.ports);
    return [
      svc.metadata.name ?? '',
      svc.spec?.type ?? '',
      svc.spec?.clusterIPs?.[0] ?? '<none>',
      serviceExternalIP(svc),
      ports === '' ? '<none>' : ports,
      age(svc, nowMs),
      formatLabels(svc.spec?.selector),
    ];
  },
});

// ---- Node ------------------------------------------------------------------------------------

const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted. */
export function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return '<none>';
  const roles = new Set<string>();
  for (const key of Object.keys(labels)) {
    if (key.startsWith(labelNodeRolePrefix)) {
      const role = key.slice(labelNodeRolePrefix.length);
      if (role !== '') roles.add(role);
    } else if (key === nodeLabelRole && labels[key] !== '') {
      roles.add(labels[key] ?? '');
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function orUnknown(s: string | undefined): string {
  return s === undefined || s === '' ? '<unknown>' : s;
}

function nodeAddress(node: Node, type: string): string {
  for (const a of node.status?.addresses ?? []) if (a.type === type) return a.address;
  return '<none>';
}

export const nodePrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn,
    column('Version', 'string', docs.nodeInfo.kubeletVersion),
    column('Internal-IP', 'string', docs.nodeStatus.addresses, 1),
    column('External-IP', 'string', docs.nodeStatus.addresses, 1),
    column('OS-Image', 'string', docs.nodeInfo.osImage, 1),
    column('Kernel-Version', 'string', docs.nodeInfo.kernelVersion, 1),
    column('Container-Runtime', 'string', docs.nodeInfo.containerRuntimeVersion, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const node = obj as Node;
    // Only the Ready condition is shown (NodeAllConditions).
    let status = 'Unknown';
    for (const c of node.status?.conditions ?? []) {
      if (c.type === 'Ready') status = c.status === 'True' ? 'Ready' : 'NotReady';
    }
    if (node.spec?.unschedulable === true) status += ',SchedulingDisabled';
    const info = node.status?.nodeInfo;
    return [
      node.metadata.name ?? '',
      status,
      nodeRoles(node.metadata.labels),
      age(node, nowMs),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      orUnknown(info?.osImage),
      orUnknown(info?.kernelVersion),
      orUnknown(info?.containerRuntimeVersion),
    ];
  },
});

// ---- Namespace, ConfigMap, Secret, ServiceAccount --------------------------------------------

export const namespacePrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ns = obj as Namespace;
    return [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns, nowMs)];
  },
});

function countKeys(map: object | undefined | null): number {
  return map === undefined || map === null ? 0 : Object.keys(map).length;
}

export const configMapPrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, column('Data', 'string', docs.configMap.data), ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const cm = obj as ConfigMap;
    return [cm.metadata.name ?? '', countKeys(cm.data) + countKeys(cm.binaryData), age(cm, nowMs)];
  },
});

export const secretPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Type', 'string', docs.secret.type),
    column('Data', 'string', docs.secret.data),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const s = obj as Secret;
    return [s.metadata.name ?? '', s.type ?? '', countKeys(s.data), age(s, nowMs)];
  },
});

export const serviceAccountPrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, column('Secrets', 'string', docs.sa.secrets), ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const sa = obj as ServiceAccount;
    return [sa.metadata.name ?? '', sa.secrets?.length ?? 0, age(sa, nowMs)];
  },
});

// ---- Event -----------------------------------------------------------------------------------

export const eventPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    column('Last Seen', 'string', docs.event.lastTimestamp),
    column('Type', 'string', docs.event.type),
    column('Reason', 'string', docs.event.reason),
    column('Object', 'string', docs.event.involvedObject),
    column('Subobject', 'string', docs.objRef.fieldPath, 1),
    column('Source', 'string', docs.event.source, 1),
    column('Message', 'string', docs.event.message),
    column('First Seen', 'string', docs.event.firstTimestamp, 1),
    column('Count', 'string', docs.event.count, 1),
    column('Name', 'string', docs.meta.name, 1, 'name'),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ev = obj as Event;
    let first = translateTimestampSince(ev.firstTimestamp, nowMs);
    if (ev.firstTimestamp === undefined || ev.firstTimestamp === null || ev.firstTimestamp === '') {
      first = translateTimestampSince(ev.eventTime, nowMs);
    }
    let last = ev.lastTimestamp === undefined || ev.lastTimestamp === null || ev.lastTimestamp === ''
      ? first
      : translateTimestampSince(ev.lastTimestamp, nowMs);
    let count = ev.count ?? 0;
    if (ev.series !== undefined && ev.series !== null) {
      last = translateTimestampSince(ev.series.lastObservedTime, nowMs);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // Singleton events have no count in the new API.
    }
    const involved = ev.involvedObject;
    const kind = (involved.kind ?? '').toLowerCase();
    const target = involved.name !== undefined && involved.name !== '' ? `${kind}/${involved.name}` : kind;
    const component = ev.source?.component || ev.reportingComponent || '';
    const instance = ev.source?.host || ev.reportingInstance || '';
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      involved.fieldPath ?? '',
      instance === '' ? component : `${component}, ${instance}`,
      (ev.message ?? '').trim(),
      first,
      count,
      ev.metadata.name ?? '',
    ];
  },
});

// ---- Endpoints -------------------------------------------------------------------------------

/** formatEndpoints: up to three `ip:port` (or bare IPs for port-less subsets), then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

export const endpointsPrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, column('Endpoints', 'string', docs.endpoints.subsets), ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ep = obj as Endpoints;
    return [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, nowMs)];
  },
});

// ---- PersistentVolume, PersistentVolumeClaim -------------------------------------------------

const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

export const persistentVolumePrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Capacity', 'string', docs.pvSpec.capacity),
    column('Access Modes', 'string', docs.pvSpec.accessModes),
    column('Reclaim Policy', 'string', docs.pvSpec.persistentVolumeReclaimPolicy),
    column('Status', 'string', docs.pvStatus.phase),
    column('Claim', 'string', docs.pvSpec.claimRef),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', docs.pvStatus.reason),
    ageColumn,
    column('VolumeMode', 'string', docs.pvSpec.volumeMode, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const pv = obj as PersistentVolume;
    const spec = pv.spec;
    const claimRef = spec?.claimRef;
    const claim = claimRef === undefined ? '' : `${claimRef.namespace ?? ''}/${claimRef.name ?? ''}`;
    const deleting = pv.metadata.deletionTimestamp !== undefined && pv.metadata.deletionTimestamp !== null;
    const annotations = pv.metadata.annotations;
    const storageClass =
      annotations !== undefined && betaStorageClassAnnotation in annotations
        ? (annotations[betaStorageClassAnnotation] ?? '')
        : (spec?.storageClassName ?? '');
    return [
      pv.metadata.name ?? '',
      quantityString(spec?.capacity?.['storage']),
      accessModesString(spec?.accessModes),
      spec?.persistentVolumeReclaimPolicy ?? '',
      deleting ? 'Terminating' : (pv.status?.phase ?? ''),
      claim,
      storageClass,
      spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(pv, nowMs),
      spec?.volumeMode ?? '<unset>',
    ];
  },
});

export const persistentVolumeClaimPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Status', 'string', docs.pvcStatus.phase),
    column('Volume', 'string', docs.pvcSpec.volumeName),
    column('Capacity', 'string', docs.pvcStatus.capacity),
    column('Access Modes', 'string', docs.pvcStatus.accessModes),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    column('VolumeMode', 'string', docs.pvcSpec.volumeMode, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const pvc = obj as PersistentVolumeClaim;
    const spec = pvc.spec;
    const deleting = pvc.metadata.deletionTimestamp !== undefined && pvc.metadata.deletionTimestamp !== null;
    const volumeName = spec?.volumeName ?? '';
    // Capacity and access modes are shown once the claim is bound to a volume.
    const bound = volumeName !== '';
    const annotations = pvc.metadata.annotations;
    const storageClass =
      annotations !== undefined && betaStorageClassAnnotation in annotations
        ? (annotations[betaStorageClassAnnotation] ?? '')
        : (spec?.storageClassName ?? '');
    return [
      pvc.metadata.name ?? '',
      deleting ? 'Terminating' : (pvc.status?.phase ?? ''),
      volumeName,
      bound ? quantityString(pvc.status?.capacity?.['storage']) : '',
      bound ? accessModesString(pvc.status?.accessModes) : '',
      storageClass,
      spec?.volumeAttributesClassName ?? '<unset>',
      age(pvc, nowMs),
      spec?.volumeMode ?? '<unset>',
    ];
  },
});
