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
    const frames: Buffer[] = [];
    const pump = (): void => {
      if (finished || waitingDrain) return;
      // Frames are shared buffers: write them as they are (corked, so the socket gets one
      // writev), never concatenated into a per-watcher copy. Bounded: each pass takes at most
      // writeBytesMax and stops at the first refused write.
      for (;;) {
        frames.length = 0;
        const bytes = source.takeFrames(codec, frames, writeBytesMax);
        if (bytes === 0) break;
        sink.cork();
        let accepted = true;
        for (let i = 0; i < frames.length; i++) accepted = sink.write(frames[i] as Buffer);
        sink.uncork();
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
    sink.on('close', onClose);
    sink.on('error', onClose);
    source.onReadable(pump);
    pump();
  });
}
