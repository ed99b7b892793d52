// The commit pipeline with many small batches queued at once (commitBatchWritesMax): each write
// acknowledged only once durable, batches applied and published strictly in revision order;
// compaction planned while writes are queued.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { open } from 'lmdb';
import { decodeKeyRecord } from '../../../src/core/store/codec.js';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import type { KeyValue, StoreEvent } from '../../../src/core/store/store.js';
import { tempDir, withStore } from './helpers.js';

interface Obj {
  readonly n: number;
}

/**
 * Small batches (many queue behind the commit in progress); few recent values (evicted often);
 * the kv table written every couple of keys (reads mix it with heads not yet written to it).
 */
const pipelined = { commitBatchWritesMax: 4, pendingWritesMax: 1000, recentValuesMax: 3, indexFlushKeysMin: 2 } as const;

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

describe('LmdbStore: heads not yet in the kv table', () => {
  // Keys whose UTF-16 order differs from LMDB's UTF-8 byte order (U+E000 and U+FFFD sort before
  // an astral character in UTF-16, after it in UTF-8), so the merge must use LMDB's order.
  const names = ['a', 'b', 'ab', '\ue000', '\ufffd', '\u{1f600}', '\u{1f600}x', 'z', 'é', 'a\u{10000}'];

  it('lists and pages through the kv table merged with the committed heads not yet written to it', async () => {
    const op = fc.record({
      name: fc.integer({ min: 0, max: names.length - 1 }),
      remove: fc.boolean(),
      turn: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (ops, indexFlushKeysMin, pageSize) => {
          await withStore<Obj>(async (store) => {
            const model = new Map<string, number>();
            const writes: Promise<unknown>[] = [];
            for (let i = 0; i < ops.length; i++) {
              const o = ops[i] as (typeof ops)[number];
              const key = `/u/${names[o.name] as string}`;
              if (o.remove) {
                if (!model.has(key)) continue;
                writes.push(store.delete(key));
                model.delete(key);
              } else {
                writes.push(store.guaranteedUpdate(key, () => ({ n: i }), { ignoreNotFound: true }));
                model.set(key, i);
              }
              if (o.turn) await Promise.all(writes.splice(0));
            }
            await Promise.all(writes);
            const expected = [...model.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
            const whole = (await store.list('/u/')).items.map((kv) => [kv.key, kv.value.n]);
            assert.deepEqual(whole, expected);
            const paged: [string, number][] = [];
            let startAfter: string | undefined;
            for (let page = 0; page <= names.length; page++) {
              const result = await store.list('/u/', { limit: pageSize, ...(startAfter === undefined ? {} : { startAfter }) });
              for (const kv of result.items) paged.push([kv.key, kv.value.n]);
              if (!result.more) break;
              startAfter = result.continueKey;
            }
            assert.deepEqual(paged, expected);
            for (const [key, n] of expected) assert.equal((await store.get(key))?.value.n, n);
          }, { indexFlushKeysMin });
        },
      ),
      { numRuns: 40, seed: 20261123 },
    );
  });

  it('writes every committed head to the kv table on close', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path, indexFlushKeysMin: 1000 });
      for (let i = 0; i < 10; i++) await store.create(`/c/${i}`, { n: i });
      await store.delete('/c/3');
      await store.close();
      // The index environment as the next open finds it: current, so it is used as it is.
      const index = open({ path: join(dir.path, 'index'), maxDbs: 4, readOnly: true });
      try {
        const kv = index.openDB<Buffer, string>('kv', { encoding: 'binary' });
        const heads = [...kv.getRange({ start: '/c/', end: '/c0' })].map(({ key, value }) => [key, decodeKeyRecord(value)]);
        assert.deepEqual(
          heads,
          Array.from({ length: 10 }, (_, i) => [
            `/c/${i}`,
            i === 3 ? { modRevision: 11, createRevision: 0, version: 0 } : { modRevision: i + 1, createRevision: i + 1, version: 1 },
          ]),
        );
        assert.equal(index.openDB<unknown, string>('meta', { encoding: 'msgpack' }).get('revision'), 11);
      } finally {
        await index.close();
      }
    } finally {
      dir.remove();
    }
  });
});
