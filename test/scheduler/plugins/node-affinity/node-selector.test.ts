// The one node-selector compiler (NodeAffinity's and VolumeBinding's): component-helpers'
// nodeaffinity semantics, over the node table and over Node objects alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileNodeSelector,
  matchAll,
  nodeSelectorTermsMatchObject,
  selectorMatches,
  type NodeShape,
  type SelectorRequirement,
  type SelectorTerm,
} from '../../../../src/scheduler/plugins/node-affinity/node-selector.js';
import { Cluster, type NodeSpec } from '../../helpers.js';

const nodes: NodeSpec[] = [
  { name: 'a', labels: { zone: 'z1', cores: '8' } },
  { name: 'b', labels: { zone: 'z2', cores: '2' } },
  { name: 'c', labels: { cores: 'many' } },
];

/**
 * Per node, whether the terms match: through the program compiled for `shape` and through the
 * objects (for 'labelsOnly', Nodes carrying only their labels, as volume.CheckNodeAffinity builds).
 */
function matches(cluster: Cluster, terms: readonly SelectorTerm[] | undefined, shape: NodeShape = 'node'): { table: boolean[]; objects: boolean[] } {
  const program = compileNodeSelector(terms, cluster.intern, shape);
  const table = Array.from(cluster.nodes, (n) => selectorMatches(cluster.table, cluster.intern.columns.numeric, n, program));
  const objects = cluster.nodeObjects.map((n) => {
    const seen = shape === 'node' ? n : { metadata: { labels: n.metadata.labels } };
    return terms === undefined || nodeSelectorTermsMatchObject(terms, seen);
  });
  return { table, objects };
}

const expr = (key: string, operator: string, ...values: string[]): SelectorTerm => ({ matchExpressions: [{ key, operator, values }] });
const field = (key: string, operator: string, ...values: string[]): SelectorTerm => ({ matchFields: [{ key, operator, values }] });

test('requirements as component-helpers nodeaffinity reads them; unparsable ones fail their term', () => {
  const cluster = new Cluster(nodes);
  const cases: { name: string; terms: SelectorTerm[] | undefined; want: boolean[] }[] = [
    { name: 'no selector', terms: undefined, want: [true, true, true] },
    { name: 'no terms', terms: [], want: [false, false, false] },
    { name: 'an empty term', terms: [{}], want: [false, false, false] },
    { name: 'In', terms: [expr('zone', 'In', 'z1', 'z2')], want: [true, true, false] },
    { name: 'NotIn (a node without the label too)', terms: [expr('zone', 'NotIn', 'z1')], want: [false, true, true] },
    { name: 'Exists', terms: [expr('zone', 'Exists')], want: [true, true, false] },
    { name: 'DoesNotExist', terms: [expr('zone', 'DoesNotExist')], want: [false, false, true] },
    { name: 'Gt (a non-integer label never)', terms: [expr('cores', 'Gt', '4')], want: [true, false, false] },
    { name: 'Lt', terms: [expr('cores', 'Lt', '4')], want: [false, true, false] },
    { name: 'In without values: a parse error', terms: [expr('zone', 'In')], want: [false, false, false] },
    { name: 'NotIn without values: a parse error', terms: [expr('zone', 'NotIn')], want: [false, false, false] },
    { name: 'Exists with values: a parse error', terms: [expr('zone', 'Exists', 'z1')], want: [false, false, false] },
    { name: 'Gt with two values: a parse error', terms: [expr('cores', 'Gt', '1', '2')], want: [false, false, false] },
    { name: 'Gt with a non-integer: a parse error', terms: [expr('cores', 'Gt', 'x')], want: [false, false, false] },
    { name: 'an unknown operator', terms: [expr('zone', 'Like', 'z1')], want: [false, false, false] },
    { name: 'metadata.name In', terms: [field('metadata.name', 'In', 'b')], want: [false, true, false] },
    { name: 'metadata.name NotIn', terms: [field('metadata.name', 'NotIn', 'b')], want: [true, false, true] },
    { name: 'metadata.name In two names: a parse error', terms: [field('metadata.name', 'In', 'a', 'b')], want: [false, false, false] },
    { name: 'metadata.name Exists: a parse error', terms: [field('metadata.name', 'Exists')], want: [false, false, false] },
    { name: 'another field reads as ""', terms: [field('spec.unschedulable', 'NotIn', 'true')], want: [true, true, true] },
    { name: 'another field In "x"', terms: [field('spec.unschedulable', 'In', 'true')], want: [false, false, false] },
    {
      name: 'a term ANDs expressions and fields',
      terms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['a'] }] }],
      want: [false, true, false],
    },
    { name: 'terms are ORed; a broken term does not spoil the others', terms: [expr('zone', 'In'), field('metadata.name', 'In', 'c')], want: [false, false, true] },
  ];
  for (const c of cases) {
    const got = matches(cluster, c.terms);
    assert.deepEqual(got.table, c.want, `${c.name} (table)`);
    assert.deepEqual(got.objects, c.want, `${c.name} (objects)`);
  }
  assert.equal(compileNodeSelector(undefined, cluster.intern), matchAll);
});

test('labelsOnly (a PV’s nodeAffinity): well-formed matchFields pass every node, malformed ones still fail their term', () => {
  const cluster = new Cluster(nodes);
  const cases: { name: string; terms: SelectorTerm[]; want: boolean[] }[] = [
    { name: 'metadata.name In', terms: [field('metadata.name', 'In', 'b')], want: [true, true, true] },
    { name: 'metadata.name NotIn', terms: [field('metadata.name', 'NotIn', 'b')], want: [true, true, true] },
    { name: 'another field In', terms: [field('spec.unschedulable', 'In', 'true')], want: [true, true, true] },
    { name: 'In two names: a parse error', terms: [field('metadata.name', 'In', 'a', 'b')], want: [false, false, false] },
    { name: 'In without a value: a parse error', terms: [field('metadata.name', 'In')], want: [false, false, false] },
    { name: 'Exists: a parse error', terms: [field('metadata.name', 'Exists')], want: [false, false, false] },
    {
      name: 'ANDed with expressions: the labels decide',
      terms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }],
      want: [true, true, false],
    },
    {
      name: 'a malformed field fails the expressions beside it',
      terms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'Gt', values: ['1'] }] }],
      want: [false, false, false],
    },
    { name: 'label requirements as with the whole node', terms: [expr('cores', 'Gt', '4'), expr('zone', 'NotIn', 'z1', 'z2')], want: [true, false, true] },
    { name: 'no terms', terms: [], want: [false, false, false] },
    { name: 'an empty term', terms: [{}], want: [false, false, false] },
  ];
  for (const c of cases) {
    const got = matches(cluster, c.terms, 'labelsOnly');
    assert.deepEqual(got.table, c.want, `${c.name} (table)`);
    assert.deepEqual(got.objects, c.want, `${c.name} (objects)`);
  }
});

test('property: the compiled program and the object match agree on any selector and nodes', () => {
  const keys = ['zone', 'cores', 'disk'];
  const values = ['z1', 'z2', '1', '8', '-3', 'x', ''];
  const names = ['n0', 'n1', 'n2', 'n3'];
  const requirement = (fieldKeys: string[], vals: string[]): fc.Arbitrary<SelectorRequirement> =>
    fc.record({
      key: fc.constantFrom(...fieldKeys),
      operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Bogus'),
      values: fc.array(fc.constantFrom(...vals), { maxLength: 3 }),
    });
  const term: fc.Arbitrary<SelectorTerm> = fc.record({
    matchExpressions: fc.array(requirement(keys, values), { maxLength: 3 }),
    matchFields: fc.array(requirement(['metadata.name', 'metadata.namespace'], [...names, '']), { maxLength: 2 }),
  });
  const labels = fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 3 });
  fc.assert(
    fc.property(
      fc.option(fc.array(term, { maxLength: 3 }), { nil: undefined }),
      fc.array(labels, { minLength: 4, maxLength: 4 }),
      fc.constantFrom<NodeShape>('node', 'labelsOnly'),
      (terms, nodeLabels, shape) => {
        const cluster = new Cluster(nodeLabels.map((l, i) => ({ name: names[i]!, labels: l })));
        const got = matches(cluster, terms, shape);
        assert.deepEqual(got.table, got.objects);
      },
    ),
    { numRuns: 300 },
  );
});
