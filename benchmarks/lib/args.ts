// Command-line options for benchmark scenarios. A scenario declares its options once, as a spec;
// the parser derives the typed result, the defaults and the `--help` text from it.
//
//   const spec = {
//     ops:  { kind: 'int',  default: 2000, min: 1, help: 'operations per phase' },
//     etcd: { kind: 'flag', default: true, help: 'compare against etcd (--no-etcd skips it)' },
//   } as const satisfies OptionsSpec;
//   parseArgs(['--ops', '500', '--no-etcd'], spec)  →  { kind: 'ok', options: { ops: 500, etcd: false } }
//
// Spec keys are camelCase; on the command line they are kebab-case (`phaseSeconds` → --phase-seconds).
// Values come as `--name value` or `--name=value`. A flag is `--name` (true) or `--no-name` (false).
// Unknown options, missing values and out-of-range numbers are errors, never silently ignored:
// a benchmark run with a mistyped option would report figures for a workload nobody asked for.

export interface IntOption {
  readonly kind: 'int';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly help: string;
}

export interface NumberOption {
  readonly kind: 'number';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly help: string;
}

export interface FlagOption {
  readonly kind: 'flag';
  readonly default: boolean;
  readonly help: string;
}

export interface StringOption {
  readonly kind: 'string';
  readonly default: string;
  /** If given, the value must be one of these. */
  readonly choices?: readonly string[];
  readonly help: string;
}

export type OptionSpec = IntOption | NumberOption | FlagOption | StringOption;
export type OptionsSpec = { readonly [name: string]: OptionSpec };

type ValueOf<O extends OptionSpec> = O extends FlagOption
  ? boolean
  : O extends StringOption
    ? string
    : number;

export type ParsedOptions<S extends OptionsSpec> = { readonly [K in keyof S]: ValueOf<S[K]> };

export type ParseResult<S extends OptionsSpec> =
  | { readonly kind: 'ok'; readonly options: ParsedOptions<S> }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** `phaseSeconds` → `phase-seconds`. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

// Digits with optional `_` separators (10_000), optionally signed. No exponents, no hex: a typo
// such as `--ops 1e` must fail rather than become something else.
const intPattern = /^-?\d+(?:_\d+)*$/;
const numberPattern = /^-?(?:\d+(?:_\d+)*)?(?:\.\d+)?$/;

function parseNumeric(
  flag: string,
  raw: string,
  spec: IntOption | NumberOption,
): number | { readonly error: string } {
  const pattern = spec.kind === 'int' ? intPattern : numberPattern;
  if (raw === '' || raw === '-' || !pattern.test(raw)) {
    return { error: `${flag}: expected ${spec.kind === 'int' ? 'an integer' : 'a number'}, got "${raw}"` };
  }
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || (spec.kind === 'int' && !Number.isSafeInteger(value))) {
    return { error: `${flag}: "${raw}" is out of range` };
  }
  if (spec.min !== undefined && value < spec.min) return { error: `${flag}: must be at least ${spec.min}, got ${raw}` };
  if (spec.max !== undefined && value > spec.max) return { error: `${flag}: must be at most ${spec.max}, got ${raw}` };
  return value;
}

/** Parses `argv` (without node and script) against `spec`. Never throws, never exits. */
export function parseArgs<S extends OptionsSpec>(argv: readonly string[], spec: S): ParseResult<S> {
  const byFlag = new Map<string, string>();
  for (const name of Object.keys(spec)) byFlag.set(kebabCase(name), name);

  const values: Record<string, number | boolean | string> = {};
  for (const [name, option] of Object.entries(spec)) values[name] = option.default;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--') || arg === '--') {
      return { kind: 'error', message: `unexpected argument "${arg}"` };
    }
    const eq = arg.indexOf('=');
    const flagName = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);

    let name = byFlag.get(flagName);
    let negated = false;
    if (name === undefined && flagName.startsWith('no-')) {
      const positive = byFlag.get(flagName.slice(3));
      if (positive !== undefined && spec[positive]?.kind === 'flag') {
        name = positive;
        negated = true;
      }
    }
    const option = name === undefined ? undefined : spec[name];
    if (name === undefined || option === undefined) {
      return { kind: 'error', message: `unknown option --${flagName}` };
    }

    if (option.kind === 'flag') {
      if (inline !== undefined) {
        return { kind: 'error', message: `--${flagName} takes no value (use --${flagName} or --no-${kebabCase(name)})` };
      }
      values[name] = !negated;
      continue;
    }

    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        return { kind: 'error', message: `--${flagName} needs a value` };
      }
      raw = next;
      i++;
    }
    if (option.kind === 'string') {
      if (option.choices !== undefined && !option.choices.includes(raw)) {
        return { kind: 'error', message: `--${flagName}: expected one of ${option.choices.join(', ')}, got "${raw}"` };
      }
      values[name] = raw;
      continue;
    }
    const parsed = parseNumeric(`--${flagName}`, raw, option);
    if (typeof parsed !== 'number') return { kind: 'error', message: parsed.error };
    values[name] = parsed;
  }
  return { kind: 'ok', options: values as ParsedOptions<S> };
}

/** The `--help` text: one line per option with its default. */
export function usage(scenario: string, summary: string, spec: OptionsSpec): string {
  const lines = [`usage: npm run bench -- ${scenario} [options]`, '', summary, '', 'options:'];
  const rows: [string, string][] = [];
  for (const [name, option] of Object.entries(spec)) {
    const flag = kebabCase(name);
    switch (option.kind) {
      case 'flag':
        rows.push([
          option.default ? `--no-${flag}` : `--${flag}`,
          `${option.help} (default: ${option.default ? 'on' : 'off'})`,
        ]);
        break;
      case 'int':
      case 'number':
        rows.push([`--${flag} N`, `${option.help} (default: ${option.default})`]);
        break;
      case 'string':
        rows.push([
          `--${flag} ${option.choices === undefined ? 'S' : option.choices.join('|')}`,
          `${option.help} (default: ${option.default})`,
        ]);
        break;
      default: {
        const never: never = option;
        throw new Error(`unhandled option ${String(never)}`);
      }
    }
  }
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  return lines.join('\n');
}

/**
 * For a scenario's `run(args)`: parses, or prints help (exit 0) or the error and usage (exit 2).
 * Help and errors go to stderr so that stdout carries only results.
 */
export function parseArgsOrExit<S extends OptionsSpec>(
  scenario: string,
  summary: string,
  argv: readonly string[],
  spec: S,
): ParsedOptions<S> {
  const result = parseArgs(argv, spec);
  switch (result.kind) {
    case 'ok':
      return result.options;
    case 'help':
      process.stderr.write(`${usage(scenario, summary, spec)}\n`);
      process.exit(0);
    case 'error':
      process.stderr.write(`${scenario}: ${result.message}\n\n${usage(scenario, summary, spec)}\n`);
      process.exit(2);
  }
}
