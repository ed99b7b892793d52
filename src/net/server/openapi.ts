// OpenAPI documents: `GET /openapi/v3` (an index of group-versions, each with a content hash),
// `GET /openapi/v3/api/v1` and `/openapi/v3/apis/{group}/{version}` (paths and schemas), and
// `GET /openapi/v2` (Swagger 2.0, definitions only; JSON, or gnostic protobuf for kubectl).
//
// What kubectl 1.32 needs from them:
// - `apply`/`create`/`replace` ask whether the server validates fields itself: the group-version
//   document must hold a PATCH operation carrying `x-kubernetes-group-version-kind` of the kind and
//   a query parameter `fieldValidation`. Then kubectl sends `fieldValidation=Strict` and leaves
//   validation to the server.
// - `apply` to an existing object computes a strategic merge patch. If a PATCH operation lists
//   `application/strategic-merge-patch+json`, kubectl takes the patch metadata (merge keys, patch
//   strategies) from `components.schemas`. kubernetes-models' schemas carry no such metadata (its
//   _schemas are compiled validators and its .d.ts files have none), and a schema without merge
//   keys would make kubectl send whole lists where Kubernetes merges them by key. So PATCH
//   operations here do not list strategic-merge-patch; kubectl then uses the patch metadata
//   compiled into it from the Kubernetes Go types, which is exactly what a real cluster's schemas
//   say. The server accepts strategic merge patches all the same.
// - A `kind: List` manifest (what `kubectl get a,b -o yaml` prints) is not a kind of the v3
//   documents, so kubectl validates it on its side: it fetches `/openapi/v2` in protobuf
//   (openapi-v2-proto.ts) and checks each item against the definition whose
//   `x-kubernetes-group-version-kind` names the item's kind, skipping kinds no definition names.
//   The same lookup is where `apply` takes its strategic-merge patch metadata from (before its
//   compiled-in types) — for every kind, not only in lists. For the reason above, the v2
//   definitions therefore carry no group-version-kinds: a List's items are validated by the
//   server one by one (`fieldValidation=Strict`, as every apply sends), and patches keep using
//   kubectl's own metadata. Unlike a real cluster, the items before a bad one are applied.
// - `explain` reads `components.schemas`: the schemas are derived from kubernetes-models' type
//   declarations (field names, types, enums, required fields, descriptions).
//
// Everything is built lazily on the first request and cached as bytes with an ETag.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { KindInfo } from '../../core/api/kinds.js';
import { kubernetesVersion } from './discovery.js';
import { encodeOpenApiV2Protobuf, openapiV2ProtobufContentType, openapiV2ProtobufMediaType } from './openapi-v2-proto.js';

/** A JSON value, as the documents are built. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Schemas from kubernetes-models' type declarations
//
// Each type lives in its own .d.ts file, generated from Kubernetes' OpenAPI, e.g.
//   kubernetes-models/apps/v1/DeploymentSpec.d.ts:
//     import { IIoK8sApiCoreV1PodTemplateSpec } from "../../v1/PodTemplateSpec";
//     /** DeploymentSpec is the specification of the desired behavior of the Deployment. */
//     export interface IDeploymentSpec {
//         /** Number of desired pods. ... */
//         "replicas"?: number;
//         "template": IIoK8sApiCoreV1PodTemplateSpec;
//     }
// The file path names the OpenAPI definition (io.k8s.api.apps.v1.DeploymentSpec); imports give
// the references. Only interfaces and type aliases of that generated shape are read.

const refPrefixV3 = '#/components/schemas/';

interface TypeRoots {
  /** Directory of the kubernetes-models package. */
  readonly models: string;
  /** Directory of @kubernetes-models/apimachinery. */
  readonly apimachinery: string;
}

function findTypeRoots(): TypeRoots | undefined {
  try {
    const require = createRequire(import.meta.url);
    const models = dirname(require.resolve('kubernetes-models'));
    const fromModels = createRequire(join(models, 'index.js'));
    const apimachinery = dirname(fromModels.resolve('@kubernetes-models/apimachinery'));
    return { models, apimachinery };
  } catch {
    return undefined;
  }
}

/** The OpenAPI definition name for a declaration file (path without `.d.ts`). */
function definitionName(roots: TypeRoots, file: string): string | undefined {
  const inModels = relative(roots.models, file);
  if (!inModels.startsWith('..')) {
    const parts = inModels.split(sep);
    const [groupDir, version, type] = parts.length === 2 ? ['core', parts[0], parts[1]] : parts;
    if (groupDir === undefined || version === undefined || type === undefined) return undefined;
    // Definitions drop the `.k8s.io` suffix (networking.k8s.io → networking); core is `core`.
    const group = groupDir === 'v1' ? 'core' : groupDir.replace(/\.k8s\.io$/, '').replace(/\.apiserver$/, '');
    return `io.k8s.api.${group}.${version}.${type}`;
  }
  const inMachinery = relative(roots.apimachinery, file);
  if (!inMachinery.startsWith('..')) return `io.k8s.apimachinery.pkg.${inMachinery.split(sep).join('.')}`;
  return undefined;
}

/** The text of a JSDoc block: ` * ` prefixes removed, blank lines kept as paragraph breaks. */
function docText(block: string): string {
  return block
    .replace(/^\s*\/\*\*/, '')
    .replace(/\*\/\s*$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** Splits `a | b | c` at the top level (not inside quotes, `<>` or `{}`). */
function splitUnion(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '<' || ch === '{')) depth++;
    else if (!quoted && (ch === '>' || ch === '}')) depth--;
    else if (!quoted && depth === 0 && ch === '|') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** TypeMeta's field docs (the declarations leave them to an inherited interface). */
const typeMetaDocs: Readonly<Record<string, string>> = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
};

const intOrStringSchema: JsonObject = { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };

/** Reads declaration files on demand and turns them into OpenAPI v3 schemas, keyed by name. */
class SchemaLibrary {
  readonly schemas = new Map<string, JsonObject>();
  /** Every declaration file is read at most once; a failed one is remembered as undefined. */
  private readonly nameOfFile = new Map<string, string | undefined>();

  constructor(private readonly roots: TypeRoots) {}

  /** Loads the declaration at `file` (no extension) and what it references; its name or undefined. */
  load(file: string): string | undefined {
    if (this.nameOfFile.has(file)) return this.nameOfFile.get(file);
    const name = definitionName(this.roots, file);
    this.nameOfFile.set(file, name);
    if (name === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(`${file}.d.ts`, 'utf8');
    } catch {
      this.nameOfFile.set(file, undefined);
      return undefined;
    }
    // Reserve the name first: declarations refer to each other (JSONSchemaProps, Pod ↔ …).
    this.schemas.set(name, {});
    const imports = new Map<string, string>();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
      const [, alias, spec] = m;
      if (alias === undefined || spec === undefined) continue;
      if (spec.startsWith('.')) imports.set(alias, join(dirname(file), spec));
      else if (spec.startsWith('@kubernetes-models/apimachinery/')) {
        imports.set(alias, join(this.roots.apimachinery, spec.slice('@kubernetes-models/apimachinery/'.length)));
      }
    }
    const schema = this.parseDeclaration(name, text, imports);
    this.schemas.set(name, schema);
    return name;
  }

  private parseDeclaration(name: string, text: string, imports: ReadonlyMap<string, string>): JsonObject {
    const alias = /((?:\/\*\*[\s\S]*?\*\/\s*)?)export declare type I\w+ = ([^;]+);/.exec(text);
    const iface = /((?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?)export interface I\w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
    if (iface === null && alias !== null) {
      const description = alias[1] === undefined || alias[1] === '' ? undefined : docText(alias[1]);
      let schema: JsonObject;
      if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
        schema = { oneOf: [{ type: 'string' }, { type: 'number' }] };
      } else if (name.endsWith('.Time') || name.endsWith('.MicroTime')) {
        schema = { type: 'string', format: 'date-time' };
      } else {
        schema = { ...this.typeSchema(alias[2] ?? '', imports) };
      }
      return description === undefined ? schema : { description, ...schema };
    }
    if (iface === null) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const description = iface[1] === undefined || iface[1] === '' ? undefined : docText(iface[1]);
    const properties: JsonObject = {};
    const required: string[] = [];
    const lines = (iface[2] ?? '').split('\n');
    let doc: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const trimmed = line.trim();
      if (trimmed.startsWith('/**')) {
        let block = line;
        while (!block.includes('*/') && i + 1 < lines.length) block += `\n${lines[++i] ?? ''}`;
        doc = docText(block);
        continue;
      }
      const prop = /^ {4}"([^"]+)"(\?)?: (.*)$/.exec(line);
      if (prop === null) continue;
      const [, field = '', optional, first = ''] = prop;
      let typeText = first;
      if (typeText === 'Array<{') {
        // An inline object type (only StatefulSetSpec.volumeClaimTemplates: PersistentVolumeClaim).
        while (i + 1 < lines.length && !/^ {4}\}>;?$/.test(lines[i + 1] ?? '')) i++;
        i++;
        const pvc = field === 'volumeClaimTemplates' ? this.load(join(this.roots.models, 'v1', 'PersistentVolumeClaim')) : undefined;
        const items: JsonObject = pvc === undefined ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : { $ref: `${refPrefixV3}${pvc}` };
        const schema: JsonObject = { type: 'array', items };
        properties[field] = doc === undefined ? schema : withDescription(schema, doc);
        doc = undefined;
        continue;
      }
      if (typeText.endsWith('{')) {
        while (i + 1 < lines.length && !/^ {4}\};?$/.test(lines[i + 1] ?? '')) typeText += ` ${(lines[++i] ?? '').trim()}`;
        i++;
        typeText += ' }';
      }
      typeText = typeText.replace(/;$/, '');
      const literal = /^"[^"]*"$/.test(typeText);
      // apiVersion and kind are typed as their literal value; in OpenAPI they are plain strings.
      const typeMeta = literal && (field === 'apiVersion' || field === 'kind');
      const schema = typeMeta ? { type: 'string' } : this.typeSchema(typeText, imports);
      doc ??= typeMeta ? typeMetaDocs[field] : undefined;
      properties[field] = doc === undefined ? schema : withDescription(schema, doc);
      if (optional === undefined && !(literal && (field === 'apiVersion' || field === 'kind'))) required.push(field);
      doc = undefined;
    }
    const schema: JsonObject = { type: 'object' };
    if (description !== undefined) schema['description'] = description;
    if (Object.keys(properties).length > 0) schema['properties'] = properties;
    if (required.length > 0) schema['required'] = required;
    return schema;
  }

  /** The schema of a TypeScript type expression as kubernetes-models writes them. */
  private typeSchema(text: string, imports: ReadonlyMap<string, string>): JsonObject {
    const t = text.trim();
    if (t === 'string') return { type: 'string' };
    if (t === 'number') return { type: 'integer' };
    if (t === 'boolean') return { type: 'boolean' };
    if (t.startsWith('Array<') && t.endsWith('>')) return { type: 'array', items: this.typeSchema(t.slice(6, -1), imports) };
    const map = /^\{ \[key: string\]: (.+?);? \}$/.exec(t);
    if (map !== null) return { type: 'object', additionalProperties: this.typeSchema(map[1] ?? '', imports) };
    const union = splitUnion(t);
    if (union.length > 1) {
      if (union.every((u) => /^"[^"]*"$/.test(u))) return { type: 'string', enum: union.map((u) => u.slice(1, -1)) };
      if (union.length === 2 && union.includes('number') && union.includes('string')) return { ...intOrStringSchema };
      return {};
    }
    if (/^"[^"]*"$/.test(t)) return { type: 'string', enum: [t.slice(1, -1)] };
    const target = imports.get(t);
    if (target !== undefined) {
      const name = this.load(target);
      if (name !== undefined) return { $ref: `${refPrefixV3}${name}` };
    }
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** Kubernetes' form for a described reference: OpenAPI 3.0 ignores siblings of `$ref`. */
function withDescription(schema: JsonObject, description: string): JsonObject {
  const ref = schema['$ref'];
  if (typeof ref === 'string') return { description, allOf: [{ $ref: ref }] };
  return { description, ...schema };
}

/** Every `$ref` target named inside a schema. */
function collectRefs(value: JsonValue, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value as readonly JsonValue[]) collectRefs(v, out);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as { readonly [key: string]: JsonValue };
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (key === '$ref' && typeof v === 'string' && v.startsWith(refPrefixV3)) out.add(v.slice(refPrefixV3.length));
      else if (v !== undefined) collectRefs(v, out);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Paths and operations

interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** `apps.v1` → `AppsV1`, `networking.k8s.io` → `NetworkingV1`, core → `CoreV1` (operation ids). */
function groupVersionCamel(group: string, version: string): string {
  const base = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_');
  const camel = base
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
  return `${camel}${version.charAt(0).toUpperCase()}${version.slice(1)}`;
}

function tagOf(group: string, version: string): string {
  const base = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_');
  return `${base}_${version}`;
}

/** Where a kind's definition lives, as kube-openapi names it. */
function kindDefinitionName(gvk: Gvk): string {
  const group = gvk.group === '' ? 'core' : gvk.group.replace(/\.k8s\.io$/, '');
  return `io.k8s.api.${group}.${gvk.version}.${gvk.kind}`;
}

const statusRef = `${refPrefixV3}io.k8s.apimachinery.pkg.apis.meta.v1.Status`;
const deleteOptionsRef = `${refPrefixV3}io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions`;
const patchRef = `${refPrefixV3}io.k8s.apimachinery.pkg.apis.meta.v1.Patch`;

function queryParam(name: string, description: string, type: 'string' | 'integer' | 'boolean' = 'string'): JsonObject {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const p = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: queryParam('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: queryParam(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: ignores unknown fields. - Warn: sends a warning for each unknown field. - Strict: fails the request on unknown fields.',
  ),
  force: queryParam('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: queryParam('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  orphanDependents: queryParam('orphanDependents', 'Deprecated: please use the PropagationPolicy.', 'boolean'),
  allowWatchBookmarks: queryParam('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  continue: queryParam('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: queryParam('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  resourceVersion: queryParam('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: queryParam('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: queryParam('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`.', 'boolean'),
  timeoutSeconds: queryParam('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: queryParam('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  container: queryParam('container', 'The container for which to stream logs.'),
  follow: queryParam('follow', 'Follow the log stream of the pod.', 'boolean'),
  previous: queryParam('previous', 'Return previous terminated container logs.', 'boolean'),
  tailLines: queryParam('tailLines', 'If set, the number of lines from the end of the logs to show.', 'integer'),
  timestamps: queryParam('timestamps', 'If true, add an RFC3339 timestamp at the beginning of every line of log output.', 'boolean'),
  sinceSeconds: queryParam('sinceSeconds', 'A relative time in seconds before the current time from which to show logs.', 'integer'),
  sinceTime: queryParam('sinceTime', 'An RFC3339 timestamp from which to show logs.'),
  limitBytes: queryParam('limitBytes', 'If set, the number of bytes to read from the server before terminating the log output.', 'integer'),
  insecureSkipTLSVerifyBackend: queryParam(
    'insecureSkipTLSVerifyBackend',
    'insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.',
    'boolean',
  ),
} as const;

const listParams: readonly JsonObject[] = [
  p.allowWatchBookmarks,
  p.continue,
  p.fieldSelector,
  p.labelSelector,
  p.limit,
  p.resourceVersion,
  p.resourceVersionMatch,
  p.sendInitialEvents,
  p.timeoutSeconds,
  p.watch,
];

function pathParam(name: string, description: string): JsonObject {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

const namespaceParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

function jsonContent(ref: string): JsonObject {
  const schema = { $ref: ref };
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function response(description: string, ref: string): JsonObject {
  return { description, content: jsonContent(ref) };
}

interface OperationSpec {
  readonly id: string;
  readonly description: string;
  readonly action: string;
  readonly gvk: Gvk;
  readonly tag: string;
  readonly params: readonly JsonValue[];
  readonly requestBody?: JsonObject;
  readonly responses: JsonObject;
}

function operation(o: OperationSpec): JsonObject {
  const op: JsonObject = {
    tags: [o.tag],
    description: o.description,
    operationId: o.id,
  };
  if (o.params.length > 0) op['parameters'] = o.params;
  if (o.requestBody !== undefined) op['requestBody'] = o.requestBody;
  op['responses'] = o.responses;
  op['x-kubernetes-action'] = o.action;
  op['x-kubernetes-group-version-kind'] = { group: o.gvk.group, version: o.gvk.version, kind: o.gvk.kind };
  return op;
}

/** The request body of create and replace: the object itself. */
function objectBody(ref: string): JsonObject {
  return { content: { '*/*': { schema: { $ref: ref } } }, required: true };
}

/**
 * The request body of PATCH: every patch type the server takes except strategic merge patch (see
 * the header comment for why that one is not advertised).
 */
const patchBody: JsonObject = {
  content: {
    'application/apply-patch+yaml': { schema: { $ref: patchRef } },
    'application/json-patch+json': { schema: { $ref: patchRef } },
    'application/merge-patch+json': { schema: { $ref: patchRef } },
  },
  required: true,
};

const deleteBody: JsonObject = { content: { '*/*': { schema: { $ref: deleteOptionsRef } } } };

/** The Kind a subresource answers with, and its REST verbs (as discovery lists them). */
function subresourceKind(k: KindInfo, sub: string): { gvk: Gvk; methods: readonly ('get' | 'put' | 'patch' | 'post')[] } | undefined {
  const own: Gvk = { group: k.group, version: k.version, kind: k.kind };
  switch (sub) {
    case 'status':
    case 'ephemeralcontainers':
    case 'resize':
      return { gvk: own, methods: ['get', 'put', 'patch'] };
    case 'scale':
      return { gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, methods: ['get', 'put', 'patch'] };
    case 'binding':
      return { gvk: { group: '', version: 'v1', kind: 'Binding' }, methods: ['post'] };
    case 'eviction':
      return { gvk: { group: 'policy', version: 'v1', kind: 'Eviction' }, methods: ['post'] };
    case 'log':
      return { gvk: own, methods: ['get'] };
    case 'finalize':
      return { gvk: own, methods: ['put'] };
    default:
      return undefined; // connect subresources (exec, attach, portforward, proxy) are not described
  }
}

/** The paths of one kind: collection, item, all-namespaces list and subresources. */
function kindPaths(k: KindInfo, paths: Map<string, JsonObject>): void {
  const prefix = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  const gv = groupVersionCamel(k.group, k.version);
  const tag = tagOf(k.group, k.version);
  const gvk: Gvk = { group: k.group, version: k.version, kind: k.kind };
  const ref = `${refPrefixV3}${kindDefinitionName(gvk)}`;
  const listRef = `${refPrefixV3}${kindDefinitionName({ ...gvk, kind: k.listKind })}`;
  const scope = k.namespaced ? 'Namespaced' : '';
  const collection = k.namespaced ? `${prefix}/namespaces/{namespace}/${k.plural}` : `${prefix}/${k.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams: JsonValue[] = k.namespaced ? [namespaceParam, p.pretty] : [p.pretty];
  const has = (verb: string): boolean => k.verbs.includes(verb);

  const collectionItem: JsonObject = {};
  if (has('list')) {
    collectionItem['get'] = operation({
      id: `list${gv}${scope}${k.kind}`,
      description: `list or watch objects of kind ${k.kind}`,
      action: 'list',
      gvk,
      tag,
      params: listParams,
      responses: { '200': response('OK', listRef), '401': { description: 'Unauthorized' } },
    });
  }
  if (has('create')) {
    collectionItem['post'] = operation({
      id: `create${gv}${scope}${k.kind}`,
      description: `create a ${k.kind}`,
      action: 'post',
      gvk,
      tag,
      params: [p.dryRun, p.fieldManager, p.fieldValidation],
      requestBody: objectBody(ref),
      responses: {
        '200': response('OK', ref),
        '201': response('Created', ref),
        '202': response('Accepted', ref),
        '401': { description: 'Unauthorized' },
      },
    });
  }
  if (has('deletecollection')) {
    collectionItem['delete'] = operation({
      id: `delete${gv}Collection${scope}${k.kind}`,
      description: `delete collection of ${k.kind}`,
      action: 'deletecollection',
      gvk,
      tag,
      params: [...listParams, p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy],
      requestBody: deleteBody,
      responses: { '200': response('OK', statusRef), '401': { description: 'Unauthorized' } },
    });
  }
  collectionItem['parameters'] = scopeParams;
  paths.set(collection, collectionItem);

  const nameParam = pathParam('name', `name of the ${k.kind}`);
  const itemItem: JsonObject = {};
  if (has('get')) {
    itemItem['get'] = operation({
      id: `read${gv}${scope}${k.kind}`,
      description: `read the specified ${k.kind}`,
      action: 'get',
      gvk,
      tag,
      params: [],
      responses: { '200': response('OK', ref), '401': { description: 'Unauthorized' } },
    });
  }
  if (has('update')) {
    itemItem['put'] = operation({
      id: `replace${gv}${scope}${k.kind}`,
      description: `replace the specified ${k.kind}`,
      action: 'put',
      gvk,
      tag,
      params: [p.dryRun, p.fieldManager, p.fieldValidation],
      requestBody: objectBody(ref),
      responses: { '200': response('OK', ref), '201': response('Created', ref), '401': { description: 'Unauthorized' } },
    });
  }
  if (has('delete')) {
    itemItem['delete'] = operation({
      id: `delete${gv}${scope}${k.kind}`,
      description: `delete a ${k.kind}`,
      action: 'delete',
      gvk,
      tag,
      params: [p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy],
      requestBody: deleteBody,
      responses: {
        '200': response('OK', statusRef),
        '202': response('Accepted', statusRef),
        '401': { description: 'Unauthorized' },
      },
    });
  }
  if (has('patch')) {
    itemItem['patch'] = operation({
      id: `patch${gv}${scope}${k.kind}`,
      description: `partially update the specified ${k.kind}`,
      action: 'patch',
      gvk,
      tag,
      params: [p.dryRun, p.fieldManager, p.fieldValidation, p.force],
      requestBody: patchBody,
      responses: { '200': response('OK', ref), '201': response('Created', ref), '401': { description: 'Unauthorized' } },
    });
  }
  itemItem['parameters'] = [nameParam, ...scopeParams];
  paths.set(item, itemItem);

  if (k.namespaced && has('list')) {
    paths.set(`${prefix}/${k.plural}`, {
      get: operation({
        id: `list${gv}${k.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${k.kind}`,
        action: 'list',
        gvk,
        tag,
        params: [],
        responses: { '200': response('OK', listRef), '401': { description: 'Unauthorized' } },
      }),
      parameters: [...listParams, p.pretty],
    });
  }

  for (const sub of k.subresources) {
    const shape = subresourceKind(k, sub);
    if (shape === undefined) continue;
    const subRef = `${refPrefixV3}${kindDefinitionName(shape.gvk)}`;
    const subCamel = sub.charAt(0).toUpperCase() + sub.slice(1);
    const subItem: JsonObject = {};
    for (const method of shape.methods) {
      switch (method) {
        case 'get':
          subItem['get'] = operation({
            id: `read${gv}${scope}${k.kind}${subCamel}`,
            description: `read ${sub} of the specified ${k.kind}`,
            action: 'get',
            gvk: shape.gvk,
            tag,
            params: sub === 'log' ? [p.container, p.follow, p.insecureSkipTLSVerifyBackend, p.limitBytes, p.previous, p.sinceSeconds, p.sinceTime, p.tailLines, p.timestamps] : [],
            responses:
              sub === 'log'
                ? { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } }
                : { '200': response('OK', subRef), '401': { description: 'Unauthorized' } },
          });
          break;
        case 'put':
          subItem['put'] = operation({
            id: `replace${gv}${scope}${k.kind}${subCamel}`,
            description: `replace ${sub} of the specified ${k.kind}`,
            action: 'put',
            gvk: shape.gvk,
            tag,
            params: [p.dryRun, p.fieldManager, p.fieldValidation],
            requestBody: objectBody(subRef),
            responses: { '200': response('OK', subRef), '201': response('Created', subRef), '401': { description: 'Unauthorized' } },
          });
          break;
        case 'patch':
          subItem['patch'] = operation({
            id: `patch${gv}${scope}${k.kind}${subCamel}`,
            description: `partially update ${sub} of the specified ${k.kind}`,
            action: 'patch',
            gvk: shape.gvk,
            tag,
            params: [p.dryRun, p.fieldManager, p.fieldValidation, p.force],
            requestBody: patchBody,
            responses: { '200': response('OK', subRef), '201': response('Created', subRef), '401': { description: 'Unauthorized' } },
          });
          break;
        case 'post':
          subItem['post'] = operation({
            id: `create${gv}${scope}${k.kind}${subCamel}`,
            description: `create ${sub} of a ${k.kind}`,
            action: 'post',
            gvk: shape.gvk,
            tag,
            params: [p.dryRun, p.fieldManager, p.fieldValidation],
            requestBody: objectBody(subRef),
            responses: {
              '200': response('OK', subRef),
              '201': response('Created', subRef),
              '202': response('Accepted', subRef),
              '401': { description: 'Unauthorized' },
            },
          });
          break;
        default: {
          const never: never = method;
          throw new Error(`openapi: unknown method ${String(never)}`);
        }
      }
    }
    subItem['parameters'] = [pathParam('name', `name of the ${shape.gvk.kind}`), ...scopeParams];
    paths.set(`${item}/${sub}`, subItem);
  }
}

// ---------------------------------------------------------------------------------------------
// Documents

/** One encoded document, ready to send. */
export interface OpenAPIDocument {
  readonly contentType: string;
  readonly body: Buffer;
  /** Upper-case hex SHA-512 of the body: the `?hash=` of the index and, quoted, the ETag. */
  readonly hash: string;
  readonly etag: string;
}

function encode(value: JsonValue): OpenAPIDocument {
  return encodeBytes(Buffer.from(JSON.stringify(value)), 'application/json');
}

function encodeBytes(body: Buffer, contentType: string): OpenAPIDocument {
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return Object.freeze({ contentType, body, hash, etag: `"${hash}"` });
}

/** `api/v1`, `apis/apps/v1`: a group-version's key in the index and in its URL. */
export function groupVersionKey(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** Definitions every group-version document carries besides its kinds. */
const commonDefinitions: readonly string[] = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
];

/** The group-version-kinds DeleteOptions is accepted as (kube-openapi lists one per group). */
function deleteOptionsGvks(kinds: readonly KindInfo[]): JsonValue[] {
  const seen = new Set<string>();
  const out: JsonValue[] = [];
  for (const k of kinds) {
    const key = `${k.group}/${k.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group: k.group, version: k.version, kind: 'DeleteOptions' });
  }
  return out;
}

interface V2Documents {
  readonly json: OpenAPIDocument;
  readonly protobuf: OpenAPIDocument;
}

interface Built {
  readonly index: OpenAPIDocument;
  readonly groupVersions: ReadonlyMap<string, OpenAPIDocument>;
  /** Built on first call: only `kubectl apply` of a List and tools built on kubectl ask for it. */
  readonly v2: () => V2Documents;
}

function build(kinds: readonly KindInfo[]): Built {
  const roots = findTypeRoots();
  const library = roots === undefined ? undefined : new SchemaLibrary(roots);

  /** Loads a definition by name; undefined when kubernetes-models has no declaration for it. */
  const loadDefinition = (name: string): string | undefined => {
    if (library === undefined || roots === undefined) return undefined;
    const parts = name.split('.');
    if (name.startsWith('io.k8s.apimachinery.pkg.')) return library.load(join(roots.apimachinery, ...parts.slice(4)));
    if (name.startsWith('io.k8s.api.')) {
      const [group, version, type] = parts.slice(3);
      if (group === undefined || version === undefined || type === undefined) return undefined;
      const dir = group === 'core' ? [] : [['apps', 'batch', 'policy', 'autoscaling'].includes(group) ? group : `${group}.k8s.io`];
      return library.load(join(roots.models, ...dir, ...(group === 'core' ? ['v1'] : [version]), type));
    }
    return undefined;
  };

  // Kinds, their lists, the subresource kinds and the common definitions.
  const gvkOfDefinition = new Map<string, JsonValue[]>();
  const addGvk = (name: string, gvk: JsonValue): void => {
    const list = gvkOfDefinition.get(name);
    if (list === undefined) gvkOfDefinition.set(name, [gvk]);
    else if (!list.some((g) => JSON.stringify(g) === JSON.stringify(gvk))) list.push(gvk);
  };
  const groupVersionOrder: string[] = [];
  const kindsByGv = new Map<string, KindInfo[]>();
  for (const k of kinds) {
    const key = groupVersionKey(k.group, k.version);
    let list = kindsByGv.get(key);
    if (list === undefined) {
      list = [];
      kindsByGv.set(key, list);
      groupVersionOrder.push(key);
    }
    list.push(k);
  }
  const extraGvks: Gvk[] = [
    { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    { group: 'policy', version: 'v1', kind: 'Eviction' },
    { group: '', version: 'v1', kind: 'Binding' },
  ];
  for (const k of kinds) {
    addGvk(kindDefinitionName(k), { group: k.group, version: k.version, kind: k.kind });
    addGvk(kindDefinitionName({ ...k, kind: k.listKind }), { group: k.group, version: k.version, kind: k.listKind });
  }
  for (const g of extraGvks) addGvk(kindDefinitionName(g), { group: g.group, version: g.version, kind: g.kind });
  for (const gvk of deleteOptionsGvks(kinds)) addGvk('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', gvk);
  addGvk('io.k8s.apimachinery.pkg.apis.meta.v1.Status', { group: '', version: 'v1', kind: 'Status' });

  for (const name of [...gvkOfDefinition.keys(), ...commonDefinitions]) loadDefinition(name);

  /** A definition's schema, with its GVK extension; a permissive object when unknown. */
  const schemaOf = (name: string): JsonObject => {
    const loaded = library?.schemas.get(name);
    const base: JsonObject =
      loaded !== undefined && Object.keys(loaded).length > 0
        ? { ...loaded }
        : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const gvks = gvkOfDefinition.get(name);
    if (gvks !== undefined) base['x-kubernetes-group-version-kind'] = gvks;
    return base;
  };

  const groupVersions = new Map<string, OpenAPIDocument>();
  const indexPaths: JsonObject = {};
  for (const key of groupVersionOrder) {
    const gvKinds = kindsByGv.get(key) ?? [];
    const paths = new Map<string, JsonObject>();
    for (const k of gvKinds) kindPaths(k, paths);
    const pathsObject: JsonObject = {};
    for (const [path, item] of paths) pathsObject[path] = item;
    // Schemas: everything the paths and their schemas reach.
    const needed = new Set<string>();
    collectRefs(pathsObject, needed);
    for (const name of commonDefinitions) needed.add(name);
    const schemas: JsonObject = {};
    const queue = [...needed];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (name in schemas) continue;
      const schema = schemaOf(name);
      schemas[name] = schema;
      const refs = new Set<string>();
      collectRefs(schema, refs);
      for (const r of refs) if (!(r in schemas)) queue.push(r);
    }
    const sortedSchemas: JsonObject = {};
    for (const name of Object.keys(schemas).sort()) sortedSchemas[name] = schemas[name] as JsonValue;
    const doc = encode({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: kubernetesVersion.gitVersion },
      paths: pathsObject,
      components: { schemas: sortedSchemas },
    });
    groupVersions.set(key, doc);
    indexPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  }

  // Swagger 2.0: every definition, references rewritten to #/definitions/, without
  // group-version-kinds (see the header comment). One document, two encodings.
  let v2: V2Documents | undefined;
  const buildV2 = (): V2Documents => {
    if (v2 !== undefined) return v2;
    const definitions: JsonObject = {};
    const allNames = new Set<string>([...(library?.schemas.keys() ?? []), ...gvkOfDefinition.keys()]);
    for (const name of [...allNames].sort()) {
      const schema = toSwagger2(schemaOf(name)) as JsonObject;
      delete schema['x-kubernetes-group-version-kind'];
      definitions[name] = schema;
    }
    const doc: JsonValue = {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: kubernetesVersion.gitVersion },
      paths: {},
      definitions,
    };
    v2 = { json: encode(doc), protobuf: encodeBytes(encodeOpenApiV2Protobuf(doc), openapiV2ProtobufContentType) };
    return v2;
  };
  return { index: encode({ paths: indexPaths }), groupVersions, v2: buildV2 };
}

/** An OpenAPI v3 schema as Swagger 2.0 writes it (`#/definitions/` refs, no oneOf/allOf). */
function toSwagger2(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(toSwagger2);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as { readonly [key: string]: JsonValue };
  const allOf = obj['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1) {
    // {description, allOf: [{$ref}]} → {description, $ref} (Swagger 2.0 keeps siblings of $ref).
    const rest: JsonObject = {};
    for (const key of Object.keys(obj)) if (key !== 'allOf') rest[key] = toSwagger2(obj[key] as JsonValue);
    const inner = toSwagger2(allOf[0] as JsonValue);
    return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? { ...rest, ...(inner as JsonObject) } : rest;
  }
  if (Array.isArray(obj['oneOf'])) {
    const rest: JsonObject = {};
    for (const key of Object.keys(obj)) if (key !== 'oneOf') rest[key] = toSwagger2(obj[key] as JsonValue);
    return { ...rest, type: 'string', format: 'quantity' };
  }
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key] as JsonValue;
    out[key] = key === '$ref' && typeof v === 'string' ? v.replace(refPrefixV3, '#/definitions/') : toSwagger2(v);
  }
  return out;
}

/** The OpenAPI documents of a set of kinds, built on first use. */
export class OpenAPIDocuments {
  private built: Built | undefined;

  constructor(private readonly kinds: readonly KindInfo[]) {}

  private get docs(): Built {
    this.built ??= build(this.kinds);
    return this.built;
  }

  /** `GET /openapi/v3`. */
  index(): OpenAPIDocument {
    return this.docs.index;
  }

  /** `GET /openapi/v3/<key>` for a key of the index (`api/v1`, `apis/apps/v1`). */
  groupVersion(key: string): OpenAPIDocument | undefined {
    return this.docs.groupVersions.get(key);
  }

  /** Keys of every group-version document, in index order. */
  groupVersionKeys(): readonly string[] {
    return [...this.docs.groupVersions.keys()];
  }

  /** `GET /openapi/v2` as JSON. */
  v2(): OpenAPIDocument {
    return this.docs.v2().json;
  }

  /** `GET /openapi/v2` as gnostic protobuf (`openapi.v2.Document`), what kubectl asks for. */
  v2Protobuf(): OpenAPIDocument {
    return this.docs.v2().protobuf;
  }

  /**
   * The document for a request path and Accept header, or undefined (404) — the shape the HTTP
   * server's OpenApiProvider takes, so `openapi: new OpenAPIDocuments(kinds)` plugs in. A form
   * the Accept header does not admit gets undefined too (the server answers 404).
   */
  document(path: string, accept: string | undefined): OpenAPIDocument | undefined {
    const r = openapiResponse(this, path, accept);
    return r.kind === 'document' ? r.document : undefined;
  }
}

/** The answer to an OpenAPI GET. */
export type OpenAPIResult =
  | { readonly kind: 'document'; readonly document: OpenAPIDocument }
  /** Only a form we do not serve is acceptable (e.g. protobuf for /openapi/v3): 406. */
  | { readonly kind: 'notAcceptable' }
  /** Under /openapi/ but no such document: 404. */
  | { readonly kind: 'notFound' }
  | { readonly kind: 'notOpenAPI' };

const notAcceptable: OpenAPIResult = Object.freeze({ kind: 'notAcceptable' });
const notFound: OpenAPIResult = Object.freeze({ kind: 'notFound' });
const notOpenAPI: OpenAPIResult = Object.freeze({ kind: 'notOpenAPI' });

/** The forms a document may be served in. */
type OpenAPIForm = 'json' | 'protobuf';

/** Media types of each form, as kube-openapi's handler names them (the `.v1.0` one is older). */
const mediaTypes: readonly (readonly [string, OpenAPIForm])[] = [
  ['application/json', 'json'],
  [openapiV2ProtobufMediaType, 'protobuf'],
  [openapiV2ProtobufContentType, 'protobuf'],
];

/**
 * The form an Accept header prefers among `offered`: the highest q, the earlier range on a tie;
 * `*\/*` and `application/*` mean the first offered form. Absent or empty: the first offered.
 */
export function negotiateForm(accept: string | undefined, offered: readonly OpenAPIForm[]): OpenAPIForm | undefined {
  const first = offered[0];
  if (accept === undefined || accept.trim() === '') return first;
  let best: OpenAPIForm | undefined;
  let bestQ = 0;
  for (const range of accept.split(',')) {
    const parts = range.split(';');
    const type = (parts[0] ?? '').trim().toLowerCase();
    let q = 1;
    for (let i = 1; i < parts.length; i++) {
      const [key, value] = (parts[i] ?? '').split('=');
      if (key?.trim().toLowerCase() === 'q') q = Number(value);
    }
    if (!(q > bestQ)) continue;
    let form: OpenAPIForm | undefined;
    if (type === '*/*' || type === 'application/*') form = first;
    else {
      for (const [mediaType, f] of mediaTypes) if (mediaType === type && offered.includes(f)) form = f;
    }
    if (form === undefined) continue;
    best = form;
    bestQ = q;
  }
  return best;
}

/** Whether an Accept header admits JSON (absent, `*\/*`, `application/*`, `application/json`). */
export function acceptsJson(accept: string | undefined): boolean {
  return negotiateForm(accept, ['json']) === 'json';
}

const v3Forms: readonly OpenAPIForm[] = ['json'];
const v2Forms: readonly OpenAPIForm[] = ['json', 'protobuf'];

/**
 * Picks the OpenAPI document for a request path (no query string) and Accept header. kubectl
 * asks `/openapi/v2` for protobuf only (`apply -f` of a List validates its items with it).
 */
export function openapiResponse(docs: OpenAPIDocuments, path: string, accept: string | undefined): OpenAPIResult {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (p !== '/openapi/v2' && p !== '/openapi/v3' && !p.startsWith('/openapi/v3/')) {
    return p.startsWith('/openapi/') ? notFound : notOpenAPI;
  }
  const form = negotiateForm(accept, p === '/openapi/v2' ? v2Forms : v3Forms);
  if (form === undefined) return notAcceptable;
  if (p === '/openapi/v2') return { kind: 'document', document: form === 'protobuf' ? docs.v2Protobuf() : docs.v2() };
  if (p === '/openapi/v3') return { kind: 'document', document: docs.index() };
  const doc = docs.groupVersion(p.slice('/openapi/v3/'.length));
  return doc === undefined ? notFound : { kind: 'document', document: doc };
}
