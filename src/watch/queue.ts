// A watcher's buffer of items waiting to be read: a circular array that starts small and doubles
// up to the watcher's bound (the bound is enforced by the caller, which ends the watcher instead
// of growing past it). Items are shared, so the buffer costs one reference per queued event.

import type { WatchItem } from './items.js';

export class ItemQueue {
  private slots: (WatchItem | undefined)[] = new Array<WatchItem | undefined>(8).fill(undefined);
  private mask = 7;
  private head = 0;
  length = 0;

  push(item: WatchItem): void {
    if (this.length === this.slots.length) this.grow();
    this.slots[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  shift(): WatchItem | undefined {
    if (this.length === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** Moves up to `max` items into `out` (appended); returns how many. */
  drainInto(out: WatchItem[], max: number): number {
    const n = Math.min(max, this.length);
    const slots = this.slots;
    const mask = this.mask;
    let head = this.head;
    for (let i = 0; i < n; i++) {
      out.push(slots[head] as WatchItem);
      slots[head] = undefined;
      head = (head + 1) & mask;
    }
    this.head = head;
    this.length -= n;
    return n;
  }

  /** The item `i` places from the head. */
  at(i: number): WatchItem | undefined {
    return i < this.length ? this.slots[(this.head + i) & this.mask] : undefined;
  }

  /** Keeps the first `n` items, drops the rest. */
  truncate(n: number): void {
    while (this.length > n) {
      this.length--;
      this.slots[(this.head + this.length) & this.mask] = undefined;
    }
  }

  /** Frees the storage (the watcher ended). */
  release(): void {
    this.slots = [];
    this.mask = -1;
    this.head = 0;
    this.length = 0;
  }

  /** Slots allocated: what the queue costs, in references. */
  get capacity(): number {
    return this.slots.length;
  }

  private grow(): void {
    const n = Math.max(8, this.slots.length * 2);
    const next = new Array<WatchItem | undefined>(n).fill(undefined);
    for (let i = 0; i < this.length; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = n - 1;
    this.head = 0;
  }
}
