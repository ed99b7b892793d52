// The three PreFilterResult messages, checked against kube-scheduler 1.32 (framework/runtime's
// RunPreFilterPlugins and schedule_one's absent-node status): plugin names are a set, printed
// sorted, whatever order the profile runs them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/core/api/types.js';
import type { PreFilterPlugin, PreFilterResult, PrepareContext } from '../../src/scheduler/framework/interfaces.js';
import { createScheduler, inTreeRegistry, success } from '../../src/scheduler/index.js';
import { node, pod } from './helpers.js';

/** A PreFilter plugin that narrows every pod to the named nodes. */
function narrowing(name: string, nodeNames: readonly string[]): () => PreFilterPlugin {
  return () => ({
    name,
    preFilter: (_state, _pod, ctx: PrepareContext): PreFilterResult => ({ status: success, nodes: nodeNames.map((n) => ctx.nodeIndex(n)) }),
  });
}

test('PreFilterResult messages: one plugin, several simultaneously (sorted), absent nodes (sorted)', async () => {
  const cases: { name: string; plugins: [string, string[]][]; cpu: string; want: string }[] = [
    { name: 'one plugin narrows to nothing', plugins: [['Zeta', []]], cpu: '100m', want: "0/3 nodes are available: node(s) didn't satisfy plugin Zeta." },
    {
      name: 'two plugins, disjoint: names sorted, not in profile order',
      plugins: [['Zeta', ['n0']], ['Alpha', ['n1']]],
      cpu: '100m',
      want: "0/3 nodes are available: node(s) didn't satisfy plugin(s) [Alpha Zeta] simultaneously.",
    },
    {
      name: 'narrowed to n0, which is too small: the others are absent',
      plugins: [['Zeta', ['n0', 'n1']], ['Alpha', ['n0', 'n2']]],
      cpu: '8',
      want: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [Alpha Zeta].",
    },
  ];
  for (const c of cases) {
    const registry = inTreeRegistry();
    for (const [name, nodes] of c.plugins) registry.register(name, narrowing(name, nodes));
    const s = createScheduler({
      registry,
      profiles: { profiles: [{ plugins: { multiPoint: { enabled: c.plugins.map(([name]) => ({ name })), disabled: [{ name: 'DefaultPreemption' }] } } }] },
    });
    const messages: string[] = [];
    s.onUnschedulable((u) => messages.push(u.message));
    for (let i = 0; i < 3; i++) s.addNode(node({ name: `n${i}`, cpu: '4' }));
    const p: Pod = pod({ name: 'p', requests: { cpu: c.cpu } });
    s.addPod(p);
    await s.idle();
    await s.close();
    assert.equal(messages[0], c.want, c.name);
  }
});
