// The scheduler's seeded random source: a seed fixes the sequence; int(n) stays in [0, n) and is
// uniform (every value of a small bound drawn about equally often).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeededRandom } from '../../src/scheduler/random.js';

test('int(n): within [0, n), the same sequence for the same seed', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed, n) => {
      const a = new SeededRandom(seed);
      const b = new SeededRandom(seed);
      for (let i = 0; i < 32; i++) {
        const x = a.int(n);
        assert.ok(Number.isInteger(x) && x >= 0 && x < n, `${x} of ${n}`);
        assert.equal(b.int(n), x);
      }
    }),
  );
});

test('int(n): seeds give different sequences; values of a small bound come about equally often', () => {
  const first = new Set<number>();
  for (let seed = 0; seed < 64; seed++) first.add(new SeededRandom(seed).nextUint32());
  assert.equal(first.size, 64);
  for (const n of [2, 3, 7, 10]) {
    const r = new SeededRandom(n);
    const counts = new Array<number>(n).fill(0);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) counts[r.int(n)]!++;
    // Binomial: a deviation past 6 standard deviations would say the draws are not uniform.
    const mean = draws / n;
    const sd = Math.sqrt(draws * (1 / n) * (1 - 1 / n));
    for (const c of counts) assert.ok(Math.abs(c - mean) < 6 * sd, `bound ${n}: ${counts.join(' ')}`);
  }
});

test('int(n): bounds outside [1, 2^31) are rejected', () => {
  const r = new SeededRandom(1);
  for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN]) assert.throws(() => r.int(bad), RangeError);
});
