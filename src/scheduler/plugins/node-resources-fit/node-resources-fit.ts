// NodeResourcesFit. Filter: the pod's requests must fit the node's allocatable minus what its pods
// request (pods, cpu, memory, ephemeral-storage; every shortage is reported, as kube-scheduler
// does: "Insufficient cpu", "Insufficient memory"). Score (weight 1), by scoringStrategy:
//   LeastAllocated (default)  Σ w·(capacity − requested)·100 / capacity  / Σ w   (integer division)
//   MostAllocated             Σ w·min(requested, capacity)·100 / capacity / Σ w
//   RequestedToCapacityRatio  Σ w·shape(requested·100 / capacity) / Σ w        (rounded; shape
//                             points scaled ×10 to 0..100, linear between them)
// where requested = the node's requests + the pod's, with containers that request no cpu / memory
// counted as 100m / 200Mi; resources with zero capacity are left out of the sums.
//
// Extended resources (example.com/gpu, hugepages-2Mi, …; see isScalarResourceName) are filtered as
// kube-scheduler does ("Insufficient example.com/gpu"), except extended ones named in
// ignoredResources or whose prefix (before "/") is in ignoredResourceGroups. Scored when listed in
// scoringStrategy.resources and requested by the pod (a pod requesting none leaves them out).
// PreFilter resolves the pod's requests to the node table's columns once per pod (CycleState).
import { validateLabelKey } from '../../../core/api/labels.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { ConfigError, arrayArg, intArg, invalidValue, objectArg, onlyKeys, stringArg } from '../../framework/errors.js';
import type { FilterPlugin, FilterReason, NodeView, PreFilterPlugin, PreFilterResult, PreScorePlugin, PrepareContext, ScorePlugin } from '../../framework/interfaces.js';
import { maxNodeScore, names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, skip, success, type Status } from '../../framework/status.js';
import { isExtendedResourceName, isScalarResourceName, scalarRequestsOf } from '../../nodes.js';
import type { InternTable } from '../../workers/intern.js';
import type { NodeTable } from '../../workers/node-table.js';

/** Resources the columns hold, by code; any other scored resource is an extended one (code 3). */
export const Resource = { cpu: 0, memory: 1, 'ephemeral-storage': 2 } as const;
const resourceNames: readonly string[] = ['cpu', 'memory', 'ephemeral-storage'];
const kScalarCode = 3;

/**
 * The pod's extended requests checked by Filter (ignored ones left out), by node-table column (-1:
 * no node has the resource, so none has room), sorted by name. Plain data: it travels to workers.
 */
interface ScalarNeeds {
  readonly names: readonly string[];
  readonly columns: readonly number[];
  readonly quantities: readonly number[];
}

/** Per configured score resource: its column and the pod's request (0 unless it is extended and requested). */
interface ScoreNeeds {
  readonly columns: readonly number[];
  readonly quantities: readonly number[];
}

const filterKey = stateKey<ScalarNeeds>('PreFilterNodeResourcesFit');
const scoreKey = stateKey<ScoreNeeds>('PreScoreNodeResourcesFit');

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
  /** Extended resources Filter does not check. */
  readonly ignoredResources: readonly string[];
  /** Extended-resource prefixes ("example.com" for example.com/gpu) Filter does not check. */
  readonly ignoredResourceGroups: readonly string[];
}

export const defaultResources: readonly ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

// Shortage bits; reason index = mask - 1 (+ 31 when the node can never fit it).
const kPods = 1;
const kCpu = 2;
const kMem = 4;
const kEph = 8;
/** Some extended resource is short: which ones is told by explain (they depend on the node). */
const kScalar = 16;
const kMaskBits = 31;
const kUnresolvable = 32;

function buildReasons(): FilterReason[] {
  const out: FilterReason[] = [];
  for (const code of [Code.Unschedulable, Code.UnschedulableAndUnresolvable] as const) {
    for (let mask = 1; mask <= kMaskBits; mask++) {
      const texts: string[] = [];
      if (mask & kPods) texts.push('Too many pods');
      if (mask & kCpu) texts.push('Insufficient cpu');
      if (mask & kMem) texts.push('Insufficient memory');
      if (mask & kEph) texts.push('Insufficient ephemeral-storage');
      if (mask & kScalar) texts.push('Insufficient extended resources');
      out.push({ texts, code });
    }
  }
  return out;
}

/**
 * The shortage mask of `pod` on `node` (0 = fits), with kUnresolvable set when a request exceeds
 * allocatable. `scalars`: the pod's checked extended requests (undefined: none).
 */
export function shortage(table: NodeTable, node: number, pod: PodInfo, scalars?: ScalarNeeds): number {
  let mask = 0;
  let unresolvable = false;
  if (scalars !== undefined) {
    const n = table.dims.nodesMax;
    for (let i = 0; i < scalars.columns.length; i++) {
      const c = scalars.columns[i] as number;
      const q = scalars.quantities[i] as number;
      const alloc = c < 0 ? 0 : (table.allocScalar[c * n + node] as number);
      if (q > alloc - (c < 0 ? 0 : (table.reqScalar[c * n + node] as number))) {
        mask |= kScalar;
        if (q > alloc) unresolvable = true;
      }
    }
  }
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
  return mask === 0 ? 0 : unresolvable ? mask | kUnresolvable : mask;
}

/** Every shortage's text, in kube's order: pods, cpu, memory, ephemeral-storage, extended by name. */
function shortageTexts(table: NodeTable, node: number, pod: PodInfo, scalars: ScalarNeeds | undefined): string[] {
  const mask = shortage(table, node, pod);
  const texts: string[] = [];
  if (mask & kPods) texts.push('Too many pods');
  if (mask & kCpu) texts.push('Insufficient cpu');
  if (mask & kMem) texts.push('Insufficient memory');
  if (mask & kEph) texts.push('Insufficient ephemeral-storage');
  if (scalars !== undefined) {
    const n = table.dims.nodesMax;
    for (let i = 0; i < scalars.columns.length; i++) {
      const c = scalars.columns[i] as number;
      const free = c < 0 ? 0 : (table.allocScalar[c * n + node] as number) - (table.reqScalar[c * n + node] as number);
      if ((scalars.quantities[i] as number) > free) texts.push(`Insufficient ${scalars.names[i] as string}`);
    }
  }
  return texts;
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

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = names.NodeResourcesFit;
  readonly nodeLocal = true;
  readonly normalization = 'none';
  readonly reasons: readonly FilterReason[] = buildReasons();
  private readonly strategy: 0 | 1 | 2;
  private readonly resourceCodes: Int32Array;
  private readonly weights: Float64Array;
  private readonly shapeUtilization: readonly number[];
  private readonly shapeScore: readonly number[];
  private readonly ignored: ReadonlySet<string>;
  private readonly ignoredGroups: ReadonlySet<string>;
  /** Whether a configured score resource is an extended one (PreScore then resolves it). */
  private readonly scoresScalars: boolean;

  constructor(readonly args: FitArgs) {
    this.strategy = args.type === 'LeastAllocated' ? 0 : args.type === 'MostAllocated' ? 1 : 2;
    this.resourceCodes = Int32Array.from(args.resources.map((r) => (resourceNames.includes(r.name) ? resourceNames.indexOf(r.name) : kScalarCode)));
    this.weights = Float64Array.from(args.resources.map((r) => r.weight));
    this.shapeUtilization = args.shape.map((p) => p.utilization);
    this.shapeScore = args.shape.map((p) => p.score * (maxNodeScore / 10));
    this.ignored = new Set(args.ignoredResources);
    this.ignoredGroups = new Set(args.ignoredResourceGroups);
    this.scoresScalars = this.resourceCodes.includes(kScalarCode);
  }

  /** Resolves the pod's extended requests to columns; a pod with none writes nothing (the common case). */
  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const requests = scalarRequestsOf(pod);
    if (requests.length === 0) return { status: success };
    const needs = { names: [] as string[], columns: [] as number[], quantities: [] as number[] };
    for (const r of requests) {
      if (isExtendedResourceName(r.name) && (this.ignored.has(r.name) || this.ignoredGroups.has(r.name.slice(0, r.name.indexOf('/'))))) continue;
      needs.names.push(r.name);
      needs.columns.push(columnOf(ctx.table, ctx.intern, r.name));
      needs.quantities.push(r.quantity);
    }
    if (needs.names.length > 0) state.write(filterKey, needs);
    return { status: success };
  }

  filter(state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const table = view.table;
    const scalars = state.read(filterKey);
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const m = shortage(table, nodes[i] as number, pod, scalars);
      if (m !== 0) verdicts[i] = reasonBase + 1 + ((m & kMaskBits) - 1) + ((m & kUnresolvable) !== 0 ? kMaskBits : 0);
    }
  }

  explain(state: CycleState, pod: PodInfo, view: NodeView, node: number, reason: number): readonly string[] {
    const mask = (reason % kMaskBits) + 1;
    if ((mask & kScalar) === 0) return this.reasons[reason]!.texts;
    return shortageTexts(view.table, node, pod, state.read(filterKey));
  }

  /** Resolves configured extended score resources the pod requests (kube scores only those). */
  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    if (!this.scoresScalars) return success;
    const requests = scalarRequestsOf(pod);
    const columns: number[] = [];
    const quantities: number[] = [];
    for (let r = 0; r < this.resourceCodes.length; r++) {
      const name = this.args.resources[r]!.name;
      const q = this.resourceCodes[r] === kScalarCode ? (requests.find((x) => x.name === name)?.quantity ?? 0) : 0;
      columns.push(q === 0 ? -1 : columnOf(ctx.table, ctx.intern, name));
      quantities.push(q);
    }
    state.write(scoreKey, { columns, quantities });
    return success;
  }

  score(state: CycleState, pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const t = view.table;
    const codes = this.resourceCodes;
    const weights = this.weights;
    const strategy = this.strategy;
    const scalars = state.read(scoreKey);
    const n = t.dims.nodesMax;
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
          case 2: capacity = t.allocEphBytes[node] as number; requested = (t.reqEphBytes[node] as number) + pod.ephBytes; break;
          default: {
            // An extended resource the pod does not request is left out (capacity 0), as kube.
            const c = scalars === undefined ? -1 : (scalars.columns[r] as number);
            capacity = c < 0 ? 0 : (t.allocScalar[c * n + node] as number);
            requested = c < 0 ? 0 : (t.reqScalar[c * n + node] as number) + (scalars!.quantities[r] as number);
          }
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
  const ignoredResources: string[] = [];
  for (const [i, item] of (arrayArg(o['ignoredResources'], `${field}.ignoredResources`) ?? []).entries()) {
    const f = `${field}.ignoredResources[${i}]`;
    const name = stringArg(item, f) ?? '';
    const errs = validateLabelKey(name);
    if (errs.length > 0) throw invalidValue(f, name, errs[0]!);
    ignoredResources.push(name);
  }
  const ignoredResourceGroups: string[] = [];
  for (const [i, item] of (arrayArg(o['ignoredResourceGroups'], `${field}.ignoredResourceGroups`) ?? []).entries()) {
    const f = `${field}.ignoredResourceGroups[${i}]`;
    const group = stringArg(item, f) ?? '';
    if (group.includes('/')) throw invalidValue(f, group, "resource group name can't contain '/'");
    const errs = validateLabelKey(group);
    if (errs.length > 0) throw invalidValue(f, group, errs[0]!);
    ignoredResourceGroups.push(group);
  }
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
    if (!resourceNames.includes(name) && !isScalarResourceName(name)) throw invalidValue(`${f}.name`, name, 'not a resource the scheduler accounts (cpu, memory, ephemeral-storage, or an extended resource)');
    const weight = intArg(r['weight'], `${f}.weight`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;
    if (weight <= 0 || weight > 100) throw invalidValue(`${f}.weight`, weight, `resource weight of ${name} not in valid range (0, 100]`);
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
  return { type, resources, shape, ignoredResources, ignoredResourceGroups };
}

/** The column of an extended resource, or -1 when no node reports it (nothing has room for it). */
function columnOf(table: NodeTable, intern: InternTable, name: string): number {
  const id = intern.lookup(name);
  return id < 0 ? -1 : table.scalarColumn(id);
}

export function newNodeResourcesFit(args: unknown, field: string): NodeResourcesFit {
  return new NodeResourcesFit(parseFitArgs(args, field));
}
