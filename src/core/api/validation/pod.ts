// Pod and pod template validation (ValidatePodSpec and what it calls in
// pkg/apis/core/validation), with Kubernetes' paths and messages.
//
// Every Pod write runs this, and almost every one is valid, so the success path builds no field
// paths: a validator gets its parent's path (`spec.containers[0]`) and writes the rest
// (`.ports[1].name`) only into the error it reports. Duplicate checks over the short lists of a
// spec compare with the earlier entries instead of filling a Set.

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
  num,
  str,
  validateObjectMeta,
  validateObjectMetaUpdate,
  isNegativeMessage,
  labelKeyErrors,
  labelsIn,
  annotationsIn,
  pushInvalid,
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
const preemptionPolicies: readonly string[] = ['Never', 'PreemptLowerPriority'];
const taintEffects: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const tolerationOperators: readonly string[] = ['Equal', 'Exists'];
const initRestartPolicies: readonly string[] = ['Always'];
const httpSchemes: readonly string[] = ['HTTP', 'HTTPS'];
const standardContainerResources: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);
const int32Max = 2147483647;
const fileModeMessage = 'must be a number between 0 and 0777 (octal), both inclusive';
const initOnlyMessage = 'may not be set for init containers without restartPolicy=Always';
/** Fields an init container without restartPolicy=Always may not set, in kube's order. */
const initOnlyFields: readonly string[] = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'];
const envSources: readonly string[] = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];
const envKeyRefs: readonly string[] = ['configMapKeyRef', 'secretKeyRef'];
const probeHandlers: readonly string[] = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];
/**
 * Lists up to this long are checked for duplicate names against their earlier entries (no Set);
 * longer ones, which a client may send, use a Set so the check stays linear.
 */
const duplicateScanLengthMax = 16;
/** The valid volume names of a spec without volumes. Never written. */
const noVolumes: ReadonlySet<string> = new Set<string>();

/** isValidPortNum without its message list: 1 to 65535. */
function isPortNum(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Whether checks that only apply to Pods (not templates) run. */
export interface PodSpecOptions {
  readonly isPod: boolean;
}

const podOptions: PodSpecOptions = { isPod: true };

/**
 * `spec.containers[i]` / `spec.initContainers[i]` for the first few containers of a Pod, built
 * once: the one path per container every Pod write would otherwise build.
 */
const podContainerPathsMax = 8;
const podContainerPaths: readonly string[] = Array.from({ length: podContainerPathsMax }, (_, i) => `spec.containers[${i}]`);
const podInitContainerPaths: readonly string[] = Array.from({ length: podContainerPathsMax }, (_, i) => `spec.initContainers[${i}]`);

/** `<specPath>.<list>[i]`, from the tables above when they have it. */
function containerPath(specPath: string, list: 'containers' | 'initContainers', i: number): string {
  if (specPath === 'spec' && i < podContainerPathsMax) {
    const known = (list === 'containers' ? podContainerPaths : podInitContainerPaths)[i];
    if (known !== undefined) return known;
  }
  return `${specPath}.${list}[${i}]`;
}
const templateOptions: PodSpecOptions = { isPod: false };

function validateDNS1123Label(value: string, field: string, errs: FieldErrors): void {
  pushInvalid(errs, field, value, isDNS1123Label(value));
}

export function validatePod(pod: Pod, errs: FieldErrors): void {
  validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, errs);
  validatePodSpec(pod.spec, 'spec', errs, podOptions);
}

/** ValidatePodTemplateSpec: template labels/annotations (at `<path>.labels`) and the spec. */
export function validatePodTemplateSpec(template: unknown, path: string, errs: FieldErrors): void {
  const t = asFields(template);
  const m = asFields(t['metadata']);
  labelsIn(m['labels'], path, 'labels', errs);
  annotationsIn(m['annotations'], path, 'annotations', errs);
  const spec = asFields(t['spec']);
  validatePodSpec(spec, `${path}.spec`, errs, templateOptions);
  if (asArray(spec['ephemeralContainers']).length > 0) {
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
}

export function validatePodSpec(specValue: unknown, path: string, errs: FieldErrors, opts: PodSpecOptions): void {
  const spec = asFields(specValue);
  const volumes = validateVolumes(asArray(spec['volumes']), path, errs);
  const containers = asArray(spec['containers']);
  validateContainers(containers, volumes, path, errs, opts);
  validateInitContainers(asArray(spec['initContainers']), containers, volumes, path, errs, opts);
  validateEnum(spec['restartPolicy'], restartPolicies, path, 'restartPolicy', errs);
  validateEnum(spec['dnsPolicy'], dnsPolicies, path, 'dnsPolicy', errs);
  labelsIn(spec['nodeSelector'], path, 'nodeSelector', errs);
  const sa = str(spec['serviceAccountName']);
  if (sa !== '') {
    const msgs = isDNS1123Subdomain(sa);
    if (msgs.length > 0) pushInvalid(errs, `${path}.serviceAccountName`, sa, msgs);
  }
  const nodeName = str(spec['nodeName']);
  if (nodeName !== '') {
    const msgs = isDNS1123Subdomain(nodeName);
    if (msgs.length > 0) pushInvalid(errs, `${path}.nodeName`, nodeName, msgs);
  }
  const ads = spec['activeDeadlineSeconds'];
  if (typeof ads === 'number' && (ads < 1 || ads > int32Max)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, ads, inclusiveRangeError(1, int32Max)));
  }
  const hostname = str(spec['hostname']);
  if (hostname !== '') validateDNS1123Label(hostname, `${path}.hostname`, errs);
  const subdomain = str(spec['subdomain']);
  if (subdomain !== '') validateDNS1123Label(subdomain, `${path}.subdomain`, errs);
  tolerationsIn(asArray(spec['tolerations']), path, 'tolerations', errs);
  const pcName = str(spec['priorityClassName']);
  if (pcName !== '') {
    const msgs = isDNS1123Subdomain(pcName);
    if (msgs.length > 0) pushInvalid(errs, `${path}.priorityClassName`, pcName, msgs);
  }
  const preemption = spec['preemptionPolicy'];
  if (preemption !== undefined) validateEnum(preemption, preemptionPolicies, path, 'preemptionPolicy', errs);
}

/**
 * Required when empty, Unsupported when not one of `values` (kube's validateRestartPolicy & co),
 * at `<parent>.<name>`.
 */
function validateEnum(value: unknown, values: readonly string[], parent: string, name: string, errs: FieldErrors): void {
  const v = str(value);
  if (v === '') errs.push(required(`${parent}.${name}`));
  else if (!values.includes(v)) errs.push(notSupported(`${parent}.${name}`, v, values));
}

/** Whether an entry of `list` before index `end` has `name` as its name (`str` of its `name` field). */
function nameBefore(list: readonly unknown[], end: number, name: string): boolean {
  for (let j = 0; j < end; j++) if (str(asFields(list[j])['name']) === name) return true;
  return false;
}

function validateContainers(
  containers: readonly unknown[],
  volumes: ReadonlySet<string>,
  specPath: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  if (containers.length === 0) {
    errs.push(required(`${specPath}.containers`));
    return;
  }
  const names = containers.length > duplicateScanLengthMax ? new Set<string>() : undefined;
  for (let i = 0; i < containers.length; i++) {
    const c = asFields(containers[i]);
    const p = containerPath(specPath, 'containers', i);
    validateContainerCommon(c, volumes, p, errs, opts);
    if (c['restartPolicy'] !== undefined) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    const name = str(c['name']);
    let repeated: boolean;
    if (names === undefined) repeated = nameBefore(containers, i, name);
    else {
      repeated = names.has(name);
      names.add(name);
    }
    if (repeated) errs.push(duplicate(`${p}.name`, name));
    validateProbeOf(c['livenessProbe'], p, 'livenessProbe', errs, true);
    validateProbeOf(c['readinessProbe'], p, 'readinessProbe', errs, false);
    const rp = c['readinessProbe'];
    if (rp !== undefined && asFields(rp)['terminationGracePeriodSeconds'] !== undefined) {
      errs.push(invalid(`${p}.readinessProbe.terminationGracePeriodSeconds`, num(asFields(rp)['terminationGracePeriodSeconds']), 'must not be set for readinessProbes'));
    }
    validateProbeOf(c['startupProbe'], p, 'startupProbe', errs, true);
  }
}

function validateInitContainers(
  inits: readonly unknown[],
  containers: readonly unknown[],
  volumes: ReadonlySet<string>,
  specPath: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  if (inits.length === 0) return;
  const names = new Set<string>();
  for (const c of containers) names.add(str(asFields(c)['name']));
  for (let i = 0; i < inits.length; i++) {
    const c = asFields(inits[i]);
    const p = containerPath(specPath, 'initContainers', i);
    validateContainerCommon(c, volumes, p, errs, opts);
    let restartAlways = false;
    if (c['restartPolicy'] !== undefined) {
      const rp = str(c['restartPolicy']);
      if (rp !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, rp, initRestartPolicies));
      restartAlways = rp === 'Always';
    }
    const name = str(c['name']);
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name !== '') names.add(name);
    if (restartAlways) {
      validateProbeOf(c['livenessProbe'], p, 'livenessProbe', errs, true);
      validateProbeOf(c['readinessProbe'], p, 'readinessProbe', errs, false);
      validateProbeOf(c['startupProbe'], p, 'startupProbe', errs, true);
    } else {
      for (const f of initOnlyFields) {
        if (c[f] !== undefined) errs.push(forbidden(`${p}.${f}`, initOnlyMessage));
      }
    }
  }
}

/** The checks every kind of container gets; `p` is its path (`spec.containers[0]`). */
function validateContainerCommon(
  c: Fields,
  volumes: ReadonlySet<string>,
  p: string,
  errs: FieldErrors,
  opts: PodSpecOptions,
): void {
  const name = str(c['name']);
  if (name === '') errs.push(required(`${p}.name`));
  else {
    const msgs = isDNS1123Label(name);
    if (msgs.length > 0) pushInvalid(errs, `${p}.name`, name, msgs);
  }
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
  validateContainerPorts(asArray(c['ports']), p, errs);
  validateEnv(asArray(c['env']), p, errs);
  validateVolumeMounts(asArray(c['volumeMounts']), volumes, p, errs);
  validateEnum(c['imagePullPolicy'], pullPolicies, p, 'imagePullPolicy', errs);
  validateResources(asFields(c['resources']), p, errs);
}

/** A container's ports, at `<p>.ports[i]`. */
function validateContainerPorts(ports: readonly unknown[], p: string, errs: FieldErrors): void {
  const names = ports.length > duplicateScanLengthMax ? new Set<string>() : undefined;
  for (let i = 0; i < ports.length; i++) {
    const port = asFields(ports[i]);
    const name = str(port['name']);
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) pushInvalid(errs, `${p}.ports[${i}].name`, name, msgs);
      else {
        // Only valid names are remembered; an earlier port of the same name was valid too.
        let repeated: boolean;
        if (names === undefined) repeated = nameBefore(ports, i, name);
        else {
          repeated = names.has(name);
          names.add(name);
        }
        if (repeated) errs.push(duplicate(`${p}.ports[${i}].name`, name));
      }
    }
    const cp = num(port['containerPort']);
    if (cp === 0) errs.push(required(`${p}.ports[${i}].containerPort`));
    else if (!isPortNum(cp)) pushInvalid(errs, `${p}.ports[${i}].containerPort`, cp, isValidPortNum(cp));
    const hp = num(port['hostPort']);
    if (hp !== 0 && !isPortNum(hp)) pushInvalid(errs, `${p}.ports[${i}].hostPort`, hp, isValidPortNum(hp));
    const protocol = str(port['protocol']);
    if (protocol === '') errs.push(required(`${p}.ports[${i}].protocol`));
    else if (!protocols.includes(protocol)) errs.push(notSupported(`${p}.ports[${i}].protocol`, protocol, protocols));
  }
}

/** A container's env, at `<p>.env[i]`. */
function validateEnv(env: readonly unknown[], p: string, errs: FieldErrors): void {
  for (let i = 0; i < env.length; i++) {
    const e = asFields(env[i]);
    const name = str(e['name']);
    if (name === '') errs.push(required(`${p}.env[${i}].name`));
    else {
      const msgs = isRelaxedEnvVarName(name);
      if (msgs.length > 0) pushInvalid(errs, `${p}.env[${i}].name`, name, msgs);
    }
    const from = e['valueFrom'];
    if (from === undefined || from === null) continue;
    const f = asFields(from);
    const ep = `${p}.env[${i}]`;
    let sources = 0;
    for (const k of envSources) if (f[k] !== undefined && f[k] !== null) sources++;
    if (str(e['value']) !== '' && sources !== 0) {
      errs.push(invalid(`${ep}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
    if (sources === 0) {
      errs.push(invalid(`${ep}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources > 1) {
      errs.push(invalid(`${ep}.valueFrom`, '', 'may not have more than one field specified at a time'));
    }
    for (const k of envKeyRefs) {
      const ref = f[k];
      if (ref === undefined || ref === null) continue;
      const r = asFields(ref);
      if (str(r['key']) === '') errs.push(required(`${ep}.valueFrom.${k}.key`));
      if (str(r['name']) === '') errs.push(required(`${ep}.valueFrom.${k}.name`));
    }
    const fieldRef = f['fieldRef'];
    if (fieldRef !== undefined && fieldRef !== null) {
      const fr = asFields(fieldRef);
      if (str(fr['fieldPath']) === '') errs.push(required(`${ep}.valueFrom.fieldRef.fieldPath`));
      if (str(fr['apiVersion']) === '') errs.push(required(`${ep}.valueFrom.fieldRef.apiVersion`));
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

/**
 * Validates the volumes (at `<specPath>.volumes[i]`) and returns the names of the valid ones
 * (mounts may only use those).
 */
function validateVolumes(volumes: readonly unknown[], specPath: string, errs: FieldErrors): ReadonlySet<string> {
  if (volumes.length === 0) return noVolumes;
  const names = new Set<string>();
  for (let i = 0; i < volumes.length; i++) {
    const v = asFields(volumes[i]);
    const p = `${specPath}.volumes[${i}]`;
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

/** A container's volumeMounts, at `<p>.volumeMounts[i]`. */
function validateVolumeMounts(mounts: readonly unknown[], volumes: ReadonlySet<string>, p: string, errs: FieldErrors): void {
  if (mounts.length === 0) return;
  const path = `${p}.volumeMounts`;
  const mountPoints = new Set<string>();
  for (let i = 0; i < mounts.length; i++) {
    const m = asFields(mounts[i]);
    const name = str(m['name']);
    if (name === '') errs.push(required(`${path}[${i}].name`));
    if (!volumes.has(name)) errs.push(notFound(`${path}[${i}].name`, name));
    const mountPath = str(m['mountPath']);
    if (mountPath === '') errs.push(required(`${path}[${i}].mountPath`));
    if (mountPoints.has(mountPath)) errs.push(invalid(`${path}[${i}].mountPath`, mountPath, 'must be unique'));
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

/**
 * A resource name usable on containers: standard, hugepages-*, or an extended (domain/name) one.
 * Errors at `<p>.resources.<list>[<name>]`.
 */
function validateResourceName(name: string, p: string, list: string, errs: FieldErrors): void {
  if (standardContainerResources.has(name)) return;
  for (const msg of labelKeyErrors(name)) {
    errs.push(invalid(`${p}.resources.${list}[${name}]`, name, msg));
    return;
  }
  if (standardContainerResources.has(name) || name.startsWith('hugepages-')) return;
  if (name.includes('/') && !isNativeResource(name)) return;
  errs.push(invalid(`${p}.resources.${list}[${name}]`, name, 'must be a standard resource for containers'));
}

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/') || name.includes('.kubernetes.io/');
}

/** Requests may exceed nothing: only native, non-hugepage resources can be overcommitted. */
function overcommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}

/** A well-formed, non-negative quantity, else undefined: what a limit is compared with. */
function usableQuantity(value: unknown): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (q === undefined || q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) return undefined;
  return q;
}

/** The quantity of `<p>.resources.<list>[<resource>]`, reporting what is wrong with it. */
function parseResource(value: unknown, p: string, list: string, resource: string, errs: FieldErrors): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (q === undefined) {
    errs.push(invalid(`${p}.resources.${list}[${resource}]`, value, quantityFormatMessage));
    return undefined;
  }
  if (q.unscaled < 0 || (q.unscaledBig !== null && q.unscaledBig < 0n)) {
    errs.push(invalid(`${p}.resources.${list}[${resource}]`, formatQuantity(q), isNegativeMessage));
    return undefined;
  }
  if (!isNativeResource(resource) && quantityToMilli(q) % 1000 !== 0) {
    errs.push(invalid(`${p}.resources.${list}[${resource}]`, formatQuantity(q), 'must be an integer'));
  }
  return q;
}

/** ValidateResourceRequirements of the container at `p`: names, quantities, and requests <= limits. */
function validateResources(res: Fields, p: string, errs: FieldErrors): void {
  const limits = asFields(res['limits']);
  const requests = asFields(res['requests']);
  for (const name in limits) {
    validateResourceName(name, p, 'limits', errs);
    parseResource(limits[name], p, 'limits', name, errs);
  }
  for (const name in requests) {
    validateResourceName(name, p, 'requests', errs);
    const q = parseResource(requests[name], p, 'requests', name, errs);
    if (q === undefined) continue;
    // The limit as the loop above parsed it (quantities are remembered by text: no new parse).
    const lim = Object.hasOwn(limits, name) ? usableQuantity(limits[name]) : undefined;
    if (lim !== undefined) {
      const cmp = compareQuantities(q, lim);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(`${p}.resources.requests`, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
      } else if (cmp > 0) {
        errs.push(invalid(`${p}.resources.requests`, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!overcommitAllowed(name) && limits[name] === undefined) {
      errs.push(required(`${p}.resources.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
}

/** `<p>.<key>` of a probe must not be negative. */
function probeNonnegative(probe: Fields, path: string, key: string, errs: FieldErrors): void {
  const v = num(probe[key]);
  if (v < 0) errs.push(invalid(`${path}.${key}`, v, isNegativeMessage));
}

/** The probe at `<p>.<name>`, when set. */
function validateProbeOf(probe: unknown, p: string, name: string, errs: FieldErrors, successMustBeOne: boolean): void {
  if (probe === undefined || probe === null) return;
  const path = `${p}.${name}`;
  const pr = asFields(probe);
  validateHandler(pr, path, errs);
  probeNonnegative(pr, path, 'initialDelaySeconds', errs);
  probeNonnegative(pr, path, 'timeoutSeconds', errs);
  probeNonnegative(pr, path, 'periodSeconds', errs);
  probeNonnegative(pr, path, 'successThreshold', errs);
  probeNonnegative(pr, path, 'failureThreshold', errs);
  const tgps = pr['terminationGracePeriodSeconds'];
  if (typeof tgps === 'number' && tgps <= 0) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  }
  if (successMustBeOne && num(pr['successThreshold']) !== 1) {
    errs.push(invalid(`${path}.successThreshold`, num(pr['successThreshold']), 'must be 1'));
  }
}

function validatePortNumOrName(port: unknown, field: string, errs: FieldErrors): void {
  if (typeof port === 'number') {
    pushInvalid(errs, field, port, isValidPortNum(port));
  } else {
    const s = str(port);
    pushInvalid(errs, field, s, isValidPortName(s));
  }
}

function validateHandler(h: Fields, path: string, errs: FieldErrors): void {
  let handlers = 0;
  for (const kind of probeHandlers) {
    const v = h[kind];
    if (v === undefined || v === null) continue;
    if (handlers > 0) {
      errs.push(forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    handlers++;
    const a = asFields(v);
    switch (kind) {
      case 'exec':
        if (asArray(a['command']).length === 0) errs.push(required(`${path}.exec.command`));
        break;
      case 'httpGet': {
        if (str(a['path']) === '') errs.push(required(`${path}.httpGet.path`));
        validatePortNumOrName(a['port'], `${path}.httpGet.port`, errs);
        const scheme = str(a['scheme']);
        if (!httpSchemes.includes(scheme)) errs.push(notSupported(`${path}.httpGet.scheme`, scheme, httpSchemes));
        break;
      }
      case 'tcpSocket':
        validatePortNumOrName(a['port'], `${path}.tcpSocket.port`, errs);
        break;
      case 'grpc':
        for (const msg of isValidPortNum(num(a['port']))) errs.push(invalid(`${path}.grpc.port`, num(a['port']), msg));
        break;
      default:
        break;
    }
  }
  if (handlers === 0) errs.push(required(path, 'must specify a handler type'));
}

export function validateTolerations(value: unknown, path: string, errs: FieldErrors): void {
  tolerationsIn(asArray(value), path, '', errs);
}

/** Tolerations at `<parent>.<name>[i]` (at `<parent>[i]` when `name` is ''). */
function tolerationsIn(list: readonly unknown[], parent: string, name: string, errs: FieldErrors): void {
  for (let i = 0; i < list.length; i++) {
    const t = asFields(list[i]);
    const key = str(t['key']);
    const operator = str(t['operator']);
    const effect = str(t['effect']);
    const val = str(t['value']);
    if (key !== '') {
      const msgs = labelKeyErrors(key);
      if (msgs.length > 0) {
        const p = tolerationPath(parent, name, i);
        for (const msg of msgs) errs.push(invalid(`${p}.key`, key, msg));
      }
    }
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(`${tolerationPath(parent, name, i)}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(invalid(`${tolerationPath(parent, name, i)}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal':
      case '': {
        if (val === '') break;
        const msgs = validateLabelValue(val);
        if (msgs.length > 0) errs.push(invalid(`${tolerationPath(parent, name, i)}.operator`, val, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (val !== '') errs.push(invalid(`${tolerationPath(parent, name, i)}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${tolerationPath(parent, name, i)}.operator`, operator, tolerationOperators));
    }
    if (effect !== '' && !taintEffects.includes(effect)) errs.push(notSupported(`${tolerationPath(parent, name, i)}.effect`, effect, taintEffects));
  }
}

function tolerationPath(parent: string, name: string, i: number): string {
  return name === '' ? `${parent}[${i}]` : `${parent}.${name}[${i}]`;
}

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: metadata rules, then only images, activeDeadlineSeconds and added tolerations may change. */
export function validatePodUpdate(pod: Pod, old: Pod, errs: FieldErrors): void {
  validateObjectMetaUpdate(pod.metadata, old.metadata, errs);
  validatePodSpec(pod.spec, 'spec', errs, podOptions);
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

