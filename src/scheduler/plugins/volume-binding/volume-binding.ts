// VolumeBinding: pods with PersistentVolumeClaims (and generic ephemeral volumes), as kube-scheduler's
// volumebinding plugin and its volume binder.
//
// PreFilter: every claim must exist ("persistentvolumeclaim "x" not found"), not be lost or being
// deleted; an unbound claim whose StorageClass binds Immediately (or that has no class) rejects the
// pod at once: "pod has unbound immediate PersistentVolumeClaims" (UnschedulableAndUnresolvable).
// Filter, per node (UnschedulableAndUnresolvable; reasons in kube's order):
//   bound claims      the PV must exist ("node(s) unavailable due to one or more pvc(s) bound to
//                     non-existent pv(s)") and its nodeAffinity match ("node(s) had volume node
//                     affinity conflict");
//   WaitForFirstConsumer claims, smallest request first: the smallest Available PV of the class
//                     that fits (capacity, access modes, volume mode, selector) and whose
//                     nodeAffinity matches the node, each PV once; else the class must provision
//                     (not kubernetes.io/no-provisioner) within its allowedTopologies — else "node(s)
//                     didn't find available persistent volumes to bind".
// Reserve assumes the chosen PVs in the VolumeCatalog; PreBind binds them there (or annotates the
// claim with the selected node for provisioning). Not done: CSI storage capacity, volume limits,
// PV scoring (an alpha feature), CSI migration translation.
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../core/api/types.js';
import { parseValue } from '../../../core/api/quantity.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../core/api/labels.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type {
  FactoryHandle,
  FilterPlugin,
  FilterReason,
  NodeView,
  PreBindPlugin,
  PreFilterPlugin,
  PreFilterResult,
  PrepareContext,
  ReservePlugin,
} from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, skip, success, type Status } from '../../framework/status.js';
import type { VolumeCatalog } from './catalog.js';
import { compileNodeSelector, matchAll, selectorMatches } from '../node-affinity/node-selector.js';

export const errReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const errReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const errReasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const errUnboundImmediate = 'pod has unbound immediate PersistentVolumeClaims';
export const notSupportedProvisioner = 'kubernetes.io/no-provisioner';

const betaClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** Bits of a node's verdict: which of kube's reasons apply. */
const kNodeConflict = 1;
const kBindConflict = 2;
const kPVNotExist = 4;

/** A claim the pod uses: its name and whether it is a generic ephemeral volume's. */
export interface PodClaim {
  readonly name: string;
  readonly ephemeral: boolean;
}

/** The claims of the pod's volumes, as kube's podHasPVCs walks them. */
export function podClaims(pod: Pod): PodClaim[] {
  const out: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim !== undefined) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral !== undefined) out.push({ name: `${pod.metadata.name ?? ''}-${v.name}`, ephemeral: true });
  }
  return out;
}

export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.[betaClassAnnotation] ?? '';
}

function volumeClass(pv: PersistentVolume): string {
  return pv.spec?.storageClassName ?? pv.metadata.annotations?.[betaClassAnnotation] ?? '';
}

function storageOf(q: Readonly<Record<string, string | number>> | undefined): number {
  const s = q?.['storage'];
  return s === undefined ? 0 : parseValue(s);
}

/**
 * A PV's nodeAffinity.required as a selector program (matchAll without one), matched as kube's
 * binder does: volume.CheckNodeAffinity (component-helpers storage/volume) hands the selector a
 * Node built from the labels alone, which has no metadata.name field, and nodeaffinity skips
 * matchFields on a node without fields. So a well-formed matchField (In / NotIn one value) passes
 * every node: a PV pinned by `metadata.name In [n1]` alone fits any node, and next to
 * matchExpressions only the labels decide. A malformed one still fails its term. The kubelet's
 * mount check calls the same function (kubernetes/kubernetes#81725 and #82562, closed unfixed).
 */
function compileVolumeAffinity(pv: PersistentVolume, ctx: PrepareContext): Int32Array {
  return compileNodeSelector(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, ctx.intern, 'labelsOnly');
}

/**
 * A StorageClass's allowedTopologies (terms ORed, each `key In values` ANDed) as a selector
 * program, as v1helper.MatchTopologySelectorTerms reads them: none is no constraint.
 */
function compileTopology(sc: StorageClass, ctx: PrepareContext): Int32Array {
  const terms = sc.allowedTopologies;
  if (terms === undefined || terms.length === 0) return matchAll;
  return compileNodeSelector(
    terms.map((t) => ({ matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values })) })),
    ctx.intern,
  );
}

/** A PV that may serve a delayed claim on some node. Plain data (it travels to workers). */
interface Candidate {
  /** Index into BindingState.pvNames. */
  readonly pv: number;
  readonly affinity: Int32Array;
}

interface DelayedClaim {
  readonly name: string;
  /** Smallest capacity first. */
  readonly candidates: readonly Candidate[];
  /** The PV pre-bound to this claim: only it may serve (kube returns it, or nothing). */
  readonly exclusive: boolean;
  /** The class's allowedTopologies, or null when it cannot provision. */
  readonly provision: Int32Array | null;
}

interface BindingState {
  /** Per bound claim, in order: its PV's node affinity, or null when the PV does not exist. */
  readonly bound: readonly (Int32Array | null)[];
  readonly delayed: readonly DelayedClaim[];
  readonly pvNames: readonly string[];
}

const stateKeyBinding = stateKey<BindingState>('PreFilterVolumeBinding');

function unresolvable(plugin: string, reason: string): PreFilterResult {
  return { status: newStatus(Code.UnschedulableAndUnresolvable, plugin, reason) };
}

function accessModesFit(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const have = pv.spec?.accessModes ?? [];
  for (const m of claim.spec?.accessModes ?? []) if (!have.includes(m)) return false;
  return true;
}

function boundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref === undefined) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? 'default') !== (claim.metadata.namespace ?? 'default')) return false;
  return ref.uid === undefined || ref.uid === '' || ref.uid === claim.metadata.uid;
}

/** Per-pod reservations: what Reserve assumed, for Unreserve and PreBind. */
interface Reservation {
  readonly namespace: string;
  readonly bindings: readonly { readonly pv: string; readonly claim: string }[];
  readonly provisions: readonly string[];
}

/** Chooses, for one node, a PV per delayed claim (or -1 to provision), or undefined when unsatisfiable. */
function choose(
  s: BindingState,
  view: Pick<NodeView, 'table' | 'strings'>,
  node: number,
  chosen: Int32Array,
  taken?: (pvName: string) => boolean,
): boolean {
  const table = view.table;
  const numeric = view.strings.numeric;
  const delayed = s.delayed;
  for (let c = 0; c < delayed.length; c++) {
    const claim = delayed[c]!;
    let pick = -1;
    const candidates = claim.candidates;
    for (let k = 0; k < candidates.length; k++) {
      const cand = candidates[k]!;
      let used = false;
      for (let j = 0; j < c; j++) if (chosen[j] === cand.pv) used = true;
      if (used || (taken !== undefined && taken(s.pvNames[cand.pv]!))) continue;
      if (!selectorMatches(table, numeric, node, cand.affinity)) {
        if (claim.exclusive) break;
        continue;
      }
      pick = cand.pv;
      break;
    }
    chosen[c] = pick;
    if (pick >= 0) continue;
    if (claim.provision === null || !selectorMatches(table, numeric, node, claim.provision)) return false;
  }
  return true;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = names.VolumeBinding;
  readonly nodeLocal = false;
  readonly reasons: readonly FilterReason[];
  private chosen = new Int32Array(8);
  /** The context of the cycle each state was prepared in (Reserve needs the node table). */
  private readonly contexts = new WeakMap<CycleState, PrepareContext>();
  private readonly reservations = new Map<string, Reservation>();

  constructor(private readonly catalog: VolumeCatalog | undefined) {
    const reasons: FilterReason[] = [];
    for (let mask = 1; mask <= 7; mask++) {
      const texts: string[] = [];
      if ((mask & kNodeConflict) !== 0) texts.push(errReasonNodeConflict);
      if ((mask & kBindConflict) !== 0) texts.push(errReasonBindConflict);
      if ((mask & kPVNotExist) !== 0) texts.push(errReasonPVNotExist);
      reasons.push({ texts, code: Code.UnschedulableAndUnresolvable });
    }
    this.reasons = reasons;
  }

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const claims = podClaims(pod.pod);
    if (claims.length === 0) return { status: skip };
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const pvcs: PersistentVolumeClaim[] = [];
    for (const c of claims) {
      const pvc = this.catalog?.claim(namespace, c.name);
      if (pvc === undefined) {
        return unresolvable(this.name, c.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${c.name}"` : `persistentvolumeclaim "${c.name}" not found`);
      }
      if (pvc.status?.phase === 'Lost') return unresolvable(this.name, `persistentvolumeclaim "${c.name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`);
      if (pvc.metadata.deletionTimestamp !== undefined) return unresolvable(this.name, `persistentvolumeclaim "${c.name}" is being deleted`);
      if (c.ephemeral && !(pvc.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === pod.uid)) {
        return unresolvable(this.name, `PVC ${namespace}/${c.name} was not created for pod ${namespace}/${pod.pod.metadata.name ?? ''} (pod is not owner)`);
      }
      pvcs.push(pvc);
    }
    const catalog = this.catalog!;
    const bound: (Int32Array | null)[] = [];
    const delayedClaims: PersistentVolumeClaim[] = [];
    let immediate = false;
    for (const pvc of pvcs) {
      const volumeName = pvc.spec?.volumeName ?? '';
      if (volumeName !== '') {
        const pv = catalog.volume(volumeName);
        bound.push(pv === undefined ? null : compileVolumeAffinity(pv, ctx));
        continue;
      }
      const className = claimClass(pvc);
      if (className === '') {
        immediate = true;
        continue;
      }
      const sc = catalog.storageClass(className);
      if (sc === undefined) return { status: newStatus(Code.Error, this.name, `storageclass.storage.k8s.io "${className}" not found`) };
      if (sc.volumeBindingMode === 'WaitForFirstConsumer') delayedClaims.push(pvc);
      else immediate = true;
    }
    if (immediate) return unresolvable(this.name, errUnboundImmediate);
    delayedClaims.sort((a, b) => storageOf(a.spec?.resources?.requests) - storageOf(b.spec?.resources?.requests));
    const pvNames: string[] = [];
    const pvIndex = new Map<string, number>();
    const delayed: DelayedClaim[] = delayedClaims.map((pvc) => {
      const className = claimClass(pvc);
      const sc = catalog.storageClass(className)!;
      const requested = storageOf(pvc.spec?.resources?.requests);
      const selector = pvc.spec?.selector === undefined ? undefined : labelSelectorFromObject(pvc.spec.selector as LabelSelectorObject);
      const claimKey = `${namespace}/${pvc.metadata.name ?? ''}`;
      const fits: { pv: PersistentVolume; capacity: number }[] = [];
      let prebound: PersistentVolume | undefined;
      for (const pv of catalog.allVolumes()) {
        const owner = catalog.claimOf(pv);
        if (owner !== undefined && owner !== claimKey) continue;
        const capacity = storageOf(pv.spec?.capacity);
        if (capacity < requested) continue;
        if ((pvc.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem')) continue;
        if (pv.metadata.deletionTimestamp !== undefined) continue;
        if (boundToClaim(pv, pvc)) {
          prebound = pv;
          break;
        }
        if (pv.status?.phase !== 'Available') continue;
        if (selector !== undefined && !selector.matches(pv.metadata.labels ?? {})) continue;
        if (volumeClass(pv) !== className) continue;
        if (!accessModesFit(pvc, pv)) continue;
        fits.push({ pv, capacity });
      }
      const list = prebound !== undefined ? [{ pv: prebound, capacity: 0 }] : fits.sort((a, b) => a.capacity - b.capacity || ((a.pv.metadata.name ?? '') < (b.pv.metadata.name ?? '') ? -1 : 1));
      const candidates: Candidate[] = list.map(({ pv }) => {
        const name = pv.metadata.name ?? '';
        let at = pvIndex.get(name);
        if (at === undefined) {
          at = pvNames.length;
          pvNames.push(name);
          pvIndex.set(name, at);
        }
        return { pv: at, affinity: compileVolumeAffinity(pv, ctx) };
      });
      return {
        name: pvc.metadata.name ?? '',
        candidates,
        exclusive: prebound !== undefined,
        provision: sc.provisioner === notSupportedProvisioner ? null : compileTopology(sc, ctx),
      };
    });
    state.write(stateKeyBinding, { bound, delayed, pvNames });
    this.contexts.set(state, ctx);
    return { status: success };
  }

  filter(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const s = state.read(stateKeyBinding);
    if (s === undefined) return;
    const table = view.table;
    const numeric = view.strings.numeric;
    if (this.chosen.length < s.delayed.length) this.chosen = new Int32Array(s.delayed.length);
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      const node = nodes[i] as number;
      let mask = 0;
      for (let b = 0; b < s.bound.length; b++) {
        const affinity = s.bound[b]!;
        if (affinity === null) {
          mask |= kPVNotExist;
          break;
        }
        if (!selectorMatches(table, numeric, node, affinity)) {
          mask |= kNodeConflict;
          break;
        }
      }
      if (s.delayed.length > 0 && !choose(s, view, node, this.chosen)) mask |= kBindConflict;
      if (mask !== 0) verdicts[i] = reasonBase + mask;
    }
  }

  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    const s = state.read(stateKeyBinding);
    const ctx = this.contexts.get(state);
    if (s === undefined || s.delayed.length === 0) return success;
    const catalog = this.catalog;
    const node = ctx?.nodeIndex(nodeName) ?? -1;
    if (catalog === undefined || ctx === undefined || node < 0) return newStatus(Code.Error, this.name, `node "${nodeName}" not found`);
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const chosen = new Int32Array(s.delayed.length);
    // PVs taken since PreFilter (by pods reserved in between) are skipped.
    const taken = (pvName: string): boolean => {
      const pv = catalog.volume(pvName);
      const owner = pv === undefined ? '?' : catalog.claimOf(pv);
      return owner !== undefined && !s.delayed.some((d) => `${namespace}/${d.name}` === owner);
    };
    if (!choose(s, ctx, node, chosen, taken)) return newStatus(Code.Unschedulable, this.name, errReasonBindConflict);
    const bindings: { pv: string; claim: string }[] = [];
    const provisions: string[] = [];
    for (let c = 0; c < s.delayed.length; c++) {
      const claim = s.delayed[c]!.name;
      const pv = chosen[c] as number;
      if (pv < 0) {
        provisions.push(claim);
        continue;
      }
      const pvName = s.pvNames[pv]!;
      if (!catalog.assume(pvName, `${namespace}/${claim}`)) {
        for (const b of bindings) catalog.forget(b.pv, `${namespace}/${b.claim}`);
        return newStatus(Code.Unschedulable, this.name, errReasonBindConflict);
      }
      bindings.push({ pv: pvName, claim });
    }
    this.reservations.set(pod.key, { namespace, bindings, provisions });
    return success;
  }

  unreserve(_state: CycleState, pod: PodInfo): void {
    const r = this.reservations.get(pod.key);
    if (r === undefined) return;
    this.reservations.delete(pod.key);
    for (const b of r.bindings) this.catalog?.forget(b.pv, `${r.namespace}/${b.claim}`);
  }

  preBind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    const r = this.reservations.get(pod.key);
    if (r === undefined || this.catalog === undefined) return Promise.resolve(success);
    this.reservations.delete(pod.key);
    for (const b of r.bindings) {
      if (!this.catalog.bind(b.pv, r.namespace, b.claim)) return Promise.resolve(newStatus(Code.Error, this.name, `binding volumes: persistentvolume "${b.pv}" not found`));
    }
    for (const claim of r.provisions) this.catalog.selectNode(r.namespace, claim, nodeName);
    return Promise.resolve(success);
  }
}

export function newVolumeBinding(_args: unknown, _field: string, handle: FactoryHandle): VolumeBinding {
  return new VolumeBinding(handle.volumes);
}
