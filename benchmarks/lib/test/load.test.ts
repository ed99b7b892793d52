import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { runLoad } from '../load.js';

describe('runLoad', () => {
  it('runs every index in [0, opsMax) exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 80 }), async (opsMax, concurrency) => {
        const seen = new Uint8Array(opsMax);
        const result = await runLoad({ opsMax, concurrency, timeMsMax: 60_000 }, async (i) => {
          await Promise.resolve();
          seen[i] = (seen[i] ?? 0) + 1;
        });
        assert.equal(result.ops, opsMax);
        assert.equal(result.errors, 0);
        assert.equal(result.timedOut, false);
        assert.equal(result.latency.count, opsMax);
        assert.ok(seen.every((n) => n === 1));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps at most `concurrency` operations in flight, and reaches that many', async () => {
    for (const concurrency of [1, 7, 64]) {
      let inFlight = 0;
      let inFlightMax = 0;
      await runLoad({ opsMax: 500, concurrency, timeMsMax: 60_000 }, async () => {
        inFlight++;
        inFlightMax = Math.max(inFlightMax, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      });
      assert.equal(inFlightMax, concurrency);
    }
  });

  it('starts no operation after its time budget and says it was cut short', async () => {
    const result = await runLoad({ opsMax: 1_000_000, concurrency: 4, timeMsMax: 50 }, () => sleep(5));
    assert.equal(result.timedOut, true);
    assert.ok(result.ops > 0 && result.ops < 1_000_000);
    assert.equal(result.latency.count, result.ops);
  });

  it('stops at the first failure by default and keeps it', async () => {
    const boom = new Error('boom at 10');
    let started = 0;
    const result = await runLoad({ opsMax: 1000, concurrency: 1, timeMsMax: 60_000 }, async (i) => {
      started++;
      if (i === 10) throw boom;
    });
    assert.equal(result.errors, 1);
    assert.equal(result.firstError, boom);
    assert.equal(result.ops, 10);
    assert.equal(started, 11);
  });

  it('tolerates failures up to errorsMax, counting them apart from successes', async () => {
    const result = await runLoad({ opsMax: 100, concurrency: 3, timeMsMax: 60_000, errorsMax: 1000 }, async (i) => {
      if (i % 10 === 0) throw new Error(`failed ${i}`);
    });
    assert.equal(result.errors, 10);
    assert.equal(result.ops, 90);
    assert.equal(result.latency.count, 90);
    assert.match(String(result.firstError), /failed 0/);
  });

  it('reports latency around the awaited operation', async () => {
    const result = await runLoad({ opsMax: 5, concurrency: 1, timeMsMax: 60_000 }, () => sleep(20));
    // Timers never fire early, so every sample is at least the sleep.
    assert.ok(result.latency.p50Ms >= 19, `p50 ${result.latency.p50Ms}`);
    assert.ok(result.opsPerSec > 0 && result.opsPerSec <= 1000 / 19);
  });

  it('rejects nonsensical bounds', async () => {
    const op = (): Promise<void> => Promise.resolve();
    await assert.rejects(runLoad({ opsMax: 0, concurrency: 1, timeMsMax: 1 }, op), RangeError);
    await assert.rejects(runLoad({ opsMax: 1, concurrency: 0, timeMsMax: 1 }, op), RangeError);
    await assert.rejects(runLoad({ opsMax: 1, concurrency: 1, timeMsMax: 0 }, op), RangeError);
  });
});
