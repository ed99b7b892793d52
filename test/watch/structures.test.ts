// The cache's data structures against plain models: the chunked sorted key list (LIST order,
// ranges, inserts and removes in any order) and the event ring (binary search by revision,
// wrap-around, growth, eviction).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CacheEvent, Entry, WatchItem } from '../../src/watch/items.js';
import { EventRing } from '../../src/watch/ring.js';
import { KeySlot, SortedEntries } from '../../src/watch/sorted.js';
import { ItemQueue } from '../../src/watch/queue.js';
import { pod } from './fixtures.js';

function entry(key: string): Entry {
  return new Entry(key, 'ns', key, '', 1, pod('ns', 'x'));
}

test('SortedEntries keeps key order through inserts and removes, and finds prefix ranges', () => {
  const keyArb = fc.tuple(fc.constantFrom('a', 'ab', 'b', 'c'), fc.integer({ min: 0, max: 300 })).map(([ns, n]) => `/p/${ns}/k${n}`);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), keyArb), { maxLength: 600 }), fc.integer({ min: 2, max: 16 }), (ops, chunkMax) => {
      const sorted = new SortedEntries(chunkMax);
      const model = new Set<string>();
      for (const [insert, key] of ops) {
        if (insert && !model.has(key)) {
          model.add(key);
          sorted.insert(new KeySlot(key, entry(key)));
        } else if (!insert) {
          assert.equal(sorted.remove(key), model.has(key));
          model.delete(key);
        }
      }
      const want = [...model].sort();
      assert.equal(sorted.size, want.length);
      const all: Entry[] = [];
      sorted.collectPrefix('/p/', all, undefined);
      assert.deepEqual(all.map((e) => e.key), want);
      for (const ns of ['a', 'ab', 'b', 'c']) {
        const prefix = `/p/${ns}/`;
        const got: Entry[] = [];
        sorted.collectPrefix(prefix, got, []);
        assert.deepEqual(got.map((e) => e.key), want.filter((k) => k.startsWith(prefix)));
        // scan from the middle of the range, exclusive
        const inRange = want.filter((k) => k.startsWith(prefix));
        const after = inRange[Math.floor(inRange.length / 2)];
        const scanned: string[] = [];
        sorted.scan(after, prefix, (e) => {
          scanned.push(e.key);
          return true;
        });
        assert.deepEqual(scanned, after === undefined ? inRange : inRange.filter((k) => k > after));
      }
    }),
    { numRuns: 200 },
  );
});

test('EventRing: seqAfter finds the first event after a revision through growth and eviction', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 400 }),
      fc.integer({ min: 1, max: 64 }),
      (gaps, capacity) => {
        const ring = new EventRing(capacity);
        const model: number[] = [];
        let rev = 10;
        for (const gap of gaps) {
          rev += gap; // 0: same revision (a multi-key transaction)
          if (ring.size === capacity) {
            ring.shift();
            model.shift();
          }
          const e = entry(`/k${rev}`);
          ring.push(new CacheEvent(rev, e.key, e, undefined), 0);
          model.push(rev);
        }
        assert.equal(ring.size, model.length);
        for (let probe = 5; probe <= rev + 1; probe++) {
          const i = model.findIndex((r) => r > probe);
          const want = ring.firstSeq + (i < 0 ? model.length : i);
          assert.equal(ring.seqAfter(probe), want, `after ${probe}`);
        }
        for (let k = 0; k < model.length; k++) assert.equal(ring.at(ring.firstSeq + k).revision, model[k]);
      },
    ),
    { numRuns: 200 },
  );
});

test('ItemQueue is FIFO through growth and wrap-around, and truncates from the tail', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -3, max: 5 }), { maxLength: 300 }), (ops) => {
      const q = new ItemQueue();
      const model: number[] = [];
      let n = 0;
      const e = entry('/x');
      for (const op of ops) {
        if (op >= 0) {
          for (let i = 0; i <= op; i++) {
            q.push(new WatchItem('ADDED', ++n, e));
            model.push(n);
          }
        } else {
          const out: WatchItem[] = [];
          const got = q.drainInto(out, -op);
          assert.deepEqual(out.map((x) => x.revision), model.splice(0, -op));
          assert.equal(got, out.length);
        }
        assert.equal(q.length, model.length);
      }
      q.truncate(Math.floor(model.length / 2));
      const rest: number[] = [];
      for (let item = q.shift(); item !== undefined; item = q.shift()) rest.push(item.revision);
      assert.deepEqual(rest, model.slice(0, Math.floor(model.length / 2)));
    }),
    { numRuns: 200 },
  );
});
