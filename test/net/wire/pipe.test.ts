// The pipe's batching: every frame ready at once leaves in one write (one HTTP chunk), and streams
// that take the same run of frames share one coalesced buffer instead of a copy each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { WatchCache } from '../../../src/watch/cache.js';
import { MsgpackWatchDecoder, msgpackWatchCodec } from '../../../src/net/wire/watch-frames.js';
import { RunCoalescer, pipeWatch } from '../../../src/net/wire/pipe.js';
import { ModelStore, pod, podKey, podsResource } from '../../watch/fixtures.js';

/** A sink that keeps every chunk handed to it, and never pushes back. */
class RecordingSink extends Writable {
  readonly chunks: Buffer[] = [];
  constructor() {
    super({ highWaterMark: 64 * 1024 * 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    cb();
  }
}

function ticks(n: number): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => new Promise((r) => setImmediate(r)));
  return p;
}

function names(chunks: readonly Buffer[]): string[] {
  const decoder = new MsgpackWatchDecoder();
  return decoder.push(Buffer.concat(chunks)).map((e) => (e.object as { metadata: { name: string } }).metadata.name);
}

test('a commit batch reaches each stream in one write, and streams in step share its bytes', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
  const watchers = sinks.map((sink) => {
    const w = cache.watch({ resourceVersion: '1' });
    void pipeWatch(w, msgpackWatchCodec, sink);
    return w;
  });
  await ticks(2);
  const batches = [40, 1, 25];
  const expected: string[] = [];
  let n = 0;
  for (const size of batches) {
    const events = [];
    for (let i = 0; i < size; i++, n++) {
      events.push(...model.put(podKey('ns', `p${n}`), pod('ns', `p${n}`)));
      expected.push(`p${n}`);
    }
    cache.apply(events);
    await ticks(2);
  }
  for (const sink of sinks) {
    assert.equal(sink.chunks.length, batches.length, 'one write per batch');
    assert.deepEqual(names(sink.chunks), expected);
  }
  for (let b = 0; b < batches.length; b++) {
    // Same run of frames: the very same buffer (no per-stream copy).
    assert.equal(sinks[1]?.chunks[b], sinks[0]?.chunks[b]);
    assert.equal(sinks[2]?.chunks[b], sinks[0]?.chunks[b]);
  }
  for (const w of watchers) w.close();
  cache.close();
});

test('a stream that reads from history gets whole frames in bounded writes, in order', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const expected: string[] = [];
  for (let i = 0; i < 300; i++) {
    cache.apply(model.put(podKey('ns', `h${i}`), pod('ns', `h${i}`)));
    expected.push(`h${i}`);
  }
  const sink = new RecordingSink();
  const w = cache.watch({ resourceVersion: '1' });
  void pipeWatch(w, msgpackWatchCodec, sink, { writeBytesMax: 4096 });
  await ticks(4);
  assert.deepEqual(names(sink.chunks), expected);
  assert.ok(sink.chunks.length > 1, 'history split into several writes');
  for (const c of sink.chunks.slice(0, -1)) assert.ok(c.length < 4096 + 2048, `a write of ${c.length} bytes`);
  w.close();
  cache.close();
});

test('RunCoalescer: equal runs share one buffer; runs that differ anywhere do not', () => {
  const c = new RunCoalescer(2);
  const f = [Buffer.from('aa'), Buffer.from('bb'), Buffer.from('cc'), Buffer.from('dd')];
  const run = [f[0], f[1], f[3]] as Buffer[];
  const first = c.join(run, 6);
  assert.equal(first.toString(), 'aabbdd');
  assert.equal(c.join([...run], 6), first);
  // Same first and last frame, another middle: its own bytes.
  const other = c.join([f[0], f[2], f[3]] as Buffer[], 6);
  assert.equal(other.toString(), 'aaccdd');
  assert.notEqual(other, first);
  // Equal bytes in other buffers are not the same run (identity, not content, is compared).
  const copy = c.join([Buffer.from('aa'), Buffer.from('bb'), Buffer.from('dd')], 6);
  assert.equal(copy.toString(), 'aabbdd');
  assert.notEqual(copy, first);
  // One frame: the frame itself.
  assert.equal(c.join([f[2] as Buffer], 2), f[2]);
  // Bounded: after two newer runs the first is forgotten, and rebuilt equal.
  const again = c.join(run, 6);
  assert.equal(again.toString(), 'aabbdd');
  assert.notEqual(again, first);
});

test('onNothingReady: called once when the first pass finds nothing, never when frames are ready', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  cache.apply(model.put(podKey('ns', 'a'), pod('ns', 'a')));
  let idleCalls = 0;
  const fromHistory = new RecordingSink();
  const w1 = cache.watch({ resourceVersion: '1' });
  void pipeWatch(w1, msgpackWatchCodec, fromHistory, { onNothingReady: () => idleCalls++ });
  assert.equal(idleCalls, 0);
  assert.equal(fromHistory.chunks.length, 1, 'history went out in the first pass');
  const fromNow = new RecordingSink();
  const w2 = cache.watch({ resourceVersion: String(model.revision) });
  void pipeWatch(w2, msgpackWatchCodec, fromNow, { onNothingReady: () => idleCalls++ });
  assert.equal(idleCalls, 1);
  cache.apply(model.put(podKey('ns', 'b'), pod('ns', 'b')));
  await ticks(2);
  assert.equal(idleCalls, 1);
  assert.deepEqual(names(fromNow.chunks), ['b']);
  w1.close();
  w2.close();
  cache.close();
});

test('commits applied in one turn of the event loop leave in one write per stream', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const sinks = [new RecordingSink(), new RecordingSink()];
  const watchers = sinks.map((sink) => {
    const w = cache.watch({ resourceVersion: '1' });
    void pipeWatch(w, msgpackWatchCodec, sink);
    return w;
  });
  await ticks(2);
  // Three commits, each applied on its own (as the store reports them), within one turn.
  for (let i = 0; i < 3; i++) cache.apply(model.put(podKey('ns', `t${i}`), pod('ns', `t${i}`)));
  await Promise.resolve();
  for (const sink of sinks) assert.equal(sink.chunks.length, 0, 'nothing written before the check phase');
  await ticks(2);
  for (const sink of sinks) {
    assert.equal(sink.chunks.length, 1);
    assert.deepEqual(names(sink.chunks), ['t0', 't1', 't2']);
  }
  assert.equal(sinks[1]?.chunks[0], sinks[0]?.chunks[0]);
  for (const w of watchers) w.close();
  cache.close();
});
