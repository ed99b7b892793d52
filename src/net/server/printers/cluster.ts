// Printers of the named groups outside apps/batch: Ingress, IngressClass, EndpointSlice, Lease,
// PriorityClass, PodDisruptionBudget, StorageClass.

import type {
  EndpointSlice,
  Ingress,
  IngressClass,
  KubeObject,
  Lease,
  PodDisruptionBudget,
  PriorityClass,
  StorageClass,
} from '../../../core/api/types.js';
import { age, ageColumn, nameColumn } from './common.js';
import { docs } from './descriptions.js';
import { intOrString, listWithMore } from './format.js';
import { column, type Printer, type TableCell } from './types.js';

// ---- Ingress, IngressClass -------------------------------------------------------------------

/** formatHosts: up to three rule hosts, "*" when none, "+ N more..." past three rules. */
export function ingressHosts(rules: NonNullable<Ingress['spec']>['rules']): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  const all = rules ?? [];
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && rule.host !== undefined && rule.host !== '') list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const text = list.join(',');
  return more ? `${text} + ${all.length - max} more...` : text;
}

export const ingressPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ing = obj as Ingress;
    const spec = ing.spec;
    // ingressLoadBalancerStatusStringer (wide): distinct IPs or hostnames, sorted.
    const addresses = new Set<string>();
    for (const i of ing.status?.loadBalancer?.ingress ?? []) {
      if (i.ip !== undefined && i.ip !== '') addresses.add(i.ip);
      else if (i.hostname !== undefined && i.hostname !== '') addresses.add(i.hostname);
    }
    return [
      ing.metadata.name ?? '',
      spec?.ingressClassName ?? '<none>',
      ingressHosts(spec?.rules),
      [...addresses].sort().join(','),
      spec?.tls !== undefined && spec.tls.length > 0 ? '80, 443' : '80',
      age(ing, nowMs),
    ];
  },
});

export const ingressClassPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p !== undefined) {
      parameters = p.apiGroup !== undefined ? `${p.kind}.${p.apiGroup}/${p.name}` : `${p.kind}/${p.name}`;
    }
    return [ic.metadata.name ?? '', ic.spec?.controller ?? '', parameters, age(ic, nowMs)];
  },
});

// ---- EndpointSlice ---------------------------------------------------------------------------

export const endpointSlicePrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('AddressType', 'string', docs.endpointSlice.addressType),
    column('Ports', 'string', docs.endpointSlice.ports),
    column('Endpoints', 'string', docs.endpointSlice.endpoints),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const es = obj as EndpointSlice;
    const max = 3;
    // formatDiscoveryPorts: the port number, else its name, else "*".
    const ports: string[] = [];
    const allPorts = es.ports ?? [];
    for (const p of allPorts) {
      if (ports.length >= max) break;
      ports.push(p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*'));
    }
    // formatDiscoveryEndpoints: every address of every endpoint.
    const addresses: string[] = [];
    let addressCount = 0;
    for (const e of es.endpoints ?? []) {
      for (const a of e.addresses) {
        if (addresses.length < max) addresses.push(a);
        addressCount++;
      }
    }
    return [
      es.metadata.name ?? '',
      es.addressType,
      listWithMore(ports, allPorts.length, max),
      listWithMore(addresses, addressCount, max),
      age(es, nowMs),
    ];
  },
});

// ---- Lease, PriorityClass, PodDisruptionBudget, StorageClass ---------------------------------

export const leasePrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, column('Holder', 'string', docs.leaseSpec.holderIdentity), ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const lease = obj as Lease;
    return [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, nowMs)];
  },
});

export const priorityClassPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Value', 'integer', docs.priorityClass.value),
    column('Global-Default', 'boolean', docs.priorityClass.globalDefault),
    ageColumn,
    column('PreemptionPolicy', 'string', docs.priorityClass.preemptionPolicy),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const pc = obj as PriorityClass;
    return [pc.metadata.name ?? '', pc.value, pc.globalDefault ?? false, age(pc, nowMs), pc.preemptionPolicy ?? ''];
  },
});

export const podDisruptionBudgetPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const pdb = obj as PodDisruptionBudget;
    const spec = pdb.spec;
    return [
      pdb.metadata.name ?? '',
      spec?.minAvailable !== undefined ? intOrString(spec.minAvailable) : 'N/A',
      spec?.maxUnavailable !== undefined ? intOrString(spec.maxUnavailable) : 'N/A',
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, nowMs),
    ];
  },
});

const defaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
const betaDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Provisioner', 'string', docs.storageClass.provisioner),
    column('ReclaimPolicy', 'string', docs.storageClass.reclaimPolicy),
    column('VolumeBindingMode', 'string', docs.storageClass.volumeBindingMode),
    column('AllowVolumeExpansion', 'string', docs.storageClass.allowVolumeExpansion),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const sc = obj as StorageClass;
    const annotations = sc.metadata.annotations;
    const isDefault =
      annotations !== undefined &&
      (annotations[defaultStorageClassAnnotation] === 'true' || annotations[betaDefaultStorageClassAnnotation] === 'true');
    const name = sc.metadata.name ?? '';
    return [
      isDefault ? `${name} (default)` : name,
      sc.provisioner,
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc, nowMs),
    ];
  },
});
