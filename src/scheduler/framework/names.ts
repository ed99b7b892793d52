// Plugin names: one place, so configuration, registry and plugins agree (kube-scheduler's names.go).
export const names = {
  PrioritySort: 'PrioritySort',
  SchedulingGates: 'SchedulingGates',
  NodeUnschedulable: 'NodeUnschedulable',
  NodeName: 'NodeName',
  TaintToleration: 'TaintToleration',
  NodeAffinity: 'NodeAffinity',
  NodePorts: 'NodePorts',
  NodeResourcesFit: 'NodeResourcesFit',
  NodeResourcesBalancedAllocation: 'NodeResourcesBalancedAllocation',
  ImageLocality: 'ImageLocality',
  PodTopologySpread: 'PodTopologySpread',
  InterPodAffinity: 'InterPodAffinity',
  VolumeBinding: 'VolumeBinding',
  VolumeRestrictions: 'VolumeRestrictions',
  DefaultPreemption: 'DefaultPreemption',
  DefaultBinder: 'DefaultBinder',
} as const;
export type PluginName = (typeof names)[keyof typeof names];

/** The name kube-scheduler gives a profile when schedulerName is not set. */
export const defaultSchedulerName = 'default-scheduler';
/** Scores are within [0, maxNodeScore] after normalization (framework.MaxNodeScore). */
export const maxNodeScore = 100;
export const minNodeScore = 0;
/** Weights are within [1, maxWeight] (kube-scheduler's MaxWeight is MaxTotalScore / MaxNodeScore; we keep 100). */
export const maxWeight = 100;
