// The cluster API as one interface. Three things implement or use it:
//   - the registry (src/net/server/registry): the real thing, in-process, no encoding;
//   - the HTTP client (src/net/client/http-client): the same calls over HTTP with msgpack;
//   - the HTTP server (src/net/server/http-server) maps each route onto one call.
// Controllers, the scheduler and node agents see only this, so the same code runs in the
// all-in-one process and split across processes.
//
// Options carry the Kubernetes query parameters by their Kubernetes names.

import type { KubeList, KubeObject } from '../core/api/types.js';
import type { Status } from '../core/errors.js';
import type { PatchType } from './server/negotiate.js';

export type { PatchType };

/** Identifies a resource: group ('' for core), version and plural (`apps`, `v1`, `deployments`). */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export interface GetOptions {
  readonly resourceVersion?: string;
}

export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: ResourceVersionMatch;
}

export interface WatchOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly timeoutSeconds?: number;
  readonly sendInitialEvents?: boolean;
  readonly resourceVersionMatch?: ResourceVersionMatch;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: FieldValidation;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take ownership of conflicting fields. */
  readonly force?: boolean;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface Preconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface DeleteOptions {
  readonly dryRun?: boolean;
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: PropagationPolicy;
  readonly preconditions?: Preconditions;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: WatchEventType;
  /** The object; a Status for ERROR events; for BOOKMARK only kind/apiVersion/metadata. */
  readonly object: T | Status;
}

/**
 * A running watch. Iterate it for events; it ends when the server ends it (timeout, overflow,
 * expiry: an ERROR event comes first) or when `close()` is called.
 */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
  /**
   * Optional batch reading, for consumers of many events (one promise per batch, not per event):
   * every event ready now, in order (at least one; waits for one), or undefined once the stream
   * has ended. The array is the caller's. Do not mix with iteration on the same stream.
   */
  nextBatch?(): Promise<readonly WatchEvent<T>[] | undefined>;
}

/**
 * The events of `stream` in batches: through `nextBatch` when the stream has it, else gathered
 * one by one (a batch of one event each).
 */
export async function* watchBatches<T extends KubeObject>(stream: WatchStream<T>): AsyncGenerator<readonly WatchEvent<T>[], void, undefined> {
  if (stream.nextBatch !== undefined) {
    for (;;) {
      const batch = await stream.nextBatch();
      if (batch === undefined) return;
      yield batch;
    }
  }
  for await (const ev of stream) yield [ev];
}

/** Outcome of a write that returns the object, plus warnings (fieldValidation=Warn). */
export interface WriteResult<T extends KubeObject = KubeObject> {
  readonly object: T;
  /** True when the write created the object (server-side apply on an absent object: 201). */
  readonly created: boolean;
  readonly warnings: readonly string[];
}

/** DELETE answers with the object when it is still there (finalizers, grace) or a Status. */
export interface DeleteResult<T extends KubeObject = KubeObject> {
  readonly object: T | Status;
  /** True when the object is gone; false when deletion started but the object remains. */
  readonly gone: boolean;
}

export interface ClusterApi {
  get<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    options?: GetOptions,
    subresource?: string,
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    options?: ListOptions,
  ): Promise<KubeList<T>>;
  watch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    options?: WatchOptions,
  ): Promise<WatchStream<T>>;
  create<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: { readonly name: string; readonly subresource: string },
  ): Promise<WriteResult<T>>;
  update<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: string,
  ): Promise<WriteResult<T>>;
  patch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
    subresource?: string,
  ): Promise<WriteResult<T>>;
  delete<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    options?: DeleteOptions,
  ): Promise<DeleteResult<T>>;
  deleteCollection<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    listOptions?: ListOptions,
    options?: DeleteOptions,
  ): Promise<KubeList<T>>;
}
