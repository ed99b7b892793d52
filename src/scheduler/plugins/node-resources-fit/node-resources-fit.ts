// NodeResourcesFit. Filter: the pod's requests must fit the node's allocatable minus what its pods
// request (pods, cpu, memory, ephemeral-storage; every shortage is reported, as kube-scheduler
// does: "Insufficient cpu", "Insufficient memory"). Score (weight 1), by scoringStrategy:
//   LeastAllocated (default)  Σ w·(capacity − requested)·100 / capacity  / Σ w   (integer division)
//   MostAllocated             Σ w·min(requested, capacity)·100 / capacity / Σ w
//   RequestedToCapacityRatio  Σ w·shape(requested·100 / capacity) / Σ w        (rounded; shape
//                             points scaled ×10 to 0..100, linear between them)
// where requested = the node's requests + the pod's, with containers that request no cpu / memory
// counted as 100m / 200Mi; resources with zero capacity are left out of the sums.
import type { CycleState } from '../../framework/cycle-state.js';
import { ConfigError, arrayArg, intArg, invalidValue, objectArg, onlyKeys, stringArg } from '../../framework/errors.js';
import type { FilterPlugin, FilterReason, NodeView, ScorePlugin } from '../../framework/interfaces.js';
import { maxNodeScore, names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code } from '../../framework/status.js';
import type { NodeTable } from '../../workers/node-table.js';

/** Resources the columns hold, by code. */
export const Resource = { cpu: 0, memory: 1, 'ephemeral-storage': 2 } as const;
const resourceNames: readonly string[] = ['cpu', 'memory', 'ephemeral-storage'];

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export interface ShapePoint {
  readonly utilization: number;
  readonly score: number;
}

export interface FitArgs {
  readonly type: ScoringStrategyType;
  readonly resources: readonly ResourceSpec[];
  /** RequestedToCapacityRatio only; scores 0..10 as configured. */
  readonly shape: readonly ShapePoint[];
}

export const defaultResources: readonly ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

// Shortage bits; reason index = mask - 1 (+ 15 when the node can never fit it).
const kPods = 1;
const kCpu = 2;
const kMem = 4;
const kEph = 8;

function buildReasons(): FilterReason[] {
  const out: FilterReason[] = [];
  for (const code of [Code.Unschedulable, Code.UnschedulableAndUnresolvable] as const) {
    for (let mask = 1; mask < 16; mask++) {
      const texts: string[] = [];
      if (mask & kPods) texts.push('Too many pods');
      if (mask & kCpu) texts.push('Insufficient cpu');
      if (mask & kMem) texts.push('Insufficient memory');
      if (mask & kEph) texts.push('Insufficient ephemeral-storage');
      out.push({ texts, code });
    }
  }
  return out;
}

/** The shortage mask of `pod` on `node` (0 = fits), with bit 16 set when a request exceeds allocatable. */
export function shortage(table: NodeTable, node: number, pod: PodInfo): number {
  let mask = 0;
  let unresolvable = false;
  if ((table.reqPods[node] as number) + 1 > (table.allocPods[node] as number)) mask |= kPods;
  const cpu = pod.cpuMilli;
  if (cpu > 0 && cpu > (table.allocCpuMilli[node] as number) - (table.reqCpuMilli[node] as number)) {
    mask |= kCpu;
    if (cpu > (table.allocCpuMilli[node] as number)) unresolvable = true;
  }
  const mem = pod.memBytes;
  if (mem > 0 && mem > (table.allocMemBytes[node] as number) - (table.reqMemBytes[node] as number)) {
    mask |= kMem;
    if (mem > (table.allocMemBytes[node] as number)) unresolvable = true;
  }
  const eph = pod.ephBytes;
  if (eph > 0 && eph > (table.allocEphBytes[node] as number) - (table.reqEphBytes[node] as number)) {
    mask |= kEph;
    if (eph > (table.allocEphBytes[node] as number)) unresolvable = true;
  }
  return mask === 0 ? 0 : unresolvable ? mask | 16 : mask;
}

/** kube's BuildBrokenLinearFunction over shape points already scaled to 0..100. */
export function brokenLinear(utilization: readonly number[], score: readonly number[], p: number): number {
  const n = utilization.length;
  for (let i = 0; i < n; i++) {
    if (p <= (utilization[i] as number)) {
      if (i === 0) return score[0] as number;
      const u0 = utilization[i - 1] as number;
      const s0 = score[i - 1] as number;
      // Go's int64 division truncates toward zero.
      return s0 + Math.trunc((((score[i] as number) - s0) * (p - u0)) / ((utilization[i] as number) - u0));
    }
  }
  return score[n - 1] as number;
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = names.NodeResourcesFit;
  readonly nodeLocal = true;
  readonly normalization = 'none';
  readonly reasons: readonly FilterReason[] = buildReasons();
  private readonly strategy: 0 | 1 | 2;
  private readonly resourceCodes: Int32Array;
  private readonly weights: Float64Array;
  private readonly shapeUtilization: readonly number[];
  private readonly shapeScore: readonly number[];

  constructor(readonly args: FitArgs) {
    this.strategy = args.type === 'LeastAllocated' ? 0 : args.type === 'MostAllocated' ? 1 : 2;
    this.resourceCodes = Int32Array.from(args.resources.map((r) => resourceNames.indexOf(r.name)));
    this.weights = Float64Array.from(args.resources.map((r) => r.weight));
    this.shapeUtilization = args.shape.map((p) => p.utilization);
    this.shapeScore = args.shape.map((p) => p.score * (maxNodeScore / 10));
  }

  filter(_state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const table = view.table;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const m = shortage(table, nodes[i] as number, pod);
      if (m !== 0) verdicts[i] = reasonBase + 1 + ((m & 15) - 1) + ((m & 16) !== 0 ? 15 : 0);
    }
  }

  score(_state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const t = view.table;
    const codes = this.resourceCodes;
    const weights = this.weights;
    const strategy = this.strategy;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let nodeScore = 0;
      let weightSum = 0;
      for (let r = 0; r < codes.length; r++) {
        let capacity: number;
        let requested: number;
        switch (codes[r]) {
          case 0: capacity = t.allocCpuMilli[node] as number; requested = (t.nonZeroCpuMilli[node] as number) + pod.nonZeroCpuMilli; break;
          case 1: capacity = t.allocMemBytes[node] as number; requested = (t.nonZeroMemBytes[node] as number) + pod.nonZeroMemBytes; break;
          default: capacity = t.allocEphBytes[node] as number; requested = (t.reqEphBytes[node] as number) + pod.ephBytes; break;
        }
        if (capacity === 0) continue;
        const w = weights[r] as number;
        let s: number;
        if (strategy === 0) {
          s = requested > capacity ? 0 : Math.floor(((capacity - requested) * maxNodeScore) / capacity);
        } else if (strategy === 1) {
          s = Math.floor((Math.min(requested, capacity) * maxNodeScore) / capacity);
        } else {
          const u = requested > capacity ? maxNodeScore : requested <= 0 ? 0 : Math.floor((requested * maxNodeScore) / capacity);
          s = brokenLinear(this.shapeUtilization, this.shapeScore, u);
          // RequestedToCapacityRatio leaves zero scores out of the weighted mean.
          if (s <= 0) continue;
        }
        nodeScore += s * w;
        weightSum += w;
      }
      out[i] = weightSum === 0 ? 0 : strategy === 2 ? Math.round(nodeScore / weightSum) : Math.floor(nodeScore / weightSum);
    }
  }
}

/** Parses NodeResourcesFitArgs ({ scoringStrategy: { type, resources, requestedToCapacityRatio } }). */
export function parseFitArgs(raw: unknown, field: string): FitArgs {
  const o = objectArg(raw, field) ?? {};
  onlyKeys(o, field, ['scoringStrategy', 'ignoredResources', 'ignoredResourceGroups']);
  const sf = `${field}.scoringStrategy`;
  const s = objectArg(o['scoringStrategy'], sf) ?? {};
  onlyKeys(s, sf, ['type', 'resources', 'requestedToCapacityRatio']);
  const type = stringArg(s['type'], `${sf}.type`) ?? 'LeastAllocated';
  if (type !== 'LeastAllocated' && type !== 'MostAllocated' && type !== 'RequestedToCapacityRatio') {
    throw new ConfigError(`${sf}.type`, `Unsupported value: "${type}": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`);
  }
  const list = arrayArg(s['resources'], `${sf}.resources`);
  const resources: ResourceSpec[] = [];
  for (const [i, item] of (list ?? defaultResources).entries()) {
    const f = `${sf}.resources[${i}]`;
    const r = objectArg(item, f) ?? {};
    const name = stringArg(r['name'], `${f}.name`) ?? '';
    if (!resourceNames.includes(name)) throw invalidValue(`${f}.name`, name, `resource not supported (supported: ${resourceNames.join(', ')})`);
    const weight = intArg(r['weight'], `${f}.weight`, 1, 100);
    if (weight === undefined) throw invalidValue(`${f}.weight`, 0, `resource weight of ${name} not in valid range [1, 100]`);
    resources.push({ name, weight });
  }
  const shape: ShapePoint[] = [];
  if (type === 'RequestedToCapacityRatio') {
    const rf = `${sf}.requestedToCapacityRatio`;
    const r = objectArg(s['requestedToCapacityRatio'], rf) ?? {};
    const points = arrayArg(r['shape'], `${rf}.shape`) ?? [];
    if (points.length === 0) throw new ConfigError(`${rf}.shape`, 'Required value: at least one point must be specified');
    for (const [i, item] of points.entries()) {
      const f = `${rf}.shape[${i}]`;
      const p = objectArg(item, f) ?? {};
      const utilization = intArg(p['utilization'], `${f}.utilization`, 0, 100) ?? 0;
      const score = intArg(p['score'], `${f}.score`, 0, 10) ?? 0;
      const prev = shape[shape.length - 1];
      if (prev !== undefined && utilization <= prev.utilization) {
        throw invalidValue(`${f}.utilization`, utilization, 'utilization values must be sorted in increasing order');
      }
      shape.push({ utilization, score });
    }
  }
  return { type, resources, shape };
}

export function newNodeResourcesFit(args: unknown, field: string): NodeResourcesFit {
  return new NodeResourcesFit(parseFitArgs(args, field));
}
