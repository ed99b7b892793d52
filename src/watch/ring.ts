// The ring of recent events of one resource, in revision order, bounded by count and by age.
// Positions are absolute sequence numbers (they only grow), so a reader's cursor stays valid while
// the ring wraps, and a cursor below `firstSeq` means its events were dropped.
//
//     firstSeq                      endSeq
//        │                             │
//   ... [e17 e18 e19 e20 e21 e22 e23]  ← push
//        └ evict (oldest revision group first)
//
// Storage is a power-of-two array that doubles up to `capacityMax`, so an idle resource costs
// little. Owned and written by one WatchCache only.
//
// Blocks: the history is also cut into blocks of `ringBlockEvents` consecutive sequence numbers.
// A block can be read as one buffer: the natural frames of its events, back to back, as a watcher
// without a filter receives them — or, for a watcher of one namespace (and no other filter), the
// frames of that namespace's events. Watchers that replay the history (new streams from an old
// resourceVersion) then take a block as one shared buffer instead of a frame per event and a copy
// per stream. The events' own frames become views into a block, so their bytes are mostly held once
// (at most twice: in the all-namespaces block and in their namespace's).
//
//   seq:      0 …………… 63 | 64 …………… 127 | 128 … (open: not yet full, never a block)
//   block:        0       |        1       |
//   ""        [f0 f1 … f63] [f64 … f127]
//   "team-a"  [f1 f7 f40]   [ ] (empty: skipped)

import type { WatchCodec } from '../net/wire/watch-frames.js';
import type { CacheEvent } from './items.js';

/** Events per history block (a power of two). */
export const ringBlockEvents = 64;
const ringBlockShift = 6;

/** A block is not built past this many bytes: its events are taken frame by frame instead. */
export const ringBlockBytesMax = 1024 * 1024;

/** One block's frames in one codec's format, for one namespace or all. */
export interface RingBlock {
  /** The frames of the block's events that the namespace holds, in order (shared: never modify). */
  readonly bytes: Buffer;
  /** Sequence number after the block's last event. */
  readonly endSeq: number;
  /** Revision of the last event in `bytes` (0 when it is empty). */
  readonly lastRevision: number;
}

/** Built blocks of one block number: by namespace ('' = all), then by codec id (null: too large). */
type BlockSlot = Map<string, [RingBlock | null | undefined, RingBlock | null | undefined]>;

export class EventRing {
  private slots: (CacheEvent | undefined)[];
  /** When each slot's event was recorded (ms): beside the events, not in them, so a timestamp
   * (too large for a small integer) costs no heap object per event. */
  private times: Float64Array;
  private mask: number;
  /** Sequence number of the oldest event held. */
  firstSeq = 0;
  /** Sequence number the next pushed event gets. */
  endSeq = 0;
  /** Built blocks by block number (only blocks whose every event is still held). */
  private readonly blocks = new Map<number, BlockSlot>();

  constructor(readonly capacityMax: number) {
    if (!(capacityMax >= 1)) throw new Error(`ring capacity must be >= 1, got ${capacityMax}`);
    const initial = Math.min(1024, nextPowerOfTwo(capacityMax));
    this.slots = new Array<CacheEvent | undefined>(initial).fill(undefined);
    this.times = new Float64Array(initial);
    this.mask = initial - 1;
  }

  get size(): number {
    return this.endSeq - this.firstSeq;
  }

  /** The event at `seq` (firstSeq <= seq < endSeq). */
  at(seq: number): CacheEvent {
    const ev = this.slots[seq & this.mask];
    if (ev === undefined || seq < this.firstSeq || seq >= this.endSeq) {
      throw new Error(`invariant: ring seq ${seq} outside [${this.firstSeq}, ${this.endSeq})`);
    }
    return ev;
  }

  oldest(): CacheEvent | undefined {
    return this.size === 0 ? undefined : this.slots[this.firstSeq & this.mask];
  }

  /** When the oldest event was recorded (NaN when empty). */
  oldestRecordedAtMs(): number {
    return this.size === 0 ? Number.NaN : (this.times[this.firstSeq & this.mask] as number);
  }

  /** Appends; the caller evicts first when `size === capacityMax`. */
  push(ev: CacheEvent, recordedAtMs: number): void {
    if (this.size === this.slots.length) {
      if (this.slots.length >= this.capacityMax) {
        throw new Error('invariant: ring full (evict before push)');
      }
      this.grow();
    }
    const i = this.endSeq & this.mask;
    this.slots[i] = ev;
    this.times[i] = recordedAtMs;
    this.endSeq++;
  }

  /** Drops the oldest event and returns it. */
  shift(): CacheEvent {
    const i = this.firstSeq & this.mask;
    const ev = this.slots[i];
    if (ev === undefined || this.size === 0) throw new Error('invariant: shift on an empty ring');
    this.slots[i] = undefined;
    this.firstSeq++;
    // The block that held the dropped event can no longer be read whole.
    if (this.blocks.size > 0) this.blocks.delete((this.firstSeq - 1) >>> ringBlockShift);
    return ev;
  }

  /**
   * The block starting at `seq`, in `codec`'s format, of `namespace`'s events ('' for all), when
   * `seq` starts a block that is complete and held whole (built on first use, then shared);
   * otherwise undefined (read event by event).
   */
  block(seq: number, codec: WatchCodec, namespace: string): RingBlock | undefined {
    if ((seq & (ringBlockEvents - 1)) !== 0 || seq < this.firstSeq || seq + ringBlockEvents > this.endSeq) return undefined;
    const n = seq >>> ringBlockShift;
    const built = this.blocks.get(n)?.get(namespace)?.[codec.id];
    if (built !== undefined) return built ?? undefined;
    const made = this.buildBlock(seq, codec, namespace);
    // A block without events of the namespace is not kept (finding that again is cheap): the
    // memory held stays bounded by the ring's own bytes, however many namespaces replay it.
    if (made !== null && made.bytes.length === 0) return made;
    let slot = this.blocks.get(n);
    if (slot === undefined) {
      slot = new Map();
      this.blocks.set(n, slot);
    }
    let byCodec = slot.get(namespace);
    if (byCodec === undefined) {
      byCodec = [undefined, undefined];
      slot.set(namespace, byCodec);
    }
    byCodec[codec.id] = made;
    return made ?? undefined;
  }

  private buildBlock(seq: number, codec: WatchCodec, namespace: string): RingBlock | null {
    const frames: Buffer[] = [];
    let bytes = 0;
    let lastRevision = 0;
    for (let i = 0; i < ringBlockEvents; i++) {
      const ev = this.at(seq + i);
      // An object's namespace never changes (it is part of its key): the event is in the
      // namespace's view exactly when its object is.
      if (namespace !== '' && (ev.cur ?? ev.prev)?.namespace !== namespace) continue;
      const f = ev.natural.frame(codec);
      frames.push(f);
      bytes += f.length;
      lastRevision = ev.revision;
      if (bytes > ringBlockBytesMax) return null;
    }
    const joined = Buffer.concat(frames, bytes);
    // The events' frames become views into the block: one copy of the bytes, not two.
    let offset = 0;
    let f = 0;
    for (let i = 0; i < ringBlockEvents && f < frames.length; i++) {
      const ev = this.at(seq + i);
      if (namespace !== '' && (ev.cur ?? ev.prev)?.namespace !== namespace) continue;
      const length = (frames[f++] as Buffer).length;
      ev.natural.adoptFrame(codec, joined.subarray(offset, offset + length));
      offset += length;
    }
    return { bytes: joined, endSeq: seq + ringBlockEvents, lastRevision };
  }

  /** The first seq whose event has revision > `revision` (endSeq if none). Binary search. */
  seqAfter(revision: number): number {
    let lo = this.firstSeq;
    let hi = this.endSeq;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >>> 1);
      if ((this.slots[mid & this.mask] as CacheEvent).revision > revision) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drops everything (after a re-list). */
  clear(): void {
    this.slots.fill(undefined);
    this.firstSeq = this.endSeq;
    this.blocks.clear();
  }

  private grow(): void {
    const n = Math.min(this.slots.length * 2, nextPowerOfTwo(this.capacityMax));
    const next = new Array<CacheEvent | undefined>(n).fill(undefined);
    const times = new Float64Array(n);
    for (let seq = this.firstSeq; seq < this.endSeq; seq++) {
      next[seq & (n - 1)] = this.slots[seq & this.mask];
      times[seq & (n - 1)] = this.times[seq & this.mask] as number;
    }
    this.slots = next;
    this.times = times;
    this.mask = n - 1;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
