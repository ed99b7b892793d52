// The storage interface every backend implements: the embedded LMDB MVCC store (default) and,
// later, a real etcd cluster. It is etcd's model, narrowed to what a Kubernetes API server needs:
//
//   - one global revision, bumped once per committed write, strictly increasing, never reused;
//     it is the resourceVersion clients see;
//   - per key: createRevision (revision of the write that created it), modRevision (revision of
//     its last write) and version (number of writes since creation, 1 on create);
//   - writes are compare-and-swap on modRevision; a write is acknowledged (its promise resolves)
//     only once its transaction is durable on disk;
//   - history is kept back to `compactedRevision`; reading or streaming events from below it fails
//     with CompactedError;
//   - committed writes are published, in revision order, to subscribers (src/watch feeds on them).
//
// Keys are strings such as `/pods/default/nginx-1`; prefixes end in `/`. Values are plain,
// serializable JS values (Kubernetes objects); the store encodes them itself.

export type Revision = number;

/** One key's value at one revision. Objects handed out are frozen: never mutate them. */
export interface KeyValue<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly createRevision: Revision;
  readonly modRevision: Revision;
  /** Writes since creation: 1 after create, +1 per update. */
  readonly version: number;
  /**
   * The value's MessagePack encoding as stored (standard maps, no records), when the store has it
   * at hand: on what a write resolves to and on its event, not on values read back. Read-only
   * bytes; a writer of responses may reuse them instead of encoding `value` again. Not an
   * enumerable property, so a write's result still compares equal to the same value read back.
   */
  readonly encoded?: Uint8Array | undefined;
}

export type StoreEventType = 'create' | 'update' | 'delete';

/**
 * One committed write. `revision` is the write's revision. For 'create' and 'update', `kv` is the
 * new value (kv.modRevision === revision). For 'delete', `kv` is undefined and `prev` is the value
 * that was deleted. `prev` is the value before the write ('update' and 'delete').
 */
export interface StoreEvent<T = unknown> {
  readonly type: StoreEventType;
  readonly key: string;
  readonly revision: Revision;
  readonly kv: KeyValue<T> | undefined;
  readonly prev: KeyValue<T> | undefined;
}

export interface ListOptions {
  /** Read at this revision (default: the current one). Below compactedRevision: CompactedError. */
  readonly revision?: Revision;
  /** At most this many items; `more` tells whether others follow. */
  readonly limit?: number;
  /** Start after this key (exclusive): the `continueKey` of the previous page. */
  readonly startAfter?: string;
}

export interface ListResult<T = unknown> {
  readonly items: readonly KeyValue<T>[];
  /** The revision the list is consistent at: pass it back to read the next page. */
  readonly revision: Revision;
  /** True when items were cut by `limit`; then `continueKey` is the last key returned. */
  readonly more: boolean;
  readonly continueKey: string | undefined;
}

export interface DeleteOptions {
  /** Delete only if the key's modRevision is this (else ConflictError). */
  readonly expectedModRevision?: Revision;
}

/**
 * The function given to guaranteedUpdate: it receives the current value (undefined if absent) and
 * returns the new value, or `undefined` to leave the key as it is (no write, no new revision), or
 * throws to abort. It may be called several times: it must not have side effects.
 */
export type UpdateFunction<T> = (current: KeyValue<T> | undefined) => T | undefined;

export interface GuaranteedUpdateOptions {
  /**
   * As in Kubernetes' GuaranteedUpdate: when true and the key does not exist, the function is
   * called with `undefined` (and a returned value creates the key); when false (the default), an
   * absent key fails with KeyNotFoundError without calling the function.
   */
  readonly ignoreNotFound?: boolean;
  /** Retries on conflict before giving up with ConflictError (default 16). */
  readonly attemptsMax?: number;
}

export interface CreateOptions {
  /**
   * The caller hands `value` over: nothing else holds or changes it any more. The store then
   * freezes it in place (dropping undefined properties, as the encoding does) instead of making a
   * frozen copy of it for the result and the event.
   */
  readonly owned?: boolean;
}

export type Unsubscribe = () => void;

/**
 * Receives committed events in revision order, in batches (one batch per durable commit, often).
 * Called synchronously by the store: do not block, do not throw. The arrays and events are frozen.
 */
export type StoreEventListener<T = unknown> = (events: readonly StoreEvent<T>[]) => void;

export interface Store<T = unknown> {
  /** The revision of the last acknowledged write (0 for a new store). */
  readonly currentRevision: Revision;
  /** History below this revision is gone. */
  readonly compactedRevision: Revision;

  /** Creates the key. KeyExistsError if it exists. */
  create(key: string, value: T, options?: CreateOptions): Promise<KeyValue<T>>;

  /**
   * The key's value at `revision` (default: current), or undefined if absent then.
   * CompactedError below compactedRevision; FutureRevisionError above currentRevision.
   */
  get(key: string, revision?: Revision): Promise<KeyValue<T> | undefined>;

  /** Keys starting with `prefix`, in byte order, consistent at one revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult<T>>;

  /**
   * Replaces the key's value if its modRevision is `expectedModRevision`.
   * KeyNotFoundError if absent; ConflictError if modRevision differs.
   */
  update(key: string, value: T, expectedModRevision: Revision): Promise<KeyValue<T>>;

  /** Deletes the key; resolves to the deleted value. KeyNotFoundError if absent. */
  delete(key: string, options?: DeleteOptions): Promise<KeyValue<T>>;

  /** Read-modify-write that re-reads and retries on conflict. Resolves to the value after. */
  guaranteedUpdate(
    key: string,
    update: UpdateFunction<T>,
    options?: GuaranteedUpdateOptions,
  ): Promise<KeyValue<T> | undefined>;

  /**
   * Drops history below `revision`: reads at a revision below it, and subscriptions after one,
   * fail with CompactedError from the moment this is called; reads at `revision` itself still
   * work. At or below compactedRevision it changes nothing; above currentRevision it fails with
   * FutureRevisionError. Resolves once the old history is removed from disk.
   */
  compact(revision: Revision): Promise<void>;

  /**
   * Delivers every committed event with revision > `afterRevision`, in order: first those already
   * in history (CompactedError, thrown synchronously, if afterRevision < compactedRevision), then
   * each new commit as it becomes durable. The history part is delivered synchronously, before
   * subscribe returns (so the listener may run before the Unsubscribe is in the caller's hands).
   * An afterRevision above the current revision is allowed: delivery starts after it.
   */
  subscribe(afterRevision: Revision, listener: StoreEventListener<T>): Unsubscribe;

  /** Waits for in-flight writes, then closes. Further calls fail. */
  close(): Promise<void>;
}

// Errors. Named classes with stable codes, as etcd's ErrCompacted / ErrFutureRev.

export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super('COX_STORE_KEY_EXISTS', `key already exists: ${key}`);
  }
}

export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super('COX_STORE_KEY_NOT_FOUND', `key not found: ${key}`);
  }
}

export class ConflictError extends StoreError {
  constructor(
    readonly key: string,
    readonly expectedModRevision: Revision,
    readonly actualModRevision: Revision,
  ) {
    super(
      'COX_STORE_CONFLICT',
      `conflict on ${key}: expected modRevision ${expectedModRevision}, found ${actualModRevision}`,
    );
  }
}

export class CompactedError extends StoreError {
  constructor(
    readonly requestedRevision: Revision,
    readonly compactedRevision: Revision,
  ) {
    super(
      'COX_STORE_COMPACTED',
      `revision ${requestedRevision} has been compacted (oldest available: ${compactedRevision})`,
    );
  }
}

export class FutureRevisionError extends StoreError {
  constructor(
    readonly requestedRevision: Revision,
    readonly currentRevision: Revision,
  ) {
    super(
      'COX_STORE_FUTURE_REVISION',
      `revision ${requestedRevision} is newer than the current revision ${currentRevision}`,
    );
  }
}

export class ObjectTooLargeError extends StoreError {
  constructor(
    readonly key: string,
    readonly sizeBytes: number,
    readonly sizeBytesMax: number,
  ) {
    super(
      'COX_STORE_OBJECT_TOO_LARGE',
      `object ${key} is ${sizeBytes} bytes encoded, over the limit of ${sizeBytesMax} bytes`,
    );
  }
}

export class InvalidKeyError extends StoreError {
  constructor(readonly key: string, readonly why: string) {
    super('COX_STORE_INVALID_KEY', `invalid key ${JSON.stringify(key.slice(0, 80))}: ${why}`);
  }
}

export class StoreLockedError extends StoreError {
  constructor(readonly path: string, readonly holderPid: number | undefined) {
    super(
      'COX_STORE_LOCKED',
      `data directory ${path} is in use by another process` +
        (holderPid === undefined ? '' : ` (pid ${holderPid})`) +
        '; stop it or choose another --data-dir',
    );
  }
}

/** Too many writes wait for their commit (the disk is behind); retry later (429 at the API). */
export class StoreBusyError extends StoreError {
  constructor(readonly pendingWritesMax: number) {
    super(
      'COX_STORE_BUSY',
      `too many writes waiting for their commit (${pendingWritesMax}); retry later`,
    );
  }
}

export class StoreClosedError extends StoreError {
  constructor() {
    super('COX_STORE_CLOSED', 'the store is closed');
  }
}
