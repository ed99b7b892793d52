import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { humanDuration } from '../../../../src/net/server/printers/index.js';
import { translateTimestampSince } from '../../../../src/net/server/printers/format.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('printers: humanDuration (duration.HumanDuration)', () => {
  const cases: readonly [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1999, '0s'], // within 2s of now: clock skew, reads as now
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * s, '1s'],
    [5 * s, '5s'],
    [60 * s, '60s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 1 * m, '3h1m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 1 * h, '2d1h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [2 * y + 1 * d, '2y1d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
    [20 * y, '20y'],
  ];
  for (const [ms, expected] of cases) {
    it(`${ms} ms → ${expected}`, () => assert.equal(humanDuration(ms), expected));
  }

  it('under two minutes it is whole seconds, truncated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * m - 1 }), (ms) => {
        assert.equal(humanDuration(ms), `${Math.floor(ms / 1000)}s`);
      }),
    );
  });

  it('always prints at most two units, each a whole number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 * y }), (ms) => {
        assert.match(humanDuration(ms), /^\d+(s|m|h|d|y)(\d+(s|m|h|d))?$/);
      }),
    );
  });

  it('translateTimestampSince: "<unknown>" for a missing timestamp, else the age at now', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    assert.equal(translateTimestampSince(undefined, now), '<unknown>');
    assert.equal(translateTimestampSince('', now), '<unknown>');
    assert.equal(translateTimestampSince('2024-05-01T11:55:00Z', now), '5m');
    assert.equal(translateTimestampSince('2024-04-29T12:00:00Z', now), '2d');
  });
});
