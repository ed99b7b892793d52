// VolumeCatalog: the PersistentVolumeClaims, PersistentVolumes and StorageClasses the volume plugins
// read (kube-scheduler's PVC/PV/StorageClass listers plus the binder's assume cache), for a scheduler
// without an API server. The embedding application keeps it current (add/remove on its own watch
// events); VolumeBinding's Reserve assumes PVs in it and its PreBind writes the bindings back.
//
// Objects handed in are not mutated: a binding replaces the PVC and PV with updated copies.
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../core/api/types.js';
import { ChangeNotifier } from '../../framework/change-notifier.js';

/** The annotation kube-scheduler sets on a PVC to ask for provisioning on a node. */
export const annSelectedNode = 'volume.kubernetes.io/selected-node';

export class VolumeCatalog extends ChangeNotifier {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  private readonly classes = new Map<string, StorageClass>();
  /** PV name → "namespace/claim" it is assumed for (Reserve), until bound or unreserved. */
  private readonly assumed = new Map<string, string>();

  addClaim(pvc: PersistentVolumeClaim): void {
    this.claims.set(`${pvc.metadata.namespace ?? 'default'}/${pvc.metadata.name ?? ''}`, pvc);
    this.changed();
  }

  removeClaim(namespace: string, name: string): void {
    this.claims.delete(`${namespace}/${name}`);
    this.changed();
  }

  addVolume(pv: PersistentVolume): void {
    this.volumes.set(pv.metadata.name ?? '', pv);
    this.changed();
  }

  removeVolume(name: string): void {
    this.volumes.delete(name);
    this.assumed.delete(name);
    this.changed();
  }

  addStorageClass(sc: StorageClass): void {
    this.classes.set(sc.metadata.name ?? '', sc);
    this.changed();
  }

  removeStorageClass(name: string): void {
    this.classes.delete(name);
    this.changed();
  }

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  volume(name: string): PersistentVolume | undefined {
    return this.volumes.get(name);
  }

  storageClass(name: string): StorageClass | undefined {
    return this.classes.get(name);
  }

  /** Every PV, with assumed ones showing their assumed claim (the binder's assume cache view). */
  allVolumes(): Iterable<PersistentVolume> {
    return this.volumes.values();
  }

  /** The claim ("namespace/name") a PV is assumed or bound for, if any. */
  claimOf(pv: PersistentVolume): string | undefined {
    const assumed = this.assumed.get(pv.metadata.name ?? '');
    if (assumed !== undefined) return assumed;
    const ref = pv.spec?.claimRef;
    return ref === undefined ? undefined : `${ref.namespace ?? 'default'}/${ref.name ?? ''}`;
  }

  /** Reserve: the PV is taken for the claim. False if it is already taken by another claim. */
  assume(pvName: string, claimKey: string): boolean {
    const pv = this.volumes.get(pvName);
    if (pv === undefined) return false;
    const owner = this.claimOf(pv);
    if (owner !== undefined && owner !== claimKey) return false;
    this.assumed.set(pvName, claimKey);
    this.changed();
    return true;
  }

  /** Unreserve: forgets an assumption (idempotent). */
  forget(pvName: string, claimKey: string): void {
    if (this.assumed.get(pvName) !== claimKey) return;
    this.assumed.delete(pvName);
    this.changed();
  }

  /** PreBind: the PVC is bound to the PV (spec.volumeName, the PV's claimRef, phases Bound). */
  bind(pvName: string, namespace: string, claimName: string): boolean {
    const key = `${namespace}/${claimName}`;
    const pv = this.volumes.get(pvName);
    const pvc = this.claims.get(key);
    if (pv === undefined || pvc === undefined) return false;
    this.claims.set(key, { ...pvc, spec: { ...pvc.spec, volumeName: pvName }, status: { ...pvc.status, phase: 'Bound' } });
    const claimRef = { kind: 'PersistentVolumeClaim', namespace, name: claimName, ...(pvc.metadata.uid === undefined ? {} : { uid: pvc.metadata.uid }) };
    this.volumes.set(pvName, { ...pv, spec: { ...pv.spec, claimRef }, status: { ...pv.status, phase: 'Bound' } });
    this.assumed.delete(pvName);
    this.changed();
    return true;
  }

  /** PreBind for dynamic provisioning: the PVC is annotated with the node chosen for it. */
  selectNode(namespace: string, claimName: string, nodeName: string): boolean {
    const key = `${namespace}/${claimName}`;
    const pvc = this.claims.get(key);
    if (pvc === undefined) return false;
    this.claims.set(key, { ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, [annSelectedNode]: nodeName } } });
    this.changed();
    return true;
  }
}
