// A rate-limited work queue for controllers, as client-go's workqueue:
//
//   add(key)         queued once however often it is added while waiting (dirty set)
//   get()            hands out the oldest key and marks it processing; waits when empty
//   done(key)        processing ends; a key added meanwhile was kept aside and is queued now,
//                    so one key is never processed by two workers at once
//   addAfter(key, ms)         queued after a delay (an earlier delay for the same key wins)
//   addRateLimited(key)       addAfter(key, rateLimiter.when(key)): per-key exponential backoff
//   forget(key)               the key succeeded: its backoff starts over
//   shutDown()                adds are ignored; get() drains what is queued, then returns
//                             `queueShutDown`; shutDownWithDrain() also waits for processing keys
//
//           add ─► dirty? ──no──► processing? ──no──► queue ──get()──► processing ──done()──┐
//                    │yes             │yes                                                 │
//                    ▼                ▼                                                     │
//                  (drop)      stays in dirty ◄──────────── queued again if dirty ◄────────┘
//
// Typical worker:
//
//   for (;;) {
//     const key = await queue.get();
//     if (key === queueShutDown) return;
//     try { await reconcile(key); queue.forget(key); }
//     catch { queue.addRateLimited(key); }
//     finally { queue.done(key); }
//   }

import { Fifo } from '../../core/fifo.js';

/** What get() returns once the queue is shut down and empty. */
export const queueShutDown: unique symbol = Symbol('queueShutDown');
export type QueueShutDown = typeof queueShutDown;

/** How long an item waits before it is retried, per item. */
export interface RateLimiter<T> {
  /** The delay in ms before `item` is retried; counts the retry. */
  when(item: T): number;
  /** `item` succeeded: forget its failures. */
  forget(item: T): void;
  /** Retries counted for `item` since it was last forgotten. */
  numRequeues(item: T): number;
}

/** base × 2^failures, capped at max (client-go's ItemExponentialFailureRateLimiter). */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {
    if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs)) throw new RangeError(`need 0 < baseDelayMs <= maxDelayMs, got ${baseDelayMs}, ${maxDelayMs}`);
  }

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long before it matters; the cap applies.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket over all items: `qps` tokens per second, `burst` at most (client-go's BucketRateLimiter). */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`need qps > 0 and burst >= 1, got ${qps}, ${burst}`);
    this.tokens = burst;
    this.lastMs = nowMs();
  }

  when(_item: T): number {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.qps) / 1000);
    this.lastMs = now;
    // Reserve a token now; a negative balance is a wait until it refills.
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: T): number {
    let ms = 0;
    for (let i = 0; i < this.limiters.length; i++) ms = Math.max(ms, (this.limiters[i] as RateLimiter<T>).when(item));
    return ms;
  }

  forget(item: T): void {
    for (let i = 0; i < this.limiters.length; i++) (this.limiters[i] as RateLimiter<T>).forget(item);
  }

  numRequeues(item: T): number {
    let n = 0;
    for (let i = 0; i < this.limiters.length; i++) n = Math.max(n, (this.limiters[i] as RateLimiter<T>).numRequeues(item));
    return n;
  }
}

/** client-go's DefaultControllerRateLimiter: per item 5 ms → 1000 s, overall 10 qps, burst 100. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}

export interface WorkQueueOptions<T> {
  /** Default: defaultControllerRateLimiter(). */
  readonly rateLimiter?: RateLimiter<T>;
  /** The clock (tests). Timers still use setTimeout. */
  readonly nowMs?: () => number;
}

/** An entry of the delay heap. Superseded entries (the item got an earlier time) are skipped. */
interface Delayed<T> {
  readonly readyAtMs: number;
  readonly item: T;
}

export class WorkQueue<T> {
  private readonly queue = new Fifo<T>();
  /** Items that need processing: queued, or added while processing. */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly getters: ((item: T | QueueShutDown) => void)[] = [];
  private shuttingDownFlag = false;
  private drainWaiters: (() => void)[] = [];

  // Delayed adds: a binary min-heap on readyAtMs, and each item's earliest time.
  private readonly heap: Delayed<T>[] = [];
  private readonly readyAtByItem = new Map<T, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Number.POSITIVE_INFINITY;

  private readonly rateLimiter: RateLimiter<T>;
  private readonly nowMs: () => number;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>();
    this.nowMs = options.nowMs ?? Date.now;
  }

  get shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  /** Items queued and not handed out (processing ones are not counted). */
  len(): number {
    return this.queue.size;
  }

  /** Items delayed by addAfter / addRateLimited and not yet queued. */
  delayedLen(): number {
    return this.readyAtByItem.size;
  }

  add(item: T): void {
    if (this.shuttingDownFlag || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  private push(item: T): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      // Straight to a waiting worker; it is no longer dirty once handed out.
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
      return;
    }
    this.queue.push(item);
  }

  /** The next item (marked processing; call done() with it), or queueShutDown once shut down and empty. */
  get(): Promise<T | QueueShutDown> {
    if (this.queue.size > 0) {
      const item = this.queue.shift() as T;
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDownFlag) return Promise.resolve(queueShutDown);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Processing of `item` ended; if it was added meanwhile it is queued again now. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      if (this.shuttingDownFlag) this.dirty.delete(item);
      else this.push(item);
    }
    if (this.processing.size === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Queues `item` after `delayMs` (at once when ≤ 0). An item already waiting keeps the earlier time. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDownFlag) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const readyAtMs = this.nowMs() + delayMs;
    const existing = this.readyAtByItem.get(item);
    if (existing !== undefined && existing <= readyAtMs) return;
    this.readyAtByItem.set(item, readyAtMs);
    heapPush(this.heap, { readyAtMs, item });
    this.schedule();
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Ignores adds from now on; workers drain the queue, then get() returns queueShutDown. */
  shutDown(): void {
    if (this.shuttingDownFlag) return;
    this.shuttingDownFlag = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    this.heap.length = 0;
    this.readyAtByItem.clear();
    const getters = this.getters.splice(0);
    for (const g of getters) g(queueShutDown);
  }

  /** shutDown(), then waits until no item is processing. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  // ---- delays ----

  private schedule(): void {
    const top = this.heap[0];
    if (top === undefined || top.readyAtMs >= this.timerAtMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAtMs = top.readyAtMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, top.readyAtMs - this.nowMs()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    const now = this.nowMs();
    // Bounded by the heap's size: every pass removes one entry.
    while (this.heap.length > 0 && (this.heap[0] as Delayed<T>).readyAtMs <= now) {
      const entry = heapPop(this.heap) as Delayed<T>;
      if (this.readyAtByItem.get(entry.item) !== entry.readyAtMs) continue; // superseded
      this.readyAtByItem.delete(entry.item);
      this.add(entry.item);
    }
    this.schedule();
  }
}

function heapPush<T>(heap: Delayed<T>[], entry: Delayed<T>): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as Delayed<T>).readyAtMs <= entry.readyAtMs) break;
    heap[i] = heap[parent] as Delayed<T>;
    i = parent;
  }
  heap[i] = entry;
}

function heapPop<T>(heap: Delayed<T>[]): Delayed<T> | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && (heap[r] as Delayed<T>).readyAtMs < (heap[l] as Delayed<T>).readyAtMs ? r : l;
    if ((heap[c] as Delayed<T>).readyAtMs >= last.readyAtMs) break;
    heap[i] = heap[c] as Delayed<T>;
    i = c;
  }
  heap[i] = last;
  return top;
}
