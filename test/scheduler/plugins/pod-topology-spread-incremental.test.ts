// A cached evaluation of a pod with topology spread constraints (hard, soft, or the system defaults
// a Service brings) is refreshed from counts kept placement by placement (not rebuilt): every
// decision must equal a from-scratch scheduler's, given the same nodes and the same placed pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../../../src/core/api/types.js';
import { createScheduler, WorkloadCatalog } from '../../../src/scheduler/index.js';
import { node, pod } from '../helpers.js';

type Constraint = NonNullable<NonNullable<Pod['spec']>['topologySpreadConstraints']>[number];

interface NodeArb {
  readonly zone: number; // 3: no zone label
  readonly cpu: string;
  readonly tier: number; // 3: no tier label
}
type Op = { readonly kind: 'add'; readonly web: boolean } | { readonly kind: 'remove'; readonly pick: number };
/** hard: a zone DoNotSchedule; both: plus a soft hostname one (rebuilt); soft: soft zone + hostname (refreshed); defaults: none of its own, a Service selects app=web. */
type Mode = 'hard' | 'both' | 'soft' | 'defaults';
const zoneKey = 'topology.kubernetes.io/zone';

// Preferred node affinity: NodeAffinity's raw score has a positive maximum, which moves when the
// nodes holding it are suspended by a zone's spread verdict and resumed (totals kept per node).
const preferTiers: NonNullable<NonNullable<Pod['spec']>['affinity']> = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['t1'] }] } },
      { weight: 4, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['t1', 't2'] }] } },
    ],
  },
};

function webPod(name: string, web: boolean, maxSkew: number, minDomains: number | undefined, mode: Mode, tiers: boolean): Pod {
  const c: Constraint = { maxSkew, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } };
  if (minDomains !== undefined) c.minDomains = minDomains;
  const softHost: Constraint = { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } };
  const constraints = mode === 'hard' ? [c] : mode === 'both' ? [c, softHost] : mode === 'soft' ? [{ ...c, whenUnsatisfiable: 'ScheduleAnyway' as const }, softHost] : [];
  // One spec for every pod (one template, one cached evaluation); only the labels differ.
  const p = pod({ name, requests: { cpu: '500m', memory: '1Gi' }, ...(constraints.length === 0 ? {} : { topologySpreadConstraints: constraints }), ...(tiers ? { affinity: preferTiers } : {}) });
  p.metadata.labels = { app: web ? 'web' : 'other' };
  return p;
}

const nodeSpecs = (nodes: readonly NodeArb[]) => nodes.map((n, i) => node({ name: `n${i}`, cpu: n.cpu, labels: { 'kubernetes.io/hostname': `n${i}`, ...(n.zone < 3 ? { [zoneKey]: `z${n.zone}` } : {}), ...(n.tier < 3 ? { tier: `t${n.tier}` } : {}) } }));

function workloads(): WorkloadCatalog {
  const w = new WorkloadCatalog();
  w.setService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } });
  return w;
}

test('PodTopologySpread: refreshed evaluations decide as a from-scratch scheduler does', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ zone: fc.integer({ min: 0, max: 3 }), cpu: fc.constantFrom('1', '2', '4'), tier: fc.integer({ min: 0, max: 3 }) }), { minLength: 2, maxLength: 8 }),
      fc.array(fc.oneof(fc.record({ kind: fc.constant('add' as const), web: fc.boolean() }), fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() })), { minLength: 1, maxLength: 24 }),
      fc.integer({ min: 1, max: 3 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      fc.constantFrom<Mode>('hard', 'both', 'soft', 'defaults'),
      fc.boolean(),
      async (nodes: NodeArb[], ops: Op[], maxSkew: number, minDomains: number | undefined, mode: Mode, tiers: boolean) => {
        const incremental = createScheduler({ seed: 7, workloads: workloads(), check: 'full', checkEvery: 1 });
        const placed: { pod: Pod; nodeName: string }[] = [];
        try {
          for (const n of nodeSpecs(nodes)) incremental.addNode(n);
          for (const [i, op] of ops.entries()) {
            if (op.kind === 'remove') {
              if (placed.length === 0) continue;
              const [gone] = placed.splice(op.pick % placed.length, 1);
              incremental.removePod('default', gone!.pod.metadata.name!);
              continue;
            }
            const p = webPod(`p${i}`, op.web, maxSkew, minDomains, mode, tiers);
            // The from-scratch decision: a new scheduler, the placed pods bound, then this pod.
            const fresh = createScheduler({ seed: 7, workloads: workloads() });
            let want: string | undefined;
            try {
              for (const n of nodeSpecs(nodes)) fresh.addNode(n);
              for (const q of placed) fresh.addPod({ ...q.pod, spec: { ...q.pod.spec!, nodeName: q.nodeName } });
              fresh.addPod(p);
              await fresh.idle();
              want = fresh.placementOf('default', p.metadata.name!);
            } finally {
              await fresh.close();
            }
            incremental.addPod(p);
            await incremental.idle();
            const got = incremental.placementOf('default', p.metadata.name!);
            assert.equal(got, want, `pod ${i}`);
            if (got === undefined) incremental.removePod('default', p.metadata.name!);
            else placed.push({ pod: p, nodeName: got });
          }
          assert.equal(incremental.stats().placementViolations, 0);
        } finally {
          await incremental.close();
        }
      },
    ),
    { numRuns: 80, seed: 42 },
  );
});
