// PodTopologySpread (weight 2): spreads pods matching a selector across topology domains.
//
// Filter (whenUnsatisfiable: DoNotSchedule): for each constraint, on a node in domain d,
//   skew = matching pods in d + (1 if the pod matches its own selector) − min over domains
// must not exceed maxSkew (the minimum is 0 while fewer than minDomains domains exist). Nodes
// without a constraint's topology key are rejected as unresolvable.
// Score (ScheduleAnyway): Σ over constraints of count(d) · ln(domains + 2) + (maxSkew − 1), rounded;
// normalized as 100 · (max + min − s) / max (fewer matching pods → higher); nodes missing a key → 0.
//
// Domains count nodes that match the pod's nodeSelector / required affinity and carry every
// constraint's key (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore: the defaults). Pods counted
// are those bound or assumed, in the pod's namespace, not being deleted. Its result for a node
// depends on pods on other nodes (nodeLocal false), but a cached evaluation is not rebuilt per
// placement: DomainCounts keep each hard constraint's per-domain counts placement by placement,
// and refresh() re-filters only the domains whose verdict flipped (soft constraints still rebuild).
//
// Not done: system default constraints (they need the Services / ReplicaSets selecting the pod,
// which library mode does not have); the domain count of the score uses the nodes passing the
// pod's required node affinity rather than every filter (PreScore runs before Filter here).
import type { LabelSelector, Labels } from '../../../core/api/labels.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type {
  FilterPlugin,
  FilterReason,
  NodeView,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  PrepareContext,
  Refreshable,
  RefreshOut,
  ScorePlugin,
} from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, skip, success, type Status } from '../../framework/status.js';
import { requiredNodeAffinityMatches } from '../node-affinity/node-affinity.js';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;
export const labelHostname = 'kubernetes.io/hostname';

/**
 * One constraint, ready for Filter / Score (plain data: it travels to workers). `minMatch`,
 * `counts` and `version` of a Filter constraint are rewritten by refresh (main thread, between
 * rounds: never while a worker reads a copy).
 */
interface Compiled {
  readonly keyId: number;
  readonly maxSkew: number;
  /** Filter: 1 if the pod matches its own selector. */
  readonly selfMatch: number;
  /** Filter: the minimum matching count over domains (0 below minDomains). */
  minMatch: number;
  readonly minDomains: number;
  /** Matching pods per domain (interned topology value). */
  readonly counts: Map<number, number>;
  /** Score: per node when the key is the hostname (counts then unused). */
  readonly perNode: Map<number, number> | undefined;
  readonly weight: number;
  /** Filter: the DomainCounts these counts come from (-1: none), and its version they reflect. */
  readonly trackerId: number;
  version: number;
}

/** Changed slots remembered per DomainCounts; a state further behind compares every domain. */
const changedRingSize = 1024;
/** DomainCounts kept at most (distinct constraint × selector × eligibility); the oldest is dropped. */
const trackersMax = 256;

/**
 * Matching pods per domain of one constraint over its eligible nodes, kept exact placement by
 * placement (observePlacement), so a cached evaluation is refreshed in O(changed domains) instead
 * of recounting O(nodes + placed pods) and re-filtering every node per pod.
 *
 *   slotOfNode[node] ─► slot ─► values[slot] (interned topology value), counts[slot],
 *                               nodesOfSlot[slot] (the domain's eligible nodes)
 *   changedSlots[v % changedRingSize] = the slot that version v → v+1 changed
 *
 * Valid while the node set is the one it was built over: `nodes` is the scheduler's live-node
 * array, which is replaced whenever a node is added, updated or removed.
 */
class DomainCounts {
  version = 0;
  dead = false;
  private minVersion = -1;
  private minCount = 0;
  readonly changedSlots = new Int32Array(changedRingSize);

  constructor(
    readonly id: number,
    readonly key: string,
    readonly nodes: Int32Array,
    readonly namespace: string,
    readonly selector: LabelSelector,
    readonly slotOfNode: Int32Array,
    readonly values: Int32Array,
    readonly counts: Int32Array,
    readonly nodesOfSlot: readonly Int32Array[],
  ) {}

  /** Counts a placement (sign 1) or its removal (-1) if the pod matches and the node is eligible. */
  apply(pod: PodInfo, node: number, sign: 1 | -1): void {
    if (node >= this.slotOfNode.length) return;
    const slot = this.slotOfNode[node] as number;
    if (slot < 0) return;
    const meta = pod.pod.metadata;
    if ((meta.namespace ?? 'default') !== this.namespace || !this.selector.matches(meta.labels ?? {})) return;
    this.counts[slot] = (this.counts[slot] as number) + sign;
    this.changedSlots[this.version % changedRingSize] = slot;
    this.version++;
  }

  /** The minimum count over domains, 0 when there are fewer than minDomains (cached per version). */
  minMatching(minDomains: number): number {
    if (this.minVersion !== this.version) {
      let min = Number.POSITIVE_INFINITY;
      const counts = this.counts;
      for (let s = 0; s < counts.length; s++) if ((counts[s] as number) < min) min = counts[s] as number;
      this.minCount = min === Number.POSITIVE_INFINITY ? 0 : min;
      this.minVersion = this.version;
    }
    return this.values.length < minDomains ? 0 : this.minCount;
  }
}

/** Builds a DomainCounts: eligible nodes (every key in `allKeyIds`, the pod's required node affinity), their domains, matching placed pods. */
function buildDomainCounts(id: number, key: string, index: PlacedIndex, pod: PodInfo, ctx: PrepareContext, keyId: number, allKeyIds: readonly number[], selector: LabelSelector): DomainCounts {
  const table = ctx.table;
  const size = table.highWater;
  const nodes = ctx.nodes;
  const slotOfNode = new Int32Array(size).fill(-1);
  const slots = domainSlots(ctx.strings.buffers.idsMax);
  const values: number[] = [];
  const members: number[][] = [];
  const spec = pod.pod.spec;
  const hasAffinity = (spec?.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0) || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as number;
    let all = true;
    for (let k = 0; k < allKeyIds.length; k++) {
      if (table.labelValueOf(node, allKeyIds[k] as number) < 0) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    if (hasAffinity) {
      const obj = ctx.nodeObject(node);
      if (obj === undefined || !requiredNodeAffinityMatches(pod.pod, obj)) continue;
    }
    const d = table.labelValueOf(node, keyId);
    let slot = slots[d] as number;
    if (slot < 0) {
      slot = slots[d] = values.length;
      values.push(d);
      members.push([]);
    }
    slotOfNode[node] = slot;
    members[slot]!.push(node);
  }
  for (const v of values) slots[v] = -1;
  const counts = new Int32Array(values.length);
  const namespace = pod.pod.metadata.namespace ?? 'default';
  for (const g of index.groups.values()) {
    if (g.namespace !== namespace || !selector.matches(g.labels)) continue;
    for (const [node, n] of g.perNode) {
      const slot = node < size ? (slotOfNode[node] as number) : -1;
      if (slot >= 0) counts[slot] = (counts[slot] as number) + n;
    }
  }
  return new DomainCounts(id, key, nodes, namespace, selector, slotOfNode, Int32Array.from(values), counts, members.map((m) => Int32Array.from(m)));
}

const filterKey = stateKey<readonly Compiled[]>('PreFilterPodTopologySpread');
const scoreKey = stateKey<readonly Compiled[]>('PreScorePodTopologySpread');

type Spec = NonNullable<NonNullable<PodInfo['pod']['spec']>['topologySpreadConstraints']>[number];

/** The constraint's selector, with matchLabelKeys folded in from the pod's own labels. */
function selectorOf(c: Spec, podLabels: Labels): LabelSelector {
  const base = (c.labelSelector ?? null) as LabelSelectorObject | null;
  const keys = c.matchLabelKeys ?? [];
  if (keys.length === 0 || base === null) return labelSelectorFromObject(base);
  const extra = keys.filter((k) => podLabels[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [podLabels[k] as string] }));
  return labelSelectorFromObject({ ...base, matchExpressions: [...(base.matchExpressions ?? []), ...extra] });
}

/** Placed pods with one namespace, label set and controller: how many on each node. */
interface PlacedGroup {
  readonly namespace: string;
  readonly labels: Labels;
  readonly ownerUid: string | undefined;
  readonly perNode: Map<number, number>;
}

/**
 * The placed pods, grouped (kept through observePlacement): PreFilter / PreScore walk groups, not
 * every placed pod. Pods being deleted are expected to be removed by the caller.
 */
export class PlacedIndex {
  readonly groups = new Map<string, PlacedGroup>();

  update(pod: PodInfo, node: number, sign: 1 | -1): void {
    const meta = pod.pod.metadata;
    const namespace = meta.namespace ?? 'default';
    const labels = meta.labels ?? {};
    const ownerUid = meta.ownerReferences?.[0]?.uid;
    const key = `${namespace}\u0000${ownerUid ?? ''}\u0000${JSON.stringify(labels)}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      if (sign < 0) return;
      g = { namespace, labels, ownerUid, perNode: new Map() };
      this.groups.set(key, g);
    }
    const n = (g.perNode.get(node) ?? 0) + sign;
    if (n > 0) g.perNode.set(node, n);
    else g.perNode.delete(node);
    if (g.perNode.size === 0) this.groups.delete(key);
  }
}

/**
 * Counts matching pods per domain for each constraint, over the eligible nodes (every constraint
 * key present, the pod's required node affinity matched). Reads topology values from the node
 * table (interned), so the per-pod cost is one pass over nodes and one over placed pods.
 */
function count(index: PlacedIndex, pod: PodInfo, ctx: PrepareContext, specs: readonly Spec[], selectors: readonly LabelSelector[], byOwner: string | undefined, withPerNode: boolean): {
  counts: Map<number, number>[];
  perNode: Map<number, number>[];
  eligible: Uint8Array;
} {
  const C = specs.length;
  const table = ctx.table;
  const size = table.highWater;
  const keyIds = specs.map((c) => ctx.intern.intern(c.topologyKey));
  const eligible = new Uint8Array(size);
  /** domainOf[i * size + node]: the node's interned value of constraint i's key. */
  const domainOf = new Int32Array(C * size);
  /** matching[i * size + node]: pods on the node matching constraint i. */
  const matching = new Int32Array(C * size);
  const spec = pod.pod.spec;
  const hasAffinity = (spec?.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0) || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  const nodes = ctx.nodes;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as number;
    let all = true;
    for (let i = 0; i < C; i++) {
      const v = table.labelValueOf(node, keyIds[i] as number);
      if (v < 0) {
        all = false;
        break;
      }
      domainOf[i * size + node] = v;
    }
    if (!all) continue;
    if (hasAffinity) {
      const obj = ctx.nodeObject(node);
      if (obj === undefined || !requiredNodeAffinityMatches(pod.pod, obj)) continue;
    }
    eligible[node] = 1;
  }
  const namespace = pod.pod.metadata.namespace ?? 'default';
  // Placed pods come in groups of one label set (a ReplicaSet's pods share theirs): the selector is
  // matched once per group, then the group's per-node counts are added.
  for (const g of index.groups.values()) {
    if (g.namespace !== namespace) continue;
    for (let i = 0; i < C; i++) {
      const matches = byOwner !== undefined ? g.ownerUid === byOwner : selectors[i]!.matches(g.labels);
      if (!matches) continue;
      const base = i * size;
      for (const [node, n] of g.perNode) if (node < size) matching[base + node] = (matching[base + node] as number) + n;
    }
  }
  const counts: Map<number, number>[] = [];
  const perNode: Map<number, number>[] = [];
  // Domains are summed in a small dense array: `slots` maps an interned value to its slot (reused
  // across calls, reset after), so the per-node loop does no Map work.
  const slots = domainSlots(ctx.strings.buffers.idsMax);
  for (let i = 0; i < C; i++) {
    const base = i * size;
    const values: number[] = [];
    const sums: number[] = [];
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n] as number;
      if (eligible[node] !== 1) continue;
      const d = domainOf[base + node] as number;
      let slot = slots[d] as number;
      if (slot < 0) {
        slot = slots[d] = values.length;
        values.push(d);
        sums.push(0);
      }
      sums[slot] = (sums[slot] as number) + (matching[base + node] as number);
    }
    const domains = new Map<number, number>();
    for (let k = 0; k < values.length; k++) {
      domains.set(values[k] as number, sums[k] as number);
      slots[values[k] as number] = -1;
    }
    counts.push(domains);
    // Per-node counts only where Score needs them (hostname constraints).
    const pn = new Map<number, number>();
    if (withPerNode && specs[i]!.topologyKey === labelHostname) {
      for (let n = 0; n < nodes.length; n++) {
        const node = nodes[n] as number;
        const m = matching[base + node] as number;
        if (m > 0) pn.set(node, m);
      }
    }
    perNode.push(pn);
  }
  return { counts, perNode, eligible };
}

let slotsCache = new Int32Array(0);

/** A value → slot array of -1s (see count), grown to the intern table's capacity. */
function domainSlots(idsMax: number): Int32Array {
  if (slotsCache.length < idsMax) slotsCache = new Int32Array(idsMax).fill(-1);
  return slotsCache;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, Refreshable {
  readonly name = names.PodTopologySpread;
  readonly nodeLocal = false;
  readonly normalization = 'spread';
  readonly reasons: readonly FilterReason[] = [
    { texts: [errReasonNodeLabelNotMatch], code: Code.UnschedulableAndUnresolvable },
    { texts: [errReasonConstraintsNotMatch], code: Code.Unschedulable },
  ];
  /** Owner: the main thread (observePlacement); workers never call PreFilter / PreScore. */
  readonly placed = new PlacedIndex();
  /** Owner: the main thread. Live DomainCounts by key (insertion order: oldest first) and by id. */
  private readonly trackersByKey = new Map<string, DomainCounts>();
  private readonly trackersById = new Map<number, DomainCounts>();
  /** The same, as an array: observePlacement walks it for every placement. */
  private trackers: DomainCounts[] = [];
  private nextTrackerId = 0;

  /** Keeps the index of placed pods and every live DomainCounts. */
  observePlacement(pod: PodInfo, node: number, sign: 1 | -1): boolean {
    this.placed.update(pod, node, sign);
    const trackers = this.trackers;
    for (let i = 0; i < trackers.length; i++) trackers[i]!.apply(pod, node, sign);
    return false;
  }

  /** The live DomainCounts for this key over the current node set, built (and registered) if needed. */
  private tracker(key: string, pod: PodInfo, ctx: PrepareContext, keyId: number, allKeyIds: readonly number[], selector: LabelSelector): DomainCounts {
    const found = this.trackersByKey.get(key);
    if (found !== undefined && found.nodes === ctx.nodes) return found;
    if (found !== undefined) this.drop(found);
    const t = buildDomainCounts(this.nextTrackerId++, key, this.placed, pod, ctx, keyId, allKeyIds, selector);
    this.trackersByKey.set(key, t);
    this.trackersById.set(t.id, t);
    this.trackers.push(t);
    while (this.trackersByKey.size > trackersMax) this.drop(this.trackersByKey.values().next().value as DomainCounts);
    return t;
  }

  private drop(t: DomainCounts): void {
    t.dead = true;
    this.trackersByKey.delete(t.key);
    this.trackersById.delete(t.id);
    this.trackers = this.trackers.filter((x) => x !== t);
  }

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const specs = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (specs.length === 0) return { status: skip };
    const podLabels = pod.pod.metadata.labels ?? {};
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const spec = pod.pod.spec;
    const allKeyIds = specs.map((c) => ctx.intern.intern(c.topologyKey));
    // Pods with the same namespace, selector (matchLabelKeys resolved), keys and node affinity share counts.
    const eligibility = JSON.stringify([allKeyIds, spec?.nodeSelector ?? null, spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null]);
    const compiled: Compiled[] = specs.map((c, i) => {
      const selector = selectorOf(c, podLabels);
      const labelKeys = (c.matchLabelKeys ?? []).map((k) => [k, podLabels[k] ?? null]);
      const key = JSON.stringify([namespace, c.labelSelector ?? null, labelKeys, c.topologyKey]) + eligibility;
      const t = this.tracker(key, pod, ctx, allKeyIds[i] as number, allKeyIds, selector);
      const minDomains = c.minDomains ?? 1;
      const counts = new Map<number, number>();
      for (let s = 0; s < t.values.length; s++) counts.set(t.values[s] as number, t.counts[s] as number);
      return {
        keyId: allKeyIds[i] as number,
        maxSkew: c.maxSkew,
        selfMatch: selector.matches(podLabels) ? 1 : 0,
        minMatch: t.minMatching(minDomains),
        minDomains,
        counts,
        perNode: undefined,
        weight: 0,
        trackerId: t.id,
        version: t.version,
      };
    });
    state.write(filterKey, compiled);
    return { status: success };
  }

  /**
   * Brings the Filter state up to date with its DomainCounts: a domain whose verdict flips (its
   * count crossed minMatch + maxSkew − self, or the minimum moved) hands its nodes to re-evaluate.
   * Score constraints (ScheduleAnyway) are not refreshed: the evaluation is rebuilt.
   */
  refresh(state: CycleState, _pod: PodInfo, ctx: PrepareContext, out: RefreshOut): boolean {
    if (state.read(scoreKey) !== undefined) return false;
    const constraints = state.read(filterKey);
    if (constraints === undefined) return true;
    out.failingReason = 1; // errReasonConstraintsNotMatch
    for (let k = 0; k < constraints.length; k++) {
      const c = constraints[k]!;
      const t = this.trackersById.get(c.trackerId);
      if (t === undefined || t.dead || t.nodes !== ctx.nodes) return false;
      if (c.version === t.version) continue;
      const min = t.minMatching(c.minDomains);
      if (min !== c.minMatch || t.version - c.version > changedRingSize) {
        for (let s = 0; s < t.values.length; s++) refreshSlot(c, t, s, min, out);
      } else {
        for (let v = c.version; v < t.version; v++) refreshSlot(c, t, t.changedSlots[v % changedRingSize] as number, min, out);
      }
      c.minMatch = min;
      c.version = t.version;
    }
    return true;
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const constraints = state.read(filterKey);
    if (constraints === undefined) return;
    const table = view.table;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      for (let k = 0; k < constraints.length; k++) {
        const c = constraints[k]!;
        const value = table.labelValueOf(node, c.keyId);
        if (value < 0) {
          verdicts[i] = reasonBase + 1;
          break;
        }
        if ((c.counts.get(value) ?? 0) + c.selfMatch - c.minMatch > c.maxSkew) {
          verdicts[i] = reasonBase + 2;
          break;
        }
      }
    }
  }

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    const specs = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (specs.length === 0) return skip;
    const podLabels = pod.pod.metadata.labels ?? {};
    const selectors = specs.map((c) => selectorOf(c, podLabels));
    const owner = pod.pod.metadata.ownerReferences?.[0]?.uid;
    const { counts, perNode, eligible } = count(this.placed, pod, ctx, specs, selectors, owner, true);
    let eligibleNodes = 0;
    for (const e of eligible) eligibleNodes += e;
    const compiled: Compiled[] = specs.map((c, i) => {
      const hostname = c.topologyKey === labelHostname;
      const size = hostname ? eligibleNodes : counts[i]!.size;
      return {
        keyId: ctx.intern.intern(c.topologyKey),
        maxSkew: c.maxSkew,
        selfMatch: 0,
        minMatch: 0,
        minDomains: 1,
        counts: counts[i]!,
        perNode: hostname ? perNode[i]! : undefined,
        weight: Math.log(size + 2),
        trackerId: -1,
        version: 0,
      };
    });
    state.write(scoreKey, compiled);
    return success;
  }

  score(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const constraints = state.read(scoreKey) ?? [];
    const table = view.table;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let score = 0;
      let ignored = false;
      for (let k = 0; k < constraints.length; k++) {
        const c = constraints[k]!;
        const value = table.labelValueOf(node, c.keyId);
        if (value < 0) {
          ignored = true;
          break;
        }
        const cnt = c.perNode !== undefined ? (c.perNode.get(node) ?? 0) : (c.counts.get(value) ?? 0);
        score += cnt * c.weight + (c.maxSkew - 1);
      }
      out[i] = ignored ? -1 : Math.round(score);
    }
  }
}

/**
 * Sets one domain's count to its tracker's; when its Filter verdict flips, its nodes go to
 * `failing` (they now fail) or `recheck` (they may pass now: every plugin must run).
 */
function refreshSlot(c: Compiled, t: DomainCounts, slot: number, min: number, out: RefreshOut): void {
  const value = t.values[slot] as number;
  const before = c.counts.get(value) ?? 0;
  const now = t.counts[slot] as number;
  const passedBefore = before + c.selfMatch - c.minMatch <= c.maxSkew;
  const passesNow = now + c.selfMatch - min <= c.maxSkew;
  c.counts.set(value, now);
  if (passedBefore === passesNow) return;
  const members = t.nodesOfSlot[slot]!;
  const list = passesNow ? out.recheck : out.failing;
  for (let i = 0; i < members.length; i++) list.push(members[i] as number);
}

export function newPodTopologySpread(): PodTopologySpread {
  return new PodTopologySpread();
}
