// kube's MoreImportantPod order (higher priority, then earlier start; a pod not started counts as
// now), as the dry run sorts a node's pods: the insertion sort agrees with Array.sort by the comparator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AssignedPod } from '../../../../src/scheduler/framework/interfaces.js';
import { newPodInfo } from '../../../../src/scheduler/framework/pod-info.js';
import { moreImportantFirst, sortMostImportantFirst } from '../../../../src/scheduler/plugins/default-preemption/default-preemption.js';
import { pod } from '../../helpers.js';

function placed(name: string, priority: number, startTime: string | undefined): AssignedPod {
  const p = pod({ name, priority });
  if (startTime !== undefined) p.status = { startTime };
  return { info: newPodInfo(p), node: 0 };
}

test('most important first: priority, then start time (unset: now), then name', () => {
  const pods = [placed('d', 1, undefined), placed('c', 1, '2024-01-01T00:00:00Z'), placed('b', 1, '2020-01-01T00:00:00Z'), placed('a', 5, undefined), placed('e', 1, undefined)];
  sortMostImportantFirst(pods, new Float64Array(pods.length));
  assert.deepEqual(pods.map((p) => p.info.pod.metadata.name), ['a', 'b', 'c', 'd', 'e']);
});

test('property: the insertion sort orders as Array.sort with moreImportantFirst', () => {
  const one = fc.record({ priority: fc.integer({ min: -3, max: 3 }), start: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }) });
  fc.assert(
    fc.property(fc.array(one, { maxLength: 12 }), (specs) => {
      const pods = specs.map((s, i) => placed(`p${i}`, s.priority, s.start === undefined ? undefined : new Date(Date.UTC(2024, 0, 1 + s.start)).toISOString()));
      const reference = [...pods].sort(moreImportantFirst);
      sortMostImportantFirst(pods, new Float64Array(pods.length));
      assert.deepEqual(pods, reference);
    }),
    { numRuns: 300 },
  );
});
