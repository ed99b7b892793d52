import { test } from 'node:test';
import assert from 'node:assert/strict';
import { created, createErrors, removed, updateErrors, variant, type Edit } from './manifests.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

const cases: readonly (readonly [string, string, readonly Edit[], readonly string[]])[] = [
  ['Ingress/minimal-ingress', 'neither rules nor defaultBackend', [['spec.rules', removed]], ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
  ['Ingress/minimal-ingress', 'no pathType', [['spec.rules[0].http.paths[0].pathType', removed]], ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']],
  [
    'Ingress/minimal-ingress',
    'unknown pathType',
    [['spec.rules[0].http.paths[0].pathType', 'Regex']],
    ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
  ],
  ['Ingress/minimal-ingress', 'relative path', [['spec.rules[0].http.paths[0].path', 'testpath']], ['spec.rules[0].http.paths[0].path: Invalid value: "testpath": must be an absolute path']],
  [
    'Ingress/minimal-ingress',
    'backend without port',
    [['spec.rules[0].http.paths[0].backend.service.port', {}]],
    ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required'],
  ],
  ['Ingress/minimal-ingress', 'IP as host', [['spec.rules[0].host', '10.0.0.1']], ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
  ['IngressClass/external-lb', 'no controller', [['spec.controller', removed]], ['spec.controller: Required value']],
  ['IngressClass/external-lb', 'controller not domain-prefixed', [['spec.controller', 'nginx']], ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']],
  [
    'EndpointSlice/example-abc',
    'addressType',
    [['addressType', 'IPv5']],
    ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'],
  ],
  ['EndpointSlice/example-abc', 'endpoint without address', [['endpoints[0].addresses', []]], ['endpoints[0].addresses: Required value: must contain at least 1 address']],
  ['EndpointSlice/example-abc', 'IPv6 address in an IPv4 slice', [['endpoints[0].addresses[0]', '2001:db8::1']], ['endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address']],
  ['Lease/node-1', 'zero duration', [['spec.leaseDurationSeconds', 0]], ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
  ['PriorityClass/high-priority', 'too high for users', [['value', 1000000001]], ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']],
  [
    'PriorityClass/high-priority',
    'system- prefix',
    [['metadata.name', 'system-mine']],
    ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
  ],
  [
    'PriorityClass/high-priority',
    'preemptionPolicy',
    [['preemptionPolicy', 'Sometimes']],
    ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"'],
  ],
  [
    'PodDisruptionBudget/zk-pdb',
    'minAvailable and maxUnavailable',
    [['spec.maxUnavailable', 1]],
    ['spec: Invalid value: {"minAvailable":2,"selector":{"matchLabels":{"app":"zookeeper"}},"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set'],
  ],
  ['PodDisruptionBudget/zk-pdb-percent', 'over 100%', [['spec.maxUnavailable', '130%']], ['spec.maxUnavailable: Invalid value: 130%: must not be greater than 100%']],
  ['PodDisruptionBudget/zk-pdb', 'negative', [['spec.minAvailable', -1]], ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']],
  ['StorageClass/low-latency', 'no provisioner', [['provisioner', removed]], ['provisioner: Required value']],
  ['StorageClass/low-latency', 'reclaimPolicy', [['reclaimPolicy', 'Recycle']], ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']],
  [
    'StorageClass/low-latency',
    'volumeBindingMode',
    [['volumeBindingMode', 'Later']],
    ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'],
  ],
];

for (const [fixture, what, edits, want] of cases) {
  test(`${fixture.split('/')[0] ?? ''}: ${what}`, () => {
    assert.deepEqual(createErrors(variant(fixture, ...edits)), want);
  });
}

function stored(fixture: string): KubeObject {
  const s = created(variant(fixture));
  s.metadata.resourceVersion = '4';
  return s;
}

test('StorageClass: provisioner, parameters and reclaimPolicy cannot be updated', () => {
  const sc = stored('StorageClass/low-latency');
  const next = { ...structuredClone(sc), provisioner: 'other.example', parameters: {}, reclaimPolicy: 'Delete' } as KubeObject;
  assert.deepEqual(updateErrors(next, sc), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
  ]);
});

test('PriorityClass: value cannot be updated', () => {
  const pc = stored('PriorityClass/high-priority');
  assert.deepEqual(updateErrors({ ...structuredClone(pc), value: 5 } as KubeObject, pc), ['value: Forbidden: may not be changed in an update.']);
});

test('IngressClass: controller is immutable', () => {
  const ic = stored('IngressClass/external-lb');
  const next = structuredClone(ic) as KubeObject & { spec: { controller: string } };
  next.spec.controller = 'example.com/other';
  assert.deepEqual(updateErrors(next, ic), ['spec.controller: Invalid value: "example.com/other": field is immutable']);
});
