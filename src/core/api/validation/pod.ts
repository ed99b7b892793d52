// Pod and pod template validation (ValidatePodSpec and what it calls in
// pkg/apis/core/validation), with Kubernetes' paths and messages.

import { compareQuantities, formatQuantity, quantityToMilli, tryParseQuantity, type Quantity } from '../quantity.js';
import { validateLabelValue } from '../labels.js';
import type { Pod } from '../types.js';
import {
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  duplicate,
  type FieldErrors,
} from './field.js';
import {
  asArray,
  asFields,
  checkUnique,
  num,
  str,
  validateAnnotations,
  validateLabels,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  isNegativeMessage,
  labelKeyErrors,
} from './common.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.js';
import { deepEqual } from '../meta.js';

type Fields = Record<string, unknown>;

const protocols: readonly string[] = ['SCTP', 'TCP', 'UDP'];
const pullPolicies: readonly string[] = ['Always', 'IfNotPresent', 'Never'];
const restartPolicies: readonly string[] = ['Always', 'OnFailure', 'Never'];
const dnsPolicies: readonly string[] = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const taintEffects: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const httpSchemes: readonly string[] = ['HTTP', 'HTTPS'];
const standardContainerResources: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
const int32Max = 2147483647;
const fileModeMessage = 'must be a number between 0 and 0777 (octal), both inclusive';
const initOnlyMessage = 'may not be set for init containers without restartPolicy=Always';

/** Whether checks that only apply to Pods (not templates) run. */
export interface PodSpecOptions {
  readonly isPod: boolean;
}

function validateDNS1123Label(value: string, field: string, errs: FieldErrors): void {
  for (const msg of isDNS1123Label(value)) errs.push(invalid(field, value, msg));
}

export function validatePod(pod: Pod, errs: FieldErrors): void {
  validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, errs);
  validatePodSpec(pod.spec, 'spec', errs, { isPod: true });
}

/** ValidatePodTemplateSpec: template labels/annotations (at `<path>.labels`) and the spec. */
export function validatePodTemplateSpec(template: unknown, path: string, errs: FieldErrors): void {
  const t = asFields(template);
  const m = asFields(t['metadata']);
  validateLabels(m['labels'], `${path}.labels`, errs);
  validateAnnotations(m['annotations'], `${path}.annotations`, errs);
  const spec = asFields(t['spec']);
  validatePodSpec(spec, `${path}.spec`, errs, { isPod: false });
  if (asArray(spec['ephemeralContainers']).length > 0) {
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
}

export function validatePodSpec(specValue: unknown, path: string, errs: FieldErrors, opts: PodSpecOptions): void {
  const spec = asFields(specValue);
  const volumes = validateVolumes(spec['volumes'], `${path}.volumes`, errs);
  const containers = asArray(spec['containers']);
  validateContainers(containers, volumes, `${path}.containers`, errs, opts);
  validateInitContainers(asArray(spec['initContainers']), containers, volumes, `${path}.initContainers`, errs, opts);
  validateEnum(spec['restartPolicy'], restartPolicies, `${path}.restartPolicy`, errs);
  validateEnum(spec['dnsPolicy'], dnsPolicies, `${path}.dnsPolicy`, errs);
  validateLabels(spec['nodeSelector'], `${path}.nodeSelector`, errs);
  const sa = str(spec['serviceAccountName']);
  if (sa !== '') for (const msg of isDNS1123Subdomain(sa)) errs.push(invalid(`${path}.serviceAccountName`, sa, msg));
  const nodeName = str(spec['nodeName']);
  if (nodeName !== '') for (const msg of isDNS1123Subdomain(nodeName)) errs.push(invalid(`${path}.nodeName`, nodeName, msg));
  const ads = spec['activeDeadlineSeconds'];
  if (typeof ads === 'number' && (ads < 1 || ads > int32Max)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, int32Max)));
  }
  const hostname = str(spec['hostname']);
  if (hostname !== '') validateDNS1123Label(hostname, `${path}.hostname`, errs);
  const subdomain = str(spec['subdomain']);
  if (subdomain !== '') validateDNS1123Label(subdomain, `${path}.subdomain`, errs);
  validateTolerations(spec['tolerations'], `${path}.tolerations`, errs);
  const pcName = str(spec['priorityClassName']);
  if (pcName !== '') for (const msg of isDNS1123Subdomain(pcName)) errs.push(invalid(`${path}.priorityClassName`, pcName, msg));
  const preemption = spec['preemptionPolicy'];
  if (preemption !== undefined) validateEnum(preemption, ['Never', 'PreemptLowerPriority'], `${path}.preemptionPolicy`, errs);
  void opts;
}

/** Required when empty, Unsupported when not one of `values` (kube's validateRestartPolicy & co). */
function validateEnum(value: unknown, values: readonly string[], field: string, errs: FieldErrors): void {
  const v = str(value);
  if (v === '') errs.push(required(field));
  else if (!values.includes(v)) errs.push(notSupported(field, v, values));
}

function validateContainers(
  containers: readonly unknown[],
  volumes: ReadonlySet<string>,
  path: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  if (containers.length === 0) {
    errs.push(required(path));
    return;
  }
  const names = new Set<string>();
  for (let i = 0; i < containers.length; i++) {
    const c = asFields(containers[i]);
    const p = `${path}[${i}]`;
    validateContainerCommon(c, volumes, p, errs, opts);
    if (c['restartPolicy'] !== undefined) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    checkUnique(names, str(c['name']), `${p}.name`, errs);
    validateProbeOf(c['livenessProbe'], `${p}.livenessProbe`, errs, true);
    validateProbeOf(c['readinessProbe'], `${p}.readinessProbe`, errs, false);
    const rp = c['readinessProbe'];
    if (rp !== undefined && asFields(rp)['terminationGracePeriodSeconds'] !== undefined) {
      errs.push(invalid(`${p}.readinessProbe.terminationGracePeriodSeconds`, num(asFields(rp)['terminationGracePeriodSeconds']), 'must not be set for readinessProbes'));
    }
    validateProbeOf(c['startupProbe'], `${p}.startupProbe`, errs, true);
  }
}

function validateInitContainers(
  inits: readonly unknown[],
  containers: readonly unknown[],
  volumes: ReadonlySet<string>,
  path: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  const names = new Set<string>();
  for (const c of containers) names.add(str(asFields(c)['name']));
  for (let i = 0; i < inits.length; i++) {
    const c = asFields(inits[i]);
    const p = `${path}[${i}]`;
    validateContainerCommon(c, volumes, p, errs, opts);
    let restartAlways = false;
    if (c['restartPolicy'] !== undefined) {
      const rp = str(c['restartPolicy']);
      if (rp !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, rp, ['Always']));
      restartAlways = rp === 'Always';
    }
    const name = str(c['name']);
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name !== '') names.add(name);
    if (restartAlways) {
      validateProbeOf(c['livenessProbe'], `${p}.livenessProbe`, errs, true);
      validateProbeOf(c['readinessProbe'], `${p}.readinessProbe`, errs, false);
      validateProbeOf(c['startupProbe'], `${p}.startupProbe`, errs, true);
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] !== undefined) errs.push(forbidden(`${p}.${f}`, initOnlyMessage));
      }
    }
  }
}

function validateContainerCommon(
  c: Fields,
  volumes: ReadonlySet<string>,
  p: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  const name = str(c['name']);
  if (name === '') errs.push(required(`${p}.name`));
  else validateDNS1123Label(name, `${p}.name`, errs);
  const image = str(c['image']);
  if (image === '') errs.push(required(`${p}.image`));
  else if (opts.isPod && image !== image.trim()) {
    errs.push(invalid(`${p}.image`, image, 'must not have leading or trailing whitespace'));
  }
  const tmp = str(c['terminationMessagePolicy']);
  if (tmp === '') errs.push(required(`${p}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(invalid(`${p}.terminationMessagePolicy`, tmp, "must be 'File' or 'FallbackToLogsOnError'"));
  }
  validateContainerPorts(asArray(c['ports']), `${p}.ports`, errs);
  validateEnv(asArray(c['env']), `${p}.env`, errs);
  validateVolumeMounts(asArray(c['volumeMounts']), volumes, `${p}.volumeMounts`, errs);
  validateEnum(c['imagePullPolicy'], pullPolicies, `${p}.imagePullPolicy`, errs);
  validateResources(asFields(c['resources']), `${p}.resources`, errs);
}

function validateContainerPorts(ports: readonly unknown[], path: string, errs: FieldErrors): void {
  const names = new Set<string>();
  for (let i = 0; i < ports.length; i++) {
    const port = asFields(ports[i]);
    const p = `${path}[${i}]`;
    const name = str(port['name']);
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(invalid(`${p}.name`, name, msg));
      else checkUnique(names, name, `${p}.name`, errs);
    }
    const cp = num(port['containerPort']);
    if (cp === 0) errs.push(required(`${p}.containerPort`));
    else for (const msg of isValidPortNum(cp)) errs.push(invalid(`${p}.containerPort`, cp, msg));
    const hp = num(port['hostPort']);
    if (hp !== 0) for (const msg of isValidPortNum(hp)) errs.push(invalid(`${p}.hostPort`, hp, msg));
    validateEnum(port['protocol'], protocols, `${p}.protocol`, errs);
  }
}

function validateEnv(env: readonly unknown[], path: string, errs: FieldErrors): void {
  for (let i = 0; i < env.length; i++) {
    const e = asFields(env[i]);
    const p = `${path}[${i}]`;
    const name = str(e['name']);
    if (name === '') errs.push(required(`${p}.name`));
    else for (const msg of isRelaxedEnvVarName(name)) errs.push(invalid(`${p}.name`, name, msg));
    const from = e['valueFrom'];
    if (from === undefined || from === null) continue;
    const f = asFields(from);
    let sources = 0;
    for (const k of ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef']) if (f[k] !== undefined && f[k] !== null) sources++;
    if (str(e['value']) !== '' && sources !== 0) {
      errs.push(invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
    if (sources === 0) {
      errs.push(invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources > 1) {
      errs.push(invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = f[k];
      if (ref === undefined || ref === null) continue;
      const r = asFields(ref);
      if (str(r['key']) === '') errs.push(required(`${p}.valueFrom.${k}.key`));
      if (str(r['name']) === '') errs.push(required(`${p}.valueFrom.${k}.name`));
    }
    const fieldRef = f['fieldRef'];
    if (fieldRef !== undefined && fieldRef !== null) {
      const fr = asFields(fieldRef);
      if (str(fr['fieldPath']) === '') errs.push(required(`${p}.valueFrom.fieldRef.fieldPath`));
      if (str(fr['apiVersion']) === '') errs.push(required(`${p}.valueFrom.fieldRef.apiVersion`));
    }
  }
}

/** Volume source fields in the order kube's validateVolumeSource checks them. */
const volumeSources: readonly string[] = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'quobyte', 'cinder', 'cephfs', 'downwardAPI', 'fc',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'configMap',
  'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
];

/** Validates the volumes and returns the names of the valid ones (mounts may only use those). */
function validateVolumes(volumesValue: unknown, path: string, errs: FieldErrors): Set<string> {
  const volumes = asArray(volumesValue);
  const names = new Set<string>();
  for (let i = 0; i < volumes.length; i++) {
    const v = asFields(volumes[i]);
    const p = `${path}[${i}]`;
    const own: FieldErrors = [];
    validateVolumeSource(v, p, own);
    const name = str(v['name']);
    if (name === '') own.push(required(`${p}.name`));
    else validateDNS1123Label(name, `${p}.name`, own);
    if (names.has(name)) own.push(duplicate(`${p}.name`, name));
    if (own.length === 0) names.add(name);
    else errs.push(...own);
  }
  return names;
}

function validateVolumeSource(v: Fields, p: string, errs: FieldErrors): void {
  let count = 0;
  for (const src of volumeSources) {
    const s = v[src];
    if (s === undefined || s === null) continue;
    if (count > 0) {
      errs.push(forbidden(`${p}.${src}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const f = asFields(s);
    switch (src) {
      case 'hostPath':
        if (str(f['path']) === '') errs.push(required(`${p}.hostPath.path`));
        break;
      case 'secret':
        if (str(f['secretName']) === '') errs.push(required(`${p}.secret.secretName`));
        validateFileMode(f['defaultMode'], `${p}.secret.defaultMode`, errs);
        break;
      case 'configMap':
        if (str(f['name']) === '') errs.push(required(`${p}.configMap.name`));
        validateFileMode(f['defaultMode'], `${p}.configMap.defaultMode`, errs);
        break;
      case 'persistentVolumeClaim':
        if (str(f['claimName']) === '') errs.push(required(`${p}.persistentVolumeClaim.claimName`));
        break;
      case 'nfs':
        if (str(f['server']) === '') errs.push(required(`${p}.nfs.server`));
        if (str(f['path']) === '') errs.push(required(`${p}.nfs.path`));
        else if (!str(f['path']).startsWith('/')) errs.push(invalid(`${p}.nfs.path`, str(f['path']), 'must be an absolute path'));
        break;
      case 'downwardAPI':
      case 'projected':
        validateFileMode(f['defaultMode'], `${p}.${src}.defaultMode`, errs);
        break;
      case 'emptyDir': {
        const limit = f['sizeLimit'];
        if (limit !== undefined) {
          const q = tryParseQuantity(limit);
          if (q === undefined) errs.push(invalid(`${p}.emptyDir.sizeLimit`, limit, quantityFormatMessage));
        }
        break;
      }
      default:
        break;
    }
  }
  if (count === 0) errs.push(required(p, 'must specify a volume type'));
}

function validateFileMode(mode: unknown, field: string, errs: FieldErrors): void {
  if (typeof mode === 'number' && (mode < 0 || mode > 0o777)) errs.push(invalid(field, mode, fileModeMessage));
}

function validateVolumeMounts(mounts: readonly unknown[], volumes: ReadonlySet<string>, path: string, errs: FieldErrors): void {
  const mountPoints = new Set<string>();
  for (let i = 0; i < mounts.length; i++) {
    const m = asFields(mounts[i]);
    const p = `${path}[${i}]`;
    const name = str(m['name']);
    if (name === '') errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    const mountPath = str(m['mountPath']);
    if (mountPath === '') errs.push(required(`${p}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = str(m['subPath']);
    if (subPath !== '') validateLocalDescendingPath(subPath, `${path}.subPath`, errs);
  }
}

function validateLocalDescendingPath(target: string, field: string, errs: FieldErrors): void {
  if (target.startsWith('/')) errs.push(invalid(field, target, 'must be a relative path'));
  if (target.split(/[\\/]/).includes('..')) errs.push(invalid(field, target, "must not contain '..'"));
}

const quantityFormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** A resource name usable on containers: standard, hugepages-*, or an extended (domain/name) one. */
function validateResourceName(name: string, field: string, errs: FieldErrors): void {
  if (standardContainerResources.has(name)) return;
  for (const msg of labelKeyErrors(name)) {
    errs.push(invalid(field, name, msg));
    return;
  }
  if (standardContainerResources.has(name) || name.startsWith('hugepages-')) return;
  if (name.includes('/') && !isNativeResource(name)) return;
  errs.push(invalid(field, name, 'must be a standard resource for containers'));
}

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/') || name.includes('.kubernetes.io/');
}

/** Requests may exceed nothing: only native, non-hugepage resources can be overcommitted. */
function overcommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}

function parseResource(value: unknown, field: string, resource: string, errs: FieldErrors): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (q === undefined) {
    errs.push(invalid(field, value, quantityFormatMessage));
    return undefined;
  }
  if (q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) {
    errs.push(invalid(field, formatQuantity(q), isNegativeMessage));
    return undefined;
  }
  if (!isNativeResource(resource) && quantityToMilli(q) % 1000 !== 0) {
    errs.push(invalid(field, formatQuantity(q), 'must be an integer'));
  }
  return q;
}

/** ValidateResourceRequirements: names, quantities, and requests <= limits. */
function validateResources(res: Fields, path: string, errs: FieldErrors): void {
  const limits = asFields(res['limits']);
  const requests = asFields(res['requests']);
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const parsedLimits = new Map<string, Quantity>();
  for (const name in limits) {
    const p = `${limPath}[${name}]`;
    validateResourceName(name, p, errs);
    const q = parseResource(limits[name], p, name, errs);
    if (q !== undefined) parsedLimits.set(name, q);
  }
  for (const name in requests) {
    const p = `${reqPath}[${name}]`;
    validateResourceName(name, p, errs);
    const q = parseResource(requests[name], p, name, errs);
    if (q === undefined) continue;
    const lim = parsedLimits.get(name);
    if (lim !== undefined) {
      const cmp = compareQuantities(q, lim);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!overcommitAllowed(name) && limits[name] === undefined) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
}

function validateProbeOf(probe: unknown, path: string, errs: FieldErrors, successMustBeOne: boolean): void {
  if (probe === undefined || probe === null) return;
  const p = asFields(probe);
  validateHandler(p, path, errs);
  validateNonnegative(num(p['initialDelaySeconds']), `${path}.initialDelaySeconds`, errs);
  validateNonnegative(num(p['timeoutSeconds']), `${path}.timeoutSeconds`, errs);
  validateNonnegative(num(p['periodSeconds']), `${path}.periodSeconds`, errs);
  validateNonnegative(num(p['successThreshold']), `${path}.successThreshold`, errs);
  validateNonnegative(num(p['failureThreshold']), `${path}.failureThreshold`, errs);
  const tgps = p['terminationGracePeriodSeconds'];
  if (typeof tgps === 'number' && tgps <= 0) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  }
  if (successMustBeOne && num(p['successThreshold']) !== 1) {
    errs.push(invalid(`${path}.successThreshold`, num(p['successThreshold']), 'must be 1'));
  }
}

function validatePortNumOrName(port: unknown, field: string, errs: FieldErrors): void {
  if (typeof port === 'number') {
    for (const msg of isValidPortNum(port)) errs.push(invalid(field, port, msg));
  } else {
    const s = str(port);
    for (const msg of isValidPortName(s)) errs.push(invalid(field, s, msg));
  }
}

function validateHandler(h: Fields, path: string, errs: FieldErrors): void {
  let handlers = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep']) {
    const v = h[kind];
    if (v === undefined || v === null) continue;
    if (handlers > 0) {
      errs.push(forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    handlers++;
    const a = asFields(v);
    const p = `${path}.${kind}`;
    switch (kind) {
      case 'exec':
        if (asArray(a['command']).length === 0) errs.push(required(`${p}.command`));
        break;
      case 'httpGet': {
        if (str(a['path']) === '') errs.push(required(`${p}.path`));
        validatePortNumOrName(a['port'], `${p}.port`, errs);
        const scheme = str(a['scheme']);
        if (!httpSchemes.includes(scheme)) errs.push(notSupported(`${p}.scheme`, scheme, httpSchemes));
        break;
      }
      case 'tcpSocket':
        validatePortNumOrName(a['port'], `${p}.port`, errs);
        break;
      case 'grpc':
        for (const msg of isValidPortNum(num(a['port']))) errs.push(invalid(`${p}.port`, num(a['port']), msg));
        break;
      default:
        break;
    }
  }
  if (handlers === 0) errs.push(required(path, 'must specify a handler type'));
}

export function validateTolerations(value: unknown, path: string, errs: FieldErrors): void {
  const list = asArray(value);
  for (let i = 0; i < list.length; i++) {
    const t = asFields(list[i]);
    const p = `${path}[${i}]`;
    const key = str(t['key']);
    const operator = str(t['operator']);
    const effect = str(t['effect']);
    const val = str(t['value']);
    if (key !== '') for (const msg of labelKeyErrors(key)) errs.push(invalid(`${p}.key`, key, msg));
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal':
      case '': {
        const msgs = validateLabelValue(val);
        if (msgs.length > 0) errs.push(invalid(`${p}.operator`, val, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (val !== '') errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !taintEffects.includes(effect)) errs.push(notSupported(`${p}.effect`, effect, taintEffects));
  }
}

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: metadata rules, then only images, activeDeadlineSeconds and added tolerations may change. */
export function validatePodUpdate(pod: Pod, old: Pod, errs: FieldErrors): void {
  validateObjectMetaUpdate(pod.metadata, old.metadata, errs);
  validatePodSpec(pod.spec, 'spec', errs, { isPod: true });
  const n = asFields(pod.spec);
  const o = asFields(old.spec);
  let same = true;
  for (const k in n) if (!podSpecFieldUpdatable(k, n, o)) same = false;
  for (const k in o) if (!(k in n) && !podSpecFieldUpdatable(k, n, o)) same = false;
  if (!same) errs.push(forbidden('spec', podUpdateForbiddenMessage));
}

/** Whether field `k` of a pod spec changed only in a way an update may change it. */
function podSpecFieldUpdatable(k: string, n: Fields, o: Fields): boolean {
  const nv = n[k];
  const ov = o[k];
  switch (k) {
    case 'containers':
    case 'initContainers':
      return containersEqualButImages(asArray(nv), asArray(ov));
    case 'activeDeadlineSeconds':
      // May be set, or lowered, never removed or raised.
      return nv === ov || (typeof nv === 'number' && nv > 0 && (typeof ov !== 'number' || nv <= ov));
    case 'tolerations': {
      // Only additions: the old list must be a prefix of the new one.
      const nl = asArray(nv);
      const ol = asArray(ov);
      if (ol.length > nl.length) return false;
      for (let i = 0; i < ol.length; i++) if (!deepEqual(ol[i], nl[i])) return false;
      return true;
    }
    case 'terminationGracePeriodSeconds':
      return deepEqual(nv, ov) || (typeof ov === 'number' && ov < 0 && nv === 1);
    default:
      return deepEqual(nv, ov);
  }
}

function containersEqualButImages(n: readonly unknown[], o: readonly unknown[]): boolean {
  if (n.length !== o.length) return false;
  for (let i = 0; i < n.length; i++) {
    const a = asFields(n[i]);
    const b = asFields(o[i]);
    for (const k in a) if (k !== 'image' && !deepEqual(a[k], b[k])) return false;
    for (const k in b) if (k !== 'image' && !(k in a) && !deepEqual(undefined, b[k])) return false;
  }
  return true;
}

