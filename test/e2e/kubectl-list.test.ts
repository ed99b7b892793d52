// kubectl apply -f of a `kind: List` (what `kubectl get a,b -o yaml` prints): kubectl validates
// its items with /openapi/v2 in protobuf before applying them one by one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { kubectlMissing, startTestCluster, type TestCluster } from './harness.js';

const missing = kubectlMissing();
if (missing !== undefined) console.log(`# ${missing}`);

const list = (replicas: number, lives: string): string => `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: shop
    labels:
      app: shop
  spec:
    replicas: ${replicas}
    selector:
      matchLabels:
        app: shop
    template:
      metadata:
        labels:
          app: shop
      spec:
        containers:
        - name: web
          image: nginx:1.27
          ports:
          - containerPort: 80
- apiVersion: v1
  kind: Service
  metadata:
    name: shop
  spec:
    selector:
      app: shop
    ports:
    - port: 80
      targetPort: 80
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: shop-config
  data:
    lives: "${lives}"
`;

describe('kubectl apply of a List end to end', { skip: missing }, () => {
  let c: TestCluster;
  let path: string;

  before(async () => {
    c = await startTestCluster();
    path = join(c.dir, 'list.yaml');
  });
  after(async () => {
    await c?.close();
  });

  test('apply -f of a List creates, configures what changed, leaves the rest unchanged', async () => {
    writeFileSync(path, list(1, '3'));
    let r = await c.kubectl(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/shop created/);
    assert.match(r.stdout, /service\/shop created/);
    assert.match(r.stdout, /configmap\/shop-config created/);

    writeFileSync(path, list(2, '3'));
    r = await c.kubectl(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/shop configured/);
    assert.match(r.stdout, /service\/shop unchanged/);
    assert.match(r.stdout, /configmap\/shop-config unchanged/);

    r = await c.kubectl(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/shop unchanged/);
    assert.match(r.stdout, /service\/shop unchanged/);
    assert.match(r.stdout, /configmap\/shop-config unchanged/);

    r = await c.kubectl(['get', 'deployment', 'shop', '-o', 'json']);
    assert.equal((JSON.parse(r.stdout) as { spec: { replicas: number } }).spec.replicas, 2);
  });

  test('an unknown field in an item is refused, naming the field', async () => {
    writeFileSync(path, list(2, '3').replace('          image: nginx:1.27\n', '          image: nginx:1.27\n          imagePolicy: Always\n'));
    const r = await c.kubectl(['apply', '-f', path]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "spec\.template\.spec\.containers\[0\]\.imagePolicy"/);
  });

  test('get -o yaml | apply -f - round-trips a List', async () => {
    const out = await c.kubectl(['get', 'deployment/shop', 'service/shop', 'configmap/shop-config', '-o', 'yaml']);
    assert.equal(out.code, 0, out.stderr);
    const doc = parseYaml(out.stdout) as { kind: string; items: { kind: string }[] };
    assert.equal(doc.kind, 'List');
    assert.deepEqual(doc.items.map((i) => i.kind), ['Deployment', 'Service', 'ConfigMap']);

    const r = await c.kubectl(['apply', '-f', '-'], out.stdout);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/shop (configured|unchanged)/);
    assert.match(r.stdout, /service\/shop (configured|unchanged)/);
    assert.match(r.stdout, /configmap\/shop-config (configured|unchanged)/);

    // The objects are what they were (the apply recorded the full objects as last-applied).
    const after = await c.kubectl(['get', 'deployment', 'shop', '-o', 'json']);
    const d = JSON.parse(after.stdout) as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0]?.image, 'nginx:1.27');
    const cm = JSON.parse((await c.kubectl(['get', 'configmap', 'shop-config', '-o', 'json'])).stdout) as { data: Record<string, string> };
    assert.deepEqual(cm.data, { lives: '3' });
  });
});
