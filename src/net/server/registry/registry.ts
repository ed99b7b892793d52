// The registry: every verb on every kind, in process. It is the ClusterApi the in-process client
// hands to controllers, and what the HTTP server calls for each route.
//
//   write:  resolve kind → check body (apiVersion/kind, namespace, name, unknown fields)
//           → namespace lifecycle → meta (prepareForCreate/Update) → defaults → kind strategy
//           (service IPs, binding, scale…) → validate → managedFields → store (CAS) → object
//   read:   the watch cache of the kind (fresh: the store hands it every commit before the
//           writer's promise continues), filtered by compiled selectors
//
// Updates are compare-and-swap on the store's modRevision, which is the resourceVersion. Patches
// and deletes read the current object from the cache and retry on conflict, as kube-apiserver's
// GuaranteedUpdate does; an explicit resourceVersion in the request is a precondition instead.

import { kindByResource, type KindInfo } from '../../../core/api/kinds.js';
import { labelSelectorToString } from '../../../core/api/labels.js';
import {
  prepareForCreate,
  prepareForFinalize,
  prepareForStatusUpdate,
  prepareForUpdate,
  planDelete,
  shouldDeleteAfterUpdate,
  formatTimestamp,
} from '../../../core/api/meta.js';
import { applyDefaults, defaultInPlace, builtinPriorityClasses } from '../../../core/api/defaults/index.js';
import { validate } from '../../../core/api/validation/index.js';
import { invalid, invalidError, type FieldError } from '../../../core/api/validation/field.js';
import { checkFields, dropUnknownFields } from '../../../core/api/schema/index.js';
import type { KubeList, KubeObject, ObjectMeta } from '../../../core/api/types.js';
import {
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  conflictStaleMessage,
  notFound,
  type QualifiedResource,
  type Status,
} from '../../../core/errors.js';
import { Fifo } from '../../../core/fifo.js';
import { limits } from '../../../core/limits.js';
import { newUid } from '../../../core/uid.js';
import { objectKey } from '../../../core/store/keys.js';
import {
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  ObjectTooLargeError,
  type CreateOptions,
  type KeyValue,
  type Store,
} from '../../../core/store/store.js';
import { listMetaOf, parseRevision, type WatchCache, type ListResult as CacheListResult } from '../../../watch/cache.js';
import type { Watcher } from '../../../watch/watcher.js';
import { stampRevision, type Entry } from '../../../watch/items.js';
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
} from '../../api.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyServerSideApply,
  applyStrategicMergePatch,
  updateManagedFields,
  type JsonObject,
} from '../patch/index.js';
import { msgpackWatchCodec } from '../../wire/watch-frames.js';
import { compileFilter } from './filter.js';
import { stampedMsgpack } from './stamped-msgpack.js';
import { AllocationError, ClusterIpAllocator, NodePortAllocator } from './service-ips.js';

/** Where the registry finds the watch cache of a kind. src/watch's hub implements it. */
export interface CacheProvider {
  /** The kind's cache: the same one on every call (the registry keeps what it gets). */
  cacheFor(kind: KindInfo): WatchCache;
}

export interface RegistryOptions {
  readonly store: Store<KubeObject>;
  readonly caches: CacheProvider;
  /** The clock (tests). */
  readonly now?: () => Date;
  readonly uid?: () => string;
  readonly serviceCidr?: string;
  /** Events are deleted this long after their last write (default limits.eventTtlMs; 0: never). */
  readonly eventTtlMs?: number;
  /**
   * How often expired Events are swept (default: 5% of the TTL, between 10 ms and 1 s, as kube's
   * etcd lease reuse lets an Event outlive its TTL by up to 5%). 0: no timer, the owner calls
   * sweepExpiredEvents() (tests with a clock of their own).
   */
  readonly eventTtlSweepPeriodMs?: number;
}

/** What the HTTP server knows of a create beyond its arguments. */
export interface CreateFlags {
  /**
   * The caller hands the object over (a body decoded for this request, held by nobody else):
   * defaults are then filled in place instead of on a deep copy.
   */
  readonly ownedBody?: boolean;
  /** The response goes out as msgpack: its bytes are made from the store's encoding. */
  readonly msgpackResponse?: boolean;
}

const noCreateFlags: CreateFlags = Object.freeze({});
const ownedValue: CreateOptions = Object.freeze({ owned: true });

/** Retries of a read-modify-write (patch, delete, binding) that keeps losing the race. */
const conflictRetriesMax = 16;

type Fields = Record<string, unknown>;

function qr(kind: KindInfo): QualifiedResource {
  return { group: kind.group, resource: kind.plural };
}

function successStatus(kind: KindInfo, name: string, uid: string | undefined, code = 200): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    message: '',
    reason: '',
    details: { name, group: kind.group, kind: kind.plural, ...(uid === undefined ? {} : { uid }) },
    code,
  };
}

/** Kinds whose DELETE answers with the object rather than a Status (kube-apiserver's
 * ReturnDeletedObject). */
const returnsDeletedObject = new Set(['pods', 'namespaces', 'services', 'nodes', 'persistentvolumes', 'persistentvolumeclaims']);

const podKind = kindByResource('', 'pods');
const eventKind = kindByResource('', 'events');
const priorityClassKind = kindByResource('scheduling.k8s.io', 'priorityclasses');

/** What the Priority admission plugin gives a new Pod: a class's name, value and policy. */
interface PriorityChoice {
  readonly name: string;
  readonly value: number;
  readonly preemptionPolicy: string;
}

/** A Pod without a class and no globalDefault class: priority 0 (DefaultPriorityWhenNoDefaultClassExists). */
const noDefaultPriority: PriorityChoice = Object.freeze({ name: '', value: 0, preemptionPolicy: 'PreemptLowerPriority' });

export class Registry implements ClusterApi {
  private readonly store: Store<KubeObject>;
  private readonly caches: CacheProvider;
  /** cacheFor's answers, kept (bounded by the kinds served). */
  private readonly cacheByKind = new Map<KindInfo, WatchCache>();
  private readonly now: () => Date;
  private readonly uid: () => string;
  readonly clusterIps: ClusterIpAllocator;
  readonly nodePorts = new NodePortAllocator();
  private allocatorsLoaded = false;
  /**
   * The globalDefault PriorityClass (or noDefaultPriority), read once and kept until a
   * PriorityClass write starts or ends: a Pod without priorityClassName pays nothing more.
   * Not kept while such a write is in flight (the cache may not have it yet).
   */
  private defaultPriority: PriorityChoice | undefined = undefined;
  private priorityClassWritesInFlight = 0;

  /** Event TTL (see EventExpiry): 0 when Events are kept forever. */
  private readonly eventTtlMs: number;
  private readonly eventExpiry = new Fifo<EventExpiryEntry>();
  /** The Events found in the cache have been queued (done once, when the cache is ready). */
  private eventExpirySeeded = false;
  private eventSweepTimer: NodeJS.Timeout | undefined = undefined;
  /** The sweep under way: sweeps run one at a time (a timer tick during one is skipped). */
  private eventSweep: Promise<number> | undefined = undefined;

  constructor(options: RegistryOptions) {
    this.store = options.store;
    this.caches = options.caches;
    this.now = options.now ?? (() => new Date());
    this.uid = options.uid ?? newUid;
    this.clusterIps = new ClusterIpAllocator(options.serviceCidr);
    this.eventTtlMs = options.eventTtlMs ?? limits.eventTtlMs;
    if (!(this.eventTtlMs >= 0 && Number.isFinite(this.eventTtlMs))) {
      throw new Error(`eventTtlMs must be a finite number >= 0, not ${this.eventTtlMs}`);
    }
    const periodMs = options.eventTtlSweepPeriodMs ?? Math.min(1000, Math.max(10, Math.floor(this.eventTtlMs / 20)));
    if (this.eventTtlMs > 0 && periodMs > 0 && eventKind !== undefined) {
      this.eventSweepTimer = setInterval(() => this.sweepOnTimer(), periodMs);
      this.eventSweepTimer.unref();
    }
  }

  /** Stops the registry's timers (the Event TTL sweep). Call before closing the store. */
  close(): void {
    if (this.eventSweepTimer !== undefined) clearInterval(this.eventSweepTimer);
    this.eventSweepTimer = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Resolution

  /** The kind served at a resource type, or a 404 as kube-apiserver words it. */
  kindOf(r: ResourceType): KindInfo {
    const kind = kindByResource(r.group, r.plural);
    if (kind === undefined || kind.version !== r.version) {
      throw new StatusError('NotFound', 'the server could not find the requested resource', {});
    }
    return kind;
  }

  cacheOf(kind: KindInfo): WatchCache {
    // Several lookups per request: by KindInfo identity here, not by the provider's string key.
    let cache = this.cacheByKind.get(kind);
    if (cache === undefined) {
      cache = this.caches.cacheFor(kind);
      this.cacheByKind.set(kind, cache);
    }
    return cache;
  }

  private keyOf(kind: KindInfo, namespace: string, name: string): string {
    return objectKey(kind, kind.namespaced ? namespace : '', name);
  }

  private checkScope(kind: KindInfo, namespace: string, forCollection: boolean): void {
    if (kind.namespaced && namespace === '' && !forCollection) {
      throw badRequest('the server could not find the requested resource (namespace required)');
    }
  }

  private current(kind: KindInfo, namespace: string, name: string): KubeObject | undefined {
    return this.cacheOf(kind).get(kind.namespaced ? namespace : '', name);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async get<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    _options: GetOptions = {},
    subresource = '',
  ): Promise<T> {
    const kind = this.kindOf(r);
    this.checkScope(kind, namespace, false);
    const obj = this.current(kind, namespace, name);
    if (obj === undefined) throw notFound(qr(kind), name);
    if (subresource === 'scale') return scaleOf(kind, obj) as unknown as T;
    return obj as T;
  }

  /**
   * The watch cache's entry for an object at `revision`: the same object as a read or write at that
   * revision returned, with its encodings cached and shared by list responses and watch frames (the
   * HTTP server answers with them). undefined when the cache holds another revision of it (a later
   * write came first) or none.
   */
  entryAt(kind: KindInfo, namespace: string, name: string, revision: number): Entry | undefined {
    const entry = this.cacheOf(kind).getEntry(kind.namespaced ? namespace : '', name);
    return entry !== undefined && entry.modRevision === revision ? entry : undefined;
  }

  /**
   * The object a write stored, as the cache holds it when it has applied the write already (it
   * has, unless a later write came first): then the response can reuse the cache's encodings.
   */
  private stored(kind: KindInfo, namespace: string, kv: KeyValue<KubeObject>, msgpackResponse = false): KubeObject {
    const entry = this.entryAt(kind, namespace, kv.value.metadata.name ?? '', kv.modRevision);
    if (entry === undefined) return stampRevision(kv.value, kv.modRevision);
    if (msgpackResponse && kv.encoded !== undefined) {
      // The response's bytes from the store's own encoding, rather than a second encode.
      const bytes = stampedMsgpack(kv.encoded, String(kv.modRevision));
      if (bytes !== undefined) entry.shareBytes(msgpackWatchCodec, bytes);
    }
    return entry.object;
  }

  /** LIST from the cache, with the cached encodings of each item (the HTTP server writes them). */
  async listEntries(kind: KindInfo, namespace: string, options: ListOptions = {}): Promise<CacheListResult> {
    this.checkScope(kind, namespace, true);
    const cache = this.cacheOf(kind);
    const filter = compileFilter(kind, kind.namespaced ? namespace : '', options.labelSelector, options.fieldSelector, cache.indexNodeName);
    const request: {
      filter: typeof filter;
      limit?: number;
      continue?: string;
      resourceVersion?: string;
      resourceVersionMatch?: 'NotOlderThan' | 'Exact';
    } = { filter };
    if (options.limit !== undefined && options.limit > 0) request.limit = options.limit;
    if (options.continue !== undefined && options.continue !== '') request.continue = options.continue;
    if (options.resourceVersion !== undefined) request.resourceVersion = options.resourceVersion;
    if (options.resourceVersionMatch !== undefined) request.resourceVersionMatch = options.resourceVersionMatch;
    return cache.list(request);
  }

  async list<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    const kind = this.kindOf(r);
    const result = await this.listEntries(kind, namespace, options);
    return { apiVersion: kind.apiVersion, kind: kind.listKind, metadata: listMetaOf(result), items: result.items as T[] };
  }

  /** Starts a watch on the cache (the HTTP server pipes its frames). */
  watchEntries(kind: KindInfo, namespace: string, options: WatchOptions = {}): Watcher {
    this.checkScope(kind, namespace, true);
    const cache = this.cacheOf(kind);
    const filter = compileFilter(kind, kind.namespaced ? namespace : '', options.labelSelector, options.fieldSelector, cache.indexNodeName);
    const request: {
      filter: typeof filter;
      resourceVersion?: string;
      sendInitialEvents?: boolean;
      allowWatchBookmarks?: boolean;
      timeoutSeconds?: number;
    } = { filter };
    if (options.resourceVersion !== undefined) request.resourceVersion = options.resourceVersion;
    if (options.sendInitialEvents !== undefined) request.sendInitialEvents = options.sendInitialEvents;
    if (options.allowWatchBookmarks !== undefined) request.allowWatchBookmarks = options.allowWatchBookmarks;
    if (options.timeoutSeconds !== undefined) request.timeoutSeconds = options.timeoutSeconds;
    return cache.watch(request);
  }

  async watch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    options: WatchOptions = {},
  ): Promise<WatchStream<T>> {
    const watcher = this.watchEntries(this.kindOf(r), namespace, options);
    return {
      close: () => watcher.close(),
      async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
        for await (const item of watcher) {
          yield { type: item.type, object: item.object as T | Status };
        }
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  async create<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    object: KubeObject,
    options: WriteOptions = {},
    subresource?: { readonly name: string; readonly subresource: string },
    flags: CreateFlags = noCreateFlags,
  ): Promise<WriteResult<T>> {
    const kind = this.kindOf(r);
    this.checkScope(kind, namespace, false);
    if (subresource !== undefined) {
      return this.createSubresource(kind, namespace, subresource.name, subresource.subresource, object, options) as Promise<
        WriteResult<T>
      >;
    }
    const warnings: string[] = [];
    const body = this.checkBody(kind, namespace, object, options, warnings);
    const name = body.metadata.name ?? '';
    if (name === '' && (body.metadata.generateName ?? '') === '') {
      throw invalidError(kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required', badValue: '' }]);
    }
    if (kind.namespaced) this.checkNamespaceAcceptsContent(kind, namespace, name);

    let obj = prepareForCreate(body, this.now(), this.uid);
    // prepareForCreate's result has its own top level and metadata; the rest is the body's.
    if (flags.ownedBody === true) defaultInPlace(obj, 'create');
    else obj = applyDefaults(obj, 'create');
    if (kind === podKind) this.admitPodPriority(kind, obj);
    const errors = validate(obj);
    if (errors.length > 0) throw invalidError(kind, obj.metadata.name ?? '', errors);
    if (kind === priorityClassKind) this.checkSingleDefault(kind, obj, undefined);
    const release = this.allocateForCreate(kind, obj);
    try {
      if (options.fieldManager !== undefined && options.fieldManager !== '') {
        obj = withManagedFields(obj, updateManagedFields(undefined, obj as unknown as JsonObject, options.fieldManager, 'Update', { now: this.now() }));
      }
      if (options.dryRun === true) {
        release();
        return { object: obj as T, created: true, warnings };
      }
      // obj is this call's own tree (a copy, or the body handed over): the store may freeze it
      // in place rather than copy it.
      const tracked = this.beginPriorityClassWrite(kind);
      let kv: KeyValue<KubeObject>;
      try {
        kv = await this.store.create(this.keyOf(kind, namespace, obj.metadata.name ?? ''), stripForStorage(obj), ownedValue);
      } finally {
        if (tracked) this.endPriorityClassWrite();
      }
      if (kind === eventKind) this.eventWritten(kv);
      return { object: this.stored(kind, namespace, kv, flags.msgpackResponse === true) as T, created: true, warnings };
    } catch (e) {
      release();
      throw this.translate(e, kind, obj.metadata.name ?? '');
    }
  }

  async update<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    object: KubeObject,
    options: WriteOptions = {},
    subresource = '',
  ): Promise<WriteResult<T>> {
    const kind = this.kindOf(r);
    this.checkScope(kind, namespace, false);
    const warnings: string[] = [];
    if (subresource === 'scale') return this.updateScale(kind, namespace, name, object, options) as Promise<WriteResult<T>>;
    const body = this.checkBody(kind, namespace, object, options, warnings);
    if ((body.metadata.name ?? '') !== name) {
      throw badRequest(`the name of the object (${body.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const rv = body.metadata.resourceVersion;
    if (rv !== undefined && rv !== '') {
      const current = this.current(kind, namespace, name);
      if (current === undefined) throw notFound(qr(kind), name);
      return this.writeUpdate<T>(kind, namespace, name, current, body, parseRevision(rv), options, subresource, warnings, 'Update');
    }
    // No resourceVersion: applied to whatever is stored (retrying lost races, as GuaranteedUpdate
    // does), for kinds whose strategy allows it; the body then carries the stored version.
    for (let attempt = 0; ; attempt++) {
      const current = this.current(kind, namespace, name);
      if (current === undefined) throw notFound(qr(kind), name);
      if (!kind.allowUnconditionalUpdate) throw resourceVersionRequired(kind, name);
      body.metadata.resourceVersion = current.metadata.resourceVersion ?? '';
      try {
        return await this.writeUpdate<T>(kind, namespace, name, current, body, undefined, options, subresource, warnings, 'Update');
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'Conflict' && attempt < conflictRetriesMax) continue;
        throw e;
      }
    }
  }

  async patch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions = {},
    subresource = '',
  ): Promise<WriteResult<T>> {
    const kind = this.kindOf(r);
    this.checkScope(kind, namespace, false);
    if (patchType === 'apply' && (options.fieldManager === undefined || options.fieldManager === '')) {
      throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    }
    for (let attempt = 0; ; attempt++) {
      const current = this.current(kind, namespace, name);
      if (subresource === 'scale') {
        if (current === undefined) throw notFound(qr(kind), name);
        const scale = scaleOf(kind, current);
        const patched = this.applyPatch(kind, scale, patchType, patch, options, true);
        try {
          return (await this.updateScale(kind, namespace, name, patched, options, current)) as WriteResult<T>;
        } catch (e) {
          if (isConflictRetry(e, patched) && attempt < conflictRetriesMax) continue;
          throw e;
        }
      }
      if (current === undefined) {
        if (patchType !== 'apply') throw notFound(qr(kind), name);
        return this.createByApply<T>(kind, namespace, name, patch, options);
      }
      const warnings: string[] = [];
      const patched = this.applyPatch(kind, current, patchType, patch, options, false);
      const body = this.checkBody(kind, namespace, patched, { ...options, fieldValidation: options.fieldValidation ?? 'Ignore' }, warnings);
      if ((body.metadata.name ?? '') !== name) {
        throw badRequest(`the name of the object (${body.metadata.name ?? ''}) does not match the name on the URL (${name})`);
      }
      // A resourceVersion the patch itself sets is a precondition; otherwise CAS on what we read.
      // A patch that removes it asks for an unconditional update, where the kind allows one.
      let patchedRv = body.metadata.resourceVersion;
      if (patchedRv === undefined || patchedRv === '') {
        if (!kind.allowUnconditionalUpdate) throw resourceVersionRequired(kind, name);
        patchedRv = current.metadata.resourceVersion ?? '';
        body.metadata.resourceVersion = patchedRv;
      }
      const precondition = patchedRv !== undefined && patchedRv !== current.metadata.resourceVersion;
      const expected = precondition ? parseRevision(patchedRv ?? '') : parseRevision(current.metadata.resourceVersion ?? '0');
      try {
        return await this.writeUpdate<T>(
          kind,
          namespace,
          name,
          current,
          body,
          expected,
          options,
          subresource,
          warnings,
          patchType === 'apply' ? 'Apply' : 'Update',
        );
      } catch (e) {
        if (!precondition && e instanceof StatusError && e.reason === 'Conflict' && attempt < conflictRetriesMax) continue;
        throw e;
      }
    }
  }

  async delete<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): Promise<DeleteResult<T>> {
    const kind = this.kindOf(r);
    this.checkScope(kind, namespace, false);
    const key = this.keyOf(kind, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = this.current(kind, namespace, name);
      if (current === undefined) throw notFound(qr(kind), name);
      checkPreconditions(kind, name, current, options);
      const expected = parseRevision(current.metadata.resourceVersion ?? '0');
      const planOptions: { gracePeriodSeconds?: number; propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' } = {};
      if (options.gracePeriodSeconds !== undefined) planOptions.gracePeriodSeconds = options.gracePeriodSeconds;
      if (options.propagationPolicy !== undefined) planOptions.propagationPolicy = options.propagationPolicy;
      const plan = planDelete(current, planOptions, this.now());
      const tracked = plan.action !== 'pending' && this.beginPriorityClassWrite(kind);
      try {
        switch (plan.action) {
          case 'pending':
            return { object: current as T, gone: false };
          case 'update': {
            if (options.dryRun === true) return { object: plan.object as T, gone: false };
            const kv = await this.store.update(key, stripForStorage(plan.object), expected);
            if (kind === eventKind) this.eventWritten(kv);
            return { object: this.stored(kind, namespace, kv) as T, gone: false };
          }
          case 'delete': {
            if (options.dryRun === true) return { object: current as T, gone: true };
            const kv = await this.store.delete(key, { expectedModRevision: expected });
            this.releaseForDelete(kind, kv.value);
            const deleted = stampRevision(kv.value, kv.modRevision);
            return {
              object: returnsDeletedObject.has(kind.plural) ? (deleted as T) : successStatus(kind, name, deleted.metadata.uid),
              gone: true,
            };
          }
          default: {
            const never: never = plan;
            throw new Error(`unknown delete plan ${String(never)}`);
          }
        }
      } catch (e) {
        const err = this.translate(e, kind, name);
        if (err.reason === 'Conflict' && attempt < conflictRetriesMax) continue;
        if (err.reason === 'NotFound' && attempt > 0) throw notFound(qr(kind), name);
        throw err;
      } finally {
        if (tracked) this.endPriorityClassWrite();
      }
    }
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    listOptions: ListOptions = {},
    options: DeleteOptions = {},
  ): Promise<KubeList<T>> {
    const kind = this.kindOf(r);
    const listed = await this.listEntries(kind, namespace, { ...listOptions, limit: 0 });
    const items: T[] = [];
    for (const obj of listed.items) {
      try {
        const result = await this.delete<T>(r, obj.metadata.namespace ?? '', obj.metadata.name ?? '', options);
        items.push(result.object.kind === 'Status' ? (obj as T) : (result.object as T));
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'NotFound') continue;
        throw e;
      }
    }
    return { apiVersion: kind.apiVersion, kind: kind.listKind, metadata: { resourceVersion: String(this.store.currentRevision) }, items };
  }

  // ---------------------------------------------------------------------------------------------
  // Write internals

  /**
   * The checks kube-apiserver's decoder and handler make on a body before admission: its kind
   * and apiVersion match the URL, its namespace matches, its fields exist and have the right
   * JSON types (per fieldValidation). Returns a copy the registry may change.
   */
  private checkBody(
    kind: KindInfo,
    namespace: string,
    object: KubeObject,
    options: WriteOptions,
    warnings: string[],
  ): KubeObject {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      throw badRequest('Object is not a valid Kubernetes object: expected a JSON object');
    }
    const o = object as unknown as Fields;
    const apiVersion = o['apiVersion'];
    const kindName = o['kind'];
    if (apiVersion === undefined || apiVersion === '' || kindName === undefined || kindName === '') {
      // kube-apiserver defaults both from the URL when the body omits them.
    } else if (apiVersion !== kind.apiVersion || kindName !== kind.kind) {
      throw badRequest(
        `the API version in the data (${String(apiVersion)}) does not match the expected API version (${kind.apiVersion})`,
      );
    }
    const meta = o['metadata'];
    if (meta !== undefined && meta !== null && (typeof meta !== 'object' || Array.isArray(meta))) {
      throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: json: cannot unmarshal ${Array.isArray(meta) ? 'array' : typeof meta} into Go struct field ${kind.kind}.metadata of type v1.ObjectMeta`);
    }
    const validation = options.fieldValidation;
    let body = { ...object, apiVersion: kind.apiVersion, kind: kind.kind, metadata: { ...((meta ?? {}) as ObjectMeta) } } as KubeObject;
    if (validation !== undefined) {
      const check = checkFields(body, kind.apiVersion, kind.kind);
      if (check !== undefined) {
        if (check.typeErrors.length > 0) {
          throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${check.typeErrors.join(', ')}`);
        }
        if (check.unknownFields.length > 0) {
          const described = check.unknownFields.map((f) => `unknown field "${f}"`);
          if (validation === 'Strict') throw badRequest(`strict decoding error: ${described.join(', ')}`);
          if (validation === 'Warn') warnings.push(...described);
          body = structuredClone(body);
          dropUnknownFields(body, kind.apiVersion, kind.kind);
        }
      }
    }
    const bodyNs = body.metadata.namespace;
    if (kind.namespaced) {
      if (bodyNs !== undefined && bodyNs !== '' && bodyNs !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      body.metadata.namespace = namespace;
    } else if (bodyNs !== undefined) {
      delete body.metadata.namespace;
    }
    return body;
  }

  /** Creating in a namespace that does not exist is 404; in one being deleted, 403. */
  private checkNamespaceAcceptsContent(kind: KindInfo, namespace: string, name: string): void {
    const nsKind = kindByResource('', 'namespaces');
    if (nsKind === undefined) return;
    const ns = this.cacheOf(nsKind).get('', namespace);
    if (ns === undefined) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw new StatusError(
        'Forbidden',
        `${kind.group === '' ? kind.plural : `${kind.plural}.${kind.group}`} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { name, group: kind.group, kind: kind.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }

  private async writeUpdate<T extends KubeObject>(
    kind: KindInfo,
    namespace: string,
    name: string,
    current: KubeObject,
    body: KubeObject,
    expected: number | undefined,
    options: WriteOptions,
    subresource: string,
    warnings: string[],
    operation: 'Update' | 'Apply',
  ): Promise<WriteResult<T>> {
    const currentRv = parseRevision(current.metadata.resourceVersion ?? '0');
    if (expected !== undefined && expected !== currentRv) {
      throw conflict(qr(kind), name, conflictStaleMessage);
    }
    let obj: KubeObject;
    switch (subresource) {
      case '':
        obj = prepareForUpdate(body, current);
        break;
      case 'status':
        obj = prepareForStatusUpdate(body, current);
        break;
      case 'finalize':
        obj = prepareForFinalize(body, current);
        break;
      default:
        throw new StatusError('MethodNotAllowed', `the server does not allow this method on the requested resource (${kind.plural}/${subresource})`);
    }
    obj = applyDefaults(obj, 'update');
    if (kind === podKind) keepPodPriority(obj, current);
    const errors = validate(obj, current);
    if (errors.length > 0) throw invalidError(kind, name, errors);
    if (kind === priorityClassKind && subresource === '') this.checkSingleDefault(kind, obj, name);
    this.checkServiceUpdate(kind, obj, current);
    if (operation === 'Update' && options.fieldManager !== undefined && options.fieldManager !== '') {
      const mf = updateManagedFields(
        current as unknown as JsonObject,
        obj as unknown as JsonObject,
        options.fieldManager,
        'Update',
        subresource === '' ? { now: this.now() } : { now: this.now(), subresource },
      );
      obj = withManagedFields(obj, mf);
    }
    const key = this.keyOf(kind, namespace, name);
    if (options.dryRun === true) return { object: obj as T, created: false, warnings };
    const tracked = this.beginPriorityClassWrite(kind);
    try {
      const kv = await this.store.update(key, stripForStorage(obj), expected ?? currentRv);
      if (kind === eventKind) this.eventWritten(kv);
      if (shouldDeleteAfterUpdate(kv.value)) {
        const deleted = await this.store.delete(key, { expectedModRevision: kv.modRevision }).catch((e: unknown) => {
          if (e instanceof ConflictError || e instanceof KeyNotFoundError) return undefined;
          throw e;
        });
        if (deleted !== undefined) this.releaseForDelete(kind, deleted.value);
      }
      return { object: this.stored(kind, namespace, kv) as T, created: false, warnings };
    } catch (e) {
      throw this.translate(e, kind, name);
    } finally {
      if (tracked) this.endPriorityClassWrite();
    }
  }

  private applyPatch(
    kind: KindInfo,
    current: KubeObject,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions,
    isScale: boolean,
  ): KubeObject {
    const base = current as unknown as JsonObject;
    const gvk = isScale
      ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
      : { group: kind.group, version: kind.version, kind: kind.kind };
    switch (patchType) {
      case 'json':
        return applyJsonPatch(base, patch) as unknown as KubeObject;
      case 'merge':
        return applyMergePatch(base, patch) as unknown as KubeObject;
      case 'strategic':
        return applyStrategicMergePatch(base, patch, gvk) as unknown as KubeObject;
      case 'apply': {
        const applied = asJsonObject(patch);
        const result = applyServerSideApply(base, applied, {
          manager: options.fieldManager ?? '',
          force: options.force === true,
          now: this.now(),
          gvk,
        });
        return result.object as unknown as KubeObject;
      }
      default: {
        const never: never = patchType;
        throw badRequest(`unsupported patch type ${String(never)}`);
      }
    }
  }

  private async createByApply<T extends KubeObject>(
    kind: KindInfo,
    namespace: string,
    name: string,
    patch: unknown,
    options: PatchOptions,
  ): Promise<WriteResult<T>> {
    const applied = asJsonObject(patch);
    const result = applyServerSideApply(undefined, applied, {
      manager: options.fieldManager ?? '',
      force: options.force === true,
      now: this.now(),
      gvk: { group: kind.group, version: kind.version, kind: kind.kind },
    });
    const obj = result.object as unknown as KubeObject;
    if ((obj.metadata?.name ?? '') !== name) {
      throw badRequest(`the name of the object (${obj.metadata?.name ?? ''}) does not match the name on the URL (${name})`);
    }
    // The managed fields computed by apply are kept: create() would otherwise record an Update.
    const { fieldManager: _ignored, ...rest } = options;
    return this.create<T>(
      { group: kind.group, version: kind.version, plural: kind.plural },
      namespace,
      obj,
      { ...rest, fieldValidation: options.fieldValidation ?? 'Strict' },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Subresources

  private async createSubresource(
    kind: KindInfo,
    namespace: string,
    name: string,
    subresource: string,
    body: KubeObject,
    options: WriteOptions,
  ): Promise<WriteResult<KubeObject>> {
    if (kind.plural === 'pods' && kind.group === '' && subresource === 'binding') {
      return this.bind(kind, namespace, name, body, options);
    }
    if (kind.plural === 'pods' && kind.group === '' && subresource === 'eviction') {
      await this.delete({ group: '', version: 'v1', plural: 'pods' }, namespace, name, evictionDeleteOptions(body));
      return { object: successStatus(kind, name, undefined, 201) as unknown as KubeObject, created: true, warnings: [] };
    }
    throw new StatusError('MethodNotAllowed', `the server does not allow this method on the requested resource (post ${kind.plural}/${subresource})`);
  }

  /** pods/binding: sets spec.nodeName once, and the PodScheduled condition. */
  private async bind(
    kind: KindInfo,
    namespace: string,
    name: string,
    body: KubeObject,
    options: WriteOptions,
  ): Promise<WriteResult<KubeObject>> {
    const b = body as unknown as { metadata?: ObjectMeta; target?: { kind?: string; name?: string } };
    const bindingName = b.metadata?.name ?? name;
    if (bindingName !== name) {
      throw badRequest(`the name of the object (${bindingName}) does not match the name on the URL (${name})`);
    }
    const nodeName = b.target?.name ?? '';
    if (nodeName === '') {
      throw invalidError({ ...kind, kind: 'Binding' }, name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '', badValue: '' }]);
    }
    const key = this.keyOf(kind, namespace, name);
    const bindingResource = { group: '', resource: 'pods/binding' };
    for (let attempt = 0; ; attempt++) {
      const pod = this.current(kind, namespace, name);
      if (pod === undefined) throw notFound(qr(kind), name);
      const spec = (pod.spec ?? {}) as Fields;
      if (pod.metadata.deletionTimestamp !== undefined) {
        throw conflict(bindingResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      }
      const assigned = spec['nodeName'];
      if (typeof assigned === 'string' && assigned !== '') {
        throw conflict(bindingResource, name, `pod ${name} is already assigned to node "${assigned}"`);
      }
      const status = (pod.status ?? {}) as Fields;
      const conditions = Array.isArray(status['conditions']) ? (status['conditions'] as Fields[]).filter((c) => c['type'] !== 'PodScheduled') : [];
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTimestamp(this.now().getTime()) });
      const updated: KubeObject = { ...pod, spec: { ...spec, nodeName }, status: { ...status, conditions } };
      if (options.dryRun === true) return { object: successStatus(kind, name, undefined, 201) as unknown as KubeObject, created: true, warnings: [] };
      try {
        await this.store.update(key, stripForStorage(updated), parseRevision(pod.metadata.resourceVersion ?? '0'));
        return { object: successStatus(kind, name, undefined, 201) as unknown as KubeObject, created: true, warnings: [] };
      } catch (e) {
        if (e instanceof ConflictError && attempt < conflictRetriesMax) continue;
        throw this.translate(e, kind, name);
      }
    }
  }

  /** PUT or PATCH of a Scale: writes spec.replicas into the parent. */
  private async updateScale(
    kind: KindInfo,
    namespace: string,
    name: string,
    scaleBody: KubeObject,
    options: WriteOptions,
    readParent?: KubeObject,
  ): Promise<WriteResult<KubeObject>> {
    const parent = readParent ?? this.current(kind, namespace, name);
    if (parent === undefined) throw notFound(qr(kind), name);
    const scale = scaleBody as unknown as { metadata?: ObjectMeta; spec?: { replicas?: unknown } };
    const replicas = scale.spec?.replicas ?? 0;
    const scaleKind: KindInfo = { ...kind, group: 'autoscaling', version: 'v1', apiVersion: 'autoscaling/v1', kind: 'Scale' };
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
      throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
    }
    if (replicas < 0) {
      throw invalidError(scaleKind, name, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    }
    const rv = scale.metadata?.resourceVersion;
    const expected = rv === undefined || rv === '' ? undefined : parseRevision(rv);
    const updated: KubeObject = { ...parent, spec: { ...((parent.spec ?? {}) as Fields), replicas } };
    const result = await this.writeUpdate(kind, namespace, name, parent, updated, expected, options, '', [], 'Update');
    return { object: scaleOf(kind, result.object), created: false, warnings: result.warnings };
  }

  // ---------------------------------------------------------------------------------------------
  // Priority admission (plugin/pkg/admission/priority)

  /**
   * A new Pod's priority from its PriorityClass: the named one (403 when there is none), else
   * the globalDefault one (its name written to the Pod), else 0. A priority or preemptionPolicy
   * the user set must equal the computed one (403). `pod` is this call's own defaulted copy;
   * defaulting leaves both fields alone, so this is the one place that sets them.
   */
  private admitPodPriority(kind: KindInfo, pod: KubeObject): void {
    if (!isFields(pod.spec)) return;
    const spec = pod.spec;
    const userPriority = spec['priority'];
    const userPreemptionPolicy = spec['preemptionPolicy'];
    const className = typeof spec['priorityClassName'] === 'string' ? spec['priorityClassName'] : '';
    let choice: PriorityChoice;
    if (className === '') {
      choice = this.globalDefaultPriority();
      if (choice.name !== '') spec['priorityClassName'] = choice.name;
    } else {
      const found = this.priorityClassNamed(className);
      if (found === undefined) throw forbiddenError(kind, pod.metadata.name ?? '', `no PriorityClass with name ${className} was found`);
      choice = found;
    }
    const name = pod.metadata.name ?? '';
    if (userPriority !== undefined && userPriority !== choice.value) {
      throw forbiddenError(
        kind,
        name,
        `the integer value of priority (${String(userPriority)}) must not be provided in pod spec; priority admission controller computed ${choice.value} from the given PriorityClass name`,
      );
    }
    spec['priority'] = choice.value;
    if (userPreemptionPolicy !== undefined && userPreemptionPolicy !== choice.preemptionPolicy) {
      throw forbiddenError(
        kind,
        name,
        `the string value of PreemptionPolicy (${String(userPreemptionPolicy)}) must not be provided in pod spec; priority admission controller computed ${choice.preemptionPolicy} from the given PriorityClass name`,
      );
    }
    spec['preemptionPolicy'] = choice.preemptionPolicy;
  }

  /** A PriorityClass by name; the two system classes exist even before they are stored. */
  private priorityClassNamed(name: string): PriorityChoice | undefined {
    if (priorityClassKind === undefined) return undefined;
    const pc = this.cacheOf(priorityClassKind).get('', name);
    if (pc !== undefined) return priorityChoiceOf(pc);
    const builtin = builtinPriorityClasses.get(name);
    return builtin === undefined ? undefined : { name, value: builtin, preemptionPolicy: 'PreemptLowerPriority' };
  }

  /** The globalDefault class; with several (a race), the lowest value, as kube picks. */
  private globalDefaultPriority(): PriorityChoice {
    const cached = this.defaultPriority;
    if (cached !== undefined) return cached;
    let choice = noDefaultPriority;
    if (priorityClassKind !== undefined) {
      for (const pc of this.cacheOf(priorityClassKind).listNow({}).items) {
        if ((pc as unknown as Fields)['globalDefault'] !== true) continue;
        const c = priorityChoiceOf(pc);
        if (choice === noDefaultPriority || c.value < choice.value) choice = c;
      }
    }
    if (this.priorityClassWritesInFlight === 0) this.defaultPriority = choice;
    return choice;
  }

  /** At most one globalDefault class: another one may not be created or marked (403). */
  private checkSingleDefault(kind: KindInfo, pc: KubeObject, updatedName: string | undefined): void {
    if ((pc as unknown as Fields)['globalDefault'] !== true) return;
    const existing = this.globalDefaultPriority();
    if (existing.name === '' || existing.name === updatedName) return;
    throw forbiddenError(
      kind,
      pc.metadata.name ?? '',
      `PriorityClass ${existing.name} is already marked as default. Only one default can exist`,
    );
  }

  /** Starts a write that may change the PriorityClasses: the kept default is dropped. */
  private beginPriorityClassWrite(kind: KindInfo): boolean {
    if (kind !== priorityClassKind) return false;
    this.priorityClassWritesInFlight++;
    this.defaultPriority = undefined;
    return true;
  }

  /** Ends it (the cache has the commit by now): the default is read again on next use. */
  private endPriorityClassWrite(): void {
    this.priorityClassWritesInFlight--;
    this.defaultPriority = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Services: cluster IPs and node ports

  private loadAllocators(): void {
    if (this.allocatorsLoaded) return;
    this.allocatorsLoaded = true;
    const kind = kindByResource('', 'services');
    if (kind === undefined) return;
    const cache = this.cacheOf(kind);
    for (const svc of cache.listNow({}).items) this.markServiceUsed(svc);
  }

  private markServiceUsed(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as Fields;
    const ips = Array.isArray(spec['clusterIPs']) ? (spec['clusterIPs'] as string[]) : [];
    for (const ip of ips) this.clusterIps.markUsed(ip);
    if (typeof spec['clusterIP'] === 'string') this.clusterIps.markUsed(spec['clusterIP']);
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as Fields[]) : [];
    for (const p of ports) if (typeof p['nodePort'] === 'number') this.nodePorts.markUsed(p['nodePort']);
  }

  /** Allocates what a new object needs (Service IPs and ports); returns how to give them back. */
  private allocateForCreate(kind: KindInfo, obj: KubeObject): () => void {
    if (kind.group !== '' || kind.plural !== 'services') return noop;
    this.loadAllocators();
    const spec = (obj.spec ?? {}) as Fields;
    const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
    const name = obj.metadata.name ?? '';
    const allocatedIps: string[] = [];
    const allocatedPorts: number[] = [];
    const release = (): void => {
      for (const ip of allocatedIps) this.clusterIps.release(ip);
      for (const p of allocatedPorts) this.nodePorts.release(p);
    };
    try {
      if (type !== 'ExternalName' && spec['clusterIP'] !== 'None') {
        const requested = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : undefined;
        const ip = this.clusterIps.allocate(requested, 'spec.clusterIPs');
        allocatedIps.push(ip);
        spec['clusterIP'] = ip;
        spec['clusterIPs'] = [ip];
      } else if (spec['clusterIP'] === 'None') {
        spec['clusterIPs'] = ['None'];
      }
      if (type === 'NodePort' || type === 'LoadBalancer') {
        const ports = Array.isArray(spec['ports']) ? (spec['ports'] as Fields[]) : [];
        for (let i = 0; i < ports.length; i++) {
          const p = { ...(ports[i] as Fields) };
          const requested = typeof p['nodePort'] === 'number' ? p['nodePort'] : undefined;
          const port = this.nodePorts.allocate(requested, `spec.ports[${i}].nodePort`);
          allocatedPorts.push(port);
          p['nodePort'] = port;
          ports[i] = p;
        }
      }
      obj.spec = spec;
    } catch (e) {
      release();
      if (e instanceof AllocationError) {
        throw invalidError(kind, name, [invalid(e.field, e.badValue, e.detail, e.badValue)]);
      }
      throw e;
    }
    return release;
  }

  private releaseForDelete(kind: KindInfo, obj: KubeObject): void {
    if (kind.group !== '' || kind.plural !== 'services') return;
    const spec = (obj.spec ?? {}) as Fields;
    const ips = Array.isArray(spec['clusterIPs']) ? (spec['clusterIPs'] as string[]) : [];
    for (const ip of ips) this.clusterIps.release(ip);
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as Fields[]) : [];
    for (const p of ports) if (typeof p['nodePort'] === 'number') this.nodePorts.release(p['nodePort']);
  }

  /** A Service update keeps its cluster IP (clients often omit it) and its node ports. */
  private checkServiceUpdate(kind: KindInfo, obj: KubeObject, current: KubeObject): void {
    if (kind.group !== '' || kind.plural !== 'services') return;
    const spec = (obj.spec ?? {}) as Fields;
    const old = (current.spec ?? {}) as Fields;
    if ((spec['clusterIP'] === undefined || spec['clusterIP'] === '') && old['clusterIP'] !== undefined) {
      spec['clusterIP'] = old['clusterIP'];
      spec['clusterIPs'] = old['clusterIPs'];
    }
    const oldPorts = Array.isArray(old['ports']) ? (old['ports'] as Fields[]) : [];
    const ports = Array.isArray(spec['ports']) ? (spec['ports'] as Fields[]) : [];
    const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
    if (type === 'NodePort' || type === 'LoadBalancer') {
      this.loadAllocators();
      for (let i = 0; i < ports.length; i++) {
        const p = { ...(ports[i] as Fields) };
        if (typeof p['nodePort'] !== 'number' || p['nodePort'] === 0) {
          const same = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === (p['protocol'] ?? 'TCP'));
          p['nodePort'] =
            same !== undefined && typeof same['nodePort'] === 'number'
              ? same['nodePort']
              : this.nodePorts.allocate(undefined, `spec.ports[${i}].nodePort`);
          ports[i] = p;
        }
      }
    }
    obj.spec = spec;
  }

  // ---------------------------------------------------------------------------------------------
  // Event TTL

  /** An Event was created or updated: it now lives until eventTtlMs from now. */
  private eventWritten(kv: KeyValue<KubeObject>): void {
    if (this.eventTtlMs === 0) return;
    this.seedEventExpiry();
    const meta = kv.value.metadata;
    this.eventExpiry.push({
      expiresAtMs: this.now().getTime() + this.eventTtlMs,
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      revision: kv.modRevision,
    });
  }

  /**
   * Queues the Events the cache holds that no write of this process has queued (those from before
   * a restart), each from the latest time it records: its creation, its managedFields, its
   * lastTimestamp / eventTime / series.lastObservedTime. No later than now.
   */
  private seedEventExpiry(): void {
    if (this.eventExpirySeeded || eventKind === undefined) return;
    const cache = this.cacheOf(eventKind);
    if (!cache.ready) return;
    this.eventExpirySeeded = true;
    const nowMs = this.now().getTime();
    const entries = cache.listNow({}).entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      this.eventExpiry.push({
        expiresAtMs: eventLastWriteMs(e.object, nowMs) + this.eventTtlMs,
        namespace: e.namespace,
        name: e.name,
        revision: e.modRevision,
      });
    }
    sortByExpiry(this.eventExpiry);
  }

  private sweepOnTimer(): void {
    if (this.eventSweep !== undefined) return;
    this.sweepExpiredEvents().catch((e: unknown) => {
      process.emitWarning(`event TTL sweep failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /**
   * Deletes the Events whose TTL has run out, as an etcd lease expiring would (no finalizers, no
   * grace: the key goes, watchers see DELETED). Examines at most limits.eventTtlSweepEntriesMax
   * queue entries; an entry whose Event was written again since (a later entry is queued) or is
   * gone is dropped. Resolves to how many Events it deleted. The timer calls it; tests may too
   * (after the sweep under way, if any).
   */
  async sweepExpiredEvents(): Promise<number> {
    while (this.eventSweep !== undefined) await this.eventSweep.catch(noop);
    const sweep = this.sweepOnce();
    this.eventSweep = sweep;
    try {
      return await sweep;
    } finally {
      if (this.eventSweep === sweep) this.eventSweep = undefined;
    }
  }

  private async sweepOnce(): Promise<number> {
    if (this.eventTtlMs === 0 || eventKind === undefined) return 0;
    this.seedEventExpiry();
    const q = this.eventExpiry;
    const cache = this.cacheOf(eventKind);
    const nowMs = this.now().getTime();
    const deletes: Promise<boolean>[] = [];
    for (let n = 0; n < limits.eventTtlSweepEntriesMax && (q.peek()?.expiresAtMs ?? Number.POSITIVE_INFINITY) <= nowMs; n++) {
      const { namespace, name, revision } = q.shift() as EventExpiryEntry;
      if (cache.getEntry(namespace, name)?.modRevision !== revision) continue;
      const key = this.keyOf(eventKind, namespace, name);
      deletes.push(
        this.store.delete(key, { expectedModRevision: revision }).then(
          () => true,
          (e: unknown) => {
            // Written or deleted meanwhile: the later write has its own entry.
            if (e instanceof ConflictError || e instanceof KeyNotFoundError) return false;
            throw e;
          },
        ),
      );
    }
    let deleted = 0;
    for (const ok of await Promise.all(deletes)) if (ok) deleted++;
    return deleted;
  }

  // ---------------------------------------------------------------------------------------------

  /** Store errors → Kubernetes Status errors. */
  private translate(e: unknown, kind: KindInfo, name: string): StatusError {
    if (e instanceof StatusError) return e;
    if (e instanceof KeyExistsError) return alreadyExists(qr(kind), name);
    if (e instanceof KeyNotFoundError) return notFound(qr(kind), name);
    if (e instanceof ConflictError) return conflict(qr(kind), name, conflictStaleMessage);
    if (e instanceof ObjectTooLargeError) {
      return new StatusError('RequestEntityTooLarge', `Request entity too large: limit is ${e.sizeBytesMax}`);
    }
    throw e;
  }
}

function noop(): void {}

/**
 * When Events expire, in write order. kube-apiserver gives an Event an etcd lease of --event-ttl
 * on every create and update; here the registry, which sees every write, queues
 * (expiresAtMs, namespace, name, modRevision) per write. With one TTL, write order is expiry
 * order, so the queue is a FIFO: the sweep pops from the head while it has expired. An Event
 * written again has a later entry; its earlier ones no longer match its revision and are dropped.
 *
 *   head →  [t0 ns/a r5] [t1 ns/b r6] [t2 ns/a r9] …   (t0 <= t1 <= t2)
 *            a@r5 is stale (a is at r9 now): popped at t0 without a delete; a goes at t2.
 */
interface EventExpiryEntry {
  readonly expiresAtMs: number;
  readonly namespace: string;
  readonly name: string;
  readonly revision: number;
}

/** Restores expiry order after the seed (once, at start: the only out-of-order pushes). */
function sortByExpiry(queue: Fifo<EventExpiryEntry>): void {
  const entries = queue.drain();
  // Stable: equal times keep write order.
  entries.sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  for (const e of entries) queue.push(e);
}

/** The latest time an Event records about itself, in epoch ms, no later than `nowMs`. */
function eventLastWriteMs(event: KubeObject, nowMs: number): number {
  const e = event as unknown as Fields;
  let latest = Number.NEGATIVE_INFINITY;
  const consider = (v: unknown): void => {
    if (typeof v !== 'string') return;
    const t = Date.parse(v);
    if (t > latest) latest = t;
  };
  consider(event.metadata.creationTimestamp);
  const managed = event.metadata.managedFields;
  if (Array.isArray(managed)) for (const m of managed as unknown[]) if (isFields(m)) consider(m['time']);
  consider(e['lastTimestamp']);
  consider(e['eventTime']);
  const series = e['series'];
  if (isFields(series)) consider(series['lastObservedTime']);
  return latest === Number.NEGATIVE_INFINITY || latest > nowMs ? nowMs : latest;
}

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function priorityChoiceOf(pc: KubeObject): PriorityChoice {
  const f = pc as unknown as Fields;
  const value = typeof f['value'] === 'number' ? f['value'] : 0;
  const policy = typeof f['preemptionPolicy'] === 'string' ? f['preemptionPolicy'] : 'PreemptLowerPriority';
  return { name: pc.metadata.name ?? '', value, preemptionPolicy: policy };
}

/** On update the Priority plugin keeps what it set on create when the new Pod omits it. */
function keepPodPriority(pod: KubeObject, current: KubeObject): void {
  if (!isFields(pod.spec) || !isFields(current.spec)) return;
  const spec = pod.spec;
  const old = current.spec;
  if (spec['priority'] === undefined && old['priority'] !== undefined) spec['priority'] = old['priority'];
  if (spec['preemptionPolicy'] === undefined && old['preemptionPolicy'] !== undefined) spec['preemptionPolicy'] = old['preemptionPolicy'];
}

/** admission.NewForbidden: `pods "x" is forbidden: <why>`. */
function forbiddenError(kind: KindInfo, name: string, why: string): StatusError {
  const resource = kind.group === '' ? kind.plural : `${kind.plural}.${kind.group}`;
  // Go omits an empty group (omitempty).
  const details = kind.group === '' ? { name, kind: kind.plural } : { name, group: kind.group, kind: kind.plural };
  return new StatusError('Forbidden', `${resource} ${JSON.stringify(name)} is forbidden: ${why}`, details);
}

/**
 * An update without a resourceVersion on a kind that refuses unconditional updates. The store
 * names the resource (not the kind) in this one (`leases.coordination.k8s.io "x" is invalid`)
 * and prints the missing version as Go's %#v of uint64 zero.
 */
function resourceVersionRequired(kind: KindInfo, name: string): StatusError {
  return invalidError({ ...kind, kind: kind.plural }, name, [
    invalid('metadata.resourceVersion', 0, 'must be specified for an update', '0x0'),
  ]);
}

function isConflictRetry(e: unknown, patched: KubeObject): boolean {
  return e instanceof StatusError && e.reason === 'Conflict' && (patched.metadata?.resourceVersion ?? '') !== '';
}

/** The object as stored: resourceVersion comes from the store's revision, never from the body. */
function stripForStorage(obj: KubeObject): KubeObject {
  if (obj.metadata.resourceVersion === undefined) return obj;
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function withManagedFields(obj: KubeObject, managedFields: readonly unknown[]): KubeObject {
  const metadata = { ...obj.metadata } as ObjectMeta;
  if (managedFields.length === 0) delete metadata.managedFields;
  else metadata.managedFields = managedFields as NonNullable<ObjectMeta['managedFields']>;
  return { ...obj, metadata };
}

function asJsonObject(v: unknown): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest('error decoding YAML: the apply configuration must be an object');
  }
  return v as JsonObject;
}


function checkPreconditions(kind: KindInfo, name: string, current: KubeObject, options: DeleteOptions): void {
  const p = options.preconditions;
  if (p === undefined) return;
  if (p.uid !== undefined && p.uid !== current.metadata.uid) {
    throw conflict(qr(kind), name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  if (p.resourceVersion !== undefined && p.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      qr(kind),
      name,
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
    );
  }
}

function evictionDeleteOptions(body: KubeObject): DeleteOptions {
  const d = (body as unknown as { deleteOptions?: DeleteOptions }).deleteOptions;
  return d ?? {};
}

/** The autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet. */
export function scaleOf(kind: KindInfo, obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Fields;
  const status = (obj.status ?? {}) as Fields;
  const selector = spec['selector'] as Parameters<typeof labelSelectorToString>[0];
  const metadata: ObjectMeta = {
    name: obj.metadata.name ?? '',
    ...(kind.namespaced ? { namespace: obj.metadata.namespace ?? '' } : {}),
    ...(obj.metadata.uid === undefined ? {} : { uid: obj.metadata.uid }),
    ...(obj.metadata.resourceVersion === undefined ? {} : { resourceVersion: obj.metadata.resourceVersion }),
    ...(obj.metadata.creationTimestamp === undefined ? {} : { creationTimestamp: obj.metadata.creationTimestamp }),
  };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 0 },
    status: {
      replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0,
      selector: labelSelectorToString(selector ?? null),
    },
  };
}

export type { KeyValue, FieldError };
