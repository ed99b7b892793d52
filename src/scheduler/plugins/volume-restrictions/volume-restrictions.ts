// VolumeRestrictions: volumes that cannot be shared, as kube-scheduler's volumerestrictions plugin.
//
// Filter (Unschedulable):
//   "node(s) had no available disk" — a pod on the node already uses the same GCE PD (unless both
//     mount it read-only), AWS EBS volume, iSCSI IQN or RBD image (unless both read-only);
//   "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode" —
//     on every node, when a placed pod already uses one of the pod's ReadWriteOncePod claims.
// PreFilter rejects a pod whose claim does not exist (UnschedulableAndUnresolvable,
// "persistentvolumeclaim "x" not found") and skips pods with neither kind of volume (kube also skips
// pods whose ReadWriteOncePod claims are unused; here they keep a state, see preFilter).
// Results depend on other pods: nodeLocal is false (only for the pods it does not skip).
import type { PersistentVolumeClaim, Pod } from '../../../core/api/types.js';
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type { FactoryHandle, FilterPlugin, FilterReason, NodeView, PreFilterPlugin, PreFilterResult, PrepareContext } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { sortedHas } from '../../framework/sorted-ints.js';
import { Code, newStatus, skip, success } from '../../framework/status.js';
import type { VolumeCatalog } from '../volume-binding/catalog.js';

export const errReasonDiskConflict = 'node(s) had no available disk';
export const errReasonReadWriteOncePodConflict = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];

function needsRestrictionsCheck(v: Volume): boolean {
  return v.gcePersistentDisk !== undefined || v.awsElasticBlockStore !== undefined || v.rbd !== undefined || v.iscsi !== undefined;
}

/** kube's isVolumeConflict for one pair of volumes. */
export function volumesConflict(a: Volume, b: Volume): boolean {
  if (a.gcePersistentDisk !== undefined && b.gcePersistentDisk !== undefined) {
    const x = a.gcePersistentDisk;
    const y = b.gcePersistentDisk;
    return x.pdName === y.pdName && !(x.readOnly === true && y.readOnly === true);
  }
  if (a.awsElasticBlockStore !== undefined && b.awsElasticBlockStore !== undefined) {
    return a.awsElasticBlockStore.volumeID === b.awsElasticBlockStore.volumeID;
  }
  if (a.iscsi !== undefined && b.iscsi !== undefined) {
    return a.iscsi.iqn === b.iscsi.iqn && !(a.iscsi.readOnly === true && b.iscsi.readOnly === true);
  }
  if (a.rbd !== undefined && b.rbd !== undefined) {
    const x = a.rbd;
    const y = b.rbd;
    const overlap = x.monitors.some((m) => y.monitors.includes(m));
    return overlap && (x.pool ?? 'rbd') === (y.pool ?? 'rbd') && x.image === y.image && !(x.readOnly === true && y.readOnly === true);
  }
  return false;
}

interface RestrictionsState {
  /** Nodes holding a pod whose disk conflicts with the pod's, sorted. */
  readonly diskConflictNodes: Int32Array;
  /** Placed pods using one of the pod's ReadWriteOncePod claims. */
  readonly conflictingPVCRefCount: number;
}

const stateKeyRestrictions = stateKey<RestrictionsState>('PreFilterVolumeRestrictions');

function usesClaim(pod: Pod, namespace: string, claim: string): boolean {
  if ((pod.metadata.namespace ?? 'default') !== namespace) return false;
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName === claim) return true;
    if (v.ephemeral !== undefined && `${pod.metadata.name ?? ''}-${v.name}` === claim) return true;
  }
  return false;
}

export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {
  readonly name = names.VolumeRestrictions;
  readonly nodeLocal = false;
  readonly reasons: readonly FilterReason[] = [
    { texts: [errReasonDiskConflict], code: Code.Unschedulable },
    { texts: [errReasonReadWriteOncePodConflict], code: Code.Unschedulable },
  ];

  constructor(private readonly catalog: VolumeCatalog | undefined) {}

  preFilter(state: CycleState, pod: PodInfo, ctx: PrepareContext): PreFilterResult {
    const volumes = pod.pod.spec?.volumes ?? [];
    const namespace = pod.pod.metadata.namespace ?? 'default';
    const disks = volumes.filter(needsRestrictionsCheck);
    // ReadWriteOncePod claims (kube looks at persistentVolumeClaim volumes only).
    const rwop: string[] = [];
    for (const v of volumes) {
      const name = v.persistentVolumeClaim?.claimName;
      if (name === undefined) continue;
      const pvc: PersistentVolumeClaim | undefined = this.catalog?.claim(namespace, name);
      if (pvc === undefined) return { status: newStatus(Code.UnschedulableAndUnresolvable, this.name, `persistentvolumeclaim "${name}" not found`) };
      if ((pvc.spec?.accessModes ?? []).includes('ReadWriteOncePod')) rwop.push(name);
    }
    if (disks.length === 0 && rwop.length === 0) return { status: skip };
    let conflicting = 0;
    const nodes: number[] = [];
    for (const a of ctx.assignedPods()) {
      const other = a.info.pod;
      if (a.info.key === pod.key) continue;
      for (const claim of rwop) if (usesClaim(other, namespace, claim)) conflicting++;
      if (disks.length === 0) continue;
      let clash = false;
      for (const ov of other.spec?.volumes ?? []) {
        if (!needsRestrictionsCheck(ov)) continue;
        for (const d of disks) if (volumesConflict(d, ov)) clash = true;
      }
      if (clash) nodes.push(a.node);
    }
    // kube skips here when no claim is in use yet; we keep the state so that the pod's cached
    // evaluation (shared by pods of its template) is not reused once another user is placed.
    const diskConflictNodes = Int32Array.from(new Set(nodes)).sort();
    state.write(stateKeyRestrictions, { diskConflictNodes, conflictingPVCRefCount: conflicting });
    return { status: success };
  }

  filter(state: CycleState, _pod: PodInfo, _view: NodeView, nodes: Int32Array, count: number, verdicts: Uint16Array, reasonBase: number): void {
    const s = state.read(stateKeyRestrictions);
    if (s === undefined) return;
    const disk = s.diskConflictNodes;
    const rwopConflict = s.conflictingPVCRefCount > 0;
    for (let i = 0; i < count; i++) {
      if (verdicts[i] !== 0) continue;
      if (disk.length > 0 && sortedHas(disk, nodes[i] as number)) verdicts[i] = reasonBase + 1;
      else if (rwopConflict) verdicts[i] = reasonBase + 2;
    }
  }
}

export function newVolumeRestrictions(_args: unknown, _field: string, handle: FactoryHandle): VolumeRestrictions {
  return new VolumeRestrictions(handle.volumes);
}
