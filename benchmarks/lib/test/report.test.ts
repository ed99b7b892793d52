import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLine, normalizeReport, roundFigure } from '../report.js';

describe('roundFigure', () => {
  const cases: [number | null, number | null][] = [
    [41_234.56, 41_235],
    [1000.4, 1000],
    [999.9996, 1000],
    [3.14159, 3.142],
    [0.0004, 0],
    [-2.5005, -2.5],
    [Number.NaN, null],
    [Number.NEGATIVE_INFINITY, null],
    [null, null],
  ];
  for (const [input, expected] of cases) {
    it(`${String(input)} → ${String(expected)}`, () => assert.equal(roundFigure(input), expected));
  }
});

describe('jsonLine', () => {
  it('is one newline-terminated line that parses back, with rounded numbers and nulls kept', () => {
    const line = jsonLine({ scenario: 'store', createsPerSec64: 12_345.678, p99WriteMs64: 3.14159, etcdPutsPerSec64: null, ok: true });
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(JSON.parse(line), { scenario: 'store', createsPerSec64: 12_346, p99WriteMs64: 3.142, etcdPutsPerSec64: null, ok: true });
  });

  it('turns unmeasurable figures into null rather than dropping the key', () => {
    const parsed = JSON.parse(jsonLine({ a: Number.NaN, b: Number.POSITIVE_INFINITY })) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['a', 'b']);
    assert.equal(parsed['a'], null);
    assert.equal(parsed['b'], null);
  });

  it('keeps the key order of the report', () => {
    assert.deepEqual(Object.keys(normalizeReport({ z: 1, a: 2, m: 'x' })), ['z', 'a', 'm']);
  });
});
