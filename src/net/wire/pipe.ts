// Pipes a watch (or any source of pre-encoded frames) into a Node Writable — an HTTP response —
// with backpressure: frames are taken only while the socket accepts them, so a slow client leaves
// its events queued in the watcher (bounded there), never in the socket's memory.

import type { Writable } from 'node:stream';
import type { WatchCodec } from './watch-frames.js';

/** What the pipe reads from. src/watch's Watcher implements it. */
export interface WatchFrameSource {
  /**
   * Frames ready now, concatenated into one buffer of about `bytesMax` at most (always at least
   * one whole frame); undefined when nothing is ready.
   */
  takeFrames(codec: WatchCodec, bytesMax: number): Buffer | undefined;
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
  /** Bytes handed to one `write` call at most (frames are never split). */
  readonly writeBytesMax?: number;
}

/**
 * Streams `source` into `sink` until the source is done (then ends the sink) or the sink closes
 * (then closes the source). Returns a promise settled when either happened.
 */
export function pipeWatch(
  source: WatchFrameSource,
  codec: WatchCodec,
  sink: Writable,
  options: PipeOptions = {},
): Promise<void> {
  const writeBytesMax = options.writeBytesMax ?? 256 * 1024;
  return new Promise<void>((resolve) => {
    let finished = false;
    let waitingDrain = false;
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
    const pump = (): void => {
      if (finished || waitingDrain) return;
      // Bounded: each pass writes at most writeBytesMax, and stops at the first refused write.
      for (;;) {
        const bytes = source.takeFrames(codec, writeBytesMax);
        if (bytes === undefined) break;
        if (!sink.write(bytes)) {
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
    sink.on('close', onClose);
    sink.on('error', onClose);
    source.onReadable(pump);
    pump();
  });
}
