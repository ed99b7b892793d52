// A watch piped into a real HTTP response on loopback, read by a real HTTP client: every event
// arrives as one JSON line in order; a client that stops reading fills only its own watcher's
// bounded buffer, its stream ends, and another client on the same cache gets everything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WatchCache } from '../../../src/watch/cache.js';
import type { Watcher } from '../../../src/watch/watcher.js';
import { JsonWatchDecoder, jsonWatchCodec, type DecodedWatchEvent } from '../../../src/net/wire/watch-frames.js';
import { pipeWatch } from '../../../src/net/wire/pipe.js';
import { ModelStore, pod, podKey, podsResource } from '../../watch/fixtures.js';

interface Fixture {
  readonly server: Server;
  readonly port: number;
  readonly watchers: Watcher[];
}

async function serve(cache: WatchCache, bufferEventsMax: number): Promise<Fixture> {
  const watchers: Watcher[] = [];
  const server = createServer((req, res) => {
    const w = cache.watch({ resourceVersion: '1', bufferEventsMax });
    watchers.push(w);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    void pipeWatch(w, jsonWatchCodec, res);
    req.on('error', () => w.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, watchers };
}

function open(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/v1/pods?watch=true' }, resolve).on('error', reject);
  });
}

function readAll(res: IncomingMessage): Promise<DecodedWatchEvent[]> {
  const decoder = new JsonWatchDecoder();
  const out: DecodedWatchEvent[] = [];
  return new Promise((resolve) => {
    res.on('data', (chunk: Buffer) => out.push(...decoder.push(chunk)));
    res.on('end', () => resolve(out));
    res.on('close', () => resolve(out));
  });
}

function ticks(n: number): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => new Promise((r) => setImmediate(r)));
  return p;
}

test('over HTTP: every event in order; the client closing closes the watch', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const f = await serve(cache, 10_000);
  const res = await open(f.port);
  const events = readAll(res);
  for (let i = 0; i < 2000; i++) {
    cache.apply(model.put(podKey('ns', `p${i % 100}`), pod('ns', `p${i % 100}`, { i: String(i) })));
    if (i % 200 === 0) await ticks(1);
  }
  // Bounded wait for the last event to cross the socket.
  for (let t = 0; t < 2000 && (f.watchers[0]?.bufferedCount ?? 1) > 0; t++) await ticks(1);
  await ticks(20);
  res.destroy();
  const got = await events;
  assert.equal(got.length, 2000);
  assert.deepEqual(
    got.map((e) => Number((e.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion)),
    Array.from({ length: 2000 }, (_, i) => i + 2),
  );
  for (let t = 0; t < 200 && f.watchers[0]?.endReason === undefined; t++) await ticks(1);
  assert.equal(f.watchers[0]?.endReason, 'closed');
  cache.close();
  await new Promise<void>((resolve) => f.server.close(() => resolve()));
});

test('over HTTP: a client that stops reading ends its own stream, not the others', async () => {
  const model = new ModelStore(1);
  const cache = new WatchCache(podsResource);
  cache.reset([], 1);
  const f = await serve(cache, 200);
  const slow = await open(f.port);
  slow.pause(); // never reads: the socket fills, then the watcher's buffer
  const fast = await open(f.port);
  const fastEvents = readAll(fast);
  const big = { blob: 'x'.repeat(2000) };
  const total = 3000;
  for (let i = 0; i < total; i++) {
    cache.apply(model.put(podKey('ns', `p${i % 100}`), { ...pod('ns', `p${i % 100}`), ...big }));
    if (i % 50 === 0) await ticks(2);
  }
  for (let t = 0; t < 2000 && (f.watchers[1]?.bufferedCount ?? 1) > 0; t++) await ticks(1);
  await ticks(20);
  const [slowWatcher, fastWatcher] = f.watchers;
  assert.equal(slowWatcher?.endReason, 'overflow');
  assert.ok((slowWatcher?.bufferCapacity ?? Infinity) <= 256);
  assert.equal(fastWatcher?.endReason, undefined);
  fast.destroy();
  const got = await fastEvents;
  assert.equal(got.length, total);
  slow.destroy();
  cache.close();
  await new Promise<void>((resolve) => f.server.close(() => resolve()));
});
