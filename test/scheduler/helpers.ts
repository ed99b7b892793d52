// Test helpers: a few nodes in a node table, and one plugin run over them as the scheduler runs it.
import type { Node, Pod } from '../../src/core/api/types.js';
import { CycleState } from '../../src/scheduler/framework/cycle-state.js';
import type { AssignedPod, FilterPlugin, PreFilterPlugin, PreScorePlugin, PrepareContext, ScorePlugin } from '../../src/scheduler/framework/interfaces.js';
import { newPodInfo, type PodInfo } from '../../src/scheduler/framework/pod-info.js';
import { Code } from '../../src/scheduler/framework/status.js';
import { writeNode } from '../../src/scheduler/nodes.js';
import { InternTable } from '../../src/scheduler/workers/intern.js';
import { NodeTable } from '../../src/scheduler/workers/node-table.js';

export interface NodeSpec {
  readonly name?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly ephemeral?: string;
  readonly labels?: Record<string, string>;
  readonly taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  readonly unschedulable?: boolean;
  readonly images?: { names: string[]; sizeBytes: number }[];
  /** Requests already on the node: [cpu milli, memory bytes]. */
  readonly requested?: readonly [number, number];
}

export function node(spec: NodeSpec, i = 0): Node {
  const alloc: Record<string, string> = { cpu: spec.cpu ?? '4', memory: spec.memory ?? '32Gi', pods: spec.pods ?? '110' };
  if (spec.ephemeral !== undefined) alloc['ephemeral-storage'] = spec.ephemeral;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name ?? `node-${i}`, labels: spec.labels ?? {} },
    spec: { ...(spec.taints === undefined ? {} : { taints: spec.taints }), ...(spec.unschedulable === undefined ? {} : { unschedulable: spec.unschedulable }) },
    status: { allocatable: alloc, images: spec.images ?? [] },
  };
}

export function pod(spec: Partial<NonNullable<Pod['spec']>> & { requests?: Record<string, string>; name?: string } = {}): Pod {
  const { requests, name, ...rest } = spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: name ?? 'p', namespace: 'default', uid: `uid-${name ?? 'p'}` },
    spec: { containers: [{ name: 'c', image: 'img', ...(requests === undefined ? {} : { resources: { requests } }) }], ...rest },
  };
}

export class Cluster {
  readonly table = NodeTable.allocate({ nodesMax: 64, labelsMax: 8, taintsMax: 4, imagesMax: 4, portsMax: 4 });
  readonly intern = new InternTable(4096);
  readonly nodes: Int32Array;
  readonly ctx: PrepareContext;
  readonly nodeObjects: Node[] = [];
  /** Pods placed on nodes, as the scheduler would list them (tests push into it). */
  readonly assigned: AssignedPod[] = [];

  constructor(specs: readonly NodeSpec[]) {
    const names = new Map<string, number>();
    specs.forEach((s, i) => {
      const n = node(s, i);
      this.nodeObjects.push(n);
      writeNode(this.table, this.intern, i, n, i);
      names.set(n.metadata.name ?? '', i);
      const [cpu, mem] = s.requested ?? [0, 0];
      this.table.reqCpuMilli[i] = cpu;
      this.table.nonZeroCpuMilli[i] = cpu;
      this.table.reqMemBytes[i] = mem;
      this.table.nonZeroMemBytes[i] = mem;
    });
    this.table.setHighWater(specs.length);
    this.nodes = Int32Array.from(specs.keys());
    this.ctx = {
      table: this.table,
      strings: this.intern.columns,
      liveNodes: specs.length,
      intern: this.intern,
      nodeIndex: (name) => names.get(name) ?? -1,
      nodes: this.nodes,
      nodeObject: (i) => this.nodeObjects[i],
      assignedPods: () => this.assigned,
    };
  }

  /** Places a pod on a node (for plugins that count pods). */
  place(p: Pod, nodeIndex: number): void {
    this.assigned.push({ info: newPodInfo(p), node: nodeIndex });
  }

  /** Runs PreFilter (if any) then Filter; per node the reason texts ([] = fits), or 'skip'. */
  filter(plugin: FilterPlugin & Partial<PreFilterPlugin>, p: Pod): string[][] | 'skip' {
    const info = newPodInfo(p);
    const state = new CycleState();
    if (plugin.preFilter !== undefined) {
      const r = plugin.preFilter(state, info, this.ctx);
      if (r.status.code === Code.Skip) return 'skip';
    }
    const verdicts = new Uint16Array(this.nodes.length);
    plugin.filter(state, info, this.ctx, this.nodes, this.nodes.length, verdicts, 0);
    return Array.from(verdicts, (v, i) => {
      if (v === 0) return [];
      return [...(plugin.explain?.(state, info, this.ctx, i, v - 1, this.intern) ?? plugin.reasons[v - 1]!.texts)];
    });
  }

  /** Runs PreScore (if any) then Score; raw scores per node, or 'skip'. */
  score(plugin: ScorePlugin & Partial<PreScorePlugin>, p: Pod, info: PodInfo = newPodInfo(p)): number[] | 'skip' {
    const state = new CycleState();
    if (plugin.preScore !== undefined && plugin.preScore(state, info, this.ctx).code === Code.Skip) return 'skip';
    const out = new Float64Array(this.nodes.length);
    plugin.score(state, info, this.ctx, this.nodes, this.nodes.length, out);
    return [...out];
  }
}
