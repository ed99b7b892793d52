import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { encodeValueTransient } from '../../../../src/core/store/codec.js';
import { stampedMsgpack } from '../../../../src/net/server/registry/stamped-msgpack.js';

// What a client decodes a response with (src/net/client), and the plain encoder of responses.
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });
const packr = new Packr({ useRecords: false });

// (A `__proto__` key does not survive decoding anyway: msgpackr drops it.)
const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('__proto__'));
const fieldName = fc.string({ maxLength: 40 }).filter((k) => k !== 'resourceVersion' && k !== '__proto__');
const metadata = fc.dictionary(fieldName, json, { maxKeys: 40 });
const revision = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(String);

describe('stampedMsgpack', () => {
  it('decodes to the object with metadata.resourceVersion set, wherever metadata sits', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fieldName.filter((k) => k !== 'metadata'), json, { maxKeys: 20 }),
        metadata,
        fc.nat(),
        revision,
        (others, meta, at, rv) => {
          // metadata among the other top-level fields, at any position.
          const keys = Object.keys(others);
          const position = at % (keys.length + 1);
          const object: Record<string, unknown> = {};
          for (let i = 0; i <= keys.length; i++) {
            if (i === position) object['metadata'] = meta;
            const k = keys[i];
            if (k !== undefined) object[k] = others[k];
          }
          const stored = Buffer.from(encodeValueTransient(object));
          const stamped = stampedMsgpack(stored, rv);
          assert.ok(stamped !== undefined);
          // As stored (the store's encoder writes -0 as 0), plus the revision.
          const asStored = unpackr.unpack(stored) as Record<string, unknown>;
          assert.deepEqual(unpackr.unpack(stamped), { ...asStored, metadata: { ...(asStored['metadata'] as object), resourceVersion: rv } });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows a metadata map past 15 fields (fixmap to map16) and past 65535 (map16 to map32)', () => {
    for (const n of [14, 15, 16, 65535]) {
      const meta: Record<string, number> = {};
      for (let i = 0; i < n; i++) meta[`k${i}`] = i;
      const object = { kind: 'Pod', metadata: meta, spec: { x: [1, 2, 3] } };
      const stamped = stampedMsgpack(packr.pack(object), '42');
      assert.ok(stamped !== undefined, `${n} fields`);
      assert.deepEqual(unpackr.unpack(stamped), { ...object, metadata: { ...meta, resourceVersion: '42' } });
    }
  });

  it('declines bytes it cannot stamp (then the object is encoded instead)', () => {
    const cases: readonly [string, Uint8Array][] = [
      ['no metadata', packr.pack({ kind: 'Pod', spec: {} })],
      ['metadata not a map', packr.pack({ kind: 'Pod', metadata: 'x' })],
      ['resourceVersion already there', packr.pack({ kind: 'Pod', metadata: { name: 'a', resourceVersion: '7' } })],
      ['not a map', packr.pack([1, 2, 3])],
      ['cut short', packr.pack({ kind: 'Pod', metadata: { name: 'abcdef' } }).subarray(0, 20)],
      ['empty', new Uint8Array(0)],
      ['undefined tag 0xc1', Uint8Array.from([0x81, 0xa1, 0x61, 0xc1])],
    ];
    for (const [what, bytes] of cases) assert.equal(stampedMsgpack(bytes, '42'), undefined, what);
  });

  it('never reads past the end of truncated bytes', () => {
    fc.assert(
      fc.property(metadata, fc.nat(), (meta, cut) => {
        const full = packr.pack({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { a: 1 } });
        const truncated = full.subarray(0, cut % full.length);
        const stamped = stampedMsgpack(truncated, '1');
        // Metadata may end before the cut: then the splice is valid up to the cut.
        if (stamped !== undefined) assert.ok(stamped.length > truncated.length);
      }),
      { numRuns: 200 },
    );
  });
});
