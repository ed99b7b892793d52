// History blocks (ring.ts): a watcher that replays the history takes whole blocks of frames as
// shared buffers. What a stream receives must not change: the bytes are exactly the frames the
// same watcher would get event by event, through eviction, new writes and both wire formats.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/core/api/types.js';
import { WatchCache, type WatchRequest } from '../../src/watch/cache.js';
import { jsonWatchCodec, msgpackWatchCodec, type WatchCodec } from '../../src/net/wire/watch-frames.js';
import type { Watcher } from '../../src/watch/watcher.js';
import { ringBlockEvents } from '../../src/watch/ring.js';
import { ModelStore, pod, podKey, podsResource, prng } from './fixtures.js';

const namespaces = ['a', 'b', 'c'];
const names = Array.from({ length: 12 }, (_, i) => `p${i}`);

/** Everything `w` has ready, taken with takeFrames in takes of at most `bytesMax`. */
function takeAllFrames(w: Watcher, codec: WatchCodec, bytesMax: number): Buffer {
  const out: Buffer[] = [];
  // Bounded: every take moves the watcher on or returns 0.
  for (let i = 0; i < 100_000; i++) {
    if (w.takeFrames(codec, out, bytesMax) === 0) break;
  }
  return Buffer.concat(out);
}

/** Everything `w` has ready, event by event, as frames. */
function nextAllFrames(w: Watcher, codec: WatchCodec): Buffer {
  const out: Buffer[] = [];
  for (let item = w.next(); item !== undefined; item = w.next()) out.push(item.frame(codec));
  return Buffer.concat(out);
}

function write(model: ModelStore, cache: WatchCache, rand: () => number, count: number): void {
  for (let i = 0; i < count; i++) {
    const ns = namespaces[Math.floor(rand() * namespaces.length)] as string;
    const name = names[Math.floor(rand() * names.length)] as string;
    const key = podKey(ns, name);
    const value: KubeObject | undefined = model.state.has(key) && rand() < 0.25 ? undefined : pod(ns, name, { v: String(i) });
    cache.apply(model.txn([{ key, value }]));
  }
}

test('property: frames taken through history blocks are the frames event by event (filters, eviction, new writes, both formats)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.constantFrom(jsonWatchCodec, msgpackWatchCodec),
      fc.constantFrom(600, 4096, 64 * 1024, 1024 * 1024),
      (seed, codec, bytesMax) => {
        const rand = prng(seed);
        const model = new ModelStore(1);
        // A small ring: the oldest blocks are evicted while watchers read.
        const cache = new WatchCache(podsResource, { historyWindowMs: 1e12, historyEventsMax: 400, bookmarkIntervalMs: 1e9, futureWaitMs: 10 });
        cache.reset([], 1);
        write(model, cache, rand, 300 + Math.floor(rand() * 300));
        const pairs: [Watcher, Watcher][] = [];
        for (let k = 0; k < 8; k++) {
          const from = Math.max(1, model.revision - Math.floor(rand() * 450));
          const ns = rand() < 0.4 ? '' : (namespaces[Math.floor(rand() * namespaces.length)] as string);
          const request: WatchRequest = { resourceVersion: String(from), filter: ns === '' ? {} : { namespace: ns } };
          pairs.push([cache.watch(request), cache.watch(request)]);
        }
        // Read, write some more (evicting blocks, filling new ones), read again.
        for (let phase = 0; phase < 3; phase++) {
          for (const [viaBlocks, viaEvents] of pairs) {
            const got = takeAllFrames(viaBlocks, codec, bytesMax);
            const want = nextAllFrames(viaEvents, codec);
            assert.ok(got.equals(want), `seed ${seed}: ${got.length} bytes through blocks, ${want.length} event by event`);
            assert.equal(viaBlocks.done, viaEvents.done);
          }
          write(model, cache, rand, 50 + Math.floor(rand() * 150));
        }
        for (const [a, b] of pairs) {
          a.close();
          b.close();
        }
        cache.close();
      },
    ),
    { numRuns: 40 },
  );
});

test('streams replaying the same history share each block buffer, and objects keep their own encoding', () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const rand = prng(7);
  write(model, cache, rand, ringBlockEvents * 5);
  const takes = [cache.watch({ resourceVersion: '1' }), cache.watch({ resourceVersion: '1' })].map((w) => {
    const out: Buffer[] = [];
    while (w.takeFrames(msgpackWatchCodec, out, 1024 * 1024) > 0);
    w.close();
    return out;
  });
  const [first, second] = takes as [Buffer[], Buffer[]];
  assert.ok(first.length >= 4, `${first.length} buffers: whole blocks, not one frame each`);
  assert.equal(first.length, second.length);
  for (let i = 0; i < first.length; i++) assert.equal(first[i], second[i], `buffer ${i} is the same, not a copy`);
  // The objects' encodings, now views into the blocks, still decode to the objects.
  const state = cache.listNow({});
  for (const entry of state.entries) {
    for (const codec of [jsonWatchCodec, msgpackWatchCodec]) assert.ok(entry.bytes(codec).equals(codec.encodeObject(entry.object)));
  }
  cache.close();
});
