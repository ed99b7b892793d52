// Defaulting of the non-workload kinds (core/v1, discovery, scheduling, storage, networking).

import type {
  EndpointSlice,
  Endpoints,
  IngressClass,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PriorityClass,
  Secret,
  Service,
  StorageClass,
} from '../types.js';

import { isObj } from './clone.js';

/** v1.DefaultClientIPServiceAffinitySeconds (3 hours). */
const clientIPAffinitySecondsDefault = 10800;

/**
 * SetDefaults_Service, plus what the Service registry fills on create that does not need an
 * allocator: ipFamilyPolicy SingleStack and ipFamilies [IPv4] (clusterIP and nodePorts are
 * allocated by the registry).
 */
export function defaultService(svc: Service): void {
  const spec = svc.spec;
  if (!isObj(spec)) return;
  if (spec.sessionAffinity === undefined) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = spec.sessionAffinityConfig;
    const seconds = isObj(config) && isObj(config.clientIP) ? config.clientIP.timeoutSeconds : undefined;
    if (seconds === undefined) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: clientIPAffinitySecondsDefault } };
  }
  if (spec.type === undefined) spec.type = 'ClusterIP';
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isObj(p)) continue;
      if (p.protocol === undefined) p.protocol = 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  }
  const externallyAccessible =
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible && spec.externalTrafficPolicy === undefined) spec.externalTrafficPolicy = 'Cluster';
  if (
    spec.internalTrafficPolicy === undefined &&
    (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer')
  ) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  if (spec.type !== 'ExternalName') {
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
    if (spec.ipFamilies === undefined || (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length === 0)) spec.ipFamilies = ['IPv4'];
  }
}

/**
 * Secret type Opaque; and stringData, a write-only convenience, merged into data (base64) as the
 * v1 conversion does, its keys winning over data's.
 */
export function defaultSecret(s: Secret): void {
  if (s.type === undefined || s.type === '') s.type = 'Opaque';
  const stringData = s.stringData;
  if (isObj(stringData) && (s.data === undefined || isObj(s.data))) {
    const data = (s.data ??= {});
    for (const k in stringData) {
      const v = stringData[k];
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    delete s.stringData;
  }
}

export function defaultPersistentVolumeClaim(pvc: { spec?: PersistentVolumeClaim['spec']; status?: PersistentVolumeClaim['status'] }): void {
  if (isObj(pvc.spec) && pvc.spec.volumeMode === undefined) pvc.spec.volumeMode = 'Filesystem';
  const status = (pvc.status ??= {});
  if (isObj(status) && status.phase === undefined) status.phase = 'Pending';
}

export function defaultPersistentVolume(pv: PersistentVolume): void {
  const spec = pv.spec;
  if (isObj(spec)) {
    if (spec.persistentVolumeReclaimPolicy === undefined) spec.persistentVolumeReclaimPolicy = 'Retain';
    if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
    if (isObj(spec.hostPath) && spec.hostPath.type === undefined) spec.hostPath.type = '';
  }
  const status = (pv.status ??= {});
  if (isObj(status) && status.phase === undefined) status.phase = 'Pending';
}

/** The label every namespace carries with its own name (NamespaceDefaultLabelName). */
export const labelNamespaceName = 'kubernetes.io/metadata.name';

export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata.name;
  if (typeof name === 'string' && name !== '') {
    const labels = isObj(ns.metadata.labels) ? ns.metadata.labels : {};
    ns.metadata.labels = { ...labels, [labelNamespaceName]: name };
  }
  const status = (ns.status ??= {});
  if (isObj(status) && status.phase === undefined) status.phase = 'Active';
}

export function defaultNode(node: Node): void {
  const status = node.status;
  if (isObj(status) && isObj(status.capacity) && status.allocatable === undefined) status.allocatable = { ...status.capacity };
}

export function defaultEndpoints(ep: Endpoints): void {
  if (!Array.isArray(ep.subsets)) return;
  for (const subset of ep.subsets) {
    if (!isObj(subset) || !Array.isArray(subset.ports)) continue;
    for (const p of subset.ports) if (isObj(p) && p.protocol === undefined) p.protocol = 'TCP';
  }
}

export function defaultEndpointSlice(eps: EndpointSlice): void {
  if (!Array.isArray(eps.ports)) return;
  for (const p of eps.ports) {
    if (!isObj(p)) continue;
    if (p.name === undefined) p.name = '';
    if (p.protocol === undefined) p.protocol = 'TCP';
  }
}

export function defaultPriorityClass(pc: PriorityClass): void {
  if (pc.preemptionPolicy === undefined) pc.preemptionPolicy = 'PreemptLowerPriority';
}

export function defaultStorageClass(sc: StorageClass): void {
  if (sc.reclaimPolicy === undefined) sc.reclaimPolicy = 'Delete';
  if (sc.volumeBindingMode === undefined) sc.volumeBindingMode = 'Immediate';
}

export function defaultIngressClass(ic: IngressClass): void {
  const params = isObj(ic.spec) ? ic.spec.parameters : undefined;
  if (isObj(params) && params.scope === undefined) params.scope = 'Cluster';
}
