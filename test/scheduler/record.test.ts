import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler, simulatorAnnotationKeys as keys, type Binding } from '../../src/scheduler/index.js';
import { node, pod } from './helpers.js';

async function schedule(recordResults: boolean): Promise<Binding[]> {
  const s = createScheduler({ recordResults, seed: 1 });
  const bindings: Binding[] = [];
  s.onBinding((b) => bindings.push(b));
  try {
    s.addNode(node({ name: 'small', cpu: '1' }));
    s.addNode(node({ name: 'big', cpu: '8' }));
    s.addNode(node({ name: 'tainted', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
    s.addPod(pod({ name: 'p', requests: { cpu: '2', memory: '1Gi' } }));
    await s.idle();
    return bindings;
  } finally {
    await s.close();
  }
}

test('recordResults: kube-scheduler-simulator annotations per node and plugin', async () => {
  const [b] = await schedule(true);
  assert.ok(b !== undefined && b.results !== undefined);
  const r = b.results;
  assert.equal(b.nodeName, 'big');
  assert.equal(r[keys.selectedNode], 'big');
  const filter = JSON.parse(r[keys.filter]!) as Record<string, Record<string, string>>;
  assert.deepEqual(Object.keys(filter).sort(), ['big', 'small', 'tainted']);
  assert.equal(filter['big']!['NodeResourcesFit'], 'passed');
  assert.equal(filter['small']!['NodeResourcesFit'], 'Insufficient cpu');
  assert.equal(filter['tainted']!['TaintToleration'], "node(s) had untolerated taint {k: v}");
  // Plugins after the first failure did not run on that node.
  assert.equal(filter['tainted']!['NodeResourcesFit'], undefined);
  for (const row of Object.values(filter)) for (const v of Object.values(row)) assert.ok(v.length > 0);
  const score = JSON.parse(r[keys.score]!) as Record<string, Record<string, string>>;
  const finalScore = JSON.parse(r[keys.finalScore]!) as Record<string, Record<string, string>>;
  // Only the feasible node is scored; raw and weighted scores are integer strings.
  assert.deepEqual(Object.keys(score), ['big']);
  assert.ok(Object.keys(score['big']!).includes('NodeResourcesFit'));
  for (const v of Object.values(finalScore['big']!)) assert.match(v, /^-?\d+$/);
  // TaintToleration's weight is 3: its final score is 3 × 100 on a node without taints.
  assert.equal(finalScore['big']!['TaintToleration'], '300');
  assert.equal(r[keys.bind], '{"DefaultBinder":"success"}');
  assert.equal(r[keys.postFilter], '{}');
});

test('recordResults off: no results on bindings', async () => {
  const [b] = await schedule(false);
  assert.ok(b !== undefined);
  assert.equal(b.results, undefined);
});
