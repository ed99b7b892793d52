// Bodies crafted field by field (test/net/wire/protobuf/encode.ts, numbers from Kubernetes'
// generated.proto) decode to the JSON Go's encoding/json prints for the same object: the special
// types (Time, MicroTime, IntOrString, Quantity, RawExtension, FieldsV1, []byte), inline structs,
// negative and 64-bit integers, packed repeats, unknown fields, absent structs; and malformed
// bodies fail with a ProtobufDecodeError naming the problem, never anything else.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeKubernetesProtobuf,
  hasKubernetesProtobufPrefix,
  ProtobufDecodeError,
  type JsonObject,
} from '../../../../src/net/wire/protobuf/index.js';
import { bytes, entry, envelope, fixed32, fixed64, magic, meta, msg, str, varint, varintBytes } from './encode.js';
import { kubectlFixtures } from './kubectl-fixtures.js';

function decode(body: Buffer): JsonObject {
  return decodeKubernetesProtobuf(body).object;
}

/** 2024-05-06T12:53:20Z */
const seconds = 1715000000;
const secondsText = '2024-05-06T12:53:20Z';

test('Pod: Quantity maps, inline ProbeHandler and VolumeSource, negative int32, int64, packed and unpacked repeats', () => {
  const raw = Buffer.concat([
    meta(1, 'p'),
    msg(
      2, // spec
      msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, 'Memory')))), // volumes[]: name, (inline) emptyDir
      msg(
        2, // containers[]
        str(1, 'c'),
        str(2, 'nginx'),
        msg(8, msg(1, str(1, 'cpu'), msg(2, str(1, '500m'))), msg(1, str(1, 'memory'), msg(2, str(1, '1Gi')))),
        // livenessProbe: (inline) handler.httpGet{path, port: IntOrString string}, initialDelaySeconds 0
        msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, varint(1, 1), str(3, 'http')))), varint(2, 0)),
      ),
      varint(5, 2n ** 40n), // activeDeadlineSeconds
      varint(25, -5), // priority: ten-byte varint
      // securityContext.supplementalGroups: one unpacked, then a packed run
      msg(14, varint(4, 1000), bytes(4, Buffer.concat([varintBytes(2000), varintBytes(3000)]))),
    ),
  ]);
  assert.deepEqual(decode(envelope('v1', 'Pod', raw)), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: null },
    spec: {
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
      containers: [
        {
          name: 'c',
          image: 'nginx',
          resources: { limits: { cpu: '500m', memory: '1Gi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
        },
      ],
      activeDeadlineSeconds: 2 ** 40,
      priority: -5,
      securityContext: { supplementalGroups: [1000, 2000, 3000] },
    },
    status: {},
  });
});

test('Lease: Time drops nanoseconds, MicroTime keeps microseconds, an empty MicroTime is null', () => {
  const raw = Buffer.concat([
    meta(1, 'l', msg(8, varint(1, seconds), varint(2, 999))), // creationTimestamp
    msg(
      2,
      str(1, 'me'),
      varint(2, 15),
      msg(3, varint(1, seconds), varint(2, 123456789)), // acquireTime
      msg(4), // renewTime: a set pointer to the zero time
    ),
  ]);
  assert.deepEqual(decode(envelope('coordination.k8s.io/v1', 'Lease', raw)), {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l', creationTimestamp: secondsText },
    spec: {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: '2024-05-06T12:53:20.123456Z',
      renewTime: null,
    },
  });
});

test('Time: before 1970, the zero time, and years Go cannot print', () => {
  const at = (s: number): JsonObject =>
    decode(envelope('v1', 'ConfigMap', meta(1, 'x', msg(8, varint(1, s)))));
  assert.equal((at(-1).metadata as JsonObject).creationTimestamp, '1969-12-31T23:59:59Z');
  assert.equal((at(-62135596800).metadata as JsonObject).creationTimestamp, null);
  assert.throws(() => at(253402300800), /year outside of range/);
});

test('Service: IntOrString as int, as string, and absent (printed 0: encoding/json never omits a struct)', () => {
  const raw = Buffer.concat([
    meta(1, 's'),
    msg(
      2,
      msg(1, str(1, 'web'), varint(3, 80), msg(4, varint(1, 0), varint(2, 8080))),
      msg(1, str(1, 'alt'), varint(3, 81), msg(4, varint(1, 1), str(3, 'http'))),
      msg(1, varint(3, 82)),
      msg(1, varint(3, 83), msg(4)), // written, and zero: still printed
    ),
  ]);
  const o = decode(envelope('v1', 'Service', raw));
  assert.deepEqual((o.spec as JsonObject).ports, [
    { name: 'web', port: 80, targetPort: 8080 },
    { name: 'alt', port: 81, targetPort: 'http' },
    { port: 82, targetPort: 0 },
    { port: 83, targetPort: 0 },
  ]);
  assert.deepEqual(o.status, { loadBalancer: {} });
});

test('a Deployment whose spec is absent prints the zero DeploymentSpec as Go does', () => {
  // gogo always writes non-pointer structs; another client may leave them out.
  assert.deepEqual(decode(envelope('apps/v1', 'Deployment', meta(1, 'd'))), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', creationTimestamp: null },
    spec: {
      selector: null,
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      strategy: {},
    },
    status: {},
  });
});

test('Secret: []byte values in base64, a __proto__ key stays data', () => {
  const raw = Buffer.concat([
    meta(1, 's'),
    msg(2, str(1, '__proto__'), bytes(2, Buffer.from([1, 2, 3]))),
    msg(2, str(1, 'bin'), bytes(2, Buffer.from([0x00, 0xff]))),
    msg(2, str(1, 'empty')),
    str(3, 'Opaque'),
  ]);
  const o = decode(envelope('v1', 'Secret', raw));
  assert.deepEqual(o, JSON.parse(
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","creationTimestamp":null},' +
      '"data":{"__proto__":"AQID","bin":"AP8=","empty":""},"type":"Opaque"}',
  ));
  assert.equal(Object.getPrototypeOf(o.data), Object.prototype);
  assert.equal(Object.keys(o.data as object).length, 3);
});

test('ControllerRevision: RawExtension as JSON and as a nested protobuf object; FieldsV1 as JSON', () => {
  const managed = msg(
    17,
    str(1, 'kubectl'),
    str(2, 'Update'),
    str(3, 'apps/v1'),
    msg(4, varint(1, seconds)),
    str(6, 'FieldsV1'),
    msg(7, bytes(1, Buffer.from('{"f:data":{}}'))),
  );
  const withJson = Buffer.concat([meta(1, 'r', managed), msg(2, bytes(1, Buffer.from('{"a":[1,"x"]}'))), varint(3, 7)]);
  assert.deepEqual(decode(envelope('apps/v1', 'ControllerRevision', withJson)), {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: 'r',
      creationTimestamp: null,
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: secondsText,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': {} },
        },
      ],
    },
    data: { a: [1, 'x'] },
    revision: 7,
  });

  const inner = envelope('v1', 'ConfigMap', Buffer.concat([meta(1, 'inner'), entry(2, 'k', 'v')]));
  const nested = Buffer.concat([meta(1, 'r'), msg(2, bytes(1, inner))]);
  assert.deepEqual(decode(envelope('apps/v1', 'ControllerRevision', nested)).data, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'inner', creationTimestamp: null },
    data: { k: 'v' },
  });
  // No raw at all: a nil RawExtension prints null; revision is an int64 without omitempty.
  assert.deepEqual(decode(envelope('apps/v1', 'ControllerRevision', meta(1, 'r'))), {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'r', creationTimestamp: null },
    data: null,
    revision: 0,
  });
});

test('subresource bodies: Eviction (as kubectl drain sends it), Binding, Scale', () => {
  const eviction = envelope('policy/v1', 'Eviction', Buffer.concat([meta(1, 'p2', str(3, 'default')), msg(2, varint(1, 3))]));
  // The JSON body kubectl 1.32's drain sends for the same eviction.
  assert.deepEqual(
    decode(eviction),
    JSON.parse(
      '{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"p2","namespace":"default",' +
        '"creationTimestamp":null},"deleteOptions":{"gracePeriodSeconds":3}}',
    ),
  );
  const binding = envelope('v1', 'Binding', Buffer.concat([meta(1, 'p'), msg(2, str(1, 'Node'), str(3, 'n1'))]));
  assert.deepEqual(decode(binding), {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'p', creationTimestamp: null },
    target: { kind: 'Node', name: 'n1' },
  });
  // ScaleSpec.replicas is a plain int32 with omitempty (0 left out); ScaleStatus.replicas has none.
  const scale = envelope('autoscaling/v1', 'Scale', Buffer.concat([meta(1, 'web'), msg(2, varint(1, 0))]));
  assert.deepEqual(decode(scale), {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'web', creationTimestamp: null },
    spec: {},
    status: { replicas: 0 },
  });
});

test('DeleteOptions under any group version; a set pointer prints its zero', () => {
  const raw = Buffer.concat([varint(1, 0), msg(2, str(1, 'uid-1')), str(4, 'Foreground'), str(5, 'All')]);
  for (const apiVersion of ['meta.k8s.io/v1', 'v1', 'apps/v1']) {
    const d = decodeKubernetesProtobuf(envelope(apiVersion, 'DeleteOptions', raw));
    assert.equal(d.apiVersion, apiVersion);
    assert.deepEqual(d.object, {
      apiVersion,
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  }
});

test('fields the table does not know are skipped, whatever their wire type', () => {
  const plain = Buffer.concat([meta(1, 'x'), entry(2, 'a', 'b')]);
  const noisy = Buffer.concat([
    varint(99, 5),
    meta(1, 'x', fixed64(98, 7n), str(97, 'future')),
    fixed32(96, 1),
    entry(2, 'a', 'b'),
    msg(95, str(1, 'nested')),
  ]);
  assert.deepEqual(decode(envelope('v1', 'ConfigMap', noisy)), decode(envelope('v1', 'ConfigMap', plain)));
});

test('a message field written twice merges, as protobuf decoding does', () => {
  const raw = Buffer.concat([meta(1, 'x'), msg(1, str(3, 'ns')), entry(2, 'a', 'b')]);
  assert.deepEqual(decode(envelope('v1', 'ConfigMap', raw)), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', namespace: 'ns', creationTimestamp: null },
    data: { a: 'b' },
  });
});

test('an envelope without typeMeta takes the defaults given (the URL’s kind), or fails', () => {
  const body = Buffer.concat([magic, bytes(2, meta(1, 'x'))]);
  const d = decodeKubernetesProtobuf(body, { apiVersion: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(d, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: null } },
  });
  assert.throws(() => decodeKubernetesProtobuf(body), /Object 'Kind' is missing/);
});

test('an envelope may carry its object as JSON (contentType application/json)', () => {
  const body = envelope('v1', 'ConfigMap', Buffer.from('{"metadata":{"name":"j"},"data":{"a":"b"}}'), {
    contentType: 'application/json',
  });
  assert.deepEqual(decode(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' }, data: { a: 'b' } });
});

test('malformed bodies fail with a ProtobufDecodeError naming the problem', () => {
  const good = envelope('v1', 'ConfigMap', Buffer.concat([meta(1, 'x'), entry(2, 'a', 'b')]));
  const cases: readonly (readonly [string, Buffer, RegExp])[] = [
    ['JSON, not protobuf', Buffer.from('{"kind":"ConfigMap"}'), /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/],
    ['empty body', Buffer.alloc(0), /does not appear to be a protobuf message/],
    ['only the prefix', magic, /Object 'Kind' is missing/],
    ['truncated', good.subarray(0, good.length - 1), /truncated|overruns/],
    ['length past the end', Buffer.concat([magic, Buffer.from([0x12, 0x7f, 0x01])]), /overruns/],
    ['varint over ten bytes', Buffer.concat([magic, Buffer.from([0x28]), Buffer.alloc(11, 0xff)]), /longer than 10 bytes/],
    ['metadata as a varint', envelope('v1', 'ConfigMap', varint(1, 3)), /wrong wireType = 0 for field core\.ConfigMap\.metadata/],
    ['unknown kind', envelope('v1', 'Frobnicator', Buffer.alloc(0)), /no kind "Frobnicator" is registered for version "v1"/],
    ['kind of another group', envelope('apps/v1', 'ConfigMap', Buffer.alloc(0)), /no kind "ConfigMap" is registered for version "apps\/v1"/],
    ['compressed', envelope('v1', 'ConfigMap', Buffer.alloc(0), { contentEncoding: 'gzip' }), /unsupported contentEncoding "gzip"/],
    ['other content type', envelope('v1', 'ConfigMap', Buffer.alloc(0), { contentType: 'application/yaml' }), /unsupported contentType/],
    ['bad RawExtension JSON', envelope('apps/v1', 'ControllerRevision', msg(2, bytes(1, Buffer.from('{nope')))), /RawExtension is not valid JSON/],
    ['IntOrString of type 2', envelope('v1', 'Service', msg(2, msg(1, msg(4, varint(1, 2))))), /impossible IntOrString.Type 2/],
    ['empty Quantity string', envelope('v1', 'Pod', msg(2, msg(2, msg(8, msg(1, str(1, 'cpu'), msg(2, str(1, ''))))))), /quantities must match/],
    ['field number 0', envelope('v1', 'ConfigMap', varint(0, 1)), /illegal tag 0/],
    ['group wire type', envelope('v1', 'ConfigMap', varintBytes((99 << 3) | 3)), /unsupported wire type 3/],
  ];
  for (const [name, body, message] of cases) {
    assert.throws(
      () => decodeKubernetesProtobuf(body),
      (e: unknown) => e instanceof ProtobufDecodeError && message.test(e.message),
      name,
    );
  }
});

test('hasKubernetesProtobufPrefix', () => {
  assert.equal(hasKubernetesProtobufPrefix(envelope('v1', 'ConfigMap', Buffer.alloc(0))), true);
  assert.equal(hasKubernetesProtobufPrefix(Buffer.from('k8s')), false);
  assert.equal(hasKubernetesProtobufPrefix(Buffer.from('{}')), false);
});

test('a Uint8Array view into a larger buffer decodes like a Buffer of its bytes', () => {
  const body = envelope('v1', 'ConfigMap', Buffer.concat([meta(1, 'x'), entry(2, 'a', 'b')]));
  const backing = new Uint8Array(body.length + 10);
  backing.set(body, 5);
  const view = new Uint8Array(backing.buffer, 5, body.length);
  assert.deepEqual(decodeKubernetesProtobuf(view), decodeKubernetesProtobuf(body));
});

const labelKey = fc.string({ unit: fc.constantFrom(...'abcxyz019-./'), minLength: 1, maxLength: 20 });

test('property: ConfigMap data, binaryData, labels and annotations come back as written', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.string({ unit: 'grapheme' }), { maxKeys: 6 }),
      fc.dictionary(labelKey, fc.uint8Array({ maxLength: 20 }), { maxKeys: 3 }),
      fc.dictionary(labelKey, labelKey, { maxKeys: 4 }),
      fc.option(fc.boolean(), { nil: undefined }),
      (data, binaryData, labels, immutable) => {
        const metaFields = Object.entries(labels).map(([k, v]) => entry(11, k, v));
        const raw = Buffer.concat([
          meta(1, 'cm', ...metaFields),
          ...Object.entries(data).map(([k, v]) => entry(2, k, v)),
          ...Object.entries(binaryData).map(([k, v]) => msg(3, str(1, k), bytes(2, Buffer.from(v)))),
          ...(immutable === undefined ? [] : [varint(4, immutable)]),
        ]);
        const expected: Record<string, unknown> = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'cm',
            creationTimestamp: null,
            ...(metaFields.length > 0 ? { labels: JSON.parse(JSON.stringify(labels)) as unknown } : {}),
          },
        };
        if (immutable !== undefined) expected.immutable = immutable;
        // JSON.parse builds `__proto__` as an own key, as the decoder must.
        if (Object.keys(data).length > 0) expected.data = JSON.parse(JSON.stringify(data)) as unknown;
        if (Object.keys(binaryData).length > 0) {
          const b: Record<string, string> = JSON.parse('{}') as Record<string, string>;
          for (const [k, v] of Object.entries(binaryData)) {
            Object.defineProperty(b, k, { value: Buffer.from(v).toString('base64'), enumerable: true, writable: true, configurable: true });
          }
          expected.binaryData = b;
        }
        assert.deepEqual(decode(envelope('v1', 'ConfigMap', raw)), expected);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: a damaged kubectl body decodes or fails with ProtobufDecodeError, nothing else', () => {
  const bodies = kubectlFixtures.map((f) => Buffer.from(f.body, 'base64'));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: bodies.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(), { nil: undefined }),
      (which, flips, cut) => {
        const body = Buffer.from(bodies[which] as Buffer);
        for (const [at, value] of flips) body[4 + (at % (body.length - 4))] = value;
        const damaged = cut === undefined ? body : body.subarray(0, cut % (body.length + 1));
        try {
          decodeKubernetesProtobuf(damaged);
        } catch (e) {
          assert.ok(e instanceof ProtobufDecodeError, String(e));
        }
      },
    ),
    { numRuns: 2000 },
  );
});
