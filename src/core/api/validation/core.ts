// core/v1 validation other than Pods (pkg/apis/core/validation).

import { compareQuantities, formatQuantity, tryParseQuantity } from '../quantity.js';
import { validateLabelKey, validateLabelValue } from '../labels.js';
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from '../types.js';
import { deepEqual } from '../meta.js';
import { duplicate, forbidden, invalid, notSupported, required, tooLong, type FieldErrors } from './field.js';
import {
  asArray,
  asFields,
  checkUnique,
  num,
  str,
  validateImmutable,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  pushInvalid,
} from './common.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from './names.js';

type Fields = Record<string, unknown>;

/** core.MaxSecretSize: the total size of a ConfigMap's or Secret's data. */
export const configDataBytesMax = 1024 * 1024;
const protocols: readonly string[] = ['SCTP', 'TCP', 'UDP'];
const serviceTypes: readonly string[] = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const ipFamilyPolicies: readonly string[] = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const accessModes: readonly string[] = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const taintEffects: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const immutableWhenSet = 'field is immutable when `immutable` is set';
const quantityFormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function dns1123Label(value: string, field: string, errs: FieldErrors): void {
  pushInvalid(errs, field, value, isDNS1123Label(value));
}

function dns1123Subdomain(value: string, field: string, errs: FieldErrors): void {
  pushInvalid(errs, field, value, isDNS1123Subdomain(value));
}

function validateProtocol(value: unknown, field: string, errs: FieldErrors): void {
  const p = str(value);
  if (p === '') errs.push(required(field));
  else if (!protocols.includes(p)) errs.push(notSupported(field, p, protocols));
}

// --- Service ----------------------------------------------------------------------------------

function isHeadless(spec: Fields): boolean {
  return str(spec['clusterIP']) === 'None';
}

function validateServiceSpec(spec: Fields, errs: FieldErrors): void {
  const type = str(spec['type']);
  const ports = asArray(spec['ports']);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'ExternalName') {
    if (asArray(spec['clusterIPs']).length > 0 && !isHeadless(spec)) {
      errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    }
    const cname = str(spec['externalName']).replace(/\.$/, '');
    if (cname !== '') dns1123Subdomain(cname, 'spec.externalName', errs);
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  for (let i = 0; i < ports.length; i++) {
    const sp = asFields(ports[i]);
    const p = `spec.ports[${i}]`;
    const name = str(sp['name']);
    if (ports.length > 1 && name === '') errs.push(required(`${p}.name`));
    else if (name !== '') {
      dns1123Label(name, `${p}.name`, errs);
      checkUnique(names, name, `${p}.name`, errs);
    }
    const port = num(sp['port']);
    for (const msg of isValidPortNum(port)) errs.push(invalid(`${p}.port`, port, msg));
    validateProtocol(sp['protocol'], `${p}.protocol`, errs);
    const target = sp['targetPort'];
    if (typeof target === 'number') {
      for (const msg of isValidPortNum(target)) errs.push(invalid(`${p}.targetPort`, target, msg));
    } else {
      for (const msg of isValidPortName(str(target))) errs.push(invalid(`${p}.targetPort`, str(target), msg));
    }
    const nodePort = num(sp['nodePort']);
    if (nodePort !== 0) for (const msg of isValidPortNum(nodePort)) errs.push(invalid(`${p}.nodePort`, nodePort, msg));
  }
  if (spec['selector'] !== undefined) validateLabels(spec['selector'], 'spec.selector', errs);
  const affinity = str(spec['sessionAffinity']);
  if (affinity === '') errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') {
    errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  }
  const clusterIPs = asArray(spec['clusterIPs']);
  const clusterIP = str(spec['clusterIP']);
  if (clusterIP !== '' && clusterIP !== 'None') {
    pushInvalid(errs, 'spec.clusterIPs[0]', clusterIP, isValidIP(clusterIP));
  }
  if (clusterIPs.length > 0 && clusterIP !== '' && str(clusterIPs[0]) !== clusterIP) {
    errs.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  }
  if (type === '') errs.push(required('spec.type'));
  else if (!serviceTypes.includes(type)) errs.push(notSupported('spec.type', type, serviceTypes));
  if ((type === 'NodePort' || type === 'LoadBalancer') && isHeadless(spec)) {
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  const familyPolicy = spec['ipFamilyPolicy'];
  if (familyPolicy !== undefined && !ipFamilyPolicies.includes(str(familyPolicy))) {
    errs.push(notSupported('spec.ipFamilyPolicy', str(familyPolicy), ipFamilyPolicies));
  }
  const families = asArray(spec['ipFamilies']);
  for (let i = 0; i < families.length; i++) {
    const f = str(families[i]);
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  }
  if (type === 'ClusterIP') {
    for (let i = 0; i < ports.length; i++) {
      if (num(asFields(ports[i])['nodePort']) !== 0) {
        errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  const etp = spec['externalTrafficPolicy'];
  if (etp !== undefined && etp !== '' && etp !== 'Cluster' && etp !== 'Local') {
    errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  }
  const itp = spec['internalTrafficPolicy'];
  if (itp !== undefined && itp !== 'Cluster' && itp !== 'Local') {
    errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  }
  for (const [i, ip] of asArray(spec['externalIPs']).entries()) {
    for (const msg of isValidIP(str(ip))) errs.push(invalid(`spec.externalIPs[${i}]`, str(ip), msg));
  }
}

export function validateService(svc: Service, errs: FieldErrors): void {
  validateObjectMeta(svc.metadata, true, nameIsDNS1035Label, errs);
  validateServiceSpec(asFields(svc.spec), errs);
}

export function validateServiceUpdate(svc: Service, old: Service, errs: FieldErrors): void {
  validateObjectMetaUpdate(svc.metadata, old.metadata, errs);
  const n = asFields(svc.spec);
  const o = asFields(old.spec);
  // The cluster IP may not change once allocated (unless the type moves to or from ExternalName).
  const oldIP = str(o['clusterIP']);
  if (oldIP !== '' && str(n['type']) !== 'ExternalName' && str(o['type']) !== 'ExternalName' && str(n['clusterIP']) !== oldIP) {
    errs.push(invalid('spec.clusterIPs[0]', asArray(n['clusterIPs']), 'may not change once set'));
  }
  validateServiceSpec(n, errs);
}

// --- ConfigMap and Secret ----------------------------------------------------------------------

export function validateConfigMap(cm: ConfigMap, errs: FieldErrors): void {
  validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain, errs);
  const data = asFields(cm.data);
  const binary = asFields(cm.binaryData);
  let bytes = 0;
  for (const key in data) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
    if (binary[key] !== undefined) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    bytes += Buffer.byteLength(str(data[key]));
  }
  for (const key in binary) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`binaryData[${key}]`, key, msg));
    if (data[key] !== undefined) errs.push(invalid(`binaryData[${key}]`, key, 'duplicate of key present in data'));
    bytes += base64DecodedBytes(str(binary[key]));
  }
  if (bytes > configDataBytesMax) errs.push(tooLong('', '', configDataBytesMax));
}

function base64DecodedBytes(s: string): number {
  return Buffer.from(s, 'base64').length;
}

function validateImmutableData(
  n: { immutable?: boolean | undefined },
  o: { immutable?: boolean | undefined },
  fields: readonly (readonly [string, unknown, unknown])[],
  errs: FieldErrors,
): void {
  if (o.immutable !== true) return;
  if (n.immutable !== true) errs.push(forbidden('immutable', immutableWhenSet));
  for (const [name, nv, ov] of fields) if (!deepEqual(nv, ov)) errs.push(forbidden(name, immutableWhenSet));
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap, errs: FieldErrors): void {
  validateObjectMetaUpdate(cm.metadata, old.metadata, errs);
  validateImmutableData(cm, old, [['data', cm.data, old.data], ['binaryData', cm.binaryData, old.binaryData]], errs);
  validateConfigMap(cm, errs);
}

export function validateSecret(s: Secret, errs: FieldErrors): void {
  validateObjectMeta(s.metadata, true, nameIsDNSSubdomain, errs);
  const data = asFields(s.data);
  let bytes = 0;
  for (const key in data) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
    bytes += base64DecodedBytes(str(data[key]));
  }
  if (bytes > configDataBytesMax) errs.push(tooLong('data', '', configDataBytesMax));
  const type = str(s.type);
  switch (type) {
    case 'kubernetes.io/service-account-token':
      if (str(s.metadata.annotations?.['kubernetes.io/service-account.name']) === '') {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      if (data['.dockercfg'] === undefined) errs.push(required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (data['.dockerconfigjson'] === undefined) errs.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (data['username'] === undefined && data['password'] === undefined) {
        errs.push(required('data[username]'));
        errs.push(required('data[password]'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (data['ssh-privatekey'] === undefined) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (data['tls.crt'] === undefined) errs.push(required('data[tls.crt]'));
      if (data['tls.key'] === undefined) errs.push(required('data[tls.key]'));
      break;
    default:
      break;
  }
}

export function validateSecretUpdate(s: Secret, old: Secret, errs: FieldErrors): void {
  validateObjectMetaUpdate(s.metadata, old.metadata, errs);
  validateImmutable(str(s.type), str(old.type), 'type', errs);
  validateImmutableData(s, old, [['data', s.data, old.data]], errs);
  validateSecret(s, errs);
}

// --- Namespace, Node, ServiceAccount, Event ------------------------------------------------

export function validateNamespace(ns: Namespace, errs: FieldErrors): void {
  validateObjectMeta(ns.metadata, false, nameIsDNSLabel, errs);
  const finalizers = asArray(ns.spec?.finalizers);
  for (let i = 0; i < finalizers.length; i++) {
    const name = str(finalizers[i]);
    const p = `spec.finalizers[${i}]`;
    pushInvalid(errs, p, name, validateLabelKey(name));
    if (!name.includes('/') && name !== 'kubernetes' && name !== 'orphan' && name !== 'foregroundDeletion') {
      errs.push(invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
}

export function validateNamespaceUpdate(ns: Namespace, old: Namespace, errs: FieldErrors): void {
  validateObjectMetaUpdate(ns.metadata, old.metadata, errs);
}

export function validateNode(node: Node, errs: FieldErrors): void {
  validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, errs);
  validateNodeSpec(asFields(node.spec), errs);
  validateResourceList(node.status?.capacity, 'status.capacity', errs);
  validateResourceList(node.status?.allocatable, 'status.allocatable', errs);
}

function validateNodeSpec(spec: Fields, errs: FieldErrors): void {
  const taints = asArray(spec['taints']);
  const seen = new Set<string>();
  for (let i = 0; i < taints.length; i++) {
    const t = asFields(taints[i]);
    const p = `spec.taints[${i}]`;
    const key = str(t['key']);
    for (const msg of validateLabelKey(key)) errs.push(invalid(`${p}.key`, key, msg));
    const value = str(t['value']);
    for (const msg of validateLabelValue(value)) errs.push(invalid(`${p}.value`, value, msg));
    const effect = str(t['effect']);
    if (effect === '') errs.push(required(`${p}.effect`));
    else if (!taintEffects.includes(effect)) errs.push(notSupported(`${p}.effect`, effect, taintEffects));
    const id = `${key}\u0000${effect}`;
    if (seen.has(id)) errs.push(duplicate(p, t));
    seen.add(id);
  }
  for (const [i, cidr] of asArray(spec['podCIDRs']).entries()) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(str(cidr))) {
      errs.push(invalid(`spec.podCIDRs[${i}]`, str(cidr), 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    }
  }
}

export function validateNodeUpdate(node: Node, old: Node, errs: FieldErrors): void {
  validateObjectMetaUpdate(node.metadata, old.metadata, errs);
  validateNodeSpec(asFields(node.spec), errs);
  const n = asArray(node.spec?.podCIDRs);
  const o = asArray(old.spec?.podCIDRs);
  if (o.length > 0 && !deepEqual(n, o)) errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
}

function validateResourceList(list: unknown, path: string, errs: FieldErrors): void {
  const m = asFields(list);
  for (const name in m) {
    const p = `${path}[${name}]`;
    const q = tryParseQuantity(m[name]);
    if (q === undefined) errs.push(invalid(p, m[name], quantityFormatMessage));
    else if (q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) {
      errs.push(invalid(p, formatQuantity(q), 'must be greater than or equal to 0'));
    }
  }
}

export function validateServiceAccount(sa: ServiceAccount, errs: FieldErrors): void {
  validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain, errs);
}

export function validateServiceAccountUpdate(sa: ServiceAccount, old: ServiceAccount, errs: FieldErrors): void {
  validateObjectMetaUpdate(sa.metadata, old.metadata, errs);
  validateServiceAccount(sa, errs);
}

export function validateEvent(ev: Event, errs: FieldErrors): void {
  validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain, errs);
  const eventNs = str(ev.metadata.namespace);
  const involvedNs = str(ev.involvedObject?.namespace);
  if (ev.eventTime === undefined || ev.eventTime === null) {
    if (involvedNs === '') {
      if (eventNs !== '' && eventNs !== 'default') {
        errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      }
    } else if (eventNs !== involvedNs) {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    // New-style events (eventTime set) name their reporter and action.
    if (str(ev.reportingComponent) === '') errs.push(required('reportingComponent'));
    if (str(ev.reportingInstance) === '') errs.push(required('reportingInstance'));
    if (str(ev.action) === '') errs.push(required('action'));
    if (str(ev.reason) === '') errs.push(required('reason'));
    const type = str(ev.type);
    if (type !== 'Normal' && type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${type}`));
  }
  pushInvalid(errs, 'namespace', eventNs, isDNS1123Subdomain(eventNs));
}

// --- PersistentVolume and PersistentVolumeClaim ---------------------------------------------

const pvSources: readonly string[] = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'scaleIO', 'local', 'storageos', 'csi', 'iscsi',
];

function validateAccessModes(modes: readonly unknown[], path: string, errs: FieldErrors): void {
  for (const m of modes) {
    if (!accessModes.includes(str(m))) errs.push(notSupported(path, str(m), accessModes));
  }
}

export function validatePersistentVolume(pv: PersistentVolume, errs: FieldErrors): void {
  validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain, errs);
  const spec = asFields(pv.spec);
  const modes = asArray(spec['accessModes']);
  if (modes.length === 0) errs.push(required('spec.accessModes'));
  validateAccessModes(modes, 'spec.accessModes', errs);
  const capacity = asFields(spec['capacity']);
  const names = Object.keys(capacity);
  if (names.length === 0) errs.push(required('spec.capacity'));
  if (capacity['storage'] === undefined || names.length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const name of names) validatePositiveQuantity(capacity[name], `spec.capacity[${name}]`, errs);
  const className = str(spec['storageClassName']);
  if (className !== '') dns1123Subdomain(className, 'spec.storageClassName', errs);
  const reclaim = spec['persistentVolumeReclaimPolicy'];
  if (reclaim !== undefined && !['Delete', 'Recycle', 'Retain'].includes(str(reclaim))) {
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', str(reclaim), ['Delete', 'Recycle', 'Retain']));
  }
  let sources = 0;
  for (const src of pvSources) {
    if (spec[src] === undefined || spec[src] === null) continue;
    if (sources > 0) {
      errs.push(forbidden(`spec.${src}`, 'may not specify more than 1 volume type'));
      continue;
    }
    sources++;
    const s = asFields(spec[src]);
    if (src === 'hostPath' && str(s['path']) === '') errs.push(required('spec.hostPath.path'));
    if (src === 'local' && str(s['path']) === '') errs.push(required('spec.local.path'));
    if (src === 'nfs') {
      if (str(s['server']) === '') errs.push(required('spec.nfs.server'));
      if (str(s['path']) === '') errs.push(required('spec.nfs.path'));
    }
    if (src === 'csi' && str(s['driver']) === '') errs.push(required('spec.csi.driver'));
  }
  if (sources === 0) errs.push(required('spec', 'must specify a volume type'));
  const vm = spec['volumeMode'];
  if (vm !== undefined && vm !== 'Block' && vm !== 'Filesystem') errs.push(notSupported('spec.volumeMode', vm, ['Block', 'Filesystem']));
}

function validatePositiveQuantity(value: unknown, field: string, errs: FieldErrors): void {
  const q = tryParseQuantity(value);
  if (q === undefined) {
    errs.push(invalid(field, value, quantityFormatMessage));
    return;
  }
  if (q.unscaled <= 0 && (q.unscaledBig === null || q.unscaledBig <= 0n)) {
    errs.push(invalid(field, formatQuantity(q), 'must be greater than zero'));
  }
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume, errs: FieldErrors): void {
  validateObjectMetaUpdate(pv.metadata, old.metadata, errs);
  validatePersistentVolume(pv, errs);
  const n = asFields(pv.spec);
  const o = asFields(old.spec);
  for (const src of pvSources) {
    if (!deepEqual(n[src], o[src])) {
      errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is forbidden.'));
      break;
    }
  }
  validateImmutable(n['volumeMode'], o['volumeMode'], 'volumeMode', errs);
}

function validatePVCSpec(specValue: unknown, path: string, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const modes = asArray(spec['accessModes']);
  if (modes.length === 0) errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'));
  if (spec['selector'] !== undefined) validateLabelSelector(spec['selector'], `${path}.selector`, errs);
  validateAccessModes(modes, `${path}.accessModes`, errs);
  const requests = asFields(asFields(spec['resources'])['requests']);
  const storagePath = `${path}.resources[storage]`;
  if (requests['storage'] === undefined) errs.push(required(storagePath));
  else validatePositiveQuantity(requests['storage'], storagePath, errs);
  const className = spec['storageClassName'];
  if (typeof className === 'string' && className !== '') dns1123Subdomain(className, `${path}.storageClassName`, errs);
  const vm = spec['volumeMode'];
  if (vm !== undefined && vm !== 'Block' && vm !== 'Filesystem') {
    errs.push(notSupported(`${path}.volumeMode`, vm, ['Block', 'Filesystem']));
  }
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim, errs: FieldErrors): void {
  validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain, errs);
  validatePVCSpec(pvc.spec, 'spec', errs);
}

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, errs: FieldErrors): void {
  validateObjectMetaUpdate(pvc.metadata, old.metadata, errs);
  validatePVCSpec(pvc.spec, 'spec', errs);
  const n: Fields = { ...asFields(pvc.spec) };
  const o: Fields = { ...asFields(old.spec) };
  // Only the storage request (expansion) and the volume attributes class may change; a claim
  // binds by the controller setting volumeName once.
  delete n['resources'];
  delete o['resources'];
  delete n['volumeAttributesClassName'];
  delete o['volumeAttributesClassName'];
  if (str(o['volumeName']) === '') delete n['volumeName'];
  delete o['volumeName'];
  delete n['volumeName'];
  if (!deepEqual(n, o) || (str(old.spec?.volumeName) !== '' && str(pvc.spec?.volumeName) !== str(old.spec?.volumeName))) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const nq = tryParseQuantity(pvc.spec?.resources?.requests?.['storage']);
  const oq = tryParseQuantity(old.spec?.resources?.requests?.['storage']);
  if (nq !== undefined && oq !== undefined && compareQuantities(nq, oq) < 0 && str(old.spec?.volumeName) !== '') {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
}

// --- Endpoints --------------------------------------------------------------------------------

export function validateEndpoints(ep: Endpoints, errs: FieldErrors): void {
  validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain, errs);
  const subsets = asArray(ep.subsets);
  for (let i = 0; i < subsets.length; i++) {
    const ss = asFields(subsets[i]);
    const p = `subsets[${i}]`;
    const addresses = asArray(ss['addresses']);
    const notReady = asArray(ss['notReadyAddresses']);
    if (addresses.length === 0 && notReady.length === 0) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [list, name] of [[addresses, 'addresses'], [notReady, 'notReadyAddresses']] as const) {
      for (let j = 0; j < list.length; j++) {
        const ip = str(asFields(list[j])['ip']);
        for (const msg of isValidIP(ip)) errs.push(invalid(`${p}.${name}[${j}].ip`, ip, msg));
        const nodeName = asFields(list[j])['nodeName'];
        if (typeof nodeName === 'string' && nodeName !== '') dns1123Subdomain(nodeName, `${p}.${name}[${j}].nodeName`, errs);
      }
    }
    const ports = asArray(ss['ports']);
    for (let j = 0; j < ports.length; j++) {
      const port = asFields(ports[j]);
      const pp = `${p}.ports[${j}]`;
      const name = str(port['name']);
      if (ports.length > 1 && name === '') errs.push(required(`${pp}.name`));
      else if (name !== '') dns1123Label(name, `${pp}.name`, errs);
      const n = num(port['port']);
      for (const msg of isValidPortNum(n)) errs.push(invalid(`${pp}.port`, n, msg));
      validateProtocol(port['protocol'], `${pp}.protocol`, errs);
    }
  }
}

export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints, errs: FieldErrors): void {
  validateObjectMetaUpdate(ep.metadata, old.metadata, errs);
  validateEndpoints(ep, errs);
}

