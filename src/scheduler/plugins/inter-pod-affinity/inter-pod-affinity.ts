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
// changes other pods' results (affectsOthers), so the scheduler rebuilds evaluations then.
import type { LabelSelector, Labels } from '../../../core/api/labels.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import type { Pod } from '../../../core/api/types.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import { ConfigError, intArg, invalidValue, objectArg, onlyKeys } from '../../framework/errors.js';
import type {
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

/**
 * The incoming pod's terms against placed pods, memoized by label set for one PreFilter / PreScore:
 * memo[i * sets + id] is 0 (unknown), 1 (matches) or 2 (does not).
 */
class IncomingMatcher {
  private memo: Uint8Array;
  private sets = 0;

  constructor(readonly terms: readonly AffinityTerm[]) {
    this.sets = Math.max(16, labelSetIds.size);
    this.memo = new Uint8Array(terms.length * this.sets);
  }

  matches(i: number, pod: Pod): boolean {
    const id = labelSetId(pod);
    if (id < 0) return termMatches(this.terms[i]!, pod);
    if (id >= this.sets) {
      const sets = Math.max(id + 1, this.sets * 2);
      const grown = new Uint8Array(this.terms.length * sets);
      for (let t = 0; t < this.terms.length; t++) grown.set(this.memo.subarray(t * this.sets, (t + 1) * this.sets), t * sets);
      this.memo = grown;
      this.sets = sets;
    }
    const at = i * this.sets + id;
    let m = this.memo[at] as number;
    if (m === 0) this.memo[at] = m = termMatches(this.terms[i]!, pod) ? 1 : 2;
    return m === 1;
  }
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

/** Counts per topology value (interned ids) of one term's key. Plain data: it travels to workers. */
interface TermCounts {
  readonly keyId: number;
  readonly counts: Map<number, number>;
}

/** The values (interned ids) of a topology key whose domains hold a matching pod; sorted, distinct. */
interface Domains {
  readonly keyId: number;
  readonly values: Int32Array;
}

function hasDomain(values: Int32Array, v: number): boolean {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = values[mid] as number;
    if (m === v) return true;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * (slot, value) pairs gathered during one scan over placed pods, then turned into sorted distinct
 * values per slot. Main-thread scratch, reused across calls (valid until the next reset).
 */
class PairCollector {
  private slots = new Int32Array(1024);
  private values = new Int32Array(1024);
  private n = 0;

  reset(): void {
    this.n = 0;
  }

  get size(): number {
    return this.n;
  }

  push(slot: number, value: number): void {
    if (this.n === this.slots.length) {
      const slots = new Int32Array(this.n * 2);
      slots.set(this.slots);
      this.slots = slots;
      const values = new Int32Array(this.n * 2);
      values.set(this.values);
      this.values = values;
    }
    this.slots[this.n] = slot;
    this.values[this.n] = value;
    this.n++;
  }

  /** The distinct slots seen, in first-seen order. */
  distinctSlots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const slot = this.slots[i] as number;
      if (!out.includes(slot)) out.push(slot);
    }
    return out;
  }

  /** Sorted distinct values pushed under `slot`. */
  valuesOf(slot: number): Int32Array {
    let count = 0;
    for (let i = 0; i < this.n; i++) if (this.slots[i] === slot) count++;
    const all = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < this.n; i++) if (this.slots[i] === slot) all[k++] = this.values[i] as number;
    all.sort();
    let w = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[w++] = all[i] as number;
    return all.slice(0, w);
  }
}

const existingPairs = new PairCollector();
const incomingPairs = new PairCollector();

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

/** kube's processTerm, for a term that matched: the node's domain of the term's key gains `weight`. */
function addScore(topology: TermCounts[], table: NodeTable, intern: InternTable, t: AffinityTerm, node: number, weight: number): void {
  const keyId = t.keyId(intern);
  const v = table.labelValueOf(node, keyId);
  if (v >= 0) bump(topology, keyId, v, weight);
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

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = names.InterPodAffinity;
  readonly nodeLocal = false;
  readonly normalization = 'minMax';
  readonly reasons: readonly FilterReason[] = [
    { texts: [errReasonAffinityRulesNotMatch], code: Code.UnschedulableAndUnresolvable },
    { texts: [errReasonAntiAffinityRulesNotMatch], code: Code.Unschedulable },
    { texts: [errReasonExistingAntiAffinityRulesNotMatch], code: Code.Unschedulable },
  ];

  constructor(readonly args: InterPodAffinityArgs) {}

  /** Placing or removing this pod changes other pods' Filter or Score results beyond its own node. */
  affectsOthers(pod: PodInfo): boolean {
    return podTerms(pod.pod).any;
  }

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const terms = podTerms(pod.pod);
    const table = ctx.table;
    const incoming = pod.pod;
    const reqA = terms.requiredAffinity;
    const reqN = terms.requiredAnti;
    const A = reqA.length;
    const needIncoming = A + reqN.length > 0;
    const matchA = new IncomingMatcher(reqA);
    const matchN = new IncomingMatcher(reqN);
    // Slots: existing pods' terms by key id; the incoming pod's affinity terms 0..A-1, anti A.. .
    existingPairs.reset();
    incomingPairs.reset();
    let affinityMatched = false;
    for (const a of ctx.assignedPods()) {
      const other = a.info.pod;
      const node = a.node;
      // Existing pods' required anti-affinity against the incoming pod.
      const otherTerms = podTerms(other);
      for (const t of otherTerms.requiredAnti) {
        if (!t.matchesMemo(incoming)) continue;
        const keyId = t.keyId(ctx.intern);
        const v = table.labelValueOf(node, keyId);
        if (v >= 0) existingPairs.push(keyId, v);
      }
      if (!needIncoming) continue;
      for (let i = 0; i < A; i++) {
        if (!matchA.matches(i, other)) continue;
        const v = table.labelValueOf(node, reqA[i]!.keyId(ctx.intern));
        if (v < 0) continue;
        incomingPairs.push(i, v);
        affinityMatched = true;
      }
      for (let i = 0; i < reqN.length; i++) {
        if (!matchN.matches(i, other)) continue;
        const v = table.labelValueOf(node, reqN[i]!.keyId(ctx.intern));
        if (v >= 0) incomingPairs.push(A + i, v);
      }
    }
    if (existingPairs.size === 0 && !needIncoming) return { status: skip };
    const existing: Domains[] = existingPairs.distinctSlots().map((keyId) => ({ keyId, values: existingPairs.valuesOf(keyId) }));
    const affinity: Domains[] = reqA.map((t, i) => ({ keyId: t.keyId(ctx.intern), values: incomingPairs.valuesOf(i) }));
    const anti: Domains[] = reqN.map((t, i) => ({ keyId: t.keyId(ctx.intern), values: incomingPairs.valuesOf(A + i) }));
    let selfMatchesAll = A > 0;
    for (const t of reqA) if (!termMatches(t, incoming)) selfMatchesAll = false;
    state.write(filterKey, { affinity, affinityNoneMatched: !affinityMatched, selfMatchesAll, anti, existing });
    return { status: success };
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
        if (!hasDomain(c.values, v)) podsExist = false;
      }
      if (!ok || (!podsExist && !firstOfGroup)) {
        verdicts[i] = reasonBase + 1;
        continue;
      }
      for (let k = 0; k < anti.length; k++) {
        const c = anti[k]!;
        const v = valueOf(table, node, c.keyId);
        if (v >= 0 && hasDomain(c.values, v)) {
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
        if (v >= 0 && hasDomain(c.values, v)) {
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
    const table = ctx.table;
    const incoming = pod.pod;
    const hard = this.args.hardPodAffinityWeight;
    const topology: TermCounts[] = [];
    const prefA = new IncomingMatcher(terms.preferredAffinity);
    const prefN = new IncomingMatcher(terms.preferredAnti);
    for (const a of ctx.assignedPods()) {
      const other = a.info.pod;
      const otherTerms = podTerms(other);
      // Without preferred terms of its own, only pods with affinity terms can score.
      if (!hasConstraints && !otherTerms.any) continue;
      const node = a.node;
      if ((table.labelCount[node] as number) === 0) continue;
      for (let i = 0; i < prefA.terms.length; i++) if (prefA.matches(i, other)) addScore(topology, table, ctx.intern, prefA.terms[i]!, node, prefA.terms[i]!.weight);
      for (let i = 0; i < prefN.terms.length; i++) if (prefN.matches(i, other)) addScore(topology, table, ctx.intern, prefN.terms[i]!, node, -prefN.terms[i]!.weight);
      if (hard > 0) for (const t of otherTerms.requiredAffinity) if (t.matchesMemo(incoming)) addScore(topology, table, ctx.intern, t, node, hard);
      for (const t of otherTerms.preferredAffinity) if (t.matchesMemo(incoming)) addScore(topology, table, ctx.intern, t, node, t.weight);
      for (const t of otherTerms.preferredAnti) if (t.matchesMemo(incoming)) addScore(topology, table, ctx.intern, t, node, -t.weight);
    }
    if (topology.length === 0) return skip;
    state.write(scoreKey, { topology });
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
