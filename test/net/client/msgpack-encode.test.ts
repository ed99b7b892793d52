// The request-body encoder writes exactly msgpackr's bytes (Packr with useRecords: false,
// variableMapSize: true) for every value, plain or not, and the bodies it hands out stay intact
// while later bodies are written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { PlainMsgpackEncoder } from '../../../src/net/client/msgpack-encode.js';

const reference = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ mapsAsObjects: true });

function sameBytes(encoder: PlainMsgpackEncoder, value: unknown): void {
  assert.deepEqual(Buffer.from(encoder.encode(value)), Buffer.from(reference.pack(value)));
}

test('numbers at every boundary of the integer forms, and the ones that are not integers', () => {
  const e = new PlainMsgpackEncoder();
  const numbers = [
    0, -0, 1, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff, 0x100000000, Number.MAX_SAFE_INTEGER,
    -1, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -0x80000000, -0x80000001, Number.MIN_SAFE_INTEGER,
    0.5, -1.25, 1e300, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
  ];
  for (const n of numbers) sameBytes(e, { n, list: [n] });
});

test('strings around every header size and the 64-unit switch, in one to four UTF-8 bytes per unit, and lone surrogates', () => {
  const e = new PlainMsgpackEncoder();
  const units = ['a', 'é', '€', '😀', '\ud800', '\udc00x'];
  const lengths = [0, 1, 10, 11, 21, 31, 32, 33, 63, 64, 65, 85, 86, 255, 256, 257, 1000, 21_845, 21_846, 65_535, 65_536];
  for (const unit of units) {
    for (const n of lengths) sameBytes(e, unit.repeat(n).slice(0, n));
  }
});

test('property: any JSON value (any Unicode, as keys too) encodes to msgpackr\'s bytes', () => {
  const e = new PlainMsgpackEncoder();
  const text = fc.string({ unit: 'binary', maxLength: 80 });
  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.double(),
      fc.integer({ min: -0x1_0000_0000, max: 0x1_0000_0000 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('any'), { maxLength: 20 }),
      fc.dictionary(text, tie('any'), { maxKeys: 20 }),
    ),
  })).any;
  fc.assert(
    fc.property(value, (v) => {
      sameBytes(e, v);
    }),
    { numRuns: 2000 },
  );
});

test('a value that is not plain anywhere in it (undefined, Date, Map, Set, bytes, a class, a bigint) encodes as msgpackr encodes it', () => {
  const e = new PlainMsgpackEncoder();
  class Thing {
    constructor(readonly x: number) {}
  }
  const odd: unknown[] = [
    undefined,
    new Date(Date.UTC(2026, 0, 1)),
    new Map([['a', 1]]),
    new Set([1, 2]),
    Buffer.from([1, 2, 3]),
    new Uint8Array([4, 5]),
    new Thing(3),
    10n,
    Object.assign(Object.create(null) as object, { a: 1 }),
    [1, , 3], // eslint-disable-line no-sparse-arrays
  ];
  for (const v of odd) {
    sameBytes(e, v);
    sameBytes(e, { metadata: { name: 'x', labels: { a: 'b' } }, spec: { deep: [1, 'two', { v }] } });
  }
});

test('bodies stay intact while many more are written (slabs fill and are replaced); a body bigger than a slab is encoded too', () => {
  const e = new PlainMsgpackEncoder();
  const values: unknown[] = [];
  const bodies: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const v = { kind: 'ConfigMap', metadata: { name: `cm-${i}`, resourceVersion: String(i) }, data: { blob: 'x'.repeat(i % 97 === 0 ? 40_000 : i % 300) } };
    values.push(v);
    bodies.push(e.encode(v));
  }
  const huge = { data: { blob: 'é'.repeat(200_000) } };
  sameBytes(e, huge);
  for (let i = 0; i < values.length; i++) assert.deepEqual(unpackr.unpack(bodies[i] as Buffer), values[i]);
});
