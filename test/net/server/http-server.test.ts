// The API server over HTTP: bad input gets a Kubernetes Status naming the problem and writes
// nothing; fieldValidation; pagination stays consistent while writers run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, unpack } from 'msgpackr';
import fc from 'fast-check';
import { startApiServer, type RunningApiServer } from '../../../src/net/server/api-server.js';
import { splitTarget } from '../../../src/net/server/http-server.js';
import { MsgpackWatchDecoder } from '../../../src/net/wire/watch-frames.js';

interface Response {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

describe('API server over HTTP', () => {
  let server: RunningApiServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cox-http-'));
    server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: string | Uint8Array, contentType = 'application/json', accept = 'application/json'): Promise<Response> {
    const init: RequestInit = { method, headers: { 'Content-Type': contentType, Accept: accept } };
    if (body !== undefined) init.body = body;
    const r = await fetch(server.url + path, init);
    const buf = Buffer.from(await r.arrayBuffer());
    const ct = r.headers.get('content-type') ?? '';
    const parsed = buf.length === 0 ? {} : ct.includes('msgpack') ? (unpack(buf) as Record<string, unknown>) : (JSON.parse(buf.toString()) as Record<string, unknown>);
    return { status: r.status, headers: r.headers, body: parsed };
  }

  const cm = (name: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

  async function exists(name: string): Promise<boolean> {
    return (await call('GET', `/api/v1/namespaces/default/configmaps/${name}`)).status === 200;
  }

  test('malformed JSON, YAML and msgpack are 400 with a message naming the problem', async () => {
    const cases: [string, string | Uint8Array][] = [
      ['application/json', '{"apiVersion": "v1", "kind": "ConfigMap", '],
      ['application/yaml', 'apiVersion: v1\nkind: [ConfigMap\n'],
      ['application/vnd.coxswain.msgpack', new Uint8Array([0xc1, 0xff, 0x00])],
    ];
    for (const [type, body] of cases) {
      const r = await call('POST', '/api/v1/namespaces/default/configmaps', body, type);
      assert.equal(r.status, 400, type);
      assert.equal(r.body['kind'], 'Status');
      assert.equal(r.body['reason'], 'BadRequest');
      assert.match(String(r.body['message']), /ConfigMap in version "v1" cannot be handled as a ConfigMap: invalid (json|yaml|msgpack)/);
    }
  });

  test('a body of another kind, or another namespace, than the URL is 400 and writes nothing', async () => {
    let r = await call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k1' } }));
    assert.equal(r.status, 400);
    assert.match(String(r.body['message']), /does not match the expected API version/);
    assert.equal(await exists('k1'), false);
    r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('k2', { metadata: { name: 'k2', namespace: 'kube-system' } }));
    assert.equal(r.status, 400);
    assert.equal(r.body['message'], 'the namespace of the provided object does not match the namespace sent on the request');
    assert.equal(await exists('k2'), false);
    r = await call('PUT', '/api/v1/namespaces/default/configmaps/other', cm('k3'));
    assert.equal(r.status, 400);
    assert.match(String(r.body['message']), /does not match the name on the URL/);
  });

  test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
    const big = cm('big', { data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(r.status, 413);
    assert.equal(r.body['reason'], 'RequestEntityTooLarge');
    assert.equal(await exists('big'), false);
  });

  test('fieldValidation: Strict rejects, Warn warns and drops, Ignore drops unknown fields', async () => {
    const body = cm('fv', { datta: { x: 'y' } });
    let r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body);
    assert.equal(r.status, 400);
    assert.equal(r.body['message'], 'strict decoding error: unknown field "datta"');
    assert.equal(await exists('fv'), false);

    r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', body);
    assert.equal(r.status, 201);
    assert.match(r.headers.get('warning') ?? '', /299 - "unknown field \\"datta\\""/);
    assert.equal(r.body['datta'], undefined);

    r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', cm('fv2', { datta: {} }));
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('warning'), null);
    assert.equal(r.body['datta'], undefined);

    r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Loose', cm('fv3'));
    assert.equal(r.status, 400);
    assert.match(String(r.body['message']), /fieldValidation: Unsupported value: "Loose"/);
  });

  test('a value of the wrong type is a 400 naming the field', async () => {
    const r = await call(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typed' }, spec: { replicas: 'three' } }),
    );
    assert.equal(r.status, 400);
    assert.match(String(r.body['message']), /cannot unmarshal string into Go struct field Deployment\.spec\.replicas of type int32/);
  });

  test('unsupported media types are 415 and unknown paths 404', async () => {
    let r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('t1'), 'text/plain');
    assert.equal(r.status, 415);
    assert.equal(r.body['reason'], 'UnsupportedMediaType');
    r = await call('PATCH', '/api/v1/namespaces/default/configmaps/t1', '{}', 'application/json');
    assert.equal(r.status, 415);
    r = await call('GET', '/api/v1/namespaces/default/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.body['reason'], 'NotFound');
  });

  test('creating in a missing namespace is 404 namespaces "x" not found', async () => {
    const r = await call('POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'));
    assert.equal(r.status, 404);
    assert.equal(r.body['message'], 'namespaces "nowhere" not found');
  });

  test('msgpack requests and responses carry the same objects and Status errors', async () => {
    const body = pack({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mp' }, data: { k: 'v' } });
    let r = await call('POST', '/api/v1/namespaces/default/configmaps', body, 'application/vnd.coxswain.msgpack', 'application/vnd.coxswain.msgpack');
    assert.equal(r.status, 201);
    assert.deepEqual(r.body['data'], { k: 'v' });
    r = await call('POST', '/api/v1/namespaces/default/configmaps', body, 'application/vnd.coxswain.msgpack', 'application/vnd.coxswain.msgpack');
    assert.equal(r.status, 409);
    assert.equal(r.body['reason'], 'AlreadyExists');
  });

  test('writes and reads answer the same object in JSON and msgpack, field for field', async () => {
    const ns = 'default';
    const created = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('same', { metadata: { name: 'same', labels: { a: 'b' } } }), 'application/json', 'application/vnd.coxswain.msgpack');
    assert.equal(created.status, 201);
    const rv = (created.body['metadata'] as { resourceVersion: string }).resourceVersion;
    for (const accept of ['application/json', 'application/vnd.coxswain.msgpack']) {
      const got = await call('GET', `/api/v1/namespaces/${ns}/configmaps/same`, undefined, 'application/json', accept);
      assert.equal(got.status, 200);
      assert.ok(got.headers.get('content-type')?.startsWith(accept));
      assert.deepEqual(got.body, created.body, accept);
    }
    const updated = await call('PUT', `/api/v1/namespaces/${ns}/configmaps/same`, cm('same', { data: { a: '2' }, metadata: { name: 'same', resourceVersion: rv } }));
    assert.equal(updated.status, 200);
    assert.notEqual((updated.body['metadata'] as { resourceVersion: string }).resourceVersion, rv);
    assert.deepEqual(updated.body['data'], { a: '2' });
    const listed = await call('GET', `/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name%3Dsame`, undefined, 'application/json', 'application/vnd.coxswain.msgpack');
    assert.deepEqual((listed.body['items'] as unknown[])[0], updated.body);
    // Whole lists (cached item encodings spliced into the envelope) decode to the same list.
    const asJson = await call('GET', `/api/v1/namespaces/${ns}/configmaps`);
    const asMsgpack = await call('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, 'application/json', 'application/vnd.coxswain.msgpack');
    assert.ok((asJson.body['items'] as unknown[]).length >= 1);
    assert.deepEqual(asMsgpack.body, asJson.body);
    const empty = await call('GET', '/api/v1/namespaces/kube-public/configmaps', undefined, 'application/json', 'application/vnd.coxswain.msgpack');
    assert.deepEqual(empty.body, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: empty.body['metadata'], items: [] });
    assert.match((empty.body['metadata'] as { resourceVersion: string }).resourceVersion, /^[0-9]+$/);
    // A dry run answers the object it would have written, not what is stored.
    const dry = await call('PUT', `/api/v1/namespaces/${ns}/configmaps/same?dryRun=All`, cm('same', { data: { a: 'dry' }, metadata: { name: 'same', resourceVersion: (updated.body['metadata'] as { resourceVersion: string }).resourceVersion } }), 'application/json', 'application/vnd.coxswain.msgpack');
    assert.equal(dry.status, 200);
    assert.deepEqual(dry.body['data'], { a: 'dry' });
  });

  test('a Pod created from a JSON, msgpack or YAML body comes back defaulted, as a GET then reads it', async () => {
    const pod = (name: string): Record<string, unknown> => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }], nodeSelector: { app: 'x' } },
    });
    // YAML aliases decode to one shared object: the labels map reused as the nodeSelector, and
    // one resources map under a container and an init container (each defaulted as its own).
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: defaulted-yaml, labels: &l {app: x}}',
      'spec:',
      '  nodeSelector: *l',
      '  initContainers: [{name: i, image: nginx, resources: &r {limits: {cpu: 100m}}}]',
      '  containers: [{name: c, image: nginx, resources: *r}]',
      '',
    ].join('\n');
    // The msgpack answer to a msgpack create is made from the bytes the store wrote (the
    // revision spliced in), not encoded again: it must read back as the same object.
    const cases: [string, string | Uint8Array, string, string][] = [
      ['application/json', JSON.stringify(pod('defaulted-json')), 'defaulted-json', 'application/json'],
      ['application/vnd.coxswain.msgpack', pack(pod('defaulted-msgpack')), 'defaulted-msgpack', 'application/json'],
      ['application/vnd.coxswain.msgpack', pack(pod('defaulted-msgpack-out')), 'defaulted-msgpack-out', 'application/vnd.coxswain.msgpack'],
      ['application/yaml', yaml, 'defaulted-yaml', 'application/json'],
    ];
    for (const [type, body, name, accept] of cases) {
      const created = await call('POST', '/api/v1/namespaces/default/pods', body, type, accept);
      assert.equal(created.status, 201, `${type}: ${JSON.stringify(created.body)}`);
      const spec = created.body['spec'] as Record<string, unknown>;
      const container = (spec['containers'] as Record<string, unknown>[])[0] ?? {};
      assert.equal(container['imagePullPolicy'], 'Always', type);
      assert.equal(container['terminationMessagePath'], '/dev/termination-log', type);
      assert.equal(spec['restartPolicy'], 'Always', type);
      assert.equal(spec['serviceAccountName'], 'default', type);
      assert.equal((spec['tolerations'] as unknown[]).length, 2, type);
      assert.deepEqual(spec['nodeSelector'], { app: 'x' }, type);
      assert.deepEqual((created.body['metadata'] as Record<string, unknown>)['labels'], { app: 'x' }, type);
      if (type === 'application/yaml') {
        const init = (spec['initContainers'] as Record<string, unknown>[])[0] ?? {};
        assert.equal(init['imagePullPolicy'], 'Always');
        const limitsAsRequests = { limits: { cpu: '100m' }, requests: { cpu: '100m' } };
        assert.deepEqual(init['resources'], limitsAsRequests);
        assert.deepEqual(container['resources'], limitsAsRequests);
      }
      const read = await call('GET', `/api/v1/namespaces/default/pods/${name}`);
      assert.deepEqual(read.body, created.body, type);
      assert.match(String((created.body['metadata'] as Record<string, unknown>)['resourceVersion']), /^[1-9][0-9]*$/);
    }
  });

  test('a watch may ask for the msgpack watch stream type alone; other requests may not', async () => {
    const watchType = 'application/vnd.coxswain.watch+msgpack';
    const controller = new AbortController();
    const r = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&timeoutSeconds=5`, {
      headers: { Accept: watchType },
      signal: controller.signal,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), watchType);
    const reader = r.body?.getReader();
    const first = await reader?.read();
    controller.abort();
    const decoded = new MsgpackWatchDecoder().push(first?.value ?? new Uint8Array());
    assert.ok(decoded.length > 0);
    assert.equal(decoded[0]?.type, 'ADDED');
    // Nothing to send yet: the headers still come at once.
    const quiet = new AbortController();
    const rv = ((await call('GET', '/api/v1/namespaces/default/configmaps')).body['metadata'] as { resourceVersion: string }).resourceVersion;
    const idle = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=30`, {
      headers: { Accept: watchType },
      signal: quiet.signal,
    });
    assert.equal(idle.status, 200);
    assert.equal(idle.headers.get('content-type'), watchType);
    quiet.abort();
    const get = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, 'application/json', watchType);
    assert.equal(get.status, 406);
    assert.equal(get.body['reason'], 'NotAcceptable');
  });

  test('pages from limit/continue form one consistent list while writers run', async () => {
    const ns = 'pages';
    await call('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    for (let i = 0; i < 120; i++) {
      const r = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(`c${String(i).padStart(3, '0')}`));
      assert.equal(r.status, 201);
    }
    // Writers delete the even ones and add new ones while we page.
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing && i < 60) {
        await call('DELETE', `/api/v1/namespaces/${ns}/configmaps/c${String(i * 2).padStart(3, '0')}`);
        await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(`n${String(i).padStart(3, '0')}`));
        i++;
      }
    })();
    const names: string[] = [];
    let cont = '';
    let rv = '';
    do {
      const r = await call('GET', `/api/v1/namespaces/${ns}/configmaps?limit=7${cont === '' ? '' : `&continue=${encodeURIComponent(cont)}`}`);
      assert.equal(r.status, 200);
      const meta = r.body['metadata'] as { resourceVersion: string; continue?: string };
      if (rv === '') rv = meta.resourceVersion;
      assert.equal(meta.resourceVersion, rv, 'every page is at the first page’s revision');
      for (const item of r.body['items'] as { metadata: { name: string } }[]) names.push(item.metadata.name);
      cont = meta.continue ?? '';
    } while (cont !== '');
    writing = false;
    await writer;
    // The pages equal one list at that revision.
    const exact = await call('GET', `/api/v1/namespaces/${ns}/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    const atRv = (exact.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    assert.deepEqual(names, atRv);
    assert.deepEqual([...names].sort(), names, 'pages come in key order without duplicates');
    assert.equal(new Set(names).size, names.length);
  });
});

test('property: a request target splits into the path and query the URL parser gives', () => {
  const part = fc.constantFrom('/', '.', '..', 'api', 'v1', 'pods', 'a.b', '%2F', '%zz', '?', '#', '&', '=', '+', ' ', 'é', '\\', '//', 'x=1', 'watch=true');
  fc.assert(
    fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
      const target = `/${parts.join('')}`;
      let url: URL;
      try {
        url = new URL(target, 'http://local');
      } catch {
        // Not a target the parser takes ('//' then no host): neither does splitTarget.
        assert.throws(() => splitTarget(target));
        return;
      }
      const split = splitTarget(target);
      assert.equal(split.path, url.pathname, target);
      assert.deepEqual([...split.query], [...url.searchParams], target);
    }),
    { numRuns: 2000 },
  );
  for (const target of ['/api/v1/namespaces/default/pods?watch=true&resourceVersion=5', '/apis/apps/v1/deployments', '/api/v1/pods/a.b.c']) {
    assert.equal(splitTarget(target).path, new URL(target, 'http://local').pathname);
  }
});
