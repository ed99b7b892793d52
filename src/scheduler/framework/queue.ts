// The scheduling queue (kube-scheduler's PriorityQueue), three parts:
//
//   add ──PreEnqueue──► activeQ (QueueSort: priority, then time) ──pop──► scheduling cycle
//            │ rejected       ▲      ▲                                        │ failed
//            ▼                │      │ backoff expired                        ▼
//        gated (until the     │   backoffQ (by expiry: 1 s · 2^(attempts-1), at most 10 s)
//        pod is updated)      │      ▲
//                             └── unschedulable set ◄─────────────────────────┘
//                                 moved by cluster events that concern the plugins that rejected
//                                 the pod (to backoffQ if still backing off), or after 5 minutes
//
// A pod that failed while a move request happened during its cycle goes to backoffQ, not to the
// unschedulable set (the event it waits for may already have happened).
import { KeyedHeap } from './heap.js';
import type { PreEnqueuePlugin, QueueSortPlugin, QueuedPodInfo } from './interfaces.js';
import type { PodInfo } from './pod-info.js';
import { Code } from './status.js';

export const podInitialBackoffMs = 1_000;
export const podMaxBackoffMs = 10_000;
/** kube-scheduler's podMaxInUnschedulablePodsDuration. */
export const podMaxInUnschedulableMs = 5 * 60_000;

/** Cluster events that may make an unschedulable pod schedulable. */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'NodeTaintChange'
  | 'NodeLabelChange'
  | 'NodeAllocatableChange'
  | 'PodDelete'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  /** A PersistentVolumeClaim, PersistentVolume or StorageClass was added, changed or removed. */
  | 'VolumeChange';

/** Which plugins' rejections an event may undo; a pod rejected by none of them stays put. */
const eventPlugins: { readonly [E in ClusterEvent]: readonly string[] | '*' } = {
  NodeAdd: '*',
  NodeUpdate: '*',
  NodeTaintChange: ['TaintToleration', 'NodeUnschedulable'],
  NodeLabelChange: ['NodeAffinity', 'PodTopologySpread', 'InterPodAffinity'],
  NodeAllocatableChange: ['NodeResourcesFit'],
  PodDelete: ['NodeResourcesFit', 'NodePorts', 'PodTopologySpread', 'InterPodAffinity', 'VolumeRestrictions', 'DefaultPreemption'],
  AssignedPodAdd: ['PodTopologySpread', 'InterPodAffinity'],
  AssignedPodUpdate: ['PodTopologySpread', 'InterPodAffinity', 'NodeResourcesFit'],
  VolumeChange: ['VolumeBinding', 'VolumeRestrictions'],
};

export interface QueueOptions {
  readonly sort: QueueSortPlugin;
  readonly preEnqueue: readonly PreEnqueuePlugin[];
  /** Monotonic milliseconds; injectable for tests. */
  readonly now?: () => number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** A new pod was rejected by no plugin yet (shared: the set is never written, only replaced). */
const noPlugins: ReadonlySet<string> = new Set<string>();

export type QueueLocation = 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight' | 'absent';

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, { readonly qp: QueuedPodInfo; readonly sinceMs: number }>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  /** Popped, not yet done: the cycle it was popped in. */
  private readonly inFlight = new Map<string, { readonly qp: QueuedPodInfo; readonly cycle: number }>();
  private seq = 0;
  /** Incremented per pop: the scheduling cycle. */
  private cycle = 0;
  /** The cycle of the last move request (cluster event). */
  private moveRequestCycle = -1;
  private readonly preEnqueue: readonly PreEnqueuePlugin[];

  constructor(options: QueueOptions) {
    this.now = options.now ?? (() => performance.now());
    this.initialBackoffMs = options.initialBackoffMs ?? podInitialBackoffMs;
    this.maxBackoffMs = options.maxBackoffMs ?? podMaxBackoffMs;
    this.preEnqueue = options.preEnqueue;
    const sort = options.sort;
    this.activeQ = new KeyedHeap<QueuedPodInfo>((q) => q.info.key, (a, b) => sort.less(a, b) || (!sort.less(b, a) && a.seq < b.seq));
    this.backoffQ = new KeyedHeap<QueuedPodInfo>((q) => q.info.key, (a, b) => this.backoffExpiryMs(a) < this.backoffExpiryMs(b));
  }

  /** Backoff of a pod that failed `attempts` times: 1 s, 2 s, 4 s, 8 s, then 10 s. */
  backoffDurationMs(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiryMs(qp: QueuedPodInfo): number {
    return qp.timestampMs + this.backoffDurationMs(qp.attempts);
  }

  private gatedBy(info: PodInfo): boolean {
    for (const p of this.preEnqueue) if (p.preEnqueue(info).code !== Code.Success) return true;
    return false;
  }

  /** A new pending pod. Gated pods wait in `gated` until updated. */
  add(info: PodInfo): void {
    const now = this.now();
    const qp: QueuedPodInfo = { info, initialAttemptMs: now, timestampMs: now, attempts: 0, unschedulablePlugins: noPlugins, seq: this.seq++ };
    if (this.gatedBy(info)) this.gated.set(info.key, qp);
    else this.activeQ.push(qp);
  }

  /**
   * The pod changed (e.g. a scheduling gate removed). It keeps its attempts; a gated pod whose gates
   * are gone moves to activeQ; an unschedulable one is retried (to backoffQ if still backing off).
   */
  update(info: PodInfo): void {
    const key = info.key;
    const found = this.takeQueued(key);
    if (found === undefined) {
      if (this.inFlight.has(key)) return; // the cycle in flight decides; the update is seen next time
      this.add(info);
      return;
    }
    const qp: QueuedPodInfo = { ...found, info };
    if (this.gatedBy(info)) {
      this.gated.set(key, qp);
      return;
    }
    if (qp.attempts > 0 && this.backoffExpiryMs(qp) > this.now()) this.backoffQ.push(qp);
    else this.activeQ.push(qp);
  }

  private takeQueued(key: string): QueuedPodInfo | undefined {
    const a = this.activeQ.delete(key) ?? this.backoffQ.delete(key);
    if (a !== undefined) return a;
    const u = this.unschedulable.get(key);
    if (u !== undefined) {
      this.unschedulable.delete(key);
      return u.qp;
    }
    const g = this.gated.get(key);
    if (g !== undefined) this.gated.delete(key);
    return g;
  }

  delete(key: string): void {
    this.takeQueued(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule, or undefined when activeQ is empty (after moving expired backoffs). */
  pop(): QueuedPodInfo | undefined {
    this.flush();
    const qp = this.activeQ.pop();
    if (qp === undefined) return undefined;
    qp.attempts++;
    this.cycle++;
    this.inFlight.set(qp.info.key, { qp, cycle: this.cycle });
    return qp;
  }

  /** The scheduling cycle finished with the pod placed (or deleted). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The cycle failed: `rejectedBy` are the plugins that rejected it (empty for an Error). The pod
   * goes to the unschedulable set, or to backoffQ if an event arrived during its cycle or it failed
   * with an error.
   */
  requeue(key: string, rejectedBy: ReadonlySet<string>, error: boolean): void {
    const f = this.inFlight.get(key);
    if (f === undefined) return;
    this.inFlight.delete(key);
    const qp = f.qp;
    qp.timestampMs = this.now();
    qp.unschedulablePlugins = rejectedBy;
    if (error || this.moveRequestCycle >= f.cycle) this.backoffQ.push(qp);
    else this.unschedulable.set(key, { qp, sinceMs: qp.timestampMs });
  }

  /** A cluster event: unschedulable pods it concerns move to activeQ, or backoffQ if backing off. */
  onEvent(event: ClusterEvent): number {
    this.moveRequestCycle = this.cycle;
    const plugins = eventPlugins[event];
    let moved = 0;
    for (const [key, u] of this.unschedulable) {
      if (plugins !== '*' && u.qp.unschedulablePlugins.size > 0 && !plugins.some((p) => u.qp.unschedulablePlugins.has(p))) continue;
      this.unschedulable.delete(key);
      this.toActiveOrBackoff(u.qp);
      moved++;
    }
    return moved;
  }

  private toActiveOrBackoff(qp: QueuedPodInfo): void {
    if (this.backoffExpiryMs(qp) > this.now()) this.backoffQ.push(qp);
    else this.activeQ.push(qp);
  }

  /** Moves expired backoffs to activeQ and pods unschedulable for over 5 minutes back to the queues. */
  flush(): void {
    const now = this.now();
    for (;;) {
      const top = this.backoffQ.peek();
      if (top === undefined || this.backoffExpiryMs(top) > now) break;
      this.backoffQ.pop();
      this.activeQ.push(top);
    }
    for (const [key, u] of this.unschedulable) {
      if (now - u.sinceMs > podMaxInUnschedulableMs) {
        this.unschedulable.delete(key);
        this.toActiveOrBackoff(u.qp);
      }
    }
  }

  /** When the next backoff expires (ms on the queue's clock), or undefined. */
  nextBackoffExpiryMs(): number | undefined {
    const top = this.backoffQ.peek();
    return top === undefined ? undefined : this.backoffExpiryMs(top);
  }

  where(key: string): QueueLocation {
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.gated.has(key)) return 'gated';
    if (this.inFlight.has(key)) return 'inFlight';
    return 'absent';
  }

  get activeCount(): number {
    return this.activeQ.size;
  }

  get pendingCount(): number {
    return this.activeQ.size + this.backoffQ.size + this.unschedulable.size + this.gated.size;
  }
}
