// NodeResourcesBalancedAllocation (weight 1): favours nodes whose cpu and memory would be used in
// the same proportion. score = ⌊(1 − std) · 100⌋, std the standard deviation of the fractions
// requested / allocatable (each capped at 1; with two resources |f1 − f2| / 2), where requested is
// the node's actual requests plus the pod's (no 100m / 200Mi defaults). Best-effort pods (no requests)
// skip it, so they do not pile onto one node.
import type { CycleState } from '../../framework/cycle-state.js';
import { arrayArg, invalidValue, objectArg, onlyKeys, stringArg } from '../../framework/errors.js';
import type { NodeView, PreScorePlugin, PrepareContext, ScorePlugin } from '../../framework/interfaces.js';
import { maxNodeScore, names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { skip, success, type Status } from '../../framework/status.js';

const resourceNames: readonly string[] = ['cpu', 'memory', 'ephemeral-storage'];

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = names.NodeResourcesBalancedAllocation;
  readonly nodeLocal = true;
  readonly normalization = 'none';
  private readonly codes: Int32Array;

  constructor(resources: readonly string[]) {
    this.codes = Int32Array.from(resources.map((r) => resourceNames.indexOf(r)));
  }

  preScore(_state: CycleState, pod: PodInfo, _ctx: PrepareContext): Status {
    let any = false;
    for (const c of this.codes) if ((c === 0 ? pod.cpuMilli : c === 1 ? pod.memBytes : pod.ephBytes) > 0) any = true;
    return any ? success : skip;
  }

  score(_state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const t = view.table;
    const codes = this.codes;
    const fractions = new Float64Array(codes.length); // one per call, not per node
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let n = 0;
      let total = 0;
      for (let r = 0; r < codes.length; r++) {
        let capacity: number;
        let requested: number;
        switch (codes[r]) {
          case 0: capacity = t.allocCpuMilli[node] as number; requested = (t.reqCpuMilli[node] as number) + pod.cpuMilli; break;
          case 1: capacity = t.allocMemBytes[node] as number; requested = (t.reqMemBytes[node] as number) + pod.memBytes; break;
          default: capacity = t.allocEphBytes[node] as number; requested = (t.reqEphBytes[node] as number) + pod.ephBytes; break;
        }
        if (capacity === 0) continue;
        const f = Math.min(requested / capacity, 1);
        fractions[n++] = f;
        total += f;
      }
      let std = 0;
      if (n === 2) std = Math.abs(((fractions[0] as number) - (fractions[1] as number)) / 2);
      else if (n > 2) {
        const mean = total / n;
        let sum = 0;
        for (let k = 0; k < n; k++) sum += ((fractions[k] as number) - mean) ** 2;
        std = Math.sqrt(sum / n);
      }
      out[i] = Math.trunc((1 - std) * maxNodeScore);
    }
  }
}

export function newBalancedAllocation(raw: unknown, field: string): NodeResourcesBalancedAllocation {
  const o = objectArg(raw, field) ?? {};
  onlyKeys(o, field, ['resources']);
  const list = arrayArg(o['resources'], `${field}.resources`);
  const resources: string[] = [];
  for (const [i, item] of (list ?? [{ name: 'cpu' }, { name: 'memory' }]).entries()) {
    const r = objectArg(item, `${field}.resources[${i}]`) ?? {};
    const name = stringArg(r['name'], `${field}.resources[${i}].name`) ?? '';
    if (!resourceNames.includes(name)) throw invalidValue(`${field}.resources[${i}].name`, name, `resource not supported (supported: ${resourceNames.join(', ')})`);
    resources.push(name);
  }
  return new NodeResourcesBalancedAllocation(resources);
}
