import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateLabelValue } from '../../../../src/core/api/labels.js';
import { utf8Length, validateAnnotations, validateLabels, validateObjectMeta } from '../../../../src/core/api/validation/common.js';
import { formatFieldError, type FieldError } from '../../../../src/core/api/validation/field.js';
import { nameIsDNSSubdomain } from '../../../../src/core/api/validation/names.js';
import { createErrors, variant } from './manifests.js';

test('utf8Length counts bytes as Buffer.byteLength does, lone surrogates included (property)', () => {
  const units = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x7ff }), fc.integer({ min: 0x800, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
  fc.assert(
    fc.property(fc.array(units, { maxLength: 12 }), (codes) => {
      const s = String.fromCharCode(...codes);
      assert.equal(utf8Length(s), Buffer.byteLength(s), JSON.stringify(codes));
    }),
    { numRuns: 5000 },
  );
  assert.equal(utf8Length('né 😀'), Buffer.byteLength('né 😀'));
});

test('label values are judged as validateLabelValue judges them (property)', () => {
  const chars = fc.constantFrom('a', 'Z', '0', '9', '-', '_', '.', ' ', '!', 'é', '/');
  const values = fc.oneof(fc.array(chars, { maxLength: 8 }).map((a) => a.join('')), fc.array(chars, { minLength: 60, maxLength: 70 }).map((a) => a.join('')));
  fc.assert(
    fc.property(values, (v) => {
      const errs: FieldError[] = [];
      validateLabels({ app: v }, 'metadata.labels', errs);
      assert.deepEqual(errs.map((e) => e.detail), validateLabelValue(v));
      assert.ok(errs.every((e) => e.field === 'metadata.labels' && e.badValue === v));
    }),
    { numRuns: 3000 },
  );
});

test('annotation keys are qualified names case-insensitively; errors name the key as sent', () => {
  const errs: FieldError[] = [];
  validateAnnotations({ 'Example.COM/Key': 'x', 'app.kubernetes.io/name': 'y', 'Bad Key': 'z' }, 'metadata.annotations', errs);
  assert.deepEqual(errs.map(formatFieldError), [
    `metadata.annotations: Invalid value: "Bad Key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
  ]);
});

test('annotations: the 256 KiB limit counts UTF-8 bytes', () => {
  const under: FieldError[] = [];
  validateAnnotations({ a: 'é'.repeat(131_071) }, 'metadata.annotations', under);
  assert.deepEqual(under, []);
  const over: FieldError[] = [];
  validateAnnotations({ a: 'é'.repeat(131_072) }, 'metadata.annotations', over);
  assert.deepEqual(over.map(formatFieldError), ['metadata.annotations: Too long: must have at most 262144 bytes']);
});

test('owner references: a second controller, and apiVersions without a version', () => {
  const errs: FieldError[] = [];
  const refs = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
    { apiVersion: 'apps/', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
    { apiVersion: 'a/b/', kind: 'X', name: 'c', uid: '3' },
  ];
  validateObjectMeta({ name: 'p', namespace: 'default', ownerReferences: refs }, true, nameIsDNSSubdomain, errs);
  assert.deepEqual(errs.map((e) => `${e.field}: ${e.detail}`), [
    'metadata.ownerReferences.apiVersion: version must not be empty',
    'metadata.ownerReferences: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
  ]);
});

test('duplicate container and port names are found in long lists as in short ones', () => {
  const containers = Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, image: 'nginx', ports: [{ containerPort: 80 + i }] }));
  containers[18] = { name: 'c3', image: 'nginx', ports: [{ containerPort: 99 }] };
  const ports = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, containerPort: 1000 + i }));
  ports[17] = { name: 'p2', containerPort: 2000 };
  ports[19] = { name: 'p2', containerPort: 2001 };
  containers[0] = { name: 'c0', image: 'nginx', ports };
  // Container 0's checks (its ports among them) come before container 18's.
  assert.deepEqual(createErrors(variant('Pod/nginx', ['spec.containers', containers])), [
    'spec.containers[0].ports[17].name: Duplicate value: "p2"',
    'spec.containers[0].ports[19].name: Duplicate value: "p2"',
    'spec.containers[18].name: Duplicate value: "c3"',
  ]);
});

test('pod template labels and annotations are validated at <template>.labels / .annotations', () => {
  assert.deepEqual(
    createErrors(variant('Deployment/nginx-deployment', ['spec.template.metadata.annotations', { 'bad key': 'x' }], ['spec.template.metadata.labels.tier', 'bad value!'])),
    [
      `spec.template.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      `spec.template.annotations: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  );
});
