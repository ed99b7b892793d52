// NodeName: a pod with spec.nodeName fits only that node. Its PreFilter does not narrow the node set
// (kube-scheduler's NodeName has none): the other nodes fail its Filter with its reason.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, FilterReason, NodeView, PreFilterPlugin, PreFilterResult, PrepareContext } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, skip, success } from '../../framework/status.js';

export const errReasonNodeName = "node(s) didn't match the requested node name";

/** The interned name of the requested node. */
const nameKey = stateKey<number>('PreFilterNodeName');

export class NodeName implements PreFilterPlugin, FilterPlugin {
  readonly name = names.NodeName;
  readonly nodeLocal = true;
  readonly reasons: readonly FilterReason[] = [{ texts: [errReasonNodeName], code: Code.UnschedulableAndUnresolvable }];

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const wanted = pod.pod.spec?.nodeName;
    if (wanted === undefined || wanted === '') return { status: skip };
    state.write(nameKey, ctx.intern.lookup(wanted));
    const index = ctx.nodeIndex(wanted);
    if (index < 0) return { status: newStatus(Code.UnschedulableAndUnresolvable, this.name, errReasonNodeName) };
    return { status: success };
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const wanted = state.read(nameKey);
    if (wanted === undefined) return;
    const nameId = view.table.nameId;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] === 0 && nameId[nodes[i] as number] !== wanted) verdicts[i] = reasonBase + 1;
    }
  }
}

export function newNodeName(): NodeName {
  return new NodeName();
}
