// NodeUnschedulable: nodes with spec.unschedulable reject pods that do not tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import type { CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, FilterReason, NodeView } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code } from '../../framework/status.js';
import { NodeFlag } from '../../workers/node-table.js';

export const taintNodeUnschedulable = 'node.kubernetes.io/unschedulable';
export const errReasonUnschedulable = 'node(s) were unschedulable';

function toleratesUnschedulable(pod: PodInfo): boolean {
  for (const t of pod.pod.spec?.tolerations ?? []) {
    if (t.effect !== undefined && t.effect !== 'NoSchedule') continue;
    if (t.key !== undefined && t.key !== '' && t.key !== taintNodeUnschedulable) continue;
    if (t.operator === 'Exists') return true;
    if ((t.value ?? '') === '') return true;
  }
  return false;
}

export class NodeUnschedulable implements FilterPlugin {
  readonly name = names.NodeUnschedulable;
  readonly nodeLocal = true;
  readonly reasons: readonly FilterReason[] = [{ texts: [errReasonUnschedulable], code: Code.UnschedulableAndUnresolvable }];

  filter(_state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    if (toleratesUnschedulable(pod)) return;
    const flags = view.table.flags;
    const rejected = reasonBase + 1;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      if (((flags[nodes[i] as number] as number) & NodeFlag.unschedulable) !== 0) verdicts[i] = rejected;
    }
  }
}

export function newNodeUnschedulable(): NodeUnschedulable {
  return new NodeUnschedulable();
}
