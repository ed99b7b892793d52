import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GcPauses, summarizeGcPauses } from '../gc.js';

describe('summarizeGcPauses', () => {
  it('counts, takes the median, the longest and the sum', () => {
    assert.deepEqual(summarizeGcPauses([4, 1, 9, 2]), { gcPauses: 4, gcPauseP50Ms: 3, gcPauseMaxMs: 9, gcPauseTotalMs: 16 });
    assert.deepEqual(summarizeGcPauses([7]), { gcPauses: 1, gcPauseP50Ms: 7, gcPauseMaxMs: 7, gcPauseTotalMs: 7 });
  });

  it('has no median or longest pause without pauses', () => {
    const none = summarizeGcPauses([]);
    assert.equal(none.gcPauses, 0);
    assert.equal(none.gcPauseTotalMs, 0);
    assert.ok(Number.isNaN(none.gcPauseP50Ms) && Number.isNaN(none.gcPauseMaxMs));
  });
});

describe('GcPauses', () => {
  it('sees the collections that allocation causes, and starts over at each take', async () => {
    const meter = new GcPauses();
    try {
      meter.take();
      // Far more short-lived garbage than a young generation holds: scavenges must run.
      let kept = 0;
      for (let i = 0; i < 2_000_000; i++) kept += { i, s: `x${i}` }.s.length;
      assert.ok(kept > 0);
      // The observer is told on a later turn of the event loop: wait for it (at most ~5 s).
      let seen = meter.take();
      for (let turn = 0; seen.gcPauses === 0 && turn < 500; turn++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen = meter.take();
      }
      assert.ok(seen.gcPauses >= 1, `no GC pause seen after allocating: ${JSON.stringify(seen)}`);
      assert.ok(seen.gcPauseTotalMs > 0 && seen.gcPauseMaxMs <= seen.gcPauseTotalMs);
      // Nothing ran between these two takes.
      assert.equal(meter.take().gcPauses, 0);
    } finally {
      meter.stop();
    }
  });
});
