// Messages between the scheduler and its score workers (Piscina tasks). Plain data only.
import type { SchedulerConfigInput } from '../framework/config-input.js';
import type { PodInfo } from '../framework/pod-info.js';
import type { EvaluationTarget } from '../evaluation.js';
import type { InternBuffers } from './intern.js';
import type { NodeTableBuffers } from './node-table.js';

/** Given to every worker once, at start. The buffers are shared, not copied. */
export interface WorkerInit {
  readonly table: NodeTableBuffers;
  readonly strings: InternBuffers;
  /** The configuration the main thread built its profiles from (in-tree plugins only). */
  readonly config: SchedulerConfigInput;
}

export interface TaskPod {
  readonly info: PodInfo;
  readonly profile: string;
  /** CycleState entries written by PreFilter / PreScore on the main thread. */
  readonly state: readonly (readonly [string, unknown])[];
  readonly skipFilter: readonly string[];
  readonly skipScore: readonly string[];
  /**
   * The pod's evaluation arrays (shared): the worker writes its chunk's nodes into them. Owner:
   * this task, for the indices of its chunk, until it resolves.
   */
  readonly target: EvaluationTarget;
}

/** Evaluate every pod against the nodes `nodes` (a chunk of the live nodes). */
export interface EvalTask {
  /** The node table's epoch when the task was planned; the worker checks it did not move. */
  readonly epoch: number;
  readonly liveNodes: number;
  readonly nodes: Int32Array;
  readonly pods: readonly TaskPod[];
}

/** The number of pods evaluated (the results are in the targets). */
export type EvalResult = number;
