// History: reads at past revisions, compaction (explicit and by window), event streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openLmdbStore, type LmdbStore } from '../../../src/core/store/lmdb-store.js';
import { CompactedError, type KeyValue, type StoreEvent } from '../../../src/core/store/store.js';
import { rejection, tempDir, withStore } from './helpers.js';

interface Obj {
  readonly n: number;
}

/** Writes a fixed history: 3 keys, updates, a delete and a re-create (revisions 1..10). */
async function writeHistory(store: LmdbStore<Obj>): Promise<void> {
  const a = await store.create('/h/a', { n: 1 }); // 1
  const b = await store.create('/h/b', { n: 2 }); // 2
  const a2 = await store.update('/h/a', { n: 3 }, a.modRevision); // 3
  await store.create('/h/c', { n: 4 }); // 4
  await store.delete('/h/b', { expectedModRevision: b.modRevision }); // 5
  const a3 = await store.update('/h/a', { n: 5 }, a2.modRevision); // 6
  await store.create('/h/b', { n: 6 }); // 7
  await store.delete('/h/c'); // 8
  await store.update('/h/a', { n: 7 }, a3.modRevision); // 9
  await store.create('/h/d', { n: 8 }); // 10
}

async function snapshot(store: LmdbStore<Obj>, revision: number): Promise<readonly KeyValue<Obj>[]> {
  return (await store.list('/h/', { revision })).items;
}

function collect(store: LmdbStore<Obj>, after: number): { readonly events: StoreEvent<Obj>[]; stop(): void } {
  const events: StoreEvent<Obj>[] = [];
  const stop = store.subscribe(after, (batch) => {
    events.push(...batch);
  });
  return { events, stop };
}

describe('LmdbStore: compaction', () => {
  it('fails reads and streams below the compacted revision, and only those', async () => {
    await withStore<Obj>(async (store) => {
      await writeHistory(store);
      const before = new Map<number, readonly KeyValue<Obj>[]>();
      for (let r = 0; r <= 10; r++) before.set(r, await snapshot(store, r));
      const eventsBefore = collect(store, 0);
      eventsBefore.stop();

      await store.compact(6);
      assert.equal(store.compactedRevision, 6);
      for (let r = 0; r <= 10; r++) {
        if (r < 6) {
          const listError = await rejection(store.list('/h/', { revision: r }));
          assert.ok(listError instanceof CompactedError, `list at ${r}`);
          assert.equal(listError.requestedRevision, r);
          assert.equal(listError.compactedRevision, 6);
          assert.ok((await rejection(store.get('/h/a', r))) instanceof CompactedError, `get at ${r}`);
          assert.throws(() => store.subscribe(r, () => {}), CompactedError);
        } else {
          assert.deepEqual(await snapshot(store, r), before.get(r), `list at ${r}`);
          for (const key of ['/h/a', '/h/b', '/h/c', '/h/d']) {
            assert.deepEqual(await store.get(key, r), before.get(r)?.find((kv) => kv.key === key), `${key} at ${r}`);
          }
          const stream = collect(store, r);
          stream.stop();
          assert.deepEqual(stream.events, eventsBefore.events.slice(r), `events after ${r}`);
        }
      }
    });
  });

  it('keeps the compacted revision and the surviving history across a reopen', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path });
      await writeHistory(store);
      const at8 = await snapshot(store, 8);
      const events = collect(store, 7);
      events.stop();
      await store.compact(7);
      await store.close();
      const reopened = await openLmdbStore<Obj>({ path: dir.path });
      try {
        assert.equal(reopened.compactedRevision, 7);
        assert.equal(reopened.currentRevision, 10);
        assert.ok((await rejection(reopened.get('/h/a', 6))) instanceof CompactedError);
        assert.deepEqual(await snapshot(reopened, 8), at8);
        const replay = collect(reopened, 7);
        replay.stop();
        assert.deepEqual(replay.events, events.events);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('compacting at or below the compacted revision changes nothing', async () => {
    await withStore<Obj>(async (store) => {
      await writeHistory(store);
      await store.compact(5);
      await store.compact(3);
      assert.equal(store.compactedRevision, 5);
      assert.deepEqual((await store.get('/h/a', 5))?.value, { n: 3 });
    });
  });

  it('compacts by revision count on its timer', async () => {
    await withStore<Obj>(
      async (store) => {
        for (let i = 0; i < 30; i++) await store.create(`/w/${i}`, { n: i });
        for (let tries = 0; tries < 200 && store.compactedRevision < 20; tries++) {
          await new Promise<void>((resolve) => setTimeout(resolve, 10));
        }
        assert.equal(store.compactedRevision, 20);
        assert.ok((await rejection(store.get('/w/0', 19))) instanceof CompactedError);
        assert.equal((await store.list('/w/', { revision: 20 })).items.length, 20);
        assert.equal((await store.list('/w/')).items.length, 30);
      },
      { historyRevisionsMax: 10, compactionIntervalMs: 5 },
    );
  });

  it('compacts by age on its timer, keeping the writes inside the window', async () => {
    await withStore<Obj>(
      async (store) => {
        for (let i = 0; i < 5; i++) await store.create(`/w/old-${i}`, { n: i });
        // Let the first writes age out of the 300 ms window, then write new ones.
        await new Promise<void>((resolve) => setTimeout(resolve, 400));
        for (let i = 0; i < 5; i++) await store.create(`/w/new-${i}`, { n: i });
        for (let tries = 0; tries < 200 && store.compactedRevision < 5; tries++) {
          await new Promise<void>((resolve) => setTimeout(resolve, 10));
        }
        // The old writes fell out; the new ones (less than 300 ms old, unless this machine stalled
        // for that long) are still readable.
        assert.ok(store.compactedRevision >= 5, `compacted ${store.compactedRevision}`);
        assert.ok((await rejection(store.get('/w/old-0', 4))) instanceof CompactedError);
        assert.equal((await store.list('/w/')).items.length, 10);
      },
      { historyWindowMs: 300, compactionIntervalMs: 10 },
    );
  });
});

describe('LmdbStore: subscribe', () => {
  it('replays history in order with values and previous values, then live commits', async () => {
    await withStore<Obj>(async (store) => {
      await writeHistory(store);
      const stream = collect(store, 4);
      // History is delivered synchronously, before subscribe returns.
      assert.deepEqual(stream.events.map((e) => e.revision), [5, 6, 7, 8, 9, 10]);
      const summary = stream.events.map((e) => [e.type, e.key, e.kv?.value.n, e.prev?.value.n]);
      assert.deepEqual(summary, [
        ['delete', '/h/b', undefined, 2],
        ['update', '/h/a', 5, 3],
        ['create', '/h/b', 6, undefined],
        ['delete', '/h/c', undefined, 4],
        ['update', '/h/a', 7, 5],
        ['create', '/h/d', 8, undefined],
      ]);
      for (const e of stream.events) {
        if (e.kv !== undefined) assert.equal(e.kv.modRevision, e.revision);
      }
      const d = await store.update('/h/d', { n: 11 }, 10);
      await store.delete('/h/a');
      assert.deepEqual(
        stream.events.slice(6).map((e) => [e.type, e.revision, e.prev?.modRevision]),
        [['update', 11, 10], ['delete', 12, 9]],
      );
      assert.deepEqual(stream.events[6]?.kv, d);
      stream.stop();
      await store.create('/h/e', { n: 1 });
      assert.equal(stream.events.length, 8, 'no events after unsubscribe');
    });
  });

  it('delivers every revision exactly once to subscribers joining while writers run', async () => {
    await withStore<Obj>(async (store) => {
      const writers = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 20; i++) {
          const kv = await store.create(`/s/${w}/${i}`, { n: i });
          if (i % 3 === 0) await store.update(kv.key, { n: -i }, kv.modRevision);
        }
      });
      const streams: { after: number; events: StoreEvent<Obj>[]; stop(): void }[] = [];
      for (let j = 0; j < 12; j++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const after = Math.max(0, store.currentRevision - (j % 4) * 3);
        streams.push({ after, ...collect(store, after) });
      }
      await Promise.all(writers);
      const final = store.currentRevision;
      assert.equal(final, 16 * 20 + 16 * 7);
      for (const s of streams) {
        assert.deepEqual(
          s.events.map((e) => e.revision),
          Array.from({ length: final - s.after }, (_, i) => s.after + 1 + i),
          `subscriber after ${s.after}`,
        );
        s.stop();
      }
    });
  });

  it('has delivered a write to subscribers by the time the write is acknowledged', async () => {
    await withStore<Obj>(async (store) => {
      const seen = new Set<number>();
      const stop = store.subscribe(0, (batch) => {
        for (const e of batch) seen.add(e.revision);
      });
      const acks = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          store.create(`/v/${i}`, { n: i }).then((kv) => {
            assert.ok(seen.has(kv.modRevision), `revision ${kv.modRevision} acknowledged before delivery`);
            return kv.modRevision;
          }),
        ),
      );
      stop();
      assert.equal(acks.length, 100);
    });
  });

  it('starts after a future revision without replaying anything', async () => {
    await withStore<Obj>(async (store) => {
      await store.create('/f/a', { n: 1 });
      const stream = collect(store, 3);
      await store.create('/f/b', { n: 2 }); // 2
      await store.create('/f/c', { n: 3 }); // 3
      await store.create('/f/d', { n: 4 }); // 4
      stream.stop();
      assert.deepEqual(stream.events.map((e) => e.revision), [4]);
    });
  });
});

// Property: any sequence of writes and compactions agrees with a model that keeps every revision.
type Op =
  | { readonly kind: 'create' | 'update' | 'delete'; readonly key: number; readonly n: number }
  | { readonly kind: 'compact'; readonly back: number }
  | { readonly kind: 'reopen' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constantFrom('create' as const, 'update' as const, 'delete' as const), key: fc.nat(4), n: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

describe('LmdbStore: model check', () => {
  it('reads at every retained revision and the event stream match a full-history model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 30 }), async (ops) => {
        const dir = tempDir();
        let store = await openLmdbStore<Obj>({ path: dir.path, indexFlushKeysMin: 2 });
        try {
          // states[r]: the model's key → value at revision r.
          const states: Map<string, KeyValue<Obj>>[] = [new Map()];
          const modelEvents: [string, number, number | undefined][] = [];
          let compacted = 0;
          for (const op of ops) {
            const state = states[states.length - 1] as Map<string, KeyValue<Obj>>;
            const revision = states.length;
            if (op.kind === 'reopen') {
              await store.close();
              store = await openLmdbStore<Obj>({ path: dir.path, indexFlushKeysMin: 2 });
              continue;
            }
            if (op.kind === 'compact') {
              const target = Math.max(0, revision - 1 - op.back);
              await store.compact(target);
              compacted = Math.max(compacted, target);
              continue;
            }
            const key = `/m/${op.key}`;
            const current = state.get(key);
            const next = new Map(state);
            if (op.kind === 'create') {
              if (current !== undefined) {
                assert.equal((await rejection(store.create(key, { n: op.n }))).name, 'KeyExistsError');
                continue;
              }
              const kv = await store.create(key, { n: op.n });
              assert.deepEqual(kv, { key, value: { n: op.n }, createRevision: revision, modRevision: revision, version: 1 });
              next.set(key, kv);
            } else if (op.kind === 'update') {
              if (current === undefined) {
                assert.equal((await rejection(store.update(key, { n: op.n }, 1))).name, 'KeyNotFoundError');
                continue;
              }
              const kv = await store.update(key, { n: op.n }, current.modRevision);
              assert.deepEqual(kv, { key, value: { n: op.n }, createRevision: current.createRevision, modRevision: revision, version: current.version + 1 });
              next.set(key, kv);
            } else {
              if (current === undefined) {
                assert.equal((await rejection(store.delete(key))).name, 'KeyNotFoundError');
                continue;
              }
              assert.deepEqual(await store.delete(key), current);
              next.delete(key);
            }
            modelEvents.push([op.kind, revision, next.get(key)?.value.n]);
            states.push(next);
          }
          const current = states.length - 1;
          assert.equal(store.currentRevision, current);
          assert.equal(store.compactedRevision, compacted);
          for (let r = compacted; r <= current; r++) {
            const expected = [...(states[r] as Map<string, KeyValue<Obj>>).values()].sort((x, y) => (x.key < y.key ? -1 : 1));
            assert.deepEqual((await store.list('/m/', { revision: r })).items, expected, `list at ${r}`);
            for (let k = 0; k <= 4; k++) {
              assert.deepEqual(await store.get(`/m/${k}`, r), states[r]?.get(`/m/${k}`), `/m/${k} at ${r}`);
            }
          }
          const events: StoreEvent<Obj>[] = [];
          store.subscribe(compacted, (batch) => {
            events.push(...batch);
          })();
          assert.deepEqual(
            events.map((e) => [e.type, e.revision, e.kv?.value.n]),
            modelEvents.slice(compacted),
          );
        } finally {
          await store.close();
          dir.remove();
        }
      }),
      { numRuns: 25 },
    );
  });
});
