// The watch transport (watch-socket.ts) against scripted HTTP/1.1 servers: responses cut anywhere,
// chunked framing with extensions and trailers, plain bodies, error responses, a server that hangs
// up mid-stream, backpressure, and batch reading.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { SocketWatch, type WatchErrorResponse } from '../../../src/net/client/watch-socket.js';
import { FrameSplitter, plainFrameDecoder } from '../../../src/net/client/watch-decode.js';
import { encodeMsgpackCompactWatchFrame, type WatchEventType } from '../../../src/net/wire/watch-frames.js';
import type { WatchEvent } from '../../../src/net/api.js';

/** A server that answers every connection with `respond`, and records the request head. */
async function scripted(respond: (socket: Socket) => Promise<void> | void): Promise<{ url: URL; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      requests.push(head);
      void Promise.resolve(respond(socket)).catch(() => socket.destroy());
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: new URL(`http://127.0.0.1:${address.port}`), requests, server };
}

function open(url: URL, extra: { bufferEventsMax?: number; headers?: Record<string, string> } = {}): SocketWatch {
  return new SocketWatch({
    url,
    path: '/api/v1/pods?watch=true',
    headers: extra.headers ?? { accept: 'application/vnd.coxswain.watch+msgpack' },
    decoder: new FrameSplitter(plainFrameDecoder),
    bufferEventsMax: extra.bufferEventsMax ?? 4096,
    headersTimeoutMs: 5000,
    errorOf: (r: WatchErrorResponse) => new Error(`HTTP ${r.statusCode} ${r.contentType}: ${r.body.toString('utf8')}`),
    onDone: () => undefined,
  });
}

async function readAll(w: SocketWatch): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const ev of w) out.push(ev);
  return out;
}

function pods(n: number): { type: WatchEventType; object: unknown }[] {
  return Array.from({ length: n }, (_, i) => ({ type: 'ADDED' as const, object: { kind: 'Pod', metadata: { name: `p${i}`, resourceVersion: String(10 + i) } } }));
}

function framesOf(events: readonly { type: WatchEventType; object: unknown }[]): Buffer {
  return Buffer.concat(events.map((e) => encodeMsgpackCompactWatchFrame(e.type, e.object)));
}

/** `body` in chunks of the given sizes (cycled), each with an optional extension, then trailers. */
function chunked(body: Buffer, sizes: readonly number[], extensions: boolean, trailers: boolean): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < body.length; i++) {
    const n = Math.min(body.length - pos, sizes[i % sizes.length] as number);
    parts.push(Buffer.from(`${n.toString(16)}${extensions && i % 2 === 0 ? ';name=value' : ''}\r\n`), body.subarray(pos, pos + n), Buffer.from('\r\n'));
    pos += n;
  }
  parts.push(Buffer.from(trailers ? '0\r\nX-Trailer: 1\r\n\r\n' : '0\r\n\r\n'));
  return Buffer.concat(parts);
}

const okHead = 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.coxswain.watch+msgpack\r\nTransfer-Encoding: chunked\r\n\r\n';

/** Writes `bytes` in pieces of the given sizes, yielding between them (the reader sees the cuts). */
async function writeInPieces(socket: Socket, bytes: Buffer, sizes: readonly number[]): Promise<void> {
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const n = Math.min(bytes.length - pos, sizes[i % sizes.length] as number);
    socket.write(bytes.subarray(pos, pos + n));
    pos += n;
    await new Promise((r) => setTimeout(r, 0));
  }
}

test('property: a chunked response cut anywhere gives every event in order, then the end', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      fc.boolean(),
      async (count, chunkSizes, writeSizes, extensions, trailers) => {
        const events = pods(count);
        const response = Buffer.concat([Buffer.from(okHead), chunked(framesOf(events), chunkSizes, extensions, trailers)]);
        const s = await scripted(async (socket) => {
          await writeInPieces(socket, response, writeSizes);
          // The response is complete: the watch ends without waiting for the connection to close.
        });
        try {
          const w = open(s.url);
          await w.started;
          assert.deepEqual(await readAll(w), events);
        } finally {
          s.server.close();
        }
      },
    ),
    { numRuns: 10 },
  );
});

test('the request: GET with Host, the headers given, Connection: close; CR/LF in a header is refused', async () => {
  const s = await scripted((socket) => {
    socket.end(`${okHead}0\r\n\r\n`);
  });
  try {
    const w = open(s.url, { headers: { accept: 'application/json', Authorization: 'Bearer t' } });
    await w.started;
    assert.deepEqual(await readAll(w), []);
    const head = s.requests[0] ?? '';
    assert.match(head, /^GET \/api\/v1\/pods\?watch=true HTTP\/1\.1\r\n/);
    assert.match(head, new RegExp(`\\r\\nHost: 127\\.0\\.0\\.1:${s.url.port}\\r\\n`));
    assert.match(head, /\r\naccept: application\/json\r\n/);
    assert.match(head, /\r\nAuthorization: Bearer t\r\n/);
    assert.match(head, /\r\nConnection: close\r\n/);
    assert.ok(head.endsWith('\r\n\r\n'));
    assert.throws(() => open(s.url, { headers: { accept: 'a\r\nX-Injected: 1' } }), /invalid header/);
  } finally {
    s.server.close();
  }
});

test('responses: plain bodies, errors, and servers that hang up', async () => {
  const events = pods(3);
  const body = framesOf(events);
  const cases: { name: string; response: Buffer; hangUp: boolean; want: 'events' | RegExp }[] = [
    {
      name: 'Content-Length body',
      response: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
      hangUp: false,
      want: 'events',
    },
    { name: 'body until close', response: Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), body]), hangUp: true, want: 'events' },
    {
      name: 'an error status becomes the watch error, with its body',
      response: Buffer.from('HTTP/1.1 410 Gone\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"reason":"Gone"}'),
      hangUp: false,
      want: /HTTP 410 application\/json: \{"reason":"Gone"\}/,
    },
    {
      name: 'a chunked error body',
      response: Buffer.from('HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
      hangUp: false,
      want: /HTTP 500 : abc/,
    },
    { name: 'hang-up mid-chunk', response: Buffer.concat([Buffer.from(okHead), chunked(body, [body.length], false, false).subarray(0, 40)]), hangUp: true, want: /closed the connection mid-response/ },
    { name: 'hang-up before any response', response: Buffer.alloc(0), hangUp: true, want: /before responding/ },
    { name: 'not HTTP', response: Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'), hangUp: false, want: /not an HTTP\/1\.1 response/ },
    { name: 'bad chunk size', response: Buffer.from(`${okHead}zz\r\n`), hangUp: false, want: /bad chunk size/ },
  ];
  for (const c of cases) {
    const s = await scripted((socket) => {
      if (c.hangUp) socket.end(c.response);
      else socket.write(c.response);
    });
    try {
      const w = open(s.url);
      // Failures before the headers reject `started`; later ones end the iteration with them.
      const outcome = await w.started.then(
        () => readAll(w).catch((e: unknown) => e as Error),
        (e: unknown) => e as Error,
      );
      if (c.want === 'events') {
        assert.deepEqual(outcome, events, c.name);
      } else {
        assert.ok(outcome instanceof Error, `${c.name}: expected an error, got ${JSON.stringify(outcome)}`);
        assert.match(outcome.message, c.want, c.name);
      }
    } finally {
      s.server.close();
    }
  }
});

test('backpressure: a reader that lags gets every event in order; nextBatch hands over all that is ready', async () => {
  const events = pods(600);
  const response = Buffer.concat([Buffer.from(okHead), chunked(framesOf(events), [4096], false, false)]);
  const s = await scripted((socket) => {
    socket.end(response);
  });
  try {
    // A tiny buffer: the socket is paused and resumed many times.
    const w = open(s.url, { bufferEventsMax: 8 });
    await w.started;
    const got: WatchEvent[] = [];
    let batches = 0;
    for (;;) {
      const batch = await w.nextBatch();
      if (batch === undefined) break;
      assert.ok(batch.length > 0);
      batches++;
      got.push(...batch);
      await new Promise((r) => setTimeout(r, 0));
    }
    assert.deepEqual(got, events);
    assert.ok(batches < events.length, `${batches} batches for ${events.length} events`);
  } finally {
    s.server.close();
  }
});

test('close() ends a waiting reader, and a stream that is never answered times out', async () => {
  const s = await scripted((socket) => {
    socket.write(okHead);
  });
  try {
    const w = open(s.url);
    await w.started;
    const pending = w.nextBatch();
    w.close();
    assert.equal(await pending, undefined);
    assert.equal((await w.next()).done, true);
  } finally {
    s.server.close();
  }
  const silent = await scripted(() => undefined);
  try {
    const w = new SocketWatch({
      url: silent.url,
      path: '/',
      headers: {},
      decoder: new FrameSplitter(plainFrameDecoder),
      bufferEventsMax: 10,
      headersTimeoutMs: 50,
      errorOf: () => new Error('unexpected'),
      onDone: () => undefined,
    });
    await assert.rejects(w.started, /no response headers within 50 ms/);
  } finally {
    silent.server.close();
  }
});
