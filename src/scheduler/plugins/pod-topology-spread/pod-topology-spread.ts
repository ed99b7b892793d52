// PodTopologySpread (weight 2): spreads pods matching a selector across topology domains.
//
// Filter (whenUnsatisfiable: DoNotSchedule): for each constraint, on a node in domain d,
//   skew = matching pods in d + (1 if the pod matches its own selector) − min over domains
// must not exceed maxSkew (the minimum is 0 while fewer than minDomains domains exist). Nodes
// without a constraint's topology key are rejected as unresolvable.
// Score (ScheduleAnyway): Σ over constraints of count(d) · ln(domains + 2) + (maxSkew − 1), rounded;
// normalized as 100 · (max + min − s) / max (fewer matching pods → higher); nodes missing a key → 0.
// As kube-scheduler, a pod with an owner counts the pods of that owner (ownerReferences[0].uid)
// for scoring, and the hostname constraint counts per node.
//
// Default constraints (kube's PodTopologySpreadArgs): a pod with no constraints of its own gets
// `defaultConstraints` with the selector of the Services, ReplicationController, ReplicaSet or
// StatefulSet that select it (WorkloadCatalog.defaultSelector; none → no constraints). With
// defaultingType System (the default) they are kube-scheduler's: hostname maxSkew 3 and zone
// maxSkew 5, both ScheduleAnyway, and nodes missing a zone label are still scored by hostname.
//
// Domains count nodes that match the pod's nodeSelector / required affinity and carry every
// constraint's key (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore: the defaults). Pods counted
// are those bound or assumed, in the pod's namespace, not being deleted. Its result for a node
// depends on pods on other nodes (nodeLocal false), but a cached evaluation is not rebuilt per
// placement: DomainCounts keep each constraint's per-domain counts placement by placement, and
// refresh() hands back only the nodes of domains that changed (Filter: whose verdict flipped;
// Score: whose count moved).
//
// addPod / removePod (kube's PreFilterExtensions) count a nominated pod or a preemption victim in a
// cloned state's domain counts (copy-on-write), for that node's filter run only.
//
// Not done: the domain count of the score uses the nodes passing the pod's required node affinity
// rather than every filter (PreScore runs before Filter here).
import type { LabelSelector, Labels } from '../../../core/api/labels.js';
import { labelSelectorFromObject, validateLabelKey, type LabelSelectorObject } from '../../../core/api/labels.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { ConfigError, arrayArg, intArg, invalidValue, objectArg, onlyKeys, stringArg } from '../../framework/errors.js';
import type {
  FactoryHandle,
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
import type { WorkloadCatalog } from './workloads.js';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;
export const labelHostname = 'kubernetes.io/hostname';
export const labelZone = 'topology.kubernetes.io/zone';

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

/** A constraint of PodTopologySpreadArgs.defaultConstraints (no selector: it is deduced per pod). */
export interface DefaultConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: WhenUnsatisfiable;
}

export interface SpreadArgs {
  readonly defaultingType: 'System' | 'List';
  readonly defaultConstraints: readonly DefaultConstraint[];
}

/** kube-scheduler's systemDefaultConstraints (defaultingType System). */
export const systemDefaultConstraints: readonly DefaultConstraint[] = Object.freeze([
  { topologyKey: labelHostname, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: labelZone, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
]);

/**
 * One constraint, ready for Filter / Score (plain data: it travels to workers). `minMatch`,
 * `counts` and `version` are rewritten by refresh (main thread, between rounds: never while a
 * worker reads a copy).
 */
interface Compiled {
  readonly keyId: number;
  readonly maxSkew: number;
  /** Filter: 1 if the pod matches its own selector. */
  readonly selfMatch: number;
  /** Filter: the minimum matching count over domains (0 below minDomains). */
  minMatch: number;
  readonly minDomains: number;
  /** Matching pods per domain (interned topology value), or per node index when perNode. */
  readonly counts: Map<number, number>;
  /** Score, hostname key: counts are per node (kube scores the hostname constraint per node). */
  readonly perNode: boolean;
  /** Score: a node missing any constraint's key is ignored (score 0); false for system defaults. */
  readonly requireAll: boolean;
  readonly weight: number;
  /** The DomainCounts these counts come from, and its version they reflect. */
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
 *   slotOfNode[node] ─► slot ─► values[slot] (interned topology value, or the node when perNode),
 *                               counts[slot], nodesOfSlot[slot] (the domain's eligible nodes)
 *   changedSlots[v % changedRingSize] = the slot that version v → v+1 changed
 *
 * Pods match by `ownerUid` when set (scoring a pod that has an owner), else by namespace and
 * selector. Valid while the node set is the one it was built over: `nodes` is the scheduler's
 * live-node array, which is replaced whenever a node is added, updated or removed.
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
    readonly ownerUid: string | undefined,
    readonly slotOfNode: Int32Array,
    readonly values: Int32Array,
    readonly counts: Int32Array,
    /** Per slot its nodes; undefined when perNode (the slot's node is values[slot]). */
    readonly nodesOfSlot: readonly Int32Array[] | undefined,
    /** Eligible nodes (every required key, the pod's node affinity), with or without this key. */
    readonly eligible: number,
    /** Eligible nodes without this constraint's key (only when not every key is required). */
    readonly lacking: number,
  ) {}

  /** Counts a placement (sign 1) or its removal (-1) if the pod matches and the node is eligible. */
  apply(pod: PodInfo, node: number, sign: 1 | -1): void {
    if (node >= this.slotOfNode.length) return;
    const slot = this.slotOfNode[node] as number;
    if (slot < 0) return;
    const meta = pod.pod.metadata;
    if (this.ownerUid !== undefined) {
      if (meta.ownerReferences?.[0]?.uid !== this.ownerUid) return;
    } else if ((meta.namespace ?? 'default') !== this.namespace || !this.selector.matches(meta.labels ?? {})) return;
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

  /** Pushes the nodes of a slot. */
  pushNodes(slot: number, list: number[]): void {
    if (this.nodesOfSlot === undefined) {
      list.push(this.values[slot] as number);
      return;
    }
    const members = this.nodesOfSlot[slot]!;
    for (let i = 0; i < members.length; i++) list.push(members[i] as number);
  }
}

/** What a DomainCounts is built over. */
interface TrackerSpec {
  readonly keyId: number;
  /** Keys an eligible node must carry (every constraint's, or none for system defaults). */
  readonly requiredKeyIds: readonly number[];
  readonly selector: LabelSelector;
  readonly ownerUid: string | undefined;
  readonly perNode: boolean;
}

/** Builds a DomainCounts: eligible nodes, their domains, matching placed pods. */
function buildDomainCounts(id: number, key: string, index: PlacedIndex, pod: PodInfo, ctx: PrepareContext, spec: TrackerSpec): DomainCounts {
  const table = ctx.table;
  const size = table.highWater;
  const nodes = ctx.nodes;
  const slotOfNode = new Int32Array(size).fill(-1);
  const slots = domainSlots(ctx.strings.buffers.idsMax);
  const values: number[] = [];
  const members: number[][] = [];
  const podSpec = pod.pod.spec;
  const hasAffinity = (podSpec?.nodeSelector !== undefined && Object.keys(podSpec.nodeSelector).length > 0) || podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  const required = spec.requiredKeyIds;
  let eligible = 0;
  let lacking = 0;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as number;
    let all = true;
    for (let k = 0; k < required.length; k++) {
      if (table.labelValueOf(node, required[k] as number) < 0) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    if (hasAffinity) {
      const obj = ctx.nodeObject(node);
      if (obj === undefined || !requiredNodeAffinityMatches(pod.pod, obj)) continue;
    }
    eligible++;
    const d = table.labelValueOf(node, spec.keyId);
    if (d < 0) {
      lacking++;
      continue;
    }
    if (spec.perNode) {
      slotOfNode[node] = values.length;
      values.push(node);
      continue;
    }
    let slot = slots[d] as number;
    if (slot < 0) {
      slot = slots[d] = values.length;
      values.push(d);
      members.push([]);
    }
    slotOfNode[node] = slot;
    members[slot]!.push(node);
  }
  if (!spec.perNode) for (const v of values) slots[v] = -1;
  const counts = new Int32Array(values.length);
  const namespace = pod.pod.metadata.namespace ?? 'default';
  for (const g of index.groups.values()) {
    if (spec.ownerUid !== undefined ? g.ownerUid !== spec.ownerUid : g.namespace !== namespace || !spec.selector.matches(g.labels)) continue;
    for (const [node, n] of g.perNode) {
      const slot = node < size ? (slotOfNode[node] as number) : -1;
      if (slot >= 0) counts[slot] = (counts[slot] as number) + n;
    }
  }
  const nodesOfSlot = spec.perNode ? undefined : members.map((m) => Int32Array.from(m));
  return new DomainCounts(id, key, nodes, namespace, spec.selector, spec.ownerUid, slotOfNode, Int32Array.from(values), counts, nodesOfSlot, eligible, lacking);
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

// Constraint selectors compiled, by selectorKey (bounded: cleared when full).
const compiledSelectors = new Map<string, LabelSelector>();
const compiledSelectorsMax = 4096;

/** A constraint of the pod or a default one, its selector resolved. */
interface Resolved {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly minDomains: number;
  readonly selector: LabelSelector;
  /** Names the selector in tracker keys. */
  readonly selectorKey: string;
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

let slotsCache = new Int32Array(0);

/** A value → slot array of -1s (see buildDomainCounts), grown to the intern table's capacity. */
function domainSlots(idsMax: number): Int32Array {
  if (slotsCache.length < idsMax) slotsCache = new Int32Array(idsMax).fill(-1);
  return slotsCache;
}

/** The eligibility part of a tracker key: required keys and the pod's node affinity. */
function eligibilityKey(pod: PodInfo, requiredKeyIds: readonly number[]): string {
  const spec = pod.pod.spec;
  return JSON.stringify([requiredKeyIds, spec?.nodeSelector ?? null, spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null]);
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
  private readonly defaultConstraints: readonly DefaultConstraint[];
  /** defaultingType System: nodes lacking a default constraint's key are still scored. */
  private readonly systemDefaulted: boolean;
  /** Scratch of refresh: the slots changed since a state's version (deduplicated). */
  private readonly changed = new Set<number>();

  constructor(
    args: SpreadArgs = { defaultingType: 'System', defaultConstraints: [] },
    /** Where default constraints find the pod's Services and controllers; none: no defaults apply. */
    private readonly workloads?: WorkloadCatalog,
  ) {
    this.systemDefaulted = args.defaultingType === 'System';
    this.defaultConstraints = this.systemDefaulted ? systemDefaultConstraints : args.defaultConstraints;
  }

  /** Keeps the index of placed pods and every live DomainCounts. */
  observePlacement(pod: PodInfo, node: number, sign: 1 | -1): boolean {
    this.placed.update(pod, node, sign);
    const trackers = this.trackers;
    for (let i = 0; i < trackers.length; i++) trackers[i]!.apply(pod, node, sign);
    return false;
  }

  /**
   * The pod's constraints with `action` (kube's filterTopologySpreadConstraints), or, when it has
   * none of its own at all, the default ones with the selector of its Services and controller
   * (buildDefaultConstraints). `own` tells which.
   */
  constraintsOf(pod: PodInfo, action: WhenUnsatisfiable): { readonly list: readonly Resolved[]; readonly own: boolean } {
    const ownList = pod.pod.spec?.topologySpreadConstraints ?? [];
    const podLabels = pod.pod.metadata.labels ?? {};
    if (ownList.length > 0) {
      const list: Resolved[] = [];
      for (const c of ownList) {
        if (c.whenUnsatisfiable !== action) continue;
        const labelKeys = (c.matchLabelKeys ?? []).map((k) => [k, podLabels[k] ?? null]);
        const selectorKey = JSON.stringify([c.labelSelector ?? null, labelKeys]);
        // The key names the selector (matchLabelKeys resolved): compiled once per distinct one.
        let selector = compiledSelectors.get(selectorKey);
        if (selector === undefined) {
          selector = selectorOf(c, podLabels);
          if (compiledSelectors.size >= compiledSelectorsMax) compiledSelectors.clear();
          compiledSelectors.set(selectorKey, selector);
        }
        list.push({ topologyKey: c.topologyKey, maxSkew: c.maxSkew, minDomains: c.minDomains ?? 1, selector, selectorKey });
      }
      return { list, own: true };
    }
    const defaults = this.defaultConstraints.filter((c) => c.whenUnsatisfiable === action);
    if (defaults.length === 0 || this.workloads === undefined) return { list: [], own: false };
    const selector = this.workloads.defaultSelector(pod.pod);
    if (selector.empty) return { list: [], own: false };
    const selectorKey = `default:${selector.toString()}`;
    return { list: defaults.map((c) => ({ topologyKey: c.topologyKey, maxSkew: c.maxSkew, minDomains: 1, selector, selectorKey })), own: false };
  }

  /** The live DomainCounts for this key over the current node set, built (and registered) if needed. */
  private tracker(key: string, pod: PodInfo, ctx: PrepareContext, spec: TrackerSpec): DomainCounts {
    const found = this.trackersByKey.get(key);
    if (found !== undefined && found.nodes === ctx.nodes) return found;
    if (found !== undefined) this.drop(found);
    const t = buildDomainCounts(this.nextTrackerId++, key, this.placed, pod, ctx, spec);
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
    const { list } = this.constraintsOf(pod, 'DoNotSchedule');
    if (list.length === 0) return { status: skip };
    const podLabels = pod.pod.metadata.labels ?? {};
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const allKeyIds = list.map((c) => ctx.intern.intern(c.topologyKey));
    // Pods with the same namespace, selector (matchLabelKeys resolved), keys and node affinity share counts.
    const eligibility = eligibilityKey(pod, allKeyIds);
    const compiled: Compiled[] = list.map((c, i) => {
      const keyId = allKeyIds[i] as number;
      const key = JSON.stringify(['filter', namespace, c.selectorKey, c.topologyKey]) + eligibility;
      const t = this.tracker(key, pod, ctx, { keyId, requiredKeyIds: allKeyIds, selector: c.selector, ownerUid: undefined, perNode: false });
      const counts = new Map<number, number>();
      for (let s = 0; s < t.values.length; s++) counts.set(t.values[s] as number, t.counts[s] as number);
      return {
        keyId,
        maxSkew: c.maxSkew,
        selfMatch: c.selector.matches(podLabels) ? 1 : 0,
        minMatch: t.minMatching(c.minDomains),
        minDomains: c.minDomains,
        counts,
        perNode: false,
        requireAll: true,
        weight: 0,
        trackerId: t.id,
        version: t.version,
      };
    });
    state.write(filterKey, compiled);
    return { status: success };
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: number): void {
    this.updateWithPod(state, pod, other, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: number): void {
    this.updateWithPod(state, pod, other, node, -1);
  }

  /**
   * kube's preFilterState.updateWithPod on a cloned state: `other`, in the pod's namespace and
   * matching a constraint's selector, counts (sign) in the domain of `node` when the node is
   * eligible (every constraint's key, the pod's node affinity); the minimum is recomputed.
   */
  private updateWithPod(state: CycleState, pod: PodInfo, other: PodInfo, node: number, sign: 1 | -1): void {
    const shared = state.read(filterKey);
    if (shared === undefined) return;
    if ((other.pod.metadata.namespace ?? 'default') !== (pod.pod.metadata.namespace ?? 'default')) return;
    let list = shared;
    const labels = other.pod.metadata.labels ?? {};
    for (let k = 0; k < list.length; k++) {
      const c = list[k]!;
      const t = this.trackersById.get(c.trackerId);
      if (t === undefined || node >= t.slotOfNode.length) continue;
      const slot = t.slotOfNode[node] as number;
      if (slot < 0 || !t.selector.matches(labels)) continue;
      if (!state.owns(filterKey)) {
        list = shared.map((x) => ({ ...x, counts: new Map(x.counts) }));
        state.write(filterKey, list);
      }
      const mine = list[k]!;
      const value = t.values[slot] as number;
      mine.counts.set(value, (mine.counts.get(value) ?? 0) + sign);
      let min = Number.POSITIVE_INFINITY;
      for (const n of mine.counts.values()) if (n < min) min = n;
      mine.minMatch = mine.counts.size < mine.minDomains || min === Number.POSITIVE_INFINITY ? 0 : min;
    }
  }

  /**
   * Brings the Filter and Score states up to date with their DomainCounts. Filter: a domain whose
   * verdict flips (its count crossed minMatch + maxSkew − self, or the minimum moved) hands its
   * nodes to `failing` or `recheck`. Score: a domain whose count moved hands its nodes to
   * `recheck` (their raw scores changed). Idempotent: the scheduler calls it once per point.
   */
  refresh(state: CycleState, _pod: PodInfo, ctx: PrepareContext, out: RefreshOut): boolean {
    const constraints = state.read(filterKey);
    if (constraints !== undefined) {
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
    }
    const scored = state.read(scoreKey);
    if (scored === undefined) return true;
    let behind = false;
    for (let k = 0; k < scored.length; k++) {
      const c = scored[k]!;
      const t = this.trackersById.get(c.trackerId);
      if (t === undefined || t.dead || t.nodes !== ctx.nodes) return false;
      if (c.version !== t.version) behind = true;
    }
    if (!behind) return true;
    // With hard constraints too, the Filter pass may resume a suspended node with its old scores
    // before the Score pass names it: rebuild instead (pods rarely carry both kinds).
    if (constraints !== undefined) return false;
    for (let k = 0; k < scored.length; k++) {
      const c = scored[k]!;
      const t = this.trackersById.get(c.trackerId)!;
      if (c.version === t.version) continue;
      const changed = this.changed;
      changed.clear();
      if (t.version - c.version > changedRingSize) for (let s = 0; s < t.values.length; s++) changed.add(s);
      else for (let v = c.version; v < t.version; v++) changed.add(t.changedSlots[v % changedRingSize] as number);
      for (const s of changed) {
        const now = t.counts[s] as number;
        const value = t.values[s] as number;
        if ((c.counts.get(value) ?? 0) === now) continue;
        c.counts.set(value, now);
        t.pushNodes(s, out.recheck);
      }
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
    const { list, own } = this.constraintsOf(pod, 'ScheduleAnyway');
    if (list.length === 0) return skip;
    // kube: only non-system-default rules require every topology key, so nodes without a zone
    // label still get hostname spreading.
    const requireAll = own || !this.systemDefaulted;
    const keyIds = list.map((c) => ctx.intern.intern(c.topologyKey));
    const required = requireAll ? keyIds : [];
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const owner = pod.pod.metadata.ownerReferences?.[0]?.uid;
    const eligibility = eligibilityKey(pod, required);
    const compiled: Compiled[] = list.map((c, i) => {
      const keyId = keyIds[i] as number;
      const perNode = c.topologyKey === labelHostname;
      const matching = owner !== undefined ? ['owner', owner] : ['selector', namespace, c.selectorKey];
      const key = JSON.stringify(['score', matching, c.topologyKey, perNode]) + eligibility;
      const t = this.tracker(key, pod, ctx, { keyId, requiredKeyIds: required, selector: c.selector, ownerUid: owner, perNode });
      const counts = new Map<number, number>();
      for (let s = 0; s < t.values.length; s++) if ((t.counts[s] as number) !== 0) counts.set(t.values[s] as number, t.counts[s] as number);
      // kube's topologyNormalizingWeight: nodes for hostname; otherwise distinct values, where
      // nodes lacking the key make one more ("") domain.
      const size = perNode ? t.eligible : t.values.length + (t.lacking > 0 ? 1 : 0);
      return {
        keyId,
        maxSkew: c.maxSkew,
        selfMatch: 0,
        minMatch: 0,
        minDomains: 1,
        counts,
        perNode,
        requireAll,
        weight: Math.log(size + 2),
        trackerId: t.id,
        version: t.version,
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
          if (!c.requireAll) continue;
          ignored = true;
          break;
        }
        const cnt = c.counts.get(c.perNode ? node : value) ?? 0;
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
  const members = t.nodesOfSlot?.[slot];
  // A zone's nodes are handed over as its node list (thousands of them, no copy).
  if (members !== undefined) (passesNow ? out.recheckSets : out.failingSets).push(members);
  else t.pushNodes(slot, passesNow ? out.recheck : out.failing);
}

const whenUnsatisfiableValues: readonly string[] = ['DoNotSchedule', 'ScheduleAnyway'];

/** Parses PodTopologySpreadArgs ({ defaultConstraints, defaultingType }) with kube-scheduler's validation. */
export function parseSpreadArgs(raw: unknown, field: string): SpreadArgs {
  const o = objectArg(raw, field) ?? {};
  onlyKeys(o, field, ['defaultConstraints', 'defaultingType']);
  // v1 defaulting: an unset defaultingType is System.
  const type = stringArg(o['defaultingType'], `${field}.defaultingType`) ?? 'System';
  if (type !== 'System' && type !== 'List') throw new ConfigError(`${field}.defaultingType`, `Unsupported value: "${type}": supported values: "List", "System"`);
  const list = arrayArg(o['defaultConstraints'], `${field}.defaultConstraints`) ?? [];
  if (type === 'System' && list.length > 0) throw invalidValue(`${field}.defaultingType`, type, 'when .defaultConstraints are not empty');
  const constraints: DefaultConstraint[] = [];
  for (const [i, item] of list.entries()) {
    const f = `${field}.defaultConstraints[${i}]`;
    const c = objectArg(item, f) ?? {};
    onlyKeys(c, f, ['maxSkew', 'topologyKey', 'whenUnsatisfiable', 'labelSelector', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy', 'matchLabelKeys']);
    const maxSkew = intArg(c['maxSkew'], `${f}.maxSkew`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? 0;
    if (maxSkew <= 0) throw invalidValue(`${f}.maxSkew`, maxSkew, 'not in valid range (0, inf)');
    const topologyKey = stringArg(c['topologyKey'], `${f}.topologyKey`) ?? '';
    if (topologyKey === '') throw new ConfigError(`${f}.topologyKey`, 'Required value: can not be empty');
    const keyErrs = validateLabelKey(topologyKey);
    if (keyErrs.length > 0) throw invalidValue(`${f}.topologyKey`, topologyKey, keyErrs[0]!);
    const when = stringArg(c['whenUnsatisfiable'], `${f}.whenUnsatisfiable`) ?? '';
    if (when === '') throw new ConfigError(`${f}.whenUnsatisfiable`, 'Required value: can not be empty');
    if (!whenUnsatisfiableValues.includes(when)) throw new ConfigError(`${f}.whenUnsatisfiable`, `Unsupported value: "${when}": supported values: "DoNotSchedule", "ScheduleAnyway"`);
    if (c['labelSelector'] !== undefined && c['labelSelector'] !== null) throw new ConfigError(`${f}.labelSelector`, 'Forbidden: constraint must not define a selector, as they deduced for each pod');
    if (constraints.some((p) => p.topologyKey === topologyKey && p.whenUnsatisfiable === when)) {
      throw new ConfigError(`${field}.defaultConstraints[${i}]`, `Duplicate value: "{${topologyKey}, ${when}}"`);
    }
    constraints.push({ maxSkew, topologyKey, whenUnsatisfiable: when as WhenUnsatisfiable });
  }
  return { defaultingType: type, defaultConstraints: constraints };
}

export function newPodTopologySpread(args?: unknown, field = 'args', handle?: FactoryHandle & { readonly workloads?: WorkloadCatalog }): PodTopologySpread {
  return new PodTopologySpread(parseSpreadArgs(args, field), handle?.workloads);
}

