import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  kinds,
  kindByGVK,
  kindByResource,
  resourceForShortName,
  qualifiedKind,
  qualifiedResource,
} from '../../../src/core/api/kinds.js';

// What `kubectl api-resources` prints against kube-apiserver 1.32 for these kinds.
const expected: readonly (readonly [string, string, string, boolean, string])[] = [
  // plural, apiVersion, kind, namespaced, shortNames
  ['pods', 'v1', 'Pod', true, 'po'],
  ['nodes', 'v1', 'Node', false, 'no'],
  ['namespaces', 'v1', 'Namespace', false, 'ns'],
  ['services', 'v1', 'Service', true, 'svc'],
  ['endpoints', 'v1', 'Endpoints', true, 'ep'],
  ['configmaps', 'v1', 'ConfigMap', true, 'cm'],
  ['secrets', 'v1', 'Secret', true, ''],
  ['events', 'v1', 'Event', true, 'ev'],
  ['persistentvolumes', 'v1', 'PersistentVolume', false, 'pv'],
  ['persistentvolumeclaims', 'v1', 'PersistentVolumeClaim', true, 'pvc'],
  ['serviceaccounts', 'v1', 'ServiceAccount', true, 'sa'],
  ['deployments', 'apps/v1', 'Deployment', true, 'deploy'],
  ['replicasets', 'apps/v1', 'ReplicaSet', true, 'rs'],
  ['statefulsets', 'apps/v1', 'StatefulSet', true, 'sts'],
  ['daemonsets', 'apps/v1', 'DaemonSet', true, 'ds'],
  ['controllerrevisions', 'apps/v1', 'ControllerRevision', true, ''],
  ['jobs', 'batch/v1', 'Job', true, ''],
  ['ingresses', 'networking.k8s.io/v1', 'Ingress', true, 'ing'],
  ['ingressclasses', 'networking.k8s.io/v1', 'IngressClass', false, ''],
  ['endpointslices', 'discovery.k8s.io/v1', 'EndpointSlice', true, ''],
  ['leases', 'coordination.k8s.io/v1', 'Lease', true, ''],
  ['priorityclasses', 'scheduling.k8s.io/v1', 'PriorityClass', false, 'pc'],
  ['poddisruptionbudgets', 'policy/v1', 'PodDisruptionBudget', true, 'pdb'],
  ['storageclasses', 'storage.k8s.io/v1', 'StorageClass', false, 'sc'],
];

test('the registry holds exactly the kinds in scope, named as kube-apiserver names them', () => {
  assert.equal(kinds.length, expected.length);
  for (const [plural, apiVersion, kind, namespaced, short] of expected) {
    const k = kindByGVK(apiVersion, kind);
    assert.ok(k, `${apiVersion} ${kind}`);
    assert.equal(k.plural, plural);
    assert.equal(k.namespaced, namespaced, kind);
    assert.deepEqual(k.shortNames, short === '' ? [] : [short], kind);
    assert.equal(k.singular, kind.toLowerCase());
    assert.equal(k.listKind, `${kind}List`);
    assert.equal(kindByResource(k.group, plural), k);
    if (short !== '') assert.equal(resourceForShortName(short), k);
  }
});

test('category "all" covers the workload kinds kubectl get all shows', () => {
  const inAll = kinds.filter((k) => k.categories.includes('all')).map((k) => k.plural).sort();
  assert.deepEqual(inAll, ['daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'services', 'statefulsets']);
});

test('subresources', () => {
  const table: readonly (readonly [string, string, readonly string[]])[] = [
    ['', 'pods', ['status', 'binding', 'eviction', 'log']],
    ['', 'namespaces', ['status', 'finalize']],
    ['', 'configmaps', []],
    ['apps', 'deployments', ['status', 'scale']],
    ['apps', 'statefulsets', ['status', 'scale']],
    ['apps', 'daemonsets', ['status']],
    ['batch', 'jobs', ['status']],
    ['policy', 'poddisruptionbudgets', ['status']],
  ];
  for (const [group, plural, subs] of table) {
    assert.deepEqual(kindByResource(group, plural)?.subresources, subs, plural);
  }
});

test('lookups miss cleanly on unknown names and wrong groups', () => {
  assert.equal(kindByResource('', 'deployments'), undefined);
  assert.equal(kindByResource('apps', 'pods'), undefined);
  assert.equal(kindByGVK('apps/v1beta1', 'Deployment'), undefined);
  assert.equal(kindByGVK('v1', 'ReplicationController'), undefined);
  assert.equal(resourceForShortName('rc'), undefined);
});

test('qualified names for messages', () => {
  const d = kindByGVK('apps/v1', 'Deployment');
  const p = kindByGVK('v1', 'Pod');
  assert.ok(d && p);
  assert.equal(qualifiedKind(d), 'Deployment.apps');
  assert.equal(qualifiedKind(p), 'Pod');
  assert.deepEqual(qualifiedResource(d), { group: 'apps', resource: 'deployments' });
});

test('unconditional updates: every kind served allows them but Lease (strategy.go AllowUnconditionalUpdate)', () => {
  const refusing = kinds.filter((k) => !k.allowUnconditionalUpdate).map((k) => `${k.apiVersion}/${k.kind}`);
  assert.deepEqual(refusing, ['coordination.k8s.io/v1/Lease']);
});
