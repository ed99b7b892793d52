// SchedulingGates: a pod with spec.schedulingGates stays out of the active queue until they are
// all removed (the pod is updated).
import type { PreEnqueuePlugin } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, success, type Status } from '../../framework/status.js';

export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = names.SchedulingGates;

  preEnqueue(pod: PodInfo): Status {
    const gates = pod.pod.spec?.schedulingGates;
    if (gates === undefined || gates.length === 0) return success;
    // Go's %v of a []string: "[a b]".
    return newStatus(Code.UnschedulableAndUnresolvable, this.name, `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
}

export function newSchedulingGates(): SchedulingGates {
  return new SchedulingGates();
}
