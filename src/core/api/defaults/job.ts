// Job defaulting (batch/v1 SetDefaults_Job) and the selector the Job registry generates.

import type { Job } from '../types.js';
import { defaultPodTemplate } from './pod.js';

export const labelControllerUid = 'batch.kubernetes.io/controller-uid';
export const labelJobName = 'batch.kubernetes.io/job-name';
export const labelControllerUidLegacy = 'controller-uid';
export const labelJobNameLegacy = 'job-name';

const int32Max = 2147483647;

export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (spec === undefined) return;
  // A non-parallel job leaves both unset: both become 1.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex === undefined ? 6 : int32Max;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels !== undefined && Object.keys(job.metadata.labels ?? {}).length === 0) {
    job.metadata.labels = { ...templateLabels };
  }
  if (spec.completionMode === undefined) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.podReplacementPolicy === undefined) {
    spec.podReplacementPolicy = spec.podFailurePolicy === undefined ? 'TerminatingOrFailed' : 'Failed';
  }
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const c of rule.onPodConditions ?? []) if (c.status === undefined || c.status === '') c.status = 'True';
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
  if (spec === undefined) return job;
  const tmeta = spec.template?.metadata ?? {};
  const labels: Record<string, string> = { ...(tmeta.labels ?? {}) };
  if (labels[labelJobNameLegacy] === undefined) labels[labelJobNameLegacy] = name;
  if (labels[labelJobName] === undefined) labels[labelJobName] = name;
  if (labels[labelControllerUidLegacy] === undefined) labels[labelControllerUidLegacy] = uid;
  if (labels[labelControllerUid] === undefined) labels[labelControllerUid] = uid;
  const selector = { ...(spec.selector ?? {}) };
  const matchLabels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
  if (matchLabels[labelControllerUid] === undefined) matchLabels[labelControllerUid] = uid;
  selector.matchLabels = matchLabels;
  return {
    ...job,
    spec: { ...spec, selector, template: { ...spec.template, metadata: { ...tmeta, labels } } },
  };
}
