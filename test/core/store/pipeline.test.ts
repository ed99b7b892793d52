// The commit pipeline with many small batches queued at once (commitBatchWritesMax): each write
// acknowledged only once durable, batches applied and published strictly in revision order;
// compaction planned while writes are queued.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import type { KeyValue, StoreEvent } from '../../../src/core/store/store.js';
import { tempDir, withStore } from './helpers.js';

interface Obj {
  readonly n: number;
}

/** Small batches (many queue behind the commit in progress); few recent values (evicted often). */
const pipelined = { commitBatchWritesMax: 4, pendingWritesMax: 1000, recentValuesMax: 3 } as const;

describe('LmdbStore: pipelined commits', () => {
  it('acknowledges each write after its event is published, in revision order, without gaps', async () => {
    await withStore<Obj>(async (store) => {
      const published: number[] = [];
      const stop = store.subscribe(0, (events) => {
        for (const e of events) published.push(e.revision);
      });
      const acknowledged: number[] = [];
      const writes: Promise<void>[] = [];
      // 200 writes accepted in one turn: 50 batches of 4.
      for (let i = 0; i < 200; i++) {
        writes.push(
          store.create(`/p/${i}`, { n: i }).then((kv) => {
            // Its event is out, and so is every earlier revision's (ordered acknowledgement).
            assert.ok(published.length >= kv.modRevision, `rev ${kv.modRevision} acknowledged before published`);
            assert.ok(store.currentRevision >= kv.modRevision);
            acknowledged.push(kv.modRevision);
          }),
        );
      }
      await Promise.all(writes);
      stop();
      assert.deepEqual(published, Array.from({ length: 200 }, (_, i) => i + 1));
      assert.deepEqual(acknowledged, published);
      const list = await store.list('/p/');
      assert.equal(list.items.length, 200);
    }, pipelined);
  });

  it('keeps a key re-created while compaction of its tombstone is planned', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path, ...pipelined });
      try {
        // Keys whose tombstones compaction will remove, re-created just before it is planned:
        // the re-creates are in commits not yet durable when the plan reads the index.
        for (let i = 0; i < 16; i++) await store.create(`/t/${i}`, { n: i });
        for (let i = 0; i < 16; i++) await store.delete(`/t/${i}`);
        assert.equal(store.currentRevision, 32);
        const recreates = Array.from({ length: 16 }, (_, i) => store.create(`/t/${i}`, { n: 100 + i }));
        // The re-creates are issued on the next turn; plan the compaction right after that.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const compaction = store.compact(store.currentRevision);
        await Promise.all([...recreates, compaction]);
        for (let i = 0; i < 16; i++) assert.equal((await store.get(`/t/${i}`))?.value.n, 100 + i, `/t/${i}`);
        assert.equal((await store.list('/t/')).items.length, 16);
      } finally {
        await store.close();
      }
      // The index survives a clean reopen as it was written.
      const reopened = await openLmdbStore<Obj>({ path: dir.path });
      try {
        assert.equal((await reopened.list('/t/')).items.length, 16);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('matches a sequential model when writes, deletes and compactions interleave, queued', async () => {
    type Op =
      | { readonly kind: 'put'; readonly key: number; readonly n: number }
      | { readonly kind: 'delete'; readonly key: number }
      | { readonly kind: 'compact' }
      | { readonly kind: 'turn' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 5 }), n: fc.integer({ min: 0, max: 1000 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 5 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'turn' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        await withStore<Obj>(async (store) => {
          const model = new Map<string, number>();
          const events: StoreEvent<Obj>[] = [];
          const stop = store.subscribe(0, (batch) => {
            events.push(...batch);
          });
          const pending: Promise<unknown>[] = [];
          let accepted = 0;
          for (const o of ops) {
            switch (o.kind) {
              case 'put': {
                const key = `/m/${o.key}`;
                pending.push(store.guaranteedUpdate(key, () => ({ n: o.n }), { ignoreNotFound: true }));
                if (model.get(key) !== o.n) accepted++;
                model.set(key, o.n);
                break;
              }
              case 'delete': {
                const key = `/m/${o.key}`;
                if (!model.has(key)) break;
                pending.push(store.delete(key));
                model.delete(key);
                accepted++;
                break;
              }
              case 'compact':
                pending.push(store.compact(store.currentRevision));
                break;
              case 'turn':
                // Let a commit start, so later writes land in later commits.
                await new Promise<void>((resolve) => setImmediate(resolve));
                break;
              default: {
                const never: never = o;
                throw new Error(`unknown op ${String(never)}`);
              }
            }
          }
          await Promise.all(pending);
          stop();
          assert.equal(store.currentRevision, accepted);
          assert.deepEqual(events.map((e) => e.revision), Array.from({ length: accepted }, (_, i) => i + 1));
          const listed = (await store.list('/m/')).items;
          const expected = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
          assert.deepEqual(
            listed.map((kv: KeyValue<Obj>) => [kv.key, kv.value.n]),
            expected,
          );
          for (const [key, n] of expected) {
            const kv = await store.get(key);
            assert.equal(kv?.value.n, n);
            // The value at its own modRevision, and the event that wrote it, agree.
            assert.deepEqual(await store.get(key, kv.modRevision), kv);
            assert.deepEqual(events[kv.modRevision - 1]?.kv, kv);
          }
        }, pipelined);
      }),
      { numRuns: 25, seed: 20261123 },
    );
  });
});
