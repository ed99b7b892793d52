// Pod defaulting: SetDefaults_PodSpec / _Container / _Probe / _Volume… of k8s.io/api core/v1
// (applied to Pods and to every pod template), SetDefaults_Pod (Pods only), and the create-time
// admission mutations every cluster runs on Pods that need no lookup (DefaultTolerationSeconds,
// ServiceAccount). Priority is not here: it needs the PriorityClasses, and the registry's Priority
// admission is the one place that sets it. All functions fill fields in place on an object the
// caller owns (a copy).

import type { Container, Pod, PodSpec, PodTemplateSpec, Probe, Toleration, Volume } from '../types.js';
import { isObj as isRecord } from './clone.js';

/** v1.DefaultTerminationGracePeriodSeconds */
export const terminationGracePeriodSecondsDefault = 30;
/** DefaultTolerationSeconds admission: --default-not-ready-toleration-seconds / unreachable. */
export const defaultTolerationSeconds = 300;
export const taintNodeNotReady = 'node.kubernetes.io/not-ready';
export const taintNodeUnreachable = 'node.kubernetes.io/unreachable';
/** Mode 0644 of secret/configMap/downwardAPI/projected volumes. */
const volumeDefaultMode = 0o644;

/** Priorities of the two built-in PriorityClasses (scheduling.SystemPriorityClasses). */
export const builtinPriorityClasses: ReadonlyMap<string, number> = new Map([
  ['system-node-critical', 2000001000],
  ['system-cluster-critical', 2000000000],
]);

/** Defaults of a pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job). */
export function defaultPodTemplate(template: PodTemplateSpec | undefined): void {
  if (isRecord(template) && isRecord(template.spec)) defaultPodSpec(template.spec);
}

export function defaultPodSpec(spec: PodSpec): void {
  if (spec.dnsPolicy === undefined) spec.dnsPolicy = 'ClusterFirst';
  if (spec.restartPolicy === undefined) spec.restartPolicy = 'Always';
  if (spec.hostNetwork === true) defaultHostNetworkPorts(spec);
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) {
    spec.terminationGracePeriodSeconds = terminationGracePeriodSecondsDefault;
  }
  if (spec.schedulerName === undefined || spec.schedulerName === '') spec.schedulerName = 'default-scheduler';
  if (Array.isArray(spec.containers)) for (const c of spec.containers) if (isRecord(c)) defaultContainer(c);
  if (Array.isArray(spec.initContainers)) for (const c of spec.initContainers) if (isRecord(c)) defaultContainer(c);
  if (Array.isArray(spec.ephemeralContainers)) {
    for (const c of spec.ephemeralContainers) if (isRecord(c)) defaultContainer(c as Container);
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isRecord(v)) defaultVolume(v);
}

export function defaultContainer(c: Container): void {
  if (c.imagePullPolicy === undefined) {
    c.imagePullPolicy = imageTagIsLatest(typeof c.image === 'string' ? c.image : '') ? 'Always' : 'IfNotPresent';
  }
  if (c.terminationMessagePath === undefined || c.terminationMessagePath === '') {
    c.terminationMessagePath = '/dev/termination-log';
  }
  if (c.terminationMessagePolicy === undefined) c.terminationMessagePolicy = 'File';
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isRecord(p) && p.protocol === undefined) p.protocol = 'TCP';
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const f = isRecord(e) && isRecord(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
      if (isRecord(f) && (f.apiVersion === undefined || f.apiVersion === '')) f.apiVersion = 'v1';
    }
  }
  if (isRecord(c.livenessProbe)) defaultProbe(c.livenessProbe);
  if (isRecord(c.readinessProbe)) defaultProbe(c.readinessProbe);
  if (isRecord(c.startupProbe)) defaultProbe(c.startupProbe);
  const lc = c.lifecycle;
  if (isRecord(lc)) {
    if (isRecord(lc.postStart) && isRecord(lc.postStart.httpGet)) defaultHttpGet(lc.postStart.httpGet);
    if (isRecord(lc.preStop) && isRecord(lc.preStop.httpGet)) defaultHttpGet(lc.preStop.httpGet);
  }
}

/**
 * The tag of an image reference, as the kubelet's parser reads it: `latest` when neither a tag
 * nor a digest is given, '' when only a digest is.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon >= 0) return ref.slice(colon + 1);
  return at < 0 ? 'latest' : '';
}

/** imageTag(image) === 'latest', without cutting the tag out of the reference. */
function imageTagIsLatest(image: string): boolean {
  const at = image.indexOf('@');
  if (at >= 0) return imageTag(image) === 'latest';
  const colon = image.indexOf(':', image.lastIndexOf('/') + 1);
  return colon < 0 || (image.length - colon - 1 === 6 && image.startsWith('latest', colon + 1));
}

export function defaultProbe(p: Probe): void {
  if (p.timeoutSeconds === undefined || p.timeoutSeconds === 0) p.timeoutSeconds = 1;
  if (p.periodSeconds === undefined || p.periodSeconds === 0) p.periodSeconds = 10;
  if (p.successThreshold === undefined || p.successThreshold === 0) p.successThreshold = 1;
  if (p.failureThreshold === undefined || p.failureThreshold === 0) p.failureThreshold = 3;
  if (isRecord(p.httpGet)) defaultHttpGet(p.httpGet);
}

function defaultHttpGet(h: { path?: string; scheme?: string }): void {
  if (h.path === undefined || h.path === '') h.path = '/';
  if (h.scheme === undefined || h.scheme === '') h.scheme = 'HTTP';
}

/** Volume sources that carry a name and nothing else default to emptyDir. */
function defaultVolume(v: Volume): void {
  let sources = 0;
  for (const k in v) if (k !== 'name') sources++;
  if (sources === 0) v.emptyDir = {};
  if (isRecord(v.secret) && v.secret.defaultMode === undefined) v.secret.defaultMode = volumeDefaultMode;
  if (isRecord(v.configMap) && v.configMap.defaultMode === undefined) v.configMap.defaultMode = volumeDefaultMode;
  if (isRecord(v.downwardAPI)) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = volumeDefaultMode;
    const items = v.downwardAPI.items;
    if (Array.isArray(items)) {
      for (const item of items) {
        const f = isRecord(item) ? item.fieldRef : undefined;
        if (isRecord(f) && (f.apiVersion === undefined || f.apiVersion === '')) f.apiVersion = 'v1';
      }
    }
  }
  if (isRecord(v.projected) && v.projected.defaultMode === undefined) v.projected.defaultMode = volumeDefaultMode;
  if (isRecord(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** With hostNetwork, container ports are host ports: hostPort defaults to containerPort. */
function defaultHostNetworkPorts(spec: PodSpec): void {
  const lists = [spec.containers, spec.initContainers];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isRecord(c) || !Array.isArray(c.ports)) continue;
      for (const p of c.ports) if (isRecord(p) && (p.hostPort === undefined || p.hostPort === 0)) p.hostPort = p.containerPort;
    }
  }
}

/** SetDefaults_Pod: Pod-only defaults (not templates). */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!isRecord(spec)) return;
  defaultPodSpec(spec);
  // Limits without requests: requests default to the limits.
  defaultRequestsToLimits(spec.containers);
  defaultRequestsToLimits(spec.initContainers);
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
}

/** Each container's requests default to its limits, resource by resource. */
function defaultRequestsToLimits(list: readonly Container[] | undefined): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (!isRecord(c) || !isRecord(c.resources)) continue;
    const limits = c.resources.limits;
    if (!isRecord(limits)) continue;
    if (c.resources.requests !== undefined && !isRecord(c.resources.requests)) continue;
    const requests = (c.resources.requests ??= {});
    for (const k in limits) {
      const v = limits[k];
      if (requests[k] === undefined && v !== undefined) requests[k] = v;
    }
  }
}

/**
 * The mutating admission every cluster applies to a Pod on create that needs no lookup:
 * tolerations of 300s for the not-ready and unreachable NoExecute taints (unless already
 * tolerated) and the `default` service account.
 */
export function admitPodOnCreate(pod: Pod): void {
  const spec = pod.spec;
  if (!isRecord(spec)) return;
  addDefaultTolerations(spec);
  if (spec.serviceAccountName === undefined || spec.serviceAccountName === '') {
    spec.serviceAccountName = spec.serviceAccount !== undefined && spec.serviceAccount !== '' ? spec.serviceAccount : 'default';
  }
  spec.serviceAccount = spec.serviceAccountName;
}

function tolerates(list: readonly Toleration[], key: string): boolean {
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (!isRecord(t)) continue;
    const keyOk = t.key === undefined || t.key === '' || t.key === key;
    const effect: string | undefined = t.effect;
    const effectOk = effect === undefined || effect === '' || effect === 'NoExecute';
    if (keyOk && effectOk) return true;
  }
  return false;
}

/** The toleration list of a spec without one; never written. */
const noTolerations: readonly Toleration[] = Object.freeze([]);

export function addDefaultTolerations(spec: PodSpec): void {
  const list: readonly Toleration[] = Array.isArray(spec.tolerations) ? spec.tolerations : noTolerations;
  const notReady = tolerates(list, taintNodeNotReady);
  const unreachable = tolerates(list, taintNodeUnreachable);
  if (notReady && unreachable) return;
  const notReadyToleration: Toleration = { key: taintNodeNotReady, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds };
  const unreachableToleration: Toleration = { key: taintNodeUnreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds };
  if (list.length === 0) {
    // The usual Pod: no tolerations of its own, both added, in one array of the right size.
    spec.tolerations = notReady ? [unreachableToleration] : unreachable ? [notReadyToleration] : [notReadyToleration, unreachableToleration];
    return;
  }
  const out = [...list];
  if (!notReady) out.push(notReadyToleration);
  if (!unreachable) out.push(unreachableToleration);
  spec.tolerations = out;
}
