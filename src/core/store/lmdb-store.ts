// The embedded MVCC store: the Store interface over LMDB (lmdb-js), etcd's model in one process.
//
// ## Layout (codec.ts has the bytes)
//
//   <path>/        the durable environment, every commit synced (no noSync, no overlappingSync):
//     log          revision → {type, key, createRevision, version, prevModRevision, time, value}
//     meta         'revision' (written by compaction commits only: the last log key is the
//                  revision otherwise), 'compacted' (reads below fail; written when it moves),
//                  'compactedThrough' (compaction's physical scan position), 'owner' (owner.ts)
//   <path>/index/  the key index, an environment written without sync, derived from the log and
//                  written behind it, a few thousand heads at a time (below):
//     kv           key → head {modRevision, createRevision, version}; version 0 is a tombstone
//     meta         'revision' (the log revision the index reflects)
//   in memory      #unindexed: the heads committed to the log since the last index write
//
// A value is written once, in the log entry of the revision that wrote it; the kv head points at
// it, and every log entry points back at the key's previous entry. Worked example, one key:
//
//   rev 5  create /a {n:1}   log[5] = create  prev 0   kv[/a] = {mod 5, create 5, version 1}
//   rev 8  update /a {n:2}   log[8] = update  prev 5   kv[/a] = {mod 8, create 5, version 2}
//   rev 9  delete /a         log[9] = delete  prev 8   kv[/a] = {mod 9, tombstone}
//   rev 12 create /a {n:7}   log[12] = create prev 9   kv[/a] = {mod 12, create 12, version 1}
//
//   get /a at 10: kv mod 12 > 10 → log[12].prev = 9 ≤ 10 → log[9] is a delete → absent
//   get /a at 8:  12 → 9 → 8 ≤ 8 → log[8] = {n:2}, create 5, version 2
//   events after 7: log[8..12] in order; prev of 8 is log[5], prev of 9 is log[8]
//
// Cost of a read at revision R: one kv lookup plus one log lookup per write to that key after R;
// a list at R walks every key under the prefix (tombstones included until compacted) the same
// way. Reads at the current revision are one kv and one log lookup per key.
//
// Why the index is not synced: keys arrive in no order, so each write dirties its own kv leaf
// page, and syncing 64 scattered 4 KiB pages per commit doubled the commit time (measured); the
// log appends in order and dirties a few pages. The index is rebuilt from the log (a scan in
// revision order) whenever the last owner did not close cleanly or the index revision differs
// from the log's; close() writes the remaining heads and fsyncs it before releasing ownership.
// The log alone can rebuild it because compaction keeps every key's newest entry (below).
// Measured again (issue 4) with the kv table as a named database of the log environment, written
// in the commit's one synced transaction: on par on a fresh store, but with 56k keys 64-writer
// CAS updates ran at about half the rate (medians of 3 alternating runs, loaded machine: 4.9k
// vs 9.1k/s, CPU 121 vs 90 us per update): each commit synced its scattered kv leaf pages.
//
// Why the index is written behind the log: a second write transaction per group commit costs
// the main thread lmdb-js's hand-off to its writer thread and back, whatever its size. A commit
// now starts one transaction, on the log; its heads wait in #unindexed (every kv read
// looks there first, a list merges them into the kv range in LMDB's key order), and once
// indexFlushKeysMin of them gathered, one unsynced index transaction writes them all, off the
// commit path (read from #indexing meanwhile). A crash loses nothing: the index is rebuilt.
//
// ## Compaction (etcd's rule: keep, per key, the newest entry at or below the compacted revision)
//
//   compact(10): scan log[.. 10] in order; each entry supersedes its prev, so log[prev] goes;
//   a delete at or below 10 goes with its tombstone. Above: log[5], log[8], log[9] removed, kv
//   tombstone kept (rev 12 re-created the key); log[12] stays. get /a at 10 walks 12 → 9:
//   log[9] is gone, and a missing entry at or below the compacted revision can only be a
//   compacted tombstone (anything else would be the newest entry ≤ 10 and kept) → absent.
//
// Logical compaction (the CompactedError boundary) moves at once; the physical removal runs in
// chunks inside the commit pipeline, persisting its scan position, so it resumes after a restart.
// History is kept by time (historyWindowMs) and by count (historyRevisionsMax); a timer
// (unref'd) compacts whatever falls out of both. Above the compacted-through position the log is
// dense (one entry per revision), so the time boundary is found by binary search.
//
// ## Writes: validate in memory, assign the revision, group commit
//
// This process owns the directory (owner.ts), so compare-and-swap is checked in JS against the
// newest state: the index plus the writes accepted but not yet durable (`pending`). A valid
// write gets the next revision at once and joins the open batch; no revision is ever burned. One
// batch commits at a time: one synced transaction on the log; writes that arrive meanwhile form
// the next batch. When it returns, the batch's heads join #unindexed, its promises resolve and
// subscribers get its events, in revision order.
//
//   t0  w1 w2 w3 accepted (revs 11 12 13)  → batch A, commit scheduled (setImmediate)
//   t1  A commits (fsync)                   ← w4 w5 accepted (revs 14 15) into batch B
//   t2  A durable: resolve w1..w3, publish 11..13; start B
//
// A crash loses only unacknowledged writes; their revisions were never visible, so reuse after a
// restart is safe. The current revision on open is the greater of meta 'revision' and the last
// log key, so it never goes back.
//
// Reads are served at `currentRevision` (the last acknowledged revision), so they see every
// acknowledged write and nothing newer: a key with writes in flight resolves its head through
// the pending writes' back pointers, never through an index entry that is ahead of the log. A get
// without a revision for a key with a pending write waits for that write's commit, so a
// get-then-update retry loop cannot spin ahead of the commit it needs.
//
// A key's value at a given modRevision never changes, so the frozen values of recent writes are
// remembered by key (#recent, a bounded ring): a head whose modRevision matches is served without
// decoding. An update reads its key's head value for the event's `prev`; this saves the decode.
//
// ## Durability: two flushes per commit, measured alternatives
//
// A synced LMDB commit writes its pages, fdatasyncs them, then writes the meta page through an
// O_DSYNC descriptor (measured here: fdatasync p50 1.1 ms, meta 0.4 ms). The meta page is not
// written per commit beyond that (no 'revision' or 'compacted' puts, see the meta table above).
// Tried and dropped: lmdb-js overlappingSync with several commits in flight (the flush runs
// outside the write lock, the next batch is written meanwhile; acknowledged only when flushed):
// with 64 closed-loop writers the next batch rarely exists before the flush ends, and the extra
// thread hand-off cost ~16% of creates/s on a quiet machine (28.5k vs 34.0k/s). Tried again with
// the API's HTTP creates (arrivals spread over time) on a loaded machine: no gain either way.
// Kept: data.mdb preallocated ahead of LMDB's last page (preallocate.ts), so both flushes
// overwrite blocks the file has instead of extending it (no filesystem journal commit per flush).
// Tried and dropped (issue 4): a log writer thread of our own (a SharedArrayBuffer ring of log
// entries, transactionSync on the thread, commits back to back, durability read from a shared
// counter). Here a commit waits for this thread's event loop at both ends (lmdb-js starts it on a
// later setImmediate and reports it through one): under 64 HTTP creators a batch took ~5 ms to
// acknowledgement for ~1 ms of system calls, and the server handled a create in p50 2.5 ms
// instead of 6-8. But the rate did not follow: with commits back to back they carried 3-5 writes
// instead of ~25, and the server's CPU per create rose from ~185 to ~230-300 µs (fsyncs, thread
// wake-ups); on 2 cores shared with the clients, CPU bounds the rate. Quiet machine, alternating
// runs (`api --phases create --no-etcd --rounds 3`): 5,216-5,380 creates/s and p99 30-33 ms as
// is, 4,734-5,301 and 35-50 ms with the thread, even when it waited up to 1-2 ms to gather a
// batch. In-process writers (the store benchmark) did gain, most for a lone writer.

import { open } from 'lmdb';
import { closeSync, fdatasyncSync, mkdirSync, openSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from '../limits.js';
import {
  LogType,
  decodeKeyRecord,
  type KeyRecord,
  decodeLogEntry,
  decodeValue,
  encodeKeyRecord,
  encodeLogEntry,
  encodeFrozenPlainTransient,
  encodeValueTransient,
  frozenPlainCopy,
  frozenPlainInPlace,
  logEntryCommitTimeMs,
  logEntryKey,
  logEntryPrevModRevision,
  logEntryType,
  logHeaderBytes,
} from './codec.js';
import { currentOwnerRecord, isOwnerAlive, isOwnerRecord, openDataDirs } from './owner.js';
import { FilePreallocator } from './preallocate.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  InvalidKeyError,
  KeyExistsError,
  KeyNotFoundError,
  ObjectTooLargeError,
  StoreBusyError,
  StoreClosedError,
  StoreLockedError,
  type CreateOptions,
  type DeleteOptions,
  type GuaranteedUpdateOptions,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Revision,
  type Store,
  type StoreEvent,
  type StoreEventListener,
  type StoreEventType,
  type Unsubscribe,
  type UpdateFunction,
} from './store.js';

/** Where `cox` keeps its data unless told otherwise (relative to the working directory). */
export const defaultDataDir = '.cox/data';

export interface LmdbStoreOptions {
  /** Data directory; created if missing. */
  readonly path: string;
  /** History older than this is compacted (default limits.historyWindowMs). */
  readonly historyWindowMs?: number;
  /** At most this many revisions of history (default limits.historyRevisionsMax). */
  readonly historyRevisionsMax?: number;
  /** Largest encoded value accepted (default limits.objectBytesMax). */
  readonly objectBytesMax?: number;
  /** How often the history window is enforced (default min(10 s, historyWindowMs / 4)). */
  readonly compactionIntervalMs?: number;
  /** Writes folded into one durable commit at most (default limits.storeCommitBatchWritesMax). */
  readonly commitBatchWritesMax?: number;
  /**
   * Writes accepted but not yet durable, at most; beyond, writes fail with StoreBusyError until
   * commits catch up (default 16 × commitBatchWritesMax).
   */
  readonly pendingWritesMax?: number;
  /**
   * Values of this many recent writes are kept (as their events carried them), so an update or a
   * read of a key written lately does not decode it again (default 8192; 0: none).
   */
  readonly recentValuesMax?: number;
  /**
   * Index heads committed but not yet written to the kv table, at most about this many before
   * they are (default 4096). Fewer: more, smaller index transactions; more: more memory.
   */
  readonly indexFlushKeysMin?: number;
}

/** Longest key accepted, in UTF-8 bytes (LMDB's key limit is larger; etcd keys are short too). */
export const keyBytesMax = 1024;
/** Log entries compaction examines per commit, so a large compaction never stalls writes. */
const compactionEntriesPerCommitMax = 4096;
/** Replayed events are handed to a new subscriber in slices of this many. */
const replaySliceEventsMax = 1024;
const compactionIntervalMsDefault = 10_000;
/**
 * The log file is kept at least this far ahead of the pages LMDB uses, extended this far past
 * them at a time (preallocate.ts: synced commits then overwrite blocks instead of extending).
 */
const logSlackBytesMin = 1 << 20;
const logPreallocateStepBytes = 2 << 20;
const recentValuesMaxDefault = 8192;
const indexFlushKeysMinDefault = 4096;

const eventTypeByLogType: Readonly<Record<LogType, StoreEventType>> = {
  [LogType.Create]: 'create',
  [LogType.Update]: 'update',
  [LogType.Delete]: 'delete',
};

/** A write accepted (validated, revision assigned) and waiting for its commit. */
class PendingWrite<T> {
  resolve: (kv: KeyValue<T>) => void = noop;
  reject: (error: Error) => void = noop;
  /**
   * The key's previous write while that one is pending too (its durable prev is
   * `prevModRevision`). Cleared when this write is published, so chains do not outlive commits.
   */
  prevPending: PendingWrite<T> | undefined;
  constructor(
    readonly event: StoreEvent<T>,
    /** What the write's promise resolves to: the new value, or the deleted one. */
    readonly result: KeyValue<T>,
    readonly prevModRevision: Revision,
    readonly kvRecord: Buffer,
    readonly logEntry: Buffer,
    readonly batch: Batch<T>,
    prevPending: PendingWrite<T> | undefined,
  ) {
    this.prevPending = prevPending;
  }
}

/** Writes that commit together. `durable` resolves (never rejects) once the commit is over. */
class Batch<T> {
  readonly writes: PendingWrite<T>[] = [];
  readonly durable: Promise<void>;
  settle: () => void = noop;
  constructor() {
    this.durable = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
  }
}

interface CompactionWaiter {
  readonly revision: Revision;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** One compaction chunk: the removals to make and how far the scan got. */
interface CompactionPlan {
  readonly logRevisions: Revision[];
  readonly kvKeys: string[];
  readonly through: Revision;
}

type Subscriber<T> = {
  readonly listener: StoreEventListener<T>;
  /** Events at or below this revision were delivered (by replay or live). */
  deliveredThrough: Revision;
  active: boolean;
};

function noop(): void {}

// lmdb's typings describe values loosely; these are the narrow shapes the store relies on.
interface BinaryTable {
  getBinaryFast(key: string | number): Buffer | undefined;
  getRange(options: {
    start?: string | number;
    end?: string | number;
    limit?: number;
    reverse?: boolean;
  }): Iterable<{ key: string | number; value: Buffer }>;
  getKeys(options: {
    start?: string | number;
    end?: string | number;
    limit?: number;
    reverse?: boolean;
  }): Iterable<string | number>;
  put(key: string | number, value: Buffer, options?: { readonly append?: boolean }): Promise<boolean>;
  remove(key: string | number): Promise<boolean>;
  /** lmdb's statistics; `lastPageNumber` is the environment's last used page. */
  getStats(): { readonly pageSize: number; readonly lastPageNumber: number };
}
interface MetaTable {
  get(key: string): unknown;
  put(key: string, value: unknown): Promise<boolean>;
  putSync(key: string, value: unknown): void;
}
/** The kv table: values are KeyRecords, decoded by lmdb straight from its shared read buffer. */
interface IndexTable {
  get(key: string): KeyRecord | undefined;
  getRange(options: { start?: string; end?: string }): Iterable<{ key: string | number; value: KeyRecord }>;
  put(key: string, value: Buffer): Promise<boolean>;
  remove(key: string): Promise<boolean>;
  putSync(key: string, value: Buffer): void;
  clearSync(): void;
}

/**
 * lmdb calls decode with its reusable read buffer (no copy, no ArrayBuffer per read), which is
 * safe because decodeKeyRecord copies the three numbers out.
 */
const keyRecordEncoder = {
  encode: (record: Buffer): Buffer => record,
  decode: (bytes: Uint8Array): KeyRecord => decodeKeyRecord(bytes),
};
interface Environment {
  openDB(
    name: string,
    options: { encoding: 'binary' | 'msgpack' } | { encoder: typeof keyRecordEncoder },
  ): unknown;
  transactionSync<R>(action: () => R): R;
  batch(action: () => void): Promise<boolean>;
  readerCheck(): number;
  close(): Promise<void>;
}

export class LmdbStore<T = unknown> implements Store<T> {
  #currentRevision: Revision;
  #compactedRevision: Revision;
  /** Compaction's physical scan reached here: every log entry at or below was examined. */
  #compactedThrough: Revision;
  /** Last revision handed to an accepted write (≥ currentRevision). */
  #assignedRevision: Revision;
  /** The compacted revision as meta holds it; a commit writes it only when it moved. */
  #persistedCompactedRevision: Revision;

  /** Newest accepted-but-not-durable write per key. Written by #accept, cleared on commit. */
  readonly #pending = new Map<string, PendingWrite<T>>();
  /** Batches waiting to commit, oldest first; the last one takes new writes. */
  readonly #queued: Batch<T>[] = [];
  /** Writes accepted and not yet acknowledged (queued or committing). */
  #unacknowledged = 0;
  #committing = false;
  #cycleScheduled = false;
  #compactionWaiters: CompactionWaiter[] = [];
  /**
   * The values of recent writes by key, so that updates and reads of a key written lately skip
   * decoding it (the frozen objects are the ones the write's event carried). A ring of slots
   * bounds it: slot i remembers which key and revision it added. Written by #remember only.
   */
  readonly #recent = new Map<string, KeyValue<T>>();
  readonly #recentKeys: (string | undefined)[];
  readonly #recentRevisions: Float64Array;
  #recentNext = 0;
  #subscribers: Subscriber<T>[] = [];
  /**
   * Heads committed to the log and not yet written to the kv table, by key: a key record, or null
   * for a compacted tombstone (the kv entry goes). Filled after each commit, before its writes
   * leave #pending; handed to #indexing by #flushIndex. Every kv read looks here first.
   */
  #unindexed = new Map<string, Buffer | null>();
  /** The heads the index transaction in flight writes (read after #unindexed, before kv). */
  #indexing: Map<string, Buffer | null> | undefined;
  #indexFlush: Promise<void> | undefined;

  #closed = false;
  #closing: Promise<void> | undefined;
  /** Set when a commit failed: the store accepts no more writes (its state is unknown). */
  #failure: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Keeps data.mdb allocated ahead of LMDB; undefined if it could not be opened. */
  #preallocator: FilePreallocator | undefined;
  /** LMDB's used bytes of the log file at the last look, plus an upper estimate since then. */
  #logUsedBytes = 0;
  #logAppendedBytesEstimate = 0;
  #logPageBytes = 4096;

  private constructor(
    readonly path: string,
    private readonly realPath: string,
    private readonly env: Environment,
    private readonly log: BinaryTable,
    private readonly meta: MetaTable,
    private readonly indexEnv: Environment,
    private readonly kv: IndexTable,
    private readonly indexMeta: MetaTable,
    private readonly historyWindowMs: number,
    private readonly historyRevisionsMax: number,
    private readonly objectBytesMax: number,
    private readonly commitBatchWritesMax: number,
    private readonly pendingWritesMax: number,
    private readonly indexFlushKeysMin: number,
    recentValuesMax: number,
    state: { current: Revision; compacted: Revision; compactedThrough: Revision },
  ) {
    this.#currentRevision = state.current;
    this.#assignedRevision = state.current;
    this.#recentKeys = new Array<string | undefined>(recentValuesMax).fill(undefined);
    this.#recentRevisions = new Float64Array(recentValuesMax);
    this.#compactedRevision = state.compacted;
    this.#persistedCompactedRevision = state.compacted;
    this.#compactedThrough = state.compactedThrough;
  }

  /** @internal Use openLmdbStore. */
  static async open<T>(options: LmdbStoreOptions): Promise<LmdbStore<T>> {
    const historyWindowMs = options.historyWindowMs ?? limits.historyWindowMs;
    const historyRevisionsMax = options.historyRevisionsMax ?? limits.historyRevisionsMax;
    const objectBytesMax = options.objectBytesMax ?? limits.objectBytesMax;
    const commitBatchWritesMax = options.commitBatchWritesMax ?? limits.storeCommitBatchWritesMax;
    const pendingWritesMax = options.pendingWritesMax ?? 16 * commitBatchWritesMax;
    const recentValuesMax = options.recentValuesMax ?? recentValuesMaxDefault;
    const indexFlushKeysMin = options.indexFlushKeysMin ?? indexFlushKeysMinDefault;
    if (!Number.isSafeInteger(recentValuesMax) || recentValuesMax < 0) {
      throw new RangeError(`recentValuesMax must be a non-negative integer, got ${recentValuesMax}`);
    }
    const compactionIntervalMs =
      options.compactionIntervalMs ??
      Math.max(1, Math.min(compactionIntervalMsDefault, Math.floor(historyWindowMs / 4)));
    for (const [name, value] of [
      ['historyWindowMs', historyWindowMs],
      ['historyRevisionsMax', historyRevisionsMax],
      ['objectBytesMax', objectBytesMax],
      ['commitBatchWritesMax', commitBatchWritesMax],
      ['pendingWritesMax', pendingWritesMax],
      ['indexFlushKeysMin', indexFlushKeysMin],
      ['compactionIntervalMs', compactionIntervalMs],
    ] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
      }
    }

    mkdirSync(options.path, { recursive: true });
    const realPath = realpathSync(options.path);
    if (openDataDirs.has(realPath)) throw new StoreLockedError(options.path, process.pid);
    openDataDirs.add(realPath);
    let env: Environment | undefined;
    let indexEnv: Environment | undefined;
    try {
      env = open({
        path: realPath,
        maxDbs: 4,
        // Durable commits: each transaction is synced before its promise resolves.
        noSync: false,
        overlappingSync: false,
        cache: false,
      }) as unknown as Environment;
      const openedEnv = env;
      const log = env.openDB('log', { encoding: 'binary' }) as BinaryTable;
      const meta = env.openDB('meta', { encoding: 'msgpack' }) as MetaTable;

      // Take ownership inside one write transaction (serialized across processes by LMDB).
      const me = currentOwnerRecord();
      const previousOwner = openedEnv.transactionSync(() => {
        const owner = meta.get('owner');
        if (
          isOwnerRecord(owner) &&
          !(owner.pid === me.pid && owner.startTicks === me.startTicks) &&
          isOwnerAlive(owner)
        ) {
          throw new StoreLockedError(options.path, owner.pid);
        }
        meta.putSync('owner', me);
        return owner;
      });
      // Reader slots left by a killed owner would pin old pages forever.
      openedEnv.readerCheck();

      let lastLogRevision = 0;
      for (const key of log.getKeys({ reverse: true, limit: 1 })) lastLogRevision = Number(key);
      const state = {
        current: Math.max(metaNumber(meta, 'revision'), lastLogRevision),
        // Physical compaction never passes the logical boundary: the scan position is a floor.
        compacted: Math.max(metaNumber(meta, 'compacted'), metaNumber(meta, 'compactedThrough')),
        compactedThrough: metaNumber(meta, 'compactedThrough'),
      };

      const indexPath = join(realPath, 'index');
      // After an unclean stop the unsynced index may be torn (power loss): start from nothing.
      const unclean = isOwnerRecord(previousOwner);
      if (unclean) rmSync(indexPath, { recursive: true, force: true });
      mkdirSync(indexPath, { recursive: true });
      indexEnv = open({
        path: indexPath,
        maxDbs: 4,
        // Derived data, rebuilt after an unclean stop: see the header.
        noSync: true,
        overlappingSync: false,
        cache: false,
      }) as unknown as Environment;
      const kv = indexEnv.openDB('kv', { encoder: keyRecordEncoder }) as IndexTable;
      const indexMeta = indexEnv.openDB('meta', { encoding: 'msgpack' }) as MetaTable;
      indexEnv.readerCheck();
      if (unclean || metaNumber(indexMeta, 'revision') !== state.current) {
        rebuildIndex(log, indexEnv, kv, indexMeta, state.current);
      }

      const store = new LmdbStore<T>(
        options.path,
        realPath,
        env,
        log,
        meta,
        indexEnv,
        kv,
        indexMeta,
        historyWindowMs,
        historyRevisionsMax,
        objectBytesMax,
        commitBatchWritesMax,
        pendingWritesMax,
        indexFlushKeysMin,
        recentValuesMax,
        state,
      );
      store.#startPreallocation();
      store.#timer = setInterval(() => store.#compactByWindow(), compactionIntervalMs);
      store.#timer.unref();
      // Resume a physical compaction interrupted by a stop.
      if (state.compactedThrough < state.compacted) store.#scheduleCycle();
      return store;
    } catch (e) {
      openDataDirs.delete(realPath);
      if (indexEnv !== undefined) await indexEnv.close();
      if (env !== undefined) await env.close();
      throw e;
    }
  }

  get currentRevision(): Revision {
    return this.#currentRevision;
  }

  get compactedRevision(): Revision {
    return this.#compactedRevision;
  }

  // ---- reads ----------------------------------------------------------------------------------

  get(key: string, revision?: Revision): Promise<KeyValue<T> | undefined> {
    try {
      this.#checkOpen();
      if (revision === undefined) {
        const pending = this.#pending.get(key);
        // Wait for the pending write's commit, then read what is durable.
        if (pending !== undefined) {
          return pending.batch.durable.then(() => {
            this.#checkOpen();
            return this.#readAt(key, this.#currentRevision);
          });
        }
        return Promise.resolve(this.#readAt(key, this.#currentRevision));
      }
      this.#checkReadRevision(revision);
      return Promise.resolve(this.#readAt(key, revision));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  list(prefix: string, options?: ListOptions): Promise<ListResult<T>> {
    try {
      this.#checkOpen();
      const revision = options?.revision ?? this.#currentRevision;
      if (options?.revision !== undefined) this.#checkReadRevision(revision);
      const limit = options?.limit ?? 0;
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new RangeError(`list limit must be a non-negative integer, got ${limit}`);
      }
      return Promise.resolve(this.#listAt(prefix, revision, limit, options?.startAfter));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  #checkReadRevision(revision: Revision): void {
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new RangeError(`revision must be a non-negative integer, got ${revision}`);
    }
    if (revision < this.#compactedRevision) {
      throw new CompactedError(revision, this.#compactedRevision);
    }
    if (revision > this.#currentRevision) {
      throw new FutureRevisionError(revision, this.#currentRevision);
    }
  }

  /**
   * The key's value at `revision` (compacted ≤ revision ≤ current) from committed state: walks
   * the key's back pointers from its head while they are newer than `revision`.
   */
  #readAt(key: string, revision: Revision): KeyValue<T> | undefined {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return this.#readThroughPending(pending, revision);
    const head = this.#indexHead(key);
    return head === undefined ? undefined : this.#readFromHead(key, head, revision);
  }

  /** The key's committed head: the heads not yet in the kv table first, then the kv table. */
  #indexHead(key: string): KeyRecord | undefined {
    let record = this.#unindexed.get(key);
    if (record === undefined && this.#indexing !== undefined) record = this.#indexing.get(key);
    if (record === undefined) return this.kv.get(key);
    return record === null ? undefined : decodeKeyRecord(record);
  }

  #readFromHead(key: string, head: KeyRecord, revision: Revision): KeyValue<T> | undefined {
    if (head.modRevision <= revision) {
      return head.version === 0 ? undefined : this.#headValue(key, head.modRevision);
    }
    return this.#walkBack(head.modRevision, revision);
  }

  /**
   * A key with writes in flight: its committed head does not show them yet, so start from the
   * newest pending write and follow its back pointers.
   */
  #readThroughPending(newest: PendingWrite<T>, revision: Revision): KeyValue<T> | undefined {
    let write: PendingWrite<T> | undefined = newest;
    let modRevision = newest.event.revision;
    while (write !== undefined && write.event.revision > revision) {
      modRevision = write.prevModRevision;
      write = write.prevPending;
    }
    if (write !== undefined) return write.event.kv;
    if (modRevision <= revision) return modRevision === 0 ? undefined : this.#valueFromLog(modRevision);
    return this.#walkBack(modRevision, revision);
  }

  /** From log entry `from` (> revision), follows prev pointers to the value at `revision`. */
  #walkBack(from: Revision, revision: Revision): KeyValue<T> | undefined {
    let modRevision = from;
    while (modRevision > revision) {
      const entry = this.log.getBinaryFast(modRevision);
      if (entry === undefined) {
        throw new Error(`store invariant: log entry ${modRevision} missing above revision ${revision}`);
      }
      modRevision = logEntryPrevModRevision(entry);
    }
    // 0: the key did not exist yet. Missing: a compacted tombstone (see the header).
    return modRevision === 0 ? undefined : this.#valueFromLog(modRevision);
  }

  /**
   * The key's value at its head `modRevision`: the frozen value its last write published, while it
   * is among the recent ones (a key's value at a given modRevision never changes), else decoded.
   */
  #headValue(key: string, modRevision: Revision): KeyValue<T> | undefined {
    const recent = this.#recent.get(key);
    if (recent !== undefined && recent.modRevision === modRevision) return recent;
    return this.#valueFromLog(modRevision);
  }

  /** Remembers a published value, forgetting the oldest one remembered beyond recentValuesMax. */
  #remember(key: string, kv: KeyValue<T> | undefined): void {
    const slots = this.#recentKeys.length;
    if (slots === 0) return;
    if (kv === undefined) {
      this.#recent.delete(key);
      return;
    }
    const slot = this.#recentNext;
    this.#recentNext = slot + 1 === slots ? 0 : slot + 1;
    const evicted = this.#recentKeys[slot];
    // The slot's key may have been written again since (a newer slot holds it): keep that one.
    if (evicted !== undefined && this.#recent.get(evicted)?.modRevision === this.#recentRevisions[slot]) {
      this.#recent.delete(evicted);
    }
    this.#recentKeys[slot] = key;
    this.#recentRevisions[slot] = kv.modRevision;
    this.#recent.set(key, kv);
  }

  /** The value written at `modRevision`, or undefined if that write was a delete (or is gone). */
  #valueFromLog(modRevision: Revision): KeyValue<T> | undefined {
    // The fast buffer is valid until the next read; everything is decoded (copied) out of it here.
    const bytes = this.log.getBinaryFast(modRevision);
    if (bytes === undefined || logEntryType(bytes) === LogType.Delete) return undefined;
    const entry = decodeLogEntry(bytes);
    return keyValue(entry.key, decodeValue<T>(entry.valueBytes), entry.createRevision, modRevision, entry.version);
  }

  #listAt(
    prefix: string,
    revision: Revision,
    limit: number,
    startAfter: string | undefined,
  ): ListResult<T> {
    const items: KeyValue<T>[] = [];
    let more = false;
    const start = startAfter !== undefined && startAfter > prefix ? startAfter : prefix;
    const end = prefixEnd(prefix);
    // Two sorted streams merged: the kv table's range and the committed heads not in it yet
    // (which win over the kv table's entry for the same key).
    const overlay = this.#unindexedRange(prefix, start, end);
    const range = this.kv.getRange(end === undefined ? { start } : { start, end })[Symbol.iterator]();
    let next = range.next();
    let o = 0;
    for (;;) {
      let rangeKey: string | undefined;
      if (next.done !== true) {
        const k = next.value.key;
        if (typeof k === 'string' && k.startsWith(prefix)) rangeKey = k;
      }
      const overlayKey = overlay[o];
      let key: string;
      let head: KeyRecord | undefined;
      if (overlayKey !== undefined && (rangeKey === undefined || compareUtf8(overlayKey, rangeKey) <= 0)) {
        key = overlayKey;
        head = this.#indexHead(key);
        o++;
        if (rangeKey === overlayKey) next = range.next();
      } else if (rangeKey !== undefined && next.done !== true) {
        key = rangeKey;
        head = next.value.value;
        next = range.next();
      } else {
        break;
      }
      if (head === undefined || key === startAfter) continue;
      const pending = this.#pending.get(key);
      const kv =
        pending === undefined
          ? this.#readFromHead(key, head, revision)
          : this.#readThroughPending(pending, revision);
      if (kv === undefined) continue;
      if (limit > 0 && items.length === limit) {
        more = true;
        break;
      }
      items.push(kv);
    }
    const last = items[items.length - 1];
    return Object.freeze({
      items: Object.freeze(items),
      revision,
      more,
      continueKey: more && last !== undefined ? last.key : undefined,
    });
  }

  /** Keys of #unindexed and #indexing in [start, end) under `prefix`, in LMDB's key order. */
  #unindexedRange(prefix: string, start: string, end: string | undefined): string[] {
    const keys: string[] = [];
    if (this.#unindexed.size === 0 && this.#indexing === undefined) return keys;
    const seen = new Set<string>();
    for (const map of [this.#unindexed, this.#indexing]) {
      if (map === undefined) continue;
      for (const key of map.keys()) {
        if (!key.startsWith(prefix) || compareUtf8(key, start) < 0) continue;
        if (end !== undefined && compareUtf8(key, end) >= 0) continue;
        if (seen.has(key)) continue;
        seen.add(key);
        keys.push(key);
      }
    }
    return keys.sort(compareUtf8);
  }

  // ---- writes ---------------------------------------------------------------------------------

  create(key: string, value: T, options?: CreateOptions): Promise<KeyValue<T>> {
    try {
      this.#checkWritable();
      validateKey(key);
      const head = this.#head(key);
      if (head.kind === 'live') throw new KeyExistsError(key);
      const stored = frozenStored(value, options?.owned === true);
      // Encoded last: the bytes live in the encoder's buffer until #accept copies them.
      const valueBytes = this.#encode(key, value, stored);
      return this.#accept(LogType.Create, key, stored, valueBytes, head.modRevision, undefined);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  update(key: string, value: T, expectedModRevision: Revision): Promise<KeyValue<T>> {
    try {
      this.#checkWritable();
      validateKey(key);
      const head = this.#head(key);
      if (head.kind !== 'live') throw new KeyNotFoundError(key);
      if (head.kv.modRevision !== expectedModRevision) {
        throw new ConflictError(key, expectedModRevision, head.kv.modRevision);
      }
      const stored = frozenStored(value, false);
      const valueBytes = this.#encode(key, value, stored);
      return this.#accept(LogType.Update, key, stored, valueBytes, head.kv.modRevision, head.kv);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  delete(key: string, options?: DeleteOptions): Promise<KeyValue<T>> {
    try {
      this.#checkWritable();
      validateKey(key);
      const head = this.#head(key);
      if (head.kind !== 'live') throw new KeyNotFoundError(key);
      const expected = options?.expectedModRevision;
      if (expected !== undefined && head.kv.modRevision !== expected) {
        throw new ConflictError(key, expected, head.kv.modRevision);
      }
      return this.#accept(LogType.Delete, key, undefined, undefined, head.kv.modRevision, head.kv);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * The function sees the newest accepted state, including writes not yet durable, and its result
   * is accepted in the same synchronous step: inside this process nothing can come between the
   * read and the write, so it never conflicts and runs once. (It cannot expose an unacknowledged
   * value: the result resolves only after its own commit, which includes every earlier write.)
   * A result whose encoding equals the current value's is not written (as Kubernetes does).
   */
  guaranteedUpdate(
    key: string,
    update: UpdateFunction<T>,
    options?: GuaranteedUpdateOptions,
  ): Promise<KeyValue<T> | undefined> {
    try {
      this.#checkWritable();
      validateKey(key);
      const head = this.#head(key);
      const current = head.kind === 'live' ? head.kv : undefined;
      if (current === undefined && options?.ignoreNotFound !== true) {
        throw new KeyNotFoundError(key);
      }
      const next = update(current);
      if (next === undefined) return Promise.resolve(current);
      const stored = frozenStored(next, false);
      const valueBytes = this.#encode(key, next, stored);
      if (head.kind !== 'live') {
        return this.#accept(LogType.Create, key, stored, valueBytes, head.modRevision, undefined);
      }
      if (valueBytes.equals(this.#currentValueBytes(head))) return Promise.resolve(head.kv);
      return this.#accept(LogType.Update, key, stored, valueBytes, head.modRevision, head.kv);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /** The bytes of `value`; `stored` is its frozenStored form when it has one (encoded faster). */
  #encode(key: string, value: T, stored: T | undefined): Buffer {
    validateKey(key);
    const bytes = stored === undefined ? encodeValueTransient(value) : encodeFrozenPlainTransient(stored);
    if (bytes.length > this.objectBytesMax) {
      throw new ObjectTooLargeError(key, bytes.length, this.objectBytesMax);
    }
    return bytes;
  }

  /** The newest accepted state of a key: a pending write if any, else the kv table. */
  #head(key: string): Head<T> {
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      const kv = pending.event.kv;
      return kv === undefined
        ? { kind: 'tombstone', modRevision: pending.event.revision }
        : { kind: 'live', modRevision: kv.modRevision, kv, pending };
    }
    const head = this.#indexHead(key);
    if (head === undefined) return { kind: 'absent', modRevision: 0 };
    if (head.version === 0) return { kind: 'tombstone', modRevision: head.modRevision };
    const kv = this.#headValue(key, head.modRevision);
    if (kv === undefined) {
      throw new Error(`store invariant: ${key} has index head ${head.modRevision} but no log entry`);
    }
    return { kind: 'live', modRevision: head.modRevision, kv, pending: undefined };
  }

  #currentValueBytes(head: LiveHead<T>): Buffer {
    // A fast buffer: compared at once by the caller, before any other read.
    const entry = head.pending?.logEntry ?? this.log.getBinaryFast(head.modRevision);
    if (entry === undefined) return Buffer.alloc(0);
    return entry.subarray(logHeaderBytes + entry.readUInt32LE(4));
  }

  /**
   * Assigns the next revision to a validated write and queues it for the next commit. `stored` is
   * the value as frozenStored made it, undefined when it had none (then it is decoded from the
   * bytes) or for a delete.
   */
  #accept(
    type: LogType,
    key: string,
    stored: T | undefined,
    valueBytes: Buffer | undefined,
    prevModRevision: Revision,
    prev: KeyValue<T> | undefined,
  ): Promise<KeyValue<T>> {
    if (this.#unacknowledged >= this.pendingWritesMax) throw new StoreBusyError(this.pendingWritesMax);
    this.#unacknowledged++;
    const revision = ++this.#assignedRevision;
    const keyBytes = Buffer.from(key, 'utf8');
    let kv: KeyValue<T> | undefined;
    let logEntry: Buffer;
    let kvRecord: Buffer;
    if (type === LogType.Delete || valueBytes === undefined) {
      logEntry = encodeLogEntry(type, keyBytes, 0, 0, prevModRevision, Date.now(), emptyBytes);
      kvRecord = encodeKeyRecord(revision, 0, 0);
    } else {
      const createRevision = prev === undefined ? revision : prev.createRevision;
      const version = prev === undefined ? 1 : prev.version + 1;
      logEntry = encodeLogEntry(type, keyBytes, createRevision, version, prevModRevision, Date.now(), valueBytes);
      kvRecord = encodeKeyRecord(revision, createRevision, version);
      // Callers get a frozen value equal to what was stored (frozenStored's, else decoded from the
      // stored bytes). The encoding rides along (a view into the log entry, never written again).
      const encoded = logEntry.subarray(logHeaderBytes + keyBytes.length);
      kv = keyValue(key, stored ?? decodeValue<T>(encoded), createRevision, revision, version, encoded);
    }
    const event: StoreEvent<T> = Object.freeze({ type: eventTypeByLogType[type], key, revision, kv, prev });
    const result = kv ?? prev;
    if (result === undefined) throw new Error('store invariant: a delete without a previous value');
    const batch = this.#openBatch();
    const write = new PendingWrite<T>(
      event,
      result,
      prevModRevision,
      kvRecord,
      logEntry,
      batch,
      this.#pending.get(key),
    );
    const promise = new Promise<KeyValue<T>>((resolve, reject) => {
      write.resolve = resolve;
      write.reject = reject;
    });
    batch.writes.push(write);
    this.#pending.set(key, write);
    this.#scheduleCycle();
    return promise;
  }

  #startPreallocation(): void {
    try {
      const stats = this.log.getStats();
      this.#logPageBytes = stats.pageSize;
      this.#logUsedBytes = (stats.lastPageNumber + 1) * stats.pageSize;
      this.#preallocator = new FilePreallocator(join(this.realPath, 'data.mdb'), logPreallocateStepBytes, logSlackBytesMin);
      this.#preallocator.ensure(this.#logUsedBytes);
    } catch {
      // Only an optimization: commits extend the file themselves without it.
      this.#preallocator = undefined;
    }
  }

  /**
   * Before a commit of `writes`: extends the log file if the commit might reach its end. LMDB's
   * used size is asked (~30 µs) only when an upper estimate of what was appended since says the
   * slack may be running out.
   */
  #preallocateLog(writes: readonly PendingWrite<T>[]): void {
    const preallocator = this.#preallocator;
    if (preallocator === undefined) return;
    const page = this.#logPageBytes;
    let batchBytes = 0;
    for (let i = 0; i < writes.length; i++) {
      const bytes = (writes[i] as PendingWrite<T>).logEntry.length + 16;
      // Values over about half a page go to overflow pages of their own.
      batchBytes += bytes > page / 2 ? Math.ceil(bytes / page) * page : bytes + (bytes >> 2);
    }
    this.#logAppendedBytesEstimate += batchBytes;
    if (!preallocator.due(this.#logUsedBytes + this.#logAppendedBytesEstimate)) return;
    // What LMDB uses now (before this batch), plus this batch.
    const stats = this.log.getStats();
    this.#logUsedBytes = (stats.lastPageNumber + 1) * page;
    this.#logAppendedBytesEstimate = batchBytes;
    preallocator.ensure(this.#logUsedBytes + batchBytes);
  }

  #openBatch(): Batch<T> {
    const last = this.#queued[this.#queued.length - 1];
    if (last !== undefined && last.writes.length < this.commitBatchWritesMax) return last;
    const batch = new Batch<T>();
    this.#queued.push(batch);
    return batch;
  }

  // ---- the commit pipeline --------------------------------------------------------------------

  /**
   * Starts a commit cycle on the next turn of the event loop (setImmediate), so every write
   * accepted in this turn — typically the writers just woken by the previous commit — joins it.
   */
  #scheduleCycle(): void {
    if (this.#cycleScheduled || this.#committing) return;
    this.#cycleScheduled = true;
    setImmediate(() => {
      this.#cycleScheduled = false;
      void this.#cycle();
    });
  }

  /** One durable LMDB transaction: a compaction chunk (if due), then one batch of writes. */
  async #cycle(): Promise<void> {
    if (this.#committing || this.#failure !== undefined) return;
    const batch = this.#queued.shift();
    const compaction =
      this.#compactedThrough < this.#compactedRevision && !this.#closed
        ? this.#planCompaction(this.#compactedRevision)
        : undefined;
    if (batch === undefined && compaction === undefined) return;
    // No log transaction is in flight here: the one moment zeros may be written past LMDB's end.
    if (batch !== undefined) this.#preallocateLog(batch.writes);
    this.#committing = true;
    const writes = batch?.writes ?? [];
    const lastRevision = writes.length === 0 ? this.#currentRevision : (writes[writes.length - 1] as PendingWrite<T>).event.revision;
    const compactedRevision = this.#compactedRevision;
    try {
      const logCommit = this.env.batch(() => {
        if (compaction !== undefined) {
          for (let i = 0; i < compaction.logRevisions.length; i++) {
            void this.log.remove(compaction.logRevisions[i] as Revision);
          }
          void this.meta.put('compactedThrough', compaction.through);
        }
        for (let i = 0; i < writes.length; i++) {
          const write = writes[i] as PendingWrite<T>;
          // Revisions only grow: MDB_APPEND fills log pages instead of splitting them in half.
          void this.log.put(write.event.revision, write.logEntry, appendOptions);
        }
        // No per-commit meta writes: the revision is the last log key on open. Only compaction
        // can remove that key (a delete at the compacted revision), so its commits record it.
        if (compaction !== undefined) void this.meta.put('revision', lastRevision);
        if (compactedRevision !== this.#persistedCompactedRevision) {
          void this.meta.put('compacted', compactedRevision);
        }
      });
      await logCommit;
    } catch (e) {
      this.#committing = false;
      this.#fail(e instanceof Error ? e : new Error(String(e)), batch);
      return;
    }
    this.#committing = false;
    this.#currentRevision = lastRevision;
    this.#persistedCompactedRevision = compactedRevision;
    // The new heads, for reads, before the writes leave #pending (in #publish). Compaction first:
    // a write in this batch may re-create a key whose tombstone goes.
    const unindexed = this.#unindexed;
    if (compaction !== undefined) {
      for (let i = 0; i < compaction.kvKeys.length; i++) unindexed.set(compaction.kvKeys[i] as string, null);
    }
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i] as PendingWrite<T>;
      unindexed.set(write.event.key, write.kvRecord);
    }
    if (unindexed.size >= this.indexFlushKeysMin) this.#flushIndex();
    if (compaction !== undefined) {
      this.#compactedThrough = compaction.through;
      this.#settleCompactionWaiters();
    }
    if (batch !== undefined) this.#publish(batch);
    if (this.#queued.length > 0) {
      // The writes accepted while this commit ran are waiting for it: start their commit now,
      // not on the next check phase (after every other callback of this turn, which under load
      // are the next requests' admission work). Writes accepted later in this turn join the
      // batch after it.
      void this.#cycle();
    } else if (this.#compactedThrough < this.#compactedRevision) {
      this.#scheduleCycle();
    }
  }

  /**
   * Writes the heads not yet in the kv table in one index transaction (unsynced: see the
   * header), unless one is in flight (then the next commit tries again). Those heads are read
   * from #indexing until it is done.
   */
  #flushIndex(): Promise<void> {
    if (this.#indexFlush !== undefined) return this.#indexFlush;
    if (this.#unindexed.size === 0 || this.#failure !== undefined) return Promise.resolve();
    const heads = this.#unindexed;
    const revision = this.#currentRevision;
    this.#unindexed = new Map<string, Buffer | null>();
    this.#indexing = heads;
    const kv = this.kv;
    this.#indexFlush = this.indexEnv
      .batch(() => {
        heads.forEach((record, key) => {
          if (record === null) void kv.remove(key);
          else void kv.put(key, record);
        });
        void this.indexMeta.put('revision', revision);
      })
      .then(
        () => {
          this.#indexing = undefined;
          this.#indexFlush = undefined;
          if (this.#unindexed.size >= this.indexFlushKeysMin) void this.#flushIndex();
        },
        (e: unknown) => {
          this.#indexFlush = undefined;
          // The heads stay readable from #indexing; the store stops accepting writes.
          if (this.#failure === undefined) this.#fail(e instanceof Error ? e : new Error(String(e)), undefined);
        },
      );
    return this.#indexFlush;
  }

  /**
   * Resolves a committed batch's writes and hands its events to subscribers, in order. The
   * listeners run synchronously here, before any continuation of the resolved promises (those are
   * microtasks), so a watch cache fed by subscribe is never behind an acknowledged write.
   */
  #publish(batch: Batch<T>): void {
    const writes = batch.writes;
    this.#unacknowledged -= writes.length;
    const events: StoreEvent<T>[] = new Array<StoreEvent<T>>(writes.length);
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i] as PendingWrite<T>;
      events[i] = write.event;
      this.#remember(write.event.key, write.event.kv);
      write.prevPending = undefined;
      if (this.#pending.get(write.event.key) === write) this.#pending.delete(write.event.key);
    }
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i] as PendingWrite<T>;
      write.resolve(write.result);
    }
    batch.settle();
    if (events.length === 0) return;
    Object.freeze(events);
    const subscribers = this.#subscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const subscriber = subscribers[i] as Subscriber<T>;
      if (!subscriber.active) continue;
      deliver(subscriber, events);
    }
  }

  /** A commit failed: nothing after it can be trusted to be durable, so every write fails. */
  #fail(error: Error, batch: Batch<T> | undefined): void {
    this.#failure = error;
    const batches = batch === undefined ? this.#queued.splice(0) : [batch, ...this.#queued.splice(0)];
    for (const b of batches) {
      for (const write of b.writes) write.reject(error);
      b.settle();
    }
    this.#pending.clear();
    this.#unacknowledged = 0;
    this.#assignedRevision = this.#currentRevision;
    for (const waiter of this.#compactionWaiters.splice(0)) waiter.reject(error);
  }

  // ---- compaction -----------------------------------------------------------------------------

  compact(revision: Revision): Promise<void> {
    try {
      this.#checkWritable();
      if (!Number.isSafeInteger(revision) || revision < 0) {
        throw new RangeError(`revision must be a non-negative integer, got ${revision}`);
      }
      if (revision > this.#currentRevision) {
        throw new FutureRevisionError(revision, this.#currentRevision);
      }
      if (revision > this.#compactedRevision) this.#compactedRevision = revision;
      if (revision <= this.#compactedThrough) return Promise.resolve();
      const promise = new Promise<void>((resolve, reject) => {
        this.#compactionWaiters.push({ revision, resolve, reject });
      });
      this.#scheduleCycle();
      return promise;
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  #settleCompactionWaiters(): void {
    const through = this.#compactedThrough;
    const remaining: CompactionWaiter[] = [];
    for (const waiter of this.#compactionWaiters) {
      if (waiter.revision <= through) waiter.resolve();
      else remaining.push(waiter);
    }
    this.#compactionWaiters = remaining;
  }

  /**
   * The next chunk of physical compaction up to `target`: scans log entries after
   * compactedThrough in revision order. Runs between commits, so LMDB holds every accepted write
   * below the scan (and none of the pending ones, which come after in the same transaction).
   */
  #planCompaction(target: Revision): CompactionPlan {
    const logRevisions: Revision[] = [];
    const kvKeys: string[] = [];
    let scanned = 0;
    let through = target;
    // Keys, then each entry's header from lmdb's reusable buffer: no copy of the values.
    for (const key of this.log.getKeys({
      start: this.#compactedThrough + 1,
      end: target + 1,
      limit: compactionEntriesPerCommitMax,
    })) {
      const revision = Number(key);
      scanned++;
      const entry = this.log.getBinaryFast(revision);
      if (entry === undefined) continue;
      const prev = logEntryPrevModRevision(entry);
      // This entry (≤ target) supersedes the key's previous one.
      if (prev !== 0) logRevisions.push(prev);
      if (logEntryType(entry) === LogType.Delete) {
        logRevisions.push(revision);
        const entryKey = logEntryKey(entry);
        if (this.#indexHead(entryKey)?.modRevision === revision) {
          kvKeys.push(entryKey);
        }
      }
      if (scanned === compactionEntriesPerCommitMax) through = revision;
    }
    return { logRevisions, kvKeys, through };
  }

  /** The timer's work: compact what fell out of the history window (time and count). */
  #compactByWindow(): void {
    if (this.#closed || this.#failure !== undefined) return;
    const current = this.#currentRevision;
    let target = Math.max(this.#compactedRevision, current - this.historyRevisionsMax);
    // Binary search for the newest revision older than the window. Above compactedThrough the log
    // has one entry per revision, in commit-time order.
    const cutoffMs = Date.now() - this.historyWindowMs;
    let low = Math.max(target, this.#compactedThrough) + 1;
    let high = current;
    while (low <= high) {
      const mid = Math.floor((low + high) / 2);
      const entry = this.log.getBinaryFast(mid);
      if (entry === undefined || logEntryCommitTimeMs(entry) < cutoffMs) {
        target = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (target > this.#compactedRevision) {
      this.compact(target).catch(noop);
    }
  }

  // ---- events ---------------------------------------------------------------------------------

  /**
   * Replays history synchronously, before returning (in slices of at most 1024 events), then
   * delivers each commit. The listener may therefore run before subscribe returns.
   */
  subscribe(afterRevision: Revision, listener: StoreEventListener<T>): Unsubscribe {
    this.#checkOpen();
    if (!Number.isSafeInteger(afterRevision) || afterRevision < 0) {
      throw new RangeError(`revision must be a non-negative integer, got ${afterRevision}`);
    }
    if (afterRevision < this.#compactedRevision) {
      throw new CompactedError(afterRevision, this.#compactedRevision);
    }
    const subscriber: Subscriber<T> = { listener, deliveredThrough: afterRevision, active: true };
    const current = this.#currentRevision;
    if (afterRevision < current) {
      let slice: StoreEvent<T>[] = [];
      for (const { key, value } of this.log.getRange({ start: afterRevision + 1, end: current + 1 })) {
        slice.push(this.#eventFromLog(Number(key), value));
        if (slice.length === replaySliceEventsMax) {
          deliver(subscriber, Object.freeze(slice));
          slice = [];
        }
      }
      if (slice.length > 0) deliver(subscriber, Object.freeze(slice));
      subscriber.deliveredThrough = current;
    }
    // Copy on write: #publish may be iterating the current array.
    this.#subscribers = [...this.#subscribers, subscriber];
    return () => {
      if (!subscriber.active) return;
      subscriber.active = false;
      this.#subscribers = this.#subscribers.filter((s) => s !== subscriber);
    };
  }

  #eventFromLog(revision: Revision, bytes: Buffer): StoreEvent<T> {
    const entry = decodeLogEntry(bytes);
    const prev = entry.prevModRevision === 0 ? undefined : this.#valueFromLog(entry.prevModRevision);
    const kv =
      entry.type === LogType.Delete
        ? undefined
        : keyValue(entry.key, decodeValue<T>(entry.valueBytes), entry.createRevision, revision, entry.version);
    // A create after a delete points back at the tombstone; its event has no prev.
    return Object.freeze({
      type: eventTypeByLogType[entry.type],
      key: entry.key,
      revision,
      kv,
      prev: entry.type === LogType.Create ? undefined : prev,
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  close(): Promise<void> {
    if (this.#closing === undefined) this.#closing = this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    // Accepted writes still commit; a compaction in progress resumes at the next open.
    while (this.#committing || this.#queued.length > 0 || this.#cycleScheduled) {
      const last = this.#queued[this.#queued.length - 1];
      if (last !== undefined) await last.durable;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const waiter of this.#compactionWaiters.splice(0)) waiter.reject(new StoreClosedError());
    this.#subscribers = [];
    // Every committed head into the kv table (the flush in flight, then the rest).
    // Bounded: no commit comes after the wait above, so the second flush at most finds nothing.
    while (this.#failure === undefined && (this.#indexFlush !== undefined || this.#unindexed.size > 0)) {
      await this.#flushIndex();
    }
    let indexClosed = false;
    try {
      if (this.#failure === undefined) {
        // The index was written without sync: make it durable before declaring a clean stop.
        indexClosed = true;
        await this.indexEnv.close();
        syncFile(join(this.realPath, 'index', 'data.mdb'));
        this.env.transactionSync(() => {
          this.meta.putSync('compacted', this.#compactedRevision);
          this.meta.putSync('owner', null);
        });
      }
    } finally {
      if (!indexClosed) await this.indexEnv.close();
      this.#preallocator?.close();
      await this.env.close();
      openDataDirs.delete(this.realPath);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }

  #checkWritable(): void {
    if (this.#closed) throw new StoreClosedError();
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** The newest accepted state of a key, as writes validate against it. */
type Head<T> =
  | { readonly kind: 'absent'; readonly modRevision: 0 }
  | { readonly kind: 'tombstone'; readonly modRevision: Revision }
  | LiveHead<T>;

interface LiveHead<T> {
  readonly kind: 'live';
  readonly modRevision: Revision;
  readonly kv: KeyValue<T>;
  /** The accepted write that made this value, while it is not durable yet. */
  readonly pending: PendingWrite<T> | undefined;
}

const emptyBytes = new Uint8Array(0);
const appendOptions = { append: true } as const;

/**
 * The frozen value a write stores: the input itself, frozen in place, when the caller handed it
 * over (`owned`), else a frozen copy, when it is plain JSON-like data (cheaper than decoding the
 * bytes); undefined otherwise (then the stored value is decoded from its bytes). Made before the
 * value is encoded, so the encoder sees no undefined property and takes its fast path.
 */
function frozenStored<T>(value: T, owned: boolean): T | undefined {
  return owned ? frozenPlainInPlace(value) : frozenPlainCopy(value);
}

function keyValue<T>(
  key: string,
  value: T,
  createRevision: Revision,
  modRevision: Revision,
  version: number,
  encoded?: Uint8Array,
): KeyValue<T> {
  const kv = { key, value, createRevision, modRevision, version };
  if (encoded !== undefined) {
    // Not enumerable: a write's result still equals (deepStrictEqual, spreads) the same value read.
    encodedDescriptor.value = encoded;
    Object.defineProperty(kv, 'encoded', encodedDescriptor);
    encodedDescriptor.value = undefined;
  }
  return Object.freeze(kv);
}

/** Reused by keyValue (read when defineProperty is called, never kept). */
const encodedDescriptor: PropertyDescriptor = { value: undefined, enumerable: false, writable: false, configurable: false };

function deliver<T>(subscriber: Subscriber<T>, events: readonly StoreEvent<T>[]): void {
  const first = events[0];
  if (first === undefined) return;
  let slice = events;
  if (first.revision <= subscriber.deliveredThrough) {
    // Only the part after what the subscriber has (a live batch straddling its replay).
    slice = Object.freeze(events.filter((e) => e.revision > subscriber.deliveredThrough));
    if (slice.length === 0) return;
  }
  subscriber.deliveredThrough = (slice[slice.length - 1] as StoreEvent<T>).revision;
  try {
    subscriber.listener(slice);
  } catch (e) {
    // A listener must not throw; surface the bug without breaking delivery to the others.
    process.nextTick(() => {
      throw e;
    });
  }
}

function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty');
  if (Buffer.byteLength(key, 'utf8') > keyBytesMax) {
    throw new InvalidKeyError(key, `longer than ${keyBytesMax} bytes`);
  }
}

/** The smallest string greater than every string starting with `prefix` (undefined for ''). */
function prefixEnd(prefix: string): string | undefined {
  if (prefix.length === 0) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * Orders strings as LMDB orders their UTF-8 keys. UTF-16 order differs only where a surrogate (a
 * code point above U+FFFF) meets a unit in U+E000..U+FFFF: in UTF-8 the surrogate's side is larger.
 */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Log entries applied per index transaction while rebuilding. */
const rebuildEntriesPerTxn = 16_384;

/**
 * Rebuilds the key index from the log: every entry in revision order sets its key's head (the
 * last one wins). Entries below the compaction position are each key's newest, so nothing is lost.
 * Interrupted, it is simply redone at the next open (the owner record is still there).
 */
function rebuildIndex(
  log: BinaryTable,
  indexEnv: Environment,
  kv: IndexTable,
  indexMeta: MetaTable,
  current: Revision,
): void {
  kv.clearSync();
  let from = 0;
  for (;;) {
    let applied = 0;
    let last = from;
    indexEnv.transactionSync(() => {
      for (const key of log.getKeys({ start: from, limit: rebuildEntriesPerTxn })) {
        const revision = Number(key);
        // Header fields only, read from lmdb's reusable buffer before the next read.
        const bytes = log.getBinaryFast(revision);
        if (bytes === undefined) continue;
        const entry = decodeLogEntry(bytes);
        const record =
          entry.type === LogType.Delete
            ? encodeKeyRecord(revision, 0, 0)
            : encodeKeyRecord(revision, entry.createRevision, entry.version);
        kv.putSync(entry.key, record);
        applied++;
        last = revision;
      }
    });
    if (applied < rebuildEntriesPerTxn) break;
    from = last + 1;
  }
  indexMeta.putSync('revision', current);
}

function metaNumber(meta: MetaTable, name: string): number {
  const value = meta.get(name);
  return typeof value === 'number' ? value : 0;
}

/** Opens (creating if needed) the store in `options.path`. StoreLockedError if it is in use. */
export function openLmdbStore<T>(options: LmdbStoreOptions): Promise<LmdbStore<T>> {
  return LmdbStore.open<T>(options);
}
