// Selectors to filters: the index a request's selectors pick, and that the filter still applies
// every requirement.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from '../../src/core/api/labels.js';
import { convertFieldSelector, parseFieldSelector } from '../../src/core/api/fields.js';
import { watchFilter } from '../../src/watch/selectors.js';
import { pod } from './fixtures.js';

const cases: readonly {
  name: string;
  namespace?: string;
  labels?: string;
  fields?: string;
  index: { namespace?: string; nodeName?: string };
  matching: readonly ReturnType<typeof pod>[];
  notMatching: readonly ReturnType<typeof pod>[];
}[] = [
  { name: 'nothing', index: {}, matching: [pod('a', 'x')], notMatching: [] },
  {
    name: 'node agent',
    fields: 'spec.nodeName=n1',
    index: { nodeName: 'n1' },
    matching: [pod('a', 'x', {}, 'n1')],
    notMatching: [pod('a', 'x', {}, 'n2'), pod('a', 'x')],
  },
  {
    name: 'old field name spec.host',
    fields: 'spec.host=n1',
    index: { nodeName: 'n1' },
    matching: [pod('a', 'x', {}, 'n1')],
    notMatching: [pod('a', 'x', {}, 'n2')],
  },
  {
    name: 'scheduler (unbound pods)',
    fields: 'spec.nodeName=',
    index: { nodeName: '' },
    matching: [pod('a', 'x')],
    notMatching: [pod('a', 'x', {}, 'n1')],
  },
  {
    name: 'namespace from the field selector',
    fields: 'metadata.namespace=a',
    index: { namespace: 'a' },
    matching: [pod('a', 'x')],
    notMatching: [pod('b', 'x')],
  },
  {
    name: 'path namespace + labels + negative field',
    namespace: 'a',
    labels: 'app=web,tier!=db',
    fields: 'spec.nodeName!=n2',
    index: { namespace: 'a' },
    matching: [pod('a', 'x', { app: 'web' }, 'n1')],
    notMatching: [pod('a', 'x', { app: 'web', tier: 'db' }, 'n1'), pod('a', 'x', { app: 'web' }, 'n2'), pod('a', 'x', { app: 'db' })],
  },
];

for (const c of cases) {
  test(`selectors → filter: ${c.name}`, () => {
    const f = watchFilter({
      plural: 'pods',
      nodeIndexed: true,
      ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
      ...(c.labels === undefined ? {} : { labelSelector: parseLabelSelector(c.labels) }),
      ...(c.fields === undefined ? {} : { fieldSelector: convertFieldSelector('pods', parseFieldSelector(c.fields)) }),
    });
    assert.deepEqual({ namespace: f.namespace, nodeName: f.nodeName }, { namespace: c.index.namespace, nodeName: c.index.nodeName });
    const pass = (o: ReturnType<typeof pod>): boolean =>
      (f.namespace === undefined || o.metadata.namespace === f.namespace) &&
      (f.nodeName === undefined || ((o.spec as { nodeName?: string }).nodeName ?? '') === f.nodeName) &&
      (f.predicate === undefined || f.predicate(o));
    for (const o of c.matching) assert.equal(pass(o), true, JSON.stringify(o));
    for (const o of c.notMatching) assert.equal(pass(o), false, JSON.stringify(o));
  });
}

test('selectors → filter: no node index on a cache that does not index nodes', () => {
  const f = watchFilter({ plural: 'pods', nodeIndexed: false, fieldSelector: parseFieldSelector('spec.nodeName=n1') });
  assert.equal(f.nodeName, undefined);
  assert.equal(f.predicate?.(pod('a', 'x', {}, 'n2')), false);
  assert.equal(f.predicate?.(pod('a', 'x', {}, 'n1')), true);
});
