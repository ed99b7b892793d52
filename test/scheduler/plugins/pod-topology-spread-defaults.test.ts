// PodTopologySpread's default constraints: kube-scheduler's PodTopologySpreadArgs (defaultingType
// System / List, defaultConstraints), the selector deduced from the pod's Services and controller
// (helper.DefaultSelector), and how system-default scoring treats nodes without a zone label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicaSet, Service, StatefulSet } from '../../../src/core/api/types.js';
import { ConfigError } from '../../../src/scheduler/framework/errors.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { newPodTopologySpread, parseSpreadArgs, systemDefaultConstraints } from '../../../src/scheduler/plugins/pod-topology-spread/pod-topology-spread.js';
import { WorkloadCatalog } from '../../../src/scheduler/plugins/pod-topology-spread/workloads.js';
import { Cluster, node, pod } from '../helpers.js';

const hostname = 'kubernetes.io/hostname';
const zone = 'topology.kubernetes.io/zone';

function service(name: string, selector: Record<string, string> | undefined, namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ...(selector === undefined ? {} : { selector }), ports: [{ port: 80 }] } };
}

function replicaSet(name: string, selector: ReplicaSet['spec'] extends infer S ? (S extends { selector: infer L } ? L : never) : never): ReplicaSet {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { selector, template: {} } } as ReplicaSet;
}

function statefulSet(name: string, matchLabels: Record<string, string>): StatefulSet {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels }, serviceName: name, template: {} } } as StatefulSet;
}

function owned(name: string, labels: Record<string, string>, owner?: { apiVersion: string; kind: string; name: string; controller?: boolean }): Pod {
  const p = pod({ name });
  p.metadata.labels = labels;
  if (owner !== undefined) p.metadata.ownerReferences = [{ ...owner, uid: `uid-${owner.name}` }];
  return p;
}

test('PodTopologySpreadArgs: defaulting and validation as kube-scheduler', () => {
  const ok: { name: string; args: unknown; want: ReturnType<typeof parseSpreadArgs> }[] = [
    { name: 'unset: System', args: undefined, want: { defaultingType: 'System', defaultConstraints: [] } },
    {
      name: 'List',
      args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule' }] },
      want: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule' }] },
    },
    { name: 'List, none: no defaults', args: { defaultingType: 'List' }, want: { defaultingType: 'List', defaultConstraints: [] } },
  ];
  for (const c of ok) assert.deepEqual(parseSpreadArgs(c.args, 'args'), c.want, c.name);
  const c0 = (extra: Record<string, unknown>): unknown => ({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway', ...extra }] });
  const bad: { name: string; args: unknown; message: string }[] = [
    { name: 'unknown type', args: { defaultingType: 'Auto' }, message: 'args.defaultingType: Unsupported value: "Auto": supported values: "List", "System"' },
    {
      name: 'System with constraints',
      args: { defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' }] },
      message: 'args.defaultingType: Invalid value: "System": when .defaultConstraints are not empty',
    },
    { name: 'maxSkew 0', args: c0({ maxSkew: 0 }), message: 'args.defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)' },
    { name: 'no key', args: c0({ topologyKey: '' }), message: 'args.defaultConstraints[0].topologyKey: Required value: can not be empty' },
    { name: 'bad key', args: c0({ topologyKey: 'a/b/c' }), message: 'args.defaultConstraints[0].topologyKey: Invalid value: "a/b/c": ' },
    { name: 'no action', args: c0({ whenUnsatisfiable: '' }), message: 'args.defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty' },
    {
      name: 'bad action',
      args: c0({ whenUnsatisfiable: 'Maybe' }),
      message: 'args.defaultConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    },
    {
      name: 'selector',
      args: c0({ labelSelector: { matchLabels: { a: 'b' } } }),
      message: 'args.defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod',
    },
    {
      name: 'repeated',
      args: {
        defaultingType: 'List',
        defaultConstraints: [
          { maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' },
          { maxSkew: 2, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' },
        ],
      },
      message: `args.defaultConstraints[1]: Duplicate value: "{${zone}, ScheduleAnyway}"`,
    },
  ];
  for (const c of bad) {
    assert.throws(() => parseSpreadArgs(c.args, 'args'), (e: unknown) => e instanceof ConfigError && e.message.startsWith(c.message), c.name);
  }
  // The profile file carries them: a bad one stops start-up naming the field.
  assert.throws(
    () => createScheduler({ profiles: { profiles: [{ pluginConfig: [{ name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: -1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule' }] } }] }] } }),
    /profiles\[0\]\.pluginConfig\[0\]\.args\.defaultConstraints\[0\]\.maxSkew: Invalid value: -1/,
  );
  assert.deepEqual(systemDefaultConstraints.map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]), [[hostname, 3, 'ScheduleAnyway'], [zone, 5, 'ScheduleAnyway']]);
});

test('WorkloadCatalog.defaultSelector: Services selecting the pod, plus its controller (helper.DefaultSelector)', () => {
  const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', controller: true };
  const cases: { name: string; pod: Pod; want: string }[] = [
    { name: 'nothing selects it', pod: owned('a', { app: 'db' }), want: '' },
    { name: 'one Service', pod: owned('a', { app: 'web', tier: 'front' }), want: 'app=web' },
    { name: 'two Services merge', pod: owned('a', { app: 'web', tier: 'front', role: 'x' }), want: 'app=web,role=x' },
    { name: 'Service in another namespace', pod: { ...owned('a', { app: 'api' }), metadata: { ...owned('a', { app: 'api' }).metadata, namespace: 'default' } }, want: '' },
    { name: 'ReplicaSet adds its requirements', pod: owned('a', { app: 'web', hash: 'h1' }, rsOwner), want: 'app=web,app=web,hash in (h1)' },
    { name: 'owner that is not the controller', pod: owned('a', { app: 'db', hash: 'h1' }, { ...rsOwner, controller: false }), want: '' },
    { name: 'ReplicaSet under another apiVersion', pod: owned('a', { app: 'db', hash: 'h1' }, { ...rsOwner, apiVersion: 'extensions/v1beta1' }), want: '' },
    { name: 'unknown ReplicaSet', pod: owned('a', { app: 'db' }, { ...rsOwner, name: 'gone' }), want: '' },
    { name: 'StatefulSet', pod: owned('a', { app: 'db' }, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }), want: 'app=db' },
    { name: 'ReplicationController merges its map', pod: owned('a', { app: 'web', rc: 'x' }, { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', controller: true }), want: 'app=web,rc=x' },
  ];
  const w = new WorkloadCatalog();
  w.setService(service('web', { app: 'web' }));
  w.setService(service('role', { role: 'x' }));
  w.setService(service('api', { app: 'api' }, 'other'));
  // A Service without a selector selects nothing, not everything.
  w.setService(service('headless', undefined));
  w.setReplicaSet(replicaSet('web-1', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'hash', operator: 'In', values: ['h1'] }] }));
  w.setStatefulSet(statefulSet('db', { app: 'db' }));
  w.setReplicationController({ metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { rc: 'x' } } });
  for (const c of cases) assert.equal(w.defaultSelector(c.pod).toString(), c.want, c.name);
  // Removal and change notifications.
  let changes = 0;
  const off = w.onChange(() => changes++);
  w.removeService('default', 'web');
  assert.equal(w.defaultSelector(owned('a', { app: 'web' })).toString(), '');
  w.removeService('default', 'web'); // unknown: no change
  off();
  w.setService(service('web', { app: 'web' }));
  assert.equal(changes, 1);
  // Updates that keep the selector (status, replica counts) stale nothing; a new selector does.
  let later = 0;
  w.onChange(() => later++);
  w.setService({ ...service('web', { app: 'web' }), status: { loadBalancer: {} } });
  w.setReplicaSet({ ...replicaSet('web-1', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'hash', operator: 'In', values: ['h1'] }] }), status: { replicas: 3 } });
  w.setStatefulSet(statefulSet('db', { app: 'db' }));
  assert.equal(later, 0);
  w.setReplicaSet(replicaSet('web-1', { matchLabels: { app: 'web', hash: 'h2' } }));
  w.setService(service('web', { app: 'web', v: '2' }));
  assert.equal(later, 2);
});

test('PodTopologySpread system defaults: hostname and zone spreading for a ReplicaSet, nodes without a zone still scored', () => {
  // node-0, node-1 in zone a; node-2 in zone b; node-3 has no zone label.
  const labels = (i: number, z?: string): Record<string, string> => ({ [hostname]: `node-${i}`, ...(z === undefined ? {} : { [zone]: z }) });
  const specs = [{ labels: labels(0, 'a') }, { labels: labels(1, 'a') }, { labels: labels(2, 'b') }, { labels: labels(3) }];
  const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', controller: true };
  const w = new WorkloadCatalog();
  w.setReplicaSet(replicaSet('web-1', { matchLabels: { app: 'web' } }));
  const cases: { name: string; args: unknown; pod: Pod; want: number[] | 'skip' }[] = [
    // hostname weight ln(4 + 2); zone: a, b and the "" of node-3 → ln(3 + 2). Owner pods: 2 on
    // node-0, 1 on node-2, 1 on node-3 (a 2, b 1).
    //   node-0: 2·ln6 + 2 + 2·ln5 + 4 = 12.80; node-1: 2 + 2·ln5 + 4 = 9.22;
    //   node-2: ln6 + 2 + ln5 + 4 = 9.40; node-3: ln6 + 2 = 3.79 (no zone: the zone term is left out).
    { name: 'System', args: undefined, pod: owned('new', { app: 'web' }, rsOwner), want: [13, 9, 9, 4] },
    // List with the same constraints requires every key: node-3 is ignored (-1), 3 nodes, 2 zones.
    //   node-0: 2·ln5 + 2 + 2·ln4 + 4 = 11.99; node-1: 2 + 2·ln4 + 4 = 8.77; node-2: ln5 + 2 + ln4 + 4 = 9.0.
    {
      name: 'List',
      args: { defaultingType: 'List', defaultConstraints: systemDefaultConstraints },
      pod: owned('new', { app: 'web' }, rsOwner),
      want: [12, 9, 9, -1],
    },
    { name: 'no Service, no controller', args: undefined, pod: owned('new', { app: 'web' }), want: 'skip' },
    // Own constraints (hard only) replace the defaults: nothing to score.
    {
      name: 'own hard constraint',
      args: undefined,
      pod: { ...owned('new', { app: 'web' }, rsOwner), spec: { ...pod().spec!, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] } },
      want: 'skip',
    },
    { name: 'List without constraints', args: { defaultingType: 'List' }, pod: owned('new', { app: 'web' }, rsOwner), want: 'skip' },
  ];
  for (const c of cases) {
    const cluster = new Cluster(specs);
    const plugin = newPodTopologySpread(c.args, 'args', { binder: { bind: async () => undefined }, workloads: w });
    [0, 0, 2, 3].forEach((n, i) => plugin.observePlacement(newPodInfo(owned(`placed-${i}`, { app: 'web' }, rsOwner)), n, 1));
    // Pods of another owner with the same labels do not count for an owned pod.
    plugin.observePlacement(newPodInfo(owned('stranger', { app: 'web' }, { ...rsOwner, name: 'web-2' })), 1, 1);
    assert.deepEqual(cluster.score(plugin, c.pod), c.want, c.name);
  }
});

test('PodTopologySpread List defaults with DoNotSchedule filter pods of a Service', () => {
  const specs = [{ labels: { [zone]: 'a' } }, { labels: { [zone]: 'b' } }, { labels: {} }];
  const w = new WorkloadCatalog();
  w.setService(service('web', { app: 'web' }));
  const plugin = newPodTopologySpread({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule' }] }, 'args', { binder: { bind: async () => undefined }, workloads: w });
  const cluster = new Cluster(specs);
  plugin.observePlacement(newPodInfo(owned('p0', { app: 'web' })), 0, 1);
  const got = cluster.filter(plugin, owned('new', { app: 'web' }));
  assert.deepEqual(got, [
    ["node(s) didn't match pod topology spread constraints"],
    [],
    ["node(s) didn't match pod topology spread constraints (missing required label)"],
  ]);
  // A pod no Service selects gets no default constraint.
  assert.equal(cluster.filter(plugin, owned('other', { app: 'db' })), 'skip');
});

test('library mode: a WorkloadCatalog turns system default spreading on, and its changes reach cached evaluations', async () => {
  // Zone a has 3 nodes, zone b 1. Without spreading by zone, LeastAllocated spreads by node
  // (zone a takes 3/4 of the pods); the zone default (maxSkew 5, weight 2) pulls pods to zone b.
  const nodes = [0, 1, 2, 3].map((i) => node({ name: `n${i}`, labels: { [hostname]: `n${i}`, [zone]: i < 3 ? 'a' : 'b' } }, i));
  async function run(withService: boolean, workers: number): Promise<Map<string, string>> {
    const workloads = new WorkloadCatalog();
    const s = createScheduler({ workers, seed: 7, workloads, check: 'full' });
    const placed = new Map<string, string>();
    s.onBinding((b) => placed.set(b.pod.metadata.name ?? '', b.nodeName));
    for (const n of nodes) s.addNode(n);
    // Added before the pods are queued or between batches: the catalog's change stales the cache.
    if (withService) workloads.setService(service('web', { app: 'web' }));
    for (let i = 0; i < 24; i++) {
      const p = pod({ name: `p${i}`, requests: { cpu: '100m', memory: '100Mi' } });
      p.metadata.labels = { app: 'web' };
      s.addPod(p);
    }
    await s.idle();
    assert.equal(s.stats().placementViolations, 0);
    await s.close();
    return placed;
  }
  const inZoneB = (m: Map<string, string>): number => [...m.values()].filter((n) => n === 'n3').length;
  const without = await run(false, 0);
  const withDefaults = await run(true, 0);
  assert.equal(without.size, 24);
  assert.equal(withDefaults.size, 24);
  assert.equal(inZoneB(without), 6);
  assert.ok(inZoneB(withDefaults) > inZoneB(without), `zone b got ${inZoneB(withDefaults)}`);
  // Same placements with 1, 2 and 4 workers.
  for (const workers of [1, 2, 4]) assert.deepEqual([...(await run(true, workers))].sort(), [...withDefaults].sort(), `${workers} workers`);
});
