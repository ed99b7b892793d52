import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kinds, type KindInfo } from '../../../src/core/api/kinds.js';
import {
  aggregatedContentType,
  buildDiscovery,
  discoveryResponse,
  negotiateDiscovery,
  storageVersionHash,
  type APIGroupDiscoveryList,
  type APIResourceList,
  type DiscoveryResult,
} from '../../../src/net/server/discovery.js';

const docs = buildDiscovery(kinds, { serverAddress: '127.0.0.1:6443' });
const kubectlAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,' +
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

function bodyOf(r: DiscoveryResult): { contentType: string; json: unknown } {
  assert.equal(r.kind, 'document');
  if (r.kind !== 'document') throw new Error('unreachable');
  return { contentType: r.document.contentType, json: JSON.parse(r.document.body.toString('utf8')) };
}

function groupVersion(k: KindInfo): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

describe('discovery: /version', () => {
  it('reports Kubernetes 1.32 so kubectl 1.32 sees no skew', () => {
    const { json } = bodyOf(discoveryResponse(docs, '/version', undefined));
    const v = json as Record<string, string>;
    assert.equal(v['major'], '1');
    assert.equal(v['minor'], '32');
    assert.match(v['gitVersion'] ?? '', /^v1\.32\.\d+/);
    assert.equal(typeof v['platform'], 'string');
  });
});

describe('discovery: legacy documents', () => {
  it('/api lists v1 as APIVersions', () => {
    const { json, contentType } = bodyOf(discoveryResponse(docs, '/api', 'application/json'));
    assert.equal(contentType, 'application/json');
    assert.deepEqual(json, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  });

  it('/apis lists every named group with its preferred version', () => {
    const { json } = bodyOf(discoveryResponse(docs, '/apis', undefined));
    const list = json as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    assert.equal(list.kind, 'APIGroupList');
    const expected = [...new Set(kinds.filter((k) => k.group !== '').map((k) => k.group))];
    assert.deepEqual(
      list.groups.map((g) => g.name),
      expected,
    );
    for (const g of list.groups) assert.ok(g.preferredVersion.groupVersion.startsWith(`${g.name}/`));
  });

  it('/apis/{group} is an APIGroup; an unknown group is not served', () => {
    const { json } = bodyOf(discoveryResponse(docs, '/apis/apps', undefined));
    assert.deepEqual(json, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    assert.deepEqual(discoveryResponse(docs, '/apis/nope.example.com', undefined), { kind: 'notDiscovery' });
    assert.deepEqual(discoveryResponse(docs, '/apis/apps/v2', undefined), { kind: 'notDiscovery' });
    assert.deepEqual(discoveryResponse(docs, '/apis/apps/v1/deployments', undefined), { kind: 'notDiscovery' });
    assert.deepEqual(discoveryResponse(docs, '/api/v1/pods', undefined), { kind: 'notDiscovery' });
  });

  it('every kind is in its APIResourceList with scope, verbs, short names and categories', () => {
    for (const k of kinds) {
      const path = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
      const list = bodyOf(discoveryResponse(docs, path, 'application/json')).json as APIResourceList;
      assert.equal(list.kind, 'APIResourceList');
      assert.equal(list.groupVersion, groupVersion(k));
      const r = list.resources.find((x) => x.name === k.plural);
      assert.ok(r, `${k.plural} listed under ${path}`);
      assert.equal(r.kind, k.kind);
      assert.equal(r.singularName, k.singular);
      assert.equal(r.namespaced, k.namespaced);
      assert.deepEqual(r.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
      assert.deepEqual(r.shortNames ?? [], [...k.shortNames]);
      assert.deepEqual(r.categories ?? [], [...k.categories]);
      assert.equal(r.storageVersionHash, storageVersionHash(k.group, k.version, k.kind));
      for (const sub of k.subresources) {
        assert.ok(
          list.resources.some((x) => x.name === `${k.plural}/${sub}`),
          `${k.plural}/${sub} listed`,
        );
      }
    }
  });

  it('subresources carry their own kind and verbs, as kube-apiserver lists them', () => {
    const core = bodyOf(discoveryResponse(docs, '/api/v1', undefined)).json as APIResourceList;
    const apps = bodyOf(discoveryResponse(docs, '/apis/apps/v1', undefined)).json as APIResourceList;
    const find = (l: APIResourceList, name: string) => l.resources.find((r) => r.name === name);
    const cases = [
      [apps, 'deployments/scale', { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }],
      [apps, 'deployments/status', { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'] }],
      [core, 'pods/binding', { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] }],
      [core, 'pods/eviction', { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }],
      [core, 'pods/log', { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }],
      [core, 'nodes/status', { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] }],
      [core, 'namespaces/finalize', { name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] }],
    ] as const;
    for (const [list, name, expected] of cases) assert.deepEqual(find(list, name), expected, name);
  });

  it('the storage version hash is kube-apiserver’s (pods: xPOwRZ+Yhw8=)', () => {
    assert.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
  });
});

describe('discovery: aggregated (v2)', () => {
  it('kubectl’s Accept gets APIGroupDiscoveryList v2 with its Content-Type for /api and /apis', () => {
    for (const path of ['/api', '/apis']) {
      const { contentType, json } = bodyOf(discoveryResponse(docs, path, kubectlAccept));
      assert.equal(contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      const list = json as APIGroupDiscoveryList;
      assert.equal(list.kind, 'APIGroupDiscoveryList');
      assert.equal(list.apiVersion, 'apidiscovery.k8s.io/v2');
    }
  });

  it('/api holds only the core group (no name); /apis every named group', () => {
    const api = bodyOf(discoveryResponse(docs, '/api', kubectlAccept)).json as APIGroupDiscoveryList;
    assert.equal(api.items.length, 1);
    assert.deepEqual(api.items[0]?.metadata, { creationTimestamp: null });
    const apis = bodyOf(discoveryResponse(docs, '/apis', kubectlAccept)).json as APIGroupDiscoveryList;
    assert.ok(apis.items.every((g) => typeof g.metadata.name === 'string' && g.metadata.name !== ''));
  });

  it('every kind is present with responseKind, scope, singular, short names, categories, subresources', () => {
    const all = [
      ...(bodyOf(discoveryResponse(docs, '/api', kubectlAccept)).json as APIGroupDiscoveryList).items,
      ...(bodyOf(discoveryResponse(docs, '/apis', kubectlAccept)).json as APIGroupDiscoveryList).items,
    ];
    for (const k of kinds) {
      const group = all.find((g) => (g.metadata.name ?? '') === k.group);
      assert.ok(group, `group ${k.group}`);
      const version = group.versions.find((v) => v.version === k.version);
      assert.ok(version);
      assert.equal(version.freshness, 'Current');
      const r = version.resources.find((x) => x.resource === k.plural);
      assert.ok(r, k.plural);
      assert.deepEqual(r.responseKind, { group: k.group, version: k.version, kind: k.kind });
      assert.equal(r.scope, k.namespaced ? 'Namespaced' : 'Cluster');
      assert.equal(r.singularResource, k.singular);
      assert.deepEqual(r.shortNames ?? [], [...k.shortNames]);
      assert.deepEqual(r.categories ?? [], [...k.categories]);
      assert.deepEqual((r.subresources ?? []).map((s) => s.subresource), [...k.subresources]);
    }
  });

  it('`kubectl get all` finds pods, services, deployments… through the "all" category', () => {
    const apis = bodyOf(discoveryResponse(docs, '/apis', kubectlAccept)).json as APIGroupDiscoveryList;
    const api = bodyOf(discoveryResponse(docs, '/api', kubectlAccept)).json as APIGroupDiscoveryList;
    const inAll = [...api.items, ...apis.items]
      .flatMap((g) => g.versions.flatMap((v) => v.resources))
      .filter((r) => r.categories?.includes('all'))
      .map((r) => r.resource)
      .sort();
    for (const name of ['pods', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs']) {
      assert.ok(inAll.includes(name), name);
    }
  });

  it('deployments/scale answers with autoscaling/v1 Scale, exactly the shape in the notes', () => {
    const apis = bodyOf(discoveryResponse(docs, '/apis', kubectlAccept)).json as APIGroupDiscoveryList;
    const deployments = apis.items
      .find((g) => g.metadata.name === 'apps')
      ?.versions[0]?.resources.find((r) => r.resource === 'deployments');
    assert.deepEqual(deployments, {
      resource: 'deployments',
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
  });
});

describe('discovery: Accept negotiation', () => {
  const cases: readonly [string | undefined, string][] = [
    [undefined, 'legacy'],
    ['', 'legacy'],
    ['application/json', 'legacy'],
    ['*/*', 'legacy'],
    ['application/json, */*', 'legacy'],
    [kubectlAccept, 'aggregated:v2'],
    ['application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', 'aggregated:v2beta1'],
    ['application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io', 'aggregated:v2'],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json', 'legacy'],
    ['application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json', 'legacy'],
    ['application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', 'legacy'],
    ['application/json;as=Table;v=v1;g=meta.k8s.io', 'notAcceptable'],
    ['application/yaml', 'notAcceptable'],
    ['application/json;q=0', 'notAcceptable'],
  ];
  for (const [accept, expected] of cases) {
    it(`${JSON.stringify(accept)} → ${expected}`, () => {
      const f = negotiateDiscovery(accept);
      assert.equal(f.kind === 'aggregated' ? `aggregated:${f.version}` : f.kind, expected);
    });
  }

  it('v2beta1 gets its own apiVersion and Content-Type', () => {
    const r = discoveryResponse(docs, '/apis', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const { contentType, json } = bodyOf(r);
    assert.equal(contentType, aggregatedContentType.v2beta1);
    assert.equal((json as APIGroupDiscoveryList).apiVersion, 'apidiscovery.k8s.io/v2beta1');
  });

  it('a request nothing can satisfy gets 406', () => {
    assert.deepEqual(discoveryResponse(docs, '/apis', 'text/html'), { kind: 'notAcceptable' });
    assert.deepEqual(discoveryResponse(docs, '/api/v1', 'text/html'), { kind: 'notAcceptable' });
  });

  it('never throws on arbitrary Accept headers, and answers every known path', () => {
    fc.assert(
      fc.property(fc.string(), (accept) => {
        const f = negotiateDiscovery(accept);
        assert.ok(['legacy', 'aggregated', 'notAcceptable'].includes(f.kind));
        const r = discoveryResponse(docs, '/apis', accept);
        assert.ok(r.kind === 'document' || r.kind === 'notAcceptable');
      }),
      { numRuns: 300 },
    );
  });

  it('documents are precomputed: the same bytes every time, with an ETag', () => {
    const a = discoveryResponse(docs, '/apis', kubectlAccept);
    const b = discoveryResponse(docs, '/apis/', kubectlAccept);
    assert.equal(a.kind, 'document');
    assert.equal(b.kind, 'document');
    if (a.kind === 'document' && b.kind === 'document') {
      assert.equal(a.document.body, b.document.body);
      assert.match(a.document.etag, /^"[0-9A-F]{128}"$/);
    }
  });
});
