import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { kebabCase, parseArgs, usage, type OptionsSpec } from '../args.js';

const spec = {
  ops: { kind: 'int', default: 2000, min: 64, max: 1_000_000, help: 'operations per phase' },
  phaseSeconds: { kind: 'number', default: 20, min: 0.1, max: 600, help: 'time budget' },
  etcd: { kind: 'flag', default: true, help: 'compare with etcd' },
  json: { kind: 'flag', default: false, help: 'JSON last line' },
  mode: { kind: 'string', default: 'fast', choices: ['fast', 'slow'], help: 'mode' },
} as const satisfies OptionsSpec;

const defaults = { ops: 2000, phaseSeconds: 20, etcd: true, json: false, mode: 'fast' };

describe('parseArgs', () => {
  const accepted: [string, string[], Partial<typeof defaults>][] = [
    ['no arguments gives the defaults', [], {}],
    ['--name value', ['--ops', '500'], { ops: 500 }],
    ['--name=value', ['--ops=500'], { ops: 500 }],
    ['underscore separators', ['--ops', '10_000'], { ops: 10_000 }],
    ['camelCase spec key is kebab-case on the command line', ['--phase-seconds', '0.5'], { phaseSeconds: 0.5 }],
    ['--no-<flag> turns a default-on flag off', ['--no-etcd'], { etcd: false }],
    ['--<flag> turns a flag on', ['--json'], { json: true }],
    ['the last occurrence wins', ['--ops', '100', '--ops', '200', '--no-etcd', '--etcd'], { ops: 200, etcd: true }],
    ['a string option within its choices', ['--mode', 'slow'], { mode: 'slow' }],
    ['bounds are inclusive', ['--ops', '64', '--phase-seconds', '600'], { ops: 64, phaseSeconds: 600 }],
    ['everything at once', ['--json', '--no-etcd', '--ops=64', '--phase-seconds', '1.5'], { json: true, etcd: false, ops: 64, phaseSeconds: 1.5 }],
  ];
  for (const [name, argv, expected] of accepted) {
    it(`accepts: ${name}`, () => {
      assert.deepEqual(parseArgs(argv, spec), { kind: 'ok', options: { ...defaults, ...expected } });
    });
  }

  const rejected: [string, string[], RegExp][] = [
    ['an unknown option', ['--opz', '5'], /unknown option --opz/],
    ['--no- on a non-flag', ['--no-ops'], /unknown option --no-ops/],
    ['a positional argument', ['store'], /unexpected argument "store"/],
    ['a single-dash option', ['-x'], /unexpected argument "-x"/],
    ['a missing value at the end', ['--ops'], /--ops needs a value/],
    ['an option where a value should be', ['--ops', '--json'], /--ops needs a value/],
    ['an empty value', ['--ops='], /expected an integer, got ""/],
    ['a fraction for an integer', ['--ops', '100.5'], /expected an integer/],
    ['an exponent', ['--ops', '1e4'], /expected an integer/],
    ['trailing garbage', ['--ops', '12x'], /expected an integer/],
    ['a value below the minimum', ['--ops', '63'], /--ops: must be at least 64, got 63/],
    ['a value above the maximum', ['--phase-seconds', '601'], /must be at most 600/],
    ['a negative number below the minimum', ['--phase-seconds', '-1'], /must be at least 0.1/],
    ['an unsafe integer', ['--ops', '99999999999999999999'], /out of range/],
    ['a value given to a flag', ['--json=true'], /--json takes no value/],
    ['a string outside its choices', ['--mode', 'medium'], /expected one of fast, slow, got "medium"/],
  ];
  for (const [name, argv, message] of rejected) {
    it(`rejects ${name}`, () => {
      const result = parseArgs(argv, spec);
      assert.equal(result.kind, 'error');
      assert.match(result.kind === 'error' ? result.message : '', message);
    });
  }

  it('returns help for --help and -h, wherever they are', () => {
    assert.deepEqual(parseArgs(['--ops', '100', '--help'], spec), { kind: 'help' });
    assert.deepEqual(parseArgs(['-h'], spec), { kind: 'help' });
  });

  it('round-trips any valid integer and flag combination (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 1_000_000 }), fc.boolean(), fc.boolean(), fc.boolean(), (ops, etcd, json, inline) => {
        const argv = [...(inline ? [`--ops=${ops}`] : ['--ops', String(ops)]), etcd ? '--etcd' : '--no-etcd'];
        if (json) argv.push('--json');
        const result = parseArgs(argv, spec);
        assert.deepEqual(result, { kind: 'ok', options: { ...defaults, ops, etcd, json } });
      }),
    );
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('--ops', '--no-etcd', '--json', '--ops=', '--', '-h'))), (argv) => {
        const result = parseArgs(argv, spec);
        assert.ok(['ok', 'help', 'error'].includes(result.kind));
      }),
    );
  });
});

describe('kebabCase and usage', () => {
  it('maps camelCase names to flags', () => {
    assert.equal(kebabCase('phaseSeconds'), 'phase-seconds');
    assert.equal(kebabCase('getOpsMax'), 'get-ops-max');
    assert.equal(kebabCase('ops'), 'ops');
  });

  it('lists every option with its default, negated flags for default-on flags', () => {
    const text = usage('store', 'summary line', spec);
    assert.match(text, /usage: npm run bench -- store \[options\]/);
    assert.match(text, /--ops N\s+operations per phase \(default: 2000\)/);
    assert.match(text, /--phase-seconds N\s+time budget \(default: 20\)/);
    assert.match(text, /--no-etcd\s+compare with etcd \(default: on\)/);
    assert.match(text, /--json\s+JSON last line \(default: off\)/);
    assert.match(text, /--mode fast\|slow\s+mode \(default: fast\)/);
    assert.match(text, /-h, --help/);
  });
});
