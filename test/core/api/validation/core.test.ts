import { test } from 'node:test';
import assert from 'node:assert/strict';
import { created, createErrors, removed, updateErrors, variant, type Edit } from './manifests.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

const dns1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const configKey =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const cases: readonly (readonly [string, string, readonly Edit[], readonly string[]])[] = [
  ['Service/my-service', 'name must be a DNS-1035 label', [['metadata.name', '1st-service']], [`metadata.name: Invalid value: "1st-service": ${dns1035}`]],
  ['Service/my-service', 'no ports', [['spec.ports', []]], ['spec.ports: Required value']],
  ['Service/my-service', 'port out of range', [['spec.ports[0].port', 0]], ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
  [
    'Service/multi-port',
    'several ports need names',
    [['spec.ports[1].name', removed]],
    ['spec.ports[1].name: Required value'],
  ],
  ['Service/multi-port', 'duplicate port names', [['spec.ports[1].name', 'http']], ['spec.ports[1].name: Duplicate value: "http"']],
  [
    'Service/my-service',
    'unknown type',
    [['spec.type', 'Internal']],
    ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  ],
  ['Service/my-service', 'sessionAffinity', [['spec.sessionAffinity', 'Cookie']], ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"']],
  ['Service/my-service', 'nodePort on ClusterIP', [['spec.ports[0].nodePort', 30080]], ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ['Service/my-database', 'ExternalName without externalName', [['spec.externalName', removed]], ['spec.externalName: Required value']],
  ['Service/nginx', 'headless services may have no ports', [['spec.ports', removed]], []],
  ['Service/nginx', 'headless NodePort', [['spec.type', 'NodePort']], ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
  [
    'Service/my-service',
    'ipFamilyPolicy',
    [['spec.ipFamilyPolicy', 'DualStack']],
    ['spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"'],
  ],
  ['ConfigMap/game-demo', 'bad key', [['data', { 'bad key': 'x' }]], [`data[bad key]: Invalid value: "bad key": ${configKey}`]],
  ['ConfigMap/game-demo', 'key ..', [['data', { '..x': 'x' }]], ["data[..x]: Invalid value: \"..x\": must not start with '..'"]],
  ['ConfigMap/game-demo', 'over 1 MiB', [['data', { a: 'x'.repeat(1024 * 1024 + 1) }]], [': Too long: must have at most 1048576 bytes']],
  ['Secret/dotfile-secret', 'bad key', [['data', { 'a/b': 'eA==' }]], [`data[a/b]: Invalid value: "a/b": ${configKey}`]],
  ['Secret/secret-tls', 'tls without key', [['data', { 'tls.crt': 'eA==' }]], ['data[tls.key]: Required value']],
  ['Namespace/development', 'name must be a DNS label', [['metadata.name', 'dev.team']], ['metadata.name: Invalid value: "dev.team": must not contain dots']],
  ['Namespace/development', 'namespace on a cluster-scoped kind', [['metadata.namespace', 'default']], ['metadata.namespace: Forbidden: not allowed on this type']],
  [
    'Node/10.240.79.157',
    'taint effect',
    [['spec.taints[0].effect', 'NoWay']],
    ['spec.taints[0].effect: Unsupported value: "NoWay": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  ],
  [
    'Event/nginx.17a8b3c4d5e6f7a8',
    'involvedObject in another namespace',
    [['involvedObject.namespace', 'kube-system']],
    ['involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace'],
  ],
  ['PersistentVolume/task-pv-volume', 'no accessModes', [['spec.accessModes', removed]], ['spec.accessModes: Required value']],
  [
    'PersistentVolume/task-pv-volume',
    'unknown access mode',
    [['spec.accessModes', ['ReadWriteSome']]],
    ['spec.accessModes: Unsupported value: "ReadWriteSome": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'],
  ],
  ['PersistentVolume/task-pv-volume', 'zero capacity', [['spec.capacity.storage', '0']], ['spec.capacity[storage]: Invalid value: "0": must be greater than zero']],
  ['PersistentVolume/task-pv-volume', 'no source', [['spec.hostPath', removed]], ['spec: Required value: must specify a volume type']],
  [
    'PersistentVolumeClaim/task-pv-claim',
    'no accessModes',
    [['spec.accessModes', removed]],
    ['spec.accessModes: Required value: at least 1 access mode is required'],
  ],
  ['PersistentVolumeClaim/task-pv-claim', 'no storage request', [['spec.resources', removed]], ['spec.resources[storage]: Required value']],
  [
    'PersistentVolumeClaim/task-pv-claim',
    'volumeMode',
    [['spec.volumeMode', 'Raw']],
    ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
  ],
  ['ServiceAccount/build-robot', 'no namespace', [['metadata.namespace', removed]], ['metadata.namespace: Required value']],
  ['Endpoints/my-service', 'bad IP', [['subsets[0].addresses[0].ip', '300.1.1.1']], ['subsets[0].addresses[0].ip: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['Endpoints/my-service', 'subset without addresses', [['subsets[0].addresses', []]], ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']],
  ['Endpoints/my-service', 'port name', [['subsets[0].ports[0].name', 'HTTP']], [`subsets[0].ports[0].name: Invalid value: "HTTP": ${dns1123Label}`]],
];

for (const [fixture, what, edits, want] of cases) {
  test(`${fixture.split('/')[0] ?? ''}: ${what}`, () => {
    assert.deepEqual(createErrors(variant(fixture, ...edits)), want);
  });
}

function stored(fixture: string, ...edits: readonly Edit[]): KubeObject {
  const s = created(variant(fixture, ...edits));
  s.metadata.resourceVersion = '3';
  return s;
}

function withField(obj: KubeObject, path: readonly string[], value: unknown): KubeObject {
  const copy = structuredClone(obj) as unknown as Record<string, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[path[path.length - 1] ?? ''] = value;
  return copy as unknown as KubeObject;
}

test('ConfigMap and Secret: immutable data stays immutable', () => {
  const cm = stored('ConfigMap/game-demo', ['immutable', true]);
  assert.deepEqual(updateErrors(withField(cm, ['data'], { a: 'b' }), cm), ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(updateErrors(withField(cm, ['immutable'], false), cm), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  const secret = stored('Secret/dotfile-secret');
  assert.deepEqual(updateErrors(withField(secret, ['type'], 'kubernetes.io/tls'), secret), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
    'data[tls.crt]: Required value',
    'data[tls.key]: Required value',
  ]);
});

test('Service: clusterIP may not change once set', () => {
  const svc = stored('Service/my-service', ['spec.clusterIP', '10.96.0.10'], ['spec.clusterIPs', ['10.96.0.10']]);
  const moved = withField(withField(svc, ['spec', 'clusterIP'], '10.96.0.11'), ['spec', 'clusterIPs'], ['10.96.0.11']);
  assert.deepEqual(updateErrors(moved, svc), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
});

test('PersistentVolumeClaim: spec is immutable except requests', () => {
  const pvc = stored('PersistentVolumeClaim/task-pv-claim');
  assert.deepEqual(updateErrors(withField(pvc, ['spec', 'resources'], { requests: { storage: '5Gi' } }), pvc), []);
  assert.deepEqual(updateErrors(withField(pvc, ['spec', 'accessModes'], ['ReadWriteMany']), pvc), [
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  ]);
});
