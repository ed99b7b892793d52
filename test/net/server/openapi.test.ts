import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kinds, kindByGVK, type KindInfo } from '../../../src/core/api/kinds.js';
import {
  OpenAPIDocuments,
  acceptsJson,
  groupVersionKey,
  negotiateForm,
  openapiResponse,
  type OpenAPIDocument,
  type OpenAPIResult,
} from '../../../src/net/server/openapi.js';
import { encodeOpenApiV2Protobuf } from '../../../src/net/server/openapi-v2-proto.js';

// Loosely typed views of the JSON documents, for reading them as kubectl does.
interface Parameter {
  name: string;
  in: string;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, unknown> };
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action'?: string;
  responses: Record<string, unknown>;
}
type PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>>;
interface Schema {
  type?: string;
  properties?: Record<string, Schema & { allOf?: { $ref: string }[]; $ref?: string; items?: Schema }>;
  required?: string[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
interface GroupVersionDoc {
  openapi: string;
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Schema> };
}

const docs = new OpenAPIDocuments(kinds);

function json<T>(d: OpenAPIDocument | undefined): T {
  assert.ok(d);
  return JSON.parse(d.body.toString('utf8')) as T;
}

function documentOf(r: OpenAPIResult): OpenAPIDocument {
  assert.equal(r.kind, 'document');
  if (r.kind !== 'document') throw new Error('unreachable');
  return r.document;
}

const parsed = new Map<string, GroupVersionDoc>();
function gvDoc(k: Pick<KindInfo, 'group' | 'version'>): GroupVersionDoc {
  const key = groupVersionKey(k.group, k.version);
  let doc = parsed.get(key);
  if (doc === undefined) {
    doc = json<GroupVersionDoc>(docs.groupVersion(key));
    parsed.set(key, doc);
  }
  return doc;
}

function sameGvk(a: { group: string; version: string; kind: string } | undefined, k: KindInfo): boolean {
  return a !== undefined && a.group === k.group && a.version === k.version && a.kind === k.kind;
}

/** kubectl's supportsQueryParamV3: the first PATCH operation of the GVK must list the query param. */
function supportsQueryParam(doc: GroupVersionDoc, k: KindInfo, param: string): boolean {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    if (op === undefined || !sameGvk(op['x-kubernetes-group-version-kind'], k)) continue;
    return (op.parameters ?? []).some((p) => p.name === param && p.in === 'query');
  }
  return false;
}

describe('openapi: /openapi/v3 index', () => {
  it('lists every group-version of the registry, each with a hash of its document', () => {
    const index = json<{ paths: Record<string, { serverRelativeURL: string }> }>(documentOf(openapiResponse(docs, '/openapi/v3', 'application/json, */*')));
    const expected = [...new Set(kinds.map((k) => groupVersionKey(k.group, k.version)))];
    assert.deepEqual(Object.keys(index.paths), expected);
    for (const key of expected) {
      const doc = docs.groupVersion(key);
      assert.ok(doc, key);
      assert.equal(index.paths[key]?.serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
      assert.equal(doc.etag, `"${doc.hash}"`);
      assert.match(doc.hash, /^[0-9A-F]{128}$/);
    }
  });

  it('is built once: later calls return the same bytes', () => {
    assert.equal(docs.index().body, docs.index().body);
    assert.equal(docs.groupVersion('apis/apps/v1')?.body, docs.groupVersion('apis/apps/v1')?.body);
  });
});

describe('openapi: group-version documents', () => {
  it('every kind accepts fieldValidation on PATCH, so kubectl leaves validation to the server', () => {
    for (const k of kinds) {
      const doc = gvDoc(k);
      assert.equal(doc.openapi, '3.0.0');
      assert.ok(supportsQueryParam(doc, k, 'fieldValidation'), `${k.kind} PATCH has fieldValidation`);
    }
  });

  it('create, replace and patch take dryRun, fieldManager and fieldValidation; operations carry their GVK', () => {
    const deploy = kindByGVK('apps/v1', 'Deployment');
    assert.ok(deploy);
    const doc = gvDoc(deploy);
    const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.ok(collection && item);
    for (const op of [collection.post, item.put, item.patch]) {
      assert.ok(op);
      assert.deepEqual(
        (op.parameters ?? []).map((p) => p.name).filter((n) => ['dryRun', 'fieldManager', 'fieldValidation'].includes(n)),
        ['dryRun', 'fieldManager', 'fieldValidation'],
      );
      assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    }
    assert.equal(collection.get?.['x-kubernetes-action'], 'list');
    assert.equal(collection.delete?.['x-kubernetes-action'], 'deletecollection');
    assert.equal(item.get?.['x-kubernetes-action'], 'get');
    assert.equal(item.delete?.['x-kubernetes-action'], 'delete');
    assert.ok(doc.paths['/apis/apps/v1/deployments']?.get, 'list across namespaces');
  });

  it('cluster-scoped kinds have no namespace in their paths', () => {
    const node = kindByGVK('v1', 'Node');
    assert.ok(node);
    const doc = gvDoc(node);
    assert.ok(doc.paths['/api/v1/nodes/{name}']?.patch);
    assert.ok(doc.paths['/api/v1/nodes/{name}/status']?.patch);
    assert.equal(
      Object.keys(doc.paths).some((p) => p.includes('namespaces/{namespace}/nodes')),
      false,
    );
  });

  it('subresources answer with their own kind: scale → autoscaling/v1 Scale, eviction → policy/v1 Eviction', () => {
    const apps = gvDoc({ group: 'apps', version: 'v1' });
    assert.deepEqual(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.patch?.['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']?.properties?.['spec']);
    const core = gvDoc({ group: '', version: 'v1' });
    assert.deepEqual(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']?.post?.['x-kubernetes-group-version-kind'], {
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
    });
    assert.deepEqual(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding']?.post?.['x-kubernetes-group-version-kind'], {
      group: '',
      version: 'v1',
      kind: 'Binding',
    });
    const log = core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log']?.get;
    assert.ok(log);
    assert.ok((log.parameters ?? []).some((p) => p.name === 'tailLines'));
  });

  it('PATCH lists JSON, merge and apply patches but not strategic merge, so kubectl uses its own merge keys', () => {
    // kubernetes-models' schemas carry no x-kubernetes-patch-merge-key; advertising strategic merge
    // patch would make kubectl compute patches from schemas without merge keys (whole lists).
    for (const k of kinds) {
      const doc = gvDoc(k);
      for (const item of Object.values(doc.paths)) {
        const content = item.patch?.requestBody?.content;
        if (content === undefined) continue;
        assert.deepEqual(Object.keys(content).sort(), [
          'application/apply-patch+yaml',
          'application/json-patch+json',
          'application/merge-patch+json',
        ]);
      }
    }
  });

  it('components.schemas hold each kind with its GVK, and every $ref resolves in the same document', () => {
    for (const k of kinds) {
      const doc = gvDoc(k);
      const schemas = doc.components.schemas;
      const withGvk = Object.values(schemas).filter((s) =>
        (s['x-kubernetes-group-version-kind'] ?? []).some((g) => sameGvk(g, k)),
      );
      assert.equal(withGvk.length, 1, `${k.kind}: one schema carries its GVK`);
      const kindSchema = withGvk[0];
      assert.ok(kindSchema?.properties?.['metadata'], `${k.kind} has metadata`);
      const text = docs.groupVersion(groupVersionKey(k.group, k.version))?.body.toString('utf8') ?? '';
      for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
        assert.ok(m[1] !== undefined && m[1] in schemas, `${k.kind} document: ${m[1]} resolves`);
      }
    }
  });

  it('schemas follow the Kubernetes types: fields, types, enums, required (what kubectl explain shows)', () => {
    const apps = gvDoc({ group: 'apps', version: 'v1' });
    const spec = apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'];
    assert.ok(spec);
    assert.equal(spec.properties?.['replicas']?.type, 'integer');
    assert.deepEqual(spec.required?.sort(), ['selector', 'template']);
    assert.deepEqual(spec.properties?.['template']?.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
    const core = gvDoc({ group: '', version: 'v1' });
    const container = core.components.schemas['io.k8s.api.core.v1.Container'];
    assert.ok(container);
    assert.deepEqual(container.required, ['name']);
    assert.equal(container.properties?.['ports']?.type, 'array');
    const port = core.components.schemas['io.k8s.api.core.v1.ContainerPort'];
    assert.deepEqual((port?.properties?.['protocol'] as { enum?: string[] } | undefined)?.enum, ['SCTP', 'TCP', 'UDP']);
    const meta = core.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    assert.deepEqual(meta?.properties?.['labels'], {
      description:
        'Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels',
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    const sts = apps.components.schemas['io.k8s.api.apps.v1.StatefulSetSpec'];
    assert.deepEqual(sts?.properties?.['volumeClaimTemplates']?.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaim' });
    const intOrString = apps.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] as Record<string, unknown>;
    assert.equal(intOrString['x-kubernetes-int-or-string'], true);
  });

  it('list kinds are described too (kubectl get -o json of a list)', () => {
    const apps = gvDoc({ group: 'apps', version: 'v1' });
    const list = apps.components.schemas['io.k8s.api.apps.v1.DeploymentList'];
    assert.deepEqual(list?.['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
    assert.ok(list?.properties?.['items']);
  });
});

describe('openapi: /openapi/v2 and routing', () => {
  it('serves Swagger 2.0 JSON with #/definitions references and no group-version-kinds', () => {
    const v2 = json<{ swagger: string; definitions: Record<string, Schema> }>(documentOf(openapiResponse(docs, '/openapi/v2', 'application/json')));
    assert.equal(v2.swagger, '2.0');
    const pod = v2.definitions['io.k8s.api.core.v1.Pod'];
    assert.ok(pod?.properties?.['spec']);
    // kubectl would take patch metadata from a definition it finds by GVK (see openapi.ts).
    const text = JSON.stringify(v2);
    assert.equal(text.includes('x-kubernetes-group-version-kind'), false);
    assert.equal(text.includes('#/components/schemas/'), false);
    for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) assert.ok(m[1] !== undefined && m[1] in v2.definitions, m[1]);
  });

  it('kubectl’s protobuf request for /openapi/v2 gets the same document as gnostic protobuf', () => {
    const r = openapiResponse(docs, '/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    const pb = documentOf(r);
    // Go's mime parser rejects `@`: the answer names the dotted form, as kube-apiserver's does.
    assert.equal(pb.contentType, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.deepEqual(decodeDocument(pb.body), JSON.parse(docs.v2().body.toString('utf8')));
    assert.equal(documentOf(openapiResponse(docs, '/openapi/v2', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf')), pb);
    assert.notEqual(pb.etag, docs.v2().etag);
  });

  it('every v2 schema is one kube-openapi’s parser (pkg/util/proto) accepts', () => {
    const v2 = json<{ definitions: Record<string, unknown> }>(docs.v2());
    const problems: string[] = [];
    const check = (s: unknown, where: string): void => {
      const o = s as Record<string, unknown>;
      const type = o['type'];
      if (typeof o['$ref'] === 'string') {
        if (type !== undefined || o['properties'] !== undefined) problems.push(`${where}: $ref with type or properties`);
        return;
      }
      if (type === 'array') {
        if (typeof o['items'] !== 'object' || Array.isArray(o['items'])) problems.push(`${where}: array without one items schema`);
        else check(o['items'], `${where}[]`);
      } else if (type !== undefined && type !== 'object' && !['string', 'number', 'integer', 'boolean'].includes(type as string)) {
        problems.push(`${where}: type ${String(type)}`);
      }
      const props = o['properties'] as Record<string, unknown> | undefined;
      if (props !== undefined) for (const [k, v] of Object.entries(props)) check(v, `${where}.${k}`);
      if (typeof o['additionalProperties'] === 'object') check(o['additionalProperties'], `${where}{}`);
    };
    for (const [name, s] of Object.entries(v2.definitions)) check(s, name);
    assert.deepEqual(problems, []);
  });

  const routes: readonly [string, string | undefined, OpenAPIResult['kind']][] = [
    ['/openapi/v3', undefined, 'document'],
    ['/openapi/v3/', 'application/json', 'document'],
    ['/openapi/v3/api/v1', 'application/json', 'document'],
    ['/openapi/v3/apis/apps/v1', '*/*', 'document'],
    ['/openapi/v3/apis/apps/v2', 'application/json', 'notFound'],
    ['/openapi/v3/apis/example.com/v1', 'application/json', 'notFound'],
    ['/openapi/v4', 'application/json', 'notFound'],
    ['/openapi/v3/api/v1', 'text/html', 'notAcceptable'],
    ['/openapi/v2', 'text/html', 'notAcceptable'],
    ['/openapi/v2', undefined, 'document'],
    ['/api/v1', 'application/json', 'notOpenAPI'],
    ['/openapiv3', 'application/json', 'notOpenAPI'],
  ];
  for (const [path, accept, expected] of routes) {
    it(`${path} (${accept ?? 'no Accept'}) → ${expected}`, () => {
      assert.equal(openapiResponse(docs, path, accept).kind, expected);
    });
  }

  it('document(path, accept) serves what openapiResponse finds, undefined otherwise (the HTTP server’s provider shape)', () => {
    assert.equal(docs.document('/openapi/v3', 'application/json, */*'), docs.index());
    assert.equal(docs.document('/openapi/v3/apis/apps/v1', 'application/json'), docs.groupVersion('apis/apps/v1'));
    assert.equal(docs.document('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), docs.v2Protobuf());
    assert.equal(docs.document('/openapi/v3', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), undefined);
    assert.equal(docs.document('/openapi/v3/apis/nope/v1', undefined), undefined);
  });

  it('acceptsJson honours q=0', () => {
    assert.equal(acceptsJson('application/json;q=0'), false);
    assert.equal(acceptsJson('application/json;q=0.5'), true);
    assert.equal(acceptsJson(undefined), true);
  });

  const negotiations: readonly [string | undefined, 'json' | 'protobuf' | undefined][] = [
    [undefined, 'json'],
    ['*/*', 'json'],
    ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'protobuf'],
    ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json', 'protobuf'],
    ['application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'json'],
    ['application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
    ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0, application/*;q=0.1', 'json'],
    ['text/html', undefined],
  ];
  it('property: any Swagger schema the server writes decodes back from protobuf as it was', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean());
    // Plain names: the reader below assigns them as keys of plain objects.
    const name = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
    // Nesting bounded at three levels, so a run stays small.
    const schemaAt = (depth: number): fc.Arbitrary<Record<string, unknown>> => {
      const nested = depth === 0 ? undefined : schemaAt(depth - 1);
      return fc.record(
        {
          $ref: name.map((n) => `#/definitions/${n}`),
          format: fc.constantFrom('int32', 'int64', 'date-time', 'byte', 'int-or-string'),
          description: fc.string({ unit: 'grapheme', maxLength: 40 }),
          type: fc.constantFrom('object', 'array', 'string', 'integer', 'number', 'boolean'),
          minimum: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
          maxLength: fc.nat(),
          required: fc.array(name, { minLength: 1, maxLength: 3 }),
          enum: fc.array(scalar, { minLength: 1, maxLength: 3 }),
          'x-kubernetes-list-type': fc.constantFrom('atomic', 'map', 'set'),
          'x-kubernetes-preserve-unknown-fields': fc.boolean(),
          'x-kubernetes-group-version-kind': fc.array(fc.record({ group: name, version: name, kind: name }), { maxLength: 2 }),
          ...(nested === undefined
            ? {}
            : {
                items: nested,
                additionalProperties: fc.oneof(fc.boolean(), nested),
                properties: fc.dictionary(name, nested, { maxKeys: 3 }),
              }),
        },
        { requiredKeys: [] },
      );
    };
    const schema = schemaAt(3);
    fc.assert(
      fc.property(fc.dictionary(name, schema, { maxKeys: 4 }), fc.string(), (definitions, version) => {
        // As JSON gives it (plain prototypes), which is how the server builds documents.
        const doc = JSON.parse(JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version }, paths: {}, definitions })) as object;
        assert.deepEqual(decodeDocument(encodeOpenApiV2Protobuf(doc as never)), doc);
      }),
      { numRuns: 100 },
    );
  });

  for (const [accept, expected] of negotiations) {
    it(`negotiateForm(${accept ?? 'no Accept'}) → ${expected ?? 'none'}`, () => {
      assert.equal(negotiateForm(accept, ['json', 'protobuf']), expected);
    });
  }
});

// ---- a reader of gnostic's openapi.v2 messages (field numbers from OpenAPIv2.proto) ----

type Field = { readonly field: number; readonly varint?: number; readonly fixed64?: Buffer; readonly bytes?: Buffer };

function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const byte = b[i++];
      assert.ok(byte !== undefined, 'truncated varint');
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 0x80;
    }
  };
  while (i < b.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0:
        out.push({ field, varint: varint() });
        break;
      case 1:
        out.push({ field, fixed64: b.subarray(i, i + 8) });
        i += 8;
        break;
      case 2: {
        const n = varint();
        out.push({ field, bytes: b.subarray(i, i + n) });
        i += n;
        break;
      }
      default:
        assert.fail(`unexpected wire type ${tag % 8}`);
    }
  }
  return out;
}

const text = (f: Field): string => (f.bytes as Buffer).toString('utf8');
/** `Any { yaml = 2 }`, written as JSON. */
const anyValue = (b: Buffer): unknown => JSON.parse(text(fields(b).find((f) => f.field === 2) as Field));

function decodeSchema(b: Buffer): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  const named = (m: Buffer): [string, Buffer] => {
    const fs = fields(m);
    return [text(fs.find((f) => f.field === 1) as Field), (fs.find((f) => f.field === 2) as Field).bytes as Buffer];
  };
  for (const f of fields(b)) {
    switch (f.field) {
      case 1: s['$ref'] = text(f); break;
      case 2: s['format'] = text(f); break;
      case 4: s['description'] = text(f); break;
      case 9: s['minimum'] = (f.fixed64 as Buffer).readDoubleLE(0); break;
      case 11: s['maxLength'] = f.varint; break;
      case 19: ((s['required'] ??= []) as string[]).push(text(f)); break;
      case 20: ((s['enum'] ??= []) as unknown[]).push(anyValue(f.bytes as Buffer)); break;
      case 21: {
        const [inner] = fields(f.bytes as Buffer);
        s['additionalProperties'] = inner?.field === 1 ? decodeSchema(inner.bytes as Buffer) : inner?.varint === 1;
        break;
      }
      case 22: {
        const types = fields(f.bytes as Buffer).map(text);
        s['type'] = types.length === 1 ? types[0] : types;
        break;
      }
      case 23: {
        const items = fields(f.bytes as Buffer).map((i) => decodeSchema(i.bytes as Buffer));
        s['items'] = items.length === 1 ? items[0] : items;
        break;
      }
      case 25: {
        const props: Record<string, unknown> = {};
        for (const p of fields(f.bytes as Buffer)) {
          const [name, value] = named(p.bytes as Buffer);
          props[name] = decodeSchema(value);
        }
        s['properties'] = props;
        break;
      }
      case 31: {
        const [name, value] = named(f.bytes as Buffer);
        s[name] = anyValue(value);
        break;
      }
      default:
        assert.fail(`schema field ${f.field} is not expected in these documents`);
    }
  }
  return s;
}

/** A protobuf openapi.v2.Document back as the Swagger JSON it encodes (fields the server writes). */
function decodeDocument(b: Buffer): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const f of fields(b)) {
    if (f.field === 1) doc['swagger'] = text(f);
    else if (f.field === 2) {
      const info: Record<string, string> = {};
      for (const i of fields(f.bytes as Buffer)) info[i.field === 1 ? 'title' : 'version'] = text(i);
      doc['info'] = info;
    } else if (f.field === 8) doc['paths'] = {};
    else if (f.field === 9) {
      const defs: Record<string, unknown> = {};
      for (const d of fields(f.bytes as Buffer)) {
        const fs = fields(d.bytes as Buffer);
        defs[text(fs.find((x) => x.field === 1) as Field)] = decodeSchema((fs.find((x) => x.field === 2) as Field).bytes as Buffer);
      }
      doc['definitions'] = defs;
    } else assert.fail(`document field ${f.field} is not expected`);
  }
  return doc;
}
