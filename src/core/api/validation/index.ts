// One entry point for validation: `validate(obj)` on create, `validate(obj, old)` on update.
// Plain functions per kind, no schema engine: every API write runs this. The object is
// expected to be defaulted already (as kube-apiserver validates after defaulting).

import type * as T from '../types.js';
import type { KubeObject } from '../types.js';
import { kindByGVK } from '../kinds.js';
import type { FieldErrors, FieldError } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './common.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validateStatus } from './status.js';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDaemonSetUpdate,
  validateDeployment,
  validateDeploymentUpdate,
  validateJob,
  validateJobUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './apps.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpoints,
  validateEndpointsUpdate,
  validateEvent,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateSecret,
  validateSecretUpdate,
  validateService,
  validateServiceAccount,
  validateServiceAccountUpdate,
  validateServiceUpdate,
} from './core.js';
import {
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressUpdate,
  validateLease,
  validateLeaseUpdate,
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetUpdate,
  validatePriorityClass,
  validatePriorityClassUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './other.js';

export type { FieldError, FieldErrorType, FieldErrors } from './field.js';
export { formatFieldError, fieldErrorBody, invalidError, aggregateMessage } from './field.js';
export {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isConfigMapKey,
  isValidPortName,
  isValidPortNum,
} from './names.js';

/**
 * The field errors of `obj` (a create), or of `obj` replacing `old` (an update, including the
 * immutable-field rules). Empty when valid. Unknown kinds get object-meta checks only.
 */
export function validate(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldErrors = [];
  if (old === undefined) validateCreate(obj, errs);
  else validateUpdate(obj, old, errs);
  return errs;
}

/**
 * Update through the status subresource (the spec is the stored one): metadata rules, and for
 * workloads the status counters (non-negative, not above status.replicas, collisionCount never
 * decremented).
 */
export function validateStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldErrors = [];
  validateStatus(obj, old, errs);
  return errs;
}

function validateCreate(obj: KubeObject, errs: FieldErrors): void {
  const o = obj as unknown;
  switch (obj.kind) {
    case 'Pod':
      return validatePod(o as T.Pod, errs);
    case 'Node':
      return validateNode(o as T.Node, errs);
    case 'Namespace':
      return validateNamespace(o as T.Namespace, errs);
    case 'Service':
      return validateService(o as T.Service, errs);
    case 'Endpoints':
      return validateEndpoints(o as T.Endpoints, errs);
    case 'ConfigMap':
      return validateConfigMap(o as T.ConfigMap, errs);
    case 'Secret':
      return validateSecret(o as T.Secret, errs);
    case 'Event':
      return validateEvent(o as T.Event, errs);
    case 'PersistentVolume':
      return validatePersistentVolume(o as T.PersistentVolume, errs);
    case 'PersistentVolumeClaim':
      return validatePersistentVolumeClaim(o as T.PersistentVolumeClaim, errs);
    case 'ServiceAccount':
      return validateServiceAccount(o as T.ServiceAccount, errs);
    case 'Deployment':
      return validateDeployment(o as T.Deployment, errs);
    case 'ReplicaSet':
      return validateReplicaSet(o as T.ReplicaSet, errs);
    case 'StatefulSet':
      return validateStatefulSet(o as T.StatefulSet, errs);
    case 'DaemonSet':
      return validateDaemonSet(o as T.DaemonSet, errs);
    case 'ControllerRevision':
      return validateControllerRevision(o as T.ControllerRevision, errs);
    case 'Job':
      return validateJob(o as T.Job, errs);
    case 'Ingress':
      return validateIngress(o as T.Ingress, errs);
    case 'IngressClass':
      return validateIngressClass(o as T.IngressClass, errs);
    case 'EndpointSlice':
      return validateEndpointSlice(o as T.EndpointSlice, errs);
    case 'Lease':
      return validateLease(o as T.Lease, errs);
    case 'PriorityClass':
      return validatePriorityClass(o as T.PriorityClass, errs);
    case 'PodDisruptionBudget':
      return validatePodDisruptionBudget(o as T.PodDisruptionBudget, errs);
    case 'StorageClass':
      return validateStorageClass(o as T.StorageClass, errs);
    default: {
      const info = kindByGVK(obj.apiVersion, obj.kind);
      return validateObjectMeta(obj.metadata, info?.namespaced ?? true, nameIsDNSSubdomain, errs);
    }
  }
}

function validateUpdate(obj: KubeObject, old: KubeObject, errs: FieldErrors): void {
  const o = obj as unknown;
  const p = old as unknown;
  switch (obj.kind) {
    case 'Pod':
      return validatePodUpdate(o as T.Pod, p as T.Pod, errs);
    case 'Node':
      return validateNodeUpdate(o as T.Node, p as T.Node, errs);
    case 'Namespace':
      return validateNamespaceUpdate(o as T.Namespace, p as T.Namespace, errs);
    case 'Service':
      return validateServiceUpdate(o as T.Service, p as T.Service, errs);
    case 'Endpoints':
      return validateEndpointsUpdate(o as T.Endpoints, p as T.Endpoints, errs);
    case 'ConfigMap':
      return validateConfigMapUpdate(o as T.ConfigMap, p as T.ConfigMap, errs);
    case 'Secret':
      return validateSecretUpdate(o as T.Secret, p as T.Secret, errs);
    case 'Event':
      validateObjectMetaUpdate(obj.metadata, old.metadata, errs);
      return validateEvent(o as T.Event, errs);
    case 'PersistentVolume':
      return validatePersistentVolumeUpdate(o as T.PersistentVolume, p as T.PersistentVolume, errs);
    case 'PersistentVolumeClaim':
      return validatePersistentVolumeClaimUpdate(o as T.PersistentVolumeClaim, p as T.PersistentVolumeClaim, errs);
    case 'ServiceAccount':
      return validateServiceAccountUpdate(o as T.ServiceAccount, p as T.ServiceAccount, errs);
    case 'Deployment':
      return validateDeploymentUpdate(o as T.Deployment, p as T.Deployment, errs);
    case 'ReplicaSet':
      return validateReplicaSetUpdate(o as T.ReplicaSet, p as T.ReplicaSet, errs);
    case 'StatefulSet':
      return validateStatefulSetUpdate(o as T.StatefulSet, p as T.StatefulSet, errs);
    case 'DaemonSet':
      return validateDaemonSetUpdate(o as T.DaemonSet, p as T.DaemonSet, errs);
    case 'ControllerRevision':
      return validateControllerRevisionUpdate(o as T.ControllerRevision, p as T.ControllerRevision, errs);
    case 'Job':
      return validateJobUpdate(o as T.Job, p as T.Job, errs);
    case 'Ingress':
      return validateIngressUpdate(o as T.Ingress, p as T.Ingress, errs);
    case 'IngressClass':
      return validateIngressClassUpdate(o as T.IngressClass, p as T.IngressClass, errs);
    case 'EndpointSlice':
      return validateEndpointSliceUpdate(o as T.EndpointSlice, p as T.EndpointSlice, errs);
    case 'Lease':
      return validateLeaseUpdate(o as T.Lease, p as T.Lease, errs);
    case 'PriorityClass':
      return validatePriorityClassUpdate(o as T.PriorityClass, p as T.PriorityClass, errs);
    case 'PodDisruptionBudget':
      return validatePodDisruptionBudgetUpdate(o as T.PodDisruptionBudget, p as T.PodDisruptionBudget, errs);
    case 'StorageClass':
      return validateStorageClassUpdate(o as T.StorageClass, p as T.StorageClass, errs);
    default:
      return validateObjectMetaUpdate(obj.metadata, old.metadata, errs);
  }
}
