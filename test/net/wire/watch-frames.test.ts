// Watch framing: what kubectl/client-go read (one JSON event per line) and our msgpack frames,
// decoded back whatever the chunk boundaries; and the pipe's backpressure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import {
  JsonWatchDecoder,
  MsgpackWatchDecoder,
  type WatchCodec,
  type WatchEventType,
  jsonWatchCodec,
  msgpackWatchCodec,
} from '../../../src/net/wire/watch-frames.js';
import { type WatchFrameSource, pipeWatch } from '../../../src/net/wire/pipe.js';

const types: readonly WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];

const objectArb = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record({
    name: fc.string({ minLength: 1, maxLength: 20 }),
    namespace: fc.string({ maxLength: 10 }),
    labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    resourceVersion: fc.nat().map(String),
  }),
  spec: fc.record({ nodeName: fc.string({ maxLength: 12 }), priority: fc.integer() }),
});

const eventsArb = fc.array(fc.record({ type: fc.constantFrom(...types), object: objectArb }), {
  minLength: 1,
  maxLength: 20,
});

/** Cuts `bytes` at the given fractions. */
function chunk(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

for (const [codec, makeDecoder] of [
  [jsonWatchCodec, () => new JsonWatchDecoder()],
  [msgpackWatchCodec, () => new MsgpackWatchDecoder()],
] as const) {
  test(`${codec.name} frames decode to the same events whatever the chunking`, () => {
    fc.assert(
      fc.property(eventsArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), (events, cuts) => {
        const stream = Buffer.concat(events.map((e) => codec.frame(e.type, codec.encodeObject(e.object))));
        const decoder = makeDecoder();
        const got = chunk(stream, cuts).flatMap((c) => decoder.push(c));
        // (fast-check builds some objects without prototype; compare as plain JSON values.)
        assert.deepEqual(got, JSON.parse(JSON.stringify(events)));
        assert.equal(decoder.hasPartial, false);
      }),
      { numRuns: 150 },
    );
  });
}

test('a JSON watch frame is exactly the line kube-apiserver sends', () => {
  const obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'm', reason: 'Expired', code: 410 };
  assert.equal(
    jsonWatchCodec.frame('ERROR', jsonWatchCodec.encodeObject(obj)).toString('utf8'),
    '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m","reason":"Expired","code":410}}\n',
  );
});

test('a msgpack frame is length-prefixed', () => {
  const f = msgpackWatchCodec.frame('ADDED', msgpackWatchCodec.encodeObject({ a: 1 }));
  assert.equal(f.readUInt32BE(0), f.length - 4);
});

/** A source of N numbered frames, ready in bursts. */
class BurstSource implements WatchFrameSource {
  private sent = 0;
  private available = 0;
  private listener: (() => void) | undefined;
  closed = false;
  constructor(private readonly total: number) {}
  release(n: number): void {
    this.available = Math.min(this.total, this.available + n);
    const l = this.listener;
    if (l !== undefined) queueMicrotask(l);
  }
  get done(): boolean {
    return this.sent === this.total;
  }
  takeFrames(codec: WatchCodec, out: Buffer[], bytesMax: number): number {
    let size = 0;
    while (this.sent < this.available && size < bytesMax) {
      const f = codec.frame('ADDED', codec.encodeObject({ n: this.sent++ }));
      out.push(f);
      size += f.length;
    }
    return size;
  }
  onReadable(listener: (() => void) | undefined): void {
    this.listener = listener;
  }
  close(): void {
    this.closed = true;
  }
}

test('pipeWatch writes every frame in order, waits for drain, and ends the response', async () => {
  const received: Buffer[] = [];
  let writes = 0;
  const sink = new Writable({
    highWaterMark: 64,
    write(chunkIn: Buffer, _enc, cb) {
      writes++;
      received.push(chunkIn);
      setImmediate(cb); // a slow socket
    },
  });
  const source = new BurstSource(300);
  const piped = pipeWatch(source, jsonWatchCodec, sink, { writeBytesMax: 200 });
  for (let i = 0; i < 6; i++) {
    source.release(50);
    await new Promise((r) => setImmediate(r));
  }
  await piped;
  if (!sink.writableFinished) await new Promise((r) => sink.on('finish', r));
  const decoder = new JsonWatchDecoder();
  const events = decoder.push(Buffer.concat(received));
  assert.deepEqual(
    events.map((e) => (e.object as { n: number }).n),
    Array.from({ length: 300 }, (_, i) => i),
  );
  assert.ok(writes > 1);
  assert.equal(source.closed, false);
});

test('pipeWatch closes the source when the response closes first', async () => {
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const source = new BurstSource(10);
  const piped = pipeWatch(source, msgpackWatchCodec, sink);
  sink.destroy();
  await piped;
  assert.equal(source.closed, true);
});
