import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyJsonPatch,
  applyMergePatch,
  createMergePatch,
  type JsonObject,
  type JsonValue,
} from '../../../../src/net/server/patch/index.js';
import { StatusError } from '../../../../src/core/errors.js';

function deployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', namespace: 'default', labels: { app: 'nginx' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  };
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a StatusError');
}

const jsonPatchCases: readonly {
  name: string;
  ops: JsonValue;
  check: (o: JsonObject) => void;
}[] = [
  {
    name: 'replace a scalar (kubectl patch --type=json, replicas)',
    ops: [{ op: 'replace', path: '/spec/replicas', value: 5 }],
    check: (o) => assert.equal((o['spec'] as JsonObject)['replicas'], 5),
  },
  {
    name: 'add a container at the end with "-"',
    ops: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'redis', image: 'redis' } }],
    check: (o) =>
      assert.deepEqual(
        ((((o['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[]).map(
          (c) => c['name'],
        ),
        ['patch-demo-ctr', 'redis'],
      ),
  },
  {
    name: 'remove a label, escaped path segments (~1 for /)',
    ops: [
      { op: 'add', path: '/metadata/annotations', value: { 'example.com/x': 'y' } },
      { op: 'remove', path: '/metadata/annotations/example.com~1x' },
    ],
    check: (o) => assert.deepEqual((o['metadata'] as JsonObject)['annotations'], {}),
  },
  {
    name: 'test that passes, then move and copy',
    ops: [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'move', from: '/spec/replicas', path: '/spec/minReadySeconds' },
    ],
    check: (o) => {
      assert.deepEqual((o['metadata'] as JsonObject)['annotations'], { app: 'nginx' });
      assert.equal((o['spec'] as JsonObject)['replicas'], undefined);
      assert.equal((o['spec'] as JsonObject)['minReadySeconds'], 2);
    },
  },
];

for (const c of jsonPatchCases) {
  test(`json patch: ${c.name}`, () => {
    const live = deployment();
    const before = JSON.stringify(live);
    c.check(applyJsonPatch(Object.freeze(live), c.ops));
    assert.equal(JSON.stringify(live), before, 'the live object is not mutated');
  });
}

const jsonPatchErrors: readonly { name: string; ops: unknown; code: number; reason: string; message: string }[] = [
  {
    name: 'a failed test operation is 422 Invalid with kube-apiserver’s fixed message',
    ops: [{ op: 'test', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/spec/replicas', value: 9 }],
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  },
  {
    name: 'replacing a missing path is 422',
    ops: [{ op: 'replace', path: '/spec/nope/deeper', value: 1 }],
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  },
  {
    name: 'an unknown op is 422',
    ops: [{ op: 'frobnicate', path: '/spec' }],
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  },
  {
    name: 'a body that is not a list is 400',
    ops: { op: 'replace', path: '/spec/replicas', value: 1 },
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  {
    name: 'more than 10000 operations is 413',
    ops: Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'Deployment' })),
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  },
];

for (const c of jsonPatchErrors) {
  test(`json patch error: ${c.name}`, () => {
    const live = deployment();
    const e = statusOf(() => applyJsonPatch(live, c.ops));
    assert.equal(e.code, c.code);
    assert.equal(e.reason, c.reason);
    assert.equal(e.message, c.message);
    assert.equal((live['spec'] as JsonObject)['replicas'], 2, 'nothing half-applied');
  });
}

// RFC 7386 Appendix A, the cases whose patch is an object.
const mergeCases: readonly [JsonObject, JsonObject, JsonObject][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

for (const [target, patch, result] of mergeCases) {
  test(`merge patch (RFC 7386): ${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
    assert.deepEqual(applyMergePatch(Object.freeze(target), patch), result);
  });
}

test('merge patch: kubectl scale sends {"spec":{"replicas":3}}; lists are replaced whole', () => {
  const out = applyMergePatch(deployment(), {
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/node-hello:1.0' }] } } },
  });
  const spec = out['spec'] as JsonObject;
  assert.equal(spec['replicas'], 3);
  const podSpec = (spec['template'] as JsonObject)['spec'] as JsonObject;
  assert.deepEqual(podSpec['containers'], [{ name: 'patch-demo-ctr-3', image: 'gcr.io/google-samples/node-hello:1.0' }]);
  assert.deepEqual(podSpec['tolerations'], [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }]);
});

test('merge patch: a patch that is not an object is 400 "Invalid JSON Patch"', () => {
  for (const p of [null, 'bar', 3]) {
    const e = statusOf(() => applyMergePatch({ a: 'foo' }, p));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'Invalid JSON Patch');
  }
});

// JSON objects with no null inside objects (a merge patch cannot set null there).
const { obj: noNullObject } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
    tie('obj'),
  ),
  // Spread: fast-check's dictionaries have a null prototype, JSON objects do not.
  obj: fc
    .dictionary(fc.constantFrom('a', 'b', 'c', 'spec', 'x/y'), tie('value'), { maxKeys: 4 })
    .map((d) => ({ ...d })),
}));

test('merge patch property: applying the diff of a→b to a gives b', () => {
  fc.assert(
    fc.property(noNullObject, noNullObject, (a, b) => {
      const patch = createMergePatch(a as JsonObject, b as JsonObject);
      assert.deepEqual(applyMergePatch(a as JsonObject, patch), b);
    }),
    { numRuns: 300 },
  );
});

test('merge patch property: applying a patch twice is the same as once', () => {
  fc.assert(
    fc.property(noNullObject, noNullObject, (a, p) => {
      const once = applyMergePatch(a as JsonObject, p);
      assert.deepEqual(applyMergePatch(once, p), once);
    }),
    { numRuns: 300 },
  );
});

test('patchTypeOf: the four patch media types kubectl and client-node send', async () => {
  const { patchTypeOf } = await import('../../../../src/net/server/patch/index.js');
  const cases: readonly [string, string | undefined][] = [
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/json', undefined],
  ];
  for (const [ct, want] of cases) assert.equal(patchTypeOf(ct), want, ct);
});
