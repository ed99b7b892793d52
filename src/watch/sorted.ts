// The current objects of one resource in key order, for LIST: a list of sorted chunks (at most
// `chunkMax` entries each), so an insert moves at most one chunk's worth of references and a
// scan from any key is a binary search plus a walk.
//
//   chunks:  [a b c d] [e f g] [h i j k l]      lastKeys: d g l
//   find "f": first chunk whose last key >= "f" → chunk 1, then binary search inside it.
//
// Keys compare with `<` (UTF-16 code units), the same order as the store's bytes for the ASCII
// keys Kubernetes names produce.

import type { KubeObject } from '../core/api/types.js';
import type { Entry } from './items.js';

/**
 * One key's place in the cache: the sorted structure and the indexes hold the slot, and an
 * update only swaps `entry` (no re-sorting, no index change unless the indexed value changed).
 * Written only by the owning WatchCache.
 */
export class KeySlot {
  /** entry.object, kept here too so a LIST reads one object per item, not two. */
  object: KubeObject;

  constructor(
    readonly key: string,
    public entry: Entry,
  ) {
    this.object = entry.object;
  }

  set(entry: Entry): void {
    this.entry = entry;
    this.object = entry.object;
  }
}

const chunkMaxDefault = 512;

export class SortedEntries {
  private chunks: KeySlot[][] = [];
  size = 0;

  constructor(private readonly chunkMax: number = chunkMaxDefault) {}

  /** Inserts the slot (its key must not be present). */
  insert(entry: KeySlot): void {
    const key = entry.key;
    if (this.chunks.length === 0) {
      this.chunks.push([entry]);
      this.size = 1;
      return;
    }
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci] as KeySlot[];
    const i = lowerBound(chunk, key);
    if (i < chunk.length && (chunk[i] as KeySlot).key === key) {
      throw new Error(`invariant: ${key} inserted twice`);
    }
    if (i === chunk.length) chunk.push(entry);
    else chunk.splice(i, 0, entry);
    this.size++;
    if (chunk.length > this.chunkMax) {
      const half = chunk.length >>> 1;
      this.chunks.splice(ci + 1, 0, chunk.splice(half));
    }
  }

  remove(key: string): boolean {
    if (this.chunks.length === 0) return false;
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci] as KeySlot[];
    const i = lowerBound(chunk, key);
    if (i >= chunk.length || (chunk[i] as KeySlot).key !== key) return false;
    chunk.splice(i, 1);
    this.size--;
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  /**
   * Calls `visit` on entries with key > `after` (all if undefined), in order, until it returns
   * false or keys stop starting with `prefix`. The structure must not change during the walk.
   */
  scan(after: string | undefined, prefix: string, visit: (e: Entry) => boolean): void {
    const start = after === undefined || after < prefix ? prefix : after;
    const inclusive = after === undefined || after < prefix;
    let ci = this.chunks.length === 0 ? 0 : this.chunkFor(start);
    let chunk = this.chunks[ci];
    if (chunk === undefined) return;
    let i = inclusive ? lowerBound(chunk, start) : upperBound(chunk, start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      chunk = this.chunks[ci] as KeySlot[];
      for (; i < chunk.length; i++) {
        const slot = chunk[i] as KeySlot;
        if (!slot.key.startsWith(prefix)) return;
        if (!visit(slot.entry)) return;
      }
    }
  }

  /**
   * Appends every entry whose key starts with `prefix` (which ends with '/'), in order, to
   * `entries`, and its object to `objects` (the LIST fast path). The range is found by two
   * binary searches; the walk between them reads no key (each item costs one memory access).
   */
  collectPrefix(prefix: string, entries: Entry[], objects: KubeObject[] | undefined): void {
    if (this.chunks.length === 0) return;
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    this.locate(prefix);
    let ci = this.foundChunk;
    let i = this.foundIndex;
    this.locate(end);
    const endChunk = this.foundChunk;
    const endIndex = this.foundIndex;
    for (; ci <= endChunk && ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci] as KeySlot[];
      const stop = ci === endChunk ? endIndex : chunk.length;
      if (objects === undefined) {
        for (; i < stop; i++) entries.push((chunk[i] as KeySlot).entry);
      } else {
        for (; i < stop; i++) {
          const slot = chunk[i] as KeySlot;
          entries.push(slot.entry);
          objects.push(slot.object);
        }
      }
    }
  }

  // The result of locate(): a position (chunk, index) in key order.
  private foundChunk = 0;
  private foundIndex = 0;

  /** The position of the first key >= `key` (past the end: the last chunk's length). */
  private locate(key: string): void {
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci] as KeySlot[];
    this.foundChunk = ci;
    this.foundIndex = lowerBound(chunk, key);
  }

  /** Index of the first chunk whose last key is >= key (the last chunk if none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid] as KeySlot[];
      if ((c[c.length - 1] as KeySlot).key >= key) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function lowerBound(chunk: readonly KeySlot[], key: string): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((chunk[mid] as KeySlot).key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(chunk: readonly KeySlot[], key: string): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((chunk[mid] as KeySlot).key <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
