// The scheduler bench: PreemptionAsync shaped as scheduler_perf's, its churn op bounded, and a tiny
// run end to end as a user runs it (the compiled entry point).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../../../src/core/api/types.js';
import { parseMilli } from '../../../src/core/api/quantity.js';
import { startChurn, workloads } from '../../load/scheduler.js';

const mainJs = fileURLToPath(new URL('../../main.js', import.meta.url));

function cpuMilli(pod: Pod): number {
  return parseMilli(pod.spec?.containers[0]?.resources?.requests?.['cpu'] ?? '0');
}

test("PreemptionAsync/5000Nodes_5000Pods is scheduler_perf's: low pods fill nodes, churned high pods preempt 3, measured pods fit", () => {
  const w = workloads['PreemptionAsync/5000Nodes_5000Pods']!;
  assert.deepEqual([w.nodes, w.initPods, w.measurePods, w.thresholdPodsPerSec], [5000, 20_000, 5000, 570]);
  const node = w.node(0);
  const low = w.initPod(0);
  const measured = w.measurePod(0);
  assert.ok(w.churn !== undefined);
  const high = w.churn.pod(0);
  // scheduler_perf's churn op: mode create, every 200 ms, no count limit of its own.
  assert.deepEqual([w.churn.intervalMs, w.churn.number], [200, 0]);
  // Priorities: pod-low-priority and pod-default have none (0), pod-high-priority 10.
  assert.deepEqual([low.spec?.priority ?? 0, measured.spec?.priority ?? 0, high.spec?.priority], [0, 0, 10]);
  assert.equal(low.spec?.terminationGracePeriodSeconds, 0);
  // Each op creates its pods in its own namespace, as scheduler_perf does (namespace-<op index>).
  assert.deepEqual([low, high, measured].map((p) => p.metadata.namespace), ['namespace-1', 'namespace-2', 'namespace-3']);
  const allocatable = parseMilli(node.status?.allocatable?.['cpu'] ?? '0');
  const perNode = w.initPods / w.nodes;
  assert.equal(perNode * cpuMilli(low), 3600); // 4 low pods: 3.6 of 4 CPUs
  // A high pod fits once 3 of the 4 low pods are gone, not fewer.
  assert.ok(allocatable - perNode * cpuMilli(low) + 3 * cpuMilli(low) >= cpuMilli(high));
  assert.ok(allocatable - perNode * cpuMilli(low) + 2 * cpuMilli(low) < cpuMilli(high));
  // Measured pods always fit the room the low pods leave.
  assert.ok(allocatable - perNode * cpuMilli(low) >= cpuMilli(measured));
});

test('the churn creates one pod per tick until stopped or its bound; stop waits for the creates', async () => {
  const cases = [
    { name: 'number bounds it', number: 3, limit: 100, want: 3 },
    { name: 'no number: the limit bounds it', number: 0, limit: 4, want: 4 },
  ];
  for (const c of cases) {
    const created: string[] = [];
    const churn = startChurn({ intervalMs: 2, number: c.number, pod: (i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `churn-${i}` } }) }, c.limit, async (pod) => {
      await new Promise((r) => setTimeout(r, 1));
      created.push(pod.metadata.name ?? '');
    });
    // Until the bound is reached (at most 5 s on a busy machine), then a few more ticks that add nothing.
    for (let waited = 0; created.length < c.want && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await churn.stop(), c.want, c.name);
    assert.deepEqual(created, Array.from({ length: c.want }, (_, i) => `churn-${i}`), c.name);
  }
  // Stopped early: nothing more is created afterwards.
  let count = 0;
  const churn = startChurn({ intervalMs: 1000, number: 0, pod: () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }) }, 10, () => {
    count++;
    return Promise.resolve();
  });
  assert.equal(await churn.stop(), 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(count, 0);
});

test('`npm run bench -- scheduler --workload PreemptionAsync/5Nodes --json` binds every measured pod, no violation', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cox-scheduler-scenario-'));
  try {
    const r = spawnSync(process.execPath, [mainJs, 'scheduler', '--workload', 'PreemptionAsync/5Nodes', '--score-pods', '0', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(report['completed'], true);
    assert.equal(report['measuredPods'], 5);
    assert.equal(report['nodes'], 5);
    assert.equal(report['placementViolations'], 0);
    assert.equal(typeof report['cpuUsPerPod'], 'number');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
