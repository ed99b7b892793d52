// The log writer's thread (log-writer.ts is its other half, on the store's thread).
//
// A plain loop, no event loop: read the shipments the store published in the shared ring (up to
// Head), write as many whole ones as fit one commit in one synced LMDB transaction
// (transactionSync: pages, fdatasync, then the meta page), free their bytes (Tail), report them,
// repeat; with nothing published, sleep on the Sequence word until the store ships more. So a
// commit starts the moment the previous one is durable, with whatever was shipped meanwhile,
// whatever the store's thread is busy with.
//
//   store thread   ship A   ship B  ship C          (durable A) ship D         (durable B C)
//   this thread    [commit A ........] [commit B C ..........] [commit D ...]
//
// The data file is kept allocated ahead of LMDB here too (preallocate.ts): zeros are written only
// between this thread's own transactions, the one place that knows none is in flight.

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { open } from 'lmdb';
import { FilePreallocator } from './preallocate.js';
import {
  Control,
  RecordKind,
  controlBytes,
  logPreallocateStepBytes,
  logSlackBytesMin,
  recordBytes,
  recordHeaderBytes,
  ringBytes,
  type LogWriterInit,
  type LogWriterReport,
} from './log-writer.js';

interface LogTable {
  put(key: number, value: Uint8Array, options: { readonly append: true }): unknown;
  remove(key: number): unknown;
  getStats(): { readonly pageSize: number; readonly lastPageNumber: number };
}
interface MetaTable {
  put(key: string, value: number): unknown;
}
interface WriterEnvironment {
  openDB(name: string, options: { encoding: 'binary' | 'msgpack' }): unknown;
  transactionSync<R>(action: () => R): R;
  close(): Promise<void>;
}

const appendOptions = { append: true } as const;

const init = workerData as LogWriterInit;
const control = new Int32Array(init.ring, 0, controlBytes >>> 2);
const ring = new Uint8Array(init.ring, controlBytes, ringBytes);
// Records start 8-byte aligned: kind and length at words 2i and 2i + 1, value at double i + 1.
const words = new Uint32Array(init.ring, controlBytes, ringBytes >>> 2);
const doubles = new Float64Array(init.ring, controlBytes, ringBytes >>> 3);

// The store's thread opened (and owns) this environment; lmdb shares it between threads.
const env = open({ path: init.path, maxDbs: 4, noSync: false, overlappingSync: false, cache: false }) as unknown as WriterEnvironment;
const log = env.openDB('log', { encoding: 'binary' }) as LogTable;
const meta = env.openDB('meta', { encoding: 'msgpack' }) as MetaTable;

const preallocation = startPreallocation();
/** The newest revision in the log (kept as meta 'revision' by commits that compact). */
let lastRevision = init.lastRevision;

function report(message: LogWriterReport): void {
  parentPort?.postMessage(message);
}


/** The record position after `at`'s wrap, if the ring wraps there. */
function unwrapped(at: number): number {
  if (ringBytes - at < recordHeaderBytes) return 0;
  return words[at >>> 2] === RecordKind.Wrap ? 0 : at;
}

interface CommitPlan {
  /** Whole shipments from readAt up to `end`, at most writesPerCommitMax writes (one if larger). */
  readonly shipments: number;
  readonly end: number;
  /** What their entries may add to the file (appendedBytesEstimate), for preallocation. */
  readonly entryBytes: number;
  /** A Close record comes first: stop. */
  readonly close: boolean;
}

/** Which shipments the next transaction takes: whole ones, up to writesPerCommitMax writes. */
function planCommit(from: number, head: number): CommitPlan {
  let at = from;
  let shipments = 0;
  let end = from;
  let writes = 0;
  let shipmentWrites = 0;
  let entryBytes = 0;
  let shipmentBytes = 0;
  while (at !== head) {
    at = unwrapped(at);
    const kind = words[at >>> 2] as RecordKind;
    const length = words[(at >>> 2) + 1] as number;
    if (kind === RecordKind.Close) return { shipments, end, entryBytes, close: shipments === 0 };
    if (kind === RecordKind.Put || kind === RecordKind.Large) {
      shipmentWrites++;
      shipmentBytes += appendedBytesEstimate(kind === RecordKind.Put ? length : largeBytesEstimate);
    }
    at += recordBytes(length);
    if (at === ringBytes) at = 0;
    if (kind === RecordKind.End) {
      if (shipments > 0 && writes + shipmentWrites > init.writesPerCommitMax) break;
      shipments++;
      writes += shipmentWrites;
      entryBytes += shipmentBytes;
      end = at;
      shipmentWrites = 0;
      shipmentBytes = 0;
    }
  }
  return { shipments, end, entryBytes, close: false };
}

/**
 * What an entry of `length` bytes may add to the file: LMDB's node header; values over about half
 * a page go to overflow pages of their own, smaller ones share pages (a quarter more for splits).
 */
function appendedBytesEstimate(length: number): number {
  const page = preallocation?.pageBytes ?? 4096;
  const bytes = length + 16;
  return bytes > page / 2 ? Math.ceil(bytes / page) * page : bytes + (bytes >> 2);
}

/** Large entries' size is known only once read: preallocation counts them as this much. */
const largeBytesEstimate = 256 << 10;

/** Plain memory the values of one transaction are copied into (reused by the next one). */
let scratch = Buffer.allocUnsafeSlow(1 << 20);
let scratchUsed = 0;

/** `length` bytes of scratch, valid until the next transaction. */
function scratchBytes(length: number): Buffer {
  if (scratchUsed + length > scratch.length) {
    // The old buffer stays alive through the values already put from it.
    scratch = Buffer.allocUnsafeSlow(Math.max(scratch.length, length));
    scratchUsed = 0;
  }
  const out = scratch.subarray(scratchUsed, scratchUsed + length);
  scratchUsed += (length + 7) & ~7;
  return out;
}

/** Writes the records in [from, end) into the open transaction. */
function writeRecords(from: number, end: number): void {
  scratchUsed = 0;
  let at = from;
  while (at !== end) {
    at = unwrapped(at);
    const kind = words[at >>> 2] as RecordKind;
    const length = words[(at >>> 2) + 1] as number;
    const value = doubles[(at >>> 3) + 1] as number;
    switch (kind) {
      case RecordKind.Put: {
        // lmdb reads a value through its ArrayBuffer's address, which a SharedArrayBuffer does
        // not give: the bytes are copied into this transaction's scratch buffer first.
        const bytes = scratchBytes(length);
        bytes.set(ring.subarray(at + recordHeaderBytes, at + recordHeaderBytes + length));
        // Revisions only grow: MDB_APPEND fills log pages instead of splitting them in half.
        log.put(value, bytes, appendOptions);
        lastRevision = value;
        break;
      }
      case RecordKind.Large: {
        const message = receiveMessageOnPort(init.port);
        if (message === undefined) throw new Error(`log writer: the bytes of revision ${value} did not arrive`);
        log.put(value, message.message as Uint8Array, appendOptions);
        lastRevision = value;
        break;
      }
      case RecordKind.Remove:
        log.remove(value);
        break;
      case RecordKind.CompactedThrough:
        meta.put('compactedThrough', value);
        // No per-commit meta writes otherwise: the revision is the last log key on open. Only
        // compaction can remove that key (a delete at the compacted revision), so it records it.
        meta.put('revision', Math.max(lastRevision, value));
        break;
      case RecordKind.Compacted:
        meta.put('compacted', value);
        break;
      case RecordKind.End:
      case RecordKind.Close:
      case RecordKind.Wrap:
        break;
    }
    at += recordBytes(length);
    if (at === ringBytes) at = 0;
  }
}

interface Preallocation {
  readonly preallocator: FilePreallocator;
  readonly pageBytes: number;
  /** LMDB's used bytes at the last look, plus an upper estimate of what was appended since. */
  usedBytes: number;
  appendedBytesEstimate: number;
}

function startPreallocation(): Preallocation | undefined {
  try {
    const stats = log.getStats();
    const usedBytes = (stats.lastPageNumber + 1) * stats.pageSize;
    const preallocator = new FilePreallocator(`${init.path}/data.mdb`, logPreallocateStepBytes, logSlackBytesMin);
    preallocator.ensure(usedBytes);
    return { preallocator, pageBytes: stats.pageSize, usedBytes, appendedBytesEstimate: 0 };
  } catch {
    // Only an optimization: commits extend the file themselves without it.
    return undefined;
  }
}

/**
 * Before a commit: extends the log file if the commit might reach its end. LMDB's used size is
 * asked (~30 µs) only when an upper estimate of what was appended since says the slack may be
 * running out.
 */
function preallocate(entryBytes: number): void {
  const p = preallocation;
  if (p === undefined) return;
  const batchBytes = entryBytes;
  p.appendedBytesEstimate += batchBytes;
  if (!p.preallocator.due(p.usedBytes + p.appendedBytesEstimate)) return;
  const stats = log.getStats();
  p.usedBytes = (stats.lastPageNumber + 1) * p.pageBytes;
  p.appendedBytesEstimate = batchBytes;
  p.preallocator.ensure(p.usedBytes + batchBytes);
}

/** The writer's life: commit what is shipped until the store closes (or a commit fails). */
async function run(): Promise<void> {
  /** Where the next unread record starts. */
  let readAt = Atomics.load(control, Control.Tail);

  for (;;) {
    const head = Atomics.load(control, Control.Head);
    if (readAt === head) {
      // Announce the sleep, then look again: a ship published meanwhile either shows in Head now
      // or bumped Sequence (so the wait returns at once) and saw Sleeping and woke us.
      const sequence = Atomics.load(control, Control.Sequence);
      Atomics.store(control, Control.Sleeping, 1);
      if (Atomics.load(control, Control.Head) === readAt) Atomics.wait(control, Control.Sequence, sequence);
      Atomics.store(control, Control.Sleeping, 0);
      continue;
    }
    const plan = planCommit(readAt, head);
    if (plan.close) break;
    try {
      if (plan.shipments > 0) {
        preallocate(plan.entryBytes);
        env.transactionSync(() => writeRecords(readAt, plan.end));
      }
    } catch (e) {
      // Nothing after a failed commit can be trusted durable; the store fails every write.
      report({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
      break;
    }
    readAt = plan.end;
    // The bytes up to here may be reused by the store.
    Atomics.store(control, Control.Tail, readAt);
    if (plan.shipments > 0) report({ type: 'durable', shipments: plan.shipments });
  }

  preallocation?.preallocator.close();
  await env.close();
  init.port.close();
}

await run();
