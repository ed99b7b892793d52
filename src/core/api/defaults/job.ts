// Job defaulting (batch/v1 SetDefaults_Job) and the selector the Job registry generates.

import type { Job } from '../types.js';
import { defaultPodTemplate } from './pod.js';
import { isObj } from './clone.js';

export const labelControllerUid = 'batch.kubernetes.io/controller-uid';
export const labelJobName = 'batch.kubernetes.io/job-name';
export const labelControllerUidLegacy = 'controller-uid';
export const labelJobNameLegacy = 'job-name';

const int32Max = 2147483647;

export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (!isObj(spec)) return;
  // A non-parallel job leaves both unset: both become 1.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex === undefined ? 6 : int32Max;
  const template = isObj(spec.template) ? spec.template : undefined;
  const templateLabels = isObj(template?.metadata) ? template.metadata.labels : undefined;
  if (isObj(templateLabels) && isObj(job.metadata) && Object.keys(job.metadata.labels ?? {}).length === 0) {
    job.metadata.labels = { ...templateLabels };
  }
  if (spec.completionMode === undefined) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.podReplacementPolicy === undefined) {
    spec.podReplacementPolicy = spec.podFailurePolicy === undefined ? 'TerminatingOrFailed' : 'Failed';
  }
  const rules = isObj(spec.podFailurePolicy) ? spec.podFailurePolicy.rules : undefined;
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      const conditions = isObj(rule) ? rule.onPodConditions : undefined;
      if (!Array.isArray(conditions)) continue;
      for (const c of conditions) if (isObj(c) && (c.status === undefined || c.status === '')) c.status = 'True';
    }
  }
  defaultPodTemplate(spec.template);
}

/**
 * The selector and pod-template labels the Job registry sets on create when manualSelector is
 * not true: job-name and controller-uid labels (new and legacy keys) on the template, and a
 * selector on `batch.kubernetes.io/controller-uid`. Needs the uid, so it runs after the uid is
 * assigned. Returns a new object; labels the user already set are kept (validation rejects a
 * mismatch).
 */
export function generateJobSelector(job: Job): Job {
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const spec = job.spec;
  if (!isObj(spec)) return job;
  const template = isObj(spec.template) ? spec.template : { spec: { containers: [] } };
  const tmeta = isObj(template.metadata) ? template.metadata : {};
  const labels: Record<string, string> = { ...(isObj(tmeta.labels) ? tmeta.labels : {}) };
  if (labels[labelJobNameLegacy] === undefined) labels[labelJobNameLegacy] = name;
  if (labels[labelJobName] === undefined) labels[labelJobName] = name;
  if (labels[labelControllerUidLegacy] === undefined) labels[labelControllerUidLegacy] = uid;
  if (labels[labelControllerUid] === undefined) labels[labelControllerUid] = uid;
  const selector = { ...(isObj(spec.selector) ? spec.selector : {}) };
  const matchLabels: Record<string, string> = { ...(isObj(selector.matchLabels) ? selector.matchLabels : {}) };
  if (matchLabels[labelControllerUid] === undefined) matchLabels[labelControllerUid] = uid;
  selector.matchLabels = matchLabels;
  return {
    ...job,
    spec: { ...spec, selector, template: { ...template, metadata: { ...tmeta, labels } } },
  };
}
