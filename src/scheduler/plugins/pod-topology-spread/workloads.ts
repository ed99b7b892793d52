// WorkloadCatalog: the Services, ReplicaSets, StatefulSets and ReplicationControllers that
// PodTopologySpread's default constraints read (kube-scheduler's listers for them), for a scheduler
// with or without an API server. The service mode fills it from informers; a library user adds and
// removes objects on its own events. Objects handed in are never mutated.
//
// defaultSelector(pod) is kube-scheduler's helper.DefaultSelector: the union of the selectors of the
// pod's Services (those whose selector matches its labels, in its namespace), plus the selector of
// its controller when that is a ReplicationController (v1), ReplicaSet or StatefulSet (apps/v1).
import type { ObjectMeta, Pod, ReplicaSet, Service, StatefulSet } from '../../../core/api/types.js';
import {
  everythingSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  newLabelSelector,
  type LabelSelector,
  type LabelSelectorObject,
  type Labels,
  type Requirement,
} from '../../../core/api/labels.js';
import { ChangeNotifier } from '../../framework/change-notifier.js';

/** The fields of a ReplicationController this reads (the API server here does not serve the kind). */
export interface ReplicationControllerLike {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly selector?: Readonly<Record<string, string>> | null } | undefined;
}

type Kind = 'Service' | 'ReplicaSet' | 'StatefulSet' | 'ReplicationController';

function keyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}

/** A selector object parsed once per stored object; undefined when it is invalid or null (it adds nothing). */
function parsed(sel: LabelSelectorObject | null | undefined): LabelSelector | undefined {
  if (sel === undefined || sel === null) return undefined;
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return undefined; // kube: an unparsable selector is skipped
  }
}

interface ServiceEntry {
  readonly namespace: string;
  /** The selector as a map; services with a null selector are not stored (they match nothing). */
  readonly selector: Labels;
  readonly matcher: LabelSelector;
}

export class WorkloadCatalog extends ChangeNotifier {
  private readonly services = new Map<string, ServiceEntry>();
  /** Services per namespace, for defaultSelector. */
  private readonly servicesByNamespace = new Map<string, Map<string, ServiceEntry>>();
  private readonly replicaSets = new Map<string, LabelSelector | undefined>();
  private readonly statefulSets = new Map<string, LabelSelector | undefined>();
  private readonly controllers = new Map<string, Labels | undefined>();

  /**
   * Adds or replaces a Service. Listeners hear only of selector changes: an update of anything else
   * (status, ports; a ReplicaSet's replica counts) leaves every default selector as it was.
   */
  setService(svc: Service): void {
    const namespace = svc.metadata.namespace ?? 'default';
    const key = keyOf(namespace, svc.metadata.name);
    const selector = svc.spec?.selector;
    const old = this.services.get(key);
    if (old !== undefined && selector !== undefined && selector !== null && sameMap(old.selector, selector)) return;
    const had = this.dropService(key);
    if (!had && (selector === undefined || selector === null)) return;
    // Services with a nil selector match nothing, not everything (kube's GetPodServices).
    if (selector !== undefined && selector !== null) {
      const entry: ServiceEntry = { namespace, selector, matcher: labelSelectorFromSet(selector) };
      this.services.set(key, entry);
      let ns = this.servicesByNamespace.get(namespace);
      if (ns === undefined) this.servicesByNamespace.set(namespace, (ns = new Map()));
      ns.set(key, entry);
    }
    this.changed();
  }

  removeService(namespace: string, name: string): void {
    if (this.dropService(keyOf(namespace, name))) this.changed();
  }

  private dropService(key: string): boolean {
    const old = this.services.get(key);
    if (old === undefined) return false;
    this.services.delete(key);
    this.servicesByNamespace.get(old.namespace)?.delete(key);
    return true;
  }

  setReplicaSet(rs: ReplicaSet): void {
    this.setSelector(this.replicaSets, keyOf(rs.metadata.namespace, rs.metadata.name), parsed(rs.spec?.selector as LabelSelectorObject | undefined));
  }

  private setSelector(map: Map<string, LabelSelector | undefined>, key: string, selector: LabelSelector | undefined): void {
    const old = map.get(key);
    if (map.has(key) && (old === selector || (old !== undefined && selector !== undefined && old.toString() === selector.toString() && old.nothing === selector.nothing))) return;
    map.set(key, selector);
    this.changed();
  }

  removeReplicaSet(namespace: string, name: string): void {
    if (this.replicaSets.delete(keyOf(namespace, name))) this.changed();
  }

  setStatefulSet(ss: StatefulSet): void {
    this.setSelector(this.statefulSets, keyOf(ss.metadata.namespace, ss.metadata.name), parsed(ss.spec?.selector as LabelSelectorObject | undefined));
  }

  removeStatefulSet(namespace: string, name: string): void {
    if (this.statefulSets.delete(keyOf(namespace, name))) this.changed();
  }

  setReplicationController(rc: ReplicationControllerLike): void {
    const key = keyOf(rc.metadata.namespace, rc.metadata.name);
    const selector = rc.spec?.selector ?? undefined;
    const old = this.controllers.get(key);
    if (this.controllers.has(key) && (old === selector || (old !== undefined && selector !== undefined && sameMap(old, selector)))) return;
    this.controllers.set(key, selector);
    this.changed();
  }

  removeReplicationController(namespace: string, name: string): void {
    if (this.controllers.delete(keyOf(namespace, name))) this.changed();
  }

  set(obj: { readonly kind?: string; readonly metadata: ObjectMeta }): void {
    switch (obj.kind as Kind) {
      case 'Service': this.setService(obj as Service); break;
      case 'ReplicaSet': this.setReplicaSet(obj as ReplicaSet); break;
      case 'StatefulSet': this.setStatefulSet(obj as StatefulSet); break;
      case 'ReplicationController': this.setReplicationController(obj as ReplicationControllerLike); break;
      default: throw new TypeError(`WorkloadCatalog holds Services, ReplicaSets, StatefulSets and ReplicationControllers, not ${String(obj.kind)}`);
    }
  }

  /**
   * kube-scheduler's DefaultSelector: empty (`selector.empty`) when no Service selects the pod and
   * its controller is none of the supported kinds (or not known here).
   */
  defaultSelector(pod: Pod): LabelSelector {
    const meta = pod.metadata;
    const namespace = meta.namespace ?? 'default';
    const labels = meta.labels ?? {};
    // Services that match a pod cannot disagree on a key's value: merging is safe.
    let merged: Record<string, string> | undefined;
    const services = this.servicesByNamespace.get(namespace);
    if (services !== undefined) {
      for (const s of services.values()) {
        if (!s.matcher.matches(labels)) continue;
        merged ??= {};
        for (const k of Object.keys(s.selector)) merged[k] = s.selector[k] as string;
      }
    }
    let selector = merged === undefined ? everythingSelector : labelSelectorFromSet(merged);
    const owner = controllerOf(meta);
    if (owner === undefined) return selector;
    const key = keyOf(namespace, owner.name);
    if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
      if (this.controllers.has(key)) selector = labelSelectorFromSet({ ...merged, ...this.controllers.get(key) });
    } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const other = owner.kind === 'ReplicaSet' ? this.replicaSets.get(key) : this.statefulSets.get(key);
      // A `nothing` selector has no requirements to add (kube: Requirements() is not ok).
      if (other !== undefined && !other.nothing && other.requirements.length > 0) {
        selector = newLabelSelector([...selector.requirements, ...other.requirements] as Requirement[]);
      }
    }
    return selector;
  }
}

function sameMap(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** metav1.GetControllerOf: the owner reference with controller: true. */
function controllerOf(meta: ObjectMeta): { readonly apiVersion: string; readonly kind: string; readonly name: string } | undefined {
  for (const ref of meta.ownerReferences ?? []) if (ref.controller === true) return ref;
  return undefined;
}
