import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMs, formatRate, formatRatio, formatTable, ratioOrNull } from '../table.js';

describe('formatTable', () => {
  it('aligns the label column left and figures right, under a rule', () => {
    const text = formatTable(
      ['phase', 'coxswain', 'etcd'],
      [
        ['creates/s', '41,200', '12,900'],
        ['p99 ms', '3.10', null],
      ],
    );
    assert.equal(
      text,
      [
        'phase      coxswain    etcd',
        '---------  --------  ------',
        'creates/s    41,200  12,900',
        'p99 ms         3.10       -',
      ].join('\n'),
    );
  });

  it('honours explicit alignment and a custom missing marker', () => {
    const text = formatTable(['a', 'b'], [['x', null]], { align: ['right', 'left'], missing: 'n/a' });
    assert.equal(text, ['a  b', '-  ---', 'x  n/a'].join('\n'));
  });

  it('rejects rows whose length differs from the header', () => {
    assert.throws(() => formatTable(['a', 'b'], [['only one']]), /row has 1 cells, table has 2 columns/);
  });
});

describe('number formats', () => {
  const rates: [number | null, string | null][] = [
    [41_234.4, '41,234'],
    [100, '100'],
    [87.54, '87.5'],
    [3.254, '3.25'],
    [0, '0.00'],
    [null, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
  ];
  for (const [input, expected] of rates) {
    it(`formatRate(${String(input)}) = ${String(expected)}`, () => assert.equal(formatRate(input), expected));
  }

  const millis: [number | null, string | null][] = [
    [0.04213, '0.042'],
    [3.1, '3.10'],
    [48.24, '48.2'],
    [171.4, '171'],
    [1250.2, '1,250'],
    [null, null],
    [Number.NaN, null],
  ];
  for (const [input, expected] of millis) {
    it(`formatMs(${String(input)}) = ${String(expected)}`, () => assert.equal(formatMs(input), expected));
  }

  const ratios: [number | null, string | null][] = [
    [86.544, '86.5x'],
    [3.194, '3.19x'],
    [0.15, '0.15x'],
    [0.01534, '0.015x'],
    [0, '0.00x'],
    [null, null],
  ];
  for (const [input, expected] of ratios) {
    it(`formatRatio(${String(input)}) = ${String(expected)}`, () => assert.equal(formatRatio(input), expected));
  }

  it('ratioOrNull divides, and is null when a side is missing or the divisor is zero', () => {
    assert.equal(ratioOrNull(30, 10), 3);
    assert.equal(ratioOrNull(null, 10), null);
    assert.equal(ratioOrNull(30, null), null);
    assert.equal(ratioOrNull(30, 0), null);
    assert.equal(ratioOrNull(Number.NaN, 1), null);
  });
});
