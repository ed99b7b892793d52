// HttpClient against a scripted HTTP server (node:http on loopback): what goes on the wire and how
// responses are read — request headers, header names in any case, repeated Warning headers, bodies
// in many chunks, error bodies that are not Statuses, a failure Status with a 2xx code, and
// failures before anything is sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import type { KubeObject } from '../../../src/core/api/types.js';
import { StatusError } from '../../../src/core/errors.js';
import { HttpClient } from '../../../src/net/client/http-client.js';
import { configMap, configMaps } from './harness.js';

const msgpackType = 'application/vnd.coxswain.msgpack';
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ mapsAsObjects: true });

interface Seen {
  readonly method: string;
  readonly url: string;
  /** Header lines as sent, names in the case the client wrote them. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** What the scripted server answers to the next request. */
type Reply = (req: Seen, res: ServerResponse) => void;

let server: Server;
let url = '';
const seen: Seen[] = [];
let reply: Reply = (_req, res) => res.end();

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      seen.push(s);
      reply(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The values of header `name` (any case) in a request as the server saw it. */
function headerValues(s: Seen, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.rawHeaders.length; i += 2) {
    if ((s.rawHeaders[i] as string).toLowerCase() === name) out.push(s.rawHeaders[i + 1] as string);
  }
  return out;
}

/** The last request the server saw. */
function last(): Seen {
  const s = seen[seen.length - 1];
  assert.ok(s !== undefined, 'the server saw no request');
  return s;
}

/** Sends `body` in pieces of `pieceBytes` (chunked transfer encoding), with `headers`. */
function inPieces(status: number, headers: readonly [string, string][], body: Buffer, pieceBytes: number): Reply {
  return (_req, res) => {
    res.statusCode = status;
    for (const [name, value] of headers) res.appendHeader(name, value);
    for (let i = 0; i < body.length; i += pieceBytes) res.write(body.subarray(i, i + pieceBytes));
    res.end();
  };
}

const ns = 'wire';

describe('HttpClient on the wire', () => {
  let api: HttpClient;
  let json: HttpClient;
  before(() => {
    api = new HttpClient({ url, connections: 2, headers: { Authorization: 'Bearer t0k', 'User-Agent': 'cox-test', accept: 'text/plain' } });
    json = new HttpClient({ url, connections: 2, encoding: 'json' });
  });
  after(async () => {
    await api.close();
    await json.close();
  });

  test('a create sends the extra headers, one Accept (ours) and the msgpack body; a 201 reads as created', async () => {
    const cm = configMap('c1', { a: '1' });
    reply = (req, res) => {
      res.writeHead(201, { 'Content-Type': msgpackType });
      res.end(packr.pack({ ...(unpackr.unpack(req.body) as object), metadata: { name: 'c1', namespace: ns, resourceVersion: '7' } }));
    };
    const r = await api.create(configMaps, ns, cm);
    const s = last();
    assert.equal(s.method, 'POST');
    assert.equal(s.url, `/api/v1/namespaces/${ns}/configmaps`);
    assert.deepEqual(headerValues(s, 'authorization'), ['Bearer t0k']);
    assert.deepEqual(headerValues(s, 'user-agent'), ['cox-test']);
    assert.deepEqual(headerValues(s, 'accept'), [msgpackType]);
    assert.deepEqual(headerValues(s, 'content-type'), [msgpackType]);
    assert.deepEqual(unpackr.unpack(s.body), cm);
    assert.equal(r.created, true);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.object.metadata.resourceVersion, '7');
  });

  test('a GET sends no Content-Type and no body', async () => {
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': msgpackType });
      res.end(packr.pack(configMap('c1')));
    };
    const got = await api.get(configMaps, ns, 'c1', { resourceVersion: '0' });
    const s = last();
    assert.equal(s.method, 'GET');
    assert.equal(s.url, `/api/v1/namespaces/${ns}/configmaps/c1?resourceVersion=0`);
    assert.deepEqual(headerValues(s, 'content-type'), []);
    assert.equal(s.body.length, 0);
    assert.deepEqual(got, configMap('c1'));
  });

  test('a patch carries its own media type, JSON, whatever the wire encoding', async () => {
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': msgpackType });
      res.end(packr.pack(configMap('c1', { b: '2' })));
    };
    await api.patch(configMaps, ns, 'c1', 'merge', { data: { b: '2' } });
    const s = last();
    assert.deepEqual(headerValues(s, 'content-type'), ['application/merge-patch+json']);
    assert.deepEqual(headerValues(s, 'accept'), [msgpackType]);
    assert.deepEqual(JSON.parse(s.body.toString('utf8')), { data: { b: '2' } });
  });

  test('header names in any case; several Warning headers, each with several warnings; a body in many chunks', async () => {
    const object = configMap('big', { blob: 'x'.repeat(50_000) });
    reply = inPieces(
      200,
      [
        ['CONTENT-TYPE', msgpackType],
        ['Warning', '299 - "first"'],
        ['WARNING', '299 - "second", 299 - "third"'],
      ],
      Buffer.from(packr.pack(object)),
      1000,
    );
    const r = await api.update(configMaps, ns, 'big', object);
    assert.equal(r.created, false);
    assert.deepEqual(r.warnings, ['first', 'second', 'third']);
    assert.deepEqual(r.object, object);
  });

  test('headers of an informational 103 response do not carry over to the final response', async () => {
    const object = configMap('hinted');
    reply = (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload', warning: '299 - "early"', 'content-type': 'text/plain' });
      res.writeHead(201, { 'content-type': msgpackType });
      res.end(packr.pack(object));
    };
    const r = await api.create(configMaps, ns, object);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.created, true);
    assert.deepEqual(r.object, object);
  });

  test('JSON: the body and the answer are JSON, read across chunks', async () => {
    const object = configMap('j', { a: 'é'.repeat(3000) });
    reply = inPieces(201, [['Content-Type', 'application/json']], Buffer.from(JSON.stringify(object)), 333);
    const r = await json.create(configMaps, ns, object);
    const s = last();
    assert.deepEqual(headerValues(s, 'accept'), ['application/json']);
    assert.deepEqual(headerValues(s, 'content-type'), ['application/json']);
    assert.deepEqual(JSON.parse(s.body.toString('utf8')), object);
    assert.deepEqual(r.object, object);
    assert.equal(r.created, true);
  });

  test('an error body that is not a Status becomes the generic error for its code, with the text', async () => {
    reply = (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/html' });
      res.end('<h1>down</h1>');
    };
    await assert.rejects(api.get(configMaps, ns, 'c1'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.status.code, 503);
      assert.equal(e.status.reason, 'ServiceUnavailable');
      assert.match(e.status.message, /<h1>down<\/h1>/);
      return true;
    });
  });

  test('an error Status in msgpack keeps the server\'s reason, message and details', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "c9" not found', reason: 'NotFound', details: { name: 'c9', kind: 'configmaps' }, code: 404 };
    reply = (_req, res) => {
      res.writeHead(404, { 'content-type': msgpackType });
      res.end(packr.pack(status));
    };
    await assert.rejects(api.get(configMaps, ns, 'c9'), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.status.reason, 'NotFound');
      assert.equal(e.status.message, 'configmaps "c9" not found');
      assert.deepEqual(e.status.details, { name: 'c9', kind: 'configmaps' });
      return true;
    });
  });

  test('a failure Status with a 2xx code is an error; a broken 2xx body rejects', async () => {
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': msgpackType });
      res.end(packr.pack({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'no', reason: 'Conflict', code: 409 }));
    };
    await assert.rejects(api.create(configMaps, ns, configMap('c2')), (e: unknown) => e instanceof StatusError && e.status.reason === 'Conflict');
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind": ');
    };
    await assert.rejects(json.get(configMaps, ns, 'c2'), SyntaxError);
  });

  test('failures before sending reject (never throw), and send nothing', async () => {
    const before = seen.length;
    const loneSurrogate = 'a\ud800';
    const cyclic = configMap('cyc') as KubeObject & { self?: unknown };
    cyclic.self = cyclic;
    const calls: (() => Promise<unknown>)[] = [
      () => api.get(configMaps, ns, loneSurrogate),
      () => api.create(configMaps, loneSurrogate, configMap('c3')),
      () => api.update(configMaps, ns, loneSurrogate, configMap('c3')),
      () => api.patch(configMaps, ns, loneSurrogate, 'merge', {}),
      () => api.list(configMaps, ns, { labelSelector: loneSurrogate }),
      () => json.create(configMaps, ns, cyclic),
    ];
    for (const call of calls) {
      let p: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        p = call();
      });
      await assert.rejects(p as Promise<unknown>);
    }
    assert.equal(seen.length, before);
  });

  test('a closed client rejects requests', async () => {
    const c = new HttpClient({ url, connections: 1 });
    await c.close();
    await assert.rejects(c.get(configMaps, ns, 'c1'));
  });
});
