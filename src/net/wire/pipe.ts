// Pipes a watch (or any source of pre-encoded frames) into a Node Writable — an HTTP response —
// with backpressure: frames are taken only while the socket accepts them, so a slow client leaves
// its events queued in the watcher (bounded there), never in the socket's memory.

import type { Writable } from 'node:stream';
import type { WatchCodec } from './watch-frames.js';

/** What the pipe reads from. src/watch's Watcher implements it. */
export interface WatchFrameSource {
  /**
   * Appends the frames ready now to `out` (whole frames, about `bytesMax` bytes at most, at least
   * one when any is ready) and returns their total size; 0 when nothing is ready. The buffers are
   * shared with other watchers: never modify them.
   */
  takeFrames(codec: WatchCodec, out: Buffer[], bytesMax: number): number;
  /** True once the stream has ended and every frame was taken. */
  readonly done: boolean;
  /**
   * Sets the one listener called (asynchronously, at most once per wait) when frames become
   * ready or the stream ends, after `takeFrames` returned undefined. undefined removes it.
   */
  onReadable(listener: (() => void) | undefined): void;
  /** Ends the stream early (the client went away). */
  close(): void;
}

export interface PipeOptions {
  /** Bytes taken from the source for one `write` call at most (frames are never split). */
  readonly writeBytesMax?: number;
  /**
   * Called once, synchronously, when the first pass finds nothing ready to write: an HTTP watch
   * flushes its headers then, and otherwise lets them leave with the first frames (one write).
   */
  readonly onNothingReady?: () => void;
}

/**
 * The last few coalesced runs, shared by every stream that takes the same run of frames.
 *
 * Streams of one resource are pumped one after another (the cache notifies them in one
 * microtask after a commit batch), and streams in step take the very same frames: the batch's
 * frames when synced, or the same slice of the history when they started at the same revision
 * (a take stops at the same byte bound). So the first stream concatenates the run and the next
 * ones find it here: one copy per distinct run, not one per stream.
 *
 *   pump s1: takes [f7 f8 f9] → miss → concat → slot 3   ─┐
 *   pump s2: takes [f7 f8 f9] → slot 3: same buffers ✓  ◄─┘ (pointer compares, no copy)
 *
 * A hit compares every buffer's identity, so a run that merely starts alike never matches.
 */
export class RunCoalescer {
  private readonly runs: (readonly Buffer[])[];
  private readonly joined: (Buffer | undefined)[];
  private next = 0;

  constructor(private readonly slots = 8) {
    this.runs = new Array<readonly Buffer[]>(slots).fill([]);
    this.joined = new Array<Buffer | undefined>(slots).fill(undefined);
  }

  /** `frames` (of `bytes` in all) as one buffer; shared with other callers: never modify it. */
  join(frames: readonly Buffer[], bytes: number): Buffer {
    const n = frames.length;
    if (n === 1) return frames[0] as Buffer;
    for (let s = 0; s < this.slots; s++) {
      const run = this.runs[s] as readonly Buffer[];
      if (run.length !== n || run[0] !== frames[0] || run[n - 1] !== frames[n - 1]) continue;
      let same = true;
      for (let i = 1; i < n - 1; i++) {
        if (run[i] !== frames[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.joined[s] as Buffer;
    }
    const out = Buffer.concat(frames as Buffer[], bytes);
    const slot = this.next;
    this.next = (slot + 1) % this.slots;
    this.runs[slot] = frames.slice();
    this.joined[slot] = out;
    return out;
  }
}

/**
 * Streams made readable wait here for the event loop's next check phase (one setImmediate for
 * all): every commit applied during one turn of the loop — the store completes several in one
 * poll phase under load — then leaves in one write per stream, and streams in step pump one
 * after another (so RunCoalescer finds their shared run). Costs at most one loop turn of latency.
 */
let pumpsDue: (() => void)[] = [];
let pumpsRunning: (() => void)[] = [];
let pumpsScheduled = false;

function runDuePumps(): void {
  pumpsScheduled = false;
  // Swap: pumps made due while these run wait for the next turn (bounded by what is due now).
  const run = pumpsDue;
  pumpsDue = pumpsRunning;
  pumpsRunning = run;
  for (let i = 0; i < run.length; i++) {
    try {
      (run[i] as () => void)();
    } catch (e) {
      // A broken invariant: crash loudly, but not before the other streams got their turn.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
  run.length = 0;
}

function schedulePump(pump: () => void): void {
  pumpsDue.push(pump);
  if (pumpsScheduled) return;
  pumpsScheduled = true;
  setImmediate(runDuePumps);
}

/**
 * A take of a few large buffers (history blocks) is written buffer by buffer (corked); anything
 * else is joined first (one chunk: per-write costs outweigh copying small frames).
 */
const separateWritesMax = 4;
const separateWriteBytesMin = 16 * 1024;

/** One coalescer per wire format (frames of different formats never match anyway). */
const coalescers: readonly RunCoalescer[] = [new RunCoalescer(), new RunCoalescer()];

/**
 * Streams `source` into `sink` until the source is done (then ends the sink) or the sink closes
 * (then closes the source). Returns a promise settled when either happened.
 *
 * Every frame ready at once — the commits of one event-loop turn, or a stretch of history — goes
 * out in one `write` (one HTTP chunk, one syscall), not one write per frame: per-write costs
 * (chunk header, the stream's bookkeeping, the syscall) are paid per batch.
 */
export function pipeWatch(
  source: WatchFrameSource,
  codec: WatchCodec,
  sink: Writable,
  options: PipeOptions = {},
): Promise<void> {
  const writeBytesMax = options.writeBytesMax ?? 256 * 1024;
  const coalescer = coalescers[codec.id] as RunCoalescer;
  return new Promise<void>((resolve) => {
    let finished = false;
    let waitingDrain = false;
    let wroteAny = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      source.onReadable(undefined);
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', onClose);
      resolve();
    };
    const onClose = (): void => {
      source.close();
      finish();
    };
    const onDrain = (): void => {
      waitingDrain = false;
      pump();
    };
    const frames: Buffer[] = [];
    const pump = (): void => {
      if (finished || waitingDrain) return;
      // Bounded: each pass takes at most writeBytesMax and stops at the first refused write.
      for (;;) {
        const bytes = source.takeFrames(codec, frames, writeBytesMax);
        if (bytes === 0) break;
        wroteAny = true;
        let accepted: boolean;
        if (frames.length === 1 || (frames.length <= separateWritesMax && bytes >= frames.length * separateWriteBytesMin)) {
          // A few large buffers (history blocks): written as they are, corked into one syscall,
          // rather than copied into one.
          const n = frames.length;
          if (n > 1) sink.cork();
          accepted = true;
          for (let i = 0; i < n; i++) accepted = sink.write(frames[i] as Buffer);
          if (n > 1) sink.uncork();
        } else {
          accepted = sink.write(coalescer.join(frames, bytes));
        }
        frames.length = 0;
        if (!accepted) {
          waitingDrain = true;
          sink.once('drain', onDrain);
          return;
        }
      }
      if (source.done) {
        sink.end();
        finish();
      }
    };
    let due = false;
    const duePump = (): void => {
      due = false;
      pump();
    };
    const onReadable = (): void => {
      if (due || finished) return;
      due = true;
      schedulePump(duePump);
    };
    sink.on('close', onClose);
    sink.on('error', onClose);
    source.onReadable(onReadable);
    pump();
    if (!finished && !wroteAny) options.onNothingReady?.();
  });
}
