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

  it('never lets a stored __proto__ key set a decoded object\'s prototype', () => {
    const decoded = decodeValue<Record<string, unknown>>(
      Buffer.from(encodeValueTransient(JSON.parse('{"__proto__":{"polluted":true},"a":1}'))),
    );
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
    assert.equal(decoded['a'], 1);
  });
});
