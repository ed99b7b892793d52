import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  deepEqual,
  finalizersForPropagation,
  formatTimestamp,
  generateName,
  planDelete,
  prepareForCreate,
  prepareForFinalize,
  prepareForStatusUpdate,
  prepareForUpdate,
  shouldDeleteAfterUpdate,
} from '../../../src/core/api/meta.js';
import type { Deployment, KubeObject, Pod } from '../../../src/core/api/types.js';

const now = new Date('2024-05-06T07:08:09.750Z');
let uidCounter = 0;
const uidGen = (): string => `uid-${++uidCounter}`;

function deployment(overrides: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      ...overrides,
    },
    status: { replicas: 7 },
  };
}

test('generateName appends 5 characters from the Kubernetes alphabet and caps the base at 58', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (base) => {
      const name = generateName(base);
      const cut = base.slice(0, 58);
      assert.ok(name.startsWith(cut));
      const suffix = name.slice(cut.length);
      assert.match(suffix, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }),
  );
});

test('prepareForCreate: generated name, uid, creationTimestamp in seconds, generation, deletion cleared', () => {
  const input: Deployment = deployment();
  input.metadata = { generateName: 'web-', namespace: 'default', deletionTimestamp: '2020-01-01T00:00:00Z', deletionGracePeriodSeconds: 5, generation: 9 };
  const out = prepareForCreate(input, now, uidGen);
  assert.match(out.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.match(out.metadata.uid ?? '', /^uid-\d+$/);
  assert.equal(out.metadata.creationTimestamp, '2024-05-06T07:08:09Z');
  assert.equal(out.metadata.generation, 1);
  assert.equal(out.metadata.deletionTimestamp, undefined);
  assert.equal(out.metadata.deletionGracePeriodSeconds, undefined);
  // status belongs to the status subresource: reset on create
  assert.deepEqual(out.status, {});
  // input untouched
  assert.equal(input.metadata.name, undefined);
  assert.deepEqual(input.status, { replicas: 7 });
});

test('prepareForCreate keeps an explicit name over generateName', () => {
  const input = deployment();
  input.metadata.generateName = 'x-';
  assert.equal(prepareForCreate(input, now, uidGen).metadata.name, 'web');
});

test('prepareForCreate: status and generation per kind', () => {
  const cases: readonly (readonly [KubeObject, unknown, number | undefined])[] = [
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generation: 3 } }, undefined, undefined],
    [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {}, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, { loadBalancer: {} }, undefined],
    [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } }, { capacity: { cpu: '4' } }, undefined],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Terminating' } }, { phase: 'Active' }, undefined],
    [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: {}, status: { replicas: 3 } }, { replicas: 0 }, 1],
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] }, status: { phase: 'Running' } }, { phase: 'Pending', qosClass: 'BestEffort' }, 1],
  ];
  for (const [obj, status, generation] of cases) {
    const out = prepareForCreate(obj, now, uidGen);
    assert.deepEqual(out.status, status, obj.kind);
    assert.equal(out.metadata.generation, generation, obj.kind);
  }
});

test('prepareForCreate: Namespace gets the kubernetes finalizer; Job gets its generated selector', () => {
  const nsIn: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const ns = prepareForCreate(nsIn, now, () => 'u1');
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  const job = prepareForCreate(
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } },
    },
    now,
    () => 'u-123',
  ) as KubeObject as { spec: { selector: unknown; template: { metadata: { labels: unknown } } } };
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-123' } });
  assert.deepEqual(job.spec.template.metadata.labels, {
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u-123',
    'batch.kubernetes.io/controller-uid': 'u-123',
  });
});

function stored(): Deployment {
  return prepareForCreate(deployment(), now, () => 'uid-stored');
}

test('prepareForUpdate bumps generation on spec change only', () => {
  const old = { ...stored(), status: { replicas: 2, observedGeneration: 1 } };
  old.metadata = { ...old.metadata, resourceVersion: '10' };
  const sameSpec = prepareForUpdate({ ...old, metadata: { ...old.metadata, labels: { app: 'web', tier: 'x' } } }, old);
  assert.equal(sameSpec.metadata.generation, 1);
  const scaled = prepareForUpdate(deploymentWith(old, { replicas: 5 }), old);
  assert.equal(scaled.metadata.generation, 2);
  // Deployments also bump on annotation changes
  const annotated = prepareForUpdate({ ...old, metadata: { ...old.metadata, annotations: { a: 'b' } } }, old);
  assert.equal(annotated.metadata.generation, 2);
  // a client cannot set generation itself
  const forged = prepareForUpdate({ ...old, metadata: { ...old.metadata, generation: 40 } }, old);
  assert.equal(forged.metadata.generation, 1);
});

function deploymentWith(d: Deployment, spec: Partial<NonNullable<Deployment['spec']>>): Deployment {
  const base = d.spec;
  assert.ok(base);
  return { ...d, spec: { ...base, ...spec } };
}

test('prepareForUpdate keeps system fields and the stored status', () => {
  const old = { ...stored(), status: { replicas: 2 } };
  const sent: Deployment = {
    ...old,
    metadata: { name: 'web', namespace: 'default', resourceVersion: '11' },
    status: { replicas: 99 },
  };
  const out = prepareForUpdate(sent, old);
  assert.equal(out.metadata.uid, 'uid-stored');
  assert.equal(out.metadata.creationTimestamp, old.metadata.creationTimestamp);
  assert.equal(out.metadata.resourceVersion, '11');
  assert.deepEqual(out.status, { replicas: 2 });
  // kinds without a status subresource keep what was sent
  const cmOld: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' } };
  const cmNew: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, status: 1 };
  const cm = prepareForUpdate(cmNew, cmOld);
  assert.equal(cm.status, 1);
  assert.equal(cm.metadata.generation, undefined);
});

test('prepareForStatusUpdate changes only status', () => {
  const old = { ...stored(), status: { replicas: 2 } };
  const sent: Deployment = {
    ...deploymentWith(old, { replicas: 9 }),
    metadata: { ...old.metadata, labels: { hacked: 'yes' }, resourceVersion: '12' },
    status: { replicas: 3, observedGeneration: 1 },
  };
  const out = prepareForStatusUpdate(sent, old);
  assert.equal(out.spec?.replicas, 2);
  assert.deepEqual(out.metadata.labels, { app: 'web' });
  assert.equal(out.metadata.resourceVersion, '12');
  assert.deepEqual(out.status, { replicas: 3, observedGeneration: 1 });
  assert.equal(out.metadata.generation, 1);
});

test('Namespace spec.finalizers change only through finalize', () => {
  const nsIn: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
  const old = prepareForCreate(nsIn, now, uidGen);
  const sent: KubeObject = { ...old, spec: { finalizers: [] } };
  assert.deepEqual(prepareForUpdate(sent, old).spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(prepareForFinalize(sent, old).spec, { finalizers: [] });
});

test('deepEqual treats absent and empty maps/lists alike, and nothing else', () => {
  const table: readonly (readonly [unknown, unknown, boolean])[] = [
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: [] }, {}, true],
    [{ a: {} }, { a: undefined }, true],
    [{ a: 0 }, {}, false],
    [[1, 2], [2, 1], false],
    [{ a: '1' }, { a: 1 }, false],
  ];
  for (const [a, b, eq] of table) {
    assert.equal(deepEqual(a, b), eq, JSON.stringify([a, b]));
    assert.equal(deepEqual(b, a), eq, JSON.stringify([b, a]));
  }
  fc.assert(fc.property(fc.jsonValue(), (v) => deepEqual(v, JSON.parse(JSON.stringify(v)) as unknown)));
});

function pod(nodeName: string | undefined, grace?: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u', generation: 1 },
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      ...(nodeName === undefined ? {} : { nodeName }),
      ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }),
    },
    status: { phase: 'Running' },
  };
}

test('planDelete: pods are deleted gracefully unless unscheduled', () => {
  assert.deepEqual(planDelete(pod(undefined), {}, now), { action: 'delete' });
  const plan = planDelete(pod('n1', 45), {}, now);
  assert.equal(plan.action, 'update');
  assert.ok(plan.action === 'update');
  assert.equal(plan.object.metadata.deletionTimestamp, '2024-05-06T07:08:54Z');
  assert.equal(plan.object.metadata.deletionGracePeriodSeconds, 45);
  assert.equal(plan.object.metadata.generation, 2);
  // explicit grace period wins; 0 deletes at once
  const five = planDelete(pod('n1', 45), { gracePeriodSeconds: 5 }, now);
  assert.ok(five.action === 'update');
  assert.equal(five.object.metadata.deletionGracePeriodSeconds, 5);
  assert.deepEqual(planDelete(pod('n1'), { gracePeriodSeconds: 0 }, now), { action: 'delete' });
  // a second delete may only shorten the period
  const marked = five.object;
  assert.deepEqual(planDelete(marked, { gracePeriodSeconds: 30 }, now), { action: 'pending' });
  assert.deepEqual(planDelete(marked, {}, now), { action: 'pending' });
  const shorter = planDelete(marked, { gracePeriodSeconds: 2 }, now);
  assert.ok(shorter.action === 'update');
  assert.equal(shorter.object.metadata.deletionTimestamp, '2024-05-06T07:08:11Z');
  assert.deepEqual(planDelete(marked, { gracePeriodSeconds: 0 }, now), { action: 'delete' });
});

test('planDelete: finalizers keep the object until removed', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/hold'] } };
  const plan = planDelete(cm, {}, now);
  assert.ok(plan.action === 'update');
  assert.equal(plan.object.metadata.deletionTimestamp, '2024-05-06T07:08:09Z');
  assert.equal(plan.object.metadata.deletionGracePeriodSeconds, 0);
  assert.equal(shouldDeleteAfterUpdate(plan.object), false);
  const released = { ...plan.object, metadata: { ...plan.object.metadata, finalizers: [] } };
  assert.equal(shouldDeleteAfterUpdate(released), true);
  assert.deepEqual(planDelete(plan.object, {}, now), { action: 'pending' });
  // no finalizers: gone at once
  assert.deepEqual(planDelete({ ...cm, metadata: { name: 'c' } }, {}, now), { action: 'delete' });
  // Foreground propagation adds its finalizer
  const fg = planDelete<KubeObject>({ ...cm, metadata: { name: 'c' } }, { propagationPolicy: 'Foreground' }, now);
  assert.ok(fg.action === 'update');
  assert.deepEqual(fg.object.metadata.finalizers, ['foregroundDeletion']);
});

test('planDelete: a namespace is marked Terminating while spec.finalizers remain', () => {
  const nsIn: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
  const ns = prepareForCreate(nsIn, now, uidGen);
  const plan = planDelete(ns, { propagationPolicy: 'Background' }, now);
  assert.ok(plan.action === 'update');
  assert.deepEqual(plan.object.status, { phase: 'Terminating' });
  assert.equal(shouldDeleteAfterUpdate(plan.object), false);
  assert.equal(shouldDeleteAfterUpdate(prepareForFinalize({ ...plan.object, spec: { finalizers: [] } }, plan.object)), true);
});

test('finalizersForPropagation', () => {
  const table: readonly (readonly [string[] | undefined, 'Orphan' | 'Background' | 'Foreground' | undefined, string[] | undefined])[] = [
    [undefined, undefined, undefined],
    [['a'], 'Orphan', ['a', 'orphan']],
    [['orphan', 'a'], 'Foreground', ['a', 'foregroundDeletion']],
    [['orphan'], 'Background', undefined],
    [['orphan'], undefined, ['orphan']],
  ];
  for (const [input, policy, want] of table) assert.deepEqual(finalizersForPropagation(input, policy), want);
});

test('formatTimestamp truncates to seconds', () => {
  assert.equal(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 999)), '2024-01-02T03:04:05Z');
});

test('EndpointSlice generation follows endpoints, ports and labels (it has no spec)', () => {
  const eps: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'e', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
  } as KubeObject;
  const old = prepareForCreate(eps, now, uidGen);
  assert.equal(old.metadata.generation, 1);
  const same = prepareForUpdate({ ...old, metadata: { ...old.metadata, annotations: { a: 'b' } } }, old);
  assert.equal(same.metadata.generation, 1);
  const moved = prepareForUpdate({ ...old, endpoints: [{ addresses: ['10.0.0.2'] }] } as KubeObject, old);
  assert.equal(moved.metadata.generation, 2);
  const relabeled = prepareForUpdate({ ...old, metadata: { ...old.metadata, labels: { x: 'y' } } }, old);
  assert.equal(relabeled.metadata.generation, 2);
});

test('Service update keeps the allocated cluster IP and node ports the client left out', () => {
  const old: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default', uid: 'u' },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.7',
      clusterIPs: ['10.96.0.7'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
    },
  };
  const sent: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default', resourceVersion: '3' },
    spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
  const out = prepareForUpdate(sent, old);
  assert.deepEqual(out.spec, {
    type: 'NodePort',
    clusterIP: '10.96.0.7',
    clusterIPs: ['10.96.0.7'],
    ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
  });
});

test('property: formatTimestamp of any sequence of instants (repeats, same second, back in time) is RFC 3339 at seconds', () => {
  const instant = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
  fc.assert(
    fc.property(fc.array(fc.oneof(instant, fc.constantFrom(0, 999, 1000, 1_700_000_000_000, 1_700_000_000_999, 1_700_000_001_000)), { maxLength: 20 }), (instants) => {
      for (const ms of instants) {
        const d = new Date(ms);
        const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
        const expected = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
        assert.equal(formatTimestamp(ms), expected);
      }
    }),
    { numRuns: 300 },
  );
});

test('prepareForCreate: field order as written (client fields first, then what the server sets), input untouched', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: '', generateName: 'web-', labels: { a: 'b' }, uid: 'old', creationTimestamp: 'x', deletionTimestamp: 'y', resourceVersion: '5' },
    spec: { containers: [] },
    status: { phase: 'Running' },
  } as unknown as Pod;
  const before = structuredClone(pod);
  const out = prepareForCreate(pod, now, () => 'u1', () => 0);
  assert.deepEqual(pod, before);
  assert.deepEqual(Object.keys(out), ['apiVersion', 'kind', 'spec', 'metadata', 'status']);
  assert.deepEqual(Object.keys(out.metadata), ['generateName', 'labels', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'name']);
  assert.equal(out.metadata.name, 'web-bbbbb');
  assert.equal(out.spec, pod.spec);

  // A Node keeps the status it registers with, where the client put it.
  const node = { apiVersion: 'v1', kind: 'Node', status: { capacity: { cpu: '4' } }, spec: {}, metadata: { name: 'n1' } } as unknown as KubeObject;
  assert.deepEqual(Object.keys(prepareForCreate(node, now, uidGen)), ['apiVersion', 'kind', 'status', 'spec', 'metadata']);
  // A kind without a status subresource keeps no status key it did not have.
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } as unknown as KubeObject;
  assert.deepEqual(Object.keys(prepareForCreate(cm, now, uidGen)), ['apiVersion', 'kind', 'data', 'metadata']);
  const ns = { apiVersion: 'v1', kind: 'Namespace', spec: {}, metadata: { name: 'ns' } } as unknown as KubeObject;
  assert.deepEqual(Object.keys(prepareForCreate(ns, now, uidGen)), ['apiVersion', 'kind', 'metadata', 'status', 'spec']);
});
