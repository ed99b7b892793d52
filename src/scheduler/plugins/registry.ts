// The in-tree plugins, by name. Default-profile plugins not built yet would be registered as
// no-ops so the default profile loads (`pendingPlugins`; none left).
import type { Plugin } from '../framework/interfaces.js';
import { names } from '../framework/names.js';
import { Registry, type PluginFactory } from '../framework/registry.js';
import { newDefaultPreemption } from './default-preemption/default-preemption.js';
import { newDefaultBinder } from './default-binder/default-binder.js';
import { newImageLocality } from './image-locality/image-locality.js';
import { newInterPodAffinity } from './inter-pod-affinity/inter-pod-affinity.js';
import { newNodeAffinity } from './node-affinity/node-affinity.js';
import { newNodeName } from './node-name/node-name.js';
import { newNodePorts } from './node-ports/node-ports.js';
import { newBalancedAllocation } from './node-resources-balanced-allocation/balanced-allocation.js';
import { newNodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { newNodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { newPodTopologySpread } from './pod-topology-spread/pod-topology-spread.js';
import { newPrioritySort } from './priority-sort/priority-sort.js';
import { newSchedulingGates } from './scheduling-gates/scheduling-gates.js';
import { newTaintToleration } from './taint-toleration/taint-toleration.js';
import { newVolumeBinding } from './volume-binding/volume-binding.js';
import { newVolumeRestrictions } from './volume-restrictions/volume-restrictions.js';

/** Default-profile plugins that do not exist yet: they load, implement no extension point, do nothing. */
export const pendingPlugins: readonly string[] = [
];

function placeholder(name: string): PluginFactory {
  return (): Plugin => ({ name });
}

export function inTreeRegistry(): Registry {
  const entries: [string, PluginFactory][] = [
    [names.PrioritySort, newPrioritySort],
    [names.SchedulingGates, newSchedulingGates],
    [names.NodeUnschedulable, newNodeUnschedulable],
    [names.NodeName, newNodeName],
    [names.TaintToleration, newTaintToleration],
    [names.NodeAffinity, newNodeAffinity],
    [names.NodePorts, newNodePorts],
    [names.NodeResourcesFit, newNodeResourcesFit],
    [names.NodeResourcesBalancedAllocation, newBalancedAllocation],
    [names.ImageLocality, newImageLocality],
    [names.PodTopologySpread, newPodTopologySpread],
    [names.InterPodAffinity, newInterPodAffinity],
    [names.VolumeBinding, newVolumeBinding],
    [names.VolumeRestrictions, newVolumeRestrictions],
    [names.DefaultPreemption, newDefaultPreemption],
    [names.DefaultBinder, newDefaultBinder],
  ];
  for (const n of pendingPlugins) entries.push([n, placeholder(n)]);
  return new Registry(entries);
}
