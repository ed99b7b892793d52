import { test } from 'node:test';
import assert from 'node:assert/strict';
import { created, createErrors, removed, updateErrors, variant, type Edit } from './manifests.js';
import { podUpdateForbiddenMessage } from '../../../../src/core/api/validation/pod.js';

const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const quantityMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const c0 = 'spec.containers[0]';

// [what the user did wrong, edits to the documentation's nginx Pod, exactly what kube-apiserver says]
const cases: readonly (readonly [string, readonly Edit[], readonly string[]])[] = [
  ['no containers', [['spec.containers', []]], ['spec.containers: Required value']],
  ['no image', [[`${c0}.image`, removed]], [`${c0}.image: Required value`]],
  ['image with spaces', [[`${c0}.image`, ' nginx']], [`${c0}.image: Invalid value: " nginx": must not have leading or trailing whitespace`]],
  ['no container name', [[`${c0}.name`, '']], [`${c0}.name: Required value`]],
  [
    'container name not a DNS label',
    [[`${c0}.name`, 'Web_1']],
    [
      `${c0}.name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  ],
  ['duplicate container names', [['spec.containers[1]', { name: 'nginx', image: 'busybox' }]], ['spec.containers[1].name: Duplicate value: "nginx"']],
  ['init container named like a container', [['spec.initContainers', [{ name: 'nginx', image: 'busybox' }]]], ['spec.initContainers[0].name: Duplicate value: "nginx"']],
  ['containerPort missing', [[`${c0}.ports[0].containerPort`, removed]], [`${c0}.ports[0].containerPort: Required value`]],
  ['containerPort out of range', [[`${c0}.ports[0].containerPort`, 70000]], [`${c0}.ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`]],
  ['hostPort out of range', [[`${c0}.ports[0].hostPort`, -1]], [`${c0}.ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive`]],
  ['unknown protocol', [[`${c0}.ports[0].protocol`, 'HTTP']], [`${c0}.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`]],
  [
    'duplicate port names',
    [[`${c0}.ports`, [{ containerPort: 80, name: 'web' }, { containerPort: 81, name: 'web' }]]],
    [`${c0}.ports[1].name: Duplicate value: "web"`],
  ],
  ['port name too long', [[`${c0}.ports[0].name`, 'a-very-long-port-name']], [`${c0}.ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters`]],
  ['restartPolicy', [['spec.restartPolicy', 'Sometimes']], ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  ['imagePullPolicy', [[`${c0}.imagePullPolicy`, 'Maybe']], [`${c0}.imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"`]],
  ['dnsPolicy', [['spec.dnsPolicy', 'Google']], ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
  [
    'request above limit',
    [[`${c0}.resources`, { requests: { cpu: '2' }, limits: { cpu: '1' } }]],
    [`${c0}.resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`],
  ],
  [
    'request above limit, printed canonically',
    [[`${c0}.resources`, { requests: { memory: '1.5Gi' }, limits: { memory: '1024Mi' } }]],
    [`${c0}.resources.requests: Invalid value: "1536Mi": must be less than or equal to memory limit of 1Gi`],
  ],
  ['malformed quantity', [[`${c0}.resources.requests.memory`, 'lots']], [`${c0}.resources.requests[memory]: Invalid value: "lots": ${quantityMessage}`]],
  ['negative quantity', [[`${c0}.resources.requests.cpu`, '-1']], [`${c0}.resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`]],
  ['unknown resource', [[`${c0}.resources.requests.gpu`, '1']], [`${c0}.resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers`]],
  [
    'extended resource without limit',
    [[`${c0}.resources.requests`, { 'example.com/gpu': '1' }]],
    [`${c0}.resources.limits: Required value: Limit must be set for non overcommitable resources`],
  ],
  [
    'two volume sources',
    [['spec.volumes', [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }]]],
    ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type'],
  ],
  [
    'duplicate volume names',
    [['spec.volumes', [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]]],
    ['spec.volumes[1].name: Duplicate value: "v"'],
  ],
  ['secret volume without secretName', [['spec.volumes', [{ name: 's', secret: {} }]]], ['spec.volumes[0].secret.secretName: Required value']],
  ['mount of a missing volume', [[`${c0}.volumeMounts`, [{ name: 'data', mountPath: '/data' }]]], [`${c0}.volumeMounts[0].name: Not found: "data"`]],
  [
    'mount without a path, twice the same path',
    [
      ['spec.volumes', [{ name: 'a', emptyDir: {} }]],
      [`${c0}.volumeMounts`, [{ name: 'a', mountPath: '/d' }, { name: 'a', mountPath: '/d' }, { name: 'a' }]],
    ],
    [`${c0}.volumeMounts[1].mountPath: Invalid value: "/d": must be unique`, `${c0}.volumeMounts[2].mountPath: Required value`],
  ],
  [
    'env name with =',
    [[`${c0}.env`, [{ name: 'A=B', value: 'x' }]]],
    [`${c0}.env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`],
  ],
  ['env without name', [[`${c0}.env`, [{ value: 'x' }]]], [`${c0}.env[0].name: Required value`]],
  ['probe without handler', [[`${c0}.livenessProbe`, { initialDelaySeconds: 3 }]], [`${c0}.livenessProbe: Required value: must specify a handler type`]],
  [
    'liveness successThreshold',
    [[`${c0}.livenessProbe`, { tcpSocket: { port: 80 }, successThreshold: 2 }]],
    [`${c0}.livenessProbe.successThreshold: Invalid value: 2: must be 1`],
  ],
  [
    'probe with two handlers and a negative delay',
    [[`${c0}.readinessProbe`, { tcpSocket: { port: 80 }, exec: { command: ['true'] }, initialDelaySeconds: -5 }]],
    [
      `${c0}.readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type`,
      `${c0}.readinessProbe.initialDelaySeconds: Invalid value: -5: must be greater than or equal to 0`,
    ],
  ],
  ['probe httpGet port name', [[`${c0}.readinessProbe`, { httpGet: { port: 'HTTP' } }]], [
    `${c0}.readinessProbe.httpGet.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
    `${c0}.readinessProbe.httpGet.port: Invalid value: "HTTP": must contain at least one letter (a-z)`,
  ]],
  ['name not a DNS subdomain', [['metadata.name', 'Nginx']], [`metadata.name: Invalid value: "Nginx": ${subdomainMessage}`]],
  ['no name', [['metadata.name', removed]], ['metadata.name: Required value: name or generateName is required']],
  ['no namespace', [['metadata.namespace', removed]], ['metadata.namespace: Required value']],
  ['bad label value', [['metadata.labels', { app: 'bad value!' }]], [`metadata.labels: Invalid value: "bad value!": ${labelValueMessage}`]],
  ['annotations over 256 KiB', [['metadata.annotations', { big: 'x'.repeat(256 * 1024) }]], ['metadata.annotations: Too long: must have at most 262144 bytes']],
  [
    'owner reference without uid',
    [['metadata.ownerReferences', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }]]],
    ['metadata.ownerReferences.uid: Invalid value: "": must not be empty'],
  ],
  [
    'finalizer that is not qualified',
    [['metadata.finalizers', ['hold']]],
    ['metadata.finalizers[0]: Invalid value: "hold": name is neither a standard finalizer name nor is it fully qualified'],
  ],
  [
    'tolerationSeconds without NoExecute',
    [['spec.tolerations', [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 }]]],
    [`spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`],
  ],
  ['toleration operator', [['spec.tolerations', [{ key: 'k', operator: 'In' }]]], ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"']],
  ['activeDeadlineSeconds', [['spec.activeDeadlineSeconds', 0]], ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
];

for (const [what, edits, want] of cases) {
  test(`Pod: ${what}`, () => {
    assert.deepEqual(createErrors(variant('Pod/nginx', ...edits)), want);
  });
}

test('Pod: generateName alone is enough, and is validated as a name prefix', () => {
  assert.deepEqual(createErrors(variant('Pod/nginx', ['metadata.name', removed], ['metadata.generateName', 'nginx-'])), []);
  const errs = createErrors(variant('Pod/nginx', ['metadata.name', removed], ['metadata.generateName', 'Nginx-']));
  assert.equal(errs.length, 2);
  assert.equal(errs[0], `metadata.generateName: Invalid value: "Nginx-": ${subdomainMessage}`);
  assert.match(errs[1] ?? '', /^metadata\.name: Invalid value: "Nginx-[bcdfghjklmnpqrstvwxz2456789]{5}": a lowercase RFC 1123 subdomain/);
});

function storedNginx() {
  const stored = created(variant('Pod/nginx'));
  stored.metadata.resourceVersion = '5';
  return stored;
}

test('Pod update: only images, activeDeadlineSeconds and added tolerations may change', () => {
  const stored = storedNginx();
  const image = variant('Pod/nginx', [`${c0}.image`, 'nginx:1.27'], ['metadata.resourceVersion', '5']);
  assert.deepEqual(updateErrors({ ...structuredClone(stored), spec: created(image).spec }, stored), []);
  const port = structuredClone(stored);
  const spec = port.spec as { containers: { ports: { containerPort: number }[] }[] };
  const p0 = spec.containers[0]?.ports[0];
  assert.ok(p0);
  p0.containerPort = 8080;
  assert.deepEqual(updateErrors(port, stored), [`spec: Forbidden: ${podUpdateForbiddenMessage}`]);
});

test('Pod update: identity is immutable and resourceVersion required', () => {
  const stored = storedNginx();
  const renamed = structuredClone(stored);
  renamed.metadata.name = 'other';
  renamed.metadata.uid = 'other-uid';
  delete renamed.metadata.resourceVersion;
  assert.deepEqual(updateErrors(renamed, stored), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    'metadata.name: Invalid value: "other": field is immutable',
    'metadata.uid: Invalid value: "other-uid": field is immutable',
  ]);
});
