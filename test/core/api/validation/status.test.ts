import { test } from 'node:test';
import assert from 'node:assert/strict';
import { created, variant } from './manifests.js';
import { validateStatusUpdate, formatFieldError } from '../../../../src/core/api/validation/index.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

function withStatus(obj: KubeObject, status: unknown): KubeObject {
  return { ...structuredClone(obj), status } as KubeObject;
}

test('status updates: workload counters are checked as Kubernetes checks them', () => {
  const old = created(variant('Deployment/nginx-deployment'));
  old.metadata.resourceVersion = '2';
  const table: readonly (readonly [unknown, readonly string[]])[] = [
    [{ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, observedGeneration: 1 }, []],
    [
      { replicas: -1 },
      [
        'status.replicas: Invalid value: -1: must be greater than or equal to 0',
        // absent counters are 0, as in Go, and 0 > -1
        'status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas',
        'status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas',
        'status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas',
      ],
    ],
    [{ replicas: 1, readyReplicas: 2, availableReplicas: 2 }, ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas', 'status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas']],
    [{ replicas: 3, readyReplicas: 1, availableReplicas: 2 }, ['status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas']],
  ];
  for (const [status, want] of table) {
    assert.deepEqual(validateStatusUpdate(withStatus(old, status), old).map(formatFieldError), want, JSON.stringify(status));
  }
  const counted = withStatus(old, { collisionCount: 2 });
  assert.deepEqual(validateStatusUpdate(withStatus(old, { collisionCount: 1 }), counted).map(formatFieldError), [
    'status.collisionCount: Invalid value: 1: cannot be decremented',
  ]);
});
