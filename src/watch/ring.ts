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

import type { CacheEvent } from './items.js';

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
    return ev;
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
