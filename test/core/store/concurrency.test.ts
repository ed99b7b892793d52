// Concurrency: lost updates, group commit, and snapshot reads while writers run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, StoreBusyError } from '../../../src/core/store/store.js';
import { withStore } from './helpers.js';

interface Counter {
  readonly count: number;
  readonly by: readonly number[];
}

const loops = 32;
const incrementsPerLoop = 10;

describe('LmdbStore: lost updates', () => {
  it('get + update: every loser sees ConflictError and retries; no increment is lost', async () => {
    await withStore<Counter>(async (store) => {
      await store.create('/c', { count: 0, by: [] });
      let acknowledged = 0;
      let conflicts = 0;
      const loop = async (id: number): Promise<void> => {
        for (let done = 0; done < incrementsPerLoop; ) {
          const current = await store.get('/c');
          assert.ok(current !== undefined);
          try {
            await store.update('/c', { count: current.value.count + 1, by: [...current.value.by, id] }, current.modRevision);
            acknowledged++;
            done++;
          } catch (e) {
            assert.ok(e instanceof ConflictError, `unexpected ${String(e)}`);
            assert.equal(e.expectedModRevision, current.modRevision);
            assert.ok(e.actualModRevision > current.modRevision);
            conflicts++;
          }
        }
      };
      await Promise.all(Array.from({ length: loops }, (_, id) => loop(id)));
      const final = await store.get('/c');
      assert.equal(acknowledged, loops * incrementsPerLoop);
      assert.equal(final?.value.count, acknowledged);
      assert.equal(final?.version, acknowledged + 1);
      // Each loop's increments are all there, once each.
      for (let id = 0; id < loops; id++) {
        assert.equal(final?.value.by.filter((b) => b === id).length, incrementsPerLoop);
      }
      assert.ok(conflicts > 0, 'concurrent loops must have collided');
    });
  });

  it('guaranteedUpdate: the final counter equals the acknowledged increments', async () => {
    await withStore<Counter>(async (store) => {
      await store.create('/c', { count: 0, by: [] });
      let acknowledged = 0;
      const loop = async (id: number): Promise<void> => {
        for (let i = 0; i < incrementsPerLoop; i++) {
          const kv = await store.guaranteedUpdate('/c', (cur) =>
            cur === undefined ? undefined : { count: cur.value.count + 1, by: [...cur.value.by, id] },
          );
          assert.ok(kv !== undefined);
          acknowledged++;
        }
      };
      await Promise.all(Array.from({ length: loops }, (_, id) => loop(id)));
      const final = await store.get('/c');
      assert.equal(final?.value.count, acknowledged);
      assert.equal(acknowledged, loops * incrementsPerLoop);
      assert.equal(final?.value.by.length, acknowledged);
    });
  });
});

describe('LmdbStore: group commit', () => {
  it('acknowledges concurrent writes with distinct, gapless, increasing revisions', async () => {
    await withStore<{ i: number }>(async (store) => {
      const acked = await Promise.all(Array.from({ length: 500 }, (_, i) => store.create(`/g/${i}`, { i })));
      const revisions = acked.map((kv) => kv.modRevision);
      assert.deepEqual(revisions, Array.from({ length: 500 }, (_, i) => i + 1));
      assert.equal(store.currentRevision, 500);
    });
  });

  it('sees an acknowledged write in every read that starts after the acknowledgement', async () => {
    await withStore<{ i: number }>(async (store) => {
      const checks: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        checks.push(
          store.create(`/g/${i}`, { i }).then(async (kv) => {
            assert.ok(store.currentRevision >= kv.modRevision);
            assert.deepEqual(await store.get(kv.key), kv);
            const list = await store.list('/g/');
            assert.ok(list.revision >= kv.modRevision);
            assert.ok(list.items.some((item) => item.key === kv.key));
          }),
        );
      }
      await Promise.all(checks);
    });
  });
});

describe('LmdbStore: backpressure', () => {
  it('fails writes beyond pendingWritesMax with StoreBusyError, and accepts again after commits', async () => {
    await withStore<{ i: number }>(
      async (store) => {
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) => store.create(`/b/${i}`, { i })),
        );
        const accepted = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        assert.equal(accepted.length, 10);
        for (const r of refused) {
          assert.ok(r.reason instanceof StoreBusyError);
          assert.equal(r.reason.code, 'COX_STORE_BUSY');
        }
        // Refused writes took no revision; once acknowledged, the budget is back.
        assert.equal(store.currentRevision, 10);
        const again = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(`/b/again-${i}`, { i })));
        assert.deepEqual(again.map((kv) => kv.modRevision), Array.from({ length: 10 }, (_, i) => 11 + i));
      },
      { pendingWritesMax: 10 },
    );
  });
});

describe('LmdbStore: list at a revision while writers run', () => {
  it('is a consistent snapshot: transfers between accounts keep the total', async () => {
    const accounts = 20;
    const total = accounts * 100;
    const writerCount = 4;
    await withStore<{ balance: number }>(async (store) => {
      for (let i = 0; i < accounts; i++) await store.create(`/acct/${String(i).padStart(2, '0')}`, { balance: 100 });
      let stop = false;
      let transfers = 0;
      // Each transfer is a debit, then a credit: at any one revision at most one unit per writer
      // is in transit, and a credit is never visible without its debit. A list mixing revisions
      // could show a credit without its debit (sum above total) or several debits (below).
      const writer = async (seed: number): Promise<void> => {
        let x = seed;
        while (!stop && transfers < 2_000) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          const from = `/acct/${String(x % accounts).padStart(2, '0')}`;
          const to = `/acct/${String((x >> 8) % accounts).padStart(2, '0')}`;
          if (from === to) continue;
          await store.guaranteedUpdate(from, (cur) => (cur === undefined ? undefined : { balance: cur.value.balance - 1 }));
          await store.guaranteedUpdate(to, (cur) => (cur === undefined ? undefined : { balance: cur.value.balance + 1 }));
          transfers++;
        }
      };
      let snapshots = 0;
      const reader = async (): Promise<void> => {
        while (snapshots < 60) {
          const list = await store.list('/acct/');
          assert.equal(list.items.length, accounts);
          let sum = 0;
          for (const item of list.items) {
            assert.ok(item.modRevision <= list.revision);
            sum += item.value.balance;
          }
          assert.ok(sum <= total && sum >= total - writerCount, `sum ${sum} at revision ${list.revision}`);
          // Later, while writers go on: paging through the same revision gives the same items,
          // and per-key reads at that revision (another code path) agree.
          await new Promise<void>((resolve) => setImmediate(resolve));
          const paged = [];
          let startAfter: string | undefined;
          for (let page = 0; page < accounts; page++) {
            const p = await store.list('/acct/', {
              revision: list.revision,
              limit: 3,
              ...(startAfter === undefined ? {} : { startAfter }),
            });
            paged.push(...p.items);
            if (!p.more) break;
            startAfter = p.continueKey;
          }
          assert.deepEqual(paged, list.items);
          for (const item of list.items) assert.deepEqual(await store.get(item.key, list.revision), item);
          snapshots++;
        }
      };
      const writers = Array.from({ length: writerCount }, (_, i) => writer(i + 1));
      await Promise.all([reader(), reader()]);
      stop = true;
      await Promise.all(writers);
      const final = await store.list('/acct/');
      assert.equal(final.items.reduce((sum, i) => sum + i.value.balance, 0), total);
      assert.ok(transfers > 0);
    });
  });

  it('is a consistent snapshot: a sum kept in one key matches the items it counts', async () => {
    await withStore<{ n: number }>(async (store) => {
      // Each writer adds an item and then bumps the counter; the counter may lag the items by
      // the writes in flight, never lead them, at any single revision.
      await store.create('/s/count', { n: 0 });
      let stop = false;
      let created = 0;
      const writer = async (w: number): Promise<void> => {
        for (let i = 0; !stop && i < 200; i++) {
          await store.create(`/s/items/${w}-${i}`, { n: 1 });
          await store.guaranteedUpdate('/s/count', (cur) => (cur === undefined ? undefined : { n: cur.value.n + 1 }));
          created++;
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      for (let r = 0; r < 40; r++) {
        const items = await store.list('/s/items/');
        const count = await store.get('/s/count', items.revision);
        assert.ok(count !== undefined);
        assert.ok(count.value.n <= items.items.length, `count ${count.value.n} > items ${items.items.length}`);
        assert.ok(items.items.length - count.value.n <= 8, 'at most one item in flight per writer');
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      stop = true;
      await Promise.all(writers);
      const finalItems = await store.list('/s/items/');
      assert.equal((await store.get('/s/count'))?.value.n, finalItems.items.length);
      assert.equal(finalItems.items.length, created);
    });
  });
});
