// NodeResourcesBalancedAllocation (weight 1): favours nodes whose cpu and memory would be used in
// the same proportion. score = ⌊(1 − std) · 100⌋, std the standard deviation of the fractions
// requested / allocatable (each capped at 1; with two resources |f1 − f2| / 2), where requested is
// the node's actual requests plus the pod's (no 100m / 200Mi defaults). Best-effort pods (no requests)
// skip it, so they do not pile onto one node. Extended resources (args.resources) count on nodes
// that have them, when the pod requests them (kube's calculateResourceAllocatableRequest).
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { ConfigError, arrayArg, intArg, invalidValue, objectArg, onlyKeys, stringArg } from '../../framework/errors.js';
import type { NodeView, PreScorePlugin, PrepareContext, ScorePlugin } from '../../framework/interfaces.js';
import { maxNodeScore, names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { skip, success, type Status } from '../../framework/status.js';
import { isScalarResourceName, scalarRequestsOf } from '../../nodes.js';

const resourceNames: readonly string[] = ['cpu', 'memory', 'ephemeral-storage'];
const kScalarCode = 3;

/** Per configured resource: the extended column (-1: none or not requested) and the pod's request. */
interface ScalarNeeds {
  readonly columns: readonly number[];
  readonly quantities: readonly number[];
}
const scoreKey = stateKey<ScalarNeeds>('PreScoreNodeResourcesBalancedAllocation');

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = names.NodeResourcesBalancedAllocation;
  readonly nodeLocal = true;
  readonly normalization = 'none';
  private readonly codes: Int32Array;

  constructor(private readonly resources: readonly string[]) {
    this.codes = Int32Array.from(resources.map((r) => (resourceNames.includes(r) ? resourceNames.indexOf(r) : kScalarCode)));
  }

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    let any = false;
    const scalars = this.codes.includes(kScalarCode) ? scalarRequestsOf(pod) : [];
    const columns: number[] = [];
    const quantities: number[] = [];
    for (let r = 0; r < this.codes.length; r++) {
      const c = this.codes[r] as number;
      let q: number;
      if (c === kScalarCode) {
        const name = this.resources[r] as string;
        q = scalars.find((x) => x.name === name)?.quantity ?? 0;
        const id = q === 0 ? -1 : ctx.intern.lookup(name);
        columns.push(id < 0 ? -1 : ctx.table.scalarColumn(id));
      } else {
        q = c === 0 ? pod.cpuMilli : c === 1 ? pod.memBytes : pod.ephBytes;
        columns.push(-1);
      }
      quantities.push(q);
      if (q > 0) any = true;
    }
    if (!any) return skip;
    if (scalars.length > 0) state.write(scoreKey, { columns, quantities });
    return success;
  }

  score(state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const t = view.table;
    const codes = this.codes;
    const scalars = state.read(scoreKey);
    const nodesMax = t.dims.nodesMax;
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
          case 2: capacity = t.allocEphBytes[node] as number; requested = (t.reqEphBytes[node] as number) + pod.ephBytes; break;
          default: {
            const c = scalars === undefined ? -1 : (scalars.columns[r] as number);
            capacity = c < 0 ? 0 : (t.allocScalar[c * nodesMax + node] as number);
            requested = c < 0 ? 0 : (t.reqScalar[c * nodesMax + node] as number) + (scalars!.quantities[r] as number);
          }
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
    onlyKeys(r, `${field}.resources[${i}]`, ['name', 'weight']);
    const name = stringArg(r['name'], `${field}.resources[${i}].name`) ?? '';
    if (!resourceNames.includes(name) && !isScalarResourceName(name)) throw invalidValue(`${field}.resources[${i}].name`, name, 'not a resource the scheduler accounts (cpu, memory, ephemeral-storage, or an extended resource)');
    if (resources.includes(name)) throw new ConfigError(`${field}.resources[${i}].name`, `Duplicate value: "${name}"`);
    // kube: the weight of BalancedAllocation's resources must be 1 (0 or unset defaults to 1).
    const weight = intArg(r['weight'], `${field}.resources[${i}].weight`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;
    if (weight !== 1 && weight !== 0) throw invalidValue(`${field}.resources[${i}].weight`, weight, 'must be 1');
    resources.push(name);
  }
  return new NodeResourcesBalancedAllocation(resources);
}
