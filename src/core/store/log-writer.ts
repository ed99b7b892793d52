// The durable log's writer: a thread of its own that commits what the store ships to it.
//
// Why a thread: a synced commit is ~1 ms of disk, but with lmdb-js's asynchronous writes both its
// start and its completion waited for the store's event loop, which an API server keeps busy
// with requests: measured under 64 HTTP creates at a time, a commit took 5-6 ms from the batch to
// the store seeing it durable, for about 1 ms of system calls, and the writers of the next batch
// waited all that time. Here the store copies each accepted batch into a shared ring at once, and
// the writer (log-writer-worker.ts) starts the next commit the moment the previous one is durable,
// with everything shipped meanwhile. The store thread learns of each commit by a message and
// acknowledges its writes in order.
//
//   store thread                                   writer thread
//   accept w1 w2 → ship(batch 1) ── ring ──→       commit 1 (all shipped so far)
//   accept w3    → ship(batch 2) ── ring ──→          …      then commit 2 …
//   publish 1   ←── durable(1) ───────────────────  done 1
//
// The ring (a SharedArrayBuffer) rather than a message per batch: posting cost the store thread
// ~10% of its time at one batch per HTTP create, and waking the writer each time a futex call;
// here a ship is a copy and an atomic store, and a wake only when the writer sleeps.
//
//   ring     [rec][rec][rec][END] [rec][END] …      rec = kind u32, length u32, value f64, payload
//             ^tail (writer freed up to here)   ^head (store wrote up to here)
//
// Entries larger than largeEntryBytesMin go on a message port instead, in the same order (the
// ring record says "next message"), so a few large objects never need a huge ring. One writer per
// store; it owns no state the store does not: revisions, CAS checks and the order of writes are
// the store's, the writer only makes shipped bytes durable, in order.

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

/**
 * The log file is kept at least this far ahead of the pages LMDB uses, extended this far past
 * them at a time (preallocate.ts: synced commits then overwrite blocks instead of extending).
 */
export const logSlackBytesMin = 1 << 20;
export const logPreallocateStepBytes = 2 << 20;

/** The ring's size. A batch's ring bytes stay under a quarter of it (batchRingBytesMax). */
export const ringBytes = 16 << 20;
/** A batch closes before its entries' bytes reach this, so a batch always fits a drained ring. */
export const batchRingBytesMax = ringBytes >>> 2;
/** Entries above this size go through the message port (RecordKind.Large). */
export const largeEntryBytesMin = 64 << 10;

/** Control words (Int32) in front of the ring's bytes. */
export const enum Control {
  /** Bumped after every ship: what a sleeping writer waits on. */
  Sequence = 0,
  /** 1 while the writer sleeps (or is about to): only then does a ship wake it. */
  Sleeping = 1,
  /** Where the store writes next (bytes into the ring); published after a whole shipment. */
  Head = 2,
  /** Up to where the writer has committed what it read (the store may reuse the bytes before). */
  Tail = 3,
}
export const controlBytes = 16;
export const recordHeaderBytes = 16;

export const enum RecordKind {
  /** A log entry: value = revision, payload = the entry. */
  Put = 1,
  /** A log entry whose bytes are the next message on the port: value = revision. */
  Large = 2,
  /** Compaction removes a log entry: value = revision. */
  Remove = 3,
  /** meta 'compactedThrough' = value. */
  CompactedThrough = 4,
  /** meta 'compacted' = value. */
  Compacted = 5,
  /** The end of a shipment: the writer commits whole shipments and reports them by count. */
  End = 6,
  /** The store closes: the writer finishes and stops. */
  Close = 7,
  /** The rest of the ring is unused: continue at 0. */
  Wrap = 8,
}

/** One compaction chunk's removals, written in the transaction of the shipment carrying it. */
export interface ShippedCompaction {
  readonly logRevisions: readonly number[];
  /** The scan position to persist as meta 'compactedThrough'. */
  readonly through: number;
}

export type LogWriterReport =
  /** The oldest `shipments` not yet reported are durable (one transaction). */
  | { readonly type: 'durable'; readonly shipments: number }
  /** A commit failed; the writer stopped. */
  | { readonly type: 'failed'; readonly message: string };

/** workerData of log-writer-worker.ts. */
export interface LogWriterInit {
  readonly path: string;
  /** Large entries, one message each, in ring order. */
  readonly port: MessagePort;
  /** controlBytes of control words, then ringBytes of ring. */
  readonly ring: SharedArrayBuffer;
  readonly writesPerCommitMax: number;
  /** The newest revision in the log when the store opened. */
  readonly lastRevision: number;
}

export interface LogWriterEvents {
  /** The oldest `shipments` shipments not reported yet are durable, in shipping order. */
  durable(shipments: number): void;
  /** No more commits: the writer failed or died. Called once. */
  failed(error: Error): void;
}

/** A record's bytes in the ring: header and payload, 8-byte aligned. */
export function recordBytes(payloadBytes: number): number {
  return (recordHeaderBytes + payloadBytes + 7) & ~7;
}

/** What a log entry of `entryBytes` takes in the ring (a large one: its record alone). */
export function ringBytesOf(entryBytes: number): number {
  return recordBytes(entryBytes > largeEntryBytesMin ? 0 : entryBytes);
}

export class LogWriter {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #ring: Uint8Array;
  /** The ring as words: records start 8-byte aligned (kind at word 2i, value at double i + 1). */
  readonly #words: Uint32Array;
  readonly #doubles: Float64Array;
  /** Where the next shipment starts (the published Head, once shipped). */
  #head = 0;
  /** Shipments sent and not reported durable. The thread keeps the process alive only then. */
  #unreported = 0;
  /** No more ships: closing, failed or exited. */
  #stopped = false;
  #closeRequested = false;
  #failed = false;
  readonly #exited: Promise<void>;

  constructor(path: string, writesPerCommitMax: number, lastRevision: number, readonly events: LogWriterEvents) {
    const channel = new MessageChannel();
    this.#port = channel.port1;
    const shared = new SharedArrayBuffer(controlBytes + ringBytes);
    this.#control = new Int32Array(shared, 0, controlBytes >>> 2);
    this.#ring = new Uint8Array(shared, controlBytes, ringBytes);
    this.#words = new Uint32Array(shared, controlBytes, ringBytes >>> 2);
    this.#doubles = new Float64Array(shared, controlBytes, ringBytes >>> 3);
    const init: LogWriterInit = { path, port: channel.port2, ring: shared, writesPerCommitMax, lastRevision };
    this.#worker = new Worker(new URL('./log-writer-worker.js', import.meta.url), {
      workerData: init,
      transferList: [channel.port2],
      // Not the parent's flags: `-e <program>` or `--cpu-prof` there mean nothing here.
      execArgv: [],
    });
    this.#worker.unref();
    this.#worker.on('message', (report: LogWriterReport) => {
      if (report.type === 'durable') {
        this.#unreported -= report.shipments;
        if (this.#unreported === 0) this.#worker.unref();
        this.events.durable(report.shipments);
      } else {
        this.#fail(new Error(`log commit failed: ${report.message}`));
      }
    });
    this.#worker.on('error', (e: Error) => this.#fail(e));
    this.#exited = new Promise<void>((resolve) => {
      this.#worker.once('exit', (code) => {
        if (!this.#closeRequested || code !== 0 || this.#unreported > 0) {
          this.#fail(new Error(`the log writer thread stopped (exit code ${code})`));
        }
        this.#stopped = true;
        resolve();
      });
    });
  }

  /**
   * Ships one batch of log entries (revisions firstRevision, firstRevision + 1, …) with the
   * compaction and meta that go with it, as one shipment. False when the ring has no room for it
   * now (ship it again after the next durable report, which frees room); nothing is sent then.
   */
  ship(firstRevision: number, entries: readonly Uint8Array[], compaction?: ShippedCompaction, compacted?: number): boolean {
    if (this.#stopped) return true;
    const tail = Atomics.load(this.#control, Control.Tail);
    let at = this.#head;
    const large: Uint8Array[] = [];
    if (compaction !== undefined) {
      for (let i = 0; i < compaction.logRevisions.length; i++) {
        at = this.#record(at, tail, RecordKind.Remove, compaction.logRevisions[i] as number, undefined);
        if (at < 0) return false;
      }
      at = this.#record(at, tail, RecordKind.CompactedThrough, compaction.through, undefined);
      if (at < 0) return false;
    }
    if (compacted !== undefined) {
      at = this.#record(at, tail, RecordKind.Compacted, compacted, undefined);
      if (at < 0) return false;
    }
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Uint8Array;
      if (entry.length > largeEntryBytesMin) {
        at = this.#record(at, tail, RecordKind.Large, firstRevision + i, undefined);
        large.push(entry);
      } else {
        at = this.#record(at, tail, RecordKind.Put, firstRevision + i, entry);
      }
      if (at < 0) return false;
    }
    at = this.#record(at, tail, RecordKind.End, 0, undefined);
    if (at < 0) return false;
    // Large entries first: the writer reads each when it meets its record.
    for (const entry of large) {
      const copy = new Uint8Array(entry);
      this.#port.postMessage(copy, [copy.buffer]);
    }
    this.#publish(at, true);
    return true;
  }

  /** Finishes every shipment, then stops the thread (which closes its handle on the env). */
  async close(): Promise<void> {
    if (!this.#stopped) {
      // Everything shipped is durable by now (the store waits first), so the ring has room.
      const at = this.#record(this.#head, Atomics.load(this.#control, Control.Tail), RecordKind.Close, 0, undefined);
      if (at >= 0) this.#publish(at, false);
      this.#closeRequested = true;
      this.#stopped = true;
    }
    // Its exit is what close waits for: keep the process alive until then.
    this.#worker.ref();
    await this.#exited;
  }

  /**
   * Writes one record at `at` if it fits before `tail` (wrapping to 0 if need be); returns where
   * the next one goes, or -1 when the ring is full. Nothing is visible until #publish.
   */
  #record(at: number, tail: number, kind: RecordKind, value: number, payload: Uint8Array | undefined): number {
    if (at < 0) return -1;
    const bytes = recordBytes(payload === undefined ? 0 : payload.length);
    let start = at;
    if (at >= tail) {
      // Free: [at, end) and [0, tail). Head never catches up with tail (that would read as empty).
      if (at + bytes > ringBytes - (tail === 0 ? 8 : 0)) {
        if (bytes >= tail) return -1;
        if (ringBytes - at >= recordHeaderBytes) this.#words[at >>> 2] = RecordKind.Wrap;
        start = 0;
      }
    } else if (at + bytes >= tail) {
      return -1;
    }
    const words = this.#words;
    words[start >>> 2] = kind;
    words[(start >>> 2) + 1] = payload === undefined ? 0 : payload.length;
    this.#doubles[(start >>> 3) + 1] = value;
    if (payload !== undefined) this.#ring.set(payload, start + recordHeaderBytes);
    const next = start + bytes;
    return next === ringBytes ? 0 : next;
  }

  /** Makes the records up to `head` visible to the writer; `counted`: one more shipment. */
  #publish(head: number, counted: boolean): void {
    if (counted) {
      if (this.#unreported === 0) this.#worker.ref();
      this.#unreported++;
    }
    this.#head = head;
    const control = this.#control;
    Atomics.store(control, Control.Head, head);
    Atomics.add(control, Control.Sequence, 1);
    if (Atomics.load(control, Control.Sleeping) === 1) Atomics.notify(control, Control.Sequence);
  }

  /** Reported once: the writer makes nothing durable any more. */
  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#stopped = true;
    this.events.failed(error);
  }
}
