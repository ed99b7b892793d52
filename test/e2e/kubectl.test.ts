// kubectl 1.32 against a real Coxswain API server: the flows a Kubernetes user runs first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { kubectlMissing, startTestCluster, type TestCluster } from './harness.js';

const missing = kubectlMissing();
if (missing !== undefined) console.log(`# ${missing}`);

const deployment = (replicas: number, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const others = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: nginx
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
---
apiVersion: v1
kind: Secret
metadata:
  name: basic-auth
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
`;

describe('kubectl end to end', { skip: missing }, () => {
  let c: TestCluster;
  let manifest: string;

  before(async () => {
    c = await startTestCluster();
    manifest = join(c.dir, 'app.yaml');
  });
  after(async () => {
    await c?.close();
  });

  const writeManifest = (replicas: number, image: string): void => {
    writeFileSync(manifest, `${deployment(replicas, image)}---\n${others}`);
  };

  test('apply -f creates, then configures what changed, then leaves the rest unchanged', async () => {
    writeManifest(3, 'nginx:1.14.2');
    let r = await c.kubectl(['apply', '-f', manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/nginx created/);
    assert.match(r.stdout, /service\/web created/);
    assert.match(r.stdout, /configmap\/game-demo created/);
    assert.match(r.stdout, /secret\/basic-auth created/);

    writeManifest(4, 'nginx:1.16.1');
    r = await c.kubectl(['apply', '-f', manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/nginx configured/);
    assert.match(r.stdout, /service\/web unchanged/);

    r = await c.kubectl(['apply', '-f', manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/nginx unchanged/);
    assert.match(r.stdout, /service\/web unchanged/);
    assert.match(r.stdout, /configmap\/game-demo unchanged/);
    // stringData is write-only (stored as data), so kubectl's three-way diff always finds it
    // missing and patches again: "configured", exactly as against kube-apiserver.
    assert.match(r.stdout, /secret\/basic-auth configured/);

    r = await c.kubectl(['get', 'deployment', 'nginx', '-o', 'json']);
    const d = JSON.parse(r.stdout) as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; metadata: { generation: number } };
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.spec.template.spec.containers[0]?.image, 'nginx:1.16.1');
    assert.equal(d.metadata.generation, 2);
  });

  test('a Secret applied with stringData is stored as base64 data', async () => {
    const r = await c.kubectl(['get', 'secret', 'basic-auth', '-o', 'json']);
    const s = JSON.parse(r.stdout) as { data: Record<string, string>; stringData?: unknown };
    assert.equal(Buffer.from(s.data['password'] ?? '', 'base64').toString(), 't0p-Secret');
    assert.equal(s.stringData, undefined);
  });

  test('apply --server-side creates and updates through field managers', async () => {
    const path = join(c.dir, 'ssa.yaml');
    writeFileSync(path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n');
    let r = await c.kubectl(['apply', '--server-side', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/ssa serverside-applied/);
    writeFileSync(path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  b: "2"\n');
    r = await c.kubectl(['apply', '--server-side', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']);
    const cm = JSON.parse(r.stdout) as { data: Record<string, string>; metadata: { managedFields: { manager: string; operation: string }[] } };
    // The field the manager stopped applying is removed; the new one is there.
    assert.deepEqual(cm.data, { b: '2' });
    assert.ok(cm.metadata.managedFields.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'));

    // Server-side apply over objects made by client-side apply (kubectl migrates their managers).
    r = await c.kubectl(['apply', '--server-side', '-f', manifest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/nginx serverside-applied/);
    assert.doesNotMatch(r.stderr, /invalid|error/i);
  });

  test('get prints the Table columns kubectl shows, and -o yaml round-trips', async () => {
    let r = await c.kubectl(['get', 'deployments']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0] ?? '', /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(r.stdout, /^nginx\s+0\/4\s+0\s+0\s+\S+/m);
    r = await c.kubectl(['get', 'svc', 'web']);
    assert.match(r.stdout.split('\n')[0] ?? '', /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(r.stdout, /^web\s+ClusterIP\s+127\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+/m);
    r = await c.kubectl(['get', 'configmap', 'game-demo', '-o', 'yaml']);
    const cm = parseYaml(r.stdout) as { kind: string; data: Record<string, string>; metadata: { resourceVersion: string } };
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.data['player_initial_lives'], '3');
    assert.match(cm.metadata.resourceVersion, /^[0-9]+$/);
  });

  test('get all lists the workloads and services of the namespace', async () => {
    const r = await c.kubectl(['get', 'all']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /service\/web/);
    assert.match(r.stdout, /service\/kubernetes/);
    assert.match(r.stdout, /deployment\.apps\/nginx/);
  });

  test('get -w sees a change made while it watches', async () => {
    const watch = c.spawnKubectl(['get', 'configmaps', '-w']);
    try {
      await watch.waitFor((out) => out.includes('game-demo'));
      const r = await c.kubectl(
        ['apply', '-f', '-'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made-while-watching\ndata:\n  k: v\n',
      );
      assert.equal(r.code, 0, r.stderr);
      const out = await watch.waitFor((o) => o.includes('made-while-watching'));
      assert.match(out, /made-while-watching\s+1\s+/);
    } finally {
      watch.kill();
    }
  });

  test('describe shows the deployment and its events section', async () => {
    const r = await c.kubectl(['describe', 'deployment', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Name:\s+nginx$/m);
    assert.match(r.stdout, /Replicas:\s+4 desired/);
    assert.match(r.stdout, /Image:\s+nginx:1\.16\.1/);
  });

  test('scale, label and annotate change the object', async () => {
    let r = await c.kubectl(['scale', 'deployment', 'nginx', '--replicas=2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/nginx scaled/);
    r = await c.kubectl(['label', 'deployment', 'nginx', 'tier=web']);
    assert.match(r.stdout, /deployment\.apps\/nginx labeled/);
    r = await c.kubectl(['annotate', 'deployment', 'nginx', 'owner=team-a']);
    assert.match(r.stdout, /deployment\.apps\/nginx annotated/);
    r = await c.kubectl(['get', 'deployment', 'nginx', '-o', 'json']);
    const d = JSON.parse(r.stdout) as { spec: { replicas: number }; metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.metadata.labels['tier'], 'web');
    assert.equal(d.metadata.annotations['owner'], 'team-a');
  });

  test('patch with strategic merge, merge and JSON patch', async () => {
    let r = await c.kubectl(['patch', 'deployment', 'nginx', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['patch', 'deployment', 'nginx', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['patch', 'deployment', 'nginx', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":5}]']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['get', 'deployment', 'nginx', '-o', 'json']);
    const d = JSON.parse(r.stdout) as { spec: { replicas: number; template: { spec: { containers: { name: string }[] } } }; metadata: { labels: Record<string, string> } };
    // Strategic merge: containers merged by name, the existing one kept.
    assert.deepEqual(d.spec.template.spec.containers.map((x) => x.name).sort(), ['nginx', 'sidecar']);
    assert.equal(d.metadata.labels['patched'], 'merge');
    assert.equal(d.spec.replicas, 5);
  });

  test('errors print as kubectl prints them: NotFound, AlreadyExists, Conflict, Invalid', async () => {
    let r = await c.kubectl(['get', 'deployment', 'nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(NotFound\): deployments\.apps "nope" not found/);

    r = await c.kubectl(['create', '-f', manifest]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(AlreadyExists\).*deployments\.apps "nginx" already exists/);

    r = await c.kubectl(['get', 'configmap', 'game-demo', '-o', 'json']);
    const stale = r.stdout;
    r = await c.kubectl(['label', 'configmap', 'game-demo', 'bump=1']);
    assert.equal(r.code, 0, r.stderr);
    const stalePath = join(c.dir, 'stale.json');
    writeFileSync(stalePath, stale);
    r = await c.kubectl(['replace', '-f', stalePath]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Error from server \(Conflict\).*Operation cannot be fulfilled on configmaps "game-demo": the object has been modified; please apply your changes to the latest version and try again/,
    );

    const bad = join(c.dir, 'bad.yaml');
    writeFileSync(bad, deployment(-1, 'nginx').replace('name: nginx\n  labels', 'name: broken\n  labels'));
    r = await c.kubectl(['apply', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "broken" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
  });

  test('unknown fields are rejected under kubectl’s strict validation', async () => {
    const bad = join(c.dir, 'unknown.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: "1"\n');
    const r = await c.kubectl(['apply', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "datta"/);
  });

  test('create, run and expose work (kubectl sends these bodies as protobuf)', async () => {
    let r = await c.kubectl(['create', 'configmap', 'from-literal', '--from-literal=a=b']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['create', 'deployment', 'gen', '--image=nginx', '--replicas=2', '--port=80']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['expose', 'deployment', 'gen', '--port=80']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /service\/gen exposed/);
    r = await c.kubectl(['run', 'one', '--image=busybox', '--labels=x=y', '--env=A=B']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['get', 'pod', 'one', '-o', 'json']);
    const pod = JSON.parse(r.stdout) as { metadata: { labels: Record<string, string> }; spec: { containers: { env: { name: string; value: string }[] }[] } };
    assert.deepEqual(pod.metadata.labels, { x: 'y' });
    assert.deepEqual(pod.spec.containers[0]?.env, [{ name: 'A', value: 'B' }]);
    r = await c.kubectl(['get', 'configmap', 'from-literal', '-o', 'jsonpath={.data.a}']);
    assert.equal(r.stdout, 'b');
    r = await c.kubectl(['get', 'service', 'gen', '-o', 'jsonpath={.spec.selector.app} {.spec.ports[0].port}']);
    assert.equal(r.stdout, 'gen 80');
  });

  test('apply of what get -o yaml printed, then of the original manifest; replace without a resourceVersion', async () => {
    // The piped object carries metadata.resourceVersion into last-applied-configuration; the
    // original lacks it, so the next apply's patch sets it to null: an unconditional update.
    const original = join(c.dir, 'roundtrip.yaml');
    writeFileSync(
      original,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: roundtrip, labels: {app: roundtrip}}',
        'spec:',
        '  replicas: 1',
        '  selector: {matchLabels: {app: roundtrip}}',
        '  template:',
        '    metadata: {labels: {app: roundtrip}}',
        '    spec: {containers: [{name: web, image: nginx:1.27}]}',
        '',
      ].join('\n'),
    );
    let r = await c.kubectl(['apply', '-f', original]);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['get', 'deploy', 'roundtrip', '-o', 'yaml']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['apply', '-f', '-'], r.stdout);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['apply', '-f', original]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/roundtrip configured/);
    r = await c.kubectl(['get', 'deploy', 'roundtrip', '-o', 'json']);
    const applied = JSON.parse(r.stdout) as { metadata: { annotations: Record<string, string> } };
    const lastApplied = JSON.parse(applied.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}') as {
      metadata: { resourceVersion?: string };
    };
    assert.equal(lastApplied.metadata.resourceVersion, undefined);

    // replace sends the manifest as it is: a PUT without a resourceVersion.
    r = await c.kubectl(['replace', '-f', original]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/roundtrip replaced/);
    r = await c.kubectl(['delete', '-f', original]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('delete waits until the object is gone', async () => {
    let r = await c.kubectl(['delete', 'deployment', 'nginx']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps "nginx" deleted/);
    r = await c.kubectl(['get', 'deployment', 'nginx']);
    assert.match(r.stderr, /NotFound/);
    r = await c.kubectl(['delete', '-f', join(c.dir, 'app.yaml'), '--ignore-not-found']);
    assert.equal(r.code, 0, r.stderr);
    r = await c.kubectl(['get', 'svc,cm,secret', '-o', 'name']);
    assert.doesNotMatch(r.stdout, /service\/web|configmap\/game-demo|secret\/basic-auth/);
  });
});
