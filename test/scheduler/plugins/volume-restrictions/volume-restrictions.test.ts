import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod } from '../../../../src/core/api/types.js';
import { CycleState } from '../../../../src/scheduler/framework/cycle-state.js';
import { newPodInfo } from '../../../../src/scheduler/framework/pod-info.js';
import { Code } from '../../../../src/scheduler/framework/status.js';
import { VolumeCatalog } from '../../../../src/scheduler/plugins/volume-binding/catalog.js';
import {
  errReasonDiskConflict as disk,
  errReasonReadWriteOncePodConflict as rwop,
  newVolumeRestrictions,
  volumesConflict,
} from '../../../../src/scheduler/plugins/volume-restrictions/volume-restrictions.js';
import { createScheduler, type Unschedulable } from '../../../../src/scheduler/index.js';
import { Cluster, node, pod } from '../../helpers.js';

type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];

const binder = { bind: (): Promise<void> => Promise.resolve() };

function claim(name: string, accessModes: NonNullable<NonNullable<PersistentVolumeClaim['spec']>['accessModes']>): PersistentVolumeClaim {
  // Bound (to pv-<name>): VolumeBinding lets the pod through.
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes, resources: { requests: { storage: '1Gi' } }, volumeName: `pv-${name}` } };
}

function catalog(): VolumeCatalog {
  const c = new VolumeCatalog();
  for (const name of ['solo', 'shared']) {
    c.addVolume({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `pv-${name}` }, spec: { capacity: { storage: '1Gi' }, claimRef: { namespace: 'default', name } }, status: { phase: 'Bound' } });
  }
  c.addClaim(claim('solo', ['ReadWriteOncePod']));
  c.addClaim(claim('shared', ['ReadWriteMany']));
  return c;
}

const withVolumes = (name: string, ...volumes: Volume[]): Pod => pod({ name, volumes });
const pd = (pdName: string, readOnly = false): Volume => ({ name: `pd-${pdName}`, gcePersistentDisk: { pdName, readOnly } });
const ebs = (volumeID: string, readOnly = false): Volume => ({ name: `ebs-${volumeID}`, awsElasticBlockStore: { volumeID, readOnly } });
const iscsi = (iqn: string, readOnly = false): Volume => ({ name: `iscsi-${iqn}`, iscsi: { iqn, targetPortal: '10.0.0.1:3260', lun: 0, readOnly } });
const rbd = (monitors: string[], image: string, readOnly = false, pool?: string): Volume => ({ name: `rbd-${image}`, rbd: { monitors, image, readOnly, ...(pool === undefined ? {} : { pool }) } });
const pvcVolume = (claimName: string): Volume => ({ name: `v-${claimName}`, persistentVolumeClaim: { claimName } });

test('volumesConflict: kube’s rules for GCE PD, AWS EBS, iSCSI and RBD', () => {
  const cases: { name: string; a: Volume; b: Volume; want: boolean }[] = [
    { name: 'same PD', a: pd('d1'), b: pd('d1'), want: true },
    { name: 'same PD, both read-only', a: pd('d1', true), b: pd('d1', true), want: false },
    { name: 'same PD, one read-only', a: pd('d1', true), b: pd('d1'), want: true },
    { name: 'different PDs', a: pd('d1'), b: pd('d2'), want: false },
    { name: 'same EBS, even read-only', a: ebs('vol-1', true), b: ebs('vol-1', true), want: true },
    { name: 'same IQN', a: iscsi('iqn.a'), b: iscsi('iqn.a'), want: true },
    { name: 'same IQN, both read-only', a: iscsi('iqn.a', true), b: iscsi('iqn.a', true), want: false },
    { name: 'RBD: overlapping monitors, same pool and image', a: rbd(['m1', 'm2'], 'img'), b: rbd(['m2', 'm3'], 'img'), want: true },
    { name: 'RBD: default pool equals "rbd"', a: rbd(['m1'], 'img', false, 'rbd'), b: rbd(['m1'], 'img'), want: true },
    { name: 'RBD: no common monitor', a: rbd(['m1'], 'img'), b: rbd(['m2'], 'img'), want: false },
    { name: 'RBD: both read-only', a: rbd(['m1'], 'img', true), b: rbd(['m1'], 'img', true), want: false },
    { name: 'different kinds', a: pd('x'), b: ebs('x'), want: false },
  ];
  for (const c of cases) assert.equal(volumesConflict(c.a, c.b), c.want, c.name);
});

test('VolumeRestrictions Filter: a node holding a conflicting disk; every node when a ReadWriteOncePod claim is in use', () => {
  const ok: string[] = [];
  const cases: { name: string; placed: [Pod, number][]; incoming: Pod; want: string[][] | 'skip' }[] = [
    { name: 'same PD on n0', placed: [[withVolumes('a', pd('d1')), 0]], incoming: withVolumes('b', pd('d1')), want: [[disk], ok, ok] },
    { name: 'same PD read-only on both', placed: [[withVolumes('a', pd('d1', true)), 0]], incoming: withVolumes('b', pd('d1', true)), want: [ok, ok, ok] },
    { name: 'EBS on n1 and n2', placed: [[withVolumes('a', ebs('v')), 1], [withVolumes('c', ebs('v')), 2]], incoming: withVolumes('b', ebs('v')), want: [ok, [disk], [disk]] },
    { name: 'ReadWriteOncePod claim used by a placed pod', placed: [[withVolumes('a', pvcVolume('solo')), 2]], incoming: withVolumes('b', pvcVolume('solo')), want: [[rwop], [rwop], [rwop]] },
    { name: 'ReadWriteOncePod claim unused', placed: [[withVolumes('a', pvcVolume('shared')), 2]], incoming: withVolumes('b', pvcVolume('solo')), want: [ok, ok, ok] },
    { name: 'ReadWriteMany claim shared', placed: [[withVolumes('a', pvcVolume('shared')), 2]], incoming: withVolumes('b', pvcVolume('shared')), want: 'skip' },
    { name: 'no restricted volumes', placed: [[withVolumes('a', pd('d1')), 0]], incoming: withVolumes('b', { name: 'tmp', emptyDir: {} }), want: 'skip' },
  ];
  for (const c of cases) {
    const cluster = new Cluster([{ name: 'n0' }, { name: 'n1' }, { name: 'n2' }]);
    for (const [p, n] of c.placed) cluster.place(p, n);
    assert.deepEqual(cluster.filter(newVolumeRestrictions(undefined, 'args', { binder, volumes: catalog() }), c.incoming), c.want, c.name);
  }
});

test('VolumeRestrictions PreFilter: an unknown claim is unresolvable', () => {
  const plugin = newVolumeRestrictions(undefined, 'args', { binder, volumes: catalog() });
  const r = plugin.preFilter(new CycleState(), newPodInfo(withVolumes('p', pvcVolume('ghost'))), new Cluster([{ name: 'n0' }]).ctx);
  assert.equal(r.status.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(r.status.reasons, ['persistentvolumeclaim "ghost" not found']);
});

test('through the scheduler: two pods with one GCE PD go to different nodes; a second ReadWriteOncePod user waits', async () => {
  const volumes = catalog();
  const s = createScheduler({ volumes, check: 'full', batchPods: 1 });
  const failures: Unschedulable[] = [];
  s.onUnschedulable((u) => failures.push(u));
  try {
    for (let i = 0; i < 2; i++) s.addNode(node({ name: `n${i}` }));
    s.addPod(withVolumes('disk-0', pd('d1')));
    s.addPod(withVolumes('disk-1', pd('d1')));
    s.addPod(withVolumes('disk-2', pd('d1')));
    s.addPod(withVolumes('solo-0', pvcVolume('solo')));
    await s.idle();
    s.addPod(withVolumes('solo-1', pvcVolume('solo')));
    await s.idle();
    assert.notEqual(s.placementOf('default', 'disk-0'), s.placementOf('default', 'disk-1'));
    assert.equal(s.placementOf('default', 'disk-2'), undefined);
    assert.ok(failures.some((f) => f.pod.metadata.name === 'disk-2' && f.message.startsWith(`0/2 nodes are available: 2 ${disk}.`)));
    assert.ok(s.placementOf('default', 'solo-0') !== undefined);
    assert.equal(s.placementOf('default', 'solo-1'), undefined);
    assert.ok(failures.some((f) => f.pod.metadata.name === 'solo-1' && f.message.startsWith(`0/2 nodes are available: 2 ${rwop}.`)));
    assert.equal(s.stats().placementViolations, 0);
  } finally {
    await s.close();
  }
});
