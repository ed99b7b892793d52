// InterPodAffinity (weight 2): pod affinity and anti-affinity, as kube-scheduler's interpodaffinity.
//
// Filter, from counts PreFilter takes over every placed pod, per topology pair (key, value):
//   affinity       every required term's key is on the node and some placed pod matching the term
//                  sits in the node's domain; or no placed pod matches any term and the pod matches
//                  all its own terms (the first pod of a group) — else UnschedulableAndUnresolvable
//                  "node(s) didn't match pod affinity rules";
//   anti-affinity  no placed pod matching a required anti term sits in the node's domain — else
//                  "node(s) didn't match pod anti-affinity rules";
//   existing       no placed pod whose required anti term matches this pod sits in a domain of any of
//                  the node's labels — else "node(s) didn't satisfy existing pods anti-affinity rules".
// Score: Σ over the node's topology pairs of: the pod's preferred terms matched by placed pods
// (± weight), placed pods' required affinity terms matching the pod (hardPodAffinityWeight) and their
// preferred terms matching the pod (± weight); normalized min-max over the feasible nodes.
//
// A term selects pods by labelSelector (null matches nothing) in its namespaces: the listed ones, those
// whose labels match namespaceSelector ({} = all), or the pod's own when neither is set. Namespace
// labels are not listed here (library mode has no Namespace objects): a namespace carries only the
// label the API server always sets, kubernetes.io/metadata.name.
//
// Results depend on pods on other nodes: nodeLocal is false; and placing a pod with affinity terms
// changes other pods' results (observePlacement says so), so the scheduler rebuilds evaluations then.
// Placed pods are indexed by the terms they carry and by label set (PlacedIndex), kept up to date
// through observePlacement: a PreFilter walks groups, not every placed pod. addPod / removePod
// (kube's PreFilterExtensions) update a cloned state for nominated pods and preemption victims.
import type { LabelSelector, Labels } from '../../../core/api/labels.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import type { Pod } from '../../../core/api/types.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { ConfigError, intArg, invalidValue, objectArg, onlyKeys } from '../../framework/errors.js';
import type {
  AssignedPod,
  FilterPlugin,
  FilterReason,
  NodeView,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  PrepareContext,
  ScorePlugin,
} from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, skip, success, type Status } from '../../framework/status.js';
import type { InternTable } from '../../workers/intern.js';
import type { NodeTable } from '../../workers/node-table.js';

export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const labelNamespaceName = 'kubernetes.io/metadata.name';

/**
 * One affinity term, compiled. Main thread only (selectors are objects). Pods of one template share
 * the same term objects, so a PreFilter over thousands of placed pods matches each distinct term
 * against the incoming pod once (the memo fields).
 */
export class AffinityTerm {
  /** Memo, valid for one pod object: whether this term matches `memoPod`. */
  private memoPod: Pod | undefined = undefined;
  private memoResult = false;
  /** Memo: the interned id of topologyKey in `internRef`. */
  private internRef: InternTable | undefined = undefined;
  private keyIdMemo = -1;

  constructor(
    readonly topologyKey: string,
    readonly selector: LabelSelector,
    /** Namespaces listed, or the pod's own when neither namespaces nor namespaceSelector is set. */
    readonly namespaces: ReadonlySet<string>,
    /** undefined when namespaceSelector is not set (matches no namespace). */
    readonly namespaceSelector: LabelSelector | undefined,
    /** Preferred terms: the weight; required: 1. */
    readonly weight: number,
  ) {}

  /** termMatches(this, pod), remembered for the last pod asked about. */
  matchesMemo(pod: Pod): boolean {
    if (this.memoPod !== pod) {
      this.memoPod = pod;
      this.memoResult = termMatches(this, pod);
    }
    return this.memoResult;
  }

  keyId(intern: InternTable): number {
    if (this.internRef !== intern) {
      this.internRef = intern;
      this.keyIdMemo = intern.intern(this.topologyKey);
    }
    return this.keyIdMemo;
  }
}

export interface PodTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAnti: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAnti: readonly AffinityTerm[];
  /** Any term at all (kube's PodsWithAffinity). */
  readonly any: boolean;
}

type PodAffinityTermSpec = NonNullable<NonNullable<NonNullable<NonNullable<Pod['spec']>['affinity']>['podAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>[number];

// Distinct terms by content, shared by the pods that carry them (bounded; beyond it, not shared).
const sharedTerms = new Map<string, AffinityTerm>();
const sharedTermsMax = 16_384;

function compileTerm(namespace: string, t: PodAffinityTermSpec, weight: number): AffinityTerm {
  const key = JSON.stringify([namespace, weight, t]);
  const shared = sharedTerms.get(key);
  if (shared !== undefined) return shared;
  const listed = t.namespaces ?? [];
  const nsSel = t.namespaceSelector;
  const term = new AffinityTerm(
    t.topologyKey,
    labelSelectorFromObject((t.labelSelector ?? null) as LabelSelectorObject | null),
    new Set(listed.length === 0 && nsSel === undefined ? [namespace] : listed),
    nsSel === undefined ? undefined : labelSelectorFromObject((nsSel ?? null) as LabelSelectorObject | null),
    weight,
  );
  if (sharedTerms.size < sharedTermsMax) sharedTerms.set(key, term);
  return term;
}

// Placed pods by label set (namespace and labels): the incoming pod's terms are matched once per set.
const labelSetIds = new Map<string, number>();
const labelSetOf = new WeakMap<Pod, number>();
const labelSetsMax = 65_536;

/** A small id shared by pods with the same namespace and labels, or -1 past the bound. */
function labelSetId(pod: Pod): number {
  let id = labelSetOf.get(pod);
  if (id !== undefined) return id;
  const key = `${pod.metadata.namespace ?? 'default'}\u0000${JSON.stringify(pod.metadata.labels ?? {})}`;
  id = labelSetIds.get(key);
  if (id === undefined) {
    id = labelSetIds.size < labelSetsMax ? labelSetIds.size : -1;
    if (id >= 0) labelSetIds.set(key, id);
  }
  labelSetOf.set(pod, id);
  return id;
}

const noTerms: PodTerms = Object.freeze({ requiredAffinity: [], requiredAnti: [], preferredAffinity: [], preferredAnti: [], any: false });

// Pods are immutable once handed to the scheduler: their compiled terms are kept by identity.
const termsCache = new WeakMap<Pod, PodTerms>();

/** The pod's affinity terms, compiled once per pod object. */
export function podTerms(pod: Pod): PodTerms {
  const a = pod.spec?.affinity;
  if (a === undefined || (a.podAffinity === undefined && a.podAntiAffinity === undefined)) return noTerms;
  let t = termsCache.get(pod);
  if (t !== undefined) return t;
  const ns = pod.metadata.namespace ?? 'default';
  const requiredAffinity = (a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => compileTerm(ns, x, 1));
  const requiredAnti = (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => compileTerm(ns, x, 1));
  const preferredAffinity = (a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => compileTerm(ns, x.podAffinityTerm, x.weight));
  const preferredAnti = (a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => compileTerm(ns, x.podAffinityTerm, x.weight));
  const any = requiredAffinity.length + requiredAnti.length + preferredAffinity.length + preferredAnti.length > 0;
  t = { requiredAffinity, requiredAnti, preferredAffinity, preferredAnti, any };
  termsCache.set(pod, t);
  return t;
}

const nsLabelsCache = new Map<string, Labels>();

/** A namespace's labels as far as the scheduler knows them (see the note at the top). */
function namespaceLabels(namespace: string): Labels {
  let l = nsLabelsCache.get(namespace);
  if (l === undefined) {
    l = Object.freeze({ [labelNamespaceName]: namespace });
    if (nsLabelsCache.size < 4096) nsLabelsCache.set(namespace, l);
  }
  return l;
}

/** kube's AffinityTerm.Matches: the pod is in one of the term's namespaces and matches its selector. */
export function termMatches(term: AffinityTerm, pod: Pod): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns) && (term.namespaceSelector === undefined || !term.namespaceSelector.matches(namespaceLabels(ns)))) return false;
  return term.selector.matches(pod.metadata.labels ?? {});
}

/** kube's podMatchesAllAffinityTerms: false for no terms. */
function matchesAll(terms: readonly AffinityTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod)) return false;
  return true;
}

/** Counts per topology value (interned ids) of one term's key. Plain data: it travels to workers. */
interface TermCounts {
  readonly keyId: number;
  readonly counts: Map<number, number>;
}

/**
 * The values (interned ids) of a topology key whose domains hold a matching pod, as a bitset over
 * value ids: bit v of bits[v >>> 5]. Plain data (it travels to workers); a few KiB for thousands of
 * hostnames.
 */
interface Domains {
  readonly keyId: number;
  readonly bits: Uint32Array;
}

function hasDomain(bits: Uint32Array, v: number): boolean {
  const w = v >>> 5;
  return w < bits.length && (((bits[w] as number) >>> (v & 31)) & 1) === 1;
}

function setDomain(bits: Uint32Array, v: number): void {
  bits[v >>> 5] = (bits[v >>> 5] as number) | (1 << (v & 31));
}

/** A bitset able to hold every value id interned so far. */
function newDomains(intern: InternTable): Uint32Array {
  return new Uint32Array(((intern.size + 1) >>> 5) + 1);
}

interface FilterState {
  readonly affinity: readonly Domains[];
  /** No placed pod matches any required affinity term (len(affinityCounts) == 0 in kube). */
  readonly affinityNoneMatched: boolean;
  /** The pod matches all its own required affinity terms (the first-pod exception). */
  readonly selfMatchesAll: boolean;
  readonly anti: readonly Domains[];
  /** Existing pods' anti-affinity: per topology key, the values where this pod may not go. */
  readonly existing: readonly Domains[];
}

interface ScoreState {
  /** Per topology key, the summed score of each value. */
  readonly topology: readonly TermCounts[];
}

const filterKey = stateKey<FilterState>('PreFilterInterPodAffinity');
const scoreKey = stateKey<ScoreState>('PreScoreInterPodAffinity');

function bump(list: TermCounts[], keyId: number, valueId: number, by: number): void {
  let entry: TermCounts | undefined;
  for (const e of list) if (e.keyId === keyId) entry = e;
  if (entry === undefined) list.push((entry = { keyId, counts: new Map() }));
  entry.counts.set(valueId, (entry.counts.get(valueId) ?? 0) + by);
}

export interface InterPodAffinityArgs {
  /** Weight of placed pods' required affinity terms in the score (kube's default 1; [0, 100]). */
  readonly hardPodAffinityWeight: number;
  /** Skip scoring placed pods' preferred terms when the pod has none of its own. */
  readonly ignorePreferredTermsOfExistingPods: boolean;
}

export function parseInterPodAffinityArgs(args: unknown, field: string): InterPodAffinityArgs {
  const o = objectArg(args, field) ?? {};
  onlyKeys(o, field, ['apiVersion', 'kind', 'hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
  const w = intArg(o['hardPodAffinityWeight'], `${field}.hardPodAffinityWeight`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  // kube's ValidateInterPodAffinityArgs wording.
  if (w !== undefined && (w < 0 || w > 100)) throw new ConfigError(`${field}.hardPodAffinityWeight`, `Invalid value: ${w}: not in valid range [0-100]`);
  const ignore = o['ignorePreferredTermsOfExistingPods'];
  if (ignore !== undefined && typeof ignore !== 'boolean') throw invalidValue(`${field}.ignorePreferredTermsOfExistingPods`, ignore, 'must be a boolean');
  return { hardPodAffinityWeight: w ?? 1, ignorePreferredTermsOfExistingPods: ignore === true };
}

function valueOf(table: NodeTable, node: number, keyId: number): number {
  return keyId < 0 ? -1 : table.labelValueOf(node, keyId);
}

/** Placed pods of one group (a label set, or carriers of one term): how many on each node. */
interface Group {
  /** A member: every member matches the same terms (same namespace and labels). */
  readonly rep: Pod;
  readonly perNode: Map<number, number>;
}

function addToGroup(perNode: Map<number, number>, node: number, sign: 1 | -1): void {
  const n = (perNode.get(node) ?? 0) + sign;
  if (n <= 0) perNode.delete(node);
  else perNode.set(node, n);
}

/**
 * The placed pods as InterPodAffinity needs them (kube-scheduler's NodeInfo.PodsWithAffinity and
 * friends): the terms placed pods carry, by role, with where their carriers sit; and, built on first
 * need, every placed pod by label set. Kept up to date by observePlacement on the main thread, so a
 * PreFilter costs O(groups × nodes holding them) instead of O(placed pods).
 */
class PlacedIndex {
  /** By role (RoleRequiredAnti…): term → node → carriers. */
  readonly roles: readonly Map<AffinityTerm, Map<number, number>>[] = [new Map(), new Map(), new Map(), new Map()];
  /** Every placed pod by label-set id; undefined until an incoming pod has terms of its own. */
  labelSets: Map<number, Group> | undefined = undefined;
  /** Pods past the label-set bound: a group each. */
  readonly loose = new Map<Pod, Group>();
  /**
   * Per group (its perNode map) and topology key: carriers per domain value, built on first query
   * and kept with the group; all dropped when the node set or a node's labels change (a new
   * ctx.nodes array). Turns "every node holding a group" into "every domain" (one zone, not 5000 nodes).
   */
  private valueCache = new Map<Map<number, number>, Map<number, Map<number, number>>>();
  private nodesRef: Int32Array | undefined = undefined;
  private table: NodeTable | undefined = undefined;

  private bumpNode(perNode: Map<number, number>, node: number, sign: 1 | -1): void {
    addToGroup(perNode, node, sign);
    const byKey = this.valueCache.get(perNode);
    if (byKey === undefined || this.table === undefined) return;
    for (const [keyId, values] of byKey) {
      const v = this.table.labelValueOf(node, keyId);
      if (v >= 0) addToGroup(values, v, sign);
    }
  }

  /** Carriers of a group per value of `keyId` (nodes without the key left out). Valid until the next add. */
  domains(perNode: Map<number, number>, keyId: number, ctx: PrepareContext): ReadonlyMap<number, number> {
    if (this.nodesRef !== ctx.nodes || this.table !== ctx.table) {
      this.valueCache = new Map();
      this.nodesRef = ctx.nodes;
      this.table = ctx.table;
    }
    let byKey = this.valueCache.get(perNode);
    if (byKey === undefined) this.valueCache.set(perNode, (byKey = new Map()));
    let values = byKey.get(keyId);
    if (values === undefined) {
      values = new Map();
      for (const [node, n] of perNode) {
        const v = ctx.table.labelValueOf(node, keyId);
        if (v >= 0) values.set(v, (values.get(v) ?? 0) + n);
      }
      byKey.set(keyId, values);
    }
    return values;
  }

  add(pod: Pod, node: number, sign: 1 | -1): void {
    if (this.labelSets !== undefined) this.addToLabelSet(pod, node, sign);
    const t = podTerms(pod);
    if (!t.any) return;
    this.addTerms(RoleRequiredAnti, t.requiredAnti, node, sign);
    this.addTerms(RoleRequiredAffinity, t.requiredAffinity, node, sign);
    this.addTerms(RolePreferredAffinity, t.preferredAffinity, node, sign);
    this.addTerms(RolePreferredAnti, t.preferredAnti, node, sign);
  }

  private addTerms(role: number, terms: readonly AffinityTerm[], node: number, sign: 1 | -1): void {
    const byTerm = this.roles[role]!;
    for (const term of terms) {
      let perNode = byTerm.get(term);
      if (perNode === undefined) byTerm.set(term, (perNode = new Map()));
      this.bumpNode(perNode, node, sign);
    }
  }

  private addToLabelSet(pod: Pod, node: number, sign: 1 | -1): void {
    const id = labelSetId(pod);
    if (id < 0) {
      let g = this.loose.get(pod);
      if (g === undefined) this.loose.set(pod, (g = { rep: pod, perNode: new Map() }));
      this.bumpNode(g.perNode, node, sign);
      if (g.perNode.size === 0) {
        this.loose.delete(pod);
        this.valueCache.delete(g.perNode);
      }
      return;
    }
    const sets = this.labelSets!;
    let g = sets.get(id);
    if (g === undefined) sets.set(id, (g = { rep: pod, perNode: new Map() }));
    this.bumpNode(g.perNode, node, sign);
  }

  /** Builds the label-set groups from the placed pods, once. */
  ensureLabelSets(placed: Iterable<AssignedPod>): void {
    if (this.labelSets !== undefined) return;
    this.labelSets = new Map();
    for (const a of placed) this.addToLabelSet(a.info.pod, a.node, 1);
  }

  *groups(): Iterable<Group> {
    yield* this.labelSets!.values();
    yield* this.loose.values();
  }

  static of(placed: Iterable<AssignedPod>): PlacedIndex {
    const index = new PlacedIndex();
    for (const a of placed) index.add(a.info.pod, a.node, 1);
    return index;
  }
}

const RoleRequiredAnti = 0;
const RoleRequiredAffinity = 1;
const RolePreferredAffinity = 2;
const RolePreferredAnti = 3;

/** Sums per topology pair for Score, coalescing runs of the same pair (main-thread scratch). */
class TopologyScores {
  readonly list: TermCounts[] = [];
  private lastKey = -1;
  private lastValue = -1;
  private pending = 0;

  add(keyId: number, valueId: number, weight: number): void {
    if (keyId === this.lastKey && valueId === this.lastValue) {
      this.pending += weight;
      return;
    }
    this.flush();
    this.lastKey = keyId;
    this.lastValue = valueId;
    this.pending = weight;
  }

  flush(): void {
    if (this.lastKey >= 0) bump(this.list, this.lastKey, this.lastValue, this.pending);
    this.lastKey = -1;
    this.pending = 0;
  }
}

/** What-if copies of a FilterState: the counts behind the bits they changed, by `term:value`. */
const whatIfCounts = new WeakMap<FilterState, Map<string, number>>();

/**
 * Adds `sign` to the count of domain v behind bitset d of a what-if state (first taken from the
 * placed pods, `placed`), and sets or clears its bit to match.
 */
function setPresence(s: FilterState, d: Domains, key: string, v: number, sign: 1 | -1, placed: () => number): void {
  const counts = whatIfCounts.get(s)!;
  let n = counts.get(key);
  if (n === undefined) n = placed();
  n += sign;
  counts.set(key, n);
  if (v >>> 5 >= d.bits.length) {
    if (n <= 0) return;
    const grown = new Uint32Array((v >>> 5) + 1);
    grown.set(d.bits);
    (d as { bits: Uint32Array }).bits = grown;
  }
  if (n > 0) setDomain(d.bits, v);
  else d.bits[v >>> 5] = (d.bits[v >>> 5] as number) & ~(1 << (v & 31));
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = names.InterPodAffinity;
  readonly nodeLocal = false;
  readonly normalization = 'minMax';
  readonly reasons: readonly FilterReason[] = [
    { texts: [errReasonAffinityRulesNotMatch], code: Code.UnschedulableAndUnresolvable },
    { texts: [errReasonAntiAffinityRulesNotMatch], code: Code.Unschedulable },
    { texts: [errReasonExistingAntiAffinityRulesNotMatch], code: Code.Unschedulable },
  ];
  /**
   * Placed pods, kept by observePlacement once the scheduler reports placements (main thread).
   * Without it (a plugin driven by hand), each PreFilter / PreScore indexes ctx.assignedPods().
   */
  private live: PlacedIndex | undefined = undefined;

  constructor(readonly args: InterPodAffinityArgs) {}

  observePlacement(pod: PodInfo, node: number, sign: 1 | -1): boolean {
    // Every placement since the scheduler started comes through here: the index is complete.
    this.live ??= new PlacedIndex();
    this.live.add(pod.pod, node, sign);
    return podTerms(pod.pod).any;
  }

  private index(ctx: PrepareContext): PlacedIndex {
    return this.live ?? PlacedIndex.of(ctx.assignedPods());
  }

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const terms = podTerms(pod.pod);
    const incoming = pod.pod;
    const reqA = terms.requiredAffinity;
    const reqN = terms.requiredAnti;
    const A = reqA.length;
    const index = this.index(ctx);
    // Placed pods' required anti-affinity against the incoming pod, per topology key.
    const existing: Domains[] = [];
    for (const [term, perNode] of index.roles[RoleRequiredAnti]!) {
      if (perNode.size === 0 || !term.matchesMemo(incoming)) continue;
      const keyId = term.keyId(ctx.intern);
      let d: Domains | undefined;
      for (const e of existing) if (e.keyId === keyId) d = e;
      for (const v of index.domains(perNode, keyId, ctx).keys()) {
        if (d === undefined) existing.push((d = { keyId, bits: newDomains(ctx.intern) }));
        setDomain(d.bits, v);
      }
    }
    if (existing.length === 0 && A + reqN.length === 0) return { status: skip };
    // The incoming pod's terms against placed pods, once per label set.
    const affinity: Domains[] = reqA.map((t) => ({ keyId: t.keyId(ctx.intern), bits: newDomains(ctx.intern) }));
    const anti: Domains[] = reqN.map((t) => ({ keyId: t.keyId(ctx.intern), bits: newDomains(ctx.intern) }));
    let affinityMatched = false;
    if (A + reqN.length > 0) {
      index.ensureLabelSets(ctx.assignedPods());
      for (const g of index.groups()) {
        // kube counts a placed pod for the affinity terms only when it matches all of them
        // (updateWithAffinityTerms); for anti-affinity, term by term.
        const matchesAllAffinity = A > 0 && matchesAll(reqA, g.rep);
        for (let i = 0; i < A + reqN.length; i++) {
          const term = i < A ? reqA[i]! : reqN[i - A]!;
          if (i < A ? !matchesAllAffinity : !termMatches(term, g.rep)) continue;
          const d = i < A ? affinity[i]! : anti[i - A]!;
          for (const v of index.domains(g.perNode, d.keyId, ctx).keys()) {
            setDomain(d.bits, v);
            if (i < A) affinityMatched = true;
          }
        }
      }
    }
    const selfMatchesAll = A > 0 && matchesAll(reqA, incoming);
    state.write(filterKey, { affinity, affinityNoneMatched: !affinityMatched, selfMatchesAll, anti, existing });
    return { status: success };
  }

  addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: number, ctx: PrepareContext): void {
    this.updateWithPod(state, pod, other, node, 1, ctx);
  }

  removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: number, ctx: PrepareContext): void {
    this.updateWithPod(state, pod, other, node, -1, ctx);
  }

  /**
   * kube's preFilterState.updateWithPod on a cloned state: `other` on `node` counts (sign) for the
   * pod's required affinity and anti-affinity terms it matches, and its own required anti terms that
   * match the pod count in `existing`. The state keeps presence bits only; the counts behind a bit
   * the what-if changes are taken from the placed pods (the state was built from them and nothing
   * was placed since: such evaluations are rebuilt on every change) plus the what-if's own changes
   * (whatIfCounts). The copy owns its bitsets; the shared state is never changed.
   */
  private updateWithPod(state: CycleState, pod: PodInfo, other: PodInfo, node: number, sign: 1 | -1, ctx: PrepareContext): void {
    const shared = state.read(filterKey);
    if (shared === undefined) return;
    const terms = podTerms(pod.pod);
    const otherTerms = podTerms(other.pod);
    const table = ctx.table;
    let s = shared;
    const own = (): FilterState => {
      if (state.owns(filterKey)) return s;
      const copy = (d: Domains): Domains => ({ keyId: d.keyId, bits: d.bits.slice() });
      s = { ...shared, affinity: shared.affinity.map(copy), anti: shared.anti.map(copy), existing: shared.existing.map(copy) };
      whatIfCounts.set(s, new Map(whatIfCounts.get(shared)));
      state.write(filterKey, s);
      return s;
    };
    const index = this.index(ctx);
    const A = terms.requiredAffinity.length;
    if (A + terms.requiredAnti.length > 0) index.ensureLabelSets(ctx.assignedPods());
    // As in preFilter: affinity counts pods matching every affinity term, anti-affinity per term.
    const otherMatchesAllAffinity = A > 0 && matchesAll(terms.requiredAffinity, other.pod);
    for (let i = 0; i < A + terms.requiredAnti.length; i++) {
      const term = i < A ? terms.requiredAffinity[i]! : terms.requiredAnti[i - A]!;
      if (i < A ? !otherMatchesAllAffinity : !termMatches(term, other.pod)) continue;
      const keyId = term.keyId(ctx.intern);
      const v = valueOf(table, node, keyId);
      if (v < 0) continue;
      const mine = own();
      const d = i < A ? mine.affinity[i]! : mine.anti[i - A]!;
      const placed = (): number => {
        let n = 0;
        for (const g of index.groups()) {
          if (i < A ? matchesAll(terms.requiredAffinity, g.rep) : termMatches(term, g.rep)) n += index.domains(g.perNode, keyId, ctx).get(v) ?? 0;
        }
        return n;
      };
      setPresence(mine, d, `${i}:${v}`, v, sign, placed);
    }
    for (const term of otherTerms.requiredAnti) {
      if (!termMatches(term, pod.pod)) continue;
      const keyId = term.keyId(ctx.intern);
      const v = valueOf(table, node, keyId);
      if (v < 0) continue;
      const mine = own();
      let d: Domains | undefined;
      for (const e of mine.existing) if (e.keyId === keyId) d = e;
      if (d === undefined) {
        d = { keyId, bits: newDomains(ctx.intern) };
        (mine.existing as Domains[]).push(d);
      }
      const placed = (): number => {
        let n = 0;
        for (const [t, perNode] of index.roles[RoleRequiredAnti]!) if (t.keyId(ctx.intern) === keyId && t.matchesMemo(pod.pod)) n += index.domains(perNode, keyId, ctx).get(v) ?? 0;
        return n;
      };
      setPresence(mine, d, `e${keyId}:${v}`, v, sign, placed);
    }
    if (s !== shared) {
      // kube's len(affinityCounts) == 0: no domain holds a pod matching the affinity terms.
      let none = true;
      for (const d of s.affinity) for (let w = 0; w < d.bits.length && none; w++) if (d.bits[w] !== 0) none = false;
      (s as { affinityNoneMatched: boolean }).affinityNoneMatched = none;
    }
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const s = state.read(filterKey);
    if (s === undefined) return;
    const table = view.table;
    const affinity = s.affinity;
    const anti = s.anti;
    const existing = s.existing;
    const firstOfGroup = s.affinityNoneMatched && s.selfMatchesAll;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      // Affinity: every key present; a matching pod in each domain (or the first-pod exception).
      let ok = true;
      let podsExist = true;
      for (let k = 0; k < affinity.length; k++) {
        const c = affinity[k]!;
        const v = valueOf(table, node, c.keyId);
        if (v < 0) {
          ok = false;
          break;
        }
        if (!hasDomain(c.bits, v)) podsExist = false;
      }
      if (!ok || (!podsExist && !firstOfGroup)) {
        verdicts[i] = reasonBase + 1;
        continue;
      }
      for (let k = 0; k < anti.length; k++) {
        const c = anti[k]!;
        const v = valueOf(table, node, c.keyId);
        if (v >= 0 && hasDomain(c.bits, v)) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        verdicts[i] = reasonBase + 2;
        continue;
      }
      for (let k = 0; k < existing.length; k++) {
        const c = existing[k]!;
        const v = valueOf(table, node, c.keyId);
        if (v >= 0 && hasDomain(c.bits, v)) {
          ok = false;
          break;
        }
      }
      if (!ok) verdicts[i] = reasonBase + 3;
    }
  }

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    const terms = podTerms(pod.pod);
    const hasConstraints = terms.preferredAffinity.length + terms.preferredAnti.length > 0;
    if (this.args.ignorePreferredTermsOfExistingPods && !hasConstraints) return skip;
    const incoming = pod.pod;
    const index = this.index(ctx);
    const scores = new TopologyScores();
    // The pod's preferred terms matched by placed pods (kube: processExistingPod, first two lines).
    if (hasConstraints) {
      index.ensureLabelSets(ctx.assignedPods());
      const P = terms.preferredAffinity.length;
      for (const g of index.groups()) {
        for (let i = 0; i < P + terms.preferredAnti.length; i++) {
          const term = i < P ? terms.preferredAffinity[i]! : terms.preferredAnti[i - P]!;
          if (!termMatches(term, g.rep)) continue;
          const w = i < P ? term.weight : -term.weight;
          const keyId = term.keyId(ctx.intern);
          for (const [v, n] of index.domains(g.perNode, keyId, ctx)) scores.add(keyId, v, w * n);
        }
      }
    }
    // Placed pods' terms matching the pod: required affinity (hardPodAffinityWeight), preferred ±weight.
    for (let role = RoleRequiredAffinity; role <= RolePreferredAnti; role++) {
      if (role === RoleRequiredAffinity && this.args.hardPodAffinityWeight <= 0) continue;
      for (const [term, perNode] of index.roles[role]!) {
        if (perNode.size === 0 || !term.matchesMemo(incoming)) continue;
        const w = role === RoleRequiredAffinity ? this.args.hardPodAffinityWeight : role === RolePreferredAffinity ? term.weight : -term.weight;
        const keyId = term.keyId(ctx.intern);
        for (const [v, n] of index.domains(perNode, keyId, ctx)) scores.add(keyId, v, w * n);
      }
    }
    scores.flush();
    if (scores.list.length === 0) return skip;
    state.write(scoreKey, { topology: scores.list });
    return success;
  }

  score(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const topology = state.read(scoreKey)?.topology ?? [];
    const table = view.table;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let score = 0;
      for (let k = 0; k < topology.length; k++) {
        const c = topology[k]!;
        const v = table.labelValueOf(node, c.keyId);
        if (v >= 0) score += c.counts.get(v) ?? 0;
      }
      out[i] = score;
    }
  }
}

export function newInterPodAffinity(args: unknown, field: string): InterPodAffinity {
  return new InterPodAffinity(parseInterPodAffinityArgs(args, field));
}
