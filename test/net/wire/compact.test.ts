// Compact msgpack (watch frames' objects): whatever goes in comes out, keys from the dictionary
// or not, in order; the frames read back through both stream decoders; a reader with another
// dictionary fails instead of misreading.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { CompactDecodeError, compactKeys, compactValues, decodeCompact, encodeCompact } from '../../../src/net/wire/compact.js';
import {
  MsgpackWatchDecoder,
  decodeMsgpackFrameBody,
  encodeMsgpackCompactWatchFrame,
  encodeMsgpackObject,
  encodeMsgpackWatchFrame,
  msgpackWatchCodec,
  type WatchEventType,
} from '../../../src/net/wire/watch-frames.js';
import { FrameSplitter, SharedFrameDecoder } from '../../../src/net/client/watch-decode.js';
import type { DecodedWatchEvent } from '../../../src/net/wire/watch-frames.js';

/** Keys: dictionary ones (low and high ids) and others, including non-ASCII and "__proto__"-free. */
const keyArb = fc.oneof(
  fc.constantFrom(...compactKeys.slice(0, 5), ...compactKeys.slice(125, 135), ...compactKeys.slice(-3)),
  fc.string({ maxLength: 40 }).filter((k) => k !== '__proto__'),
  fc.constantFrom('app.kubernetes.io/name', 'ünïcödé', ''),
);

/** Objects as decoders build them (fc.dictionary's have a null prototype). */
function plainDictionary(values: fc.Arbitrary<unknown>, maxKeys: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(keyArb, values, { maxKeys }).map((d) => Object.assign({}, d));
}

/** JSON values; `long`: strings past 64 KiB too. */
function valuesArb(long: boolean): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
      fc.maxSafeInteger(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
      fc.string({ maxLength: 300 }),
      fc.constantFrom(...compactValues.slice(0, 5), ...compactValues.slice(-3), 'IfNotPresent '),
      // Past 64 KiB of UTF-8 (str32), ASCII and not.
      long ? fc.constantFrom('x'.repeat(70_000), 'é'.repeat(40_000)) : fc.constant('é'),
      fc.array(tie('value'), { maxLength: 20 }),
      plainDictionary(tie('value'), 20),
    ),
  })).value;
}

const valueArb = valuesArb(true);

test('property: compact encoding round-trips JSON values, keys in order', () => {
  fc.assert(
    fc.property(valueArb, (value) => {
      const back = decodeCompact(encodeCompact(value));
      assert.deepEqual(back, value);
      // Key order survives (deepEqual ignores it).
      assert.equal(JSON.stringify(back), JSON.stringify(value));
    }),
    { numRuns: 300 },
  );
});

test('compact is standard msgpack and smaller: dictionary keys are small integers, dictionary values extensions', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, resourceVersion: '42' },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', terminationMessagePolicy: 'File' }], nodeName: 'n1' },
  };
  const compact = encodeCompact(pod);
  assert.ok(compact.length * 1.6 < encodeMsgpackObject(pod).length, `${compact.length} vs ${encodeMsgpackObject(pod).length} bytes`);
  // Any msgpack reader reads it (as a Map: integer keys), so the format is msgpack, not ours.
  const widget = { kind: 'Widget', metadata: { name: 'w' } };
  const generic = new Unpackr({ mapsAsObjects: false }).unpack(encodeCompact(widget)) as Map<unknown, unknown>;
  assert.equal(generic.get(compactKeys.indexOf('kind')), 'Widget');
  // A dictionary value is a 3-byte extension: "IfNotPresent" takes 3 bytes, not 13.
  assert.equal(encodeCompact({ imagePullPolicy: 'IfNotPresent' }).length, 1 + 1 + 3);
  assert.deepEqual(decodeCompact(compact), pod);
  // undefined members are skipped, as in JSON; in arrays they are null.
  assert.deepEqual(decodeCompact(encodeCompact({ a: undefined, b: [undefined, 1] })), { b: [null, 1] });
});

test('values compact cannot carry faithfully are refused, and bad input is a CompactDecodeError', () => {
  assert.throws(() => encodeCompact({ when: new Date(0) }), TypeError);
  assert.throws(() => encodeCompact({ m: new Map() }), TypeError);
  const good = encodeCompact({ metadata: { name: 'x' } });
  assert.throws(() => decodeCompact(good.subarray(0, good.length - 1)), CompactDecodeError);
  assert.throws(() => decodeCompact(Buffer.concat([good, Buffer.from([0xc0])])), CompactDecodeError);
  // A key id past the dictionary's end, a value id past it, another extension type.
  assert.throws(() => decodeCompact(Buffer.from([0x81, 0xcd, 0xff, 0xff, 0xc0])), CompactDecodeError);
  assert.throws(() => decodeCompact(Buffer.from([0xd5, 0x56, 0xff, 0xff])), CompactDecodeError);
  assert.throws(() => decodeCompact(Buffer.from([0xd4, 0x01, 0x00])), CompactDecodeError);
  assert.throws(() => decodeCompact(Buffer.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0xc0])), CompactDecodeError);
});

const types: readonly WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];

test('property: compact and plain frames, cut anywhere, read back through both stream decoders', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ type: fc.constantFrom(...types), object: plainDictionary(valuesArb(false), 6), compact: fc.boolean() }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }),
      (events, cuts) => {
        const stream = Buffer.concat(
          events.map((e) => (e.compact ? encodeMsgpackCompactWatchFrame(e.type, e.object) : encodeMsgpackWatchFrame(e.type, encodeMsgpackObject(e.object)))),
        );
        const plain = new MsgpackWatchDecoder();
        const shared = new FrameSplitter(new SharedFrameDecoder(16));
        const fromPlain: DecodedWatchEvent[] = [];
        const fromShared: DecodedWatchEvent[] = [];
        let pos = 0;
        for (let i = 0; pos < stream.length; i++) {
          const next = Math.min(stream.length, pos + (cuts[i % cuts.length] as number));
          const piece = Buffer.from(stream.subarray(pos, next));
          fromPlain.push(...plain.push(piece));
          shared.push(piece, fromShared);
          piece.fill(0); // the decoders keep nothing of a chunk past the call
          pos = next;
        }
        const want = events.map((e) => ({ type: e.type, object: e.object }));
        assert.deepEqual(fromPlain, want);
        assert.deepEqual(fromShared, want);
      },
    ),
    { numRuns: 150 },
  );
});

test('the msgpack watch codec builds compact frames; a frame from another dictionary fails loudly', () => {
  const object = { kind: 'Pod', metadata: { name: 'p' } };
  const frame = msgpackWatchCodec.frameOfObject?.('ADDED', object);
  assert.ok(frame !== undefined);
  assert.deepEqual(new MsgpackWatchDecoder().push(frame), [{ type: 'ADDED', object }]);
  const other = Buffer.from(frame);
  // The fingerprint sits right after the ext32 header: 4 (prefix) + 19 (map head) + 6.
  const at = 4 + 1 + 5 + 6 + 7 + 6;
  other.writeUInt32BE((other.readUInt32BE(at) + 1) >>> 0, at);
  assert.throws(() => decodeMsgpackFrameBody(other, 4, other.length, () => undefined), /key dictionary .* client and server versions differ/);
});
