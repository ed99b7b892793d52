// NodePorts: a pod's host ports must be free on the node. A wanted port conflicts with a used one of
// the same protocol and number when either host IP is 0.0.0.0 or both are the same IP.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type { FilterPlugin, FilterReason, NodeView, PreFilterPlugin, PreFilterResult, PrepareContext } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, skip, success } from '../../framework/status.js';
import { NodeFlag } from '../../workers/node-table.js';

export const errReasonPorts = "node(s) didn't have free ports for the requested pod ports";
export const anyHostIp = '0.0.0.0';

/** Wanted ports as pairs [portKey, hostIpId]*. */
const stateKeyPorts = stateKey<{ readonly ports: Int32Array; readonly anyIp: number }>('PreFilterNodePorts');

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = names.NodePorts;
  readonly nodeLocal = true;
  readonly reasons: readonly FilterReason[] = [{ texts: [errReasonPorts], code: Code.Unschedulable }];

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    if (pod.hostPorts.length === 0) return { status: skip };
    const pairs: number[] = [];
    for (const p of pod.hostPorts) pairs.push(p.key, ctx.intern.intern(p.hostIp));
    state.write(stateKeyPorts, { ports: Int32Array.from(pairs), anyIp: ctx.intern.intern(anyHostIp) });
    return { status: success };
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const s = state.read(stateKeyPorts);
    if (s === undefined) return;
    const { ports, anyIp } = s;
    const table = view.table;
    const portsMax = table.dims.portsMax;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      if (((table.flags[node] as number) & NodeFlag.portsOverflow) !== 0) {
        verdicts[i] = reasonBase + 1;
        continue;
      }
      const base = node * portsMax;
      const end = base + (table.portCount[node] as number);
      let conflict = false;
      for (let w = 0; w < ports.length && !conflict; w += 2) {
        const key = ports[w] as number;
        const ip = ports[w + 1] as number;
        for (let u = base; u < end; u++) {
          if (table.portKey[u] !== key) continue;
          const usedIp = table.portHostIp[u] as number;
          if (ip === anyIp || usedIp === anyIp || usedIp === ip) { conflict = true; break; }
        }
      }
      if (conflict) verdicts[i] = reasonBase + 1;
    }
  }
}

export function newNodePorts(): NodePorts {
  return new NodePorts();
}
