// The cluster API over HTTP: kube-apiserver's REST paths on an undici keep-alive pool, bodies in
// msgpack (our wire, the default) or JSON.
//
//   const api = new HttpClient({ url: 'http://127.0.0.1:6443', connections: 64 });
//   const { object } = await api.create(pods, 'default', pod);
//   for await (const ev of await api.watch(pods, 'default', { resourceVersion })) …
//   await api.close();
//
// Requests go through `Pool.dispatch` with a handler object that collects the body (no stream per
// request). Watches do not use the pool: each holds a connection of its own for as long as it
// runs (it must not starve requests) and reads it directly (watch-socket.ts). Error responses
// become StatusErrors with the server's reason, code, message and details (status.ts).

import { isIP } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { Packr, Unpackr } from 'msgpackr';
import type { KubeList, KubeObject } from '../../core/api/types.js';
import type { Status, StatusError } from '../../core/errors.js';
import { msgpackMediaType } from '../server/negotiate.js';
import { JsonWatchDecoder, msgpackWatchCodec, type DecodedWatchEvent } from '../wire/watch-frames.js';
import type {
  ClusterApi,
  DeleteOptions,
  DeleteResult,
  GetOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  ResourceType,
  WatchOptions,
  WatchStream,
  WriteOptions,
  WriteResult,
} from '../api.js';
import { deleteOptionsBody, listQuery, patchContentTypeOf, patchQuery, resourcePath, watchQuery, writeQuery } from './paths.js';
import { isStatus, parseWarnings, statusErrorOf } from './status.js';
import { FrameSplitter, SharedFrameDecoder, plainFrameDecoder, type FrameDecoder } from './watch-decode.js';
import { SocketWatch, type TlsConnectOptions, type WatchBodyDecoder } from './watch-socket.js';

export type WireEncoding = 'msgpack' | 'json';

export interface HttpClientOptions {
  /** The server: `http://127.0.0.1:6443`. */
  readonly url: string;
  /** Keep-alive connections for requests (watches have their own). Default 64. */
  readonly connections?: number;
  /** Encoding of request and response bodies and watch frames. Default msgpack. */
  readonly encoding?: WireEncoding;
  /** A request fails when headers, or the gap between body chunks, take longer. Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Watch events decoded ahead of the reader before the socket is paused. Default 4096. */
  readonly watchBufferEventsMax?: number;
  /**
   * msgpack watch frames with identical bytes (the same event on several streams of this client)
   * are decoded once and shared, deeply frozen; this many distinct frames are remembered,
   * in a ring. 0: every frame decoded for its stream alone (objects not frozen). Default 4096.
   */
  readonly watchDecodeCacheEntries?: number;
  /** Extra headers on every request (Authorization, User-Agent). */
  readonly headers?: Readonly<Record<string, string>>;
  /** For an https:// url: whom to trust and who we are. Requests and watches use the same. */
  readonly tls?: HttpClientTlsOptions;
}

/**
 * TLS settings for an https:// server, as a kubeconfig's cluster and user give them
 * (certificate-authority-data, client-certificate-data, client-key-data, tls-server-name,
 * insecure-skip-tls-verify). PEM text or bytes.
 */
export interface HttpClientTlsOptions {
  /** CA certificates the server's certificate must chain to; default Node's public roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate (chain) and its key, for x509 client authentication. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Name sent as SNI and checked against the server's certificate; default the url's host. */
  readonly servername?: string;
  /** false: the server's certificate is not verified (insecure-skip-tls-verify). Default true. */
  readonly rejectUnauthorized?: boolean;
}

const jsonMediaType = 'application/json';
const jsonWatchMediaType = 'application/json';
// The server negotiates a watch on the object media type and answers with the framed stream type
// (as kube-apiserver does for protobuf); naming the stream type first costs nothing.
const msgpackWatchAccept = `${msgpackWatchCodec.contentType}, ${msgpackMediaType}`;

// Plain msgpack maps, as the server sends (see http-server.ts); responses in records decode too.
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

/** A response as the unary handler collected it. */
interface RawResponse {
  readonly statusCode: number;
  readonly contentType: string;
  readonly warning: string | string[] | undefined;
  readonly body: Buffer;
}

/**
 * Collects one response. One object per request (its fields are the state, no closures), handed to
 * `Pool.dispatch`.
 */
class UnaryHandler implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private contentType = '';
  private warning: string | string[] | undefined = undefined;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly resolve: (r: RawResponse) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  // Its presence tells undici this is a new-style handler (onRequestStart … onResponseEnd).
  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.statusCode = statusCode;
    const ct = headers['content-type'];
    this.contentType = typeof ct === 'string' ? ct : '';
    this.warning = headers['warning'];
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.bytes);
    this.resolve({ statusCode: this.statusCode, contentType: this.contentType, warning: this.warning, body });
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.reject(error);
  }
}

function decodeBody(contentType: string, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (contentType.startsWith(msgpackMediaType)) return unpackr.unpack(body);
  return JSON.parse(body.toString('utf8'));
}

/** Decodes an error response into its StatusError (never throws while doing so). */
function errorOf(r: RawResponse): StatusError {
  let decoded: unknown;
  try {
    decoded = decodeBody(r.contentType, r.body);
  } catch {
    decoded = undefined;
  }
  return statusErrorOf(r.statusCode, decoded, r.contentType.startsWith(msgpackMediaType) ? '' : r.body.toString('utf8'));
}

export class HttpClient implements ClusterApi {
  private readonly pool: Pool;
  private readonly url: URL;
  private readonly msgpack: boolean;
  private readonly accept: string;
  private readonly bodyContentType: string;
  private readonly requestTimeoutMs: number;
  private readonly watchBufferEventsMax: number;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private readonly watches = new Set<SocketWatch>();
  private readonly forgetWatch = (w: SocketWatch): void => {
    this.watches.delete(w);
  };
  private readonly frameDecoder: FrameDecoder;
  /** node:tls settings for an https:// url (undefined for http://), frozen. */
  private readonly tls: TlsConnectOptions | undefined;
  private closed = false;

  constructor(options: HttpClientOptions) {
    const origin = new URL(options.url).origin;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.url = new URL(origin);
    // One set of TLS settings for the pool's connections and the watch sockets alike.
    this.tls = this.url.protocol === 'https:' ? tlsConnectOptions(this.url, options.tls) : undefined;
    const poolOptions: Pool.Options = {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
    };
    this.pool = new Pool(origin, this.tls === undefined ? poolOptions : { ...poolOptions, connect: { ...this.tls } });
    this.msgpack = (options.encoding ?? 'msgpack') === 'msgpack';
    this.accept = this.msgpack ? msgpackMediaType : jsonMediaType;
    this.bodyContentType = this.msgpack ? msgpackMediaType : jsonMediaType;
    this.watchBufferEventsMax = options.watchBufferEventsMax ?? 4096;
    this.extraHeaders = options.headers ?? {};
    const cacheEntries = options.watchDecodeCacheEntries ?? 4096;
    this.frameDecoder = cacheEntries > 0 ? new SharedFrameDecoder(cacheEntries) : plainFrameDecoder;
  }

  /** Ends every watch and closes the connections (requests in flight complete first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.close();
    this.watches.clear();
    await this.pool.close();
  }

  // ---- transport ----

  private encode(value: unknown): Buffer {
    return this.msgpack ? packr.pack(value) : Buffer.from(JSON.stringify(value));
  }

  private send(method: Dispatcher.HttpMethod, path: string, body: Buffer | string | undefined, contentType: string | undefined): Promise<RawResponse> {
    const headers: Record<string, string> = { ...this.extraHeaders, accept: this.accept };
    if (contentType !== undefined) headers['content-type'] = contentType;
    return new Promise<RawResponse>((resolve, reject) => {
      const handler = new UnaryHandler(resolve, reject);
      this.pool.dispatch({ path, method, headers, body: body ?? null }, handler);
    });
  }

  /** Sends and decodes; error responses are thrown as StatusErrors. */
  private async call(method: Dispatcher.HttpMethod, path: string, body?: Buffer | string, contentType?: string): Promise<{ value: unknown; raw: RawResponse }> {
    const raw = await this.send(method, path, body, contentType);
    if (raw.statusCode < 200 || raw.statusCode >= 300) throw errorOf(raw);
    const value = decodeBody(raw.contentType, raw.body);
    // A failure Status with a 2xx code (not sent by kube-apiserver, but cheap to honour).
    if (isStatus(value) && value.status === 'Failure') throw statusErrorOf(raw.statusCode, value, '');
    return { value, raw };
  }

  private writeResult<T extends KubeObject>(value: unknown, raw: RawResponse): WriteResult<T> {
    return { object: value as T, created: raw.statusCode === 201, warnings: parseWarnings(raw.warning) };
  }

  // ---- ClusterApi ----

  async get<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: GetOptions, subresource?: string): Promise<T> {
    let path = resourcePath(r, namespace, name, subresource);
    if (options?.resourceVersion !== undefined) path += `?resourceVersion=${encodeURIComponent(options.resourceVersion)}`;
    return (await this.call('GET', path)).value as T;
  }

  async list<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, options?: ListOptions): Promise<KubeList<T>> {
    return (await this.call('GET', resourcePath(r, namespace) + listQuery(options))).value as KubeList<T>;
  }

  async create<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: { readonly name: string; readonly subresource: string },
  ): Promise<WriteResult<T>> {
    const path = resourcePath(r, namespace, subresource?.name ?? '', subresource?.subresource ?? '') + writeQuery(options);
    const { value, raw } = await this.call('POST', path, this.encode(object), this.bodyContentType);
    return this.writeResult<T>(value, raw);
  }

  async update<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    const path = resourcePath(r, namespace, name, subresource) + writeQuery(options);
    const { value, raw } = await this.call('PUT', path, this.encode(object), this.bodyContentType);
    return this.writeResult<T>(value, raw);
  }

  async patch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    const path = resourcePath(r, namespace, name, subresource) + patchQuery(options);
    // Patch bodies are JSON on every wire (their media types say so); an apply patch may be YAML
    // text, and JSON is YAML.
    const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
    const { value, raw } = await this.call('PATCH', path, body, patchContentTypeOf[patchType]);
    return this.writeResult<T>(value, raw);
  }

  async delete<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: DeleteOptions): Promise<DeleteResult<T>> {
    const body = deleteOptionsBody(options);
    const { value, raw } = await this.call(
      'DELETE',
      resourcePath(r, namespace, name),
      body === undefined ? undefined : this.encode(body),
      body === undefined ? undefined : this.bodyContentType,
    );
    const object = value as T | Status;
    return { object, gone: raw.statusCode !== 202 && isGone(object, options) };
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    listOptions?: ListOptions,
    options?: DeleteOptions,
  ): Promise<KubeList<T>> {
    const body = deleteOptionsBody(options);
    const { value } = await this.call(
      'DELETE',
      resourcePath(r, namespace) + listQuery(listOptions),
      body === undefined ? undefined : this.encode(body),
      body === undefined ? undefined : this.bodyContentType,
    );
    return value as KubeList<T>;
  }

  /**
   * Starts a watch; resolves once the server answered with its headers (an error response is
   * thrown as a StatusError). Errors found later (410 Expired) arrive as an ERROR event.
   */
  async watch<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, options?: WatchOptions): Promise<WatchStream<T>> {
    if (this.closed) throw new Error('HttpClient is closed');
    const path = resourcePath(r, namespace) + watchQuery(options);
    const w = new SocketWatch({
      url: this.url,
      path,
      headers: { ...this.extraHeaders, accept: this.msgpack ? msgpackWatchAccept : jsonWatchMediaType },
      decoder: this.msgpack ? new FrameSplitter(this.frameDecoder) : new JsonBodyDecoder(),
      bufferEventsMax: this.watchBufferEventsMax,
      headersTimeoutMs: this.requestTimeoutMs,
      tls: this.tls,
      errorOf: (response) => errorOf({ ...response, warning: undefined }),
      onDone: this.forgetWatch,
    });
    this.watches.add(w);
    await w.started;
    return w as unknown as WatchStream<T>;
  }
}

/**
 * The node:tls options for `url`. The server name defaults to the url's host unless that is an
 * IP address (RFC 6066 forbids one as SNI; the certificate is then checked against the IP, as
 * undici and kubectl do).
 */
function tlsConnectOptions(url: URL, o: HttpClientTlsOptions | undefined): TlsConnectOptions {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const servername = o?.servername ?? (isIP(host) === 0 ? host : undefined);
  const ca = o?.ca;
  return Object.freeze({
    ...(ca === undefined ? {} : { ca: typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca] }),
    ...(o?.cert === undefined ? {} : { cert: o.cert }),
    ...(o?.key === undefined ? {} : { key: o.key }),
    ...(servername === undefined ? {} : { servername }),
    rejectUnauthorized: o?.rejectUnauthorized ?? true,
  });
}

/**
 * Whether a DELETE's answer means the object is gone. kube-apiserver answers 200 either way (202
 * only for orphanDependents=false), so it is read from the answer: a Status (success), or an
 * object without a pending deletion, or one whose deletion had nothing left to wait for (grace 0,
 * asked for or recorded, and no finalizers). An object still carrying a grace period or
 * finalizers is still there (graceful deletion, finalizers, a terminating namespace).
 */
function isGone(object: unknown, options: DeleteOptions | undefined): boolean {
  if (isStatus(object)) return true;
  const obj = object as KubeObject | undefined;
  const meta = obj?.metadata;
  if (meta?.deletionTimestamp === undefined) return true;
  if ((meta.finalizers?.length ?? 0) > 0) return false;
  const specFinalizers = obj?.kind === 'Namespace' ? (obj.spec as { finalizers?: unknown[] } | undefined)?.finalizers : undefined;
  if ((specFinalizers?.length ?? 0) > 0) return false;
  return options?.gracePeriodSeconds === 0 || (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

/** JSON watch lines as a WatchBodyDecoder. */
class JsonBodyDecoder implements WatchBodyDecoder {
  private readonly lines = new JsonWatchDecoder();

  push(chunk: Buffer, out: DecodedWatchEvent[]): void {
    const events = this.lines.push(chunk);
    for (let i = 0; i < events.length; i++) out.push(events[i] as DecodedWatchEvent);
  }
}
