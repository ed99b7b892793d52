// The store: one interface (store.ts), its LMDB MVCC implementation (lmdb-store.ts), and the key
// layout for Kubernetes objects (keys.ts).
export * from './store.js';
export { LmdbStore, defaultDataDir, keyBytesMax, openLmdbStore, type LmdbStoreOptions } from './lmdb-store.js';
export * from './keys.js';
