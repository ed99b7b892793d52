import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FieldSelectorError,
  convertFieldSelector,
  escapeFieldValue,
  everythingFieldSelector,
  fieldGetter,
  fieldSelectorMatchesObject,
  fieldValue,
  newFieldSelector,
  parseFieldSelector,
  supportedFields,
  unescapeFieldValue,
  validateFieldSelector,
  type FieldOperator,
  type FieldRequirement,
} from '../../../src/core/api/fields.js';

function fieldError(message: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof FieldSelectorError, `not a FieldSelectorError: ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  };
}

function getterOf(fields: Readonly<Record<string, string>>): (name: string) => string | undefined {
  return (name) => fields[name];
}

describe('parseFieldSelector', () => {
  // [input, printed, requirements as [field, operator, unescaped value]]
  const valid: readonly (readonly [string, string, readonly (readonly [string, FieldOperator, string])[]])[] = [
    ['', '', []],
    ['a=b', 'a=b', [['a', '=', 'b']]],
    ['a==b', 'a=b', [['a', '=', 'b']]],
    ['b==c,a!=d', 'a!=d,b=c', [['a', '!=', 'd'], ['b', '=', 'c']]],
    [
      'status.phase!=Running,spec.restartPolicy=Always',
      'spec.restartPolicy=Always,status.phase!=Running',
      [['spec.restartPolicy', '=', 'Always'], ['status.phase', '!=', 'Running']],
    ],
    ['x=a\\,b', 'x=a\\,b', [['x', '=', 'a,b']]],
    ['x=a\\=b\\\\c', 'x=a\\=b\\\\c', [['x', '=', 'a=b\\c']]],
    ['spec.nodeName=', 'spec.nodeName=', [['spec.nodeName', '=', '']]],
    ['a!=', 'a!=', [['a', '!=', '']]],
    ['a=b,,c=d', 'a=b,c=d', [['a', '=', 'b'], ['c', '=', 'd']]],
    ['=', '', []], // a term with neither field nor value selects everything
    ['metadata.name=x,=', 'metadata.name=x', [['metadata.name', '=', 'x']]],
    ['=b', '=b', [['', '=', 'b']]],
    ['a=!b', 'a=!b', [['a', '=', '!b']]],
    ['a=é', 'a=é', [['a', '=', 'é']]],
  ];
  for (const [input, printed, reqs] of valid) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(printed)}`, () => {
      const s = parseFieldSelector(input);
      assert.equal(s.toString(), printed);
      assert.deepEqual(
        s.requirements.map((r) => [r.field, r.operator, r.value]),
        reqs.map((r) => [...r]),
      );
      assert.equal(s.empty, reqs.length === 0);
    });
  }

  const invalid: readonly (readonly [string, string])[] = [
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a!b', "invalid selector: 'a!b'; can't understand 'a!b'"],
    ['x=a,b\\,c', "invalid selector: 'x=a,b\\,c'; can't understand 'b\\,c'"],
    ['x=a=b', 'invalid field selector: unescaped character in value: 61'],
    ['x=a\\z', 'invalid field selector: invalid escape sequence: \\z'],
    ['x=a\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of invalid) {
    test(`${JSON.stringify(input)} is rejected: ${message}`, () => {
      assert.throws(() => parseFieldSelector(input), fieldError(message));
    });
  }

  test('everything matches every object; requiresExactMatch reads = terms only', () => {
    assert.equal(everythingFieldSelector.matches(() => undefined), true);
    assert.equal(everythingFieldSelector.empty, true);
    const s = parseFieldSelector('metadata.name=web,status.phase!=Failed');
    assert.equal(s.requiresExactMatch('metadata.name'), 'web');
    assert.equal(s.requiresExactMatch('status.phase'), undefined);
  });
});

describe('matching', () => {
  const table: readonly (readonly [string, Readonly<Record<string, string>>, boolean])[] = [
    ['', {}, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a=', {}, true], // a missing field reads as ""
    ['a!=b', {}, true],
    ['a!=', {}, false],
    ['a!=b', { a: 'b' }, false],
    ['a=b,c!=d', { a: 'b', c: 'e' }, true],
    ['a=b,c!=d', { a: 'b', c: 'd' }, false],
    ['x=a\\,b', { x: 'a,b' }, true],
  ];
  for (const [selector, fields, want] of table) {
    test(`${JSON.stringify(selector)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(fields)}`, () => {
      assert.equal(parseFieldSelector(selector).matches(getterOf(fields)), want);
    });
  }
});

describe('selectable fields per resource', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { nodeName: 'node-7', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
    status: { phase: 'Running', podIP: '127.1.0.9', podIPs: [{ ip: '127.1.0.9' }, { ip: '::1' }], nominatedNodeName: 'node-2' },
  };
  const event = {
    metadata: { name: 'web-1.17f', namespace: 'shop' },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'u-1', apiVersion: 'v1', resourceVersion: '42', fieldPath: 'spec.containers{app}' },
    reason: 'Scheduled',
    reportingComponent: 'default-scheduler',
    source: {},
    type: 'Normal',
  };
  const cases: readonly (readonly [string, object, string, string | undefined])[] = [
    ['pods', pod, 'metadata.name', 'web-1'],
    ['pods', pod, 'metadata.namespace', 'shop'],
    ['pods', pod, 'spec.nodeName', 'node-7'],
    ['pods', pod, 'spec.host', 'node-7'],
    ['pods', pod, 'spec.restartPolicy', 'Always'],
    ['pods', pod, 'spec.schedulerName', 'default-scheduler'],
    ['pods', pod, 'spec.serviceAccountName', 'default'],
    ['pods', pod, 'spec.hostNetwork', 'true'],
    ['pods', { spec: {} }, 'spec.hostNetwork', 'false'],
    ['pods', pod, 'status.phase', 'Running'],
    ['pods', pod, 'status.podIP', '127.1.0.9'],
    ['pods', { status: { podIP: '127.1.0.3' } }, 'status.podIP', '127.1.0.3'],
    ['pods', pod, 'status.nominatedNodeName', 'node-2'],
    ['pods', { metadata: { name: 'x' } }, 'spec.nodeName', ''],
    ['pods', pod, 'spec.containers', undefined],
    ['events', event, 'involvedObject.kind', 'Pod'],
    ['events', event, 'involvedObject.namespace', 'shop'],
    ['events', event, 'involvedObject.name', 'web-1'],
    ['events', event, 'involvedObject.uid', 'u-1'],
    ['events', event, 'involvedObject.apiVersion', 'v1'],
    ['events', event, 'involvedObject.resourceVersion', '42'],
    ['events', event, 'involvedObject.fieldPath', 'spec.containers{app}'],
    ['events', event, 'reason', 'Scheduled'],
    ['events', event, 'reportingComponent', 'default-scheduler'],
    ['events', event, 'source', 'default-scheduler'], // source.component is empty: the reporting controller
    ['events', { ...event, source: { component: 'kubelet' } }, 'source', 'kubelet'],
    ['events', event, 'type', 'Normal'],
    ['events', { regarding: { name: 'db-0' }, reportingController: 'kubelet' }, 'involvedObject.name', 'db-0'],
    ['nodes', { metadata: { name: 'n1' }, spec: { unschedulable: true } }, 'spec.unschedulable', 'true'],
    ['nodes', { metadata: { name: 'n1' } }, 'spec.unschedulable', 'false'],
    ['nodes', { metadata: { name: 'n1' } }, 'metadata.namespace', ''],
    ['secrets', { type: 'kubernetes.io/tls' }, 'type', 'kubernetes.io/tls'],
    ['namespaces', { status: { phase: 'Terminating' } }, 'status.phase', 'Terminating'],
    ['replicasets', { status: { replicas: 3 } }, 'status.replicas', '3'],
    ['replicasets', { status: {} }, 'status.replicas', '0'],
    ['replicationcontrollers', { status: { replicas: 2 } }, 'status.replicas', '2'],
    ['jobs', { status: { succeeded: 5 } }, 'status.successful', '5'],
    ['jobs', {}, 'status.successful', '0'],
    ['services', { spec: { clusterIP: '127.2.0.1', type: 'ClusterIP' } }, 'spec.clusterIP', '127.2.0.1'],
    ['services', { spec: { clusterIP: '127.2.0.1', type: 'ClusterIP' } }, 'spec.type', 'ClusterIP'],
    ['certificatesigningrequests', { spec: { signerName: 'kubernetes.io/kubelet-serving' } }, 'spec.signerName', 'kubernetes.io/kubelet-serving'],
    ['configmaps', { metadata: { name: 'cfg', namespace: 'a' } }, 'metadata.name', 'cfg'],
    ['configmaps', { metadata: { name: 'cfg' }, data: { x: 'y' } }, 'data.x', undefined],
    ['persistentvolumes', { metadata: { name: 'pv1' } }, 'metadata.namespace', ''],
  ];
  for (const [resource, obj, field, want] of cases) {
    test(`${resource} ${field} = ${JSON.stringify(want)}`, () => {
      assert.equal(fieldValue(resource, obj, field), want);
      assert.equal(fieldGetter(resource, obj)(field), want);
    });
  }

  test('supported fields follow kube-apiserver; every resource has metadata.name and metadata.namespace', () => {
    assert.deepEqual(supportedFields('pods'), [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ]);
    assert.deepEqual(supportedFields('nodes'), ['metadata.name', 'metadata.namespace', 'spec.unschedulable']);
    assert.deepEqual(supportedFields('secrets'), ['metadata.name', 'metadata.namespace', 'type']);
    assert.deepEqual(supportedFields('namespaces'), ['metadata.name', 'metadata.namespace', 'status.phase']);
    assert.deepEqual(supportedFields('replicasets'), ['metadata.name', 'metadata.namespace', 'status.replicas']);
    assert.deepEqual(supportedFields('jobs'), ['metadata.name', 'metadata.namespace', 'status.successful']);
    assert.deepEqual(supportedFields('ingresses'), ['metadata.name', 'metadata.namespace']);
    assert.equal(supportedFields('events').length, 13);
  });

  const rejections: readonly (readonly [string, string, string | undefined])[] = [
    ['pods', 'foo=bar', 'field label not supported: foo'],
    ['pods', 'spec.nodeName=a,status.phase=Running', undefined],
    ['pods', 'spec.host=a', undefined],
    ['pods', 'toString=a', 'field label not supported: toString'],
    ['nodes', 'spec.foo=x', 'field label not supported: spec.foo'],
    ['events', 'involvedObject.name=a,involvedObject.namespace=b,involvedObject.uid=c', undefined],
    ['events', 'message=x', 'field label not supported: message'],
    ['jobs', 'status.active=1', 'field label "status.active" not supported for batchv1.Job'],
    ['ingresses', 'foo.bar=baz', '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['replicasets', 'status.readyReplicas=1', '"status.readyReplicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['deployments', 'metadata.name=a,metadata.namespace=b', undefined],
  ];
  for (const [resource, selector, message] of rejections) {
    test(`${resource} ?fieldSelector=${selector}: ${message ?? 'accepted'}`, () => {
      const s = parseFieldSelector(selector);
      assert.equal(validateFieldSelector(resource, s), message);
      if (message === undefined) assert.equal(convertFieldSelector(resource, s).requirements.length, s.requirements.length);
      else assert.throws(() => convertFieldSelector(resource, s), fieldError(message));
    });
  }

  test("pods' legacy spec.host converts to spec.nodeName", () => {
    const s = convertFieldSelector('pods', parseFieldSelector('spec.host=node-7,status.phase=Running'));
    assert.equal(s.toString(), 'spec.nodeName=node-7,status.phase=Running');
    assert.equal(fieldSelectorMatchesObject(s, 'pods', pod), true);
  });

  test('selecting objects: unscheduled pods, a pod’s events', () => {
    const unscheduled = parseFieldSelector('spec.nodeName=');
    assert.equal(fieldSelectorMatchesObject(unscheduled, 'pods', pod), false);
    assert.equal(fieldSelectorMatchesObject(unscheduled, 'pods', { metadata: { name: 'p' }, spec: {} }), true);
    const forPod = parseFieldSelector('involvedObject.name=web-1,involvedObject.namespace=shop,involvedObject.uid=u-1');
    assert.equal(fieldSelectorMatchesObject(forPod, 'events', event), true);
    assert.equal(forPod.matches(fieldGetter('events', event)), true);
    assert.equal(fieldSelectorMatchesObject(forPod, 'events', { ...event, involvedObject: { ...event.involvedObject, uid: 'u-2' } }), false);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const valueArb = fc.string({ unit: fc.constantFrom('a', 'b', '1', ',', '=', '\\', '!', ' ', 'é', '.'), maxLength: 12 });
const fieldPool = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'a', 'type'];
const requirementArb: fc.Arbitrary<FieldRequirement> = fc.record({
  field: fc.constantFrom(...fieldPool),
  operator: fc.constantFrom<FieldOperator>('=', '!='),
  value: valueArb,
});

function termOf(r: FieldRequirement): string {
  return `${r.field}${r.operator}${escapeFieldValue(r.value)}`;
}

describe('properties', () => {
  test('unescape(escape(v)) = v, and escaped values contain no bare separators', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const escaped = escapeFieldValue(v);
        assert.equal(unescapeFieldValue(escaped), v);
        assert.equal(parseFieldSelector(`f=${escaped}`).requirements[0]?.value ?? '', v);
      }),
      { numRuns: 500 },
    );
  });

  test('parse(print(s)) = s, terms in sorted order', () => {
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 5 }), (reqs) => {
        const printed = newFieldSelector(reqs).toString();
        const parsed = parseFieldSelector(printed);
        const want = [...reqs].sort((a, b) => (termOf(a) < termOf(b) ? -1 : termOf(a) > termOf(b) ? 1 : 0));
        assert.deepEqual(
          parsed.requirements.map((r) => [r.field, r.operator, r.value]),
          want.map((r) => [r.field, r.operator, r.value]),
        );
        assert.equal(parseFieldSelector(parsed.toString()).toString(), parsed.toString());
      }),
      { numRuns: 500 },
    );
  });

  test('matching agrees with the reference: every = holds and every != differs, missing reads ""', () => {
    const fieldsArb = fc.dictionary(fc.constantFrom(...fieldPool), fc.constantFrom('', 'a', 'b', 'a,b', 'x=y'), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 4 }), fieldsArb, (reqs, fields) => {
        const want = reqs.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
        assert.equal(newFieldSelector(reqs).matches(getterOf(fields)), want);
      }),
      { numRuns: 500 },
    );
  });
});
