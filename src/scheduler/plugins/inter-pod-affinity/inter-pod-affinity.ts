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
import type { NodeTable } from '../../workers/node-table.js';

export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const labelNamespaceName = 'kubernetes.io/metadata.name';

/** One affinity term, compiled (main thread only: selectors are objects). */
export interface AffinityTerm {
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  /** Namespaces listed, or the pod's own when neither namespaces nor namespaceSelector is set. */
  readonly namespaces: ReadonlySet<string>;
  /** undefined when namespaceSelector is not set (matches no namespace). */
  readonly namespaceSelector: LabelSelector | undefined;
  /** Preferred terms: the weight; required: 1. */
  readonly weight: number;
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

function compileTerm(namespace: string, t: PodAffinityTermSpec, weight: number): AffinityTerm {
  const listed = t.namespaces ?? [];
  const nsSel = t.namespaceSelector;
  return {
    topologyKey: t.topologyKey,
    selector: labelSelectorFromObject((t.labelSelector ?? null) as LabelSelectorObject | null),
    namespaces: new Set(listed.length === 0 && nsSel === undefined ? [namespace] : listed),
    namespaceSelector: nsSel === undefined ? undefined : labelSelectorFromObject((nsSel ?? null) as LabelSelectorObject | null),
    weight,
  };
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

interface FilterState {
  readonly affinity: readonly TermCounts[];
  /** No placed pod matches any required affinity term (len(affinityCounts) == 0 in kube). */
  readonly affinityNoneMatched: boolean;
  /** The pod matches all its own required affinity terms (the first-pod exception). */
  readonly selfMatchesAll: boolean;
  readonly anti: readonly TermCounts[];
  /** Existing pods' anti-affinity: per topology key, the values where this pod may not go. */
  readonly existing: readonly TermCounts[];
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
    const existing: TermCounts[] = [];
    const reqA = terms.requiredAffinity;
    const reqN = terms.requiredAnti;
    const affinity: TermCounts[] = reqA.map((t) => ({ keyId: ctx.intern.intern(t.topologyKey), counts: new Map<number, number>() }));
    const anti: TermCounts[] = reqN.map((t) => ({ keyId: ctx.intern.intern(t.topologyKey), counts: new Map<number, number>() }));
    const needIncoming = reqA.length + reqN.length > 0;
    let affinityMatched = false;
    for (const a of ctx.assignedPods()) {
      const other = a.info.pod;
      const node = a.node;
      // Existing pods' required anti-affinity against the incoming pod.
      const otherTerms = podTerms(other);
      for (const t of otherTerms.requiredAnti) {
        if (!termMatches(t, incoming)) continue;
        const keyId = ctx.intern.intern(t.topologyKey);
        const v = table.labelValueOf(node, keyId);
        if (v >= 0) bump(existing, keyId, v, 1);
      }
      if (!needIncoming) continue;
      for (let i = 0; i < reqA.length; i++) {
        if (!termMatches(reqA[i]!, other)) continue;
        const c = affinity[i]!;
        const v = table.labelValueOf(node, c.keyId);
        if (v < 0) continue;
        c.counts.set(v, (c.counts.get(v) ?? 0) + 1);
        affinityMatched = true;
      }
      for (let i = 0; i < reqN.length; i++) {
        if (!termMatches(reqN[i]!, other)) continue;
        const c = anti[i]!;
        const v = table.labelValueOf(node, c.keyId);
        if (v >= 0) c.counts.set(v, (c.counts.get(v) ?? 0) + 1);
      }
    }
    if (existing.length === 0 && !needIncoming) return { status: skip };
    let selfMatchesAll = reqA.length > 0;
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
        if ((c.counts.get(v) ?? 0) <= 0) podsExist = false;
      }
      if (!ok || (!podsExist && !firstOfGroup)) {
        verdicts[i] = reasonBase + 1;
        continue;
      }
      for (let k = 0; k < anti.length; k++) {
        const c = anti[k]!;
        const v = valueOf(table, node, c.keyId);
        if (v >= 0 && (c.counts.get(v) ?? 0) > 0) {
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
        if (v >= 0 && (c.counts.get(v) ?? 0) > 0) {
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
    const add = (t: AffinityTerm, target: Pod, node: number, weight: number): void => {
      if (!termMatches(t, target)) return;
      const keyId = ctx.intern.intern(t.topologyKey);
      const v = table.labelValueOf(node, keyId);
      if (v >= 0) bump(topology, keyId, v, weight);
    };
    for (const a of ctx.assignedPods()) {
      const other = a.info.pod;
      const otherTerms = podTerms(other);
      // Without preferred terms of its own, only pods with affinity terms can score.
      if (!hasConstraints && !otherTerms.any) continue;
      const node = a.node;
      if ((table.labelCount[node] as number) === 0) continue;
      for (const t of terms.preferredAffinity) add(t, other, node, t.weight);
      for (const t of terms.preferredAnti) add(t, other, node, -t.weight);
      if (hard > 0) for (const t of otherTerms.requiredAffinity) add(t, incoming, node, hard);
      for (const t of otherTerms.preferredAffinity) add(t, incoming, node, t.weight);
      for (const t of otherTerms.preferredAnti) add(t, incoming, node, -t.weight);
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
