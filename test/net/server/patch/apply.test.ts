import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyServerSideApply,
  updateManagedFields,
  type ApplyOptions,
  type Gvk,
  type JsonObject,
  type JsonValue,
  type ManagedFieldsEntry,
} from '../../../../src/net/server/patch/index.js';
import { fromFieldsV1, toFieldsV1 } from '../../../../src/net/server/patch/fieldpath.js';
import { toFieldSet } from '../../../../src/net/server/patch/typed.js';
import { rootSchema } from '../../../../src/net/server/patch/schema.js';
import { StatusError } from '../../../../src/core/errors.js';

const gvk: Gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const t0 = Date.UTC(2024, 0, 2, 3, 4, 5);

function opts(manager: string, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { manager, force: false, now: t0, gvk, ...extra };
}

function deployment(over: { replicas?: number; image?: string; labels?: JsonObject; containers?: JsonValue[] } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: over.labels ?? { app: 'nginx' } },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: over.containers ?? [
            { name: 'nginx', image: over.image ?? 'nginx:1.14.2', ports: [{ containerPort: 80 }] },
          ],
        },
      },
    },
  };
}

function spec(o: JsonObject): JsonObject {
  return o['spec'] as JsonObject;
}

function labels(o: JsonObject): JsonValue | undefined {
  return (o['metadata'] as JsonObject)['labels'];
}

function entry(fields: readonly ManagedFieldsEntry[], manager: string): ManagedFieldsEntry | undefined {
  return fields.find((e) => e.manager === manager);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * What the registry does after a write: the object as stored, managedFields included, frozen
 * as the watch cache hands it out (a patch function writing into it would throw).
 */
function stored(o: JsonObject, managedFields: readonly ManagedFieldsEntry[]): JsonObject {
  const meta = { ...(o['metadata'] as JsonObject) };
  if (managedFields.length > 0) meta['managedFields'] = managedFields as unknown as JsonValue;
  else delete meta['managedFields'];
  return deepFreeze({ ...o, metadata: meta });
}

function applyConflict(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a 409');
}

test('create: the object is the applied configuration, owned by one Apply entry in FieldsV1', () => {
  const r = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  assert.deepEqual(spec(r.object), spec(deployment()));
  assert.deepEqual(r.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2024-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
  assert.deepEqual((r.object['metadata'] as JsonObject)['managedFields'], r.managedFields);
});

test('re-applying the same configuration changes nothing, not even the time', () => {
  const first = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  const again = applyServerSideApply(deepFreeze(first.object), deployment(), opts('kubectl', { now: t0 + 60_000 }));
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first.object);
  assert.deepEqual(again.managedFields, first.managedFields);
});

test('a changed value is applied and the entry time moves', () => {
  const first = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  const next = applyServerSideApply(deepFreeze(first.object), deployment({ image: 'nginx:1.16.1' }), opts('kubectl', { now: t0 + 60_000 }));
  assert.equal(next.changed, true);
  const c = ((spec(next.object)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];
  assert.equal(c[0]?.['image'], 'nginx:1.16.1');
  assert.equal(next.managedFields[0]?.time, '2024-01-02T03:05:05Z');
});

test('field removal: a field the manager applied before and no longer applies is removed', () => {
  const first = applyServerSideApply(undefined, deployment({ labels: { app: 'nginx', tier: 'web' } }), opts('kubectl'));
  const next = applyServerSideApply(deepFreeze(first.object), deployment({ labels: { app: 'nginx' } }), opts('kubectl'));
  assert.deepEqual(labels(next.object), { app: 'nginx' });
  assert.deepEqual(entry(next.managedFields, 'kubectl')?.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
});

test('field removal: a list item no longer applied is removed, the others keep their fields', () => {
  const two = deployment({
    containers: [
      { name: 'nginx', image: 'nginx' },
      { name: 'sidecar', image: 'busybox' },
    ],
  });
  const first = applyServerSideApply(undefined, two, opts('kubectl'));
  const next = applyServerSideApply(deepFreeze(first.object), deployment({ containers: [{ name: 'nginx', image: 'nginx' }] }), opts('kubectl'));
  assert.deepEqual(((spec(next.object)['template'] as JsonObject)['spec'] as JsonObject)['containers'], [
    { name: 'nginx', image: 'nginx' },
  ]);
});

test('field removal keeps a field another manager also owns (two managers sharing ownership)', () => {
  const withTier = deployment({ labels: { app: 'nginx', tier: 'web' } });
  const a = applyServerSideApply(undefined, withTier, opts('alice'));
  // Bob applies the same value: no conflict, both own the label.
  const b = applyServerSideApply(deepFreeze(a.object), withTier, opts('bob'));
  const bobFields = entry(b.managedFields, 'bob')?.fieldsV1;
  const aliceFields = entry(b.managedFields, 'alice')?.fieldsV1;
  assert.deepEqual(bobFields, aliceFields, 'both own the same fields');
  // Alice stops applying tier: Bob still owns it, so it stays.
  const c = applyServerSideApply(deepFreeze(b.object), deployment(), opts('alice'));
  assert.deepEqual(labels(c.object), { app: 'nginx', tier: 'web' });
  // Bob stops too: now no one owns it, so it goes.
  const d = applyServerSideApply(deepFreeze(c.object), deployment(), opts('bob'));
  assert.deepEqual(labels(d.object), { app: 'nginx' });
});

test('conflict with an Update manager: 409 worded as kube-apiserver, no change', () => {
  const created = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  // kubectl scale / client-side apply: an Update that changes replicas.
  const scaled = { ...created.object, spec: { ...spec(created.object), replicas: 5 } };
  const mf = updateManagedFields(created.object, scaled, 'kubectl-client-side-apply', 'Update', { now: t0 + 1000 });
  const live = stored(scaled, mf);
  const e = applyConflict(() => applyServerSideApply(live, deployment({ replicas: 3 }), opts('kubectl')));
  assert.deepEqual(e.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    reason: 'Conflict',
    details: {
      causes: [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl-client-side-apply" using apps/v1',
          field: '.spec.replicas',
        },
      ],
    },
    code: 409,
  });
  // Applying the value the other manager set is not a conflict.
  const same = applyServerSideApply(live, deployment({ replicas: 5 }), opts('kubectl'));
  assert.equal(spec(same.object)['replicas'], 5);
});

test('force=true takes the conflicting field; the other manager loses it (and its entry when empty)', () => {
  const created = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  const scaled = { ...created.object, spec: { ...spec(created.object), replicas: 5 } };
  const live = stored(scaled, updateManagedFields(created.object, scaled, 'kubectl-client-side-apply', 'Update', { now: t0 }));
  const r = applyServerSideApply(live, deployment({ replicas: 7 }), opts('kubectl', { force: true }));
  assert.equal(spec(r.object)['replicas'], 7);
  assert.equal(entry(r.managedFields, 'kubectl-client-side-apply'), undefined);
  assert.deepEqual(
    (entry(r.managedFields, 'kubectl')?.fieldsV1['f:spec'] as JsonObject)['f:replicas'],
    {},
  );
});

test('conflicts with two managers: counted, grouped by manager, one cause per field', () => {
  const created = applyServerSideApply(undefined, deployment(), opts('kubectl'));
  const other = applyServerSideApply(
    created.object,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', labels: { app: 'nginx', team: 'a' } } },
    opts('helm'),
  );
  const scaled = { ...other.object, spec: { ...spec(other.object), replicas: 9 } };
  const live = stored(scaled, updateManagedFields(other.object, scaled, 'hpa', 'Update', { now: t0 }));
  const e = applyConflict(() =>
    applyServerSideApply(live, deployment({ replicas: 2, labels: { app: 'nginx', team: 'b' } }), opts('kubectl')),
  );
  assert.equal(e.code, 409);
  assert.equal(
    e.message,
    'Apply failed with 2 conflicts: conflicts with "helm"\n- .metadata.labels.team\nconflicts with "hpa" using apps/v1\n- .spec.replicas',
  );
  assert.deepEqual(
    e.status.details?.causes?.map((c) => c.field).sort(),
    ['.metadata.labels.team', '.spec.replicas'],
  );
});

test('updateManagedFields on create: every field with "." on maps and items the zero object lacks', () => {
  const mf = updateManagedFields(undefined, deployment(), 'kubectl-create', 'Update', { now: t0 });
  assert.deepEqual(mf, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2024-01-02T03:04:05Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': {
                    '.': {},
                    'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                  },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('updateManagedFields: a write that changes nothing records nothing; changes move ownership', () => {
  const created = stored(deployment(), updateManagedFields(undefined, deployment(), 'kubectl-create', 'Update', { now: t0 }));
  assert.deepEqual(updateManagedFields(created, created, 'kubectl-edit', 'Update', { now: t0 + 5000 }), (created['metadata'] as JsonObject)['managedFields']);
  const edited = { ...created, spec: { ...spec(created), replicas: 1 } };
  const mf = updateManagedFields(created, edited, 'kubectl-edit', 'Update', { now: t0 + 5000 });
  assert.deepEqual(entry(mf, 'kubectl-edit')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entry(mf, 'kubectl-edit')?.time, '2024-01-02T03:04:10Z');
  const create = entry(mf, 'kubectl-create')?.fieldsV1['f:spec'] as JsonObject;
  assert.equal(create['f:replicas'], undefined, 'the creator no longer owns replicas');
  assert.deepEqual(create['f:selector'], {});
});

test('updateManagedFields: [{}] clears managedFields; a removed field leaves its owner', () => {
  const created = stored(deployment(), updateManagedFields(undefined, deployment(), 'kubectl-create', 'Update', { now: t0 }));
  const reset = { ...created, metadata: { ...(created['metadata'] as JsonObject), managedFields: [{}] } };
  assert.deepEqual(updateManagedFields(created, reset, 'kubectl-patch', 'Update', { now: t0 }), []);
  const noLabels = { ...created, metadata: { ...(created['metadata'] as JsonObject) } };
  delete (noLabels['metadata'] as JsonObject)['labels'];
  const mf = updateManagedFields(created, noLabels, 'kubectl-label', 'Update', { now: t0 });
  assert.equal(entry(mf, 'kubectl-create')?.fieldsV1['f:metadata'], undefined);
  assert.equal(entry(mf, 'kubectl-label'), undefined, 'removing fields owns nothing');
});

test('entries are ordered Apply first, then by time, then by manager', () => {
  const a = applyServerSideApply(undefined, deployment(), opts('kubectl', { now: t0 + 10_000 }));
  const changed = { ...a.object, spec: { ...spec(a.object), minReadySeconds: 5 } };
  const live = stored(changed, updateManagedFields(a.object, changed, 'b-updater', 'Update', { now: t0 }));
  const changed2 = { ...live, spec: { ...spec(live), paused: true } };
  const mf = updateManagedFields(live, changed2, 'a-updater', 'Update', { now: t0 });
  assert.deepEqual(
    mf.map((e) => `${e.operation}/${e.manager}`),
    ['Apply/kubectl', 'Update/a-updater', 'Update/b-updater'],
  );
});

test('an object no one tracked: updates keep it untracked; the first apply adopts it as "before-first-apply"', () => {
  const untracked = deepFreeze(deployment({ replicas: 2 }));
  const edited = { ...untracked, spec: { ...spec(untracked), replicas: 3 } };
  assert.deepEqual(updateManagedFields(untracked, edited, 'kubectl-edit', 'Update', { now: t0 }), []);
  assert.throws(
    () => applyServerSideApply(untracked, deployment({ replicas: 5 }), opts('kubectl')),
    (e: unknown) =>
      e instanceof StatusError &&
      e.message === 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
  );
  const same = applyServerSideApply(untracked, deployment({ replicas: 2 }), opts('kubectl'));
  assert.deepEqual(
    same.managedFields.map((e) => `${e.operation}/${e.manager}`),
    ['Apply/kubectl', 'Update/before-first-apply'],
  );
});

test('status is not tracked on the main resource; metadata bookkeeping never is', () => {
  const cfg: JsonObject = { ...deployment(), status: { replicas: 3 } };
  (cfg['metadata'] as JsonObject)['uid'] = 'u-1';
  const r = applyServerSideApply(undefined, cfg, opts('kubectl'));
  const fields = r.managedFields[0]?.fieldsV1 as JsonObject;
  assert.equal(fields['f:status'], undefined);
  assert.equal((fields['f:metadata'] as JsonObject)['f:uid'], undefined);
  assert.equal(fields['f:apiVersion'], undefined);
});

const badApplies: readonly { name: string; cfg: JsonObject; code: number; message: string }[] = [
  {
    name: 'managedFields in the configuration',
    cfg: { ...deployment(), metadata: { name: 'nginx', managedFields: [] } },
    code: 400,
    message: 'metadata.managedFields must be nil',
  },
  {
    name: 'another apiVersion',
    cfg: { ...deployment(), apiVersion: 'apps/v1beta1' },
    code: 400,
    message: 'invalid object type: apps/v1beta1, Kind=Deployment',
  },
  {
    name: 'another kind',
    cfg: { ...deployment(), apiVersion: 'v1', kind: 'Pod' },
    code: 400,
    message: 'invalid object type: /v1, Kind=Pod',
  },
  {
    name: 'a container without its key',
    cfg: deployment({ containers: [{ image: 'nginx' }] }),
    code: 500,
    message:
      'failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  },
];

for (const c of badApplies) {
  test(`apply rejects ${c.name}`, () => {
    assert.throws(
      () => applyServerSideApply(undefined, c.cfg, opts('kubectl')),
      (e: unknown) => e instanceof StatusError && e.code === c.code && e.message === c.message,
    );
  });
}

test('apply merges list items: live-only items stay, applied items follow the applied order', () => {
  const created = applyServerSideApply(
    undefined,
    deployment({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] }),
    opts('kubectl'),
  );
  // Another manager adds a container.
  const added = {
    ...created.object,
    spec: {
      ...spec(created.object),
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'a', image: 'a' }, { name: 'x', image: 'x' }, { name: 'b', image: 'b' }] },
      },
    },
  };
  const live = stored(added, updateManagedFields(created.object, added, 'injector', 'Update', { now: t0 }));
  const r = applyServerSideApply(
    live,
    deployment({ containers: [{ name: 'b', image: 'b2' }, { name: 'a', image: 'a' }] }),
    opts('kubectl'),
  );
  const names = (((spec(r.object)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[]).map(
    (c) => `${String(c['name'])}=${String(c['image'])}`,
  );
  assert.deepEqual(names, ['x=x', 'b=b2', 'a=a']);
});

// Random Deployment-shaped configurations: labels, replicas, containers with ports and env.
const containerArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  image: fc.constantFrom('nginx', 'redis'),
  ports: fc.uniqueArray(fc.record({ containerPort: fc.integer({ min: 1, max: 5 }) }), {
    selector: (p) => p.containerPort,
    maxLength: 3,
  }),
  env: fc.uniqueArray(fc.record({ name: fc.constantFrom('X', 'Y', 'Z'), value: fc.string({ maxLength: 2 }) }), {
    selector: (e) => e.name,
    maxLength: 2,
  }),
});
const configArb = fc.record({
  labels: fc.dictionary(fc.constantFrom('app', 'tier', 'team'), fc.constantFrom('x', 'y')).map((d) => ({ ...d })),
  replicas: fc.integer({ min: 0, max: 5 }),
  containers: fc.uniqueArray(containerArb, { selector: (c) => c.name, minLength: 1, maxLength: 3 }),
});

function configOf(c: { labels: JsonObject; replicas: number; containers: JsonValue[] }): JsonObject {
  return deployment({ labels: c.labels, replicas: c.replicas, containers: c.containers });
}

test('property: FieldsV1 round-trips through parse and serialize', () => {
  fc.assert(
    fc.property(configArb, (c) => {
      const set = toFieldSet(configOf(c as never), rootSchema('Deployment'));
      const json = toFieldsV1(set);
      const back = fromFieldsV1(json);
      assert.ok(back !== undefined && back.equals(set));
      assert.deepEqual(toFieldsV1(back), json);
    }),
    { numRuns: 200 },
  );
});

/** Empty lists and maps dropped, as decoding into the Go types (omitempty) drops them. */
function normalized(v: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => normalized(x) ?? null);
  if (typeof v !== 'object' || v === null) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    const n = normalized(x);
    if (n !== undefined) out[k] = n;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

test('property: one manager applying a sequence of configurations ends with the last one', () => {
  fc.assert(
    fc.property(fc.array(configArb, { minLength: 1, maxLength: 4 }), (configs) => {
      let live: JsonObject | undefined;
      for (const c of configs) live = applyServerSideApply(live, configOf(c as never), opts('kubectl')).object;
      const last = configOf(configs[configs.length - 1] as never);
      const got = live as JsonObject;
      assert.deepEqual(normalized(spec(got)), normalized(spec(last)));
      assert.deepEqual(normalized(labels(got)), normalized(labels(last)));
    }),
    { numRuns: 150 },
  );
});

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/** An object as `kubectl apply` (client-side) creates it: annotation + Update entry. */
function clientSideApplied(cfg: JsonObject): JsonObject {
  const meta = cfg['metadata'] as JsonObject;
  const obj: JsonObject = {
    ...cfg,
    metadata: { ...meta, annotations: { [lastApplied]: `${JSON.stringify(cfg)}\n` } },
  };
  return stored(obj, updateManagedFields(undefined, obj, 'kubectl-client-side-apply', 'Update', { now: t0 }));
}

test('kubectl apply --server-side after client-side apply takes over fields still as last applied', () => {
  const live = clientSideApplied(deployment({ replicas: 3 }));
  // Without the upgrade path this conflicts with kubectl-client-side-apply on .spec.replicas.
  assert.throws(() => applyServerSideApply(live, deployment({ replicas: 4 }), opts('someone-else')), (e: unknown) => e instanceof StatusError && e.code === 409);
  const r = applyServerSideApply(live, deployment({ replicas: 4 }), opts('kubectl'));
  assert.equal(spec(r.object)['replicas'], 4);
  const csa = entry(r.managedFields, 'kubectl-client-side-apply')?.fieldsV1['f:spec'] as JsonObject | undefined;
  assert.equal(csa?.['f:replicas'], undefined, 'client-side apply no longer owns replicas');
  // The annotation now records the server-side applied configuration, as encoding/json writes it.
  const annotation = ((r.object['metadata'] as JsonObject)['annotations'] as JsonObject)[lastApplied];
  assert.equal(typeof annotation, 'string');
  assert.deepEqual(JSON.parse(annotation as string), deployment({ replicas: 4 }));
  assert.ok((annotation as string).startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels"'));
  assert.ok((annotation as string).endsWith('}\n'));
});

test('the upgrade path does not cover fields changed since the last client-side apply', () => {
  const applied = clientSideApplied(deployment({ replicas: 3 }));
  const scaled = { ...applied, spec: { ...spec(applied), replicas: 5 } };
  const live = stored(scaled, updateManagedFields(applied, scaled, 'hpa', 'Update', { now: t0 }));
  assert.throws(
    () => applyServerSideApply(live, deployment({ replicas: 4 }), opts('kubectl')),
    (e: unknown) =>
      e instanceof StatusError &&
      e.message === 'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas',
  );
});

test('more than 10 Update managers: the oldest are merged into "ancient-changes"', () => {
  let live: JsonObject = deepFreeze(applyServerSideApply(undefined, deployment(), opts('kubectl')).object);
  for (let i = 0; i < 12; i++) {
    const meta = live['metadata'] as JsonObject;
    const next = { ...live, metadata: { ...meta, labels: { ...(meta['labels'] as JsonObject), [`l${i}`]: 'x' } } };
    live = stored(next, updateManagedFields(live, next, `writer-${String(i).padStart(2, '0')}`, 'Update', { now: t0 + i * 1000 }));
  }
  const mf = (live['metadata'] as JsonObject)['managedFields'] as unknown as ManagedFieldsEntry[];
  assert.equal(mf.filter((e) => e.operation === 'Update').length, 10);
  assert.ok(entry(mf, 'kubectl') !== undefined, 'Apply entries are not capped');
  const ancient = entry(mf, 'ancient-changes');
  assert.ok(ancient !== undefined);
  // The three oldest writers (l0, l1, l2) are now one entry; the others keep their own.
  assert.deepEqual(Object.keys((ancient.fieldsV1['f:metadata'] as JsonObject)['f:labels'] as JsonObject).sort(), [
    'f:l0',
    'f:l1',
    'f:l2',
  ]);
  assert.equal(entry(mf, 'writer-02'), undefined);
  assert.ok(entry(mf, 'writer-03') !== undefined);
});

test('updates through the status subresource track status only, in an entry marked with it', () => {
  const pod: JsonObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const created = stored(pod, updateManagedFields(undefined, pod, 'kubectl-create', 'Update', { now: t0 }));
  const running = { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  const mf = updateManagedFields(created, running, 'kubelet', 'Update', { now: t0, subresource: 'status' });
  assert.deepEqual(entry(mf, 'kubelet'), {
    manager: 'kubelet',
    operation: 'Update',
    apiVersion: 'v1',
    time: '2024-01-02T03:04:05Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:status': {
        'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } },
        'f:phase': {},
      },
    },
    subresource: 'status',
  });
  assert.equal(entry(mf, 'kubectl-create')?.fieldsV1['f:status'], undefined);
});

test('atomic list items (ownerReferences) are owned as one field: k:{"uid":…}: {}', () => {
  const pod: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u-1', controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };
  const mf = updateManagedFields(undefined, pod, 'kube-controller-manager', 'Update', { now: t0 });
  assert.deepEqual(mf[0]?.fieldsV1['f:metadata'], {
    'f:generateName': {},
    'f:ownerReferences': { '.': {}, 'k:{"uid":"u-1"}': {} },
  });
});

test('property: the direct create path gives the FieldsV1 of the general comparison', async () => {
  const { compareObjects, createdFieldsV1 } = await import('../../../../src/net/server/patch/typed.js');
  const scope = { except: new Set(['apiVersion', 'kind', 'status']) };
  const metaArb = fc.record(
    {
      finalizers: fc.uniqueArray(fc.constantFrom('a/x', 'b/y', 'c'), { maxLength: 3 }),
      ownerReferences: fc.uniqueArray(fc.record({ uid: fc.constantFrom('u1', 'u2'), name: fc.constant('rs') }), {
        selector: (o) => o.uid,
        maxLength: 2,
      }),
      annotations: fc.dictionary(fc.constantFrom('a', 'b'), fc.string({ maxLength: 2 })).map((d) => ({ ...d })),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(configArb, metaArb, fc.boolean(), (c, meta, withStrategy) => {
      const obj = configOf(c as never);
      Object.assign(obj['metadata'] as JsonObject, meta);
      if (withStrategy) (obj['spec'] as JsonObject)['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } };
      const root = rootSchema('Deployment');
      const diff = compareObjects(undefined, obj, root, scope);
      const general = diff.added.unionInPlace(diff.modified);
      general.get('f:metadata')?.children?.delete('f:name');
      general.get('f:metadata')?.children?.delete('f:namespace');
      const direct = createdFieldsV1(obj, root, scope, new Set(['name', 'namespace']));
      assert.deepEqual(direct ?? {}, toFieldsV1(general));
      assert.equal(JSON.stringify(direct ?? {}), JSON.stringify(toFieldsV1(general)), 'same key order');
    }),
    { numRuns: 200 },
  );
});

test('list-map keys take their defaults: a Service port applied without protocol is the TCP port', () => {
  const svcGvk: Gvk = { group: '', version: 'v1', kind: 'Service' };
  const cfg: JsonObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
  const created = applyServerSideApply(undefined, cfg, { manager: 'kubectl', force: false, now: t0, gvk: svcGvk });
  assert.deepEqual(created.managedFields[0]?.fieldsV1['f:spec'], {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
    'f:selector': {},
  });
  // The registry defaults protocol; re-applying the same manifest changes nothing.
  const o = created.object;
  const defaulted = deepFreeze({
    ...o,
    spec: { ...(o['spec'] as JsonObject), ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], type: 'ClusterIP' },
  });
  const again = applyServerSideApply(defaulted, cfg, { manager: 'kubectl', force: false, now: t0 + 5000, gvk: svcGvk });
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, defaulted);
});

test('after kubectl’s client-side → server-side migration, re-applying keeps lists it owns as members', () => {
  const svcGvk: Gvk = { group: '', version: 'v1', kind: 'Service' };
  const cfg: JsonObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
  // Created by client-side apply: the Update entry owns spec.ports as a member (".").
  const csaObj: JsonObject = { ...cfg, metadata: { name: 'web', annotations: { [lastApplied]: `${JSON.stringify(cfg)}\n` } } };
  const csa = updateManagedFields(undefined, csaObj, 'kubectl-client-side-apply', 'Update', { now: t0 });
  assert.deepEqual((csa[0]?.fieldsV1['f:spec'] as JsonObject)['f:ports'], {
    '.': {},
    'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} },
  });
  // kubectl's migration (csaupgrade) moves those fields into its Apply entry.
  const migrated: ManagedFieldsEntry[] = [
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: csa[0]?.fieldsV1 ?? {} },
  ];
  const live = stored(csaObj, migrated);
  const again = applyServerSideApply(live, cfg, { manager: 'kubectl', force: false, now: t0, gvk: svcGvk });
  assert.deepEqual((again.object['spec'] as JsonObject)['ports'], [{ port: 80, targetPort: 8080, protocol: 'TCP' }]);
  // Dropping the port from the manifest does remove it.
  const noPorts: JsonObject = { ...cfg, spec: { selector: { app: 'web' } } };
  const dropped = applyServerSideApply(deepFreeze(again.object), noPorts, { manager: 'kubectl', force: false, now: t0, gvk: svcGvk });
  assert.equal((dropped.object['spec'] as JsonObject)['ports'], undefined);
});

test('property: with force, whatever the history, the last applier’s values are in the object', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('alice', 'bob'), configArb), { minLength: 1, maxLength: 4 }), (steps) => {
      let live: JsonObject | undefined;
      for (const [m, c] of steps) live = applyServerSideApply(live, configOf(c as never), opts(m, { force: true })).object;
      const got = live as JsonObject;
      const [, last] = steps[steps.length - 1] as [string, { labels: JsonObject; replicas: number; containers: JsonObject[] }];
      const gotLabels = labels(got) as JsonObject;
      for (const [k, v] of Object.entries(last.labels)) assert.equal(gotLabels[k], v);
      assert.equal(spec(got)['replicas'], last.replicas);
      const containers = ((spec(got)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];
      for (const c of last.containers) assert.equal(containers.find((x) => x['name'] === c['name'])?.['image'], c['image']);
    }),
    { numRuns: 150 },
  );
});

/** Leaf paths of a FieldsV1 object ("/f:spec/f:replicas"). */
function leaves(v: JsonObject, prefix: string, out: string[]): string[] {
  for (const [k, x] of Object.entries(v)) {
    if (k === '.') continue;
    const children = Object.keys(x as JsonObject).filter((c) => c !== '.');
    if (children.length === 0) out.push(`${prefix}/${k}`);
    else leaves(x as JsonObject, `${prefix}/${k}`, out);
  }
  return out;
}

test('property: after any history of updates, no leaf is owned by two Update managers', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('m1', 'm2', 'm3'), configArb), { minLength: 1, maxLength: 5 }), (steps) => {
      let live: JsonObject | undefined;
      for (const [m, c] of steps) {
        const next = configOf(c as never);
        live = stored(next, updateManagedFields(live, next, m, 'Update', { now: t0 }));
      }
      const mf = ((live as JsonObject)['metadata'] as JsonObject)['managedFields'] as unknown as ManagedFieldsEntry[];
      const all = mf.flatMap((e) => leaves(e.fieldsV1, '', []));
      assert.equal(new Set(all).size, all.length);
    }),
    { numRuns: 150 },
  );
});
