// Shared by the store tests: temporary data directories under os.tmpdir(), always removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbStore, type LmdbStore, type LmdbStoreOptions } from '../../../src/core/store/lmdb-store.js';

export function tempDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'cox-store-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `body` with a fresh store in a temporary directory; closes and removes it afterwards. */
export async function withStore<T>(
  body: (store: LmdbStore<T>, path: string) => Promise<void>,
  options: Omit<LmdbStoreOptions, 'path'> = {},
): Promise<void> {
  const dir = tempDir();
  const store = await openLmdbStore<T>({ ...options, path: dir.path });
  try {
    await body(store, dir.path);
  } finally {
    await store.close();
    dir.remove();
  }
}

/** Resolves to the error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`rejected with a non-Error: ${String(e)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
