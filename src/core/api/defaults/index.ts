// One entry point for defaulting: `applyDefaults(obj)` returns a defaulted copy, dispatching on
// apiVersion and kind. Kinds without defaults (and unknown kinds) come back as they were
// (a copy), so callers can default every write alike.

import type { Job, KubeObject, ObjectByKind, Pod } from '../types.js';
import { cloneJson, isRecord } from './clone.js';
import { admitPodOnCreate, defaultPod } from './pod.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import { defaultJob } from './job.js';
import {
  defaultEndpointSlice,
  defaultEndpoints,
  defaultIngressClass,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPriorityClass,
  defaultSecret,
  defaultService,
  defaultStorageClass,
} from './core.js';

export { cloneJson } from './clone.js';
export { generateJobSelector, labelControllerUid, labelJobName } from './job.js';
export { imageTag, builtinPriorityClasses } from './pod.js';
export { podQOSClass } from './qos.js';

/**
 * `create` also applies the mutating admission Kubernetes runs on new Pods that needs no lookup
 * (default tolerations, service account); `update` applies defaulting only. Priority needs the
 * PriorityClasses: the registry's Priority admission sets it.
 */
export type DefaultingOperation = 'create' | 'update';

/** A defaulted deep copy of `obj`. */
export function applyDefaults<T extends KubeObject>(obj: T, operation: DefaultingOperation = 'create'): T {
  const out = cloneJson(obj);
  defaultInPlace(out, operation);
  return out;
}

/** Defaults `obj` in place; for callers that already own a fresh copy (a decoded body). */
export function defaultInPlace(obj: KubeObject, operation: DefaultingOperation = 'create'): void {
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  // A mistyped body is left as it is, for validation to report.
  if (!isRecord(obj.metadata)) return;
  const o = obj as unknown as ObjectByKind[keyof ObjectByKind];
  switch (obj.apiVersion) {
    case 'v1':
      switch (obj.kind) {
        case 'Pod':
          defaultPod(o as Pod);
          if (operation === 'create') admitPodOnCreate(o as Pod);
          return;
        case 'Service':
          return defaultService(o as ObjectByKind['Service']);
        case 'Secret':
          return defaultSecret(o as ObjectByKind['Secret']);
        case 'PersistentVolumeClaim':
          return defaultPersistentVolumeClaim(o as ObjectByKind['PersistentVolumeClaim']);
        case 'PersistentVolume':
          return defaultPersistentVolume(o as ObjectByKind['PersistentVolume']);
        case 'Namespace':
          return defaultNamespace(o as ObjectByKind['Namespace']);
        case 'Node':
          return defaultNode(o as ObjectByKind['Node']);
        case 'Endpoints':
          return defaultEndpoints(o as ObjectByKind['Endpoints']);
        default:
          return;
      }
    case 'apps/v1':
      switch (obj.kind) {
        case 'Deployment':
          return defaultDeployment(o as ObjectByKind['Deployment']);
        case 'ReplicaSet':
          return defaultReplicaSet(o as ObjectByKind['ReplicaSet']);
        case 'StatefulSet':
          return defaultStatefulSet(o as ObjectByKind['StatefulSet']);
        case 'DaemonSet':
          return defaultDaemonSet(o as ObjectByKind['DaemonSet']);
        default:
          return;
      }
    case 'batch/v1':
      if (obj.kind === 'Job') defaultJob(o as Job);
      return;
    case 'discovery.k8s.io/v1':
      if (obj.kind === 'EndpointSlice') defaultEndpointSlice(o as ObjectByKind['EndpointSlice']);
      return;
    case 'scheduling.k8s.io/v1':
      if (obj.kind === 'PriorityClass') defaultPriorityClass(o as ObjectByKind['PriorityClass']);
      return;
    case 'storage.k8s.io/v1':
      if (obj.kind === 'StorageClass') defaultStorageClass(o as ObjectByKind['StorageClass']);
      return;
    case 'networking.k8s.io/v1':
      if (obj.kind === 'IngressClass') defaultIngressClass(o as ObjectByKind['IngressClass']);
      return;
    default:
      return;
  }
}
