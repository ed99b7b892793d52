import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeValue } from '../../../src/core/store/codec.js';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  InvalidKeyError,
  KeyExistsError,
  KeyNotFoundError,
  ObjectTooLargeError,
  StoreClosedError,
  type KeyValue,
} from '../../../src/core/store/store.js';
import { rejection, tempDir, withStore } from './helpers.js';

interface Obj {
  readonly n: number;
  readonly tags?: readonly string[];
}

describe('LmdbStore: create, get, update, delete', () => {
  it('freezes a handed-over value in place, and carries the encoding it stored', async () => {
    await withStore<{ n: number; tags: string[]; gone?: string | undefined }>(async (store) => {
      const seen: unknown[] = [];
      store.subscribe(0, (events) => {
        for (const e of events) seen.push(e.kv?.value);
      });
      const mine = { n: 1, tags: ['a'], gone: undefined };
      const owned = await store.create('/own/a', mine, { owned: true });
      // The value itself, frozen, as a read returns it (undefined properties dropped).
      assert.equal(owned.value, mine);
      assert.ok(Object.isFrozen(mine) && Object.isFrozen(mine.tags));
      assert.deepEqual(owned.value, { n: 1, tags: ['a'] });
      assert.deepEqual(await store.get('/own/a'), owned);
      assert.equal(seen[0], mine, 'the event carries the same value');
      // Not handed over: a frozen copy, the caller's object untouched.
      const theirs = { n: 2, tags: ['b'] };
      const copied = await store.create('/own/b', theirs);
      assert.notEqual(copied.value, theirs);
      assert.ok(!Object.isFrozen(theirs));
      // Either way the write's result has the bytes it stored; a read does not.
      for (const kv of [owned, copied]) {
        assert.ok(kv.encoded !== undefined);
        assert.deepEqual(decodeValue(kv.encoded), kv.value);
      }
      const read = await store.get('/own/b');
      assert.deepEqual(read, copied);
    });
  });

  it('assigns one revision per write with createRevision, modRevision and version', async () => {
    await withStore<Obj>(async (store) => {
      assert.equal(store.currentRevision, 0);
      const a = await store.create('/t/a', { n: 1 });
      assert.deepEqual(a, { key: '/t/a', value: { n: 1 }, createRevision: 1, modRevision: 1, version: 1 });
      assert.equal(store.currentRevision, 1);
      const b = await store.create('/t/b', { n: 2 });
      assert.equal(b.modRevision, 2);
      const a2 = await store.update('/t/a', { n: 3 }, a.modRevision);
      assert.deepEqual(a2, { key: '/t/a', value: { n: 3 }, createRevision: 1, modRevision: 3, version: 2 });
      assert.deepEqual(await store.get('/t/a'), a2);
      const deleted = await store.delete('/t/a');
      assert.deepEqual(deleted, a2, 'delete resolves to the deleted value');
      assert.equal(store.currentRevision, 4);
      assert.equal(await store.get('/t/a'), undefined);
      // Re-created: a new generation starts at version 1.
      const a3 = await store.create('/t/a', { n: 5 });
      assert.deepEqual(a3, { key: '/t/a', value: { n: 5 }, createRevision: 5, modRevision: 5, version: 1 });
    });
  });

  it('hands out frozen values that are copies of what was stored', async () => {
    await withStore<Obj>(async (store) => {
      const input = { n: 1, tags: ['x'] };
      const kv = await store.create('/t/a', input);
      input.tags.push('mutated after create');
      assert.ok(Object.isFrozen(kv));
      assert.ok(Object.isFrozen(kv.value));
      assert.ok(Object.isFrozen(kv.value.tags));
      assert.deepEqual((await store.get('/t/a'))?.value, { n: 1, tags: ['x'] });
    });
  });

  it('stores values that are not plain JSON: dates and bytes come back as such', async () => {
    await withStore<Record<string, unknown>>(async (store) => {
      const when = new Date('2026-11-23T15:00:00Z');
      const created = await store.create('/t/a', { when, bytes: new Uint8Array([1, 2, 3]) });
      for (const kv of [created, await store.get('/t/a')]) {
        assert.ok(kv?.value['when'] instanceof Date);
        assert.equal((kv.value['when'] as Date).getTime(), when.getTime());
        assert.deepEqual([...(kv.value['bytes'] as Uint8Array)], [1, 2, 3]);
      }
    });
  });

  it('drops undefined properties as JSON does', async () => {
    await withStore<Record<string, unknown>>(async (store) => {
      await store.create('/t/a', { a: 1, b: undefined, c: { d: undefined, e: 'x' } });
      assert.deepEqual((await store.get('/t/a'))?.value, { a: 1, c: { e: 'x' } });
    });
  });

  const failures: readonly {
    readonly name: string;
    readonly run: (s: Awaited<ReturnType<typeof openLmdbStore<Obj>>>, a: KeyValue<Obj>) => Promise<unknown>;
    readonly error: new (...args: never[]) => Error;
    readonly code: string;
  }[] = [
    { name: 'create of an existing key', run: (s) => s.create('/t/a', { n: 9 }), error: KeyExistsError, code: 'COX_STORE_KEY_EXISTS' },
    { name: 'update of a missing key', run: (s) => s.update('/t/zz', { n: 9 }, 1), error: KeyNotFoundError, code: 'COX_STORE_KEY_NOT_FOUND' },
    { name: 'update with a stale modRevision', run: (s, a) => s.update('/t/a', { n: 9 }, a.modRevision - 1), error: ConflictError, code: 'COX_STORE_CONFLICT' },
    { name: 'delete of a missing key', run: (s) => s.delete('/t/zz'), error: KeyNotFoundError, code: 'COX_STORE_KEY_NOT_FOUND' },
    { name: 'delete with a stale precondition', run: (s, a) => s.delete('/t/a', { expectedModRevision: a.modRevision + 5 }), error: ConflictError, code: 'COX_STORE_CONFLICT' },
    { name: 'get in the future', run: (s) => s.get('/t/a', 1000), error: FutureRevisionError, code: 'COX_STORE_FUTURE_REVISION' },
    { name: 'list in the future', run: (s) => s.list('/t/', { revision: 1000 }), error: FutureRevisionError, code: 'COX_STORE_FUTURE_REVISION' },
    { name: 'compact in the future', run: (s) => s.compact(1000), error: FutureRevisionError, code: 'COX_STORE_FUTURE_REVISION' },
    { name: 'an empty key', run: (s) => s.create('', { n: 1 }), error: InvalidKeyError, code: 'COX_STORE_INVALID_KEY' },
    { name: 'a key over 1024 bytes', run: (s) => s.create(`/t/${'k'.repeat(1100)}`, { n: 1 }), error: InvalidKeyError, code: 'COX_STORE_INVALID_KEY' },
  ];
  for (const f of failures) {
    it(`rejects ${f.name} with ${f.error.name}, writing nothing`, async () => {
      await withStore<Obj>(async (store) => {
        const a = await store.create('/t/a', { n: 1 });
        await store.update('/t/a', { n: 2 }, a.modRevision);
        const latest = await store.get('/t/a');
        assert.ok(latest !== undefined);
        const before = store.currentRevision;
        const error = await rejection(f.run(store, latest));
        assert.ok(error instanceof f.error, `${error.name}: ${error.message}`);
        assert.equal((error as Error & { code: string }).code, f.code);
        assert.equal(store.currentRevision, before, 'no revision consumed');
        assert.deepEqual(await store.get('/t/a'), latest);
        // The next write gets the very next revision: nothing was burned.
        assert.equal((await store.create('/t/next', { n: 0 })).modRevision, before + 1);
      });
    });
  }

  it('reports both revisions in a ConflictError', async () => {
    await withStore<Obj>(async (store) => {
      const a = await store.create('/t/a', { n: 1 });
      const a2 = await store.update('/t/a', { n: 2 }, a.modRevision);
      const error = await rejection(store.update('/t/a', { n: 3 }, a.modRevision));
      assert.ok(error instanceof ConflictError);
      assert.equal(error.expectedModRevision, a.modRevision);
      assert.equal(error.actualModRevision, a2.modRevision);
    });
  });

  it('deletes with a matching precondition', async () => {
    await withStore<Obj>(async (store) => {
      const a = await store.create('/t/a', { n: 1 });
      assert.deepEqual(await store.delete('/t/a', { expectedModRevision: a.modRevision }), a);
      assert.equal(await store.get('/t/a'), undefined);
    });
  });

  it('rejects objects over the encoded size limit with ObjectTooLargeError', async () => {
    await withStore<{ s: string }>(
      async (store) => {
        const small = await store.create('/t/ok', { s: 'x'.repeat(900) });
        const error = await rejection(store.create('/t/big', { s: 'x'.repeat(1100) }));
        assert.ok(error instanceof ObjectTooLargeError);
        assert.equal(error.sizeBytesMax, 1024);
        assert.ok(error.sizeBytes > 1024);
        const updateError = await rejection(store.update('/t/ok', { s: 'y'.repeat(2000) }, small.modRevision));
        assert.ok(updateError instanceof ObjectTooLargeError);
        assert.equal(await store.get('/t/big'), undefined);
        assert.deepEqual(await store.get('/t/ok'), small);
      },
      { objectBytesMax: 1024 },
    );
  });

  it('rejects a value over the default 1.5 MiB limit and accepts one just under', async () => {
    await withStore<{ s: string }>(async (store) => {
      const limit = 1.5 * 1024 * 1024;
      const error = await rejection(store.create('/t/big', { s: 'x'.repeat(limit) }));
      assert.ok(error instanceof ObjectTooLargeError);
      assert.equal(error.sizeBytesMax, limit);
      const ok = await store.create('/t/almost', { s: 'x'.repeat(limit - 64) });
      assert.equal((await store.get('/t/almost'))?.value.s.length, ok.value.s.length);
    });
  });

  it('reads a key at past revisions, through updates, deletes and re-creates', async () => {
    await withStore<Obj>(async (store) => {
      await store.create('/t/other', { n: 0 }); // rev 1
      const a1 = await store.create('/t/a', { n: 1 }); // 2
      const a2 = await store.update('/t/a', { n: 2 }, a1.modRevision); // 3
      await store.delete('/t/a'); // 4
      await store.create('/t/other2', { n: 0 }); // 5
      const a3 = await store.create('/t/a', { n: 3 }); // 6
      const expected: readonly [number, KeyValue<Obj> | undefined][] = [
        [0, undefined], [1, undefined], [2, a1], [3, a2], [4, undefined], [5, undefined], [6, a3],
      ];
      for (const [revision, kv] of expected) {
        assert.deepEqual(await store.get('/t/a', revision), kv, `at revision ${revision}`);
      }
    });
  });

  it('fails every call after close with StoreClosedError', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path });
      await store.create('/t/a', { n: 1 });
      await store.close();
      await store.close(); // idempotent
      for (const call of [
        () => store.get('/t/a'),
        () => store.create('/t/b', { n: 1 }),
        () => store.list('/t/'),
        () => store.compact(1),
      ]) {
        assert.ok((await rejection(call())) instanceof StoreClosedError);
      }
      assert.throws(() => store.subscribe(0, () => {}), StoreClosedError);
    } finally {
      dir.remove();
    }
  });

  it('rebuilds a missing key index from the log', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path });
      const a = await store.create('/t/a', { n: 1 });
      await store.update('/t/a', { n: 2 }, a.modRevision);
      await store.create('/t/b', { n: 3 });
      await store.delete('/t/b');
      const before = await store.list('/t/');
      await store.close();
      rmSync(join(dir.path, 'index'), { recursive: true });
      const reopened = await openLmdbStore<Obj>({ path: dir.path });
      try {
        assert.deepEqual(await reopened.list('/t/'), before);
        assert.deepEqual((await reopened.get('/t/a', 1))?.value, { n: 1 });
        assert.equal((await reopened.create('/t/b', { n: 5 })).version, 1);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('commits writes accepted before close, then persists them across a reopen', async () => {
    const dir = tempDir();
    try {
      const store = await openLmdbStore<Obj>({ path: dir.path });
      const writes = Array.from({ length: 50 }, (_, i) => store.create(`/t/${String(i).padStart(3, '0')}`, { n: i }));
      const closing = store.close();
      const acked = await Promise.all(writes);
      await closing;
      const reopened = await openLmdbStore<Obj>({ path: dir.path });
      try {
        assert.equal(reopened.currentRevision, 50);
        const list = await reopened.list('/t/');
        assert.deepEqual(list.items, acked);
        // The index is usable for writes after the reopen.
        const kv = await reopened.update('/t/007', { n: 70 }, 8);
        assert.equal(kv.version, 2);
      } finally {
        await reopened.close();
      }
    } finally {
      dir.remove();
    }
  });
});

describe('LmdbStore: guaranteedUpdate', () => {
  it('applies the function to the current value and writes its result', async () => {
    await withStore<Obj>(async (store) => {
      await store.create('/t/a', { n: 1 });
      const kv = await store.guaranteedUpdate('/t/a', (cur) => ({ n: (cur?.value.n ?? 0) + 10 }));
      assert.equal(kv?.value.n, 11);
      assert.equal(kv?.version, 2);
      assert.deepEqual(await store.get('/t/a'), kv);
    });
  });

  it('fails with KeyNotFoundError for a missing key unless ignoreNotFound, then creates', async () => {
    await withStore<Obj>(async (store) => {
      let calls = 0;
      const error = await rejection(store.guaranteedUpdate('/t/a', () => (calls++, { n: 1 })));
      assert.ok(error instanceof KeyNotFoundError);
      assert.equal(calls, 0);
      const kv = await store.guaranteedUpdate('/t/a', (cur) => ({ n: cur === undefined ? 42 : -1 }), { ignoreNotFound: true });
      assert.equal(kv?.value.n, 42);
      assert.equal(kv?.version, 1);
    });
  });

  it('writes nothing when the function returns undefined or an identical value', async () => {
    await withStore<Obj>(async (store) => {
      const a = await store.create('/t/a', { n: 1, tags: ['x'] });
      assert.deepEqual(await store.guaranteedUpdate('/t/a', () => undefined), a);
      assert.deepEqual(await store.guaranteedUpdate('/t/a', (cur) => ({ n: cur?.value.n ?? 0, tags: ['x'] })), a);
      assert.equal(store.currentRevision, a.modRevision);
    });
  });

  it('rejects with the error the function throws, writing nothing', async () => {
    await withStore<Obj>(async (store) => {
      await store.create('/t/a', { n: 1 });
      const error = await rejection(
        store.guaranteedUpdate('/t/a', () => {
          throw new Error('admission said no');
        }),
      );
      assert.equal(error.message, 'admission said no');
      assert.equal(store.currentRevision, 1);
    });
  });
});

describe('LmdbStore: list', () => {
  it('lists by prefix in key order, excluding deleted keys and other prefixes', async () => {
    await withStore<Obj>(async (store) => {
      for (const key of ['/p/b', '/p/a', '/q/a', '/p/c', '/p', '/pa/x']) await store.create(key, { n: key.length });
      await store.delete('/p/b');
      const list = await store.list('/p/');
      assert.deepEqual(list.items.map((i) => i.key), ['/p/a', '/p/c']);
      assert.equal(list.revision, store.currentRevision);
      assert.equal(list.more, false);
      assert.equal(list.continueKey, undefined);
      assert.deepEqual((await store.list('')).items.map((i) => i.key), ['/p', '/p/a', '/p/c', '/pa/x', '/q/a']);
    });
  });

  it('pages with limit and startAfter at one fixed revision while keys change', async () => {
    await withStore<Obj>(async (store) => {
      const keys = Array.from({ length: 25 }, (_, i) => `/p/${String(i).padStart(2, '0')}`);
      for (const key of keys) await store.create(key, { n: 0 });
      const first = await store.list('/p/', { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.more, true);
      assert.equal(first.continueKey, '/p/09');
      const revision = first.revision;
      // Writers change the set between pages: the pages must not see any of it.
      await store.delete('/p/12');
      await store.create('/p/10a', { n: 1 });
      const latest15 = await store.get('/p/15');
      assert.ok(latest15 !== undefined);
      await store.update('/p/15', { n: 99 }, latest15.modRevision);
      const seen: string[] = first.items.map((i) => i.key);
      let cursor: string | undefined = first.continueKey;
      for (let page = 0; page < 10 && cursor !== undefined; page++) {
        const next = await store.list('/p/', { revision, limit: 10, startAfter: cursor });
        assert.equal(next.revision, revision);
        for (const item of next.items) {
          assert.equal(item.value.n, 0, `${item.key} as of revision ${revision}`);
          assert.ok(item.modRevision <= revision);
        }
        seen.push(...next.items.map((i) => i.key));
        cursor = next.more ? next.continueKey : undefined;
      }
      assert.deepEqual(seen, keys);
      // At the current revision the changes show.
      const now = await store.list('/p/');
      assert.equal(now.items.length, 25);
      assert.ok(now.items.some((i) => i.key === '/p/10a'));
      assert.ok(!now.items.some((i) => i.key === '/p/12'));
    });
  });

  it('reports more=false when the last page is exactly full', async () => {
    await withStore<Obj>(async (store) => {
      for (let i = 0; i < 4; i++) await store.create(`/p/${i}`, { n: i });
      const page = await store.list('/p/', { limit: 2, startAfter: '/p/1' });
      assert.deepEqual(page.items.map((i) => i.key), ['/p/2', '/p/3']);
      assert.equal(page.more, false);
      assert.equal(page.continueKey, undefined);
    });
  });

  it('rejects a list below the compacted revision with CompactedError', async () => {
    await withStore<Obj>(async (store) => {
      for (let i = 0; i < 5; i++) await store.create(`/p/${i}`, { n: i });
      await store.compact(3);
      const error = await rejection(store.list('/p/', { revision: 2 }));
      assert.ok(error instanceof CompactedError);
      assert.equal(error.compactedRevision, 3);
      assert.equal((await store.list('/p/', { revision: 3 })).items.length, 3);
    });
  });
});
