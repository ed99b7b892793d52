// Validation of the kinds outside core and apps: networking (Ingress, IngressClass), discovery
// (EndpointSlice), coordination (Lease), scheduling (PriorityClass), policy
// (PodDisruptionBudget), storage (StorageClass).

import { validateLabelKey } from '../labels.js';
import type { EndpointSlice, Ingress, IngressClass, Lease, PodDisruptionBudget, PriorityClass, StorageClass } from '../types.js';
import { deepEqual } from '../meta.js';
import { forbidden, invalid, notSupported, required, tooLong, type FieldErrors } from './field.js';
import {
  asArray,
  asFields,
  num,
  str,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  pushInvalid,
} from './common.js';
import {
  domainPrefixedPathErrors,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isIPv4,
  isIPv6,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNSSubdomain,
} from './names.js';
import { builtinPriorityClasses } from '../defaults/pod.js';

type Fields = Record<string, unknown>;

const protocols: readonly string[] = ['SCTP', 'TCP', 'UDP'];
const pathTypes: readonly string[] = ['Exact', 'ImplementationSpecific', 'Prefix'];

// --- Ingress ----------------------------------------------------------------------------------

function validateIngressBackend(backend: Fields, path: string, errs: FieldErrors): void {
  const resource = backend['resource'];
  const service = backend['service'];
  const hasResource = resource !== undefined && resource !== null;
  const hasService = service !== undefined && service !== null;
  if (hasResource && hasService) {
    errs.push(invalid(path, '', 'cannot set both resource and service backends'));
    return;
  }
  if (hasResource) {
    const r = asFields(resource);
    if (str(r['kind']) === '') errs.push(required(`${path}.resource.kind`));
    if (str(r['name']) === '') errs.push(required(`${path}.resource.name`));
    return;
  }
  if (!hasService) {
    errs.push(invalid(path, '', 'resource or service backend is required'));
    return;
  }
  const s = asFields(service);
  const name = str(s['name']);
  if (name === '') errs.push(required(`${path}.service.name`));
  else for (const msg of isDNS1035Label(name)) errs.push(invalid(`${path}.service.name`, name, msg));
  const port = asFields(s['port']);
  const portName = str(port['name']);
  const portNumber = num(port['number']);
  if (portName !== '' && portNumber !== 0) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName !== '') {
    for (const msg of isValidPortName(portName)) errs.push(invalid(`${path}.service.port.name`, portName, msg));
  } else if (portNumber !== 0) {
    for (const msg of isValidPortNum(portNumber)) errs.push(invalid(`${path}.service.port.number`, portNumber, msg));
  } else {
    errs.push(required(path, 'port name or number is required'));
  }
}

function validateIngressHost(host: string, field: string, errs: FieldErrors): void {
  if (isIPv4(host) || isIPv6(host)) errs.push(invalid(field, host, 'must be a DNS name, not an IP address'));
  const msgs = host.startsWith('*.') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  pushInvalid(errs, field, host, msgs);
}

function validateIngressSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const rules = asArray(spec['rules']);
  const defaultBackend = spec['defaultBackend'];
  if (rules.length === 0 && (defaultBackend === undefined || defaultBackend === null)) {
    const text = Array.isArray(spec['rules']) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)';
    errs.push(invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified', text));
  }
  if (defaultBackend !== undefined && defaultBackend !== null) {
    validateIngressBackend(asFields(defaultBackend), 'spec.defaultBackend', errs);
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = asFields(rules[i]);
    const p = `spec.rules[${i}]`;
    const host = str(rule['host']);
    if (host !== '') validateIngressHost(host, `${p}.host`, errs);
    const http = rule['http'];
    if (http === undefined || http === null) continue;
    const paths = asArray(asFields(http)['paths']);
    if (paths.length === 0) errs.push(required(`${p}.http.paths`));
    for (let j = 0; j < paths.length; j++) {
      const hp = asFields(paths[j]);
      const pp = `${p}.http.paths[${j}]`;
      const pathType = hp['pathType'];
      const path = str(hp['path']);
      if (pathType === undefined || pathType === null) {
        errs.push(required(`${pp}.pathType`, 'pathType must be specified'));
      } else {
        const pt = str(pathType);
        if (!pathTypes.includes(pt)) errs.push(notSupported(`${pp}.pathType`, pt, pathTypes));
        else if ((pt === 'Exact' || pt === 'Prefix') && !path.startsWith('/')) {
          errs.push(invalid(`${pp}.path`, path, 'must be an absolute path'));
        } else if (pt === 'ImplementationSpecific' && path !== '' && !path.startsWith('/')) {
          errs.push(invalid(`${pp}.path`, path, 'must be an absolute path'));
        }
      }
      validateIngressBackend(asFields(hp['backend']), `${pp}.backend`, errs);
    }
  }
  const tls = asArray(spec['tls']);
  for (let i = 0; i < tls.length; i++) {
    const hosts = asArray(asFields(tls[i])['hosts']);
    for (let j = 0; j < hosts.length; j++) {
      const h = str(hosts[j]);
      const msgs = h.startsWith('*.') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      for (const msg of msgs) errs.push(invalid(`spec.tls[${i}].hosts[${j}]`, h, msg));
    }
  }
  const className = spec['ingressClassName'];
  if (typeof className === 'string') {
    pushInvalid(errs, 'spec.ingressClassName', className, isDNS1123Subdomain(className));
  }
}

export function validateIngress(ing: Ingress, errs: FieldErrors): void {
  validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain, errs);
  validateIngressSpec(ing.spec, errs);
}

export function validateIngressUpdate(ing: Ingress, old: Ingress, errs: FieldErrors): void {
  validateObjectMetaUpdate(ing.metadata, old.metadata, errs);
  validateIngressSpec(ing.spec, errs);
}

const controllerLengthMax = 250;

function validateIngressClassSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const controller = str(spec['controller']);
  if (controller.length > controllerLengthMax) errs.push(tooLong('spec.controller', controller, controllerLengthMax));
  if (controller === '') errs.push(required('spec.controller'));
  else for (const e of domainPrefixedPathErrors(controller)) errs.push(invalid('spec.controller', e.value, e.message));
  const params = spec['parameters'];
  if (params !== undefined && params !== null) {
    const p = asFields(params);
    if (str(p['kind']) === '') errs.push(required('spec.parameters.kind'));
    if (str(p['name']) === '') errs.push(required('spec.parameters.name'));
    const scope = str(p['scope']);
    if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(notSupported('spec.parameters.scope', scope, ['Cluster', 'Namespace']));
    if (scope === 'Namespace' && str(p['namespace']) === '') {
      errs.push(required('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
    }
    if (scope === 'Cluster' && p['namespace'] !== undefined) {
      errs.push(forbidden('spec.parameters.namespace', '`parameters.scope` is set to "Cluster"'));
    }
  }
}

export function validateIngressClass(ic: IngressClass, errs: FieldErrors): void {
  validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain, errs);
  validateIngressClassSpec(ic.spec, errs);
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass, errs: FieldErrors): void {
  validateObjectMetaUpdate(ic.metadata, old.metadata, errs);
  validateIngressClassSpec(ic.spec, errs);
  validateImmutable(str(ic.spec?.controller), str(old.spec?.controller), 'spec.controller', errs);
}

// --- EndpointSlice ----------------------------------------------------------------------------

const addressTypes: readonly string[] = ['FQDN', 'IPv4', 'IPv6'];
const endpointsPerSliceMax = 1000;
const portsPerSliceMax = 20000;

export function validateEndpointSlice(eps: EndpointSlice, errs: FieldErrors): void {
  validateObjectMeta(eps.metadata, true, nameIsDNSSubdomain, errs);
  const addressType = str(eps.addressType);
  if (!addressTypes.includes(addressType)) errs.push(notSupported('addressType', addressType, addressTypes));
  const endpoints = asArray(eps.endpoints);
  if (endpoints.length > endpointsPerSliceMax) {
    errs.push({ type: 'FieldValueTooMany', field: 'endpoints', detail: `must have at most ${endpointsPerSliceMax} items`, badValue: endpoints.length });
  }
  for (let i = 0; i < endpoints.length; i++) {
    const ep = asFields(endpoints[i]);
    const p = `endpoints[${i}]`;
    const addresses = asArray(ep['addresses']);
    if (addresses.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > 100) {
      errs.push({ type: 'FieldValueTooMany', field: `${p}.addresses`, detail: 'must have at most 100 items', badValue: addresses.length });
    }
    for (let j = 0; j < addresses.length; j++) {
      const a = str(addresses[j]);
      const ap = `${p}.addresses[${j}]`;
      if (addressType === 'IPv4' && !isIPv4(a)) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
      else if (addressType === 'IPv6' && !isIPv6(a)) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
      else if (addressType === 'FQDN') pushInvalid(errs, ap, a, isDNS1123Subdomain(a));
    }
    const nodeName = ep['nodeName'];
    if (typeof nodeName === 'string') for (const msg of isDNS1123Subdomain(nodeName)) errs.push(invalid(`${p}.nodeName`, nodeName, msg));
    const hostname = ep['hostname'];
    if (typeof hostname === 'string') for (const msg of isDNS1123Label(hostname)) errs.push(invalid(`${p}.hostname`, hostname, msg));
  }
  const ports = asArray(eps.ports);
  if (ports.length > portsPerSliceMax) {
    errs.push({ type: 'FieldValueTooMany', field: 'ports', detail: `must have at most ${portsPerSliceMax} items`, badValue: ports.length });
  }
  const names = new Set<string>();
  for (let i = 0; i < ports.length; i++) {
    const port = asFields(ports[i]);
    const p = `ports[${i}]`;
    const name = str(port['name']);
    if (name !== '') for (const msg of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, name, msg));
    if (names.has(name)) errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, detail: '', badValue: name });
    names.add(name);
    const proto = str(port['protocol']);
    if (proto === '') errs.push(required(`${p}.protocol`));
    else if (!protocols.includes(proto)) errs.push(notSupported(`${p}.protocol`, proto, protocols));
    const n = port['port'];
    if (typeof n === 'number') for (const msg of isValidPortNum(n)) errs.push(invalid(`${p}.port`, n, msg));
  }
}

export function validateEndpointSliceUpdate(eps: EndpointSlice, old: EndpointSlice, errs: FieldErrors): void {
  validateObjectMetaUpdate(eps.metadata, old.metadata, errs);
  validateEndpointSlice(eps, errs);
  validateImmutable(str(eps.addressType), str(old.addressType), 'addressType', errs);
}

// --- Lease ------------------------------------------------------------------------------------

export function validateLease(lease: Lease, errs: FieldErrors): void {
  validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain, errs);
  const spec = asFields(lease.spec);
  const duration = spec['leaseDurationSeconds'];
  if (typeof duration === 'number' && duration <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = spec['leaseTransitions'];
  if (typeof transitions === 'number') validateNonnegative(transitions, 'spec.leaseTransitions', errs);
}

export function validateLeaseUpdate(lease: Lease, old: Lease, errs: FieldErrors): void {
  validateObjectMetaUpdate(lease.metadata, old.metadata, errs);
  validateLease(lease, errs);
}

// --- PriorityClass ----------------------------------------------------------------------------

/** scheduling.HighestUserDefinablePriority */
export const userPriorityMax = 1000000000;

export function validatePriorityClass(pc: PriorityClass, errs: FieldErrors): void {
  validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain, errs);
  const name = str(pc.metadata.name);
  const value = num(pc.value);
  if (name.startsWith('system-')) {
    const builtin = builtinPriorityClasses.get(name);
    let why = '';
    if (builtin === undefined) why = `${name} is not a known system priority class`;
    else if (builtin !== value) why = `value of ${name} PriorityClass must be ${builtin}`;
    else if (pc.globalDefault === true) why = `globalDefault of ${name} PriorityClass must be false`;
    if (why !== '') {
      errs.push(forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
    }
  } else if (value > userPriorityMax) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${userPriorityMax}`));
  }
  const policy = pc.preemptionPolicy;
  if (policy !== undefined && policy !== 'Never' && policy !== 'PreemptLowerPriority') {
    errs.push(notSupported('preemptionPolicy', policy, ['Never', 'PreemptLowerPriority']));
  }
}

export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass, errs: FieldErrors): void {
  validateObjectMetaUpdate(pc.metadata, old.metadata, errs);
  if (num(pc.value) !== num(old.value)) errs.push(forbidden('value', 'may not be changed in an update.'));
  validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy', errs);
}

// --- PodDisruptionBudget ----------------------------------------------------------------------

function validateIntOrPercent(v: unknown, field: string, errs: FieldErrors): void {
  const text = typeof v === 'string' ? v : String(num(v));
  if (typeof v === 'string') {
    for (const msg of isValidPercent(v)) errs.push(invalid(field, v, msg, text));
    const pct = isValidPercent(v).length === 0 ? Number.parseInt(v.slice(0, -1), 10) : 0;
    if (pct > 100) errs.push(invalid(field, v, 'must not be greater than 100%', text));
  } else if (typeof v === 'number') {
    validateNonnegative(v, field, errs);
  }
}

function validatePDBSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const min = spec['minAvailable'];
  const max = spec['maxUnavailable'];
  const hasMin = min !== undefined && min !== null;
  const hasMax = max !== undefined && max !== null;
  if (hasMin && hasMax) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  if (hasMin) validateIntOrPercent(min, 'spec.minAvailable', errs);
  if (hasMax) validateIntOrPercent(max, 'spec.maxUnavailable', errs);
  validateLabelSelector(spec['selector'], 'spec.selector', errs);
  const policy = spec['unhealthyPodEvictionPolicy'];
  if (policy !== undefined && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget, errs: FieldErrors): void {
  validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain, errs);
  validatePDBSpec(pdb.spec, errs);
}

export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudget, old: PodDisruptionBudget, errs: FieldErrors): void {
  validateObjectMetaUpdate(pdb.metadata, old.metadata, errs);
  validatePDBSpec(pdb.spec, errs);
}

// --- StorageClass -----------------------------------------------------------------------------

export function validateStorageClass(sc: StorageClass, errs: FieldErrors): void {
  validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain, errs);
  const provisioner = str(sc.provisioner);
  if (provisioner === '') errs.push(required('provisioner'));
  else pushInvalid(errs, 'provisioner', provisioner, validateLabelKey(provisioner.toLowerCase()));
  const params = asFields(sc.parameters);
  let bytes = 0;
  for (const k in params) {
    if (k === '') errs.push(invalid('parameters', k, 'field can not be empty.'));
    bytes += k.length + str(params[k]).length;
  }
  if (bytes > 256 * 1024) errs.push(tooLong('parameters', '', 256 * 1024));
  const reclaim = sc.reclaimPolicy;
  if (reclaim !== undefined && reclaim !== 'Delete' && reclaim !== 'Retain') {
    errs.push(notSupported('reclaimPolicy', reclaim, ['Delete', 'Retain']));
  }
  const mode = sc.volumeBindingMode;
  if (mode === undefined) errs.push(required('volumeBindingMode'));
  else if (mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') {
    errs.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  }
}

export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass, errs: FieldErrors): void {
  validateObjectMetaUpdate(sc.metadata, old.metadata, errs);
  if (!deepEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(sc.provisioner) !== str(old.provisioner)) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(sc.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode', errs);
}
