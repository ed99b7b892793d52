import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LatencyRecorder, median, medianOfEach, medianOrNull, percentileOfSorted, summarizeInPlace } from '../stats.js';

const oneToHundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentileOfSorted (nearest rank)', () => {
  const cases: [string, ArrayLike<number>, number, number][] = [
    ['p50 of 1..100', oneToHundred, 50, 50],
    ['p99 of 1..100', oneToHundred, 99, 99],
    ['p100 is the maximum', oneToHundred, 100, 100],
    ['p0 is the minimum', oneToHundred, 0, 1],
    ['p99.9 of 1..100 rounds the rank up', oneToHundred, 99.9, 100],
    ['p50 of an even pair is the lower one (an observed value)', [10, 20], 50, 10],
    ['p51 of a pair is the upper one', [10, 20], 51, 20],
    ['p99 of 10 samples is the largest', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    ['p90 of 10 samples is the 9th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    ['any percentile of one sample is that sample', [7.5], 37, 7.5],
  ];
  for (const [name, sorted, p, expected] of cases) {
    it(name, () => assert.equal(percentileOfSorted(sorted, p), expected));
  }

  it('is NaN for no samples', () => assert.ok(Number.isNaN(percentileOfSorted([], 50))));

  it('rejects percentiles outside [0, 100]', () => {
    for (const p of [-1, 100.1, Number.NaN]) assert.throws(() => percentileOfSorted([1], p), RangeError);
  });

  it('picks a sample with at least p% at or below it and fewer than p% below it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.001, max: 100, noNaN: true }),
        (values, p) => {
          const sorted = Float64Array.from(values).sort();
          const r = percentileOfSorted(sorted, p);
          assert.ok(values.includes(r));
          const atOrBelow = values.filter((v) => v <= r).length;
          const below = values.filter((v) => v < r).length;
          assert.ok(atOrBelow >= (p / 100) * values.length - 1e-9, `${atOrBelow} at or below`);
          assert.ok(below < (p / 100) * values.length, `${below} below`);
        },
      ),
    );
  });
});

describe('median', () => {
  const cases: [string, number[], number][] = [
    ['odd count: the middle value', [3, 1, 2], 2],
    ['even count: the mean of the two middles', [4, 1, 3, 2], 2.5],
    ['one value', [42], 42],
    ['unsorted input with duplicates', [5, 5, 1, 9, 5], 5],
    ['negative values', [-3, -1, -2], -2],
  ];
  for (const [name, values, expected] of cases) {
    it(name, () => assert.equal(median(values), expected));
  }

  it('is NaN for no values', () => assert.ok(Number.isNaN(median([]))));

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });

  it('has as many values at or below it as at or above it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 101 }), (values) => {
        const m = median(values);
        assert.ok(values.filter((v) => v <= m).length >= values.length / 2);
        assert.ok(values.filter((v) => v >= m).length >= values.length / 2);
      }),
    );
  });

  it('medianOrNull ignores absent values and is null when none is present', () => {
    assert.equal(medianOrNull([null, 3, null, 1, 2]), 2);
    assert.equal(medianOrNull([Number.NaN, 4]), 4);
    assert.equal(medianOrNull([null, null]), null);
    assert.equal(medianOrNull([]), null);
  });
});

describe('summarizeInPlace and LatencyRecorder', () => {
  it('summarizes count, mean, percentiles and max', () => {
    const s = summarizeInPlace(Float64Array.from([5, 1, 4, 2, 3]));
    assert.deepEqual(s, { count: 5, meanMs: 3, p50Ms: 3, p90Ms: 5, p99Ms: 5, maxMs: 5 });
  });

  it('summarizes nothing as count 0 and NaN figures', () => {
    const s = summarizeInPlace(new Float64Array(0));
    assert.equal(s.count, 0);
    assert.ok(Number.isNaN(s.p99Ms) && Number.isNaN(s.meanMs));
  });

  it('keeps samples up to its capacity and counts the rest as dropped', () => {
    const r = new LatencyRecorder(3);
    for (const ms of [9, 1, 5, 7]) r.record(ms);
    assert.equal(r.count, 3);
    assert.equal(r.dropped, 1);
    assert.deepEqual(r.summarize(), { count: 3, meanMs: 5, p50Ms: 5, p90Ms: 9, p99Ms: 9, maxMs: 9 });
  });

  it('rejects a negative or fractional capacity', () => {
    assert.throws(() => new LatencyRecorder(-1), RangeError);
    assert.throws(() => new LatencyRecorder(1.5), RangeError);
  });
});

describe('medianOfEach', () => {
  it('takes each field\'s median over the rounds, field by field', () => {
    const rounds = [
      { opsPerSec: 300, p99Ms: 9 },
      { opsPerSec: 100, p99Ms: 30 },
      { opsPerSec: 200, p99Ms: 10 },
    ];
    assert.deepEqual(medianOfEach(rounds), { opsPerSec: 200, p99Ms: 10 });
  });
  it('refuses no rounds at all', () => {
    assert.throws(() => medianOfEach<{ x: number }>([]), RangeError);
  });
});
