import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LogType,
  decodeKeyRecord,
  decodeLogEntry,
  decodeValue,
  encodeKeyRecord,
  encodeLogEntry,
  encodeValueTransient,
  frozenPlainCopy,
  frozenPlainInPlace,
  logEntryCommitTimeMs,
  logEntryKey,
  logEntryPrevModRevision,
  logEntryType,
} from '../../../src/core/store/codec.js';

const revision = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

describe('store codec', () => {
  it('round-trips kv records', () => {
    fc.assert(
      fc.property(revision, revision, fc.nat(), (mod, create, version) => {
        assert.deepEqual(decodeKeyRecord(encodeKeyRecord(mod, create, version)), {
          modRevision: mod,
          createRevision: create,
          version,
        });
      }),
    );
  });

  it('round-trips log entries, header fields readable without decoding the rest', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(LogType.Create, LogType.Update, LogType.Delete),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        revision,
        fc.nat(),
        revision,
        fc.nat(),
        fc.uint8Array({ maxLength: 300 }),
        (type, key, create, version, prev, timeMs, value) => {
          const bytes = encodeLogEntry(type, Buffer.from(key, 'utf8'), create, version, prev, timeMs, value);
          const entry = decodeLogEntry(bytes);
          assert.equal(entry.type, type);
          assert.equal(entry.key, key);
          assert.equal(entry.createRevision, create);
          assert.equal(entry.version, version);
          assert.equal(entry.prevModRevision, prev);
          assert.equal(entry.commitTimeMs, timeMs);
          assert.deepEqual(new Uint8Array(entry.valueBytes), value);
          assert.equal(logEntryType(bytes), type);
          assert.equal(logEntryKey(bytes), key);
          assert.equal(logEntryPrevModRevision(bytes), prev);
          assert.equal(logEntryCommitTimeMs(bytes), timeMs);
        },
      ),
    );
  });

  it('rejects bytes that are not a log entry or a kv record', () => {
    assert.throws(() => decodeLogEntry(Buffer.alloc(10)), /corrupt log entry/);
    assert.throws(() => decodeLogEntry(Buffer.alloc(64, 9)), /corrupt log entry/);
    assert.throws(() => decodeKeyRecord(Buffer.alloc(23)), /corrupt kv record/);
  });

  it('decodes values as their JSON round trip would, deeply frozen', () => {
    // (`__proto__` keys are the exception, next test.)
    const json = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"'));
    fc.assert(
      fc.property(json, (value) => {
        const decoded = decodeValue<unknown>(Buffer.from(encodeValueTransient(value)));
        assert.deepEqual(decoded, JSON.parse(JSON.stringify(value)));
        const stack: unknown[] = [decoded];
        while (stack.length > 0) {
          const v = stack.pop();
          if (typeof v === 'object' && v !== null) {
            assert.ok(Object.isFrozen(v));
            stack.push(...Object.values(v));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('copies plain values exactly as decoding their bytes would, or declines', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const other = fc.oneof(fc.date({ noInvalidDate: true }), fc.uint8Array({ maxLength: 4 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constant(new Map([['a', 1]])));
    fc.assert(
      fc.property(fc.oneof(plain, fc.record({ a: plain, b: other })), (value) => {
        const decoded = decodeValue<unknown>(Buffer.from(encodeValueTransient(value)));
        const copy = frozenPlainCopy(value);
        if (copy === undefined) {
          // Declined: must be because something in it is not plain JSON-like data.
          assert.ok(value === undefined || JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? 0 : v)).includes('__proto__') || hasNonPlain(value));
          return;
        }
        assert.deepEqual(copy, decoded);
        assert.ok(Object.isFrozen(copy) || typeof copy !== 'object' || copy === null);
      }),
      { numRuns: 300 },
    );
  });

  it('freezes a handed-over plain value in place into what decoding its bytes gives, or declines', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.constant(-0),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.sparseArray(fc.integer(), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const other = fc.oneof(fc.date({ noInvalidDate: true }), fc.uint8Array({ maxLength: 4 }), fc.constant(new Map([['a', 1]])));
    fc.assert(
      fc.property(fc.oneof(plain, fc.record({ a: plain, b: other })), (value) => {
        // undefined is no value to store (and in-place has nothing to freeze).
        if (value === undefined) return;
        const decoded = decodeValue<unknown>(Buffer.from(encodeValueTransient(value)));
        const nonPlain = hasNonPlain(value) || JSON.stringify(value).includes('__proto__');
        const frozen = frozenPlainInPlace(value);
        if (frozen === undefined) {
          assert.ok(nonPlain, 'declined a plain value');
          return;
        }
        assert.ok(!nonPlain || typeof value !== 'object', 'accepted a value that is not plain');
        // The value itself (objects), now equal to its decoded bytes and frozen all the way down.
        if (typeof value === 'object') assert.equal(frozen, value);
        assert.deepEqual(frozen, decoded);
        const stack: unknown[] = [frozen];
        while (stack.length > 0) {
          const v = stack.pop();
          if (typeof v === 'object' && v !== null) {
            assert.ok(Object.isFrozen(v));
            stack.push(...Object.values(v));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps frozen subtrees it is handed as they are', () => {
    const shared = decodeValue<Record<string, unknown>>(Buffer.from(encodeValueTransient({ a: [1, 2], b: 'x' })));
    const value = { shared, own: { n: -0, gone: undefined } };
    const frozen = frozenPlainInPlace(value);
    assert.equal(frozen?.shared, shared);
    assert.deepEqual(frozen, { shared: { a: [1, 2], b: 'x' }, own: { n: 0 } });
    assert.ok(Object.is(frozen?.own.n, 0));
    assert.equal(Object.hasOwn(frozen?.own ?? {}, 'gone'), false);
  });

  it('never lets a stored __proto__ key set a decoded object\'s prototype', () => {
    const decoded = decodeValue<Record<string, unknown>>(
      Buffer.from(encodeValueTransient(JSON.parse('{"__proto__":{"polluted":true},"a":1}'))),
    );
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
    assert.equal(decoded['a'], 1);
  });
});

function hasNonPlain(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasNonPlain);
  if (Object.getPrototypeOf(value) !== Object.prototype) return true;
  return Object.values(value).some(hasNonPlain);
}
