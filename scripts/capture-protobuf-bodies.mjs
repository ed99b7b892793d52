#!/usr/bin/env node
// Records the protobuf request bodies kubectl sends, as the fixtures of
// test/net/wire/protobuf/kubectl-fixtures.ts.
//
// Starts a logging proxy on 127.0.0.1 in front of a running API server (every request forwarded
// unchanged; bodies with Content-Type application/vnd.kubernetes.protobuf recorded), points a copy
// of the kubeconfig at it, and runs each case twice: for real (its body is recorded; the server's
// answer does not matter) and with `-o json --dry-run=client` (the JSON kubectl would have sent).
//
// Usage: node scripts/capture-protobuf-bodies.mjs <upstream http://127.0.0.1:port> <out.ts>
//   e.g. after `node dist/src/cli/main.js up --data-dir $(mktemp -d)/d --port 0`
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [upstream, out] = process.argv.slice(2);
if (!upstream || !out) {
  console.error('usage: capture-protobuf-bodies.mjs <upstream url> <out.ts>');
  process.exit(2);
}
const target = new URL(upstream);
const bodyBytesMax = 3 << 20;
const captured = [];

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= bodyBytesMax) chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if ((req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) {
      captured.push({ method: req.method, path: req.url, body });
    }
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    up.end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const proxy = `http://127.0.0.1:${server.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'cox-pb-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "${proxy}"}
contexts:
- name: c
  context: {cluster: c, user: u, namespace: default}
current-context: c
users:
- name: u
  user: {}
`,
);
const binaryFile = join(dir, 'blob.bin');
writeFileSync(binaryFile, Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01, 0x02]));
const textFile = join(dir, 'app.properties');
writeFileSync(textFile, 'color=blue\nsize=large\n');

/** Runs kubectl asynchronously (the proxy lives in this process's event loop). */
function kubectl(args, input = '') {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

// Objects some cases read (create token needs the service account),
// made through JSON (kubectl apply uses the dynamic client).
for (const args of [['create', 'serviceaccount', 'robot']]) {
  await kubectl(['apply', '-f', '-'], (await kubectl([...args, '-o', 'json', '--dry-run=client'])).stdout);
}
// A node with one pod bound to it, for `kubectl debug node/…` and `kubectl drain`.
for (const object of [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pinned', labels: { app: 'pinned' } },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'c', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }],
    },
  },
]) {
  await kubectl(['apply', '-f', '-'], JSON.stringify(object));
}

/**
 * name → kubectl arguments; `dryRun: false` where kubectl has no client dry run. kubectl 1.32's
 * `run`, `expose` and `drain` (evictions) send JSON, not protobuf, so they are not here.
 */
const cases = [
  { name: 'create configmap', args: ['create', 'configmap', 'x', '--from-literal=a=b'] },
  {
    name: 'create configmap from files',
    args: ['create', 'configmap', 'files', `--from-file=${textFile}`, `--from-file=blob=${binaryFile}`, '--from-literal=mode=fast'],
  },
  { name: 'create secret generic', args: ['create', 'secret', 'generic', 'creds', '--from-literal=user=admin', '--from-literal=password=s3cr3t!'] },
  {
    name: 'create secret docker-registry',
    args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'],
  },
  { name: 'create deployment', args: ['create', 'deployment', 'nginx', '--image=nginx', '--replicas=2', '--port=80'] },
  { name: 'create service clusterip', args: ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'] },
  { name: 'create service nodeport', args: ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'] },
  { name: 'create service externalname', args: ['create', 'service', 'externalname', 'ext', '--external-name=example.com'] },
  { name: 'create job', args: ['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi'] },
  { name: 'create cronjob', args: ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'] },
  { name: 'create namespace', args: ['create', 'namespace', 'team-a'] },
  { name: 'create serviceaccount', args: ['create', 'serviceaccount', 'bot'] },
  { name: 'create priorityclass', args: ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'] },
  { name: 'create ingress', args: ['create', 'ingress', 'web', '--class=nginx', '--rule=foo.com/bar*=svc1:8080', '--annotation=a=b'] },
  { name: 'create poddisruptionbudget', args: ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%'] },
  { name: 'create token', args: ['create', 'token', 'robot', '--audience=api', '--duration=10m'], dryRun: false },
  { name: 'debug node', args: ['debug', 'node/n1', '--image=busybox', '--profile=general'], dryRun: false },
  {
    name: 'debug copy pod',
    args: ['debug', 'pinned', '--copy-to=pinned-copy', '--image=busybox', '--container=dbg', '--share-processes'],
    dryRun: false,
  },
];

const fixtures = [];
for (const c of cases) {
  const before = captured.length;
  const { stderr } = await kubectl(c.args);
  const bodies = captured.slice(before);
  if (bodies.length === 0) {
    console.error(`${c.name}: ${bodies.length} protobuf bodies (${stderr.trim()})`);
    continue;
  }
  // Flags go before a `--` that starts the container's command.
  const dash = c.args.indexOf('--') < 0 ? c.args.length : c.args.indexOf('--');
  const dry = [...c.args.slice(0, dash), '-o', 'json', '--dry-run=client', ...c.args.slice(dash)];
  const json = c.dryRun === false ? undefined : JSON.parse((await kubectl(dry)).stdout);
  fixtures.push({ name: c.name, command: `kubectl ${c.args.join(' ').replaceAll(`${dir}/`, '')}`, path: bodies[0].path, body: bodies[0].body.toString('base64'), json });
}
server.close();

const version = (await kubectl(['version', '--client', '-o', 'json'])).stdout;
const lines = fixtures.map((f) => `  {
    name: ${JSON.stringify(f.name)},
    command: ${JSON.stringify(f.command)},
    path: ${JSON.stringify(f.path)},
    body: ${JSON.stringify(f.body)},
    json: ${f.json === undefined ? 'undefined' : JSON.stringify(f.json)},
  },`);
writeFileSync(
  out,
  `// Captured by scripts/capture-protobuf-bodies.mjs from kubectl ${JSON.parse(version).clientVersion.gitVersion}: the protobuf body each
// command sent (base64) and the JSON the same command prints with \`-o json --dry-run=client\`.

export interface KubectlFixture {
  readonly name: string;
  readonly command: string;
  readonly path: string;
  readonly body: string;
  /** Undefined where kubectl has no client dry run (create token). */
  readonly json: unknown;
}

export const kubectlFixtures: readonly KubectlFixture[] = [
${lines.join('\n')}
];
`,
);
console.error(`wrote ${out}: ${fixtures.length} fixtures`);
process.exit(0);
