// Durations on the command line as Kubernetes components take them: Go's time.ParseDuration
// ("1h0m0s", "90s", "1.5h", "300ms"), so a kube-apiserver flag value works here unchanged.

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds in a Go duration string; throws RangeError with Go's message for bad input. */
export function parseGoDuration(text: string): number {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  // "0" alone needs no unit; anything else does.
  if (s === '0') return 0;
  if (s === '') throw invalid(text);
  let total = 0;
  let i = 0;
  while (i < s.length) {
    // A number: digits, optionally a fraction; at least one digit on either side of the dot.
    const start = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    let digits = i - start;
    if (s[i] === '.') {
      i++;
      const fraction = i;
      while (i < s.length && isDigit(s.charCodeAt(i))) i++;
      digits += i - fraction;
    }
    if (digits === 0) throw invalid(text);
    const value = Number(s.slice(start, i));
    // Its unit: everything up to the next number.
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s.charCodeAt(i))) i++;
    const unit = s.slice(unitStart, i);
    if (unit === '') throw new RangeError(`time: missing unit in duration ${JSON.stringify(text)}`);
    const ms = unitMs[unit];
    if (ms === undefined) throw new RangeError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    total += value * ms;
  }
  return sign * total;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function invalid(text: string): RangeError {
  return new RangeError(`time: invalid duration ${JSON.stringify(text)}`);
}
