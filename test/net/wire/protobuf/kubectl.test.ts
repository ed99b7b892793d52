// The protobuf bodies real kubectl 1.32 sends (captured by scripts/capture-protobuf-bodies.mjs)
// decode to exactly the JSON the same command prints with `-o json --dry-run=client`: what the
// request would have carried had kubectl spoken JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from '../../../../src/net/wire/protobuf/index.js';
import { kubectlFixtures } from './kubectl-fixtures.js';

for (const f of kubectlFixtures) {
  if (f.json === undefined) continue;
  test(`${f.name}: decodes to the JSON kubectl would send`, () => {
    const decoded = decodeKubernetesProtobuf(Buffer.from(f.body, 'base64'));
    assert.deepEqual(decoded.object, f.json);
    const json = f.json as { apiVersion: string; kind: string };
    assert.equal(decoded.apiVersion, json.apiVersion);
    assert.equal(decoded.kind, json.kind);
  });
}

// Commands without a client dry run: the JSON Go would print for the object kubectl built, written
// out from the Go types (a pointer or slice without omitempty is null, a struct is never omitted,
// a set pointer prints even when zero).
const expectedWithoutDryRun: Readonly<Record<string, unknown>> = {
  'create token': {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { creationTimestamp: null },
    // audiences has no omitempty; boundObjectRef is a pointer without omitempty.
    spec: { audiences: ['api'], expirationSeconds: 600, boundObjectRef: null },
    // status.token has no omitempty; expirationTimestamp is a metav1.Time struct.
    status: { token: '', expirationTimestamp: null },
  },
  'debug node': {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'node-debugger-n1-w9pn5', creationTimestamp: null },
    spec: {
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [
        {
          name: 'debugger',
          image: 'busybox',
          resources: {},
          volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
          terminationMessagePolicy: 'File',
        },
      ],
      restartPolicy: 'Never',
      nodeName: 'n1',
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      tolerations: [{ operator: 'Exists' }],
    },
    status: {},
  },
  'debug copy pod': {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'pinned-copy',
      namespace: 'default',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"pinned"},"name":"pinned","namespace":"default"},"spec":{"containers":[{"env":[{"name":"A","value":"1"}],"image":"nginx","name":"c","ports":[{"containerPort":80}]}],"nodeName":"n1"}}\n',
      },
      creationTimestamp: null,
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: '1' }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          imagePullPolicy: 'Always',
          terminationMessagePolicy: 'File',
        },
        { name: 'dbg', image: 'busybox', resources: {}, terminationMessagePolicy: 'File' },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      // *int32 set to 0: printed.
      priority: 0,
      shareProcessNamespace: true,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {},
  },
};

for (const f of kubectlFixtures) {
  if (f.json !== undefined) continue;
  test(`${f.name}: decodes to the object kubectl built`, () => {
    const expected = expectedWithoutDryRun[f.name];
    assert.ok(expected !== undefined, `no expectation for ${f.name}`);
    assert.deepEqual(decodeKubernetesProtobuf(Buffer.from(f.body, 'base64')).object, expected);
  });
}

test('every captured command is covered', () => {
  const names = new Set(kubectlFixtures.map((f) => f.name));
  for (const name of [
    'create configmap',
    'create secret generic',
    'create deployment',
    'create service clusterip',
    'create job',
    'create token',
    'debug node',
    'debug copy pod',
  ]) {
    assert.ok(names.has(name), name);
  }
});
