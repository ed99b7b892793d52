// The Piscina worker: filters and scores a chunk of nodes for a batch of pods, reading the shared
// node table (never writing it). Frameworks are built once per worker from the same configuration
// as the main thread's, with the in-tree registry.
import { Piscina } from 'piscina';
import { CycleState } from '../framework/cycle-state.js';
import { parseSchedulerConfig } from '../framework/config.js';
import type { NodeView } from '../framework/interfaces.js';
import { buildFramework, type Framework } from '../framework/runtime.js';
import { inTreeRegistry } from '../plugins/registry.js';
import { activeScorePlugins, evaluateNodes, EvaluateScratch } from './evaluate.js';
import { scoreLayout, writeChunk } from '../evaluation.js';
import { InternColumns } from './intern.js';
import { NodeTable } from './node-table.js';
import type { EvalResult, EvalTask, WorkerInit } from './protocol.js';

interface WorkerState {
  readonly table: NodeTable;
  readonly strings: InternColumns;
  readonly frameworks: ReadonlyMap<string, Framework>;
}

const noBinder = {
  bind(): Promise<void> {
    return Promise.reject(new Error('workers do not bind'));
  },
};

// Built on the first task, not at import: Piscina loads the module once with require() and falls
// back to import() if that throws, and a throw here would surface as an opaque loader error.
let worker: WorkerState | undefined;

function setUp(): WorkerState {
  const init = Piscina.workerData as WorkerInit;
  const registry = inTreeRegistry();
  const frameworks = new Map<string, Framework>();
  for (const p of parseSchedulerConfig(init.config).profiles) {
    frameworks.set(p.schedulerName, buildFramework(p, registry, { binder: noBinder }));
  }
  return { table: new NodeTable(init.table), strings: new InternColumns(init.strings), frameworks };
}

const scratch = new EvaluateScratch();
let verdicts = new Uint16Array(0);
let raw = new Float64Array(0);

export default function evaluate(task: EvalTask): EvalResult {
  worker ??= setUp();
  const { table, strings, frameworks } = worker;
  // The table may have grown (more label / taint / image slots, resource columns) since the last task.
  table.sync();
  const epochBefore = table.epoch;
  if (epochBefore !== task.epoch) throw new Error(`node table epoch ${epochBefore}, task planned at ${task.epoch}`);
  const view: NodeView = { table, strings, liveNodes: task.liveNodes };
  const count = task.nodes.length;
  if (verdicts.length < count) verdicts = new Uint16Array(count);
  for (const p of task.pods) {
    const fw = frameworks.get(p.profile);
    if (fw === undefined) throw new Error(`unknown profile ${p.profile}`);
    const state = new CycleState(p.state);
    for (const n of p.skipFilter) state.skipFilter.add(n);
    for (const n of p.skipScore) state.skipScore.add(n);
    const active = activeScorePlugins(fw, state);
    const need = active.length * count;
    if (raw.length < need) raw = new Float64Array(need);
    evaluateNodes(fw, state, p.info, view, task.nodes, count, active, verdicts, raw, scratch);
    writeChunk(scoreLayout(fw, active), task.nodes, count, verdicts, raw, p.target);
  }
  if (table.epoch !== epochBefore) throw new Error('node table written while a worker read it');
  return task.pods.length;
}
