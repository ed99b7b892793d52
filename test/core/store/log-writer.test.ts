// The log writer thread (log-writer.ts): what the store ships through its shared ring, and large
// entries through its port, is committed whole and in revision order, whatever the ring's state.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchRingBytesMax, largeEntryBytesMin, ringBytes } from '../../../src/core/store/log-writer.js';
import { openLmdbStore, type LmdbStore } from '../../../src/core/store/lmdb-store.js';
import { tempDir } from './helpers.js';

interface Blob {
  readonly i: number;
  readonly data: string;
}

function blob(i: number, bytes: number): Blob {
  return { i, data: String.fromCharCode(97 + (i % 26)).repeat(bytes) };
}

/** Every key /b/<i> for i < count holds blob(i, sizeOf(i)), read back from a reopened store. */
async function assertAllDurable(path: string, count: number, sizeOf: (i: number) => number): Promise<void> {
  const store = await openLmdbStore<Blob>({ path });
  try {
    assert.equal(store.currentRevision, count);
    const list = await store.list('/b/');
    assert.equal(list.items.length, count);
    for (const kv of list.items) {
      const i = kv.value.i;
      assert.equal(kv.key, `/b/${String(i).padStart(6, '0')}`);
      assert.equal(kv.modRevision, i + 1, `revision of /b/${i}`);
      assert.deepEqual(kv.value, blob(i, sizeOf(i)));
    }
  } finally {
    await store.close();
  }
}

function createAll(store: LmdbStore<Blob>, from: number, to: number, sizeOf: (i: number) => number): Promise<unknown> {
  const writes: Promise<unknown>[] = [];
  for (let i = from; i < to; i++) writes.push(store.create(`/b/${String(i).padStart(6, '0')}`, blob(i, sizeOf(i))));
  return Promise.all(writes);
}

describe('LmdbStore log writer', () => {
  it('commits more than its ring holds, in one burst and across the ring\'s wrap', async () => {
    const dir = tempDir();
    try {
      // One burst larger than a batch's share of the ring (several batches, some waiting for
      // room), then bursts until well past the ring's size (its positions wrap around).
      const size = (): number => 1000;
      const burst = Math.ceil((batchRingBytesMax * 5) / size());
      const total = Math.ceil((ringBytes * 2.5) / size());
      const store = await openLmdbStore<Blob>({ path: dir.path });
      try {
        await createAll(store, 0, burst, size);
        for (let from = burst; from < total; from += 2000) await createAll(store, from, Math.min(total, from + 2000), size);
        assert.equal(store.currentRevision, total);
      } finally {
        await store.close();
      }
      await assertAllDurable(dir.path, total, size);
    } finally {
      dir.remove();
    }
  });

  it('writes entries too large for the ring in order with the small ones around them', async () => {
    const dir = tempDir();
    try {
      const size = (i: number): number => (i % 3 === 1 ? largeEntryBytesMin * 2 : 500);
      const store = await openLmdbStore<Blob>({ path: dir.path });
      try {
        // Small and large entries accepted in one turn, so they share batches and transactions.
        await createAll(store, 0, 60, size);
        const read = await store.get('/b/000001');
        assert.deepEqual(read?.value, blob(1, size(1)));
      } finally {
        await store.close();
      }
      await assertAllDurable(dir.path, 60, size);
    } finally {
      dir.remove();
    }
  });
});
