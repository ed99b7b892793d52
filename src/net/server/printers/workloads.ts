// Workload printers: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ControllerRevision.
// Replica counts the API defaults (spec.replicas = 1) are read with that default, since a
// stored object always has been defaulted.

import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  Job,
  KubeObject,
  ReplicaSet,
  StatefulSet,
} from '../../../core/api/types.js';
import type { IScale } from 'kubernetes-models/autoscaling/v1/Scale';
import { age, ageColumn, containersColumn, imagesColumn, nameColumn } from './common.js';
import { docs } from './descriptions.js';
import { formatLabelSelector, formatLabels, humanDuration, labelSelectorString, layoutContainerCells, timestampMs } from './format.js';
import { column, type Printer, type TableCell } from './types.js';

export const deploymentPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', docs.deployStatus.updatedReplicas),
    column('Available', 'string', docs.deployStatus.availableReplicas),
    ageColumn,
    containersColumn,
    imagesColumn,
    column('Selector', 'string', docs.deploySpec.selector, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const d = obj as Deployment;
    const status = d.status;
    const selector = labelSelectorString(d.spec?.selector);
    const [names, images] = layoutContainerCells(d.spec?.template.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      status?.updatedReplicas ?? 0,
      status?.availableReplicas ?? 0,
      age(d, nowMs),
      names,
      images,
      selector ?? '<invalid>',
    ];
  },
});

export const replicaSetPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Desired', 'integer', docs.rsSpec.replicas),
    column('Current', 'integer', docs.rsStatus.replicas),
    column('Ready', 'integer', docs.rsStatus.readyReplicas),
    ageColumn,
    containersColumn,
    imagesColumn,
    column('Selector', 'string', docs.rsSpec.selector, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const rs = obj as ReplicaSet;
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, nowMs),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
});

export const statefulSetPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn,
    containersColumn,
    imagesColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const sts = obj as StatefulSet;
    const [names, images] = layoutContainerCells(sts.spec?.template.spec?.containers);
    return [
      sts.metadata.name ?? '',
      `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`,
      age(sts, nowMs),
      names,
      images,
    ];
  },
});

export const daemonSetPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Desired', 'integer', docs.dsStatus.desiredNumberScheduled),
    column('Current', 'integer', docs.dsStatus.currentNumberScheduled),
    column('Ready', 'integer', docs.dsStatus.numberReady),
    column('Up-to-date', 'integer', docs.dsStatus.updatedNumberScheduled),
    column('Available', 'integer', docs.dsStatus.numberAvailable),
    column('Node Selector', 'string', docs.podSpec.nodeSelector),
    ageColumn,
    containersColumn,
    imagesColumn,
    column('Selector', 'string', docs.dsSpec.selector, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const ds = obj as DaemonSet;
    const st = ds.status;
    const podSpec = ds.spec?.template.spec;
    const [names, images] = layoutContainerCells(podSpec?.containers);
    return [
      ds.metadata.name ?? '',
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(podSpec?.nodeSelector),
      age(ds, nowMs),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
});

type JobCondition = NonNullable<NonNullable<Job['status']>['conditions']>[number];

function jobCondition(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  if (conditions === undefined) return false;
  for (const c of conditions) if (c.type === type) return c.status === 'True';
  return false;
}

/** The Job STATUS column (1.28+): Complete, Failed, Terminating, Suspended, FailureTarget, Running. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (jobCondition(conditions, 'Complete')) return 'Complete';
  if (jobCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp !== undefined && job.metadata.deletionTimestamp !== null) return 'Terminating';
  if (jobCondition(conditions, 'Suspended')) return 'Suspended';
  if (jobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', docs.jobStatus.succeeded),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    column('Selector', 'string', docs.jobSpec.selector, 1),
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const job = obj as Job;
    const succeeded = job.status?.succeeded ?? 0;
    let completions: string;
    const wanted = job.spec?.completions;
    if (wanted !== undefined && wanted !== null) {
      completions = `${succeeded}/${wanted}`;
    } else {
      const parallelism = job.spec?.parallelism ?? 0;
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const startMs = timestampMs(job.status?.startTime);
    const completionMs = timestampMs(job.status?.completionTime);
    let duration = '';
    if (!Number.isNaN(startMs)) duration = humanDuration((Number.isNaN(completionMs) ? nowMs : completionMs) - startMs);
    const [names, images] = layoutContainerCells(job.spec?.template.spec?.containers);
    return [
      job.metadata.name ?? '',
      jobStatus(job),
      completions,
      duration,
      age(job, nowMs),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
});

export const controllerRevisionPrinter: Printer = Object.freeze({
  columns: Object.freeze([
    nameColumn,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', docs.controllerRevision.revision),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const cr = obj as ControllerRevision;
    let controller = '<none>';
    for (const ref of cr.metadata.ownerReferences ?? []) {
      if (ref.controller !== true) continue;
      // formatResourceName(GroupKind, name, withKind): "kind.group/name" lower-cased.
      const slash = ref.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
      const groupKind = group === '' ? ref.kind : `${ref.kind}.${group}`;
      controller = groupKind === '' ? ref.name : `${groupKind.toLowerCase()}/${ref.name}`;
      break;
    }
    return [cr.metadata.name ?? '', controller, cr.revision, age(cr, nowMs)];
  },
});

/**
 * autoscaling/v1 Scale, for `kubectl get deployment web --subresource=scale`. Its NAME column has
 * no `name` format in kube-apiserver either.
 */
export const scalePrinter: Printer = Object.freeze({
  columns: Object.freeze([
    column('Name', 'string', docs.meta.name),
    column('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
    column('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
    ageColumn,
  ]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const scale = obj as KubeObject & Pick<IScale, 'spec' | 'status'>;
    return [scale.metadata.name ?? '', scale.spec?.replicas ?? 0, scale.status?.replicas ?? 0, age(scale, nowMs)];
  },
});
