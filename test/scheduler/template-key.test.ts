// Pods that look alike share PreFilter/PreScore work (the scheduler's template cache), but only when
// everything those phases read is the same: a namespace-scoped affinity term or a spread selector
// counts pods of the pod's own namespace, and default spreading follows the pod's controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/core/api/types.js';
import { createScheduler } from '../../src/scheduler/index.js';
import { node, pod } from './helpers.js';

function inNamespace(p: Pod, namespace: string, labels: Record<string, string>): Pod {
  return { ...p, metadata: { ...p.metadata, namespace, uid: `${namespace}-${p.metadata.name ?? ''}`, labels } };
}

test('identical pods in two namespaces are not one template: required affinity counts each namespace', async () => {
  for (const workers of [0, 2]) {
    const s = createScheduler({ workers, seed: 1 });
    try {
      s.addNode(node({ name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }));
      s.addNode(node({ name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } }));
      // The only app=db pod runs on n1, in namespace "a".
      s.addPod(inNamespace(pod({ name: 'db', nodeName: 'n1', requests: { cpu: '100m' } }), 'a', { app: 'db' }));
      const affinity = {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      };
      // Same labels, same spec; only the namespace differs. Added together, so one batch sees both.
      s.addPod(inNamespace(pod({ name: 'web', requests: { cpu: '100m' }, affinity }), 'a', { app: 'web' }));
      s.addPod(inNamespace(pod({ name: 'web', requests: { cpu: '100m' }, affinity }), 'b', { app: 'web' }));
      await s.idle();
      assert.equal(s.placementOf('a', 'web'), 'n1', `workers ${workers}: the pod in "a" joins its db`);
      assert.equal(s.placementOf('b', 'web'), undefined, `workers ${workers}: "b" has no app=db pod to join`);
    } finally {
      await s.close();
    }
  }
});

test('identical pods in two namespaces are not one template: spread constraints count each namespace', async () => {
  for (const workers of [0, 2]) {
    const s = createScheduler({ workers, seed: 1 });
    try {
      s.addNode(node({ name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }));
      s.addNode(node({ name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } }));
      // Namespace "a" already runs its web pods on n1, namespace "b" on n2.
      for (let i = 0; i < 2; i++) {
        s.addPod(inNamespace(pod({ name: `old-${i}`, nodeName: 'n1', requests: { cpu: '100m' } }), 'a', { app: 'web' }));
        s.addPod(inNamespace(pod({ name: `old-${i}`, nodeName: 'n2', requests: { cpu: '100m' } }), 'b', { app: 'web' }));
      }
      const topologySpreadConstraints = [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } },
      ];
      s.addPod(inNamespace(pod({ name: 'new', requests: { cpu: '100m' }, topologySpreadConstraints }), 'a', { app: 'web' }));
      s.addPod(inNamespace(pod({ name: 'new', requests: { cpu: '100m' }, topologySpreadConstraints }), 'b', { app: 'web' }));
      await s.idle();
      assert.equal(s.placementOf('a', 'new'), 'n2', `workers ${workers}: "a" spreads away from its pods on n1`);
      assert.equal(s.placementOf('b', 'new'), 'n1', `workers ${workers}: "b" spreads away from its pods on n2`);
    } finally {
      await s.close();
    }
  }
});
