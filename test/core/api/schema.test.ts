import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkFields, dropUnknownFields } from '../../../src/core/api/schema/index.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', labels: { app: 'nginx' }, annotations: { a: 'b' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.14.2',
            ports: [{ containerPort: 80 }],
            resources: { requests: { cpu: '100m', memory: '128Mi' } },
            env: [{ name: 'A', value: 'b' }],
            livenessProbe: { httpGet: { path: '/', port: 'http' } },
          },
        ],
      },
    },
  },
};

test('a Deployment from the Kubernetes docs has no unknown fields and no type errors', () => {
  assert.deepEqual(checkFields(deployment, 'apps/v1', 'Deployment'), { unknownFields: [], typeErrors: [] });
});

test('unknown fields are reported with their full path, as the strict decoder prints them', () => {
  const bad = structuredClone(deployment) as Record<string, unknown> & typeof deployment;
  (bad.spec.template.spec.containers[0] as Record<string, unknown>)['imagee'] = 'x';
  (bad.spec as Record<string, unknown>)['replica'] = 2;
  (bad as Record<string, unknown>)['extra'] = true;
  const r = checkFields(bad, 'apps/v1', 'Deployment');
  assert.deepEqual([...(r?.unknownFields ?? [])].sort(), ['extra', 'spec.replica', 'spec.template.spec.containers[0].imagee']);
});

test('a value of the wrong JSON type names the field and the Go type', () => {
  const bad = structuredClone(deployment) as { spec: Record<string, unknown> };
  bad.spec['replicas'] = '3';
  const r = checkFields(bad, 'apps/v1', 'Deployment');
  assert.deepEqual(r?.typeErrors, [
    'json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int32',
  ]);
});

test('int-or-string, maps and timestamps accept their forms; null is absent', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', creationTimestamp: null, labels: { a: 'b' } },
    spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }], selector: { app: 'x' } },
  };
  assert.deepEqual(checkFields(svc, 'v1', 'Service'), { unknownFields: [], typeErrors: [] });
  const bad = { ...svc, spec: { ports: [{ port: 80, targetPort: true }], selector: { app: 1 } } };
  assert.equal(checkFields(bad, 'v1', 'Service')?.typeErrors.length, 2);
});

test('dropUnknownFields removes exactly the unknown fields (fieldValidation=Ignore)', () => {
  const obj = structuredClone(deployment) as Record<string, unknown> & typeof deployment;
  (obj.spec.template.spec.containers[0] as Record<string, unknown>)['imagee'] = 'x';
  (obj as Record<string, unknown>)['extra'] = true;
  assert.equal(dropUnknownFields(obj, 'apps/v1', 'Deployment'), 2);
  assert.deepEqual(obj, deployment);
});

test('every served kind has a schema', async () => {
  const { kinds } = await import('../../../src/core/api/kinds.js');
  for (const k of kinds) {
    assert.ok(checkFields({ apiVersion: k.apiVersion, kind: k.kind }, k.apiVersion, k.kind), k.kind);
  }
});

// Where a single bad field sits deep in a Deployment (inside arrays and maps), and what it must be
// reported as: the clean bodies' fast pass must never hide a finding the full walk makes.
const deepSpots: readonly { readonly at: (d: typeof deployment) => Record<string, unknown>; readonly path: string; readonly field: string; readonly goType: string }[] = [
  { at: (d) => d.spec.template.spec.containers[0] as unknown as Record<string, unknown>, path: 'spec.template.spec.containers[0]', field: 'image', goType: 'string' },
  { at: (d) => d.spec.template.spec.containers[0]?.ports[0] as unknown as Record<string, unknown>, path: 'spec.template.spec.containers[0].ports[0]', field: 'containerPort', goType: 'int32' },
  { at: (d) => d.spec.template.spec.containers[0]?.env[0] as unknown as Record<string, unknown>, path: 'spec.template.spec.containers[0].env[0]', field: 'name', goType: 'string' },
  { at: (d) => d.spec.template.spec.containers[0]?.livenessProbe.httpGet as unknown as Record<string, unknown>, path: 'spec.template.spec.containers[0].livenessProbe.httpGet', field: 'path', goType: 'string' },
  { at: (d) => d.spec.strategy.rollingUpdate as unknown as Record<string, unknown>, path: 'spec.strategy.rollingUpdate', field: 'maxSurge', goType: 'intstr.IntOrString' },
  { at: (d) => d.spec.template.metadata.labels as unknown as Record<string, unknown>, path: 'spec.template.metadata.labels', field: 'app', goType: 'string' },
];

test('property: one unknown field or wrongly typed value anywhere is reported, with its path', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: deepSpots.length - 1 }), fc.boolean(), fc.oneof(fc.boolean(), fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x)), fc.constant([])), (i, unknown, badValue) => {
      const spot = deepSpots[i];
      assert.ok(spot !== undefined);
      const d = structuredClone(deployment);
      const target = spot.at(d);
      const isMap = spot.path.endsWith('labels');
      if (unknown && !isMap) {
        target['zzUnknown'] = 1;
        assert.deepEqual(checkFields(d, 'apps/v1', 'Deployment'), { unknownFields: [`${spot.path}.zzUnknown`], typeErrors: [] });
        return;
      }
      if (spot.goType === 'intstr.IntOrString' && typeof badValue === 'number') return;
      target[spot.field] = badValue;
      const r = checkFields(d, 'apps/v1', 'Deployment');
      assert.deepEqual(r?.unknownFields, []);
      assert.equal(r?.typeErrors.length, 1);
      const fieldPath = isMap ? `${spot.path}[${spot.field}]` : `${spot.path}.${spot.field}`;
      assert.match(r?.typeErrors[0] ?? '', new RegExp(`Go struct field Deployment\\.${fieldPath.replace(/[.[\]]/g, '\\$&')} of type ${spot.goType.replace('.', '\\.')}$`));
    }),
    { numRuns: 200 },
  );
});

test('a clean body is clean for every kind with a schema; an unknown kind has no check', () => {
  assert.deepEqual(checkFields({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, 'v1', 'Pod'), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(checkFields({ metadata: { name: 'x' } }, 'networking.k8s.io/v1', 'Ingress'), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(checkFields({ propagationPolicy: 'Orphan', extra: 1 }, 'meta/v1', 'DeleteOptions')?.unknownFields, ['extra']);
  assert.equal(checkFields({}, 'v1', 'NoSuchKind'), undefined);
  assert.equal(checkFields({}, 'apps/v2', 'Deployment'), undefined);
  assert.equal(checkFields({}, 'v1/Pod', ''), undefined);
  // A clean answer after a dirty one, and a dirty one after a clean one, are each their own.
  const dirty = checkFields({ spec: { bogus: 1 } }, 'v1', 'Pod');
  assert.deepEqual(dirty?.unknownFields, ['spec.bogus']);
  assert.deepEqual(checkFields({ spec: {} }, 'v1', 'Pod')?.unknownFields, []);
  assert.deepEqual(checkFields({ spec: { other: 1 } }, 'v1', 'Pod')?.unknownFields, ['spec.other']);
  assert.deepEqual(dirty?.unknownFields, ['spec.bogus']);
});

/** Every [path, value] of the leaves of a JSON tree, with the path as a key list. */
function leaves(v: unknown, path: readonly (string | number)[] = []): [readonly (string | number)[], unknown][] {
  if (typeof v !== 'object' || v === null) return [[path, v]];
  const out: [readonly (string | number)[], unknown][] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...leaves(x, [...path, i])));
  else for (const [k, x] of Object.entries(v)) out.push(...leaves(x, [...path, k]));
  return out;
}

function withValue(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i] as string | number] as Record<string | number, unknown>;
  cur[path[path.length - 1] as string | number] = value;
  return copy;
}

test('a wrong type or an unknown field anywhere in a body is found (the clean pass misses none)', () => {
  for (const [path, leaf] of leaves(deployment)) {
    if (path[0] === 'apiVersion' || path[0] === 'kind') continue;
    // A fraction: wrong for strings, integers and int-or-strings alike.
    const wrong = 12.5;
    assert.notEqual(leaf, wrong);
    const typed = checkFields(withValue(deployment, path, wrong), 'apps/v1', 'Deployment');
    assert.equal(typed?.typeErrors.length, 1, `${path.join('.')} = ${String(wrong)}`);
    assert.deepEqual(typed?.unknownFields, []);
    // An unknown field beside the leaf, unless the leaf is in a map (labels, resources), where any key goes.
    const parent = path.slice(0, -1);
    if (parent.length === 0 || typeof parent[parent.length - 1] === 'number') continue;
    const last = parent[parent.length - 1];
    if (last === 'labels' || last === 'matchLabels' || last === 'annotations' || last === 'requests') continue;
    const unknown = checkFields(withValue(deployment, [...parent, 'bogusField'], 1), 'apps/v1', 'Deployment');
    assert.equal(unknown?.unknownFields.length, 1, `${parent.join('.')}.bogusField`);
  }
});
