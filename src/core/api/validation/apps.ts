// apps/v1 validation (pkg/apis/apps/validation) and batch/v1 Job validation.

import { labelSelectorFromObject, SelectorError, type LabelSelector, type LabelSelectorObject } from '../labels.js';
import type { ControllerRevision, DaemonSet, Deployment, Job, ReplicaSet, StatefulSet } from '../types.js';
import { labelControllerUid } from '../defaults/job.js';
import { deepEqual } from '../meta.js';
import { forbidden, invalid, notSupported, required, goStringMap, type FieldErrors } from './field.js';
import {
  asArray,
  asFields,
  goLabelSelector,
  num,
  str,
  validateAnnotations,
  validateImmutable,
  validateLabelSelector,
  validateLabels,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './common.js';
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';

type Fields = Record<string, unknown>;

const selectorMismatch = '`selector` does not match template `labels`';

/** Whether every part of a selector object has the JSON type metav1.LabelSelector gives it. */
function wellTyped(sel: unknown): boolean {
  if (sel === undefined || sel === null) return true;
  if (typeof sel !== 'object' || Array.isArray(sel)) return false;
  const s = sel as Fields;
  const ml = s['matchLabels'];
  if (ml !== undefined && ml !== null) {
    if (typeof ml !== 'object' || Array.isArray(ml)) return false;
    for (const k in ml as Fields) if (typeof (ml as Fields)[k] !== 'string') return false;
  }
  const me = s['matchExpressions'];
  if (me === undefined || me === null) return true;
  if (!Array.isArray(me)) return false;
  for (const e of me) {
    if (typeof e !== 'object' || e === null) return false;
    const x = e as Fields;
    if (typeof x['key'] !== 'string' || typeof x['operator'] !== 'string') return false;
    const v = x['values'];
    if (v !== undefined && v !== null && (!Array.isArray(v) || !v.every((y) => typeof y === 'string'))) return false;
  }
  return true;
}

/** metav1.LabelSelectorAsSelector; undefined when the selector is malformed. */
function selectorOf(sel: unknown): LabelSelector | undefined {
  if (!wellTyped(sel)) return undefined;
  try {
    return labelSelectorFromObject(sel as LabelSelectorObject | undefined);
  } catch (e) {
    if (e instanceof SelectorError) return undefined;
    throw e;
  }
}

/** The template's labels; a mistyped map counts as none (its errors come from validateLabels). */
function templateLabels(template: Fields): Record<string, string> | undefined {
  const labels = asFields(template['metadata'])['labels'];
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return undefined;
  for (const k in labels as Fields) if (typeof (labels as Fields)[k] !== 'string') return undefined;
  return labels as Record<string, string>;
}

function selectorText(sel: unknown): string {
  return goLabelSelector(sel as LabelSelectorObject | undefined);
}

function selectorCount(sel: Fields): number {
  return Object.keys(asFields(sel['matchLabels'])).length + asArray(sel['matchExpressions']).length;
}

/** Selector required, valid, non-empty (`empty selector is invalid for <kind>`). */
function validateWorkloadSelector(sel: unknown, path: string, what: string, errs: FieldErrors): void {
  if (sel === undefined || sel === null) {
    errs.push(required(`${path}.selector`));
    return;
  }
  validateLabelSelector(sel, `${path}.selector`, errs);
  if (selectorCount(asFields(sel)) === 0) {
    errs.push(invalid(`${path}.selector`, sel, `empty selector is invalid for ${what}`, selectorText(sel)));
  }
}

/** ValidatePodTemplateSpecForReplicaSet: labels match the selector, restartPolicy Always. */
function validateTemplateForReplicaSet(spec: Fields, sel: LabelSelector, path: string, errs: FieldErrors, owner: string): void {
  const template = asFields(spec['template']);
  const tp = `${path}.template`;
  const labels = templateLabels(template);
  if (!sel.empty && !sel.matches(labels)) {
    errs.push(invalid(`${tp}.metadata.labels`, labels, selectorMismatch, goStringMap(labels)));
  }
  validatePodTemplateSpec(template, tp, errs);
  const ps = asFields(template['spec']);
  const rp = str(ps['restartPolicy']);
  if (rp !== 'Always') errs.push(notSupported(`${tp}.spec.restartPolicy`, rp, ['Always']));
  if (ps['activeDeadlineSeconds'] !== undefined && ps['activeDeadlineSeconds'] !== null) {
    errs.push(forbidden(`${tp}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${owner} is not Supported`));
  }
}

/** An IntOrString as Go prints it in errors: bare. */
function intOrStringText(v: unknown): string {
  return typeof v === 'string' ? v : String(num(v));
}

function validatePositiveIntOrPercent(v: unknown, field: string, errs: FieldErrors): void {
  if (typeof v === 'string') {
    for (const msg of isValidPercent(v)) errs.push(invalid(field, v, msg, intOrStringText(v)));
  } else if (typeof v === 'number') {
    validateNonnegative(v, field, errs);
  }
}

function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/** getIntOrPercentValue: the percent, or the integer (a non-numeric string counts as 0). */
function intOrPercentValue(v: unknown): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === 'number') return v;
  const n = Number.parseInt(str(v), 10);
  return Number.isNaN(n) ? 0 : n;
}

function isNotMoreThan100Percent(v: unknown, field: string, errs: FieldErrors): void {
  const pct = percentValue(v);
  if (pct !== undefined && pct > 100) errs.push(invalid(field, v, 'must not be greater than 100%', intOrStringText(v)));
}

// --- Deployment -------------------------------------------------------------------------------

function validateDeploymentSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  validateNonnegative(num(spec['replicas']), 'spec.replicas', errs);
  validateWorkloadSelector(spec['selector'], 'spec', 'deployment', errs);
  const sel = selectorOf(spec['selector']);
  if (sel === undefined) errs.push(invalid('spec.selector', spec['selector'], 'invalid label selector', selectorText(spec['selector'])));
  else validateTemplateForReplicaSet(spec, sel, 'spec', errs, 'ReplicaSet');
  const strategy = asFields(spec['strategy']);
  const type = str(strategy['type']);
  const ru = strategy['rollingUpdate'];
  switch (type) {
    case 'Recreate':
      if (ru !== undefined && ru !== null) {
        errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate':
      if (ru === undefined || ru === null) {
        errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
      } else {
        const r = asFields(ru);
        const p = 'spec.strategy.rollingUpdate';
        validatePositiveIntOrPercent(r['maxUnavailable'], `${p}.maxUnavailable`, errs);
        validatePositiveIntOrPercent(r['maxSurge'], `${p}.maxSurge`, errs);
        if (intOrPercentValue(r['maxUnavailable']) === 0 && intOrPercentValue(r['maxSurge']) === 0) {
          errs.push(invalid(`${p}.maxUnavailable`, r['maxUnavailable'], 'may not be 0 when `maxSurge` is 0', intOrStringText(r['maxUnavailable'])));
        }
        isNotMoreThan100Percent(r['maxUnavailable'], `${p}.maxUnavailable`, errs);
      }
      break;
    default:
      errs.push(notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
  }
  const minReady = num(spec['minReadySeconds']);
  validateNonnegative(minReady, 'spec.minReadySeconds', errs);
  if (typeof spec['revisionHistoryLimit'] === 'number') {
    validateNonnegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit', errs);
  }
  const pds = spec['progressDeadlineSeconds'];
  if (typeof pds === 'number') {
    validateNonnegative(pds, 'spec.progressDeadlineSeconds', errs);
    if (pds <= minReady) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
}

export function validateDeployment(d: Deployment, errs: FieldErrors): void {
  validateObjectMeta(d.metadata, true, nameIsDNSSubdomain, errs);
  validateDeploymentSpec(d.spec, errs);
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment, errs: FieldErrors): void {
  validateObjectMetaUpdate(d.metadata, old.metadata, errs);
  validateDeploymentSpec(d.spec, errs);
  validateSelectorImmutable(d.spec?.selector, old.spec?.selector, errs);
}

function validateSelectorImmutable(n: unknown, o: unknown, errs: FieldErrors): void {
  validateImmutable(n, o, 'spec.selector', errs, selectorText(n));
}

// --- ReplicaSet -------------------------------------------------------------------------------

function validateReplicaSetSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  validateNonnegative(num(spec['replicas']), 'spec.replicas', errs);
  validateNonnegative(num(spec['minReadySeconds']), 'spec.minReadySeconds', errs);
  // Kubernetes says "deployment" here too.
  validateWorkloadSelector(spec['selector'], 'spec', 'deployment', errs);
  const sel = selectorOf(spec['selector']);
  if (sel === undefined) errs.push(invalid('spec.selector', spec['selector'], 'invalid label selector', selectorText(spec['selector'])));
  else validateTemplateForReplicaSet(spec, sel, 'spec', errs, 'ReplicaSet');
}

export function validateReplicaSet(rs: ReplicaSet, errs: FieldErrors): void {
  validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain, errs);
  validateReplicaSetSpec(rs.spec, errs);
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet, errs: FieldErrors): void {
  validateObjectMetaUpdate(rs.metadata, old.metadata, errs);
  validateReplicaSetSpec(rs.spec, errs);
  validateSelectorImmutable(rs.spec?.selector, old.spec?.selector, errs);
}

// --- StatefulSet ------------------------------------------------------------------------------

function validateStatefulSetSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const pmp = str(spec['podManagementPolicy']);
  if (pmp === '') errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = asFields(spec['updateStrategy']);
  const usType = str(us['type']);
  const ru = us['rollingUpdate'];
  switch (usType) {
    case '':
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (ru !== undefined && ru !== null) {
        errs.push(invalid('spec.updateStrategy.rollingUpdate', ru, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (ru !== undefined && ru !== null) {
        const r = asFields(ru);
        validateNonnegative(num(r['partition']), 'spec.updateStrategy.rollingUpdate.partition', errs);
        const mu = r['maxUnavailable'];
        if (mu !== undefined && mu !== null) {
          const p = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
          validatePositiveIntOrPercent(mu, p, errs);
          if (intOrPercentValue(mu) === 0) errs.push(invalid(p, mu, 'cannot be 0', intOrStringText(mu)));
          isNotMoreThan100Percent(mu, p, errs);
        }
      }
      break;
    default:
      errs.push(invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec['persistentVolumeClaimRetentionPolicy'];
  if (retention !== undefined && retention !== null) {
    const r = asFields(retention);
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = str(r[f]);
      if (v !== 'Retain' && v !== 'Delete') {
        errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
      }
    }
  }
  validateNonnegative(num(spec['replicas']), 'spec.replicas', errs);
  validateNonnegative(num(spec['minReadySeconds']), 'spec.minReadySeconds', errs);
  const ordinals = spec['ordinals'];
  if (ordinals !== undefined && ordinals !== null) validateNonnegative(num(asFields(ordinals)['start']), 'spec.ordinals.start', errs);
  validateWorkloadSelector(spec['selector'], 'spec', 'statefulset', errs);
  const template = asFields(spec['template']);
  const sel = selectorOf(spec['selector']);
  if (sel === undefined) {
    errs.push(invalid('spec.selector', spec['selector'], '', selectorText(spec['selector'])));
  } else {
    // Kubernetes checks only the template's labels and annotations here, not its pod spec.
    const labels = templateLabels(template);
    if (!sel.empty && !sel.matches(labels)) {
      errs.push(invalid('spec.template.metadata.labels', labels, selectorMismatch, goStringMap(labels)));
    }
    const tm = asFields(template['metadata']);
    validateLabels(tm['labels'], 'spec.template.labels', errs);
    validateAnnotations(tm['annotations'], 'spec.template.annotations', errs);
  }
  const ps = asFields(template['spec']);
  const rp = str(ps['restartPolicy']);
  if (rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (ps['activeDeadlineSeconds'] !== undefined && ps['activeDeadlineSeconds'] !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
}

export function validateStatefulSet(s: StatefulSet, errs: FieldErrors): void {
  validateObjectMeta(s.metadata, true, nameIsDNSLabel, errs);
  validateStatefulSetSpec(s.spec, errs);
}

export const statefulSetUpdateForbiddenMessage =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(s: StatefulSet, old: StatefulSet, errs: FieldErrors): void {
  validateObjectMetaUpdate(s.metadata, old.metadata, errs);
  validateStatefulSetSpec(s.spec, errs);
  const n: Fields = { ...asFields(s.spec) };
  const o = asFields(old.spec);
  for (const f of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy']) {
    if (o[f] === undefined) delete n[f];
    else n[f] = o[f];
  }
  if (!deepEqual(n, o)) errs.push(forbidden('spec', statefulSetUpdateForbiddenMessage));
}

// --- DaemonSet --------------------------------------------------------------------------------

function validateDaemonSetSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  const selValue = spec['selector'];
  validateLabelSelector(selValue, 'spec.selector', errs);
  const template = asFields(spec['template']);
  const sel = selectorOf(selValue);
  const labels = templateLabels(template);
  if (sel !== undefined && !sel.matches(labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels, selectorMismatch, goStringMap(labels)));
  }
  if (selValue !== undefined && selValue !== null && selectorCount(asFields(selValue)) === 0) {
    errs.push(invalid('spec.selector', selValue, 'empty selector is invalid for daemonset', selectorText(selValue)));
  }
  validatePodTemplateSpec(template, 'spec.template', errs);
  const ps = asFields(template['spec']);
  const rp = str(ps['restartPolicy']);
  if (rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  if (ps['activeDeadlineSeconds'] !== undefined && ps['activeDeadlineSeconds'] !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  validateNonnegative(num(spec['minReadySeconds']), 'spec.minReadySeconds', errs);
  validateNonnegative(num(spec['templateGeneration']), 'spec.templateGeneration', errs);
  const us = asFields(spec['updateStrategy']);
  switch (str(us['type'])) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = us['rollingUpdate'];
      if (ru === undefined || ru === null) {
        errs.push(required('spec.updateStrategy.rollingUpdate'));
        break;
      }
      const r = asFields(ru);
      const p = 'spec.updateStrategy.rollingUpdate';
      validatePositiveIntOrPercent(r['maxUnavailable'], `${p}.maxUnavailable`, errs);
      validatePositiveIntOrPercent(r['maxSurge'], `${p}.maxSurge`, errs);
      isNotMoreThan100Percent(r['maxUnavailable'], `${p}.maxUnavailable`, errs);
      isNotMoreThan100Percent(r['maxSurge'], `${p}.maxSurge`, errs);
      const hasUnavailable = intOrPercentValue(r['maxUnavailable']) !== 0;
      const hasSurge = intOrPercentValue(r['maxSurge']) !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(invalid(`${p}.maxSurge`, r['maxSurge'], 'may not be set when maxUnavailable is non-zero', intOrStringText(r['maxSurge'])));
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      }
      break;
    }
    default:
      errs.push(notSupported('spec.updateStrategy', us, ['RollingUpdate', 'OnDelete']));
  }
  if (typeof spec['revisionHistoryLimit'] === 'number') {
    validateNonnegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit', errs);
  }
}

export function validateDaemonSet(ds: DaemonSet, errs: FieldErrors): void {
  validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain, errs);
  validateDaemonSetSpec(ds.spec, errs);
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet, errs: FieldErrors): void {
  validateObjectMetaUpdate(ds.metadata, old.metadata, errs);
  validateDaemonSetSpec(ds.spec, errs);
  validateSelectorImmutable(ds.spec?.selector, old.spec?.selector, errs);
}

// --- ControllerRevision -----------------------------------------------------------------------

export function validateControllerRevision(cr: ControllerRevision, errs: FieldErrors): void {
  validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain, errs);
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  validateNonnegative(num(cr.revision), 'revision', errs);
}

export function validateControllerRevisionUpdate(cr: ControllerRevision, old: ControllerRevision, errs: FieldErrors): void {
  validateObjectMetaUpdate(cr.metadata, old.metadata, errs);
  validateControllerRevision(cr, errs);
  validateImmutable(cr.data, old.data, 'data', errs);
}

// --- Job --------------------------------------------------------------------------------------

function validateJobSpec(specValue: unknown, errs: FieldErrors): void {
  const spec = asFields(specValue);
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    const v = spec[f];
    if (typeof v === 'number') validateNonnegative(v, `spec.${f}`, errs);
  }
  const mode = spec['completionMode'];
  if (mode !== undefined && mode !== null) {
    const m = str(mode);
    if (m !== 'NonIndexed' && m !== 'Indexed') errs.push(notSupported('spec.completionMode', m, ['NonIndexed', 'Indexed']));
    if (m === 'Indexed' && (spec['completions'] === undefined || spec['completions'] === null)) {
      errs.push(required('spec.completions', 'when completion mode is Indexed'));
    }
  }
  const selValue = spec['selector'];
  if (selValue === undefined || selValue === null) errs.push(required('spec.selector'));
  else validateLabelSelector(selValue, 'spec.selector', errs);
  const template = asFields(spec['template']);
  const sel = selectorOf(selValue);
  const labels = templateLabels(template);
  if (sel !== undefined && !sel.matches(labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels, selectorMismatch, goStringMap(labels)));
  }
  validatePodTemplateSpec(template, 'spec.template', errs);
  const rp = str(asFields(template['spec'])['restartPolicy']);
  if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  }
}

/** With a generated selector, it must be exactly the one the registry generated. */
function validateGeneratedSelector(job: Job, errs: FieldErrors): void {
  const spec = asFields(job.spec);
  if (spec['manualSelector'] === true) return;
  const sel = spec['selector'];
  if (sel === undefined || sel === null) return;
  const uid = str(job.metadata.uid);
  if (uid === '') errs.push(required('metadata.uid'));
  const expected = { matchLabels: { [labelControllerUid]: uid } };
  if (!deepEqual(sel, expected)) {
    errs.push(invalid('spec.selector', sel, '`selector` not auto-generated', selectorText(sel)));
  }
}

export function validateJob(job: Job, errs: FieldErrors): void {
  validateObjectMeta(job.metadata, true, nameIsDNSSubdomain, errs);
  validateGeneratedSelector(job, errs);
  validateJobSpec(job.spec, errs);
}

export function validateJobUpdate(job: Job, old: Job, errs: FieldErrors): void {
  validateObjectMetaUpdate(job.metadata, old.metadata, errs);
  validateJobSpec(job.spec, errs);
  const n = asFields(job.spec);
  const o = asFields(old.spec);
  validateImmutable(n['completions'], o['completions'], 'spec.completions', errs);
  validateImmutable(n['selector'], o['selector'], 'spec.selector', errs, selectorText(n['selector']));
  validateImmutable(n['template'], o['template'], 'spec.template', errs);
  validateImmutable(n['completionMode'], o['completionMode'], 'spec.completionMode', errs);
}
