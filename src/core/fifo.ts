// A first-in first-out queue on one array: items[head..] are queued. shift() moves head instead of
// moving every item (Array.prototype.shift is O(n) on long arrays); the dead prefix is dropped
// once the queue empties, or once it is over half the array (and past 1024 items), so a reader
// that never quite catches up does not grow the array forever.

export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item without taking it (undefined when empty). */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Takes every item, oldest first. */
  drain(): T[] {
    const out = (this.head === 0 ? this.items : this.items.slice(this.head)) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}
