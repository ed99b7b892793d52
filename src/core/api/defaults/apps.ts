// apps/v1 defaulting: SetDefaults_Deployment, _ReplicaSet, _StatefulSet, _DaemonSet.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../types.js';
import { defaultPodTemplate } from './pod.js';
import { defaultPersistentVolumeClaim } from './core.js';
import { isObj } from './clone.js';

const revisionHistoryLimitDefault = 10;

export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (!isObj(spec)) return;
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (isObj(strategy)) {
    if (strategy.type === undefined) strategy.type = 'RollingUpdate';
    const ru = strategy.type === 'RollingUpdate' ? (strategy.rollingUpdate ??= {}) : undefined;
    if (isObj(ru)) {
      if (ru.maxUnavailable === undefined) ru.maxUnavailable = '25%';
      if (ru.maxSurge === undefined) ru.maxSurge = '25%';
    }
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = revisionHistoryLimitDefault;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = rs.spec;
  if (!isObj(spec)) return;
  if (spec.replicas === undefined) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(s: StatefulSet): void {
  const spec = s.spec;
  if (!isObj(spec)) return;
  if (spec.podManagementPolicy === undefined) spec.podManagementPolicy = 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (isObj(us)) {
    if (us.type === undefined) {
      us.type = 'RollingUpdate';
      us.rollingUpdate ??= {};
    }
    if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate) && us.rollingUpdate.partition === undefined) {
      us.rollingUpdate.partition = 0;
    }
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (isObj(retention)) {
    if (retention.whenDeleted === undefined) retention.whenDeleted = 'Retain';
    if (retention.whenScaled === undefined) retention.whenScaled = 'Retain';
  }
  if (spec.replicas === undefined) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = revisionHistoryLimitDefault;
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) if (isObj(t)) defaultPersistentVolumeClaim(t);
  }
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = ds.spec;
  if (!isObj(spec)) return;
  const us = (spec.updateStrategy ??= {});
  if (isObj(us)) {
    if (us.type === undefined) us.type = 'RollingUpdate';
    const ru = us.type === 'RollingUpdate' ? (us.rollingUpdate ??= {}) : undefined;
    if (isObj(ru)) {
      if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1;
      if (ru.maxSurge === undefined) ru.maxSurge = 0;
    }
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = revisionHistoryLimitDefault;
  defaultPodTemplate(spec.template);
}
