import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  duplicate,
  forbidden,
  formatFieldError,
  invalid,
  invalidError,
  notSupported,
  required,
  tooLong,
  notFound,
} from '../../../../src/core/api/validation/field.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain, isValidPortName } from '../../../../src/core/api/validation/names.js';
import { kindByGVK } from '../../../../src/core/api/kinds.js';

test('field errors print as kube-apiserver prints them', () => {
  const table: readonly (readonly [ReturnType<typeof required>, string])[] = [
    [required('spec.containers[0].image'), 'spec.containers[0].image: Required value'],
    [required('metadata.name', 'name or generateName is required'), 'metadata.name: Required value: name or generateName is required'],
    [invalid('spec.replicas', -1, 'must be greater than or equal to 0'), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [invalid('metadata.name', 'Foo', 'bad'), 'metadata.name: Invalid value: "Foo": bad'],
    [invalid('spec.x', true, 'no'), 'spec.x: Invalid value: true: no'],
    [invalid('spec.x', null, 'no'), 'spec.x: Invalid value: null: no'],
    [invalid('spec.x', 'a"b', 'q'), 'spec.x: Invalid value: "a\\"b": q'],
    [invalid('spec.x', ['a', 'b'], 'q'), 'spec.x: Invalid value: []string{"a", "b"}: q'],
    [invalid('spec.x', { b: '2', a: '1' }, 'q'), 'spec.x: Invalid value: map[string]string{"a":"1", "b":"2"}: q'],
    [
      notSupported('spec.restartPolicy', 'x', ['Always', 'IfNotPresent', 'Never']),
      'spec.restartPolicy: Unsupported value: "x": supported values: "Always", "IfNotPresent", "Never"',
    ],
    [duplicate('spec.containers[1].name', 'nginx'), 'spec.containers[1].name: Duplicate value: "nginx"'],
    [forbidden('spec', 'nope'), 'spec: Forbidden: nope'],
    [tooLong('metadata.annotations', '', 262144), 'metadata.annotations: Too long: must have at most 262144 bytes'],
    [notFound('spec.volumeMounts[0].name', 'data'), 'spec.volumeMounts[0].name: Not found: "data"'],
  ];
  for (const [e, text] of table) assert.equal(formatFieldError(e), text);
});

test('invalidError builds the 422 Status with causes, one error without brackets', () => {
  const d = kindByGVK('apps/v1', 'Deployment');
  assert.ok(d);
  const one = invalidError(d, 'web', [invalid('spec.replicas', -1, 'must be greater than or equal to 0')]);
  assert.equal(one.code, 422);
  assert.deepEqual(one.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    reason: 'Invalid',
    details: {
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
    },
    code: 422,
  });
  const pod = kindByGVK('v1', 'Pod');
  assert.ok(pod);
  const image = required('spec.containers[0].image');
  const two = invalidError(pod, 'p', [image, required('spec.containers[1].image'), image]);
  assert.equal(two.status.message, 'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.containers[1].image: Required value]');
  // causes keep every error, the message drops repeats
  assert.equal(two.status.details?.causes?.length, 3);
});

const labelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const nameChars = fc.constantFrom(...'abcz019-.A_'.split(''));

test('DNS-1123 names: valid exactly when the regex matches and the length fits', () => {
  fc.assert(
    fc.property(fc.string({ unit: nameChars, maxLength: 70 }), (s) => {
      assert.equal(isDNS1123Label(s).length === 0, labelRe.test(s) && s.length <= 63);
      assert.equal(isDNS1123Subdomain(s).length === 0, subdomainRe.test(s) && s.length <= 253);
    }),
  );
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('generateName prefixes may end in a dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.notDeepEqual(nameIsDNSSubdomain('web-', false), []);
});

test('port names', () => {
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('-a--b'), ['must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
});
