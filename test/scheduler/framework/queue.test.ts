import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/core/api/types.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { SchedulingQueue } from '../../../src/scheduler/framework/queue.js';
import { newPrioritySort } from '../../../src/scheduler/plugins/priority-sort/priority-sort.js';
import { newSchedulingGates } from '../../../src/scheduler/plugins/scheduling-gates/scheduling-gates.js';

function pod(name: string, priority = 0, gates: string[] = []): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns' },
    spec: { priority, containers: [{ name: 'c' }], ...(gates.length > 0 ? { schedulingGates: gates.map((g) => ({ name: g })) } : {}) },
  };
}

function newQueue(): { q: SchedulingQueue; clock: { ms: number } } {
  const clock = { ms: 1000 };
  const q = new SchedulingQueue({ sort: newPrioritySort(), preEnqueue: [newSchedulingGates()], now: () => clock.ms });
  return { q, clock };
}

function drain(q: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let qp = q.pop(); qp !== undefined; qp = q.pop()) {
    out.push(qp.info.pod.metadata.name ?? '');
    q.done(qp.info.key);
  }
  return out;
}

test('activeQ pops by priority, then by arrival', () => {
  const { q, clock } = newQueue();
  const order: [string, number][] = [['a', 0], ['b', 10], ['c', 0], ['d', 10], ['e', -5]];
  for (const [name, prio] of order) {
    q.add(newPodInfo(pod(name, prio)));
    clock.ms += 1;
  }
  assert.deepEqual(drain(q), ['b', 'd', 'a', 'c', 'e']);
});

test('backoff doubles from 1 s to at most 10 s', () => {
  const { q } = newQueue();
  assert.deepEqual([1, 2, 3, 4, 5, 6, 10].map((a) => q.backoffDurationMs(a)), [1000, 2000, 4000, 8000, 10000, 10000, 10000]);
});

test('a failed pod waits in the unschedulable set until an event concerning its rejecters, then backs off', () => {
  const { q, clock } = newQueue();
  q.add(newPodInfo(pod('a')));
  const qp = q.pop()!;
  q.requeue(qp.info.key, new Set(['NodeResourcesFit']), false);
  assert.equal(q.where('ns/a'), 'unschedulable');
  // A taint change does not concern NodeResourcesFit.
  assert.equal(q.onEvent('NodeTaintChange'), 0);
  assert.equal(q.where('ns/a'), 'unschedulable');
  // A pod deletion frees resources: moved, to backoffQ as its 1 s backoff has not expired.
  assert.equal(q.onEvent('PodDelete'), 1);
  assert.equal(q.where('ns/a'), 'backoff');
  assert.equal(q.pop(), undefined);
  clock.ms += 999;
  assert.equal(q.pop(), undefined);
  clock.ms += 1;
  assert.equal(q.pop()?.info.key, 'ns/a');
});

test('an error sends the pod to backoffQ; its second failure backs off 2 s', () => {
  const { q, clock } = newQueue();
  q.add(newPodInfo(pod('a')));
  q.requeue(q.pop()!.info.key, new Set(), true);
  assert.equal(q.where('ns/a'), 'backoff');
  clock.ms += 1000;
  q.requeue(q.pop()!.info.key, new Set(), true);
  clock.ms += 1999;
  assert.equal(q.pop(), undefined);
  clock.ms += 1;
  assert.equal(q.pop()?.info.key, 'ns/a');
});

test('a pod that fails while an event arrived during its cycle goes to backoffQ, not to the unschedulable set', () => {
  const { q } = newQueue();
  q.add(newPodInfo(pod('a')));
  const qp = q.pop()!;
  q.onEvent('NodeAdd');
  q.requeue(qp.info.key, new Set(['NodeResourcesFit']), false);
  assert.equal(q.where('ns/a'), 'backoff');
});

test('gated pods wait until an update removes their gates; deletes remove pods anywhere', () => {
  const { q } = newQueue();
  q.add(newPodInfo(pod('g', 0, ['example.com/wait'])));
  q.add(newPodInfo(pod('x')));
  assert.equal(q.where('ns/g'), 'gated');
  assert.deepEqual(drain(q), ['x']);
  q.update(newPodInfo(pod('g', 0, ['example.com/wait'])));
  assert.equal(q.where('ns/g'), 'gated');
  q.update(newPodInfo(pod('g')));
  assert.equal(q.where('ns/g'), 'active');
  q.delete('ns/g');
  assert.equal(q.where('ns/g'), 'absent');
  assert.equal(q.pendingCount, 0);
});
