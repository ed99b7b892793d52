import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  QuantityError,
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  decodeQuantity,
  formatQuantity,
  isZeroQuantity,
  multiplyQuantity,
  negateQuantity,
  parseMilli,
  parseQuantity,
  parseValue,
  quantityFromMilli,
  quantityFromValue,
  quantityNumericMessage,
  quantitySuffixMessage,
  quantityToMilli,
  quantityToValue,
  subtractQuantities,
  tryParseQuantity,
  type Quantity,
  type QuantityFormat,
} from '../../../src/core/api/quantity.js';

const formatWrong =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The exact value in nano-units (every quantity is a whole number of them). */
function nanos(q: Quantity): bigint {
  assert.ok(q.scale >= -9, `scale ${q.scale} below nano`);
  return (q.unscaledBig ?? BigInt(q.unscaled)) * 10n ** BigInt(q.scale + 9);
}

describe('parseQuantity and formatQuantity', () => {
  // [input, what Kubernetes prints (Quantity.String), canonical form, format]. Where the two
  // printed forms differ, Kubernetes keeps the input text its fast path judged canonical.
  const valid: readonly (readonly [string, string, string, QuantityFormat])[] = [
    ['100m', '100m', '100m', 'DecimalSI'],
    ['0.5', '500m', '500m', 'DecimalSI'],
    ['128Mi', '128Mi', '128Mi', 'BinarySI'],
    ['1G', '1G', '1G', 'DecimalSI'],
    ['1e3', '1e3', '1e3', 'DecimalExponent'],
    ['1.5Gi', '1536Mi', '1536Mi', 'BinarySI'],
    ['1E3', '1E3', '1e3', 'DecimalExponent'],
    ['+1', '+1', '1', 'DecimalSI'],
    ['-1', '-1', '-1', 'DecimalSI'],
    ['.5', '500m', '500m', 'DecimalSI'],
    ['5.', '5.', '5', 'DecimalSI'],
    ['1Ki', '1Ki', '1Ki', 'BinarySI'],
    ['1Ei', '1Ei', '1Ei', 'BinarySI'],
    ['1.', '1.', '1', 'DecimalSI'],
    ['Mi', '0', '0', 'BinarySI'],
    ['0.1Gi', '107374182400m', '107374182400m', 'BinarySI'],
    ['1000m', '1', '1', 'DecimalSI'],
    ['0', '0', '0', 'DecimalSI'],
    ['0Ki', '0', '0', 'BinarySI'],
    ['4', '4', '4', 'DecimalSI'],
    ['32Gi', '32Gi', '32Gi', 'BinarySI'],
    ['500Mi', '500Mi', '500Mi', 'BinarySI'],
    ['1024Mi', '1Gi', '1Gi', 'BinarySI'],
    ['307200Ki', '300Mi', '300Mi', 'BinarySI'],
    ['1025Ki', '1025Ki', '1025Ki', 'BinarySI'],
    ['1000M', '1G', '1G', 'DecimalSI'],
    ['0.001T', '1G', '1G', 'DecimalSI'],
    ['5000m', '5', '5', 'DecimalSI'],
    ['1.08', '1080m', '1080m', 'DecimalSI'],
    ['1080000000n', '1080m', '1080m', 'DecimalSI'],
    ['.001e12', '1e9', '1e9', 'DecimalExponent'],
    ['0.001e0', '1e-3', '1e-3', 'DecimalExponent'],
    ['1000e-12', '1e-9', '1e-9', 'DecimalExponent'],
    ['00', '0', '0', 'DecimalSI'],
    ['01', '01', '1', 'DecimalSI'],
    ['+1Ki', '+1Ki', '1Ki', 'BinarySI'],
    ['.001Ki', '1024m', '1024m', 'BinarySI'],
    ['.000001Ki', '1024u', '1024u', 'DecimalSI'],
    ['.000000001Ki', '1024n', '1024n', 'DecimalSI'],
    // Below one nano-unit rounds up, and a BinarySI fraction below 1 becomes DecimalSI.
    ['0.000000000001Ki', '2n', '2n', 'DecimalSI'],
    ['3.001n', '4n', '4n', 'DecimalSI'],
    ['1.1E-9', '2e-9', '2e-9', 'DecimalExponent'],
    ['0.5e-9', '1e-9', '1e-9', 'DecimalExponent'],
    ['0.00000012345', '124n', '124n', 'DecimalSI'],
    ['100.035Ki', '102435840m', '102435840m', 'BinarySI'],
    ['0.5Mi', '512Ki', '512Ki', 'BinarySI'],
    // BinarySI is capped at 2^63-1 when parsed; decimal forms are not.
    ['9Ei', '9223372036854775807', '9223372036854775807', 'BinarySI'],
    ['8Ei', '9223372036854775807', '9223372036854775807', 'BinarySI'],
    ['12E', '12E', '12E', 'DecimalSI'],
    ['1000000000000000000', '1E', '1E', 'DecimalSI'],
    ['10000000000000000000000m', '10E', '10E', 'DecimalSI'],
    ['9223372036854775807.1', '9223372036854775807100m', '9223372036854775807100m', 'DecimalSI'],
    ['-9223372036854775808', '-9223372036854775808', '-9223372036854775808', 'DecimalSI'],
    ['-1.0000000000000000001E', '-1000000000000000000100m', '-1000000000000000000100m', 'DecimalSI'],
    // Beyond E there is no SI suffix: the exponent form (kubernetes#140459).
    ['1000E', '1e21', '1e21', 'DecimalSI'],
    // Three fractional digits keep their text (kubernetes#138165).
    ['1.001', '1.001', '1001m', 'DecimalSI'],
    ['-', '0', '0', 'DecimalSI'],
    ['1e2147483647', '10e2147483646', '10e2147483646', 'DecimalExponent'],
    ['1e4', '10e3', '10e3', 'DecimalExponent'],
    ['1e-1000', '1e-9', '1e-9', 'DecimalExponent'],
    ['-12345e-40', '-1e-9', '-1e-9', 'DecimalExponent'],
    ['1E-3', '1E-3', '1e-3', 'DecimalExponent'],
    ['-0.5', '-500m', '-500m', 'DecimalSI'],
    ['-1Gi', '-1Gi', '-1Gi', 'BinarySI'],
    ['-0', '0', '0', 'DecimalSI'],
    ['1.5', '1500m', '1500m', 'DecimalSI'],
  ];
  for (const [input, printed, canonical, format] of valid) {
    test(`${JSON.stringify(input)} prints as ${printed}`, () => {
      const q = parseQuantity(input);
      assert.equal(formatQuantity(q), printed);
      assert.equal(canonicalQuantity(q), canonical);
      assert.equal(q.format, format);
    });
  }

  const malformed: readonly (readonly [string, string])[] = [
    ['', formatWrong],
    ['1.2.3', formatWrong],
    ['1Qi', formatWrong],
    [' 1', formatWrong],
    ['1 ', formatWrong],
    ['aoeu', formatWrong],
    ['1.1.M', formatWrong],
    ['1+1.0M', formatWrong],
    ['0.1am', formatWrong],
    ['1e3Mi', formatWrong],
    ['0.1mi', quantitySuffixMessage],
    ['.5i', quantitySuffixMessage],
    ['1i', quantitySuffixMessage],
    ['-3.01i', quantitySuffixMessage],
    ['-3.01e-', quantitySuffixMessage],
    ['1ee3', quantitySuffixMessage],
    ['1e99999999999999999999', quantitySuffixMessage],
    ['Pi', quantityNumericMessage],
    ['.Ei', quantityNumericMessage],
  ];
  for (const [input, message] of malformed) {
    test(`${JSON.stringify(input)} is malformed: ${message}`, () => {
      assert.throws(() => parseQuantity(input), (e: unknown) => e instanceof QuantityError && e.message === message);
      // JSON decoding trims surrounding whitespace first (Quantity.UnmarshalJSON).
      if (input.trim() === input) assert.equal(tryParseQuantity(input), undefined);
      else assert.equal(formatQuantity(tryParseQuantity(input) ?? parseQuantity('0')), input.trim());
    });
  }

  test('numbers parse from their JSON text, as Quantity.UnmarshalJSON does', () => {
    assert.equal(formatQuantity(parseQuantity(0.5)), '500m');
    assert.equal(formatQuantity(parseQuantity(2)), '2');
    assert.equal(formatQuantity(parseQuantity(1e21)), '1e+21');
    assert.throws(() => parseQuantity(Number.NaN), QuantityError);
    assert.throws(() => parseQuantity(Number.POSITIVE_INFINITY), QuantityError);
  });

  test('decodeQuantity reads JSON values as Quantity.UnmarshalJSON does', () => {
    assert.equal(formatQuantity(decodeQuantity(' 1\t')), '1');
    assert.equal(formatQuantity(decodeQuantity('\u00a0250m\n')), '250m');
    assert.equal(formatQuantity(decodeQuantity(0.25)), '250m');
    assert.ok(isZeroQuantity(decodeQuantity(null)));
    assert.throws(() => decodeQuantity('1 1'), QuantityError);
    assert.throws(() => decodeQuantity(true), QuantityError);
    assert.throws(() => decodeQuantity({}), QuantityError);
  });

  test('tryParseQuantity takes any value and never throws', () => {
    for (const v of [null, undefined, {}, [], true, '1x']) assert.equal(tryParseQuantity(v), undefined);
    const q = tryParseQuantity('250m');
    assert.ok(q !== undefined);
    assert.equal(quantityToMilli(q), 250);
  });

  test('a frozen quantity still prints', () => {
    const q = Object.freeze(addQuantities(parseQuantity('1Gi'), parseQuantity('512Mi')));
    assert.equal(formatQuantity(q), '1536Mi');
    assert.equal(formatQuantity(q), '1536Mi');
  });

  test('parsing the same text again gives the same value and text, whatever earlier callers did with it', () => {
    // Parsed quantities are remembered by text: freezing or printing one must not change another's answer.
    Object.freeze(parseQuantity('0.1Gi'));
    assert.equal(formatQuantity(parseQuantity('0.1Gi')), '107374182400m');
    assert.equal(formatQuantity(parseQuantity('0.1Gi')), '107374182400m');
    assert.equal(formatQuantity(decodeQuantity(' 0.1Gi')), '107374182400m');
    assert.equal(quantityToMilli(parseQuantity('0.1Gi')), 107374182400);
    // A malformed text throws every time.
    for (let i = 0; i < 2; i++) assert.throws(() => parseQuantity('1.2.3'), QuantityError);
  });

  test('more distinct texts than the parsed-quantity memory holds all parse right', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i <= 3000; i++) {
        assert.equal(quantityToMilli(parseQuantity(`${i}m`)), i);
        assert.equal(quantityToValue(parseQuantity(`${i}Ki`)), i * 1024);
      }
    }
  });

  test('surrounding whitespace of any kind Go trims is trimmed; inner or printable edges are kept', () => {
    for (const space of [' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00a0', '\u2003', '\u3000']) {
      assert.equal(formatQuantity(decodeQuantity(`${space}250m`)), '250m');
      assert.equal(formatQuantity(decodeQuantity(`250m${space}`)), '250m');
    }
    assert.throws(() => decodeQuantity('250 m'), QuantityError);
    assert.throws(() => decodeQuantity('~250m'), QuantityError);
  });

  test('a quantity serializes to JSON as Kubernetes prints it', () => {
    assert.equal(JSON.stringify({ cpu: parseQuantity('0.5'), memory: parseQuantity('1.5Gi') }), '{"cpu":"500m","memory":"1536Mi"}');
  });
});

describe('values', () => {
  const table: readonly (readonly [string, number, number])[] = [
    // [input, milli (MilliValue), whole units (Value)], rounded up away from zero.
    ['100m', 100, 1],
    ['4', 4000, 4],
    ['500Mi', 524288000000, 524288000],
    ['32Gi', 34359738368000, 34359738368],
    ['1.5', 1500, 2],
    ['-1.5', -1500, -2],
    ['0.1m', 1, 1],
    ['1n', 1, 1],
    ['-1n', -1, -1],
    ['0', 0, 0],
    ['1k', 1000000, 1000],
    ['1e-3', 1, 1],
  ];
  for (const [input, milli, value] of table) {
    test(`${input}: ${milli} milli, ${value} units`, () => {
      assert.equal(quantityToMilli(parseQuantity(input)), milli);
      assert.equal(quantityToValue(parseQuantity(input)), value);
      assert.equal(parseMilli(input), milli);
      assert.equal(parseValue(input), value);
    });
  }

  test('values beyond the double range are infinite, never NaN', () => {
    assert.equal(quantityToValue(parseQuantity('1e2147483647')), Number.POSITIVE_INFINITY);
    assert.equal(quantityToMilli(parseQuantity('-1e400')), Number.NEGATIVE_INFINITY);
  });

  test('quantityFromMilli and quantityFromValue (NewMilliQuantity, NewQuantity)', () => {
    assert.equal(formatQuantity(quantityFromMilli(1500, 'DecimalSI')), '1500m');
    assert.equal(formatQuantity(quantityFromMilli(2000, 'DecimalSI')), '2');
    assert.equal(formatQuantity(quantityFromMilli(500, 'BinarySI')), '500m');
    assert.equal(formatQuantity(quantityFromValue(1024, 'BinarySI')), '1Ki');
    assert.equal(formatQuantity(quantityFromValue(1000, 'DecimalSI')), '1k');
    assert.equal(formatQuantity(quantityFromValue(1000, 'DecimalExponent')), '1e3');
    assert.equal(formatQuantity(quantityFromValue(0, 'BinarySI')), '0');
    assert.throws(() => quantityFromMilli(1.5, 'DecimalSI'), QuantityError);
    assert.throws(() => quantityFromValue(2 ** 60, 'DecimalSI'), QuantityError);
  });
});

describe('comparison and arithmetic', () => {
  const comparisons: readonly (readonly [string, string, -1 | 0 | 1])[] = [
    ['0', '0', 0],
    ['100m', '50m', 1],
    ['50m', '100m', -1],
    ['10000T', '100Gi', 1],
    ['1Ki', '1024', 0],
    ['1e3', '1k', 0],
    ['-1', '0', -1],
    ['1n', '0', 1],
    ['999999999999999999', '1E', -1],
    ['1e2147483647', '9Ei', 1],
    ['-1e2147483647', '1n', -1],
    ['1e2147483647', '1e2147483647', 0],
    ['1.000000001', '1', 1],
  ];
  for (const [a, b, want] of comparisons) {
    test(`compare(${a}, ${b}) = ${want}`, () => {
      assert.equal(compareQuantities(parseQuantity(a), parseQuantity(b)), want);
      assert.equal(compareQuantities(parseQuantity(b), parseQuantity(a)), want === 0 ? 0 : -want);
    });
  }

  const sums: readonly (readonly ['+' | '-', string, string, string, QuantityFormat])[] = [
    ['+', '100m', '1', '1100m', 'DecimalSI'],
    ['+', '1Gi', '512Mi', '1536Mi', 'BinarySI'],
    ['+', '0', '1Gi', '1Gi', 'BinarySI'], // a zero takes the other's format
    ['+', '1Gi', '0', '1Gi', 'BinarySI'],
    ['+', '100m', '0', '100m', 'DecimalSI'],
    ['-', '1', '1500m', '-500m', 'DecimalSI'],
    ['-', '0', '100m', '-100m', 'DecimalSI'],
    ['-', '0', '1Gi', '-1Gi', 'BinarySI'],
    ['+', '1e3', '1', '1001', 'DecimalExponent'],
    ['+', '4Ei', '4Ei', '8Ei', 'BinarySI'], // 2^63: past the parse cap, reachable by adding
    ['+', '9Ei', '9Ei', '18446744073709551614', 'BinarySI'],
    ['-', '1E', '1n', '999999999999999999999999999n', 'DecimalSI'],
  ];
  for (const [op, a, b, want, format] of sums) {
    test(`${a} ${op} ${b} = ${want}`, () => {
      const f = op === '+' ? addQuantities : subtractQuantities;
      const r = f(parseQuantity(a), parseQuantity(b));
      assert.equal(formatQuantity(r), want);
      assert.equal(r.format, format);
    });
  }

  test('multiplication by an integer is exact and keeps the format', () => {
    assert.equal(formatQuantity(multiplyQuantity(parseQuantity('100m'), 3)), '300m');
    assert.equal(formatQuantity(multiplyQuantity(parseQuantity('512Mi'), 4)), '2Gi');
    assert.equal(formatQuantity(multiplyQuantity(parseQuantity('8Ei'), 1024)), '9223372036854775807Ki');
    assert.equal(formatQuantity(multiplyQuantity(parseQuantity('1Gi'), -2)), '-2Gi');
    assert.ok(isZeroQuantity(multiplyQuantity(parseQuantity('1k'), 0)));
    assert.throws(() => multiplyQuantity(parseQuantity('1'), 0.5), QuantityError);
  });

  test('negation keeps the format', () => {
    assert.equal(formatQuantity(negateQuantity(parseQuantity('9.01'))), '-9010m');
    assert.equal(formatQuantity(negateQuantity(parseQuantity('1Gi'))), '-1Gi');
    assert.ok(isZeroQuantity(negateQuantity(parseQuantity('0'))));
  });

  test('arithmetic that would need unbounded digits is refused, not attempted', () => {
    assert.throws(() => addQuantities(parseQuantity('1e2147483647'), parseQuantity('1')), QuantityError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties against a reference evaluator: exact rationals in BigInt.

interface Form {
  readonly text: string;
  /** Exact value = num / den. */
  readonly num: bigint;
  readonly den: bigint;
  readonly binary: boolean;
  /** The format its suffix names. */
  readonly format: QuantityFormat;
}

const decimalSuffixes: readonly (readonly [string, number])[] = [
  ['', 0], ['n', -9], ['u', -6], ['m', -3], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
];
const binarySuffixList: readonly (readonly [string, number])[] = [
  ['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60],
];

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: min, maxLength: max });

interface SuffixForm {
  readonly text: string;
  readonly exp10: number;
  readonly exp2: number;
  readonly format: QuantityFormat;
}

const suffixArb: fc.Arbitrary<SuffixForm> = fc.oneof(
  fc.constantFrom(...decimalSuffixes).map(([text, exp10]): SuffixForm => ({ text, exp10, exp2: 0, format: 'DecimalSI' })),
  fc.constantFrom(...binarySuffixList).map(([text, exp2]): SuffixForm => ({ text, exp10: 0, exp2, format: 'BinarySI' })),
  fc
    .tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 40 }))
    .map(([e, s, n]): SuffixForm => ({ text: `${e}${s}${n}`, exp10: s === '-' ? -n : n, exp2: 0, format: 'DecimalExponent' })),
);

const formArb: fc.Arbitrary<Form> = fc
  .tuple(fc.constantFrom('', '+', '-'), digits(0, 22), fc.option(digits(0, 14)), suffixArb)
  .filter(([, int, frac]) => int.length > 0 || (frac !== null && frac.length > 0))
  .map(([sign, int, frac, suffix]) => {
    const fracDigits = frac ?? '';
    let num = BigInt((int || '0') + fracDigits) * (sign === '-' ? -1n : 1n);
    let den = 10n ** BigInt(fracDigits.length);
    if (suffix.exp10 >= 0) num *= 10n ** BigInt(suffix.exp10);
    else den *= 10n ** BigInt(-suffix.exp10);
    num *= 1n << BigInt(suffix.exp2);
    const text = `${sign}${int}${frac === null ? '' : `.${frac}`}${suffix.text}`;
    return { text, num, den, binary: suffix.format === 'BinarySI', format: suffix.format };
  });

/** What Kubernetes stores: rounded up (away from zero) to nano, BinarySI capped at 2^63-1. */
function referenceNanos(f: Form): bigint {
  const negative = f.num < 0n;
  const absNum = (negative ? -f.num : f.num) * 1_000_000_000n;
  let n = absNum / f.den + (absNum % f.den === 0n ? 0n : 1n);
  const capNanos = ((1n << 63n) - 1n) * 1_000_000_000n;
  if (f.binary && n > capNanos) n = capNanos;
  return negative ? -n : n;
}

function compareBig(a: bigint, b: bigint): -1 | 0 | 1 {
  return a === b ? 0 : a < b ? -1 : 1;
}

const quantityArb: fc.Arbitrary<Quantity> = formArb.map((f) => parseQuantity(f.text));

describe('properties', () => {
  test('parsing agrees with exact rational arithmetic (rounded up to nano, BinarySI capped)', () => {
    fc.assert(
      fc.property(formArb, (f) => {
        const q = parseQuantity(f.text);
        assert.equal(nanos(q), referenceNanos(f), f.text);
        // A BinarySI value strictly between -1 and 1 (not zero) is kept as DecimalSI.
        const n = referenceNanos(f);
        const fraction = n !== 0n && (n < 0n ? -n : n) < 1_000_000_000n;
        assert.equal(q.format, f.binary && fraction ? 'DecimalSI' : f.format, f.text);
      }),
      { numRuns: 500 },
    );
  });

  test('round trip: parse(format(q)) equals q, and printing is a fixed point', () => {
    fc.assert(
      fc.property(quantityArb, (q) => {
        const text = formatQuantity(q);
        const again = parseQuantity(text);
        assert.equal(compareQuantities(again, q), 0, text);
        assert.equal(formatQuantity(again), text);
        assert.equal(canonicalQuantity(again), canonicalQuantity(q));
        const canonical = parseQuantity(canonicalQuantity(q));
        assert.equal(compareQuantities(canonical, q), 0);
      }),
      { numRuns: 500 },
    );
  });

  test('comparison agrees with the exact values', () => {
    fc.assert(
      fc.property(quantityArb, quantityArb, (a, b) => {
        assert.equal(compareQuantities(a, b), compareBig(nanos(a), nanos(b)));
      }),
      { numRuns: 300 },
    );
  });

  test('addition and subtraction are exact; (a + b) - b = a', () => {
    fc.assert(
      fc.property(quantityArb, quantityArb, (a, b) => {
        const sum = addQuantities(a, b);
        assert.equal(nanos(sum), nanos(a) + nanos(b));
        assert.equal(nanos(subtractQuantities(a, b)), nanos(a) - nanos(b));
        assert.equal(compareQuantities(subtractQuantities(sum, b), a), 0);
        assert.equal(compareQuantities(addQuantities(b, a), sum), 0);
      }),
      { numRuns: 300 },
    );
  });

  test('quantityToMilli is the exact value rounded up away from zero, within the safe range', () => {
    fc.assert(
      fc.property(quantityArb, (q) => {
        const n = nanos(q);
        const abs = n < 0n ? -n : n;
        const milli = (abs / 1_000_000n + (abs % 1_000_000n === 0n ? 0n : 1n)) * (n < 0n ? -1n : 1n);
        fc.pre(milli <= BigInt(Number.MAX_SAFE_INTEGER) && milli >= -BigInt(Number.MAX_SAFE_INTEGER));
        assert.equal(quantityToMilli(q), Number(milli));
      }),
      { numRuns: 300 },
    );
  });

  test('quantityFromMilli round-trips every safe milli value', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom<QuantityFormat>('DecimalSI', 'BinarySI', 'DecimalExponent'), (m, format) => {
        const q = quantityFromMilli(m, format);
        assert.equal(quantityToMilli(q), m);
        assert.equal(quantityToMilli(parseQuantity(formatQuantity(q))), m);
      }),
      { numRuns: 300 },
    );
  });
});
