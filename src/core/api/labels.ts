// Label selectors (k8s.io/apimachinery/pkg/labels) and label key/value validation.
//
// Two ways in, one representation: the string syntax of `?labelSelector=` and `kubectl -l`
//   a=b,c!=d,e in (f,g),f notin (h),!h,i,x>5
// and the object form of manifests (metav1.LabelSelector: matchLabels, matchExpressions).
// Both become a sorted list of requirements; matching is their conjunction. Messages are the
// ones kube-apiserver 1.32 sends, so `kubectl get -l 'a b'` prints what it prints against it.
//
// Matching is the hot path (watch fan-out, controllers, scheduler affinity): requirements carry
// a numeric operator code and, for long value lists, a Set; matching allocates nothing.

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | '=' | '==' | '!=' | 'Gt' | 'Lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted. One value for =, ==, !=, Gt, Lt; none for Exists and DoesNotExist. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  /** Sorted by key (stable), as Kubernetes keeps them. Empty for `everything` and `nothing`. */
  readonly requirements: readonly Requirement[];
  matches(labels: Labels | undefined): boolean;
  /** The string syntax, requirements by key and values sorted; "" for everything and nothing. */
  toString(): string;
  /** True for the selector that matches everything (no requirements); false for `nothing`. */
  readonly empty: boolean;
  /** True only for the selector that matches nothing (a null metav1.LabelSelector). */
  readonly nothing: boolean;
  /** The value a label must have, when an =, == or one-value `in` requirement on it says so. */
  requiresExactMatch(key: string): string | undefined;
}

/** The object form found in manifests (metav1.LabelSelector). */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>> | null | undefined;
  readonly matchExpressions?:
    | readonly {
        readonly key: string;
        readonly operator: string;
        readonly values?: readonly string[] | null | undefined;
      }[]
    | null
    | undefined;
}

/** An invalid selector; the message is the one Kubernetes gives. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

// ---------------------------------------------------------------------------------------------
// Validation (k8s.io/apimachinery/pkg/util/validation, as of Kubernetes 1.32)

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRegexp = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const qualifiedNameMaxLength = 63;
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRegexp = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export const labelValueMaxLength = 63;
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainRegexp = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const dns1123SubdomainMaxLength = 253;

/** RegexError in Kubernetes' validation package. */
export function regexError(msg: string, fmt: string, ...examples: readonly string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Go appends "'x', " per example and " or " between them: hence the double space.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export const emptyError = 'must be non-empty';

/** Length in bytes of the UTF-8 encoding, which is what Go's len() counts. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

/** IsDNS1123Subdomain: problems with `value`, none when valid. */
export function validateDNS1123Subdomain(value: string): string[] {
  if (isDNS1123SubdomainPart(value, 0, value.length)) return [];
  const errs: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) errs.push(maxLenError(dns1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) {
    errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

// Scanners for the valid case, which is nearly every case; the regexes and messages below run
// only when one of these says no.

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** s[from, to) matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] and is at most 63 long. */
function isQualifiedNamePart(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len < 1 || len > qualifiedNameMaxLength) return false;
  if (!isAlnum(s.charCodeAt(from)) || !isAlnum(s.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== 45 && c !== 95 && c !== 46) return false;
  }
  return true;
}

function isLowerAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
}

/** s[from, to) is a DNS-1123 subdomain of at most 253 characters. */
function isDNS1123SubdomainPart(s: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > dns1123SubdomainMaxLength) return false;
  let labelStart = from;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart || !isLowerAlnum(s.charCodeAt(labelStart)) || !isLowerAlnum(s.charCodeAt(i - 1))) {
        return false;
      }
      labelStart = i + 1;
    } else if (!isLowerAlnum(c) && c !== 45) {
      return false;
    }
  }
  return true;
}

function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return isQualifiedNamePart(key, 0, key.length);
  if (key.indexOf('/', slash + 1) >= 0) return false;
  return isDNS1123SubdomainPart(key, 0, slash) && isQualifiedNamePart(key, slash + 1, key.length);
}

/** IsQualifiedName, the rule for label keys (and annotation keys, finalizer names…). */
export function validateLabelKey(key: string): string[] {
  if (isLabelKey(key)) return [];
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = key;
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError}`);
    else for (const msg of validateDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    errs.push(
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    return errs;
  }
  if (name.length === 0) errs.push(`name part ${emptyError}`);
  else if (byteLength(name) > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRegexp.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** IsValidLabelValue: problems with `value`, none when valid ("" is valid). */
export function validateLabelValue(value: string): string[] {
  if (value.length === 0 || isQualifiedNamePart(value, 0, value.length)) return [];
  const errs: string[] = [];
  if (byteLength(value) > labelValueMaxLength) errs.push(maxLenError(labelValueMaxLength));
  if (!labelValueRegexp.test(value)) {
    errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** Go's %q (strconv.Quote) for the strings that reach our messages. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x07: out += '\\a'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x0b: out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's json.Marshal of a string list: like JSON.stringify, with HTML-safe escapes. */
function goJson(values: readonly string[]): string {
  return JSON.stringify(values).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A field.Error's text: `<path>: Invalid value: <value>: <detail>`. */
function invalid(path: string, value: string | readonly string[] | null, detail: string): string {
  const shown = value === null ? 'null' : typeof value === 'string' ? goQuote(value) : goJson(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Requirements

// Operator codes, for a switch on small integers in the hot path.
const opIn = 0;
const opNotIn = 1;
const opExists = 2;
const opDoesNotExist = 3;
const opEquals = 4;
const opDoubleEquals = 5;
const opNotEquals = 6;
const opGt = 7;
const opLt = 8;

function opCode(op: Operator): number {
  switch (op) {
    case 'In': return opIn;
    case 'NotIn': return opNotIn;
    case 'Exists': return opExists;
    case 'DoesNotExist': return opDoesNotExist;
    case '=': return opEquals;
    case '==': return opDoubleEquals;
    case '!=': return opNotEquals;
    case 'Gt': return opGt;
    case 'Lt': return opLt;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Above this many values, membership uses a Set instead of a scan. */
const valuesScanMax = 8;
const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const decimalIntRegexp = /^[+-]?[0-9]+$/;

/** strconv.ParseInt(s, 10, 64), or null. Short inputs stay numbers; long ones go through BigInt. */
function parseInt64(s: string): number | bigint | null {
  if (!decimalIntRegexp.test(s)) return null;
  if (s.length <= 16) return Number(s);
  const v = BigInt(s);
  return v < int64Min || v > int64Max ? null : v;
}

class RequirementValue implements Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
  /** Operator code (op* constants). */
  readonly op: number;
  /** For In/NotIn with many values. */
  readonly valueSet: ReadonlySet<string> | null;
  /** The single value, for =, ==, != (and the one-value In/NotIn scan). */
  readonly value0: string;
  /** The bound of Gt/Lt; null if it is not an int64 (then nothing matches, as in Kubernetes). */
  readonly bound: number | bigint | null;

  constructor(key: string, operator: Operator, values: readonly string[]) {
    this.key = key;
    this.operator = operator;
    this.values = values;
    this.op = opCode(operator);
    this.valueSet = values.length > valuesScanMax ? new Set(values) : null;
    this.value0 = values[0] ?? '';
    this.bound = (this.op === opGt || this.op === opLt) && values.length === 1 ? parseInt64(this.value0) : null;
    Object.freeze(this); // shared between requests through the parse cache
  }

  toString(): string {
    return requirementToString(this);
  }
}

function sortedCopy(values: readonly string[]): readonly string[] {
  for (let i = 1; i < values.length; i++) {
    if ((values[i - 1] ?? '') > (values[i] ?? '')) return Object.freeze([...values].sort());
  }
  return Object.freeze([...values]);
}

/**
 * NewRequirement: validates key, operator and values and returns the requirement, or throws a
 * SelectorError with Kubernetes' aggregated field errors.
 */
export function newRequirement(key: string, operator: Operator, values: readonly string[] | null): Requirement {
  return makeRequirement(key, operator, values, true);
}

function makeRequirement(
  key: string,
  operator: Operator,
  values: readonly string[] | null,
  checkKey: boolean,
): RequirementValue {
  const errs: string[] = [];
  const vals = values ?? [];
  if (checkKey) {
    const keyErrs = validateLabelKey(key);
    if (keyErrs.length > 0) errs.push(invalid('key', key, keyErrs.join('; ')));
  }
  const shown = values === null || values.length === 0 ? null : values;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errs.push(invalid('values', shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalid('values', shown, 'exact-match compatibility requires one single value'));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length !== 0) errs.push(invalid('values', shown, 'values set must be empty for exists and does not exist'));
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) {
        errs.push(invalid('values', shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i] ?? '';
        if (parseInt64(v) === null) {
          errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
    default: {
      const never: never = operator;
      errs.push(`operator: Unsupported value: ${goQuote(String(never))}`);
    }
  }
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] ?? '';
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  }
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return new RequirementValue(key, operator, sortedCopy(vals));
}

function hasValue(r: RequirementValue, value: string): boolean {
  const set = r.valueSet;
  if (set !== null) return set.has(value);
  const values = r.values;
  for (let i = 0; i < values.length; i++) if (values[i] === value) return true;
  return false;
}

function compareInt(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Requirement.Matches. A label whose value is not a string counts as absent. */
function matchRequirement(r: RequirementValue, labels: Labels | undefined): boolean {
  const raw: unknown = labels === undefined ? undefined : labels[r.key];
  const present = typeof raw === 'string';
  switch (r.op) {
    case opEquals:
    case opDoubleEquals:
      return present && raw === r.value0;
    case opIn:
      return present && hasValue(r, raw);
    case opNotEquals:
      return !present || raw !== r.value0;
    case opNotIn:
      return !present || !hasValue(r, raw);
    case opExists:
      return present;
    case opDoesNotExist:
      return !present;
    case opGt:
    case opLt: {
      if (!present || r.bound === null) return false;
      const v = parseInt64(raw);
      if (v === null) return false;
      const c = compareInt(v, r.bound);
      return r.op === opGt ? c > 0 : c < 0;
    }
    default:
      return false;
  }
}

/** Requirement.String(). */
export function requirementToString(r: Requirement): string {
  const values = r.values.length === 1 ? (r.values[0] ?? '') : sortedCopy(r.values).join(',');
  switch (r.operator) {
    case 'Exists': return r.key;
    case 'DoesNotExist': return `!${r.key}`;
    case '=': return `${r.key}=${values}`;
    case '==': return `${r.key}==${values}`;
    case '!=': return `${r.key}!=${values}`;
    case 'Gt': return `${r.key}>${values}`;
    case 'Lt': return `${r.key}<${values}`;
    case 'In': return `${r.key} in (${values})`;
    case 'NotIn': return `${r.key} notin (${values})`;
    default: {
      const never: never = r.operator;
      return never;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Selectors

class Selector implements LabelSelector {
  readonly requirements: readonly RequirementValue[];
  readonly empty: boolean;
  readonly nothing: boolean;
  /** The printed form, built on first use (set up front when empty, so frozen selectors work). */
  private text: string | null;

  constructor(requirements: readonly RequirementValue[], nothing: boolean) {
    this.requirements = requirements;
    this.text = requirements.length === 0 ? '' : null;
    this.nothing = nothing;
    this.empty = !nothing && requirements.length === 0;
  }

  matches(labels: Labels | undefined): boolean {
    if (this.nothing) return false;
    const reqs = this.requirements;
    for (let i = 0; i < reqs.length; i++) {
      if (!matchRequirement(reqs[i] as RequirementValue, labels)) return false;
    }
    return true;
  }

  toString(): string {
    let text = this.text;
    if (text === null) {
      text = this.requirements.map(requirementToString).join(',');
      // A caller may have frozen the selector; then the text is rebuilt on every print.
      if (!Object.isFrozen(this)) this.text = text;
    }
    return text;
  }

  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.op === opEquals || r.op === opDoubleEquals || r.op === opIn) && r.values.length === 1) return r.value0;
      return undefined;
    }
    return undefined;
  }
}

/** Matches every label set (labels.Everything()). */
export const everythingSelector: LabelSelector = Object.freeze(new Selector([], false));
/** Matches no label set (labels.Nothing()); what a null metav1.LabelSelector means. */
export const nothingSelector: LabelSelector = Object.freeze(new Selector([], true));

function byKey(a: RequirementValue, b: RequirementValue): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function selectorOf(requirements: RequirementValue[]): LabelSelector {
  if (requirements.length === 0) return everythingSelector;
  requirements.sort(byKey); // stable: equal keys keep their order
  return new Selector(Object.freeze(requirements), false);
}

/** A selector of the given requirements (validated as NewRequirement does), sorted by key. */
export function newLabelSelector(requirements: readonly Requirement[]): LabelSelector {
  return selectorOf(requirements.map((r) => makeRequirement(r.key, r.operator, r.values, true)));
}

/** SelectorFromSet: key=value for every entry (validated). Empty or missing → everything. */
export function labelSelectorFromSet(set: Labels | undefined | null): LabelSelector {
  if (set === undefined || set === null) return everythingSelector;
  return selectorOf(Object.keys(set).map((k) => makeRequirement(k, '=', [set[k] ?? ''], true)));
}

/**
 * metav1.LabelSelectorAsSelector: null or undefined → nothing; no matchLabels and no
 * matchExpressions → everything; an invalid operator, key or value → SelectorError.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined | null): LabelSelector {
  if (sel === undefined || sel === null) return nothingSelector;
  const matchLabels = sel.matchLabels ?? {};
  const expressions = sel.matchExpressions ?? [];
  const keys = Object.keys(matchLabels);
  if (keys.length + expressions.length === 0) return everythingSelector;
  const requirements: RequirementValue[] = [];
  for (const k of keys) requirements.push(makeRequirement(k, '=', [matchLabels[k] ?? ''], true));
  for (const expr of expressions) {
    let op: Operator;
    switch (expr.operator) {
      case 'In': op = 'In'; break;
      case 'NotIn': op = 'NotIn'; break;
      case 'Exists': op = 'Exists'; break;
      case 'DoesNotExist': op = 'DoesNotExist'; break;
      default:
        throw new SelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    }
    requirements.push(makeRequirement(expr.key, op, expr.values ?? null, true));
  }
  return selectorOf(requirements);
}

/**
 * The string form: of a parsed selector, its toString(); of the object form, what
 * LabelSelectorAsSelector(sel).String() gives (throws SelectorError when it is invalid).
 */
export function labelSelectorToString(sel: LabelSelector | LabelSelectorObject | undefined | null): string {
  if (sel !== undefined && sel !== null && isLabelSelector(sel)) return sel.toString();
  return labelSelectorFromObject(sel).toString();
}

/** metav1.FormatLabelSelector, what kubectl describe shows: "<none>" if empty, "<error>" if invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | undefined | null): string {
  let text: string;
  try {
    text = labelSelectorFromObject(sel).toString();
  } catch (e) {
    if (e instanceof SelectorError) return '<error>';
    throw e;
  }
  return text.length === 0 ? '<none>' : text;
}

function isLabelSelector(sel: LabelSelector | LabelSelectorObject): sel is LabelSelector {
  return typeof (sel as Partial<LabelSelector>).matches === 'function';
}

// ---------------------------------------------------------------------------------------------
// The string syntax: a port of the lexer and parser in labels/selector.go

const tokEnd = 1;
const tokClosedPar = 2;
const tokComma = 3;
const tokDoesNotExist = 4;
const tokDoubleEquals = 5;
const tokEquals = 6;
const tokGreaterThan = 7;
const tokIdentifier = 8;
const tokIn = 9;
const tokLessThan = 10;
const tokNotEquals = 11;
const tokNotIn = 12;
const tokOpenPar = 13;

/** The token of a one-character symbol. */
function symbolToken(c: number): number {
  switch (c) {
    case 41: return tokClosedPar; // )
    case 44: return tokComma; // ,
    case 33: return tokDoesNotExist; // !
    case 61: return tokEquals; // =
    case 62: return tokGreaterThan; // >
    case 60: return tokLessThan; // <
    default: return tokOpenPar; // (
  }
}

/** The operator names Kubernetes lists in "expected:" messages (selection.Operator values). */
const binaryOperatorNames = 'in, notin, =, ==, !=, gt, lt';

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

function isSpecialSymbol(c: number): boolean {
  // = ! ( ) , > <
  return c === 61 || c === 33 || c === 40 || c === 41 || c === 44 || c === 62 || c === 60;
}

/** Splits the selector into tokens, ending with tokEnd. A NUL character ends it, as in Go. */
function lex(s: string, toks: number[], lits: string[]): void {
  const n = s.length;
  let pos = 0;
  // Bounded: every iteration consumes at least one character or ends.
  for (;;) {
    while (pos < n && isWhitespace(s.charCodeAt(pos))) pos++;
    if (pos >= n || s.charCodeAt(pos) === 0) {
      toks.push(tokEnd);
      lits.push('');
      return;
    }
    const c = s.charCodeAt(pos);
    if (isSpecialSymbol(c)) {
      // The longest symbol that is a token. Only '!=' and '==' are two characters long, so
      // every special character starts a token and Go's ErrorToken cannot occur.
      const twoChar = (c === 33 || c === 61) && s.charCodeAt(pos + 1) === 61;
      toks.push(twoChar ? (c === 33 ? tokNotEquals : tokDoubleEquals) : symbolToken(c));
      lits.push(twoChar ? (c === 33 ? '!=' : '==') : s.charAt(pos));
      pos += twoChar ? 2 : 1;
      // Go's lexer consumes a NUL that stops a symbol; it then separates like a space.
      if (pos < n && s.charCodeAt(pos) === 0) pos++;
      continue;
    }
    const start = pos;
    let wordEnd = n;
    while (pos < n) {
      const d = s.charCodeAt(pos);
      if (d === 0) {
        // Consumed, as Go's lexer does: a NUL inside a word separates like a space.
        wordEnd = pos;
        pos++;
        break;
      }
      if (isSpecialSymbol(d) || isWhitespace(d)) {
        wordEnd = pos;
        break;
      }
      pos++;
    }
    const word = s.slice(start, wordEnd);
    toks.push(word === 'in' ? tokIn : word === 'notin' ? tokNotIn : tokIdentifier);
    lits.push(word);
  }
}

const contextKeyAndOperator = 0;
const contextValues = 1;

class Parser {
  private readonly toks: number[] = [];
  private readonly lits: string[] = [];
  private position = 0;

  constructor(selector: string) {
    lex(selector, this.toks, this.lits);
  }

  private tokenAt(i: number, context: number): number {
    const tok = this.toks[Math.min(i, this.toks.length - 1)] ?? tokEnd;
    if (context === contextValues && (tok === tokIn || tok === tokNotIn)) return tokIdentifier;
    return tok;
  }

  private litAt(i: number): string {
    return this.lits[Math.min(i, this.lits.length - 1)] ?? '';
  }

  private lookahead(context: number): number {
    return this.tokenAt(this.position, context);
  }

  private consume(context: number): number {
    this.position++;
    return this.tokenAt(this.position - 1, context);
  }

  private lastLit(): string {
    return this.litAt(this.position - 1);
  }

  parse(): RequirementValue[] {
    const requirements: RequirementValue[] = [];
    for (;;) {
      const tok = this.lookahead(contextValues);
      if (tok === tokIdentifier || tok === tokDoesNotExist) {
        requirements.push(this.parseRequirement());
        const t = this.consume(contextValues);
        if (t === tokEnd) return requirements;
        if (t === tokComma) {
          const t2 = this.lookahead(contextValues);
          if (t2 !== tokIdentifier && t2 !== tokDoesNotExist) {
            throw new SelectorError(`found '${this.litAt(this.position)}', expected: identifier after ','`);
          }
        } else {
          throw new SelectorError(`found '${this.lastLit()}', expected: ',' or 'end of string'`);
        }
      } else if (tok === tokEnd) {
        return requirements;
      } else {
        throw new SelectorError(`found '${this.litAt(this.position)}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): RequirementValue {
    try {
      return this.parseRequirementInner();
    } catch (e) {
      if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }

  private parseRequirementInner(): RequirementValue {
    // parseKeyAndInferOperator
    let operator: Operator | null = null;
    let tok = this.consume(contextValues);
    if (tok === tokDoesNotExist) {
      operator = 'DoesNotExist';
      tok = this.consume(contextValues);
    }
    const key = this.lastLit();
    if (tok !== tokIdentifier) throw new SelectorError(`found '${key}', expected: identifier`);
    const keyErrs = validateLabelKey(key);
    // The parser has no field path: Go prints a nil path as "<nil>".
    if (keyErrs.length > 0) throw new SelectorError(invalid('<nil>', key, keyErrs.join('; ')));
    const next = this.lookahead(contextValues);
    if (next === tokEnd || next === tokComma) {
      if (operator === null) operator = 'Exists';
    }
    if (operator === 'Exists' || operator === 'DoesNotExist') return makeRequirement(key, operator, [], false);

    // parseOperator
    switch (this.consume(contextKeyAndOperator)) {
      case tokIn: operator = 'In'; break;
      case tokEquals: operator = '='; break;
      case tokDoubleEquals: operator = '=='; break;
      case tokGreaterThan: operator = 'Gt'; break;
      case tokLessThan: operator = 'Lt'; break;
      case tokNotIn: operator = 'NotIn'; break;
      case tokNotEquals: operator = '!='; break;
      default:
        throw new SelectorError(`found '${this.lastLit()}', expected: ${binaryOperatorNames}`);
    }
    const values = operator === 'In' || operator === 'NotIn' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): unique and sorted.
    return makeRequirement(key, operator, [...values].sort(), false);
  }

  private parseValues(): Set<string> {
    if (this.consume(contextValues) !== tokOpenPar) {
      throw new SelectorError(`found '${this.lastLit()}' expected: '('`);
    }
    const tok = this.lookahead(contextValues);
    const lit = this.litAt(this.position);
    if (tok === tokIdentifier || tok === tokComma) {
      const s = this.parseIdentifiersList();
      if (this.consume(contextValues) !== tokClosedPar) {
        // Kubernetes names the token that opened the list here.
        throw new SelectorError(`found '${lit}', expected: ')'`);
      }
      return s;
    }
    if (tok === tokClosedPar) {
      this.consume(contextValues);
      return new Set(['']);
    }
    throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    // Bounded by the token count: every iteration consumes one token.
    for (;;) {
      const tok = this.consume(contextValues);
      if (tok === tokIdentifier) {
        s.add(this.lastLit());
        const tok2 = this.lookahead(contextValues);
        if (tok2 === tokComma) continue;
        if (tok2 === tokClosedPar) return s;
        throw new SelectorError(`found '${this.litAt(this.position)}', expected: ',' or ')'`);
      } else if (tok === tokComma) {
        if (s.size === 0) s.add(''); // "(,"
        const tok2 = this.lookahead(contextValues);
        if (tok2 === tokClosedPar) {
          s.add(''); // ",)"
          return s;
        }
        if (tok2 === tokComma) s.add(''); // ",,"
      } else {
        throw new SelectorError(`found '${this.lastLit()}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const tok = this.lookahead(contextValues);
    if (tok === tokEnd || tok === tokComma) return new Set(['']);
    if (this.consume(contextValues) === tokIdentifier) return new Set([this.lastLit()]);
    throw new SelectorError(`found '${this.lastLit()}', expected: identifier`);
  }
}

// Selectors are immutable, so a parsed one is shared by every request that sends the same text
// (informers and controllers repeat theirs). Two generations bound the cache: when the young one
// is full it becomes the old one, and what is still in use is promoted back on its next lookup.
const parsedGenerationMax = 512;
let parsedYoung = new Map<string, LabelSelector>();
let parsedOld = new Map<string, LabelSelector>();

function rememberParsed(s: string, selector: LabelSelector): void {
  if (s.length > 4096) return;
  if (parsedYoung.size >= parsedGenerationMax) {
    parsedOld = parsedYoung;
    parsedYoung = new Map();
  }
  parsedYoung.set(s, selector);
}

/** labels.Parse: the string syntax. "" → everything. Throws SelectorError. */
export function parseLabelSelector(s: string): LabelSelector {
  const young = parsedYoung.get(s);
  if (young !== undefined) return young;
  const old = parsedOld.get(s);
  const selector = old ?? selectorOf(new Parser(s).parse());
  rememberParsed(s, selector);
  return selector;
}
