import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SelectorError,
  everythingSelector,
  formatLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorToString,
  newLabelSelector,
  newRequirement,
  nothingSelector,
  parseLabelSelector,
  validateLabelKey,
  validateLabelValue,
  type Labels,
  type Operator,
  type Requirement,
} from '../../../src/core/api/labels.js';

// Kubernetes' messages, written out as kube-apiserver 1.32 sends them (note Go's double spaces).
const nameRegexMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRegexMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function selectorError(message: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof SelectorError, `not a SelectorError: ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  };
}

describe('parseLabelSelector', () => {
  // [input, the string Kubernetes prints back]
  const valid: readonly (readonly [string, string])[] = [
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['y=b,x=a', 'x=a,y=b'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x==a', 'x==a'],
    ['a=b,c!=d,e in (f,g),f notin (h),!h,i,x>5', 'a=b,c!=d,e in (f,g),f notin (h),!h,i,x>5'],
    ['x in (b,a,a)', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x in ()', 'x in ()'],
    ['x in (,)', 'x in ()'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['x in (,,)', 'x in ()'],
    ['in=notin', 'in=notin'],
    ['notin in (in)', 'notin in (in)'],
    ['  a = b  ,\tc\n ', 'a=b,c'],
    ['example.com/app=web', 'example.com/app=web'],
    ['b,a', 'a,b'],
    ['a,a=b', 'a,a=b'],
  ];
  for (const [input, printed] of valid) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(printed)}`, () => {
      const s = parseLabelSelector(input);
      assert.equal(s.toString(), printed);
      assert.equal(parseLabelSelector(printed).toString(), printed);
    });
  }

  test('requirements carry operators and sorted, unique values', () => {
    const s = parseLabelSelector('e in (g,f,g),a=b,!h,i,x>5,c!=d,f notin (h),k==v,y<3');
    assert.deepEqual(
      s.requirements.map((r) => [r.key, r.operator, [...r.values]]),
      [
        ['a', '=', ['b']],
        ['c', '!=', ['d']],
        ['e', 'In', ['f', 'g']],
        ['f', 'NotIn', ['h']],
        ['h', 'DoesNotExist', []],
        ['i', 'Exists', []],
        ['k', '==', ['v']],
        ['x', 'Gt', ['5']],
        ['y', 'Lt', ['3']],
      ],
    );
    assert.equal(s.empty, false);
    assert.equal(parseLabelSelector('').empty, true);
  });

  const invalid: readonly (readonly [string, string])[] = [
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${valueRegexMsg}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    [
      'x>99999999999999999999',
      `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${valueRegexMsg}`],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    [',', "found ',', expected: !, identifier, or 'end of string'"],
    [')', "found ')', expected: !, identifier, or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    ['x,=', "found '=', expected: identifier after ','"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['k@=v', `unable to parse requirement: <nil>: Invalid value: "k@": name part ${nameRegexMsg}`],
    ['Example.com/a=b', `unable to parse requirement: <nil>: Invalid value: "Example.com/a": prefix part ${subdomainMsg}`],
    [
      'a/b/c',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${nameRegexMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
  ];
  for (const [input, message] of invalid) {
    test(`${JSON.stringify(input)} is rejected: ${message.slice(0, 60)}`, () => {
      assert.throws(() => parseLabelSelector(input), selectorError(message));
    });
  }

  test('a selector text parsed again is the same (immutable, shared) selector, also after many others', () => {
    const first = parseLabelSelector('app=web,tier in (a,b)');
    assert.equal(parseLabelSelector('app=web,tier in (a,b)'), first);
    for (let i = 0; i < 3000; i++) assert.equal(parseLabelSelector(`k${i}=v`).toString(), `k${i}=v`);
    assert.equal(parseLabelSelector('app=web,tier in (a,b)').toString(), 'app=web,tier in (a,b)');
    assert.throws(() => parseLabelSelector('a b'), SelectorError);
    assert.throws(() => parseLabelSelector('a b'), SelectorError);
  });

  test('any input either parses or fails with a SelectorError', () => {
    const chars = fc.constantFrom('a', 'b', '1', '=', '!', '(', ')', ',', ' ', '<', '>', '-', '/', '.', 'in', 'notin', '@');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 20 }), (parts) => {
        try {
          const s = parseLabelSelector(parts.join(''));
          assert.equal(parseLabelSelector(s.toString()).toString(), s.toString());
        } catch (e) {
          assert.ok(e instanceof SelectorError, String(e));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('matching', () => {
  const table: readonly (readonly [string, Labels | undefined, boolean])[] = [
    ['', { x: 'y' }, true],
    ['', undefined, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x<1', { x: '-5' }, true],
    ['x>1', { x: '+2' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['x', undefined, false],
    ['!x', { x: 'z' }, false],
    ['!x', undefined, true],
    ['x!=y', undefined, true],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', { x: 'two' }, false],
    ['x>1', {}, false],
    ['x>1', { x: '99999999999999999999' }, false],
    ['x>9007199254740993', { x: '9007199254740994' }, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', {}, false],
    ['x notin (a,b)', { x: 'c' }, true],
    ['x notin (a,b)', { x: 'a' }, false],
    ['x notin (a,b)', {}, true],
    ['x in (a0,a1,a2,a3,a4,a5,a6,a7,a8,a9)', { x: 'a9' }, true],
    ['x in (a0,a1,a2,a3,a4,a5,a6,a7,a8,a9)', { x: 'b' }, false],
    ['x=', { x: '' }, true],
    ['x=', {}, false],
    ['foo=bar,foobar=bar,baz=blah', { foo: 'bar', baz: 'blah' }, false],
    // Properties inherited from Object.prototype are not labels.
    ['toString', {}, false],
    ['!constructor', {}, true],
  ];
  for (const [selector, labels, want] of table) {
    test(`${JSON.stringify(selector)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), want);
    });
  }

  test('everything and nothing', () => {
    assert.equal(everythingSelector.matches({ a: 'b' }), true);
    assert.equal(everythingSelector.empty, true);
    assert.equal(everythingSelector.nothing, false);
    assert.equal(nothingSelector.matches({ a: 'b' }), false);
    assert.equal(nothingSelector.matches(undefined), false);
    assert.equal(nothingSelector.empty, false);
    assert.equal(nothingSelector.nothing, true);
    assert.equal(nothingSelector.toString(), '');
    assert.equal(everythingSelector.toString(), '');
  });

  test('requiresExactMatch names the value an index can look up', () => {
    const s = parseLabelSelector('a=b,c in (d),e in (f,g),h!=i,j==k');
    assert.equal(s.requiresExactMatch('a'), 'b');
    assert.equal(s.requiresExactMatch('c'), 'd');
    assert.equal(s.requiresExactMatch('e'), undefined);
    assert.equal(s.requiresExactMatch('h'), undefined);
    assert.equal(s.requiresExactMatch('j'), 'k');
    assert.equal(s.requiresExactMatch('zz'), undefined);
  });
});

describe('labelSelectorFromObject (metav1.LabelSelectorAsSelector)', () => {
  test('null and undefined match nothing; {} matches everything', () => {
    assert.equal(labelSelectorFromObject(null).nothing, true);
    assert.equal(labelSelectorFromObject(undefined).matches({}), false);
    assert.equal(labelSelectorFromObject({}).empty, true);
    assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' }), true);
  });

  test('matchLabels and matchExpressions become one sorted conjunction', () => {
    const s = labelSelectorFromObject({
      matchLabels: { tier: 'web', app: 'shop' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'canary'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'gpu', operator: 'Exists', values: [] },
      ],
    });
    assert.equal(s.toString(), 'app=shop,env in (canary,prod),gpu,!legacy,tier=web,zone notin (b)');
    assert.equal(s.matches({ app: 'shop', tier: 'web', env: 'prod', gpu: '1', zone: 'a' }), true);
    assert.equal(s.matches({ app: 'shop', tier: 'web', env: 'prod', gpu: '1', zone: 'b' }), false);
    assert.equal(s.matches({ app: 'shop', tier: 'web', env: 'prod', gpu: '1', legacy: 'x' }), false);
    assert.equal(labelSelectorToString({ matchLabels: { b: '1', a: '2' } }), 'a=2,b=1');
  });

  const invalid: readonly (readonly [string, Parameters<typeof labelSelectorFromObject>[0], string])[] = [
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    ],
    ['bad key in matchLabels', { matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": name part ${nameRegexMsg}`],
    ['bad value in matchLabels', { matchLabels: { a: 'b c' } }, `values[0][a]: Invalid value: "b c": ${valueRegexMsg}`],
    [
      'several problems at once',
      { matchExpressions: [{ key: '-a', operator: 'NotIn', values: ['ok', '-bad'] }] },
      `[key: Invalid value: "-a": name part ${nameRegexMsg}, values[1][-a]: Invalid value: "-bad": ${valueRegexMsg}]`,
    ],
  ];
  for (const [name, sel, message] of invalid) {
    test(`${name}: ${message.slice(0, 60)}`, () => {
      assert.throws(() => labelSelectorFromObject(sel), selectorError(message));
    });
  }

  test('formatLabelSelector shows what kubectl describe shows', () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(null), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), '<error>');
  });

  test('labelSelectorFromSet selects exact values; an empty set selects everything', () => {
    assert.equal(labelSelectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
    assert.equal(labelSelectorFromSet({}).empty, true);
    assert.equal(labelSelectorFromSet(null).empty, true);
  });
});

describe('label key and value validation', () => {
  const keys: readonly (readonly [string, readonly string[]])[] = [
    ['app', []],
    ['app.kubernetes.io/name', []],
    ['a'.repeat(63), []],
    [`${'a'.repeat(63)}.example.com/x`, []],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
    ['', ['name part must be non-empty', `name part ${nameRegexMsg}`]],
    ['a/', ['name part must be non-empty', `name part ${nameRegexMsg}`]],
    ['/a', ['prefix part must be non-empty']],
    ['-a', [`name part ${nameRegexMsg}`]],
    ['Example.com/a', [`prefix part ${subdomainMsg}`]],
    [`${'x'.repeat(254)}/a`, ['prefix part must be no more than 253 characters']],
    ['a/b/c', [`a qualified name ${nameRegexMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ['é', [`name part ${nameRegexMsg}`]],
  ];
  for (const [key, want] of keys) {
    test(`key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 20)}…` : key)}: ${want.length} problem(s)`, () => {
      assert.deepEqual(validateLabelKey(key), want);
    });
  }

  const values: readonly (readonly [string, readonly string[]])[] = [
    ['', []],
    ['web', []],
    ['v1.2_3-x', []],
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['-a', [valueRegexMsg]],
    ['a b', [valueRegexMsg]],
    ['é'.repeat(32), ['must be no more than 63 characters', valueRegexMsg]], // 64 bytes in UTF-8
  ];
  for (const [value, want] of values) {
    test(`value ${JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}…` : value)}: ${want.length} problem(s)`, () => {
      assert.deepEqual(validateLabelValue(value), want);
    });
  }

  test('keys and values are valid exactly when Kubernetes\' regular expressions and lengths say so', () => {
    const name = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    const referenceKey = (k: string): boolean => {
      const parts = k.split('/');
      if (parts.length > 2) return false;
      const n = parts[parts.length - 1] ?? '';
      const prefixOk = parts.length === 1 || (subdomain.test(parts[0] ?? '') && (parts[0] ?? '').length <= 253);
      return prefixOk && name.test(n) && n.length <= 63;
    };
    const referenceValue = (v: string): boolean => v === '' || (name.test(v) && v.length <= 63);
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', '/', ' ', 'é'), maxLength: 70 });
    fc.assert(
      fc.property(text, (s) => {
        assert.equal(validateLabelKey(s).length === 0, referenceKey(s), s);
        assert.equal(validateLabelValue(s).length === 0, referenceValue(s), s);
      }),
      { numRuns: 2000 },
    );
  });

  test('newRequirement validates as NewRequirement does', () => {
    assert.equal(newRequirement('a', 'Gt', ['5']).toString(), 'a>5');
    assert.throws(
      () => newRequirement('a', '=', ['x', 'y']),
      selectorError('values: Invalid value: ["x","y"]: exact-match compatibility requires one single value'),
    );
    assert.throws(
      () => newRequirement('a', 'Lt', []),
      selectorError("values: Invalid value: null: for 'Gt', 'Lt' operators, exactly one value is required"),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: printing round-trips, and matching agrees with a plain reference evaluator.

const keyPool = ['a', 'b', 'app', 'tier', 'in', 'notin', 'example.com/zone', 'x.y_z-1'];
const valuePool = ['', 'a', 'b', 'web', 'v1.2', '0', '5', '10', '123', '007'];
const intValuePool = ['0', '5', '10', '123', '007'];
const operators: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist', '=', '==', '!=', 'Gt', 'Lt'];

const requirementArb: fc.Arbitrary<Requirement> = fc
  .tuple(fc.constantFrom(...keyPool), fc.constantFrom(...operators))
  .chain(([key, operator]): fc.Arbitrary<Requirement> => {
    switch (operator) {
      case 'In':
      case 'NotIn':
        return fc
          .uniqueArray(fc.constantFrom(...valuePool), { minLength: 1, maxLength: 4 })
          .map((values) => ({ key, operator, values: [...values].sort() }));
      case 'Exists':
      case 'DoesNotExist':
        return fc.constant({ key, operator, values: [] });
      case 'Gt':
      case 'Lt':
        return fc.constantFrom(...intValuePool).map((v) => ({ key, operator, values: [v] }));
      default:
        return fc.constantFrom(...valuePool).map((v) => ({ key, operator, values: [v] }));
    }
  });

const labelsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(...keyPool),
  fc.constantFrom(...valuePool, 'x', '-3', '+4', '99999999999999999999'),
  { maxKeys: 6 },
);

/** The semantics, written plainly: every requirement must hold. */
function referenceMatches(reqs: readonly Requirement[], labels: Record<string, string>): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.operator) {
      case '=':
      case '==':
      case 'In':
        return has && r.values.includes(v ?? '');
      case '!=':
      case 'NotIn':
        return !has || !r.values.includes(v ?? '');
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'Gt':
      case 'Lt': {
        if (!has || !/^[+-]?[0-9]+$/.test(v ?? '')) return false;
        const n = BigInt(v ?? '');
        if (n < -(2n ** 63n) || n >= 2n ** 63n) return false;
        const bound = BigInt(r.values[0] ?? '');
        return r.operator === 'Gt' ? n > bound : n < bound;
      }
    }
  });
}

describe('properties', () => {
  test('parse(print(s)) = s for generated selectors', () => {
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 6 }), (reqs) => {
        const s = newLabelSelector(reqs);
        const printed = s.toString();
        const parsed = parseLabelSelector(printed);
        assert.deepEqual(
          parsed.requirements.map((r) => [r.key, r.operator, [...r.values]]),
          s.requirements.map((r) => [r.key, r.operator, [...r.values]]),
        );
        assert.equal(parsed.toString(), printed);
      }),
      { numRuns: 500 },
    );
  });

  test('matching agrees with the reference evaluator', () => {
    fc.assert(
      fc.property(fc.array(requirementArb, { maxLength: 5 }), labelsArb, (reqs, labels) => {
        const want = referenceMatches(reqs, labels);
        const s = newLabelSelector(reqs);
        assert.equal(s.matches(labels), want);
        assert.equal(parseLabelSelector(s.toString()).matches(labels), want);
      }),
      { numRuns: 1000 },
    );
  });

  test('the object form matches as its requirements say', () => {
    const exprArb = fc.record({
      key: fc.constantFrom(...keyPool),
      operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
      values: fc.uniqueArray(fc.constantFrom(...valuePool), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keyPool), fc.constantFrom(...valuePool), { maxKeys: 3 }),
        fc.array(exprArb, { maxLength: 3 }),
        labelsArb,
        (matchLabels, exprs, labels) => {
          const expressions = exprs.map((e) =>
            e.operator === 'Exists' || e.operator === 'DoesNotExist' ? { key: e.key, operator: e.operator } : e,
          );
          const reqs: Requirement[] = [
            ...Object.entries(matchLabels).map(([key, v]): Requirement => ({ key, operator: '=', values: [v] })),
            ...expressions.map((e): Requirement => ({ key: e.key, operator: e.operator as Operator, values: 'values' in e ? e.values : [] })),
          ];
          const s = labelSelectorFromObject({ matchLabels, matchExpressions: expressions });
          assert.equal(s.matches(labels), referenceMatches(reqs, labels));
        },
      ),
      { numRuns: 500 },
    );
  });
});
