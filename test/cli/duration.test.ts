// Go's time.ParseDuration, as kube-apiserver reads --event-ttl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from '../../src/cli/duration.js';

test('parses what Go parses, to milliseconds', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1h0m0s', 3_600_000],
    ['1h', 3_600_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
    ['300ms', 300],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['.5s', 500],
    ['5.s', 5000],
    ['-1m', -60_000],
    ['+10s', 10_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test('refuses what Go refuses, with its message', () => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['1h5', 'time: missing unit in duration "1h5"'],
    ['5x', 'time: unknown unit "x" in duration "5x"'],
    ['1 h', 'time: unknown unit " h" in duration "1 h"'],
    ['h', 'time: invalid duration "h"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
  ];
  for (const [text, message] of cases) assert.throws(() => parseGoDuration(text), { name: 'RangeError', message }, JSON.stringify(text));
});
