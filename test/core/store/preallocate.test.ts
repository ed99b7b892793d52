import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { FilePreallocator } from '../../../src/core/store/preallocate.js';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import { tempDir } from './helpers.js';

const KiB = 1024;

describe('FilePreallocator', () => {
  it('extends a file with zeros past the used end once the slack runs low, never over its bytes', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'f');
      const content = Buffer.from('written by the owner');
      writeFileSync(path, content);
      const p = new FilePreallocator(path, 64 * KiB, 16 * KiB);
      // Table: used bytes → expected size after ensure().
      const steps: readonly [number, number][] = [
        [content.length, content.length + 64 * KiB], // slack too low: extended
        [content.length + 40 * KiB, content.length + 64 * KiB], // 24 KiB left ≥ 16: unchanged
        [content.length + 50 * KiB, content.length + 50 * KiB + 64 * KiB], // 14 KiB left: extended
      ];
      for (const [used, size] of steps) {
        p.ensure(used);
        assert.equal(statSync(path).size, size, `used ${used}`);
        assert.equal(p.due(used), false);
      }
      p.close();
      const bytes = readFileSync(path);
      assert.deepEqual(bytes.subarray(0, content.length), content);
      assert.ok(bytes.subarray(content.length).every((b) => b === 0));
    } finally {
      dir.remove();
    }
  });

  it('starts from the real end when the writer grew the file past what it knew', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'f');
      writeFileSync(path, Buffer.alloc(8 * KiB, 1));
      const p = new FilePreallocator(path, 64 * KiB, 16 * KiB);
      // The writer appends 100 KiB of its own (a commit larger than the slack)…
      writeFileSync(path, Buffer.alloc(100 * KiB, 2), { flag: 'a' });
      p.ensure(108 * KiB);
      p.close();
      const bytes = readFileSync(path);
      assert.equal(bytes.length, 172 * KiB);
      // …and none of its bytes became zeros.
      assert.ok(bytes.subarray(8 * KiB, 108 * KiB).every((b) => b === 2));
    } finally {
      dir.remove();
    }
  });

  it('refuses a step that does not exceed the slack', () => {
    assert.throws(() => new FilePreallocator('/nonexistent', 16, 16), RangeError);
  });
});

describe('LmdbStore log preallocation', () => {
  it('keeps data.mdb ahead of what LMDB uses, and the data reads back after a reopen', async () => {
    const dir = tempDir();
    try {
      let store = await openLmdbStore<{ i: number; pad: string }>({ path: dir.path });
      const pad = 'x'.repeat(1500);
      for (let round = 0; round < 4; round++) {
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 500; i++) writes.push(store.create(`/pre/${round}/${i}`, { i, pad }));
        await Promise.all(writes);
      }
      await store.close();
      // 2000 values of ~1.5 KiB (~3.5 MiB of pages): the file stayed ahead of the pages LMDB
      // uses (LMDB alone ends its file at its last page).
      const env = open({ path: dir.path, readOnly: true, maxDbs: 4 });
      const stats = (env.openDB('log', { encoding: 'binary' }) as unknown as { getStats(): { pageSize: number; lastPageNumber: number } }).getStats();
      await env.close();
      const used = (stats.lastPageNumber + 1) * stats.pageSize;
      const size = statSync(join(dir.path, 'data.mdb')).size;
      assert.ok(used > 3 * 1024 * KiB, `LMDB uses ${used} bytes`);
      assert.ok(size > used, `data.mdb is ${size} bytes, LMDB uses ${used}`);
      store = await openLmdbStore<{ i: number; pad: string }>({ path: dir.path });
      const listed = await store.list('/pre/');
      assert.equal(listed.items.length, 2000);
      assert.deepEqual((await store.get('/pre/3/499'))?.value, { i: 499, pad });
      await store.create('/pre/after', { i: -1, pad });
      await store.close();
    } finally {
      dir.remove();
    }
  });
});
