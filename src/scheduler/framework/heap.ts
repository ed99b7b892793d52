// A binary min-heap by a `less` function, with removal by key, as kube-scheduler's internal heap:
// O(log n) push, pop, update and delete.
//
// Each item sits in a slot that records its own position: a sift moves slots and rewrites their
// `at` field, and the key map is touched once per push and once per removal, not per swap (string
// hashing per level was most of a pop's cost with thousands of pods queued).

interface Slot<T> {
  item: T;
  readonly key: string;
  /** Index in `slots`; owned by the heap. */
  at: number;
}

export class KeyedHeap<T> {
  private readonly slots: Slot<T>[] = [];
  private readonly byKey = new Map<string, Slot<T>>();

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): T | undefined {
    return this.byKey.get(key)?.item;
  }

  peek(): T | undefined {
    return this.slots[0]?.item;
  }

  /** Adds the item, or replaces the one with the same key and restores the order. */
  push(item: T): void {
    const key = this.keyOf(item);
    const found = this.byKey.get(key);
    if (found !== undefined) {
      found.item = item;
      this.fix(found.at);
      return;
    }
    const slot: Slot<T> = { item, key, at: this.slots.length };
    this.slots.push(slot);
    this.byKey.set(key, slot);
    this.up(slot.at);
  }

  pop(): T | undefined {
    const top = this.slots[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top.item;
  }

  delete(key: string): T | undefined {
    const slot = this.byKey.get(key);
    if (slot === undefined) return undefined;
    this.removeAt(slot.at);
    return slot.item;
  }

  /** The items in no particular order. */
  values(): readonly T[] {
    return this.slots.map((s) => s.item);
  }

  private removeAt(at: number): void {
    const slots = this.slots;
    const slot = slots[at]!;
    const last = slots.pop()!;
    this.byKey.delete(slot.key);
    if (last === slot) return;
    slots[at] = last;
    last.at = at;
    this.fix(at);
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  /** Moves the slot at i up to its place (a hole sift: each level writes one slot). */
  private up(i: number): boolean {
    const slots = this.slots;
    const moving = slots[i]!;
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = slots[parent]!;
      if (!this.less(moving.item, p.item)) break;
      slots[i] = p;
      p.at = i;
      i = parent;
    }
    if (i === start) return false;
    slots[i] = moving;
    moving.at = i;
    return true;
  }

  private down(i: number): void {
    const slots = this.slots;
    const n = slots.length;
    const moving = slots[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      if (r < n && this.less(slots[r]!.item, slots[l]!.item)) m = r;
      const child = slots[m]!;
      if (!this.less(child.item, moving.item)) break;
      slots[i] = child;
      child.at = i;
      i = m;
    }
    slots[i] = moving;
    moving.at = i;
  }
}
