import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../../../../src/core/api/types.js';
import { normalizedScore } from '../../../../src/scheduler/evaluation.js';
import { ConfigError } from '../../../../src/scheduler/framework/errors.js';
import {
  errReasonAffinityRulesNotMatch as affinityReason,
  errReasonAntiAffinityRulesNotMatch as antiReason,
  errReasonExistingAntiAffinityRulesNotMatch as existingReason,
  newInterPodAffinity,
} from '../../../../src/scheduler/plugins/inter-pod-affinity/inter-pod-affinity.js';
import { createScheduler, type Unschedulable } from '../../../../src/scheduler/index.js';
import { Cluster, node, pod } from '../../helpers.js';

type Affinity = NonNullable<NonNullable<Pod['spec']>['affinity']>;
type Term = NonNullable<NonNullable<Affinity['podAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>[number];

const host = 'kubernetes.io/hostname';

function labelled(name: string, labels: Record<string, string>, affinity?: Affinity, namespace = 'default'): Pod {
  const p = pod({ name, ...(affinity === undefined ? {} : { affinity }) });
  p.metadata.labels = labels;
  p.metadata.namespace = namespace;
  return p;
}

const term = (app: string, topologyKey: string, extra: Partial<Term> = {}): Term => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const requiredAffinity = (...terms: Term[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const requiredAnti = (...terms: Term[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

// n0, n1 in zone a; n2 in zone b; n3 has no zone label.
const nodes = [
  { name: 'n0', labels: { zone: 'a', [host]: 'n0' } },
  { name: 'n1', labels: { zone: 'a', [host]: 'n1' } },
  { name: 'n2', labels: { zone: 'b', [host]: 'n2' } },
  { name: 'n3', labels: { [host]: 'n3' } },
];

const ok = 'ok';
type Verdict = typeof ok | 'affinity' | 'anti' | 'existing';

function verdicts(got: string[][] | 'skip'): Verdict[] | 'skip' {
  if (got === 'skip') return got;
  return got.map((r) => (r.length === 0 ? ok : r[0] === affinityReason ? 'affinity' : r[0] === antiReason ? 'anti' : r[0] === existingReason ? 'existing' : (assert.fail(r[0]) as never)));
}

test('InterPodAffinity Filter: required affinity, anti-affinity and existing pods’ anti-affinity per topology domain', () => {
  const cases: { name: string; placed: [Pod, number][]; incoming: Pod; want: Verdict[] | 'skip' }[] = [
    {
      name: 'affinity to a zone holding a matching pod; a node without the key fails',
      placed: [[labelled('db', { app: 'db' }), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'))),
      want: [ok, ok, 'affinity', 'affinity'],
    },
    {
      name: 'first pod of a self-matching group: any node with the key',
      placed: [],
      incoming: labelled('db-0', { app: 'db' }, requiredAffinity(term('db', 'zone'))),
      want: [ok, ok, ok, 'affinity'],
    },
    {
      name: 'no matching pod and the pod does not match its own term',
      placed: [[labelled('other', { app: 'x' }), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'))),
      want: ['affinity', 'affinity', 'affinity', 'affinity'],
    },
    {
      name: 'self-matching but a matching pod exists elsewhere: only its domain',
      placed: [[labelled('db-0', { app: 'db' }), 2]],
      incoming: labelled('db-1', { app: 'db' }, requiredAffinity(term('db', 'zone'))),
      want: ['affinity', 'affinity', ok, 'affinity'],
    },
    {
      name: 'two affinity terms must both hold',
      placed: [[labelled('db', { app: 'db' }), 0], [labelled('cache', { app: 'cache' }), 2]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'), term('cache', 'zone'))),
      want: ['affinity', 'affinity', 'affinity', 'affinity'],
    },
    {
      // kube's updateWithAffinityTerms: a placed pod counts for the affinity terms only when it
      // matches all of them, so one pod per term in the same zone does not satisfy the pair.
      name: 'two affinity terms met by two different pods in one zone: no pod matches both',
      placed: [[labelled('db', { app: 'db' }), 0], [labelled('cache', { app: 'cache' }), 1]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'), term('cache', 'zone'))),
      want: ['affinity', 'affinity', 'affinity', 'affinity'],
    },
    {
      name: 'two affinity terms met by one pod that matches both',
      placed: [[labelled('db', { app: 'db', tier: 'data' }), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'), { labelSelector: { matchLabels: { tier: 'data' } }, topologyKey: host })),
      want: [ok, 'affinity', 'affinity', 'affinity'],
    },
    {
      name: 'anti-affinity by hostname',
      placed: [[labelled('web-0', { app: 'web' }), 0]],
      incoming: labelled('web-1', { app: 'web' }, requiredAnti(term('web', host))),
      want: ['anti', ok, ok, ok],
    },
    {
      name: 'anti-affinity by zone; a node without the key is fine',
      placed: [[labelled('web-0', { app: 'web' }), 0]],
      incoming: labelled('web-1', { app: 'web' }, requiredAnti(term('web', 'zone'))),
      want: ['anti', 'anti', ok, ok],
    },
    {
      name: 'an existing pod’s anti-affinity rejects a matching incoming pod in its zone',
      placed: [[labelled('guard', { app: 'guard' }, requiredAnti(term('intruder', 'zone'))), 2]],
      incoming: labelled('intruder', { app: 'intruder' }),
      want: [ok, ok, 'existing', ok],
    },
    {
      name: 'an existing pod’s anti-affinity that does not match: nothing to check',
      placed: [[labelled('guard', { app: 'guard' }, requiredAnti(term('intruder', 'zone'))), 2]],
      incoming: labelled('friend', { app: 'friend' }),
      want: 'skip',
    },
    {
      name: 'terms see only their namespaces: the pod’s own by default',
      placed: [[labelled('db', { app: 'db' }, undefined, 'other'), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone'))),
      want: ['affinity', 'affinity', 'affinity', 'affinity'],
    },
    {
      name: 'listed namespaces',
      placed: [[labelled('db', { app: 'db' }, undefined, 'other'), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone', { namespaces: ['other'] }))),
      want: [ok, ok, 'affinity', 'affinity'],
    },
    {
      name: 'an empty namespaceSelector selects every namespace',
      placed: [[labelled('db', { app: 'db' }, undefined, 'other'), 2]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone', { namespaceSelector: {} }))),
      want: ['affinity', 'affinity', ok, 'affinity'],
    },
    {
      name: 'a namespaceSelector on the namespace name label',
      placed: [[labelled('db', { app: 'db' }, undefined, 'other'), 2]],
      incoming: labelled('web', { app: 'web' }, requiredAffinity(term('db', 'zone', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }))),
      want: ['affinity', 'affinity', ok, 'affinity'],
    },
    {
      name: 'a null labelSelector matches no pod',
      placed: [[labelled('db', { app: 'db' }), 0]],
      incoming: labelled('web', { app: 'web' }, requiredAnti({ topologyKey: host })),
      want: [ok, ok, ok, ok],
    },
    { name: 'no terms anywhere: skipped', placed: [[labelled('db', { app: 'db' }), 0]], incoming: labelled('web', { app: 'web' }), want: 'skip' },
  ];
  for (const c of cases) {
    const cluster = new Cluster(nodes);
    for (const [p, n] of c.placed) cluster.place(p, n);
    assert.deepEqual(verdicts(cluster.filter(newInterPodAffinity(undefined, 'args'), c.incoming)), c.want, c.name);
  }
});

test('InterPodAffinity Score: preferred terms, hard affinity weight and existing pods’ preferences per topology pair', () => {
  const prefer = (weight: number, t: Term): { weight: number; podAffinityTerm: Term } => ({ weight, podAffinityTerm: t });
  const cases: { name: string; args?: unknown; placed: [Pod, number][]; incoming: Pod; want: number[] | 'skip' }[] = [
    {
      name: 'preferred affinity by zone and anti-affinity by host',
      placed: [[labelled('db', { app: 'db' }), 0], [labelled('web-0', { app: 'web' }), 1]],
      incoming: labelled('web-1', { app: 'web' }, {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [prefer(5, term('db', 'zone'))] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [prefer(3, term('web', host))] },
      }),
      want: [5, 2, 0, 0],
    },
    {
      name: 'an existing pod’s required affinity matching the incoming pod counts hardPodAffinityWeight',
      placed: [[labelled('follower', { app: 'f' }, requiredAffinity(term('leader', 'zone'))), 2]],
      incoming: labelled('leader', { app: 'leader' }),
      want: [0, 0, 1, 0],
    },
    {
      name: 'hardPodAffinityWeight 10',
      args: { hardPodAffinityWeight: 10 },
      placed: [[labelled('follower', { app: 'f' }, requiredAffinity(term('leader', 'zone'))), 2]],
      incoming: labelled('leader', { app: 'leader' }),
      want: [0, 0, 10, 0],
    },
    {
      name: 'hardPodAffinityWeight 0: nothing to score',
      args: { hardPodAffinityWeight: 0 },
      placed: [[labelled('follower', { app: 'f' }, requiredAffinity(term('leader', 'zone'))), 2]],
      incoming: labelled('leader', { app: 'leader' }),
      want: 'skip',
    },
    {
      name: 'existing pods’ preferred anti-affinity pushes the incoming pod away',
      placed: [[labelled('loner', { app: 'l' }, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [prefer(7, term('noisy', 'zone'))] } }), 0]],
      incoming: labelled('noisy', { app: 'noisy' }),
      want: [-7, -7, 0, 0],
    },
    {
      name: 'ignorePreferredTermsOfExistingPods with no terms of its own',
      args: { ignorePreferredTermsOfExistingPods: true },
      placed: [[labelled('loner', { app: 'l' }, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [prefer(7, term('noisy', 'zone'))] } }), 0]],
      incoming: labelled('noisy', { app: 'noisy' }),
      want: 'skip',
    },
    { name: 'no terms anywhere', placed: [[labelled('db', { app: 'db' }), 0]], incoming: labelled('web', { app: 'web' }), want: 'skip' },
  ];
  for (const c of cases) {
    const cluster = new Cluster(nodes);
    for (const [p, n] of c.placed) cluster.place(p, n);
    assert.deepEqual(cluster.score(newInterPodAffinity(c.args, 'args'), c.incoming), c.want, c.name);
  }
});

test('InterPodAffinity normalization: min-max over the feasible nodes, negative scores included', () => {
  const cases: { raw: number[]; want: number[] }[] = [
    { raw: [5, 2, 0, 0], want: [100, 40, 0, 0] },
    { raw: [-3, 0, 2], want: [0, 60, 100] },
    { raw: [-7, -7, 0, 0], want: [0, 0, 100, 100] },
    { raw: [4, 4], want: [0, 0] },
    // 100 · (1/3) = 33.33 → 33; Go divides before multiplying: 100 · (29/100) = 28.999… → 28.
    { raw: [0, 1, 3], want: [0, 33, 100] },
    { raw: [0, 29, 100], want: [0, 28, 100] },
  ];
  for (const c of cases) {
    const max = Math.max(...c.raw);
    const min = Math.min(...c.raw);
    assert.deepEqual(c.raw.map((r) => normalizedScore('minMax', r, max, min)), c.want, c.raw.join(','));
  }
});

test('InterPodAffinity args: hardPodAffinityWeight within [0, 100], no unknown fields', () => {
  assert.equal(newInterPodAffinity(undefined, 'a').args.hardPodAffinityWeight, 1);
  assert.equal(newInterPodAffinity({ hardPodAffinityWeight: 100 }, 'a').args.hardPodAffinityWeight, 100);
  for (const [args, message] of [
    [{ hardPodAffinityWeight: 101 }, 'a.hardPodAffinityWeight: Invalid value: 101: not in valid range [0-100]'],
    [{ hardPodAffinityWeight: -1 }, 'a.hardPodAffinityWeight: Invalid value: -1: not in valid range [0-100]'],
    [{ weight: 1 }, 'a.weight: unknown field'],
  ] as const) {
    assert.throws(() => newInterPodAffinity(args, 'a'), (e: unknown) => e instanceof ConfigError && e.message === message, JSON.stringify(args));
  }
});

test('required anti-affinity through the scheduler: one pod per host, the extra one unschedulable with kube’s message', async () => {
  const s = createScheduler({ check: 'full' });
  const failures: Unschedulable[] = [];
  s.onUnschedulable((u) => failures.push(u));
  try {
    for (let i = 0; i < 4; i++) s.addNode(node({ name: `n${i}`, labels: { [host]: `n${i}` } }));
    const pods = Array.from({ length: 5 }, (_, i) => labelled(`web-${i}`, { app: 'web' }, requiredAnti(term('web', host))));
    for (const p of pods) s.addPod(p);
    await s.idle();
    const placed = pods.map((p) => s.placementOf('default', p.metadata.name ?? '')).filter((n) => n !== undefined);
    assert.equal(placed.length, 4);
    assert.equal(new Set(placed).size, 4);
    assert.ok(failures.length > 0);
    // kube-scheduler appends preemption's own verdict after the FitError.
    assert.ok(failures[0]!.message.startsWith(`0/4 nodes are available: 4 ${antiReason}.`), failures[0]!.message);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('a pod without terms avoids hosts whose pods repel it, even after its template was evaluated', async () => {
  const s = createScheduler({ check: 'full', batchPods: 1 });
  try {
    for (let i = 0; i < 3; i++) s.addNode(node({ name: `n${i}`, labels: { [host]: `n${i}` } }));
    // Same spec (one template) before and after the guard is placed.
    s.addPod(labelled('plain-0', { app: 'plain' }));
    await s.idle();
    s.addPod(labelled('guard', { app: 'guard' }, requiredAnti(term('plain', host))));
    await s.idle();
    const guardNode = s.placementOf('default', 'guard');
    assert.notEqual(guardNode, s.placementOf('default', 'plain-0'));
    for (let i = 1; i < 6; i++) s.addPod(labelled(`plain-${i}`, { app: 'plain' }));
    await s.idle();
    for (let i = 1; i < 6; i++) assert.notEqual(s.placementOf('default', `plain-${i}`), guardNode);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('required affinity through the scheduler: the group follows its first pod’s zone', async () => {
  const s = createScheduler({ check: 'full' });
  try {
    for (let i = 0; i < 6; i++) s.addNode(node({ name: `n${i}`, labels: { zone: `z${i % 3}`, [host]: `n${i}` } }));
    const pods = Array.from({ length: 8 }, (_, i) => labelled(`db-${i}`, { app: 'db' }, requiredAffinity(term('db', 'zone'))));
    for (const p of pods) s.addPod(p);
    await s.idle();
    const zones = new Set(pods.map((p) => {
      const n = s.placementOf('default', p.metadata.name ?? '');
      assert.ok(n !== undefined);
      return `z${Number(n.slice(1)) % 3}`;
    }));
    assert.equal(zones.size, 1);
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('the placement index kept through observePlacement gives the same Filter and Score as a scan of the placed pods', () => {
  const apps = ['a', 'b'];
  const keys = ['zone', host];
  const shape = fc.record({
    app: fc.constantFrom(...apps),
    namespace: fc.constantFrom('default', 'other'),
    kind: fc.constantFrom('none', 'affinity', 'anti', 'preferred', 'preferredAnti'),
    target: fc.constantFrom(...apps),
    key: fc.constantFrom(...keys),
    weight: fc.integer({ min: 1, max: 100 }),
    allNamespaces: fc.boolean(),
  });
  type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;
  let serial = 0;
  const make = (s: Shape): Pod => {
    const t = term(s.target, s.key, s.allNamespaces ? { namespaceSelector: {} } : {});
    const affinity: Affinity | undefined =
      s.kind === 'affinity' ? requiredAffinity(t)
      : s.kind === 'anti' ? requiredAnti(t)
      : s.kind === 'preferred' ? { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: s.weight, podAffinityTerm: t }] } }
      : s.kind === 'preferredAnti' ? { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: s.weight, podAffinityTerm: t }] } }
      : undefined;
    return labelled(`p${serial++}`, { app: s.app }, affinity, s.namespace);
  };
  const op = fc.oneof(
    fc.record({ add: shape, node: fc.integer({ min: 0, max: nodes.length - 1 }) }),
    fc.record({ remove: fc.nat() }),
    fc.record({ query: shape }),
  );
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
      const cluster = new Cluster(nodes);
      const live = newInterPodAffinity(undefined, 'args');
      for (const o of ops) {
        if ('add' in o) {
          const p = make(o.add);
          cluster.place(p, o.node);
          live.observePlacement(cluster.assigned.at(-1)!.info, o.node, 1);
        } else if ('remove' in o) {
          if (cluster.assigned.length === 0) continue;
          const [gone] = cluster.assigned.splice(o.remove % cluster.assigned.length, 1);
          live.observePlacement(gone!.info, gone!.node, -1);
        } else {
          const incoming = make(o.query);
          const scan = newInterPodAffinity(undefined, 'args');
          assert.deepEqual(cluster.filter(live, incoming), cluster.filter(scan, incoming));
          assert.deepEqual(cluster.score(live, incoming), cluster.score(scan, incoming));
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('identical affinity placements with 0, 1 and 2 workers for a fixed seed; the checker finds no violation', async () => {
  // 24 nodes in 4 zones; web pods repel each other by host and prefer zones holding a cache pod;
  // cache pods require a db pod in their zone; db pods prefer to stay away from each other by zone.
  const placements: (string | undefined)[][] = [];
  for (const workers of [0, 1, 2]) {
    const s = createScheduler({ workers, seed: 7, check: 'full', checkEvery: 1, batchPods: 8 });
    try {
      for (let i = 0; i < 24; i++) s.addNode(node({ name: `n${i}`, labels: { zone: `z${i % 4}`, [host]: `n${i}` } }));
      const pods: Pod[] = [];
      for (let i = 0; i < 3; i++) {
        pods.push(labelled(`db-${i}`, { app: 'db' }, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('db', 'zone') }] } }));
      }
      for (let i = 0; i < 6; i++) pods.push(labelled(`cache-${i}`, { app: 'cache' }, requiredAffinity(term('db', 'zone'))));
      for (let i = 0; i < 20; i++) {
        pods.push(labelled(`web-${i}`, { app: 'web' }, {
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', host)] },
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('cache', 'zone') }] },
        }));
      }
      for (const p of pods) s.addPod(p);
      await s.idle();
      placements.push(pods.map((p) => s.placementOf('default', p.metadata.name ?? '')));
      assert.equal(s.stats().placementViolations, 0, `workers ${workers}`);
      assert.ok(s.stats().placementsFullyChecked > 0);
    } finally {
      await s.close();
    }
  }
  assert.ok(placements[0]!.every((n) => n !== undefined), 'every pod placed');
  assert.deepEqual(placements[1], placements[0]);
  assert.deepEqual(placements[2], placements[0]);
  // db pods spread over zones (preferred anti-affinity); web pods one per host.
  assert.equal(new Set(placements[0]!.slice(0, 3).map((n) => Number(n!.slice(1)) % 4)).size, 3);
  assert.equal(new Set(placements[0]!.slice(9)).size, 20);
});

test('a pod waiting for its affinity target is retried once the scheduler places the target', async () => {
  const s = createScheduler({ check: 'full' });
  try {
    for (let i = 0; i < 3; i++) s.addNode(node({ name: `n${i}`, labels: { zone: `z${i}`, [host]: `n${i}` } }));
    s.addPod(labelled('frontend', { app: 'frontend' }, requiredAffinity(term('backend', 'zone'))));
    await s.idle();
    assert.equal(s.placementOf('default', 'frontend'), undefined);
    assert.equal(s.queueLocation('default', 'frontend'), 'unschedulable');
    s.addPod(labelled('backend', { app: 'backend' }));
    await s.idle();
    const backend = s.placementOf('default', 'backend');
    assert.ok(backend !== undefined);
    // Moved out of the unschedulable set by the bind; it sits out its backoff (1 s) first.
    for (let i = 0; i < 40 && s.placementOf('default', 'frontend') === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await s.idle();
    }
    assert.equal(s.placementOf('default', 'frontend'), backend);
  } finally {
    await s.close();
  }
});

test('relabelled nodes move the domains of placed pods’ terms', async () => {
  const s = createScheduler({ check: 'full' });
  try {
    s.addNode(node({ name: 'n0', labels: { zone: 'a' } }));
    s.addNode(node({ name: 'n1', labels: { zone: 'b' } }));
    const guard = labelled('guard', { app: 'guard' }, requiredAnti(term('x', 'zone')));
    guard.spec!.nodeName = 'n0';
    s.addPod(guard);
    s.addPod(labelled('x-0', { app: 'x' }));
    await s.idle();
    assert.equal(s.placementOf('default', 'x-0'), 'n1');
    // Swap the zones: the guard (still on n0) now repels x from zone b.
    s.updateNode(node({ name: 'n0', labels: { zone: 'b' } }));
    s.updateNode(node({ name: 'n1', labels: { zone: 'a' } }));
    s.addPod(labelled('x-1', { app: 'x', n: '1' }));
    await s.idle();
    assert.equal(s.placementOf('default', 'x-1'), 'n1');
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});
