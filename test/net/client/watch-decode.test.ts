// Client-side msgpack watch decoding: frames cut anywhere across chunks, identical frames shared
// (frozen), distinct frames never confused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeMsgpackObject, encodeMsgpackWatchFrame, type WatchEventType } from '../../../src/net/wire/watch-frames.js';
import { FrameSplitter, SharedFrameDecoder, StreamCursor, plainFrameDecoder } from '../../../src/net/client/watch-decode.js';
import type { DecodedWatchEvent } from '../../../src/net/wire/watch-frames.js';

const types: WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];

const objectArb = fc.record({
  kind: fc.constant('Pod'),
  metadata: fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), resourceVersion: fc.nat().map(String) }),
  data: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
});
const eventArb = fc.record({ type: fc.constantFrom(...types), object: objectArb });

function frames(events: readonly { type: WatchEventType; object: unknown }[]): Buffer {
  return Buffer.concat(events.map((e) => encodeMsgpackWatchFrame(e.type, encodeMsgpackObject(e.object))));
}

/** Splits `buf` at the given cut points (sorted, deduplicated, inside the buffer). */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

test('property: any chunking of a stream gives the events in order, with or without sharing', () => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), (events, points, shared) => {
      const decoder = shared ? new SharedFrameDecoder(4) : plainFrameDecoder;
      const splitter = new FrameSplitter(decoder);
      const out: DecodedWatchEvent[] = [];
      // Copies: the splitter must not depend on a chunk after push() returned.
      for (const chunk of cut(frames(events), points)) {
        const copy = Buffer.from(chunk);
        splitter.push(copy, out);
        copy.fill(0xff);
      }
      assert.equal(splitter.hasPartial, false);
      // fast-check builds null-prototype records; decoded values are plain objects.
      assert.deepEqual(out, JSON.parse(JSON.stringify(events)));
    }),
    { numRuns: 300 },
  );
});

test('identical frames on two streams decode once into one frozen event; distinct ones never mix', () => {
  const decoder = new SharedFrameDecoder();
  const events = Array.from({ length: 200 }, (_, i) => ({ type: 'ADDED' as const, object: { kind: 'Pod', metadata: { name: `p-${i}`, resourceVersion: String(i) }, spec: { x: 'same' } } }));
  const a: DecodedWatchEvent[] = [];
  const b: DecodedWatchEvent[] = [];
  new FrameSplitter(decoder).push(frames(events), a);
  new FrameSplitter(decoder).push(frames(events), b);
  assert.deepEqual(a, events);
  for (let i = 0; i < events.length; i++) {
    assert.equal(a[i], b[i]);
    assert.ok(Object.isFrozen(a[i]) && Object.isFrozen(a[i]?.object) && Object.isFrozen((a[i]?.object as { metadata: object }).metadata));
  }
});

test('the cache is bounded: old frames are decoded again, still correctly', () => {
  const decoder = new SharedFrameDecoder(3);
  const mk = (i: number): Buffer => frames([{ type: 'MODIFIED', object: { metadata: { name: `n${i}` } } }]);
  const first: DecodedWatchEvent[] = [];
  new FrameSplitter(decoder).push(mk(0), first);
  const filler: DecodedWatchEvent[] = [];
  for (let i = 1; i <= 5; i++) new FrameSplitter(decoder).push(mk(i), filler);
  const again: DecodedWatchEvent[] = [];
  new FrameSplitter(decoder).push(mk(0), again);
  assert.notEqual(again[0], first[0]);
  assert.deepEqual(again[0], first[0]);
});

test('bad frames are errors: unknown type, over the size limit', () => {
  const out: DecodedWatchEvent[] = [];
  const bad = encodeMsgpackWatchFrame('ADDED', encodeMsgpackObject({}));
  bad.write('NOPE!', bad.indexOf('ADDED'), 'latin1');
  assert.throws(() => new FrameSplitter(plainFrameDecoder).push(bad, out), /unknown type/);
  const big = Buffer.alloc(8);
  big.writeUInt32BE(1000, 0);
  assert.throws(() => new FrameSplitter(plainFrameDecoder, 999).push(big, out), /over 999/);
});

test('property: streams out of step (subsets, other orders, small logs) still get exactly their own events', () => {
  fc.assert(
    fc.property(
      fc.array(eventArb, { minLength: 1, maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.integer({ min: 1, max: 8 }),
      (events, picks, logSize) => {
        const decoder = new SharedFrameDecoder(logSize);
        const streams = [events, picks.map((p) => events[p % events.length] as (typeof events)[number]), [...events].reverse()];
        const splitters = streams.map(() => new FrameSplitter(decoder));
        const outs: DecodedWatchEvent[][] = streams.map(() => []);
        // Interleave: one frame per stream per turn.
        const longest = Math.max(...streams.map((s) => s.length));
        for (let i = 0; i < longest; i++) {
          for (let k = 0; k < streams.length; k++) {
            const e = streams[k]?.[i];
            if (e !== undefined) splitters[k]?.push(frames([e]), outs[k] as DecodedWatchEvent[]);
          }
        }
        for (let k = 0; k < streams.length; k++) assert.deepEqual(outs[k], JSON.parse(JSON.stringify(streams[k])));
      },
    ),
    { numRuns: 300 },
  );
});

test('a stream in step takes whole runs of logged frames at once; a same-length frame that differs in one byte is still its own event', () => {
  const decoder = new SharedFrameDecoder(64);
  const mk = (i: number, tag: string): { type: WatchEventType; object: unknown } => ({ type: 'ADDED', object: { metadata: { name: `p-${String(i).padStart(3, '0')}` }, spec: { tag } } });
  const events = Array.from({ length: 40 }, (_, i) => mk(i, 'a'));
  const first: DecodedWatchEvent[] = [];
  new FrameSplitter(decoder).push(frames(events), first);
  // The follower's stream: the same frames, but event 25 differs in one byte with the same length.
  const follower = events.slice();
  follower[25] = mk(25, 'b');
  const wire = frames(follower);
  const cursorRun: DecodedWatchEvent[] = [];
  const splitter = new FrameSplitter(decoder);
  for (const chunk of cut(wire, [Math.floor(wire.length / 3), Math.floor((2 * wire.length) / 3)])) splitter.push(Buffer.from(chunk), cursorRun);
  assert.equal(cursorRun.length, 40);
  assert.deepEqual(cursorRun, JSON.parse(JSON.stringify(follower)));
  for (let i = 0; i < 40; i++) {
    if (i === 25) assert.notEqual(cursorRun[i], first[i]);
    else assert.equal(cursorRun[i], first[i], `event ${i} is the shared one`);
  }
  // A run is checked in one piece: matchRun takes all the frames of an unchanged stream.
  const out: DecodedWatchEvent[] = [];
  const whole = frames(events);
  const cursor = new StreamCursor();
  assert.equal(decoder.matchRun(whole, 0, whole.length, cursor, out), whole.length);
  assert.equal(out.length, 40);
  assert.equal(cursor.seq, 39);
});
