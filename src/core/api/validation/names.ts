// String format checks of k8s.io/apimachinery/pkg/util/validation, with Kubernetes' messages.
// Each returns the list of problems (empty when valid), as the Go functions do.

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const percentFmt = '[0-9]+%';

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);
const percentRe = new RegExp(`^${percentFmt}$`);
const portNameCharsetRe = /^[-a-z0-9]+$/;
const portNameLetterRe = /[a-z]/;

export const dns1123LabelLengthMax = 63;
export const dns1123SubdomainLengthMax = 253;

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** validation.RegexError: the message, examples, and the regular expression. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  for (let i = 0; i < examples.length; i++) {
    if (i > 0) out += ' or ';
    out += `'${examples[i] ?? ''}', `;
  }
  return `${out}regex used for validation is '${fmt}')`;
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const none: readonly string[] = Object.freeze([]);

export function isDNS1123Label(value: string): readonly string[] {
  if (value.length <= dns1123LabelLengthMax && dns1123LabelRe.test(value)) return none;
  const errs: string[] = [];
  if (value.length > dns1123LabelLengthMax) errs.push(maxLenError(dns1123LabelLengthMax));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a label can only be wrong for its dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): readonly string[] {
  if (value.length <= dns1123SubdomainLengthMax && dns1123SubdomainRe.test(value)) return none;
  const errs: string[] = [];
  if (value.length > dns1123SubdomainLengthMax) errs.push(maxLenError(dns1123SubdomainLengthMax));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): readonly string[] {
  if (value.length <= dns1123LabelLengthMax && dns1035LabelRe.test(value)) return none;
  const errs: string[] = [];
  if (value.length > dns1123LabelLengthMax) errs.push(maxLenError(dns1123LabelLengthMax));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

const wildcardSubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardSubdomainRe = new RegExp(`^${wildcardSubdomainFmt}$`);
const wildcardSubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

export function isWildcardDNS1123Subdomain(value: string): readonly string[] {
  const errs: string[] = [];
  if (value.length > dns1123SubdomainLengthMax) errs.push(maxLenError(dns1123SubdomainLengthMax));
  if (!wildcardSubdomainRe.test(value)) errs.push(regexError(wildcardSubdomainErrMsg, wildcardSubdomainFmt, '*.example.com'));
  return errs;
}

/** A name validator: `prefix` is true when validating a generateName (trailing '-' allowed). */
export type NameValidator = (name: string, prefix: boolean) => readonly string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Path segment names (ValidatePathSegmentName): what any object name must satisfy. */
export function validatePathSegmentName(name: string, prefix: boolean): readonly string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

export function isValidPortNum(port: number): readonly string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? none : [inclusiveRangeError(1, 65535)];
}

export function isInRange(value: number, lo: number, hi: number): readonly string[] {
  return value >= lo && value <= hi ? none : [inclusiveRangeError(lo, hi)];
}

export function isValidPortName(port: string): readonly string[] {
  if (
    port.length <= 15 &&
    portNameCharsetRe.test(port) &&
    portNameLetterRe.test(port) &&
    !port.includes('--') &&
    !port.startsWith('-') &&
    !port.endsWith('-')
  ) {
    return none;
  }
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!portNameCharsetRe.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!portNameLetterRe.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPercent(percent: string): readonly string[] {
  return percentRe.test(percent) ? none : [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
}

function hasChDirPrefix(value: string): readonly string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return none;
}

export function isConfigMapKey(value: string): readonly string[] {
  const errs: string[] = [];
  if (value.length > dns1123SubdomainLengthMax) errs.push(maxLenError(dns1123SubdomainLengthMax));
  if (!configMapKeyRe.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/**
 * Environment variable names under RelaxedEnvironmentVariableValidation (on by default since
 * Kubernetes 1.32): printable ASCII except '='.
 */
export function isRelaxedEnvVarName(value: string): readonly string[] {
  let printable = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x3d) {
      printable = false;
      break;
    }
  }
  if (printable && value.length > 0) return none;
  const errs: string[] = [];
  if (value.length === 0) errs.push('environment variable name must be non-empty');
  if (!printable) errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
  return errs;
}

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(value: string): boolean {
  return ipv4Re.test(value);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':')) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

export function isValidIP(value: string): readonly string[] {
  return isIPv4(value) || isIPv6(value) ? none : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

/** `acme.io/foo`: a DNS subdomain, a slash, and HTTP path characters (ingress class controllers). */
export function domainPrefixedPathErrors(value: string): readonly { value: string; message: string }[] {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) {
    return [{ value, message: 'must be a domain-prefixed path (such as "acme.io/foo")' }];
  }
  const host = value.slice(0, slash);
  const path = value.slice(slash + 1);
  const out: { value: string; message: string }[] = [];
  for (const m of isDNS1123Subdomain(host)) out.push({ value: host, message: m });
  if (!httpPathRe.test(path)) out.push({ value: path, message: regexError('Invalid path', httpPathFmt) });
  return out;
}
