import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests, created, updateErrors } from './manifests.js';
import { validate, formatFieldError } from '../../../../src/core/api/validation/index.js';
import { kindByGVK } from '../../../../src/core/api/kinds.js';

const files = ['pod.yaml', 'workloads.yaml', 'core.yaml', 'other.yaml'];

test('every kind has at least one documented example among the fixtures', () => {
  const kinds = new Set(files.flatMap((f) => loadManifests(f)).map((m) => m.kind));
  for (const k of ['Pod', 'Node', 'Namespace', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Event', 'PersistentVolume',
    'PersistentVolumeClaim', 'ServiceAccount', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision',
    'Job', 'Ingress', 'IngressClass', 'EndpointSlice', 'Lease', 'PriorityClass', 'PodDisruptionBudget', 'StorageClass']) {
    assert.ok(kinds.has(k), k);
  }
});

for (const file of files) {
  test(`the documentation's examples in ${file} are valid after defaulting`, () => {
    for (const m of loadManifests(file)) {
      assert.ok(kindByGVK(m.apiVersion, m.kind), `${m.apiVersion} ${m.kind} is registered`);
      const errs = validate(created(m)).map(formatFieldError);
      assert.deepEqual(errs, [], `${m.kind}/${m.metadata.name ?? ''}`);
    }
  });

  test(`re-sending the stored objects of ${file} unchanged is a valid update`, () => {
    for (const m of loadManifests(file)) {
      const stored = created(m);
      stored.metadata.resourceVersion = '7';
      assert.deepEqual(updateErrors(structuredClone(stored), stored), [], `${m.kind}/${m.metadata.name ?? ''}`);
    }
  });
}
