import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../../src/core/api/types.js';
import { CycleState } from '../../../../src/scheduler/framework/cycle-state.js';
import { newPodInfo } from '../../../../src/scheduler/framework/pod-info.js';
import { Code } from '../../../../src/scheduler/framework/status.js';
import { annSelectedNode, VolumeCatalog } from '../../../../src/scheduler/plugins/volume-binding/catalog.js';
import {
  errReasonBindConflict as bindConflict,
  errReasonNodeConflict as nodeConflict,
  errReasonPVNotExist as pvNotExist,
  newVolumeBinding,
} from '../../../../src/scheduler/plugins/volume-binding/volume-binding.js';
import { createScheduler, type Unschedulable } from '../../../../src/scheduler/index.js';
import { Cluster, node, pod } from '../../helpers.js';

const binder = { bind: (): Promise<void> => Promise.resolve() };

function storageClass(name: string, mode: 'Immediate' | 'WaitForFirstConsumer', provisioner: string, zones?: string[]): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner,
    volumeBindingMode: mode,
    ...(zones === undefined ? {} : { allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: zones }] }] }),
  };
}

function pv(name: string, storageClassName: string, size: string, affinity?: { key: string; values: string[] }, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      storageClassName,
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      ...(affinity === undefined ? {} : { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: affinity.key, operator: 'In', values: affinity.values }] }] } } }),
      ...extra,
    },
    status: { phase: extra.claimRef === undefined ? 'Available' : 'Bound' },
  };
}

function pvc(name: string, spec: NonNullable<PersistentVolumeClaim['spec']>, meta: Partial<PersistentVolumeClaim['metadata']> = {}): PersistentVolumeClaim {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta }, spec };
}

const want = (size: string, storageClassName?: string): NonNullable<PersistentVolumeClaim['spec']> => ({
  accessModes: ['ReadWriteOnce'],
  resources: { requests: { storage: size } },
  ...(storageClassName === undefined ? {} : { storageClassName }),
});

function withClaims(name: string, ...claims: string[]): Pod {
  return pod({ name, volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) });
}

// Zones: n0 a, n1 b, n2 c.
const zoneNodes = [{ name: 'n0', labels: { zone: 'a' } }, { name: 'n1', labels: { zone: 'b' } }, { name: 'n2', labels: { zone: 'c' } }];

function catalog(): VolumeCatalog {
  const c = new VolumeCatalog();
  c.addStorageClass(storageClass('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
  c.addStorageClass(storageClass('dyn', 'WaitForFirstConsumer', 'example.com/csi', ['b']));
  c.addStorageClass(storageClass('fast', 'Immediate', 'example.com/csi'));
  c.addVolume(pv('pv-a', 'local', '10Gi', { key: 'zone', values: ['a'] }));
  c.addVolume(pv('pv-b', 'local', '5Gi', { key: 'zone', values: ['b'] }));
  c.addVolume(pv('pv-bound', 'local', '1Gi', { key: 'zone', values: ['c'] }, { claimRef: { namespace: 'default', name: 'bound' } }));
  c.addVolume(pv('pv-rwx', 'local', '50Gi', undefined, { accessModes: ['ReadWriteMany'] }));
  c.addClaim(pvc('bound', { ...want('1Gi', 'local'), volumeName: 'pv-bound' }));
  c.addClaim(pvc('small', want('5Gi', 'local')));
  c.addClaim(pvc('big', want('8Gi', 'local')));
  c.addClaim(pvc('provisioned', want('1Gi', 'dyn')));
  c.addClaim(pvc('immediate', want('1Gi', 'fast')));
  c.addClaim(pvc('classless', want('1Gi')));
  c.addClaim(pvc('dangling', { ...want('1Gi', 'local'), volumeName: 'gone' }));
  c.addClaim(pvc('deleting', want('1Gi', 'local'), { deletionTimestamp: '2026-01-01T00:00:00Z' }));
  c.addClaim(pvc('no-class-object', want('1Gi', 'missing')));
  return c;
}

test('VolumeBinding Filter: bound PVs’ node affinity, WaitForFirstConsumer matching (each PV once) and provisioning topology', () => {
  const ok: string[] = [];
  const cases: { name: string; claims: string[]; want: string[][] }[] = [
    { name: 'a bound PV pinned to zone c', claims: ['bound'], want: [[nodeConflict], [nodeConflict], ok] },
    { name: 'a 5Gi claim: pv-b (5Gi, zone b) or pv-a (10Gi, zone a)', claims: ['small'], want: [ok, ok, [bindConflict]] },
    { name: 'an 8Gi claim: only pv-a', claims: ['big'], want: [ok, [bindConflict], [bindConflict]] },
    { name: 'provisioning limited to zone b by allowedTopologies', claims: ['provisioned'], want: [[bindConflict], ok, [bindConflict]] },
    { name: 'two claims cannot share pv-a', claims: ['small', 'big'], want: [[bindConflict], [bindConflict], [bindConflict]] },
    { name: 'a PV that does not exist', claims: ['dangling'], want: [[pvNotExist], [pvNotExist], [pvNotExist]] },
    { name: 'both conflicts at once, in kube’s order', claims: ['bound', 'big'], want: [[nodeConflict], [nodeConflict, bindConflict], [bindConflict]] },
  ];
  for (const c of cases) {
    const cluster = new Cluster(zoneNodes);
    const plugin = newVolumeBinding(undefined, 'args', { binder, volumes: catalog() });
    assert.deepEqual(cluster.filter(plugin, withClaims('p', ...c.claims)), c.want, c.name);
  }
});

test('VolumeBinding PreFilter: missing, deleting and unbound immediate claims reject the pod; no claims skip', () => {
  const cases: { name: string; pod: Pod; code: number; message?: string }[] = [
    { name: 'no volumes', pod: pod({ name: 'plain' }), code: Code.Skip },
    { name: 'unknown claim', pod: withClaims('p', 'ghost'), code: Code.UnschedulableAndUnresolvable, message: 'persistentvolumeclaim "ghost" not found' },
    { name: 'claim being deleted', pod: withClaims('p', 'deleting'), code: Code.UnschedulableAndUnresolvable, message: 'persistentvolumeclaim "deleting" is being deleted' },
    { name: 'Immediate class, unbound', pod: withClaims('p', 'small', 'immediate'), code: Code.UnschedulableAndUnresolvable, message: 'pod has unbound immediate PersistentVolumeClaims' },
    { name: 'no class, unbound', pod: withClaims('p', 'classless'), code: Code.UnschedulableAndUnresolvable, message: 'pod has unbound immediate PersistentVolumeClaims' },
    { name: 'class not found', pod: withClaims('p', 'no-class-object'), code: Code.Error, message: 'storageclass.storage.k8s.io "missing" not found' },
    {
      name: 'an ephemeral volume’s claim not created yet',
      pod: pod({ name: 'eph', volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: want('1Gi', 'local') } } }] }),
      code: Code.UnschedulableAndUnresolvable,
      message: 'waiting for ephemeral volume controller to create the persistentvolumeclaim "eph-scratch"',
    },
    { name: 'bound and WaitForFirstConsumer claims', pod: withClaims('p', 'bound', 'small'), code: Code.Success },
  ];
  for (const c of cases) {
    const cluster = new Cluster(zoneNodes);
    const plugin = newVolumeBinding(undefined, 'args', { binder, volumes: catalog() });
    const r = plugin.preFilter(new CycleState(), newPodInfo(c.pod), cluster.ctx);
    assert.equal(r.status.code, c.code, c.name);
    if (c.message !== undefined) assert.deepEqual(r.status.reasons, [c.message], c.name);
  }
  // Without a catalog, every claim is unknown.
  const bare = newVolumeBinding(undefined, 'args', { binder });
  assert.deepEqual(bare.preFilter(new CycleState(), newPodInfo(withClaims('p', 'small')), new Cluster(zoneNodes).ctx).status.reasons, ['persistentvolumeclaim "small" not found']);
});

test('local PVs through the scheduler: each pod gets its own PV’s node, claims are bound, provisioning picks a node', async () => {
  const volumes = new VolumeCatalog();
  volumes.addStorageClass(storageClass('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
  volumes.addStorageClass(storageClass('dyn', 'WaitForFirstConsumer', 'example.com/csi', ['z1']));
  volumes.addStorageClass(storageClass('fast', 'Immediate', 'example.com/csi'));
  for (let i = 0; i < 3; i++) volumes.addVolume(pv(`local-${i}`, 'local', '10Gi', { key: 'kubernetes.io/hostname', values: [`n${i}`] }));
  for (let i = 0; i < 3; i++) volumes.addClaim(pvc(`data-${i}`, want('10Gi', 'local')));
  volumes.addClaim(pvc('data-3', want('10Gi', 'local')));
  volumes.addClaim(pvc('scratch', want('1Gi', 'dyn')));
  volumes.addClaim(pvc('now', want('1Gi', 'fast')));
  const s = createScheduler({ volumes, check: 'full' });
  const failures: Unschedulable[] = [];
  s.onUnschedulable((u) => failures.push(u));
  try {
    for (let i = 0; i < 3; i++) s.addNode(node({ name: `n${i}`, labels: { 'kubernetes.io/hostname': `n${i}`, zone: `z${i}` } }));
    for (let i = 0; i < 4; i++) s.addPod(withClaims(`db-${i}`, `data-${i}`));
    s.addPod(withClaims('builder', 'scratch'));
    s.addPod(withClaims('eager', 'now'));
    await s.idle();
    const hosts = [0, 1, 2].map((i) => s.placementOf('default', `db-${i}`));
    assert.equal(new Set(hosts).size, 3);
    for (let i = 0; i < 3; i++) {
      const claim = volumes.claim('default', `data-${i}`)!;
      const bound = volumes.volume(claim.spec?.volumeName ?? '');
      assert.ok(bound !== undefined, `data-${i} bound`);
      assert.equal(bound.spec?.claimRef?.name, `data-${i}`);
      // The PV bound is the one on the pod's node.
      assert.equal(bound.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values?.[0], hosts[i]);
    }
    // Three local PVs, four claims: the fourth pod finds none.
    assert.equal(s.placementOf('default', 'db-3'), undefined);
    assert.ok(failures.some((f) => f.pod.metadata.name === 'db-3' && f.message.startsWith(`0/3 nodes are available: 3 ${bindConflict}.`)), JSON.stringify(failures.map((f) => f.message)));
    assert.equal(s.placementOf('default', 'builder'), 'n1');
    assert.equal(volumes.claim('default', 'scratch')?.metadata.annotations?.[annSelectedNode], 'n1');
    assert.equal(s.placementOf('default', 'eager'), undefined);
    assert.ok(failures.some((f) => f.pod.metadata.name === 'eager' && f.message === '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.'));
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});

test('a pod rejected for want of a PV is retried when one is added to the catalog', async () => {
  const volumes = new VolumeCatalog();
  volumes.addStorageClass(storageClass('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
  volumes.addClaim(pvc('data', want('10Gi', 'local')));
  const s = createScheduler({ volumes });
  try {
    for (let i = 0; i < 2; i++) s.addNode(node({ name: `n${i}`, labels: { 'kubernetes.io/hostname': `n${i}` } }));
    s.addPod(withClaims('db', 'data'));
    await s.idle();
    assert.equal(s.queueLocation('default', 'db'), 'unschedulable');
    volumes.addVolume(pv('local-1', 'local', '10Gi', { key: 'kubernetes.io/hostname', values: ['n1'] }));
    // Out of the unschedulable set at once; it sits out its backoff (1 s) first.
    assert.notEqual(s.queueLocation('default', 'db'), 'unschedulable');
    for (let i = 0; i < 40 && s.placementOf('default', 'db') === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await s.idle();
    }
    assert.equal(s.placementOf('default', 'db'), 'n1');
    assert.equal(volumes.claim('default', 'data')?.spec?.volumeName, 'local-1');
  } finally {
    await s.close();
  }
});

/** A local PV whose nodeAffinity is the given terms. */
type SelectorTerms = NonNullable<NonNullable<NonNullable<PersistentVolume['spec']>['nodeAffinity']>['required']>['nodeSelectorTerms'];

function pinnedPV(name: string, terms: SelectorTerms, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume {
  const v = pv(name, 'local', '10Gi', undefined, extra);
  return { ...v, spec: { ...v.spec, nodeAffinity: { required: { nodeSelectorTerms: terms } } } };
}

const nameIs = (operator: 'In' | 'NotIn' | 'Exists', ...values: string[]) => ({ matchFields: [{ key: 'metadata.name', operator, values }] });
const zoneIn = (...values: string[]) => ({ matchExpressions: [{ key: 'zone', operator: 'In' as const, values }] });

test('VolumeBinding Filter: a PV’s matchFields are skipped, as volume.CheckNodeAffinity matches a Node built from labels alone', () => {
  const ok: string[] = [];
  const everywhere = [ok, ok, ok];
  const nowhere = [[bindConflict], [bindConflict], [bindConflict]];
  const cases: { name: string; terms: SelectorTerms; want: string[][] }[] = [
    { name: 'metadata.name In n1 alone: every node', terms: [nameIs('In', 'n1')], want: everywhere },
    { name: 'metadata.name NotIn n1 alone: every node', terms: [nameIs('NotIn', 'n1')], want: everywhere },
    { name: 'a field kube cannot select on, well-formed: every node', terms: [{ matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['true'] }] }], want: everywhere },
    { name: 'In two names: a parse error, so no node', terms: [nameIs('In', 'n0', 'n1')], want: nowhere },
    { name: 'Exists on a field: a parse error, so no node', terms: [nameIs('Exists')], want: nowhere },
    { name: 'NotIn without a value: a parse error, so no node', terms: [nameIs('NotIn')], want: nowhere },
    { name: 'next to a label expression, only the labels decide', terms: [{ ...nameIs('In', 'n0'), ...zoneIn('b', 'c') }], want: [[bindConflict], ok, ok] },
    { name: 'a parse error in the fields spoils the label expression beside it', terms: [{ ...nameIs('In', 'n0', 'n1'), ...zoneIn('a') }], want: nowhere },
    { name: 'ORed with a label term, the name term admits every node', terms: [nameIs('In', 'n0'), zoneIn('c')], want: everywhere },
    { name: 'ORed: a broken name term leaves the label term', terms: [nameIs('Exists'), zoneIn('c')], want: [[bindConflict], [bindConflict], ok] },
  ];
  for (const c of cases) {
    const volumes = new VolumeCatalog();
    volumes.addStorageClass(storageClass('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
    volumes.addVolume(pinnedPV('pv-pinned', c.terms));
    volumes.addClaim(pvc('data', want('5Gi', 'local')));
    const plugin = newVolumeBinding(undefined, 'args', { binder, volumes });
    assert.deepEqual(new Cluster(zoneNodes).filter(plugin, withClaims('p', 'data')), c.want, c.name);
  }
  // A claim already bound to a PV pinned by name: checkBoundClaims finds no conflict on any node;
  // one whose name requirement does not parse conflicts on every node.
  const bound: { terms: SelectorTerms; want: string[][] }[] = [
    { terms: [nameIs('In', 'n2')], want: everywhere },
    { terms: [nameIs('In', 'n1', 'n2')], want: [[nodeConflict], [nodeConflict], [nodeConflict]] },
    { terms: [{ ...nameIs('NotIn', 'n2'), ...zoneIn('c') }], want: [[nodeConflict], [nodeConflict], ok] },
  ];
  for (const c of bound) {
    const volumes = new VolumeCatalog();
    volumes.addVolume(pinnedPV('pv-bound', c.terms, { claimRef: { namespace: 'default', name: 'bound' } }));
    volumes.addClaim(pvc('bound', { ...want('1Gi', 'local'), volumeName: 'pv-bound' }));
    const plugin = newVolumeBinding(undefined, 'args', { binder, volumes });
    assert.deepEqual(new Cluster(zoneNodes).filter(plugin, withClaims('p', 'bound')), c.want, JSON.stringify(c.terms));
  }
});

test('PVs pinned by metadata.name through the scheduler: the name does not steer the pod, as in kube-scheduler', async () => {
  const volumes = new VolumeCatalog();
  volumes.addStorageClass(storageClass('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
  volumes.addVolume(pinnedPV('on-n2', [nameIs('In', 'n2')]));
  volumes.addVolume(pinnedPV('on-n2-bound', [nameIs('In', 'n2')], { claimRef: { namespace: 'default', name: 'pre' } }));
  volumes.addVolume(pinnedPV('broken', [nameIs('In', 'n1', 'n2')], { capacity: { storage: '50Gi' } }));
  volumes.addClaim(pvc('small', want('10Gi', 'local')));
  volumes.addClaim(pvc('pre', { ...want('1Gi', 'local'), volumeName: 'on-n2-bound' }));
  volumes.addClaim(pvc('huge', want('50Gi', 'local')));
  const s = createScheduler({ volumes, check: 'full' });
  const failures: Unschedulable[] = [];
  s.onUnschedulable((u) => failures.push(u));
  try {
    for (let i = 0; i < 3; i++) s.addNode(node({ name: `n${i}`, labels: { 'kubernetes.io/hostname': `n${i}` } }));
    // The pods ask for n0; the PVs name n2, which kube's VolumeBinding does not read.
    const onN0 = { 'kubernetes.io/hostname': 'n0' };
    s.addPod({ ...withClaims('uses-small', 'small'), spec: { ...withClaims('uses-small', 'small').spec!, nodeSelector: onN0 } });
    s.addPod({ ...withClaims('uses-pre', 'pre'), spec: { ...withClaims('uses-pre', 'pre').spec!, nodeSelector: onN0 } });
    // Only the PV whose name requirement does not parse holds 50Gi: it fits no node.
    s.addPod(withClaims('uses-huge', 'huge'));
    await s.idle();
    assert.equal(s.placementOf('default', 'uses-small'), 'n0');
    assert.equal(volumes.claim('default', 'small')?.spec?.volumeName, 'on-n2');
    assert.equal(s.placementOf('default', 'uses-pre'), 'n0');
    assert.equal(s.placementOf('default', 'uses-huge'), undefined);
    assert.ok(failures.some((f) => f.pod.metadata.name === 'uses-huge' && f.message.startsWith(`0/3 nodes are available: 3 ${bindConflict}.`)), JSON.stringify(failures.map((f) => f.message)));
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});
