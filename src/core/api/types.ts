// Object types. The per-kind shapes come from kubernetes-models (generated from Kubernetes'
// OpenAPI, type-only imports: nothing of that package is loaded at run time). Stored objects
// always carry metadata, so each alias makes `metadata` required.

import type { IPod } from 'kubernetes-models/v1/Pod';
import type { INode } from 'kubernetes-models/v1/Node';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IEndpoints } from 'kubernetes-models/v1/Endpoints';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IEvent } from 'kubernetes-models/v1/Event';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IControllerRevision } from 'kubernetes-models/apps/v1/ControllerRevision';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IIngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import type { IEndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import type { ILease } from 'kubernetes-models/coordination.k8s.io/v1/Lease';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { ITaint } from 'kubernetes-models/v1/Taint';
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';

/** `metav1.ObjectMeta`. Timestamps are RFC 3339 strings (seconds precision). */
export type ObjectMeta = NonNullable<IPod['metadata']>;
export type OwnerReference = NonNullable<ObjectMeta['ownerReferences']>[number];
/** `metav1.LabelSelector` (matchLabels / matchExpressions). */
export type LabelSelector = IDeploymentSpec['selector'];

/**
 * Any stored object: type meta, metadata, and the rest. Every per-kind alias below is assignable
 * to it; code that handles all kinds alike (store, watch, registry) works on this.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

/** A kind's list: `{ apiVersion, kind: 'PodList', metadata: { resourceVersion, continue? }, items }`. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

type Stored<T extends { metadata?: ObjectMeta }> = Omit<T, 'metadata'> & { metadata: ObjectMeta };

export type Pod = Stored<IPod>;
export type Node = Stored<INode>;
export type Namespace = Stored<INamespace>;
export type Service = Stored<IService>;
export type Endpoints = Stored<IEndpoints>;
export type ConfigMap = Stored<IConfigMap>;
export type Secret = Stored<ISecret>;
export type Event = Stored<IEvent>;
export type PersistentVolume = Stored<IPersistentVolume>;
export type PersistentVolumeClaim = Stored<IPersistentVolumeClaim>;
export type ServiceAccount = Stored<IServiceAccount>;
export type Deployment = Stored<IDeployment>;
export type ReplicaSet = Stored<IReplicaSet>;
export type StatefulSet = Stored<IStatefulSet>;
export type DaemonSet = Stored<IDaemonSet>;
export type ControllerRevision = Stored<IControllerRevision>;
export type Job = Stored<IJob>;
export type Ingress = Stored<IIngress>;
export type IngressClass = Stored<IIngressClass>;
export type EndpointSlice = Stored<IEndpointSlice>;
export type Lease = Stored<ILease>;
export type PriorityClass = Stored<IPriorityClass>;
export type PodDisruptionBudget = Stored<IPodDisruptionBudget>;
export type StorageClass = Stored<IStorageClass>;

export type PodSpec = IPodSpec;
export type PodTemplateSpec = IPodTemplateSpec;
export type Container = IContainer;
export type ContainerPort = IContainerPort;
export type EnvVar = IEnvVar;
export type Probe = IProbe;
export type ResourceRequirements = IResourceRequirements;
export type Toleration = IToleration;
export type Taint = ITaint;
export type Volume = IVolume;
export type VolumeMount = IVolumeMount;
export type ServicePort = IServicePort;

/** Every kind's object type, by kind name. */
export interface ObjectByKind {
  Pod: Pod;
  Node: Node;
  Namespace: Namespace;
  Service: Service;
  Endpoints: Endpoints;
  ConfigMap: ConfigMap;
  Secret: Secret;
  Event: Event;
  PersistentVolume: PersistentVolume;
  PersistentVolumeClaim: PersistentVolumeClaim;
  ServiceAccount: ServiceAccount;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  ControllerRevision: ControllerRevision;
  Job: Job;
  Ingress: Ingress;
  IngressClass: IngressClass;
  EndpointSlice: EndpointSlice;
  Lease: Lease;
  PriorityClass: PriorityClass;
  PodDisruptionBudget: PodDisruptionBudget;
  StorageClass: StorageClass;
}

export type KindName = keyof ObjectByKind;

/** Narrows an object to its kind's type by its `kind` field. */
export function isKind<K extends KindName>(obj: KubeObject, kind: K): obj is KubeObject & ObjectByKind[K] {
  return obj.kind === kind;
}
