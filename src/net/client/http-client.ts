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
import { Unpackr } from 'msgpackr';
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
import { PlainMsgpackEncoder } from './msgpack-encode.js';
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
  /** Extra headers on every request (Authorization, User-Agent); read once, when the client is made. */
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

// Request bodies: plain msgpack maps (msgpack-encode.ts). Responses: plain maps, as the server
// sends them (see http-server.ts); responses in records decode too.
const bodyEncoder = new PlainMsgpackEncoder();
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

/** A response as it came: status, the two headers the client reads, and the whole body. */
interface RawResponse {
  readonly statusCode: number;
  readonly contentType: string;
  readonly warning: string | string[] | undefined;
  readonly body: Buffer;
}

/**
 * What a unary request's promise resolves with, built by its handler when the response ends (so a
 * request costs one promise): the decoded body (`value`), a WriteResult (`write`), or the decoded
 * body with the status code (`decoded`, for DELETE, whose 202 matters). Error responses reject.
 */
type AnswerShape = 'value' | 'write' | 'decoded';

/** The `decoded` answer. */
interface DecodedResponse {
  readonly statusCode: number;
  readonly value: unknown;
}

/** `warnings` of every WriteResult without Warning headers (shared: a readonly empty list). */
const noWarnings: readonly string[] = Object.freeze([]);

/**
 * Collects one response and settles the request's promise. One object per request (its fields are
 * the state, no closures), handed to `Pool.dispatch`.
 *
 * It implements undici's original handler interface (onConnect, onHeaders, onData, onComplete,
 * onError), the one undici's HTTP/1.1 client calls itself: a handler with the newer interface
 * (onRequestStart … onResponseEnd) is wrapped per request in an adapter that turns every response
 * header and the trailers into objects (parseHeaders) before handing them on. Here the raw header
 * list is scanned for the two headers read (Content-Type, Warning) and nothing else is converted.
 * undici marks the original interface deprecated in its types; its dispatcher still takes it as
 * is (dispatcher-base.js wraps only handlers that have onRequestStart).
 */
class UnaryHandler implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private contentType = '';
  private contentTypeSeen = false;
  private warning: string | string[] | undefined = undefined;
  /** The first body chunk; most responses are one. */
  private first: Buffer | undefined = undefined;
  /** Chunks after the first, when there are any. */
  private rest: Buffer[] | undefined = undefined;
  private bytes = 0;

  constructor(
    private readonly resolve: (answer: unknown) => void,
    private readonly reject: (e: Error) => void,
    private readonly shape: AnswerShape,
  ) {}

  onConnect(): void {}

  /**
   * `rawHeaders`: name, value, name, value … as received. As undici's parseHeaders: values are
   * latin1; a repeated Warning gives a list; a repeated Content-Type counts as none. Each call
   * starts afresh (an informational 1xx response's headers do not carry over to the final one).
   */
  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.statusCode = statusCode;
    this.contentType = '';
    this.contentTypeSeen = false;
    this.warning = undefined;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as Buffer;
      if (name.length === 12 && isHeaderName(name, 'content-type')) {
        this.contentType = this.contentTypeSeen ? '' : (rawHeaders[i + 1] as Buffer).toString('latin1');
        this.contentTypeSeen = true;
      } else if (name.length === 7 && isHeaderName(name, 'warning')) {
        const value = (rawHeaders[i + 1] as Buffer).toString('latin1');
        if (this.warning === undefined) this.warning = value;
        else if (typeof this.warning === 'string') this.warning = [this.warning, value];
        else this.warning.push(value);
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.first === undefined) this.first = chunk;
    else (this.rest ??= []).push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  /** Runs inside undici's response parser: it settles the promise and never throws. */
  onComplete(): void {
    const statusCode = this.statusCode;
    const body = this.body();
    if (statusCode < 200 || statusCode >= 300) {
      this.reject(errorOf({ statusCode, contentType: this.contentType, warning: this.warning, body }));
      return;
    }
    let value: unknown;
    try {
      value = decodeBody(this.contentType, body);
    } catch (e) {
      this.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    // A failure Status with a 2xx code (not sent by kube-apiserver, but cheap to honour).
    if (isStatus(value) && value.status === 'Failure') {
      this.reject(statusErrorOf(statusCode, value, ''));
      return;
    }
    switch (this.shape) {
      case 'value':
        this.resolve(value);
        return;
      case 'write': {
        const warnings = this.warning === undefined ? noWarnings : parseWarnings(this.warning);
        this.resolve({ object: value, created: statusCode === 201, warnings });
        return;
      }
      case 'decoded': {
        const decoded: DecodedResponse = { statusCode, value };
        this.resolve(decoded);
        return;
      }
      default: {
        const never: never = this.shape;
        this.reject(new Error(`unknown answer shape ${String(never)}`));
      }
    }
  }

  onError(error: Error): void {
    this.reject(error);
  }

  private body(): Buffer {
    if (this.first === undefined) return emptyBody;
    if (this.rest === undefined) return this.first;
    return Buffer.concat([this.first, ...this.rest], this.bytes);
  }
}

const emptyBody = Buffer.alloc(0);

/** Whether a received header name is `lower` (lower-case ASCII, same length), in any case. */
function isHeaderName(name: Buffer, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const want = lower.charCodeAt(i);
    const got = name[i] as number;
    // A-Z → a-z; every other byte must match as is.
    if (got !== want && !(want >= 0x61 && want <= 0x7a && got === want - 0x20)) return false;
  }
  return true;
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

/**
 * The request headers: the extra headers, then Accept and (with a body) Content-Type, as a flat
 * name, value … list that undici reads without an object per request. An extra header named
 * exactly `accept` (or `content-type`, when a body is sent) gives way to ours, as when they were
 * spread into one object.
 */
function headerList(extra: Readonly<Record<string, string>>, accept: string, contentType: string | undefined): string[] {
  const out: string[] = [];
  for (const name of Object.keys(extra)) {
    if (name === 'accept' || (contentType !== undefined && name === 'content-type')) continue;
    out.push(name, extra[name] as string);
  }
  out.push('accept', accept);
  if (contentType !== undefined) out.push('content-type', contentType);
  return out;
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
  /** Request headers without and with a body of ours (headerList); shared by every request, never mutated. */
  private readonly headersWithoutBody: string[];
  private readonly headersWithBody: string[];
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
    this.headersWithoutBody = headerList(this.extraHeaders, this.accept, undefined);
    this.headersWithBody = headerList(this.extraHeaders, this.accept, this.bodyContentType);
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
    return this.msgpack ? bodyEncoder.encode(value) : Buffer.from(JSON.stringify(value));
  }

  /**
   * Sends one request; its promise resolves with the answer `shape` asks for, or rejects with the
   * response's StatusError or the transport's error.
   */
  private send(method: Dispatcher.HttpMethod, path: string, body: Buffer | string | undefined, contentType: string | undefined, shape: AnswerShape): Promise<unknown> {
    const headers =
      contentType === undefined ? this.headersWithoutBody : contentType === this.bodyContentType ? this.headersWithBody : headerList(this.extraHeaders, this.accept, contentType);
    return new Promise<unknown>((resolve, reject) => {
      this.pool.dispatch({ path, method, headers, body: body ?? null }, new UnaryHandler(resolve, reject, shape));
    });
  }

  // ---- ClusterApi ----
  //
  // The unary calls are not async functions: each is the one promise of its request. A
  // synchronous failure before sending (a body JSON cannot encode, a name encodeURIComponent
  // refuses) is returned as a rejected promise, as an async function would.

  get<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: GetOptions, subresource?: string): Promise<T> {
    try {
      let path = resourcePath(r, namespace, name, subresource);
      if (options?.resourceVersion !== undefined) path += `?resourceVersion=${encodeURIComponent(options.resourceVersion)}`;
      return this.send('GET', path, undefined, undefined, 'value') as Promise<T>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  list<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, options?: ListOptions): Promise<KubeList<T>> {
    try {
      return this.send('GET', resourcePath(r, namespace) + listQuery(options), undefined, undefined, 'value') as Promise<KubeList<T>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  create<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: { readonly name: string; readonly subresource: string },
  ): Promise<WriteResult<T>> {
    try {
      const path = resourcePath(r, namespace, subresource?.name ?? '', subresource?.subresource ?? '') + writeQuery(options);
      return this.send('POST', path, this.encode(object), this.bodyContentType, 'write') as Promise<WriteResult<T>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  update<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    try {
      const path = resourcePath(r, namespace, name, subresource) + writeQuery(options);
      return this.send('PUT', path, this.encode(object), this.bodyContentType, 'write') as Promise<WriteResult<T>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  patch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    try {
      const path = resourcePath(r, namespace, name, subresource) + patchQuery(options);
      // Patch bodies are JSON on every wire (their media types say so); an apply patch may be YAML
      // text, and JSON is YAML.
      const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
      return this.send('PATCH', path, body, patchContentTypeOf[patchType], 'write') as Promise<WriteResult<T>>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async delete<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: DeleteOptions): Promise<DeleteResult<T>> {
    const body = deleteOptionsBody(options);
    const answer = (await this.send(
      'DELETE',
      resourcePath(r, namespace, name),
      body === undefined ? undefined : this.encode(body),
      body === undefined ? undefined : this.bodyContentType,
      'decoded',
    )) as DecodedResponse;
    const object = answer.value as T | Status;
    return { object, gone: answer.statusCode !== 202 && isGone(object, options) };
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    listOptions?: ListOptions,
    options?: DeleteOptions,
  ): Promise<KubeList<T>> {
    const body = deleteOptionsBody(options);
    return (await this.send(
      'DELETE',
      resourcePath(r, namespace) + listQuery(listOptions),
      body === undefined ? undefined : this.encode(body),
      body === undefined ? undefined : this.bodyContentType,
      'value',
    )) as KubeList<T>;
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
