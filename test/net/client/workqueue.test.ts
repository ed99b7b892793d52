// The work queue's contract, as controllers rely on it (client-go's workqueue semantics).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  WorkQueue,
  queueShutDown,
  type RateLimiter,
} from '../../../src/net/client/workqueue.js';

/** A limiter with fixed delays, to test the queue apart from the limiter. */
function fixedLimiter(ms: number): RateLimiter<string> & { readonly counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    when: (item) => {
      counts.set(item, (counts.get(item) ?? 0) + 1);
      return ms;
    },
    forget: (item) => {
      counts.delete(item);
    },
    numRequeues: (item) => counts.get(item) ?? 0,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  test('adds of a waiting key are merged; keys come out in first-add order', async () => {
    const q = new WorkQueue<string>();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    assert.equal(q.len(), 3);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(await q.get(), 'c');
    assert.equal(q.len(), 0);
  });

  test('a key added while processing is held back until done(), then queued once', async () => {
    const q = new WorkQueue<string>();
    q.add('k');
    const k = await q.get();
    assert.equal(k, 'k');
    q.add('k');
    q.add('k');
    assert.equal(q.len(), 0, 'not handed to a second worker while the first processes it');
    q.done('k');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'k');
    q.done('k');
    assert.equal(q.len(), 0);
  });

  test('get() waits for an add; waiting workers are served in order', async () => {
    const q = new WorkQueue<string>();
    const first = q.get();
    const second = q.get();
    q.add('x');
    q.add('y');
    assert.equal(await first, 'x');
    assert.equal(await second, 'y');
  });

  test('shutDown: adds are ignored, queued keys still drain, then get() answers queueShutDown', async () => {
    const q = new WorkQueue<string>();
    const waiting = q.get();
    q.add('a');
    assert.equal(await waiting, 'a');
    q.add('b');
    q.shutDown();
    q.add('c');
    assert.equal(q.shuttingDown, true);
    assert.equal(await q.get(), 'b');
    assert.equal(await q.get(), queueShutDown);
    const blocked = new WorkQueue<string>();
    const pending = blocked.get();
    blocked.shutDown();
    assert.equal(await pending, queueShutDown);
  });

  test('shutDownWithDrain waits for keys being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await sleep(5);
    assert.equal(drained, false);
    q.done('a');
    await drain;
    assert.equal(drained, true);
  });

  test('addAfter queues after the delay; an earlier delay for the same key wins; ≤ 0 is now', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('now', 0);
    assert.equal(q.len(), 1);
    q.addAfter('later', 10_000);
    q.addAfter('later', 20);
    q.addAfter('later', 30_000);
    assert.equal(q.delayedLen(), 1);
    assert.equal(await q.get(), 'now');
    assert.equal(await q.get(), 'later');
    assert.equal(q.delayedLen(), 0);
    q.shutDown();
  });

  test('addRateLimited uses the limiter per key; forget resets it', async () => {
    const limiter = fixedLimiter(5);
    const q = new WorkQueue<string>({ rateLimiter: limiter });
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    assert.equal(await q.get(), 'a');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    q.done('a');
    q.shutDown();
  });

  test('shutDown cancels delayed keys (no timer keeps the process alive)', () => {
    const q = new WorkQueue<string>();
    q.addAfter('x', 60_000);
    q.shutDown();
    assert.equal(q.delayedLen(), 0);
  });

  test('property: under any interleaving, a key is never processed twice at once and every add is processed after it', async () => {
    // Commands: add(key), take one key to process, finish one key being processed.
    const command = fc.oneof(
      fc.record({ op: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
      fc.record({ op: fc.constant('get' as const) }),
      fc.record({ op: fc.constant('done' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const q = new WorkQueue<string>();
        const processing: string[] = [];
        // Keys added since their processing last started: each must be handed out again.
        const owed = new Set<string>();
        for (const c of commands) {
          if (c.op === 'add') {
            q.add(c.key);
            owed.add(c.key);
          } else if (c.op === 'get') {
            if (q.len() === 0) continue;
            const k = (await q.get()) as string;
            assert.ok(!processing.includes(k), `${k} handed out while being processed`);
            processing.push(k);
            owed.delete(k);
          } else if (processing.length > 0) {
            const [k] = processing.splice(c.pick % processing.length, 1);
            q.done(k as string);
          }
          assert.ok(q.len() <= 4, 'a key is queued at most once');
        }
        // Drain: finish everything, then process what is left; every owed key comes out.
        for (const k of processing.splice(0)) q.done(k);
        const seen = new Set<string>();
        while (q.len() > 0) {
          const k = (await q.get()) as string;
          seen.add(k);
          q.done(k);
        }
        assert.deepEqual([...owed].filter((k) => !seen.has(k)), []);
      }),
      { numRuns: 200 },
    );
  });
});

describe('rate limiters', () => {
  test('ItemExponentialRateLimiter: base × 2^n per key, capped, forget resets', () => {
    const l = new ItemExponentialRateLimiter<string>(5, 100);
    assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a')], [5, 10, 20, 40, 80, 100]);
    assert.equal(l.when('b'), 5);
    assert.equal(l.numRequeues('a'), 6);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
    assert.equal(l.when('a'), 5);
    assert.throws(() => new ItemExponentialRateLimiter<string>(0, 10), RangeError);
  });

  test('BucketRateLimiter: burst free, then 1/qps apart; refills with time', () => {
    let now = 0;
    const l = new BucketRateLimiter<string>(10, 3, () => now);
    assert.deepEqual([l.when('x'), l.when('y'), l.when('z')], [0, 0, 0]);
    assert.equal(l.when('w'), 100);
    assert.equal(l.when('v'), 200);
    now = 1000; // 10 tokens' worth of time, capped at the burst of 3, minus the 2 owed.
    assert.equal(l.when('u'), 0);
  });

  test('MaxOfRateLimiter takes the longest delay and forgets everywhere', () => {
    let now = 0;
    const exp = new ItemExponentialRateLimiter<string>(5, 1000);
    const bucket = new BucketRateLimiter<string>(1, 1, () => now);
    const l = new MaxOfRateLimiter(exp, bucket);
    assert.equal(l.when('a'), 5);
    assert.equal(l.when('a'), 1000);
    now = 10_000;
    assert.equal(l.when('a'), 20);
    l.forget('a');
    assert.equal(l.numRequeues('a'), 0);
  });
});
