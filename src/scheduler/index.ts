// coxswain/scheduler: the scheduling framework and its library mode.
//
//   import { createScheduler } from 'coxswain/scheduler';
//   const s = createScheduler({ workers: 2, seed: 1 });
//   s.onBinding(({ pod, nodeName }) => …);
//   s.addNode(node); s.addPod(pendingPod);
//   await s.idle();
export {
  createScheduler,
  defaultWorkerCount,
  Scheduler,
  type Binding,
  type Preemption,
  type SchedulerOptions,
  type SchedulerStats,
  type Unschedulable,
} from './scheduler.js';
export { Code, newStatus, success, skip, type Status } from './framework/status.js';
export { CycleState, stateKey, type StateKey } from './framework/cycle-state.js';
export type * from './framework/interfaces.js';
export { ConfigError } from './framework/errors.js';
export { parseSchedulerConfig, defaultPlugins, type SchedulerConfig, type ProfileConfig } from './framework/config.js';
export type { SchedulerConfigInput } from './framework/config-input.js';
export { Registry, type PluginFactory } from './framework/registry.js';
export { inTreeRegistry } from './plugins/registry.js';
export { VolumeCatalog } from './plugins/volume-binding/catalog.js';
export { names, maxNodeScore, defaultSchedulerName } from './framework/names.js';
export { newPodInfo, type PodInfo } from './framework/pod-info.js';
export { SchedulingQueue, type ClusterEvent } from './framework/queue.js';
export { annotationKeys as simulatorAnnotationKeys, recordResults, type RecordInput } from './record.js';
export { numFeasibleNodesToFind } from './framework/nodes-to-find.js';
export { WorkloadCatalog, type ReplicationControllerLike } from './plugins/pod-topology-spread/workloads.js';
