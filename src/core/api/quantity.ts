// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), exact.
//
// A quantity's value is `unscaled × 10^scale`, an exact decimal. Parsing rounds every non-zero
// value up (away from zero) to a multiple of 10^-9, as Kubernetes does, so `scale >= -9` always.
// `unscaled` is a JS number while it is a safe integer (the common case: "100m", "512Mi", "4");
// larger values keep it in `unscaledBig` instead. There is never a float and never NaN.
//
// Worked example:  "1.5Gi"  → 1.5 × 2^30 = 1610612736 × 10^0, format BinarySI
//                  printed  → 1610612736 = 1536 × 1024^2 → "1536Mi"
//                  "0.1Gi"  → 107374182.4 = 1073741824 × 10^-1, not an integer byte count,
//                  printed  → as DecimalSI, exponent floored to a multiple of 3 → "107374182400m"
//
// Printing follows Quantity.String(): when the parser found its input already in the form it
// would print (Kubernetes' fast-path test, quirks included: "+1", "1.", "1E3" print as given),
// the input is kept and printed back; otherwise the canonical form is built (CanonicalizeBytes).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  readonly format: QuantityFormat;
  /** The unscaled value while it is a safe integer; 0 when `unscaledBig` holds it. */
  readonly unscaled: number;
  /** The unscaled value when it is beyond ±(2^53-1); otherwise null. */
  readonly unscaledBig: bigint | null;
  /** Power of ten: value = unscaled × 10^scale. Always >= -9; 0 for zero. */
  readonly scale: number;
}

/** The error of a malformed quantity; messages are Kubernetes' (ErrFormatWrong, ErrNumeric, ErrSuffix). */
export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

export const quantityFormatWrongMessage =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const quantityNumericMessage = 'unable to parse numeric part of quantity';
export const quantitySuffixMessage = "unable to parse quantity's suffix";

/** Arithmetic that would need more digits than this (e.g. 1e300 + 1n) throws a QuantityError. */
export const quantityDigitsMax = 1024;

const scaleMin = -9;
const safeMax = Number.MAX_SAFE_INTEGER;
const safeMaxBig = BigInt(safeMax);
/** maxAllowed in Kubernetes: BinarySI quantities are capped at 2^63-1 when parsed. */
const binaryMaxBig = (1n << 63n) - 1n;
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const pow10Numbers: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

class QuantityValue implements Quantity {
  readonly format: QuantityFormat;
  readonly unscaled: number;
  readonly unscaledBig: bigint | null;
  readonly scale: number;
  /** The printed form: the input when Kubernetes would keep it, else computed on first print. */
  private text: string | null;

  constructor(
    format: QuantityFormat,
    unscaled: number,
    unscaledBig: bigint | null,
    scale: number,
    text: string | null,
  ) {
    this.format = format;
    this.unscaled = unscaled;
    this.unscaledBig = unscaledBig;
    this.scale = scale;
    this.text = text;
  }

  toString(): string {
    let text = this.text;
    if (text === null) {
      text = canonicalQuantity(this);
      // A caller may have frozen the quantity; then the text is rebuilt on every print.
      if (!Object.isFrozen(this)) this.text = text;
    }
    return text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Builds a quantity from an exact value, keeping the number form whenever it is safe. */
function fromNumber(format: QuantityFormat, unscaled: number, scale: number, text: string | null): QuantityValue {
  if (unscaled === 0) return new QuantityValue(format, 0, null, 0, text);
  return new QuantityValue(format, unscaled, null, scale, text);
}

function fromBig(format: QuantityFormat, unscaled: bigint, scale: number, text: string | null): QuantityValue {
  if (unscaled === 0n) return new QuantityValue(format, 0, null, 0, text);
  if (unscaled <= safeMaxBig && unscaled >= -safeMaxBig) {
    return new QuantityValue(format, Number(unscaled), null, scale, text);
  }
  return new QuantityValue(format, 0, unscaled, scale, text);
}

function bigOf(q: Quantity): bigint {
  return q.unscaledBig ?? BigInt(q.unscaled);
}

function pow10Big(n: number): bigint {
  return 10n ** BigInt(n);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses a quantity as ParseQuantity does (a number is parsed from its JSON text, as
 * Quantity.UnmarshalJSON does). Throws QuantityError with Kubernetes' messages.
 * Note: UnmarshalJSON trims surrounding whitespace before parsing; this function does not.
 */
export function parseQuantity(input: string | number): Quantity {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError(quantityFormatWrongMessage);
    input = String(input);
  }
  let q = parsedQuantities.get(input);
  if (q === undefined) {
    q = parseFast(input) ?? parseGeneral(input);
    if (input.length <= parsedQuantityKeyLengthMax) {
      if (parsedQuantities.size >= parsedQuantitiesMax) parsedQuantities.clear();
      parsedQuantities.set(input, q);
    }
  }
  return q;
}

/**
 * Quantities parsed before, by input text. Every Pod write parses the same few strings ("100m",
 * "128Mi") for validation and its QoS class; a Quantity is immutable (its printed text is filled
 * in once, the same for every caller), so one parse serves them all. Bounded: at
 * `parsedQuantitiesMax` entries the map starts over; inputs longer than
 * `parsedQuantityKeyLengthMax` are not kept. Malformed inputs throw and are never kept.
 * Written only by parseQuantity.
 */
const parsedQuantities = new Map<string, QuantityValue>();
const parsedQuantitiesMax = 1024;
const parsedQuantityKeyLengthMax = 32;

/** Go's unicode.IsSpace set, which strings.TrimSpace removes. */
const goSpaceEdges = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** True when `s` starts and ends with printable ASCII other than space: nothing to trim. */
function hasNoSpaceEdges(s: string): boolean {
  const len = s.length;
  if (len === 0) return true;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(len - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/**
 * A quantity from a decoded JSON value, as Quantity.UnmarshalJSON reads it: a string with
 * surrounding whitespace trimmed, or a number; null is zero. Throws QuantityError otherwise.
 */
export function decodeQuantity(value: unknown): Quantity {
  if (value === null) return fromNumber('DecimalSI', 0, 0, null);
  if (typeof value === 'string') return parseQuantity(hasNoSpaceEdges(value) ? value : value.replace(goSpaceEdges, ''));
  if (typeof value === 'number') return parseQuantity(value);
  throw new QuantityError(quantityFormatWrongMessage);
}

/**
 * A quantity from a decoded JSON value (a string, trimmed as UnmarshalJSON trims it, or a
 * number), or undefined when it is missing, of another type or malformed. Never throws.
 */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input === 'string') {
    // A text parsed before needs no trim (no quantity text has spaces at its ends) and no parse.
    const known = parsedQuantities.get(input);
    if (known !== undefined) return known;
  } else if (typeof input !== 'number') return undefined;
  try {
    return decodeQuantity(input);
  } catch (e) {
    if (e instanceof QuantityError) return undefined;
    throw e;
  }
}

/** Milli-units of a quantity string, rounded up (MilliValue), without keeping the Quantity. */
export function parseMilli(input: string | number): number {
  return quantityToMilli(parseQuantity(input));
}

/** Whole units of a quantity string, rounded up (Value), without keeping the Quantity. */
export function parseValue(input: string | number): number {
  return quantityToValue(parseQuantity(input));
}

/**
 * The common shapes, without substrings or bigints: 1 to 15 digits (no leading zero) and an
 * optional one-letter decimal suffix or a Ki/Mi/Gi/Ti suffix. Returns null for anything else;
 * parseGeneral then handles it (with the same result for these shapes).
 */
function parseFast(s: string): QuantityValue | null {
  const len = s.length;
  if (len === 0 || len > 17) return null;
  const first = s.charCodeAt(0);
  if (first < 49 || first > 57) return null; // 1-9: no sign, no leading zero, no dot
  let v = first - 48;
  let i = 1;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  const digits = i;
  if (digits > 15) return null;
  const rest = len - i;
  // Kubernetes keeps the input as its printed form when it does not end in "000".
  if (rest === 0) return fromNumber('DecimalSI', v, 0, v % 1000 !== 0 ? s : null);
  if (rest === 1) {
    let scale: number;
    switch (s.charCodeAt(i)) {
      case 109: scale = -3; break; // m
      case 107: scale = 3; break; // k
      case 77: scale = 6; break; // M
      case 71: scale = 9; break; // G
      case 84: scale = 12; break; // T
      case 80: scale = 15; break; // P
      case 69: scale = 18; break; // E
      case 117: scale = -6; break; // u
      case 110: scale = -9; break; // n
      default: return null;
    }
    return fromNumber('DecimalSI', v, scale, v % 1000 !== 0 ? s : null);
  }
  if (rest === 2 && s.charCodeAt(i + 1) === 105) {
    // Ki, Mi, Gi, Ti; digitsMax is Kubernetes' fast-path precision bound for each.
    let exponent: number;
    let digitsMax: number;
    switch (s.charCodeAt(i)) {
      case 75: exponent = 10; digitsMax = 11; break;
      case 77: exponent = 20; digitsMax = 8; break;
      case 71: exponent = 30; digitsMax = 5; break;
      case 84: exponent = 40; digitsMax = 2; break;
      default: return null;
    }
    const value = v * 2 ** exponent;
    if (value > safeMax) return null;
    const keep = digits <= digitsMax && v % 8 !== 0;
    return fromNumber('BinarySI', value, 0, keep ? s : null);
  }
  return null;
}

/** Result of the scanner: parseQuantityString in Kubernetes. */
interface Scanned {
  readonly positive: boolean;
  /** Integer digits without leading zeros; "0" when there are none. */
  readonly num: string;
  readonly denom: string;
  readonly suffix: string;
  /** Whether the numeric part had at least one digit (inf.Dec would parse it). */
  readonly hasDigits: boolean;
}

function scan(str: string): Scanned {
  const end = str.length;
  let pos = 0;
  let positive = true;
  if (end > 0) {
    const c = str.charCodeAt(0);
    if (c === 45) {
      positive = false;
      pos++;
    } else if (c === 43) {
      pos++;
    }
  }
  let zeros = 0;
  while (pos < end && str.charCodeAt(pos) === 48) {
    pos++;
    zeros++;
  }
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '', hasDigits: true };
  const numStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  let num = str.slice(numStart, pos);
  let hasDigits = zeros > 0 || num.length > 0;
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str.charCodeAt(pos) === 46) {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
    if (denom.length > 0) hasDigits = true;
    if (pos >= end) return { positive, num, denom, suffix: '', hasDigits };
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str.charAt(pos))) pos++;
  if (pos < end) {
    const c = str.charCodeAt(pos);
    if (c === 45 || c === 43) pos++;
  }
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) throw new QuantityError(quantityFormatWrongMessage);
  return { positive, num, denom, suffix: str.slice(suffixStart), hasDigits };
}

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

const suffixTable: ReadonlyMap<string, Suffix> = new Map<string, Suffix>([
  ['', { base: 10, exponent: 0, format: 'DecimalSI' }],
  ['n', { base: 10, exponent: -9, format: 'DecimalSI' }],
  ['u', { base: 10, exponent: -6, format: 'DecimalSI' }],
  ['m', { base: 10, exponent: -3, format: 'DecimalSI' }],
  ['k', { base: 10, exponent: 3, format: 'DecimalSI' }],
  ['M', { base: 10, exponent: 6, format: 'DecimalSI' }],
  ['G', { base: 10, exponent: 9, format: 'DecimalSI' }],
  ['T', { base: 10, exponent: 12, format: 'DecimalSI' }],
  ['P', { base: 10, exponent: 15, format: 'DecimalSI' }],
  ['E', { base: 10, exponent: 18, format: 'DecimalSI' }],
  ['Ki', { base: 2, exponent: 10, format: 'BinarySI' }],
  ['Mi', { base: 2, exponent: 20, format: 'BinarySI' }],
  ['Gi', { base: 2, exponent: 30, format: 'BinarySI' }],
  ['Ti', { base: 2, exponent: 40, format: 'BinarySI' }],
  ['Pi', { base: 2, exponent: 50, format: 'BinarySI' }],
  ['Ei', { base: 2, exponent: 60, format: 'BinarySI' }],
]);

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

function interpretSuffix(suffix: string): Suffix {
  const known = suffixTable.get(suffix);
  if (known !== undefined) return known;
  const c = suffix.charCodeAt(0);
  if (suffix.length > 1 && (c === 101 || c === 69)) {
    // strconv.ParseInt(suffix[1:], 10, 64), then int32() as Go converts it.
    const digits = suffix.slice(1);
    if (/^[+-]?[0-9]+$/.test(digits)) {
      const parsed = BigInt(digits);
      if (parsed >= int64Min && parsed <= int64Max) {
        return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
      }
    }
  }
  throw new QuantityError(quantitySuffixMessage);
}

function parseGeneral(str: string): QuantityValue {
  if (str.length === 0) throw new QuantityError(quantityFormatWrongMessage);
  if (str === '0') return fromNumber('DecimalSI', 0, 0, '0');
  const { positive, num, denom, suffix, hasDigits } = scan(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;

  // Kubernetes' int64 fast path; it decides which inputs keep their text.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (base === 10) {
    scale = exponent;
    precision = 18 - num.length - denom.length;
  } else if (denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= scaleMin) {
      const shifted = num + denom;
      const value = BigInt(shifted);
      let result = value * mantissa;
      if (!positive) result = -result;
      let keep: boolean;
      if (base === 2) keep = exponent % 10 === 0 && (value & 7n) !== 0n;
      else keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted.charCodeAt(0) !== 48;
      return fromBig(format, result, scale, keep ? str : null);
    }
  }

  // The inf.Dec path: exact value, rounded up to nano, BinarySI capped at 2^63-1.
  if (!hasDigits) throw new QuantityError(quantityNumericMessage);
  let abs = BigInt(num + denom);
  scale = -denom.length;
  if (base === 10) scale += exponent;
  else abs *= 1n << BigInt(exponent);
  if (abs !== 0n && scale < scaleMin) {
    // Below one nano-unit rounds up to exactly one; this also avoids 10^(huge) for "1e-2147483648".
    const shift = scaleMin - scale;
    abs = abs.toString().length <= shift ? 1n : divideRoundUp(abs, pow10Big(shift));
    scale = scaleMin;
  }
  if (format === 'BinarySI') {
    if (compareMagnitude(abs, scale, binaryMaxBig, 0) > 0) {
      abs = binaryMaxBig;
      scale = 0;
    }
    if (abs !== 0n && compareMagnitude(abs, scale, 1n, 0) < 0) format = 'DecimalSI';
  }
  return fromBig(format, positive ? abs : -abs, scale, null);
}

/** ceil(a / d) for a >= 0, d > 0. */
function divideRoundUp(a: bigint, d: bigint): bigint {
  const q = a / d;
  return q * d === a ? q : q + 1n;
}

/** Compares a×10^as with b×10^bs for a, b >= 0 without building huge powers of ten. */
function compareMagnitude(a: bigint, as: number, b: bigint, bs: number): -1 | 0 | 1 {
  if (a === 0n || b === 0n) {
    if (a === b) return 0;
    return a === 0n ? -1 : 1;
  }
  // Order of magnitude: digits + scale. Different magnitudes decide without aligning.
  const ma = a.toString().length + as;
  const mb = b.toString().length + bs;
  if (ma !== mb) return ma < mb ? -1 : 1;
  // Same magnitude: the scales differ by less than the digit counts, so aligning is cheap.
  let x = a;
  let y = b;
  if (as > bs) x *= pow10Big(as - bs);
  else if (bs > as) y *= pow10Big(bs - as);
  return x === y ? 0 : x < y ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Printing

/** The string Kubernetes prints for q (Quantity.String / MarshalJSON). */
export function formatQuantity(q: Quantity): string {
  if (q instanceof QuantityValue) return q.toString();
  return canonicalQuantity(q);
}

/** The canonical form (CanonicalizeBytes), ignoring any input text the parser kept. */
export function canonicalQuantity(q: Quantity): string {
  if (q.unscaledBig === null && q.unscaled === 0) return '0';
  let format = q.format;
  if (format === 'BinarySI' && q.scale <= quantityDigitsMax) {
    // Between -1024 and 1024, or not a whole number: printed as DecimalSI.
    if (compareQuantities(q, binaryLow) > 0 && compareQuantities(q, binaryHigh) < 0) format = 'DecimalSI';
    else {
      const whole = wholeValue(q);
      if (whole === null) format = 'DecimalSI';
      else return formatBinary(whole);
    }
  }
  return formatDecimal(q, format);
}

const binaryLow = fromNumber('DecimalSI', -1024, 0, null);
const binaryHigh = fromNumber('DecimalSI', 1024, 0, null);

/** The exact integer value of q, or null if q has a fractional part. */
function wholeValue(q: Quantity): bigint | null {
  const u = bigOf(q);
  if (q.scale >= 0) return u * pow10Big(q.scale);
  const d = pow10Big(-q.scale);
  return u % d === 0n ? u / d : null;
}

function formatBinary(value: bigint): string {
  const negative = value < 0n;
  let v = negative ? -value : value;
  let times = 0;
  // Stop at Ei: Kubernetes has no suffix beyond it (and would drop the magnitude).
  while (times < 6 && v >= 1024n && (v & 1023n) === 0n) {
    v >>= 10n;
    times++;
  }
  return (negative ? '-' : '') + v.toString() + (binarySuffixes[times] ?? '');
}

function formatDecimal(q: Quantity, format: QuantityFormat): string {
  let exponent = q.scale;
  let mantissaText: string;
  if (q.unscaledBig === null) {
    let m = q.unscaled;
    while (m % 10 === 0) {
      m /= 10;
      exponent++;
    }
    const down = ((exponent % 3) + 3) % 3;
    exponent -= down;
    const scaled = m * (pow10Numbers[down] ?? 1);
    mantissaText = Number.isSafeInteger(scaled) ? String(scaled) : (BigInt(m) * pow10Big(down)).toString();
  } else {
    // On the digits, not the bigint: stripping zeros by division would be quadratic.
    const digits = q.unscaledBig.toString();
    let end = digits.length;
    while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
    exponent += digits.length - end;
    const down = ((exponent % 3) + 3) % 3;
    exponent -= down;
    mantissaText = digits.slice(0, end) + '0'.repeat(down);
  }
  if (format === 'DecimalSI') {
    const suffix = decimalSuffix(exponent);
    // Beyond E (10^18) there is no SI suffix: Kubernetes prints the exponent form (PR #140459).
    if (suffix !== null) return mantissaText + suffix;
  }
  return exponent === 0 ? mantissaText : `${mantissaText}e${exponent}`;
}

function decimalSuffix(exponent: number): string | null {
  switch (exponent) {
    case -9: return 'n';
    case -6: return 'u';
    case -3: return 'm';
    case 0: return '';
    case 3: return 'k';
    case 6: return 'M';
    case 9: return 'G';
    case 12: return 'T';
    case 15: return 'P';
    case 18: return 'E';
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Values, comparison, arithmetic

/**
 * The value in milli-units, rounded up away from zero (MilliValue). Exact up to 2^53; beyond,
 * the nearest double; beyond the double range, ±Infinity.
 */
export function quantityToMilli(q: Quantity): number {
  return scaledValue(q, -3);
}

/** The value in whole units, rounded up away from zero (Value); same range notes as quantityToMilli. */
export function quantityToValue(q: Quantity): number {
  return scaledValue(q, 0);
}

function scaledValue(q: Quantity, target: number): number {
  const shift = q.scale - target;
  if (q.unscaledBig === null) {
    const u = q.unscaled;
    if (u === 0) return 0;
    if (shift >= 0) {
      if (shift <= 22) return u * (pow10Numbers[shift] ?? 1);
      return shift > 400 ? (u > 0 ? Infinity : -Infinity) : u * 10 ** shift;
    }
    // shift >= -9 - target >= -9: an exact integer division with the remainder rounded away.
    const p = pow10Numbers[-shift] ?? 1;
    const rem = u % p;
    const whole = (u - rem) / p;
    return rem === 0 ? whole : whole + (u > 0 ? 1 : -1);
  }
  const u = q.unscaledBig;
  if (shift >= 0) {
    if (shift > 400) return u > 0n ? Infinity : -Infinity;
    return Number(u * pow10Big(shift));
  }
  const p = pow10Big(-shift);
  const whole = u / p;
  return Number(whole * p === u ? whole : whole + (u > 0n ? 1n : -1n));
}

function sign(q: Quantity): -1 | 0 | 1 {
  if (q.unscaledBig !== null) return q.unscaledBig < 0n ? -1 : 1;
  return q.unscaled === 0 ? 0 : q.unscaled < 0 ? -1 : 1;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b (Cmp). Never throws. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.unscaledBig === null && b.unscaledBig === null) {
    if (a.scale === b.scale) return a.unscaled === b.unscaled ? 0 : a.unscaled < b.unscaled ? -1 : 1;
    const d = a.scale - b.scale;
    // Align within the safe range when possible.
    if (d > 0 && d <= 15) {
      const x = a.unscaled * (pow10Numbers[d] ?? 1);
      if (Number.isSafeInteger(x)) return x === b.unscaled ? 0 : x < b.unscaled ? -1 : 1;
    } else if (d < 0 && d >= -15) {
      const y = b.unscaled * (pow10Numbers[-d] ?? 1);
      if (Number.isSafeInteger(y)) return a.unscaled === y ? 0 : a.unscaled < y ? -1 : 1;
    }
  }
  const sa = sign(a);
  const sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const ua = bigOf(a);
  const ub = bigOf(b);
  const c = compareMagnitude(sa < 0 ? -ua : ua, a.scale, sb < 0 ? -ub : ub, b.scale);
  return sa > 0 || c === 0 ? c : c < 0 ? 1 : -1;
}

/** Whether a and b have the same value (formats may differ: "1Ki" equals "1024"). */
export function quantitiesEqual(a: Quantity, b: Quantity): boolean {
  return compareQuantities(a, b) === 0;
}

export function isZeroQuantity(q: Quantity): boolean {
  return q.unscaledBig === null && q.unscaled === 0;
}

/** a + b. The format is a's, or b's when a is zero (Quantity.Add). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return combine(a, b, 1);
}

/** a - b. The format is a's, or b's when a is zero (Quantity.Sub). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return combine(a, b, -1);
}

function combine(a: Quantity, b: Quantity, bSign: 1 | -1): Quantity {
  const format = isZeroQuantity(a) ? b.format : a.format;
  if (isZeroQuantity(b)) {
    return a.unscaledBig === null
      ? fromNumber(format, a.unscaled, a.scale, null)
      : fromBig(format, a.unscaledBig, a.scale, null);
  }
  const scale = Math.min(a.scale, b.scale);
  if (a.unscaledBig === null && b.unscaledBig === null && Math.max(a.scale, b.scale) - scale <= 15) {
    // Align to the finer scale in doubles; every step is exact while the results stay safe.
    const x = a.unscaled * (pow10Numbers[a.scale - scale] ?? 1);
    const y = b.unscaled * (pow10Numbers[b.scale - scale] ?? 1);
    const sum = x + bSign * y;
    if (Number.isSafeInteger(x) && Number.isSafeInteger(y) && Number.isSafeInteger(sum)) {
      return fromNumber(format, sum, scale, null);
    }
  }
  const digits = Math.max(a.scale, b.scale) - scale;
  if (digits > quantityDigitsMax) {
    throw new QuantityError(`quantity arithmetic needs more than ${quantityDigitsMax} digits`);
  }
  const x = bigOf(a) * pow10Big(a.scale - scale);
  const y = bigOf(b) * pow10Big(b.scale - scale);
  return fromBig(format, bSign === 1 ? x + y : x - y, scale, null);
}

/** q × factor for a safe integer factor (Quantity.Mul); the format is q's. */
export function multiplyQuantity(q: Quantity, factor: number): Quantity {
  requireSafeInteger(factor, 'factor');
  if (q.unscaledBig === null) {
    const product = q.unscaled * factor;
    if (Number.isSafeInteger(product)) return fromNumber(q.format, product, q.scale, null);
  }
  return fromBig(q.format, bigOf(q) * BigInt(factor), q.scale, null);
}

/** -q, same format. */
export function negateQuantity(q: Quantity): Quantity {
  return q.unscaledBig === null
    ? fromNumber(q.format, -q.unscaled, q.scale, null)
    : fromBig(q.format, -q.unscaledBig, q.scale, null);
}

function requireSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new QuantityError(`${what} must be a safe integer, got ${value}`);
}

/** A quantity of `milli`/1000 units (NewMilliQuantity); `milli` must be a safe integer. */
export function quantityFromMilli(milli: number, format: QuantityFormat): Quantity {
  requireSafeInteger(milli, 'milli value');
  return fromNumber(format, milli, -3, null);
}

/** A quantity of `value` whole units (NewQuantity); `value` must be a safe integer. */
export function quantityFromValue(value: number, format: QuantityFormat): Quantity {
  requireSafeInteger(value, 'value');
  return fromNumber(format, value, 0, null);
}
