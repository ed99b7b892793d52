// The scheduler as a cluster component: informers feed the library scheduler with nodes, pods and
// PodDisruptionBudgets; it binds through `pods/binding`, reports unschedulable pods as kube-scheduler
// does (PodScheduled=False condition and a FailedScheduling Event), and deletes preemption victims.
//
// It sees the cluster only through a ClusterApi: the in-process client inside `cox up`, or the HTTP
// client in `cox scheduler --server <url>`. The same code runs both ways.

import type { KubeObject, Node, Pod, PodDisruptionBudget, ReplicaSet, Service, StatefulSet } from '../../core/api/types.js';
import { formatTimestamp } from '../../core/api/meta.js';
import { isStatusError } from '../../core/errors.js';
import type { ClusterApi, ResourceType } from '../../net/api.js';
import { objectKeyOf } from '../../net/client/indexer.js';
import { SharedInformerFactory } from '../../net/client/informer.js';
import type { Binder } from '../framework/interfaces.js';
import type { PodInfo } from '../framework/pod-info.js';
import { WorkloadCatalog } from '../plugins/pod-topology-spread/workloads.js';
import { createScheduler, type Scheduler, type SchedulerOptions, type Unschedulable } from '../scheduler.js';

const podsResource: ResourceType = { group: '', version: 'v1', plural: 'pods' };
const nodesResource: ResourceType = { group: '', version: 'v1', plural: 'nodes' };
const pdbResource: ResourceType = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' };
const eventsResource: ResourceType = { group: '', version: 'v1', plural: 'events' };
const servicesResource: ResourceType = { group: '', version: 'v1', plural: 'services' };
const replicaSetsResource: ResourceType = { group: 'apps', version: 'v1', plural: 'replicasets' };
const statefulSetsResource: ResourceType = { group: 'apps', version: 'v1', plural: 'statefulsets' };

export interface SchedulerServiceOptions extends Omit<SchedulerOptions, 'binder'> {
  /** Logs failures the service recovers from. */
  readonly onError?: (error: unknown) => void;
  /** Name reported as the Event source (default "default-scheduler"). */
  readonly component?: string;
}

/** Phases after which a pod holds no resources on its node. */
function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class SchedulerService {
  readonly scheduler: Scheduler;
  /** Services, ReplicaSets and StatefulSets from informers: PodTopologySpread's default constraints. */
  readonly workloads: WorkloadCatalog;
  private readonly factory: SharedInformerFactory;
  private readonly onError: (error: unknown) => void;
  private readonly component: string;
  /** Pods whose last unschedulable message we reported, to write each change once. */
  private readonly reported = new Map<string, string>();
  private started = false;
  /**
   * Pods waiting to be scheduled that arrived before every informer's first list: kube-scheduler
   * schedules nothing until its caches have synced, or a pod would see a partial cluster (some
   * nodes, none of its Services). Undefined once synced.
   */
  private pendingBeforeSync: Map<string, Pod> | undefined = new Map();

  constructor(
    private readonly api: ClusterApi,
    options: SchedulerServiceOptions = {},
  ) {
    this.onError = options.onError ?? (() => undefined);
    this.component = options.component ?? 'default-scheduler';
    const binder: Binder = { bind: (pod, nodeName) => this.bind(pod, nodeName) };
    this.workloads = options.workloads ?? new WorkloadCatalog();
    this.scheduler = createScheduler({ ...options, binder, workloads: this.workloads });
    this.factory = new SharedInformerFactory(api, { onError: this.onError });

    // kube-scheduler's Service / ReplicaSet / StatefulSet listers (ReplicationControllers are not
    // served here: a library user can still add them to the catalog).
    const w = this.workloads;
    this.factory.informerFor<Service>(servicesResource).addEventHandler({
      onAdd: (svc) => w.setService(svc),
      onUpdate: (_old, svc) => w.setService(svc),
      onDelete: (svc) => w.removeService(svc.metadata.namespace ?? '', svc.metadata.name ?? ''),
    });
    this.factory.informerFor<ReplicaSet>(replicaSetsResource).addEventHandler({
      onAdd: (rs) => w.setReplicaSet(rs),
      onUpdate: (_old, rs) => w.setReplicaSet(rs),
      onDelete: (rs) => w.removeReplicaSet(rs.metadata.namespace ?? '', rs.metadata.name ?? ''),
    });
    this.factory.informerFor<StatefulSet>(statefulSetsResource).addEventHandler({
      onAdd: (ss) => w.setStatefulSet(ss),
      onUpdate: (_old, ss) => w.setStatefulSet(ss),
      onDelete: (ss) => w.removeStatefulSet(ss.metadata.namespace ?? '', ss.metadata.name ?? ''),
    });

    this.factory.informerFor<Node>(nodesResource).addEventHandler({
      onAdd: (node) => this.scheduler.addNode(node),
      onUpdate: (_old, node) => this.scheduler.updateNode(node),
      onDelete: (node) => this.scheduler.removeNode(node.metadata.name ?? ''),
    });
    this.factory.informerFor<Pod>(podsResource).addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => {
        this.pendingBeforeSync?.delete(objectKeyOf(pod));
        this.reported.delete(objectKeyOf(pod));
        this.scheduler.removePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
      },
    });
    this.factory.informerFor<PodDisruptionBudget>(pdbResource).addEventHandler({
      onAdd: (pdb) => this.scheduler.addPodDisruptionBudget(pdb),
      onUpdate: (_old, pdb) => this.scheduler.addPodDisruptionBudget(pdb),
      onDelete: (pdb) => this.scheduler.removePodDisruptionBudget(pdb.metadata.namespace ?? '', pdb.metadata.name ?? ''),
    });
    this.scheduler.onUnschedulable((u) => void this.reportUnschedulable(u).catch(this.onError));
    // --record-results: the simulator's annotations, written once the bind is durable.
    if (options.recordResults === true) {
      this.scheduler.onBinding((b) => {
        if (b.results !== undefined) void this.writeResults(b.pod, b.results).catch(this.onError);
      });
    }
    this.scheduler.onPreemption((p) => {
      for (const victim of p.victims) void this.evict(victim, p.preemptor, p.nodeName).catch(this.onError);
    });
  }

  /** Starts the informers; resolves once their first lists are in (or `timeoutMs` passed). */
  async start(timeoutMs = 60_000): Promise<boolean> {
    if (this.started) return true;
    this.started = true;
    this.factory.start();
    const synced = await this.factory.waitForCacheSync(timeoutMs);
    // Timed out or not, from here on pods are scheduled with what the caches hold.
    const pending = this.pendingBeforeSync;
    this.pendingBeforeSync = undefined;
    if (pending !== undefined) for (const pod of pending.values()) this.scheduler.updatePod(pod);
    return synced;
  }

  async stop(): Promise<void> {
    await this.factory.shutdown();
    await this.scheduler.close();
  }

  private podChanged(pod: Pod): void {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    // Finished or deleting pods give their resources back (kube-scheduler's cache does the same).
    if (isTerminal(pod) || (pod.metadata.deletionTimestamp !== undefined && (pod.spec?.nodeName ?? '') === '')) {
      this.pendingBeforeSync?.delete(objectKeyOf(pod));
      this.scheduler.removePod(namespace, name);
      return;
    }
    if ((pod.spec?.nodeName ?? '') !== '') {
      this.pendingBeforeSync?.delete(objectKeyOf(pod));
      this.reported.delete(objectKeyOf(pod));
      this.scheduler.addPod(pod);
      return;
    }
    if (this.pendingBeforeSync !== undefined) {
      this.pendingBeforeSync.set(objectKeyOf(pod), pod);
      return;
    }
    this.scheduler.updatePod(pod);
  }

  private async bind(info: PodInfo, nodeName: string): Promise<void> {
    const pod = info.pod;
    await this.api.create(
      podsResource,
      pod.metadata.namespace ?? '',
      {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: pod.metadata.uid ?? '' },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      } as KubeObject,
      {},
      { name: pod.metadata.name ?? '', subresource: 'binding' },
    );
  }

  /** Merges the recorded results into the pod's annotations (a pod deleted since is left alone). */
  private async writeResults(pod: Pod, results: Readonly<Record<string, string>>): Promise<void> {
    try {
      await this.api.patch(podsResource, pod.metadata.namespace ?? '', pod.metadata.name ?? '', 'merge', { metadata: { annotations: results } }, { fieldManager: this.component });
    } catch (e) {
      if (!(isStatusError(e) && e.reason === 'NotFound')) throw e;
    }
  }

  /**
   * A preemption victim, as kube-scheduler's preemption evicts it: a DisruptionTarget condition on
   * its status (PreemptionByScheduler), the delete (only that pod: a uid precondition), and a
   * Preempted Event naming the preemptor.
   */
  private async evict(victim: Pod, preemptor: Pod, nodeName: string): Promise<void> {
    const namespace = victim.metadata.namespace ?? '';
    const name = victim.metadata.name ?? '';
    const schedulerName = preemptor.spec?.schedulerName ?? 'default-scheduler';
    const now = formatTimestamp(Date.now());
    try {
      await this.patchStatus(namespace, name, {
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: `${schedulerName}: preempting to accommodate a higher priority pod`,
            lastTransitionTime: now,
          },
        ],
      });
      await this.api.delete(podsResource, namespace, name, { preconditions: { uid: victim.metadata.uid ?? '' } });
    } catch (e) {
      // Gone already, or a new pod of the same name: nothing of ours to evict.
      if (isStatusError(e) && (e.reason === 'NotFound' || e.reason === 'Conflict')) return;
      throw e;
    }
    await this.recordEvent(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid ?? ''} on node ${nodeName}`);
  }

  /** PodScheduled=False with kube-scheduler's message, and a FailedScheduling Event, once per change. */
  private async reportUnschedulable(u: Unschedulable): Promise<void> {
    const pod = u.pod;
    const key = objectKeyOf(pod);
    const reportKey = `${u.nominatedNodeName ?? ''}\u0000${u.message}`;
    if (this.reported.get(key) === reportKey) return;
    this.reported.set(key, reportKey);
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const now = formatTimestamp(Date.now());
    try {
      await this.patchStatus(namespace, name, {
        conditions: [{ ...u.condition, lastProbeTime: null, lastTransitionTime: now }],
        // Where a preemption made room: the pod waits for its victims there.
        ...(u.nominatedNodeName === undefined ? {} : { nominatedNodeName: u.nominatedNodeName }),
      });
    } catch (e) {
      if (!(isStatusError(e) && e.reason === 'NotFound')) throw e;
      return;
    }
    await this.recordEvent(pod, 'Warning', 'FailedScheduling', u.message);
  }

  /** A strategic merge patch of a pod's status (conditions merge by type), as this scheduler. */
  private async patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    await this.api.patch(podsResource, namespace, name, 'strategic', { status }, { fieldManager: this.component }, 'status');
  }

  /** An Event about a pod, from this scheduler (as client-go's event recorder writes it). */
  private async recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const now = formatTimestamp(Date.now());
    await this.api.create(eventsResource, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      // Named as client-go's event recorder names them: <object>.<unix nanos in hex>.
      metadata: { name: `${name}.${(BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n).toString(16)}`, namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace, uid: pod.metadata.uid ?? '' },
      reason,
      message,
      type,
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as KubeObject);
  }
}
