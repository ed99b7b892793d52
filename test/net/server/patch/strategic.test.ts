import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyStrategicMergePatch,
  type Gvk,
  type JsonObject,
  type JsonValue,
} from '../../../../src/net/server/patch/index.js';
import { StatusError } from '../../../../src/core/errors.js';

const deploymentGvk: Gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const podGvk: Gvk = { group: '', version: 'v1', kind: 'Pod' };
const serviceGvk: Gvk = { group: '', version: 'v1', kind: 'Service' };

/** Deep-freezes a fixture: patches must never write into the live object. */
function frozen<T extends JsonValue>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}

/** The Deployment of "Update API Objects in Place Using kubectl patch". */
function patchDemo(): JsonObject {
  return frozen({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx', imagePullPolicy: 'Always' }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  });
}

function podSpecOf(o: JsonObject): JsonObject {
  return ((o['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject;
}

function podOf(spec: JsonObject, metadata: JsonObject = { name: 'p' }): JsonObject {
  return frozen({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
}

test('docs: a new container is merged by name and placed first; tolerations are untouched', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } },
    deploymentGvk,
  );
  assert.deepEqual(podSpecOf(out)['containers'], [
    { name: 'patch-demo-ctr-2', image: 'redis' },
    { name: 'patch-demo-ctr', image: 'nginx', imagePullPolicy: 'Always' },
  ]);
  assert.deepEqual(podSpecOf(out)['tolerations'], [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }]);
});

test('docs: tolerations have no merge key, so a patch replaces the list', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } },
    deploymentGvk,
  );
  assert.deepEqual(podSpecOf(out)['tolerations'], [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
  assert.equal((podSpecOf(out)['containers'] as JsonValue[]).length, 1);
});

test('docs: $retainKeys clears the fields it does not list (strategy type Recreate)', () => {
  const live = frozen({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'retainkeys-demo' },
    spec: { strategy: { rollingUpdate: { maxSurge: '30%' }, type: 'RollingUpdate' } },
  });
  const without = applyStrategicMergePatch(live, { spec: { strategy: { type: 'Recreate' } } }, deploymentGvk);
  assert.deepEqual((without['spec'] as JsonObject)['strategy'], { rollingUpdate: { maxSurge: '30%' }, type: 'Recreate' });
  const withRetain = applyStrategicMergePatch(
    live,
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    deploymentGvk,
  );
  assert.deepEqual((withRetain['spec'] as JsonObject)['strategy'], { type: 'Recreate' });
});

test('kubectl client-side apply: $setElementOrder + changed image + replicas + last-applied annotation', () => {
  const live = frozen({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'old' } },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.14.2',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: {},
            },
          ],
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
  });
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' } },
    spec: {
      replicas: 4,
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [{ image: 'nginx:1.16.1', name: 'nginx' }],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(live, patch, deploymentGvk);
  assert.deepEqual(out, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' } },
    spec: {
      replicas: 4,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.16.1',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: {},
            },
          ],
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
  });
});

test('$setElementOrder reorders a list of maps and a list of primitives (design doc)', () => {
  const live = podOf(
    { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] },
    { name: 'p', finalizers: ['a', 'b', 'c'] },
  );
  const out = applyStrategicMergePatch(
    live,
    {
      metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'] },
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }] },
    },
    podGvk,
  );
  assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], ['b', 'c', 'a']);
  assert.deepEqual((out['spec'] as JsonObject)['containers'], [
    { name: 'b', image: 'b' },
    { name: 'c', image: 'c' },
    { name: 'a', image: 'a' },
  ]);
});

test('$setElementOrder with a removal: kubectl apply dropping a container sends $patch: delete', () => {
  const live = podOf({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] });
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ $patch: 'delete', name: 'b' }],
      },
    },
    podGvk,
  );
  assert.deepEqual((out['spec'] as JsonObject)['containers'], [{ name: 'a', image: 'a' }]);
});

test('design doc: {$patch: replace} in a list replaces it; {$patch: delete, name} removes an item', () => {
  const live = podOf({
    containers: [
      { name: 'nginx', image: 'nginx-0.9', ports: [{ containerPort: 80 }] },
      { name: 'log-tailer', image: 'log-tailer-1.0' },
    ],
  });
  const replaced = applyStrategicMergePatch(
    live,
    { spec: { containers: [{ name: 'nginx', image: 'nginx-1.0' }, { $patch: 'replace' }] } },
    podGvk,
  );
  assert.deepEqual((replaced['spec'] as JsonObject)['containers'], [{ name: 'nginx', image: 'nginx-1.0' }]);
  const deleted = applyStrategicMergePatch(
    live,
    { spec: { containers: [{ name: 'nginx', image: 'nginx-1.0' }, { $patch: 'delete', name: 'log-tailer' }] } },
    podGvk,
  );
  assert.deepEqual((deleted['spec'] as JsonObject)['containers'], [
    { name: 'nginx', image: 'nginx-1.0', ports: [{ containerPort: 80 }] },
  ]);
});

test('design doc: {$patch: replace} on a map takes the patch literally; {$patch: delete} empties it', () => {
  const out = applyStrategicMergePatch(
    patchDemo(),
    { spec: { template: { spec: { $patch: 'replace', containers: [{ name: 'only', image: 'busybox' }] } } } },
    deploymentGvk,
  );
  assert.deepEqual(podSpecOf(out), { containers: [{ name: 'only', image: 'busybox' }] });
  const live = frozen({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
  });
  const emptied = applyStrategicMergePatch(live, { spec: { strategy: { rollingUpdate: { $patch: 'delete' } } } }, deploymentGvk);
  assert.deepEqual((emptied['spec'] as JsonObject)['strategy'], { type: 'RollingUpdate', rollingUpdate: {} });
  const nulled = applyStrategicMergePatch(live, { spec: { strategy: { rollingUpdate: null } } }, deploymentGvk);
  assert.deepEqual((nulled['spec'] as JsonObject)['strategy'], { type: 'RollingUpdate' });
});

test('finalizers (a primitive list with merge strategy): union without duplicates, new items first', () => {
  const live = podOf({ containers: [] }, { name: 'p', finalizers: ['a', 'b'] });
  const merged = applyStrategicMergePatch(live, { metadata: { finalizers: ['b', 'c'] } }, podGvk);
  assert.deepEqual((merged['metadata'] as JsonObject)['finalizers'], ['a', 'b', 'c']);
  const prepended = applyStrategicMergePatch(live, { metadata: { finalizers: ['z'] } }, podGvk);
  assert.deepEqual((prepended['metadata'] as JsonObject)['finalizers'], ['z', 'a', 'b']);
});

test('design doc: $deleteFromPrimitiveList removes every matching item', () => {
  const live = podOf({ containers: [] }, { name: 'p', finalizers: ['a', 'b', 'c', 'b'] });
  const out = applyStrategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'c'] } }, podGvk);
  assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], ['a']);
  const absent = applyStrategicMergePatch(
    podOf({ containers: [] }),
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } },
    podGvk,
  );
  assert.equal((absent['metadata'] as JsonObject)['finalizers'], undefined, 'a delete list never adds the field');
});

test('null deletes a key; a null for a missing key adds nothing', () => {
  const live = podOf({ containers: [] }, { name: 'p', labels: { app: 'web', tier: 'front' } });
  const out = applyStrategicMergePatch(live, { metadata: { labels: { tier: null, missing: null } } }, podGvk);
  assert.deepEqual((out['metadata'] as JsonObject)['labels'], { app: 'web' });
});

// Merge keys per field: [what, kind, live, patch, expected] on the same path.
const mergeKeyCases: readonly {
  name: string;
  gvk: Gvk;
  path: readonly string[];
  live: JsonValue[];
  patch: JsonValue[];
  expected: JsonValue[];
}[] = [
  {
    name: 'container ports by containerPort',
    gvk: podGvk,
    path: ['spec', 'containers', '0', 'ports'],
    live: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
    patch: [{ containerPort: 80, name: 'web' }],
    expected: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }],
  },
  {
    name: 'env by name',
    gvk: podGvk,
    path: ['spec', 'containers', '0', 'env'],
    live: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
    patch: [{ name: 'B', value: '3' }],
    expected: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }],
  },
  {
    name: 'volumeMounts by mountPath',
    gvk: podGvk,
    path: ['spec', 'containers', '0', 'volumeMounts'],
    live: [{ name: 'v1', mountPath: '/data' }],
    patch: [{ name: 'v2', mountPath: '/data' }],
    expected: [{ name: 'v2', mountPath: '/data' }],
  },
  {
    name: 'volumes by name',
    gvk: podGvk,
    path: ['spec', 'volumes'],
    live: [{ name: 'cache', emptyDir: {} }],
    patch: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
    expected: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
  },
  {
    name: 'imagePullSecrets by name',
    gvk: podGvk,
    path: ['spec', 'imagePullSecrets'],
    live: [{ name: 'a' }],
    patch: [{ name: 'b' }],
    expected: [{ name: 'b' }, { name: 'a' }],
  },
  {
    name: 'hostAliases by ip',
    gvk: podGvk,
    path: ['spec', 'hostAliases'],
    live: [{ ip: '127.0.0.1', hostnames: ['a'] }],
    patch: [{ ip: '127.0.0.1', hostnames: ['b'] }],
    expected: [{ ip: '127.0.0.1', hostnames: ['b'] }],
  },
  {
    name: 'ownerReferences by uid',
    gvk: podGvk,
    path: ['metadata', 'ownerReferences'],
    live: [{ uid: 'u1', name: 'rs-1', kind: 'ReplicaSet', apiVersion: 'apps/v1' }],
    patch: [{ uid: 'u1', controller: true }],
    expected: [{ uid: 'u1', name: 'rs-1', kind: 'ReplicaSet', apiVersion: 'apps/v1', controller: true }],
  },
  {
    name: 'service ports by port',
    gvk: serviceGvk,
    path: ['spec', 'ports'],
    live: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
    patch: [{ port: 80, targetPort: 9090 }],
    expected: [{ port: 80, targetPort: 9090, protocol: 'TCP' }],
  },
  {
    name: 'container command (no strategy) is replaced',
    gvk: podGvk,
    path: ['spec', 'containers', '0', 'command'],
    live: ['sh', '-c', 'sleep 1'],
    patch: ['sleep', '2'],
    expected: ['sleep', '2'],
  },
];

/** `{a: {b: [{c: leaf}]}}` for path a,b,0,c: a numeric segment is a one-item list. */
function nest(path: readonly string[], leaf: JsonValue): JsonValue {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  const inner = nest(rest, leaf);
  return /^\d+$/.test(head) ? [inner] : { [head]: inner };
}

function dig(v: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let cur = v;
  for (const p of path) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (typeof cur === 'object' && cur !== null) cur = cur[p];
    else return undefined;
  }
  return cur;
}

for (const c of mergeKeyCases) {
  test(`merge key: ${c.name}`, () => {
    const inContainer = c.path.includes('0');
    const base = nest(c.path, c.live) as JsonObject;
    const patch = nest(c.path, c.patch) as JsonObject;
    if (inContainer) {
      // The container list itself merges by name: give both sides the same container name.
      ((base['spec'] as JsonObject)['containers'] as JsonObject[])[0] = {
        name: 'main',
        ...(((base['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject),
      };
      ((patch['spec'] as JsonObject)['containers'] as JsonObject[])[0] = {
        name: 'main',
        ...(((patch['spec'] as JsonObject)['containers'] as JsonObject[])[0] as JsonObject),
      };
    }
    const live = frozen({ apiVersion: 'v1', kind: c.gvk.kind, metadata: { name: 'x' }, ...base } as JsonObject);
    const out = applyStrategicMergePatch(live, patch, c.gvk);
    assert.deepEqual(dig(out, c.path), c.expected);
  });
}

const errorCases: readonly { name: string; gvk: Gvk; live: JsonObject; patch: JsonObject; code: number; message: string }[] = [
  {
    name: 'a field outside $retainKeys is 400',
    gvk: deploymentGvk,
    live: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys that is not a list is 400',
    gvk: deploymentGvk,
    live: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    code: 400,
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'an unknown $patch directive is 500 with the upstream message',
    gvk: podGvk,
    live: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { $patch: 'explode' } },
    code: 500,
    message: 'unknown patch type: explode in map: map[$patch:explode]',
  },
  {
    name: 'a merge-list item without its merge key is 500',
    gvk: podGvk,
    live: { spec: { containers: [{ name: 'a' }] } },
    patch: { spec: { containers: [{ image: 'x' }] } },
    code: 500,
    message: 'map: map[image:x] does not contain declared merge key: name',
  },
  {
    name: 'list items of different types are 500',
    gvk: podGvk,
    live: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: [['b']] } },
    code: 500,
    message: 'list element types are not identical: [[a] [[b]]]',
  },
  {
    name: 'lists of lists are 422',
    gvk: podGvk,
    live: { metadata: { finalizers: [] } },
    patch: { metadata: { finalizers: [['b']] } },
    code: 422,
    message: 'the server rejected our request due to an error in our request',
  },
];

for (const c of errorCases) {
  test(`strategic merge patch error: ${c.name}`, () => {
    let err: unknown;
    try {
      applyStrategicMergePatch(frozen(c.live), c.patch, c.gvk);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof StatusError, 'a StatusError');
    assert.equal(err.code, c.code);
    assert.equal(err.message, c.message);
  });
}

test('a patch body that is not an object is 400', () => {
  assert.throws(
    () => applyStrategicMergePatch(patchDemo(), [1, 2], deploymentGvk),
    (e: unknown) => e instanceof StatusError && e.code === 400,
  );
});

test('property: without lists or directives, a strategic merge patch is a JSON merge patch', async () => {
  const { default: fc } = await import('fast-check');
  const { applyMergePatch } = await import('../../../../src/net/server/patch/index.js');
  const { obj } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null), tie('obj')),
    obj: fc
      .dictionary(fc.constantFrom('metadata', 'spec', 'labels', 'a', 'b'), tie('value'), { maxKeys: 4 })
      .map((d) => ({ ...d })),
  }));
  fc.assert(
    fc.property(obj, obj, (live, patch) => {
      const o = live as JsonObject;
      assert.deepEqual(applyStrategicMergePatch(o, patch, podGvk), applyMergePatch(o, patch));
    }),
    { numRuns: 300 },
  );
});

test('root fields outside spec: ServiceAccount imagePullSecrets merge by name', () => {
  const sa = frozen({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' }, imagePullSecrets: [{ name: 'a' }] });
  const out = applyStrategicMergePatch(sa, { imagePullSecrets: [{ name: 'b' }] }, { group: '', version: 'v1', kind: 'ServiceAccount' });
  assert.deepEqual(out['imagePullSecrets'], [{ name: 'b' }, { name: 'a' }]);
});

test('kubectl apply switching a volume source: $retainKeys inside a merged list item', () => {
  const live = podOf({ containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'other', emptyDir: {} }] });
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'other' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, name: 'data' }],
      },
    },
    podGvk,
  );
  assert.deepEqual((out['spec'] as JsonObject)['volumes'], [
    { name: 'data', configMap: { name: 'cm' } },
    { name: 'other', emptyDir: {} },
  ]);
});

// Cases of apimachinery's strategicpatch tests (customStrategicMergePatchTestCaseData), on Pod
// fields with the same strategies: containers (merge by name) for `mergingList`, finalizers
// (merged scalars) for `mergingIntList`, labels for `simpleMap`.
const upstreamCases: readonly { name: string; field: 'containers' | 'finalizers' | 'labels'; original: JsonValue; patch: JsonObject; expected: JsonValue }[] = [
  { name: 'unique scalars when merging lists', field: 'finalizers', original: [1, 2], patch: { finalizers: [2, 3] }, expected: [1, 2, 3] },
  { name: 'delete map from nested map', field: 'labels', original: { key1: '1', key2: '1' }, patch: { labels: { $patch: 'delete' } }, expected: {} },
  { name: 'delete all items from merging list', field: 'containers', original: [{ name: '1' }, { name: '2' }], patch: { containers: [{ $patch: 'replace' }] }, expected: [] },
  { name: 'merge empty merging lists', field: 'containers', original: [], patch: { containers: [] }, expected: [] },
  { name: 'delete all keys from map', field: 'labels', original: { name: '1', value: '1' }, patch: { labels: { $patch: 'replace' } }, expected: {} },
  { name: 'add key and delete all keys from map', field: 'labels', original: { name: '1', value: '1' }, patch: { labels: { other: 'a', $patch: 'replace' } }, expected: { other: 'a' } },
  {
    name: 'delete all duplicate entries in a merging list',
    field: 'containers',
    original: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }],
    patch: { containers: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
    expected: [{ name: '2', value: 'a' }],
  },
  {
    name: 'preserve the order from the patch in a merging list',
    field: 'containers',
    original: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }],
    patch: { containers: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
    expected: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }],
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    field: 'containers',
    original: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }],
    patch: { containers: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    expected: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }],
  },
  { name: 'preserve the order from the patch in a merging int list', field: 'finalizers', original: [1, 2, 3], patch: { finalizers: [3, 1, 2] }, expected: [3, 1, 2] },
  { name: 'preserve the order from the patch in a merging int list 2', field: 'finalizers', original: [1, 2, 3], patch: { finalizers: [3, 1] }, expected: [2, 3, 1] },
  {
    name: '$setElementOrder contains an item that is not in the list',
    field: 'containers',
    original: [{ name: '1' }, { name: '3' }],
    patch: {
      '$setElementOrder/containers': [{ name: '3' }, { name: '2' }, { name: '1' }],
      containers: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
    },
    expected: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
  },
  {
    name: '$setElementOrder contains an item that is not in the int list',
    field: 'finalizers',
    original: [1, 3],
    patch: { '$setElementOrder/finalizers': [3, 2, 1] },
    expected: [3, 1],
  },
];

for (const c of upstreamCases) {
  test(`upstream case: ${c.name}`, () => {
    const inMeta = c.field !== 'containers';
    const live = inMeta
      ? podOf({ containers: [] }, { name: 'p', [c.field]: c.original })
      : podOf({ [c.field]: c.original });
    const out = applyStrategicMergePatch(live, inMeta ? { metadata: c.patch } : { spec: c.patch }, podGvk);
    assert.deepEqual(((inMeta ? out['metadata'] : out['spec']) as JsonObject)[c.field], c.expected);
  });
}

test('upstream case: a patch list out of $setElementOrder order is rejected ("doesn\'t match")', () => {
  const live = podOf({ containers: [{ name: '1' }, { name: '3' }, { name: '2' }] });
  assert.throws(
    () =>
      applyStrategicMergePatch(
        live,
        {
          spec: {
            '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }],
            containers: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
          },
        },
        podGvk,
      ),
    (e: unknown) => e instanceof StatusError && e.code === 500 && e.message.includes("doesn't match"),
  );
});

// Three-way patches of the same upstream tests (kubectl apply's patch applied to the live list).
const upstreamThreeWay: readonly { name: string; field: 'containers' | 'finalizers' | 'tolerations'; current: JsonValue; patch: JsonObject; expected: JsonValue }[] = [
  {
    name: 'nested patch merge with empty list',
    field: 'containers',
    current: [{ name: 'hello2' }],
    patch: {
      '$setElementOrder/containers': [{ name: 'hello' }, { name: 'doesntexist' }],
      containers: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }],
    },
    expected: [{ name: 'hello' }, { name: 'hello2' }],
  },
  {
    name: 'delete items in lists of scalars',
    field: 'finalizers',
    current: [1, 2, 3, 4],
    patch: { '$setElementOrder/finalizers': [1, 2], '$deleteFromPrimitiveList/finalizers': [3] },
    expected: [1, 2, 4],
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    field: 'finalizers',
    current: [1, 2, 3, 3, 4],
    patch: { '$setElementOrder/finalizers': [1, 2], '$deleteFromPrimitiveList/finalizers': [3] },
    expected: [1, 2, 4],
  },
  {
    name: 'add and delete items in lists of scalars',
    field: 'finalizers',
    current: [1, 2, 3, 4],
    patch: { '$setElementOrder/finalizers': [1, 2, 4], '$deleteFromPrimitiveList/finalizers': [3] },
    expected: [1, 2, 4],
  },
  {
    name: 'merge lists of maps',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
    patch: {
      '$setElementOrder/containers': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
      containers: [{ name: '4', value: '4' }, { name: '3', value: '3' }],
    },
    expected: [
      { name: '4', value: '4' },
      { name: '1', other: 'a' },
      { name: '2', value: '2', other: 'b' },
      { name: '3', value: '3' },
    ],
  },
  {
    name: 'add field to map in merging list with conflict',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '3', value: '2', other: 'b' }],
    patch: {
      '$setElementOrder/containers': [{ name: '1' }, { name: '2' }],
      containers: [{ name: '1', value: '1' }, { name: '2', value: '2' }],
    },
    expected: [{ name: '1', value: '1', other: 'a' }, { name: '2', value: '2' }, { name: '3', value: '2', other: 'b' }],
  },
  {
    name: 'delete missing map from merging list with conflict',
    field: 'containers',
    current: [{ name: '3', other: 'a' }],
    patch: {
      '$setElementOrder/containers': [{ name: '2' }],
      containers: [{ name: '2' }, { name: '1', $patch: 'delete' }],
    },
    expected: [{ name: '2' }, { name: '3', other: 'a' }],
  },
  {
    name: 'add map and delete map from merging list',
    field: 'containers',
    current: [{ name: '1' }, { name: '2', other: 'b' }, { name: '4', other: 'c' }],
    patch: {
      '$setElementOrder/containers': [{ name: '2' }, { name: '3' }],
      containers: [{ name: '3' }, { name: '1', $patch: 'delete' }],
    },
    expected: [{ name: '2', other: 'b' }, { name: '4', other: 'c' }, { name: '3' }],
  },
  {
    name: 'add map and delete map from merging list with conflict',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '4', other: 'c' }],
    patch: {
      '$setElementOrder/containers': [{ name: '2' }, { name: '3' }],
      containers: [{ name: '2' }, { name: '3' }, { name: '1', $patch: 'delete' }],
    },
    expected: [{ name: '4', other: 'c' }, { name: '2' }, { name: '3' }],
  },
  {
    name: 'delete field from map in merging list',
    field: 'containers',
    current: [{ name: '1', value: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
    patch: {
      '$setElementOrder/containers': [{ name: '1' }, { name: '2' }],
      containers: [{ name: '1', value: null }],
    },
    expected: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
  },
  {
    name: 'nested $setElementOrder in a merging list item (env inside containers)',
    field: 'containers',
    current: [{ name: '1', other: 'a', env: [{ name: '2', value: '2', other: 'd' }] }, { name: '2', other: 'b' }],
    patch: {
      '$setElementOrder/containers': [{ name: '1' }, { name: '2' }],
      containers: [{ '$setElementOrder/env': [{ name: '2' }, { name: '1' }], name: '1', env: [{ name: '1', value: '1' }] }],
    },
    expected: [
      { name: '1', other: 'a', env: [{ name: '2', value: '2', other: 'd' }, { name: '1', value: '1' }] },
      { name: '2', other: 'b' },
    ],
  },
  {
    name: 'merge lists of scalars',
    field: 'finalizers',
    current: [1, 2, 4],
    patch: { '$setElementOrder/finalizers': [1, 2, 3], finalizers: [3] },
    expected: [1, 2, 3, 4],
  },
  {
    name: 'add an item in a list of primitives and preserve order',
    field: 'finalizers',
    current: [1, 4, 2],
    patch: { '$setElementOrder/finalizers': [3, 1, 2], finalizers: [3] },
    expected: [3, 1, 4, 2],
  },
  {
    name: 'delete an item in a list of primitives and preserve order',
    field: 'finalizers',
    current: [1, 2, 3],
    patch: { '$setElementOrder/finalizers': [2, 1], '$deleteFromPrimitiveList/finalizers': [3] },
    expected: [2, 1],
  },
  {
    name: 'add an item in a list and preserve order',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
    patch: { '$setElementOrder/containers': [{ name: '3' }, { name: '1' }, { name: '2' }], containers: [{ name: '3', value: '3' }] },
    expected: [{ name: '3', value: '3' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
  },
  {
    name: 'add multiple items in a list and preserve order',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }],
    patch: {
      '$setElementOrder/containers': [{ name: '1' }, { name: '4' }, { name: '2' }, { name: '3' }],
      containers: [{ name: '4', value: '4' }, { name: '3', value: '3' }],
    },
    expected: [{ name: '1', other: 'a' }, { name: '4', value: '4' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }],
  },
  {
    name: 'delete an item in a list and preserve order',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }],
    patch: { '$setElementOrder/containers': [{ name: '2' }, { name: '1' }], containers: [{ name: '3', $patch: 'delete' }] },
    expected: [{ name: '2', value: '2', other: 'b' }, { name: '1', other: 'a' }],
  },
  {
    name: 'change an item in a list and preserve order',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }],
    patch: { '$setElementOrder/containers': [{ name: '2' }, { name: '3' }, { name: '1' }], containers: [{ name: '3', value: 'x' }] },
    expected: [{ name: '2', value: '2', other: 'b' }, { name: '3', value: 'x' }, { name: '1', other: 'a' }],
  },
  {
    name: 'add and delete an item in a list and preserve order',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }],
    patch: {
      '$setElementOrder/containers': [{ name: '4' }, { name: '2' }, { name: '1' }],
      containers: [{ name: '4', value: '4' }, { name: '3', $patch: 'delete' }],
    },
    expected: [{ name: '4', value: '4' }, { name: '2', value: '2', other: 'b' }, { name: '1', other: 'a' }],
  },
  {
    name: 'set elements order in a list with server-only items',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '3' }, { name: '4' }, { name: '2' }, { name: '9' }],
    patch: { '$setElementOrder/containers': [{ name: '4' }, { name: '2' }, { name: '3' }, { name: '1' }] },
    expected: [{ name: '4' }, { name: '2' }, { name: '3' }, { name: '1', other: 'a' }, { name: '9' }],
  },
  {
    name: 'set elements order in a list with server-only items 2',
    field: 'containers',
    current: [{ name: '1', other: 'a' }, { name: '2' }, { name: '9' }, { name: '3' }, { name: '4' }],
    patch: { '$setElementOrder/containers': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
    expected: [{ name: '2' }, { name: '1', other: 'a' }, { name: '9' }, { name: '4' }, { name: '3' }],
  },
  {
    name: 'set elements order in a list with server-only items 3',
    field: 'containers',
    current: [{ name: '1' }, { name: '2' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '3' }, { name: '4' }],
    patch: { '$setElementOrder/containers': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }] },
    expected: [{ name: '2' }, { name: '1' }, { name: '7' }, { name: '9' }, { name: '8' }, { name: '4' }, { name: '3' }],
  },
  {
    name: 'set elements order in an int list with server-only items 3',
    field: 'finalizers',
    current: [1, 2, 7, 9, 8, 3, 4],
    patch: { '$setElementOrder/finalizers': [2, 1, 4, 3] },
    expected: [2, 1, 7, 9, 8, 4, 3],
  },
  {
    name: 'add and delete an item in an int list and preserve order',
    field: 'finalizers',
    current: [1, 2, 3],
    patch: { '$setElementOrder/finalizers': [4, 2, 1], finalizers: [4], '$deleteFromPrimitiveList/finalizers': [3] },
    expected: [4, 2, 1],
  },
  {
    name: 'set element order for a merging list with duplicates',
    field: 'containers',
    current: [{ name: '1' }, { name: '2', value: 'dup1' }, { name: '3' }, { name: '2', value: 'dup2' }, { name: '4' }],
    patch: { '$setElementOrder/containers': [{ name: '2' }, { name: '1' }, { name: '4' }, { name: '3' }, { name: '2' }] },
    expected: [{ name: '2', value: 'dup1' }, { name: '2', value: 'dup2' }, { name: '1' }, { name: '4' }, { name: '3' }],
  },
  {
    name: 'set element order for an int list with duplicates',
    field: 'finalizers',
    current: [1, 2, 3, 2, 4],
    patch: { '$setElementOrder/finalizers': [2, 1, 4, 3, 2] },
    expected: [2, 2, 1, 4, 3],
  },
  {
    name: '$deleteFromPrimitiveList works on a list without merge strategy',
    field: 'tolerations',
    current: [1, 2, 3],
    patch: { '$deleteFromPrimitiveList/tolerations': [2] },
    expected: [1, 3],
  },
  {
    name: '$deleteFromPrimitiveList on a null list adds nothing',
    field: 'finalizers',
    current: null,
    patch: { '$deleteFromPrimitiveList/finalizers': [3] },
    expected: null,
  },
];

for (const c of upstreamThreeWay) {
  test(`upstream three-way case: ${c.name}`, () => {
    const inMeta = c.field === 'finalizers';
    const live = inMeta
      ? podOf({ containers: [] }, { name: 'p', [c.field]: c.current })
      : podOf({ [c.field]: c.current });
    const out = applyStrategicMergePatch(live, inMeta ? { metadata: c.patch } : { spec: c.patch }, podGvk);
    assert.deepEqual(((inMeta ? out['metadata'] : out['spec']) as JsonObject)[c.field], c.expected);
  });
}

// The retainKeysMap cases of the same tests, on a Deployment's spec.strategy (retainKeys there).
const retainKeysCases: readonly { name: string; current: JsonObject; patch: JsonObject; expected: JsonObject }[] = [
  { name: 'clears a defaulted field', current: { value: 'foo' }, patch: { $retainKeys: ['other'], other: 'bar' }, expected: { other: 'bar' } },
  {
    name: 'clears a defaulted field (discriminated union)',
    current: { name: 'type1', value: 'foo' },
    patch: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' },
    expected: { name: 'type2', other: 'bar' },
  },
  {
    name: 'adds a field and clears a field',
    current: { name: 'foo', other: 'a' },
    patch: { $retainKeys: ['name', 'value'], value: 'bar' },
    expected: { name: 'foo', value: 'bar' },
  },
  {
    name: 'deletes a field and clears a field',
    current: { name: 'foo', value: 'bar', other: 'a' },
    patch: { $retainKeys: ['name'], value: null },
    expected: { name: 'foo' },
  },
  {
    name: 'adds a field in a nested map',
    current: { name: 'foo', value: 'bar', simpleMap: { key1: 'a', key3: 'c' } },
    patch: { $retainKeys: ['name', 'simpleMap', 'value'], simpleMap: { key2: 'b' } },
    expected: { name: 'foo', value: 'bar', simpleMap: { key1: 'a', key2: 'b', key3: 'c' } },
  },
  {
    name: 'deletes a field in a nested map',
    current: { name: 'foo', value: 'bar', simpleMap: { key1: 'a', key2: 'b', key3: 'c' } },
    patch: { $retainKeys: ['name', 'simpleMap', 'value'], simpleMap: { key2: null } },
    expected: { name: 'foo', value: 'bar', simpleMap: { key1: 'a', key3: 'c' } },
  },
];

for (const c of retainKeysCases) {
  test(`upstream retainKeys case: ${c.name}`, () => {
    const live = frozen({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: c.current } });
    const out = applyStrategicMergePatch(live, { spec: { strategy: c.patch } }, deploymentGvk);
    assert.deepEqual((out['spec'] as JsonObject)['strategy'], c.expected);
  });
}
