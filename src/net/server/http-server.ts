// The HTTP face of the registry: kube-apiserver's REST API on node:http.
//
//   request → limits (in-flight, body size) → route (discovery | openapi | health | resource)
//           → decode body (JSON | YAML | msgpack, per Content-Type) → registry verb
//           → encode (JSON | msgpack | YAML; object | Table | PartialObjectMetadata, per Accept)
//
// LIST and WATCH responses reuse the watch cache's encodings: a list is the cached bytes of each
// item spliced into the list envelope; a watch pipes the shared frames with backpressure. Every
// error is a Kubernetes Status with its HTTP code.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { kinds, type KindInfo } from '../../core/api/kinds.js';
import type { KubeObject } from '../../core/api/types.js';
import { StatusError, badRequest, isStatusError, type Status } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { Entry } from '../../watch/items.js';
import { listMetaOf, type ListResult as CacheListResult } from '../../watch/cache.js';
import { jsonWatchCodec, msgpackWatchCodec, type WatchCodec } from '../wire/watch-frames.js';
import { pipeWatch } from '../wire/pipe.js';
import { servePodLog } from './pod-log.js';
import type {
  DeleteOptions,
  FieldValidation,
  ListOptions,
  PatchOptions,
  PropagationPolicy,
  ResourceType,
  WatchOptions,
  WriteOptions,
  WriteResult,
} from '../api.js';
import { buildDiscovery, discoveryResponse, type DiscoveryDocuments } from './discovery.js';
import {
  bodyTypeOf,
  msgpackMediaType,
  msgpackWatchMediaType,
  negotiateResponse,
  objectNegotiation,
  patchContentTypes,
  type BodyFormat,
  type ResponseNegotiation,
  type WireFormat,
} from './negotiate.js';
import { decodeKubernetesProtobuf } from '../wire/protobuf/index.js';
import { tableForList, tableForObject, type IncludeObject } from './printers/index.js';
import { routeResourcePath, type ResourceTarget } from './routes.js';
import type { Registry } from './registry/registry.js';

export interface ApiServerOptions {
  readonly registry: Registry;
  /** Serves /openapi/v2 and /openapi/v3 documents (path → document), if given. */
  readonly openapi?: OpenApiProvider;
  /** Called with unexpected errors (bugs): logged by the caller. */
  readonly onInternalError?: (error: unknown, req: IncomingMessage) => void;
  /** Default watch timeout when the client gives none (kube-apiserver: 30–60 minutes). */
  readonly watchTimeoutSecondsDefault?: number;
  /** Read-only requests served at once (default limits.inflightRequestsMax); 429 beyond. */
  readonly inflightRequestsMax?: number;
  /** Mutating requests served at once (default limits.inflightMutatingRequestsMax); 429 beyond. */
  readonly inflightMutatingRequestsMax?: number;
}

export interface OpenApiDocument {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag?: string;
}

export interface OpenApiProvider {
  /** The document at this path (`/openapi/v3`, `/openapi/v3/apis/apps/v1`, `/openapi/v2`), if any. */
  document(path: string, accept: string | undefined): OpenApiDocument | undefined;
}

// Plain msgpack maps out: each body stands alone, and a ~1 KiB Pod packs in about half the time
// of inline record definitions (which only pay off with structures shared by both ends). In:
// plain maps, or records with inline definitions (older clients), both decoded as plain objects.
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

/** kube-apiserver's 404 for an unknown path. */
function pathNotFound(): StatusError {
  return new StatusError('NotFound', 'the server could not find the requested resource', {});
}

function methodNotAllowed(): StatusError {
  return new StatusError('MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export class ApiServer {
  readonly server: Server;
  private readonly registry: Registry;
  private readonly discovery: DiscoveryDocuments;
  private readonly openapi: OpenApiProvider | undefined;
  private readonly onInternalError: (error: unknown, req: IncomingMessage) => void;
  private readonly watchTimeoutSecondsDefault: number;
  private readonly inflightReadsMax: number;
  private readonly inflightWritesMax: number;
  private inflightReads = 0;
  private inflightWrites = 0;
  private readonly watchers = new Set<{ close(): void }>();
  private closing = false;

  constructor(options: ApiServerOptions) {
    this.registry = options.registry;
    this.openapi = options.openapi;
    this.discovery = buildDiscovery(kinds);
    this.onInternalError = options.onInternalError ?? ((e) => console.error('internal error:', e));
    this.watchTimeoutSecondsDefault = options.watchTimeoutSecondsDefault ?? 1800;
    this.inflightReadsMax = options.inflightRequestsMax ?? limits.inflightRequestsMax;
    this.inflightWritesMax = options.inflightMutatingRequestsMax ?? limits.inflightMutatingRequestsMax;
    this.server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => this.fail(req, res, e));
    });
  }

  /** Listens; resolves to the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, ends watches, waits for requests in flight. */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.watchers) w.close();
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitTarget(req.url ?? '/');
    const method = req.method ?? 'GET';

    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      res.writeHead(this.closing ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(this.closing ? 'shutting down' : 'ok');
      return;
    }
    if (path.startsWith('/openapi/')) {
      const doc = this.openapi?.document(path, req.headers.accept);
      if (doc === undefined) throw pathNotFound();
      if (doc.etag !== undefined && req.headers['if-none-match'] === doc.etag) {
        res.writeHead(304, { ETag: doc.etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': doc.contentType, ...(doc.etag === undefined ? {} : { ETag: doc.etag }) });
      res.end(doc.body);
      return;
    }

    const route = routeResourcePath(path);
    if (route.type !== 'resource') {
      if (method !== 'GET') throw pathNotFound();
      const found = discoveryResponse(this.discovery, path, req.headers.accept);
      if (found.kind === 'document') {
        const etag = found.document.etag;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { ETag: etag });
          res.end();
          return;
        }
        res.writeHead(200, { 'Content-Type': found.document.contentType, ETag: etag });
        res.end(found.document.body);
        return;
      }
      if (found.kind === 'notAcceptable') throw new StatusError('NotAcceptable', 'only the following media types are accepted: application/json', {});
      throw pathNotFound();
    }

    const target = route.target;
    const isWatch = target.legacyWatch || (method === 'GET' && target.name === '' && isTrue(query.get('watch')));
    if (isWatch) {
      await this.serveWatch(req, res, target, query);
      return;
    }
    if (target.subresource === 'log') {
      // Long-running like a watch (kube-apiserver's LongRunningFunc: pods/log among them): a
      // followed log may stay open for hours, so it holds no in-flight slot. Proxied to the
      // node's kubelet (pod-log.ts), not answered from the registry.
      if (method !== 'GET') throw methodNotAllowed();
      await servePodLog({ registry: this.registry, namespace: target.namespace, name: target.name, query, req, res });
      return;
    }
    const mutating = method !== 'GET' && method !== 'HEAD';
    if (mutating ? this.inflightWrites >= this.inflightWritesMax : this.inflightReads >= this.inflightReadsMax) {
      res.setHeader('Retry-After', '1');
      throw new StatusError('TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    }
    if (mutating) this.inflightWrites++;
    else this.inflightReads++;
    try {
      await this.serveResource(req, res, method, target, query);
    } finally {
      if (mutating) this.inflightWrites--;
      else this.inflightReads--;
    }
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    target: ResourceTarget,
    query: URLSearchParams,
  ): Promise<void> {
    const { kind, namespace, name, subresource } = target;
    const r: ResourceType = { group: kind.group, version: kind.version, plural: kind.plural };
    const tableAllowed = subresource === '' || subresource === 'status';
    const negotiated = negotiateResponse(req.headers.accept, tableAllowed);
    if (negotiated === undefined) {
      throw new StatusError('NotAcceptable', `only the following media types are accepted: application/json, application/yaml, ${msgpackMediaType}`);
    }

    switch (method) {
      case 'GET': {
        if (name === '') {
          if (subresource !== '') throw pathNotFound();
          const result = await this.registry.listEntries(kind, namespace, listOptionsOf(query));
          this.writeList(res, kind, negotiated, result, query);
          return;
        }
        const obj = await this.registry.get(r, namespace, name, {}, subresource);
        this.writeObject(res, 200, kind, negotiated, obj, query);
        return;
      }
      case 'POST': {
        if (name !== '' && subresource === '') throw methodNotAllowed();
        const body = (await this.readObjectBody(req, kind)) as KubeObject;
        const options = writeOptionsOf(query, req.headers['user-agent']);
        const flags = { ownedBody: bodyIsTree(req), msgpackResponse: negotiated.format === 'msgpack' && negotiated.shape === 'object' };
        const result = await this.registry.create(r, namespace, body, options, subresource === '' ? undefined : { name, subresource }, flags);
        this.writeWriteResult(res, result.created ? 201 : 200, kind, negotiated, result, query);
        return;
      }
      case 'PUT': {
        if (name === '') throw methodNotAllowed();
        const body = (await this.readObjectBody(req, kind)) as KubeObject;
        const result = await this.registry.update(r, namespace, name, body, writeOptionsOf(query, req.headers['user-agent']), subresource);
        this.writeWriteResult(res, result.created ? 201 : 200, kind, negotiated, result, query);
        return;
      }
      case 'PATCH': {
        if (name === '') throw methodNotAllowed();
        const bodyType = bodyTypeOf(req.headers['content-type']);
        if (bodyType === undefined || bodyType.type !== 'patch') {
          throw new StatusError(
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: ${patchContentTypes.join(', ')}`,
          );
        }
        const raw = await readBody(req);
        const patch = decodeBody(raw, bodyType.format, kind);
        // Apply needs an explicit manager; other writes fall back to the User-Agent.
        const options =
          bodyType.patchType === 'apply' ? patchOptionsOf(query) : patchOptionsOf(query, req.headers['user-agent']);
        const result = await this.registry.patch(r, namespace, name, bodyType.patchType, patch, options, subresource);
        this.writeWriteResult(res, result.created ? 201 : 200, kind, negotiated, result, query);
        return;
      }
      case 'DELETE': {
        const raw = await readBody(req);
        const bodyOptions = raw.length === 0 ? {} : (decodeBody(raw, bodyTypeOf(req.headers['content-type'])?.format ?? 'json', kind) as Record<string, unknown>);
        const options = deleteOptionsOf(query, bodyOptions);
        if (name === '') {
          const list = await this.registry.deleteCollection(r, namespace, listOptionsOf(query), options);
          this.writeBody(res, 200, negotiated, list);
          return;
        }
        const result = await this.registry.delete(r, namespace, name, options);
        if (result.object.kind === 'Status') this.writeBody(res, 200, negotiated.shape === 'object' ? negotiated : objectNegotiation(negotiated.format), result.object);
        else this.writeObject(res, 200, kind, negotiated, result.object as KubeObject, query);
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  private async serveWatch(req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): Promise<void> {
    const { kind, namespace, name } = target;
    if (target.subresource !== '') throw pathNotFound();
    const negotiated = negotiateResponse(req.headers.accept, true, true);
    if (negotiated === undefined) {
      throw new StatusError('NotAcceptable', `only the following media types are accepted: application/json, ${msgpackWatchMediaType}, ${msgpackMediaType}`);
    }
    const options = watchOptionsOf(query, this.watchTimeoutSecondsDefault);
    // The legacy watch path may name one object: a field selector on its name.
    const fieldSelector = name === '' ? options.fieldSelector : [options.fieldSelector, `metadata.name=${name}`].filter((s) => s !== undefined && s !== '').join(',');
    const watcher = this.registry.watchEntries(kind, namespace, { ...options, ...(fieldSelector === undefined ? {} : { fieldSelector }) });
    this.watchers.add(watcher);
    try {
      if (negotiated.shape === 'object') {
        const codec: WatchCodec = negotiated.format === 'msgpack' ? msgpackWatchCodec : jsonWatchCodec;
        res.writeHead(200, { 'Content-Type': codec.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
        // Headers go out at once (kubectl waits for them before it starts its own timeout): with
        // the first frames when some are ready now (one write), else alone.
        await pipeWatch(watcher, codec, res, { onNothingReady: () => res.flushHeaders() });
        return;
      }
      // Table (kubectl get -w) or metadata-only watches: encode per event for this watcher.
      res.writeHead(200, { 'Content-Type': negotiated.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      res.once('close', () => watcher.close());
      let first = true;
      const includeObject = includeObjectOf(query);
      for await (const item of watcher) {
        let object: unknown = item.object;
        if ((item.type === 'ADDED' || item.type === 'MODIFIED' || item.type === 'DELETED') && negotiated.shape === 'table') {
          object = tableForObject(kind, item.object as KubeObject, { now: Date.now(), includeObject, noHeaders: !first });
          first = false;
        } else if (item.type !== 'ERROR' && negotiated.shape === 'partial-metadata') {
          object = partialMetadata(item.object as KubeObject, negotiated.metaVersion);
        }
        const ok = res.write(JSON.stringify({ type: item.type, object }) + '\n');
        if (!ok) await Promise.race([new Promise<void>((resolve) => res.once('drain', () => resolve())), closed]);
        if (res.destroyed) break;
      }
      res.end();
    } finally {
      this.watchers.delete(watcher);
      watcher.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bodies

  private async readObjectBody(req: IncomingMessage, kind: KindInfo): Promise<unknown> {
    const bodyType = bodyTypeOf(req.headers['content-type']);
    if (bodyType === undefined || bodyType.type !== 'object') {
      throw new StatusError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, ${msgpackMediaType}`,
      );
    }
    const raw = await readBody(req);
    if (raw.length === 0) throw badRequest('the body of the request is empty');
    return decodeBody(raw, bodyType.format, kind);
  }

  // ---------------------------------------------------------------------------------------------
  // Responses

  private writeList(
    res: ServerResponse,
    kind: KindInfo,
    n: ResponseNegotiation,
    result: CacheListResult,
    query: URLSearchParams,
  ): void {
    const entries = result.entries;
    const listMeta = listMetaOf(result);
    if (n.shape === 'table') {
      const objects = entries.map((e) => e.object);
      this.writeBody(res, 200, n, tableForList(kind, objects, { now: Date.now(), includeObject: includeObjectOf(query), listMeta }));
      return;
    }
    if (n.shape === 'partial-metadata') {
      this.writeBody(res, 200, n, {
        apiVersion: `meta.k8s.io/${n.metaVersion}`,
        kind: 'PartialObjectMetadataList',
        metadata: listMeta,
        items: entries.map((e) => partialMetadata(e.object, n.metaVersion)),
      });
      return;
    }
    if (n.format === 'json') {
      // Splice each item's cached JSON into the envelope: no re-encoding of objects.
      const head = Buffer.from(
        `{"kind":${JSON.stringify(kind.listKind)},"apiVersion":${JSON.stringify(kind.apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`,
      );
      const parts: Buffer[] = new Array<Buffer>(entries.length * 2 + 2);
      let p = 0;
      parts[p++] = head;
      for (let i = 0; i < entries.length; i++) {
        if (i > 0) parts[p++] = comma;
        parts[p++] = (entries[i] as Entry).bytes(jsonWatchCodec);
      }
      parts[p++] = listTail;
      const body = Buffer.concat(parts.slice(0, p));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    if (n.format === 'msgpack') {
      // The same splice in msgpack: a 4-entry map whose items array holds each item's cached
      // encoding (self-contained plain maps), so a list costs a copy per item, not an encode.
      const head = Buffer.concat([
        msgpackListHead,
        packr.pack(kind.listKind),
        msgpackApiVersionKey,
        packr.pack(kind.apiVersion),
        msgpackMetadataKey,
        packr.pack(listMeta),
        msgpackItemsKey,
        msgpackArrayHeader(entries.length),
      ]);
      const parts: Buffer[] = new Array<Buffer>(entries.length + 1);
      parts[0] = head;
      for (let i = 0; i < entries.length; i++) parts[i + 1] = (entries[i] as Entry).bytes(msgpackWatchCodec);
      const body = Buffer.concat(parts);
      res.writeHead(200, { 'Content-Type': n.contentType, 'Content-Length': body.length });
      res.end(body);
      return;
    }
    const list = { kind: kind.listKind, apiVersion: kind.apiVersion, metadata: listMeta, items: entries.map((e) => e.object) };
    this.writeBody(res, 200, n, list);
  }

  private writeObject(res: ServerResponse, code: number, kind: KindInfo, n: ResponseNegotiation, obj: KubeObject, query: URLSearchParams): void {
    if (n.shape === 'table' && obj.kind === kind.kind) {
      this.writeBody(res, code, n, tableForObject(kind, obj, { now: Date.now(), includeObject: includeObjectOf(query) }));
      return;
    }
    if (n.shape === 'partial-metadata') {
      this.writeBody(res, code, n, partialMetadata(obj, n.metaVersion));
      return;
    }
    if (n.shape === 'object' && n.format !== 'yaml') {
      // An object the watch cache holds (every read, and writes it has applied): its encoding is
      // made once and shared with list responses and watch frames.
      const entry = this.registry.entryAt(kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '', Number(obj.metadata.resourceVersion));
      if (entry !== undefined && entry.object === obj) {
        const body = entry.bytes(n.format === 'json' ? jsonWatchCodec : msgpackWatchCodec);
        res.writeHead(code, { 'Content-Type': n.contentType, 'Content-Length': body.length });
        res.end(body);
        return;
      }
    }
    this.writeBody(res, code, n.shape === 'object' ? n : objectNegotiation(n.format), obj);
  }

  private writeWriteResult(res: ServerResponse, code: number, kind: KindInfo, n: ResponseNegotiation, result: WriteResult, query: URLSearchParams): void {
    if (result.warnings.length > 0) {
      res.setHeader('Warning', result.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    }
    const obj = result.object as KubeObject | Status;
    if (obj.kind === 'Status') {
      this.writeBody(res, (obj as Status).code, objectNegotiation(n.format), obj);
      return;
    }
    this.writeObject(res, code, kind, n, obj as KubeObject, query);
  }

  private writeBody(res: ServerResponse, code: number, n: ResponseNegotiation, value: unknown): void {
    let body: Buffer;
    switch (n.format) {
      case 'json':
        body = Buffer.from(JSON.stringify(value));
        break;
      case 'msgpack':
        body = packr.pack(value);
        break;
      case 'yaml':
        body = Buffer.from(stringifyYaml(value));
        break;
      default: {
        const never: never = n.format;
        throw new Error(`unknown format ${String(never)}`);
      }
    }
    res.writeHead(code, { 'Content-Type': n.contentType, 'Content-Length': body.length });
    res.end(body);
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    let status: Status;
    if (isStatusError(e)) {
      status = e.status;
    } else {
      this.onInternalError(e, req);
      status = new StatusError('InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`).status;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const format: WireFormat = (req.headers.accept ?? '').includes(msgpackMediaType) ? 'msgpack' : 'json';
    const body = format === 'msgpack' ? packr.pack(status) : Buffer.from(JSON.stringify(status));
    res.writeHead(status.code, {
      'Content-Type': format === 'msgpack' ? msgpackMediaType : 'application/json',
      'Content-Length': body.length,
    });
    res.end(body);
  }
}

/** A request target's path as it would be after WHATWG parsing, for targets that need none. */
const plainPath = /^\/(?!\/)[A-Za-z0-9\-._~:@!$&'()*+,;=%/]*$/;
/** A query the URL parser would not cut (`#`) or trim (spaces, controls), not starting with `?`. */
const plainQuery = /^(?!\?)[\x21\x22\x24-\x7e]*$/;

/**
 * The path and query of a request target. Clients send plain origin-form targets
 * (`/api/v1/namespaces/x/pods?watch=true`): their path is taken as it is, skipping the URL
 * parser's cost on every request; anything else (dot segments, `//`, characters it would escape)
 * goes through `new URL`, as before.
 */
export function splitTarget(target: string): { readonly path: string; readonly query: URLSearchParams } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (plainPath.test(path) && !path.includes('/.') && (q < 0 || plainQuery.test(target.slice(q + 1)))) {
    return { path, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
  }
  const url = new URL(target, 'http://local');
  return { path: url.pathname, query: url.searchParams };
}

// msgpack list envelope: fixmap(4), then "kind" (fixstr) whose value follows; the other keys.
const msgpackListHead = Buffer.concat([Buffer.from([0x84]), packr.pack('kind')]);
const msgpackApiVersionKey = packr.pack('apiVersion');
const msgpackMetadataKey = packr.pack('metadata');
const msgpackItemsKey = packr.pack('items');

/** array32 header: any count, one shape. */
function msgpackArrayHeader(count: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xdd;
  b.writeUInt32BE(count, 1);
  return b;
}

const comma = Buffer.from(',');
const listTail = Buffer.from(']}');

function partialMetadata(obj: KubeObject, metaVersion: string): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

/** Reads a request body, refusing more than the limit with 413 as kube-apiserver does. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const max = limits.requestBodyBytesMax;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > max) {
    req.resume();
    return Promise.reject(new StatusError('RequestEntityTooLarge', `Request entity too large: limit is ${max}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new StatusError('RequestEntityTooLarge', `Request entity too large: limit is ${max}`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      inCheckPhase(() => resolve(body));
    });
    req.on('error', reject);
  });
}

// A request body is handed on in the event loop's check phase, not in the poll phase that read it.
// Under load one poll phase reads dozens of requests and also runs the store's commit completions
// (lmdb-js reports them through libuv). With each request's work after its body (decode, defaults,
// validation, the store's accept: ~100 µs for a Pod) done right where it was read, a finished
// commit's acknowledgements and the next commit's start waited behind all of that work; deferred,
// the poll phase only reads, the commit pipeline moves on (the store starts the next commit as
// soon as one ends), and the requests' work runs back to back after it. One setImmediate per turn.
const bodiesRead: (() => void)[] = [];

function inCheckPhase(handOn: () => void): void {
  if (bodiesRead.push(handOn) === 1) setImmediate(handBodiesOn);
}

function handBodiesOn(): void {
  const ready = bodiesRead.splice(0);
  for (let i = 0; i < ready.length; i++) (ready[i] as () => void)();
}

/**
 * Whether a decoded body of this request is a tree (no value reachable twice), so the registry
 * may fill it in place: JSON, msgpack and protobuf decode to fresh trees; YAML aliases decode to
 * shared objects.
 */
function bodyIsTree(req: IncomingMessage): boolean {
  return bodyTypeOf(req.headers['content-type'])?.format !== 'yaml';
}

function decodeBody(raw: Buffer, format: BodyFormat, kind: KindInfo): unknown {
  try {
    switch (format) {
      case 'protobuf':
        return decodeKubernetesProtobuf(raw, { apiVersion: kind.apiVersion, kind: kind.kind }).object;
      case 'json':
        return JSON.parse(raw.toString('utf8'));
      case 'yaml':
        return parseYaml(raw.toString('utf8'));
      case 'msgpack':
        return unpackr.unpack(raw);
      default: {
        const never: never = format;
        throw new Error(`unknown format ${String(never)}`);
      }
    }
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const what = format;
    throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: invalid ${what}: ${detail}`);
  }
}

// ---- query parameters ----

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw badRequest(`invalid value for ${name}: "${v}" is not an integer`);
  return Number(v);
}

function listOptionsOf(query: URLSearchParams): ListOptions {
  const o: {
    labelSelector?: string;
    fieldSelector?: string;
    limit?: number;
    continue?: string;
    resourceVersion?: string;
    resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  } = {};
  const ls = query.get('labelSelector');
  if (ls !== null) o.labelSelector = ls;
  const fs = query.get('fieldSelector');
  if (fs !== null) o.fieldSelector = fs;
  const limit = intParam(query, 'limit');
  if (limit !== undefined) o.limit = limit;
  const cont = query.get('continue');
  if (cont !== null && cont !== '') o.continue = cont;
  const rv = query.get('resourceVersion');
  if (rv !== null) o.resourceVersion = rv;
  const rvm = query.get('resourceVersionMatch');
  if (rvm !== null && rvm !== '') {
    if (rvm !== 'Exact' && rvm !== 'NotOlderThan') {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan"`);
    }
    o.resourceVersionMatch = rvm;
  }
  return o;
}

function watchOptionsOf(query: URLSearchParams, timeoutSecondsDefault: number): WatchOptions {
  const o: {
    labelSelector?: string;
    fieldSelector?: string;
    resourceVersion?: string;
    allowWatchBookmarks?: boolean;
    timeoutSeconds?: number;
    sendInitialEvents?: boolean;
  } = {};
  const ls = query.get('labelSelector');
  if (ls !== null) o.labelSelector = ls;
  const fs = query.get('fieldSelector');
  if (fs !== null) o.fieldSelector = fs;
  const rv = query.get('resourceVersion');
  if (rv !== null) o.resourceVersion = rv;
  if (isTrue(query.get('allowWatchBookmarks'))) o.allowWatchBookmarks = true;
  const t = intParam(query, 'timeoutSeconds');
  // As kube-apiserver: no timeout given → a random one in [default, 2×default), so that
  // reconnects spread out.
  o.timeoutSeconds = t !== undefined && t > 0 ? t : Math.floor(timeoutSecondsDefault * (1 + Math.random()));
  const sie = query.get('sendInitialEvents');
  if (sie !== null && sie !== '') o.sendInitialEvents = isTrue(sie);
  return o;
}

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function dryRunOf(query: URLSearchParams): boolean {
  const all = query.getAll('dryRun');
  for (const v of all) {
    if (v === 'All') return true;
    if (v !== '') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return false;
}

/**
 * The field manager of a write that names none: the User-Agent up to its first `/`, printable
 * characters only, at most 128 (kube-apiserver's prefixFromUserAgent): `kubectl/v1.32.4 (…)` →
 * `kubectl`.
 */
export function managerFromUserAgent(userAgent: string | undefined): string | undefined {
  if (userAgent === undefined) return undefined;
  const prefix = (userAgent.split('/')[0] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 128);
  return prefix === '' ? undefined : prefix;
}

function writeOptionsOf(query: URLSearchParams, userAgent?: string): WriteOptions {
  const o: { dryRun?: boolean; fieldManager?: string; fieldValidation?: FieldValidation } = {
    fieldValidation: fieldValidationOf(query),
  };
  if (dryRunOf(query)) o.dryRun = true;
  const fm = query.get('fieldManager');
  if (fm !== null && fm !== '') {
    if (fm.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    o.fieldManager = fm;
  } else {
    const derived = managerFromUserAgent(userAgent);
    if (derived !== undefined) o.fieldManager = derived;
  }
  return o;
}

function patchOptionsOf(query: URLSearchParams, userAgent?: string): PatchOptions {
  const base = writeOptionsOf(query, userAgent);
  const force = query.get('force');
  return force === null ? base : { ...base, force: isTrue(force) };
}

function deleteOptionsOf(query: URLSearchParams, body: Record<string, unknown>): DeleteOptions {
  const o: {
    dryRun?: boolean;
    gracePeriodSeconds?: number;
    propagationPolicy?: PropagationPolicy;
    preconditions?: { uid?: string; resourceVersion?: string };
  } = {};
  if (dryRunOf(query) || (Array.isArray(body['dryRun']) && (body['dryRun'] as unknown[]).includes('All'))) o.dryRun = true;
  const grace = intParam(query, 'gracePeriodSeconds') ?? (typeof body['gracePeriodSeconds'] === 'number' ? body['gracePeriodSeconds'] : undefined);
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const policy = query.get('propagationPolicy') ?? (typeof body['propagationPolicy'] === 'string' ? body['propagationPolicy'] : null);
  if (policy !== null && policy !== '') {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Background", "Foreground", "Orphan"`);
    }
    o.propagationPolicy = policy;
  } else if (query.get('orphanDependents') === 'true' || body['orphanDependents'] === true) {
    o.propagationPolicy = 'Orphan';
  }
  const pre = body['preconditions'];
  if (typeof pre === 'object' && pre !== null) {
    const p = pre as Record<string, unknown>;
    const preconditions: { uid?: string; resourceVersion?: string } = {};
    if (typeof p['uid'] === 'string') preconditions.uid = p['uid'];
    if (typeof p['resourceVersion'] === 'string') preconditions.resourceVersion = p['resourceVersion'];
    o.preconditions = preconditions;
  }
  return o;
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  if (v === 'Object' || v === 'None' || v === 'Metadata') return v;
  return 'Metadata';
}
