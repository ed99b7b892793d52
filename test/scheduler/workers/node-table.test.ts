// The node table holds any number of labels, taints, images and extended resources per node: past
// its slots it grows (a growable SharedArrayBuffer laid out again), keeping every node's data, and
// a reader over the same buffer (a worker) rebinds on sync().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../src/core/api/types.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { clearNode, writeNode } from '../../../src/scheduler/nodes.js';
import { InternTable } from '../../../src/scheduler/workers/intern.js';
import { NodeTable, TaintEffect } from '../../../src/scheduler/workers/node-table.js';
import { pod } from '../helpers.js';

function bigNode(name: string, labels: number, taints: number, images: number, resources: readonly string[]): Node {
  const l: Record<string, string> = { 'kubernetes.io/hostname': name };
  for (let i = 1; i < labels; i++) l[`label-${i}`] = `v${i}`;
  const alloc: Record<string, string> = { cpu: '4', memory: '8Gi', pods: '10' };
  for (const [i, r] of resources.entries()) alloc[r] = String(i + 1);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: l },
    spec: { taints: Array.from({ length: taints }, (_, i) => ({ key: `t${i}`, value: `x${i}`, effect: i % 2 === 0 ? ('NoSchedule' as const) : ('PreferNoSchedule' as const) })) },
    status: { allocatable: alloc, images: Array.from({ length: images }, (_, i) => ({ names: [`img-${i}`], sizeBytes: (i + 1) * 1_000_000 })) },
  };
}

/** Everything a reader sees of a node, through the table's own columns. */
function read(table: NodeTable, intern: InternTable, node: number): unknown {
  const d = table.dims;
  const labels: string[] = [];
  for (let k = 0; k < (table.labelCount[node] as number); k++) labels.push(`${intern.string(table.labelKey[node * d.labelsMax + k] as number)}=${intern.string(table.labelValue[node * d.labelsMax + k] as number)}`);
  const taints: string[] = [];
  for (let k = 0; k < (table.taintCount[node] as number); k++) taints.push(`${intern.string(table.taintKey[node * d.taintsMax + k] as number)}:${table.taintEffect[node * d.taintsMax + k]}`);
  const images: string[] = [];
  for (let k = 0; k < (table.imageCount[node] as number); k++) images.push(`${intern.string(table.imageId[node * d.imagesMax + k] as number)}/${table.imageBytes[node * d.imagesMax + k]}`);
  const scalars: string[] = [];
  for (let c = 0; c < table.scalarCount; c++) {
    const q = table.allocScalar[c * d.nodesMax + node] as number;
    if (q !== 0) scalars.push(`${intern.string(table.scalarName[c] as number)}=${q}`);
  }
  return { labels, taints, images, scalars, cpu: table.allocCpuMilli[node], reqCpu: table.reqCpuMilli[node], rank: table.rank[node], live: table.isLive(node) };
}

test('a node past the slots grows the table; every node keeps its data; a reader rebinds on sync', () => {
  const table = NodeTable.allocate({ nodesMax: 8, labelsMax: 2, taintsMax: 1, imagesMax: 1, portsMax: 1, scalarsMax: 1 });
  const intern = new InternTable(4096);
  const reader = new NodeTable(table.buffers); // what a worker holds
  const cases: { name: string; labels: number; taints: number; images: number; resources: string[] }[] = [
    { name: 'small', labels: 1, taints: 1, images: 1, resources: ['example.com/gpu'] },
    { name: 'more labels', labels: 7, taints: 0, images: 0, resources: [] },
    { name: 'more taints', labels: 2, taints: 5, images: 0, resources: [] },
    { name: 'more images', labels: 1, taints: 0, images: 9, resources: [] },
    { name: 'more resources', labels: 1, taints: 0, images: 0, resources: ['a.io/x', 'b.io/y', 'hugepages-2Mi', 'example.com/gpu'] },
    { name: 'everything', labels: 40, taints: 17, images: 33, resources: ['c.io/z'] },
  ];
  const want: unknown[] = [];
  for (const [i, c] of cases.entries()) {
    writeNode(table, intern, i, bigNode(`n${i}`, c.labels, c.taints, c.images, c.resources), 100 + i);
    table.reqCpuMilli[i] = 10 * i;
    table.setHighWater(i + 1);
    want.push(read(table, intern, i));
    const got = want[i] as { labels: string[]; taints: string[]; images: string[]; scalars: string[] };
    assert.equal(got.labels.length, c.labels, c.name);
    assert.equal(got.taints.length, c.taints, c.name);
    assert.equal(got.images.length, c.images, c.name);
    // Columns come in the order resources were first seen, cluster-wide.
    assert.deepEqual([...got.scalars].sort(), c.resources.map((r, k) => `${r}=${k + 1}`).sort(), c.name);
    // Nodes written before the growth read the same.
    for (let j = 0; j <= i; j++) assert.deepEqual(read(table, intern, j), want[j], `${c.name}: node ${j}`);
    reader.sync();
    for (let j = 0; j <= i; j++) assert.deepEqual(read(reader, intern, j), want[j], `${c.name}: reader, node ${j}`);
  }
  assert.ok(table.dims.labelsMax >= 40 && table.dims.taintsMax >= 17 && table.dims.imagesMax >= 33 && table.dims.scalarsMax >= 6);
  assert.equal(table.labelValueOf(5, intern.intern('label-39')), intern.intern('v39'));
  assert.equal(table.taintEffect[5 * table.dims.taintsMax + 16], TaintEffect.NoSchedule);
  // The images' node counts follow (ImageLocality's spread).
  assert.equal(intern.columns.imageNodes[intern.intern('img-0')], 3);
  clearNode(table, intern, 5);
  assert.equal(intern.columns.imageNodes[intern.intern('img-0')], 2);
  assert.deepEqual((read(table, intern, 5) as { scalars: string[] }).scalars, []);
});

test('the scheduler filters and scores on labels, taints and images past the first slots, with and without workers', async () => {
  // Slots for 2 labels, 1 taint, 1 image: every node below needs more.
  const nodeTable = { labelsMax: 2, taintsMax: 1, imagesMax: 1 };
  const results: string[] = [];
  for (const workers of [0, 2]) {
    const s = createScheduler({ workers, seed: 5, nodeTable, check: 'full' });
    const placed = new Map<string, string>();
    s.onBinding((b) => placed.set(b.pod.metadata.name ?? '', b.nodeName));
    // A round first, so the workers hold views of the small table when it grows.
    s.addNode(bigNode('warm', 1, 0, 0, []));
    s.addPod(pod({ name: 'warm-up', requests: { cpu: '100m' } }));
    await s.idle();
    for (let i = 0; i < 6; i++) {
      const n = bigNode(`n${i}`, 6, 0, 3, []);
      // The 6th label tells nodes apart; n4's third taint is untolerated; n5 has the app's image last.
      n.metadata.labels = { ...n.metadata.labels, role: i < 3 ? 'web' : 'db' };
      if (i === 4) n.spec = { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }, { key: 'dedicated', value: 'x', effect: 'NoSchedule' }] };
      if (i === 5) n.status!.images = [...n.status!.images!, { names: ['app:1'], sizeBytes: 900_000_000 }];
      s.addNode(n);
    }
    s.addPod(pod({ name: 'web', nodeSelector: { role: 'web', 'label-5': 'v5' }, requests: { cpu: '100m' } }));
    // db nodes: n3, n4 (tainted), n5 (has the image): the image decides.
    const db = pod({ name: 'db', nodeSelector: { role: 'db' }, requests: { cpu: '100m' } });
    db.spec!.containers[0]!.image = 'app:1';
    s.addPod(db);
    const tainted = pod({ name: 'only-n4', nodeSelector: { 'kubernetes.io/hostname': 'n4' } });
    s.addPod(tainted);
    await s.idle();
    assert.ok(['n0', 'n1', 'n2'].includes(placed.get('web') ?? ''), placed.get('web'));
    assert.equal(placed.get('db'), 'n5');
    assert.equal(placed.has('only-n4'), false);
    assert.equal(s.stats().placementViolations, 0);
    await s.close();
    results.push(JSON.stringify([...placed].sort()));
  }
  assert.equal(results[0], results[1]);
});
