// The cluster API over HTTP: kube-apiserver's REST paths on an undici keep-alive pool, bodies in
// msgpack (our wire, the default) or JSON.
//
//   const api = new HttpClient({ url: 'http://127.0.0.1:6443', connections: 64 });
//   const { object } = await api.create(pods, 'default', pod);
//   for await (const ev of await api.watch(pods, 'default', { resourceVersion })) …
//   await api.close();
//
// Requests go through `Pool.dispatch` with a handler object that collects the body (no stream per
// request). Watches have their own pool without a connection limit: each one holds a connection
// for as long as it runs, and must not starve requests. Error responses become StatusErrors with
// the server's reason, code, message and details (status.ts).

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
  WatchEvent,
  WatchOptions,
  WatchStream,
  WriteOptions,
  WriteResult,
} from '../api.js';
import { deleteOptionsBody, listQuery, patchContentTypeOf, patchQuery, resourcePath, watchQuery, writeQuery } from './paths.js';
import { isStatus, parseWarnings, statusErrorOf } from './status.js';
import { FrameSplitter, SharedFrameDecoder, plainFrameDecoder, type FrameDecoder } from './watch-decode.js';

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
  private readonly watchPool: Pool;
  private readonly msgpack: boolean;
  private readonly accept: string;
  private readonly bodyContentType: string;
  private readonly requestTimeoutMs: number;
  private readonly watchBufferEventsMax: number;
  private readonly extraHeaders: Readonly<Record<string, string>>;
  private readonly watches = new Set<HttpWatch>();
  private readonly frameDecoder: FrameDecoder;
  private closed = false;

  constructor(options: HttpClientOptions) {
    const origin = new URL(options.url).origin;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.pool = new Pool(origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
    });
    // No connection limit: a watch holds its connection until it ends.
    this.watchPool = new Pool(origin, { connections: null, pipelining: 1, keepAliveTimeout: 60_000 });
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
    await Promise.all([this.pool.close(), this.watchPool.destroy()]);
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
    const w = new HttpWatch(this.msgpack ? new FrameSplitter(this.frameDecoder) : new JsonWatchDecoder(), this.watchBufferEventsMax, this.watches);
    this.watches.add(w);
    this.watchPool.dispatch(
      {
        path,
        method: 'GET',
        headers: { ...this.extraHeaders, accept: this.msgpack ? msgpackWatchAccept : jsonWatchMediaType },
        headersTimeout: this.requestTimeoutMs,
        // A quiet watch is not a dead one: no limit between chunks.
        bodyTimeout: 0,
      },
      w,
    );
    await w.started;
    return w as unknown as WatchStream<T>;
  }
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

type WatchState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'streaming' }
  | { readonly kind: 'ended' }
  | { readonly kind: 'failed'; readonly error: Error };

/**
 * One watch over HTTP: undici pushes chunks in, the decoder cuts them into events, the reader
 * pulls them out. When `bufferEventsMax` events wait unread the socket is paused (TCP backpressure
 * reaches the server, whose bounded buffer for this watcher then decides), and resumed at half.
 */
class HttpWatch implements Dispatcher.DispatchHandler, AsyncIterator<WatchEvent>, WatchStream {
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (e: Error) => void;
  private state: WatchState = { kind: 'starting' };
  private statusCode = 0;
  private contentType = '';
  private readonly errorChunks: Buffer[] = [];
  // Events decoded and not yet read: queue[head..].
  private queue: DecodedWatchEvent[] = [];
  private head = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private paused = false;
  private waiter: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private batchWaiter: ((batch: readonly WatchEvent[] | undefined) => void) | undefined;
  private waiterReject: ((e: Error) => void) | undefined;
  private closedByUs = false;

  constructor(
    private readonly decoder: FrameSplitter | JsonWatchDecoder,
    private readonly bufferEventsMax: number,
    private readonly registry: Set<HttpWatch>,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
  }

  // ---- undici side ----

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.closedByUs) controller.abort(new Error('watch closed'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.controller = controller;
    this.statusCode = statusCode;
    const ct = headers['content-type'];
    this.contentType = typeof ct === 'string' ? ct : '';
    if (statusCode === 200) {
      this.state = { kind: 'streaming' };
      this.startResolve();
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.statusCode !== 200) {
      this.errorChunks.push(chunk);
      return;
    }
    try {
      if (this.decoder instanceof FrameSplitter) {
        this.decoder.push(chunk, this.queue);
      } else {
        const events = this.decoder.push(chunk);
        for (let i = 0; i < events.length; i++) this.queue.push(events[i] as DecodedWatchEvent);
      }
    } catch (e) {
      controller.abort(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.head === this.queue.length) return;
    this.wake();
    if (!this.paused && this.queue.length - this.head >= this.bufferEventsMax) {
      this.paused = true;
      controller.pause();
    }
  }

  onResponseEnd(): void {
    if (this.statusCode !== 200) {
      const raw: RawResponse = {
        statusCode: this.statusCode,
        contentType: this.contentType,
        warning: undefined,
        body: Buffer.concat(this.errorChunks),
      };
      this.fail(errorOf(raw));
      return;
    }
    this.state = { kind: 'ended' };
    this.registry.delete(this);
    this.wake();
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    if (this.closedByUs) {
      this.state = { kind: 'ended' };
      this.registry.delete(this);
      this.startResolve();
      this.wake();
      return;
    }
    this.fail(error);
  }

  private fail(error: Error): void {
    this.state = { kind: 'failed', error };
    this.registry.delete(this);
    this.startReject(error);
    const reject = this.waiterReject;
    if (reject !== undefined) {
      this.waiter = undefined;
      this.batchWaiter = undefined;
      this.waiterReject = undefined;
      reject(error);
    }
  }

  private wake(): void {
    const resolveBatch = this.batchWaiter;
    if (resolveBatch !== undefined) {
      const batch = this.takeBatch();
      if (batch === null) return;
      this.batchWaiter = undefined;
      this.waiterReject = undefined;
      resolveBatch(batch);
      return;
    }
    const resolve = this.waiter;
    if (resolve === undefined) return;
    const r = this.take();
    if (r === undefined) return;
    this.waiter = undefined;
    this.waiterReject = undefined;
    resolve(r);
  }

  /** The next result if one is ready: an event, or the end. Throws the stream's failure. */
  private take(): IteratorResult<WatchEvent> | undefined {
    if (this.head < this.queue.length) {
      const ev = this.queue[this.head] as DecodedWatchEvent;
      this.queue[this.head] = undefined as unknown as DecodedWatchEvent;
      this.head++;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        // A reader that never quite catches up: drop the dead prefix now and then.
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (this.paused && this.queue.length - this.head <= this.bufferEventsMax >> 1) {
        this.paused = false;
        this.controller?.resume();
      }
      return { value: ev as WatchEvent, done: false };
    }
    if (this.state.kind === 'ended') return { value: undefined, done: true };
    return undefined;
  }

  /** Every queued event (the queue itself is handed over), undefined at the end, null if none yet. */
  private takeBatch(): readonly WatchEvent[] | undefined | null {
    if (this.head < this.queue.length) {
      let batch: DecodedWatchEvent[];
      if (this.head === 0) {
        batch = this.queue;
      } else {
        batch = this.queue.slice(this.head);
      }
      this.queue = [];
      this.head = 0;
      if (this.paused) {
        this.paused = false;
        this.controller?.resume();
      }
      return batch as readonly WatchEvent[];
    }
    if (this.state.kind === 'ended') return undefined;
    return null;
  }

  // ---- reader side ----

  nextBatch(): Promise<readonly WatchEvent[] | undefined> {
    if (this.state.kind === 'failed' && this.head === this.queue.length) return Promise.reject(this.state.error);
    const batch = this.takeBatch();
    if (batch !== null) return Promise.resolve(batch);
    return new Promise<readonly WatchEvent[] | undefined>((resolve, reject) => {
      this.batchWaiter = resolve;
      this.waiterReject = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.state.kind === 'failed' && this.head === this.queue.length) return Promise.reject(this.state.error);
    const r = this.take();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise<IteratorResult<WatchEvent>>((resolve, reject) => {
      this.waiter = resolve;
      this.waiterReject = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    this.closedByUs = true;
    this.queue = [];
    this.head = 0;
    if (this.controller !== undefined && !this.controller.aborted) this.controller.abort(new Error('watch closed'));
    this.state = { kind: 'ended' };
    this.registry.delete(this);
    this.startResolve();
    this.wake();
  }
}
