// Watches (watch-socket.ts) and requests of HttpClient over HTTPS, against servers started here on
// 127.0.0.1 with certificates made by openssl (.ci/run installs it): a test CA signs the servers'
// and the client's certificates, a second CA stands for one the client does not trust.
//
// The API server does not serve HTTPS yet, so a minimal node:https server answers a watch as
// src/net/server does: a 200 with chunked framing, one HTTP chunk per frame, built with the
// src/net/wire codecs (msgpack or JSON, as the Accept header asks). A raw node:tls server writes
// whole responses cut at chosen bytes, one TLS record per piece.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { HttpClient, type HttpClientTlsOptions, type WireEncoding } from '../../../src/net/client/http-client.js';
import { jsonWatchCodec, msgpackWatchCodec, type WatchCodec, type WatchEventType } from '../../../src/net/wire/watch-frames.js';
import type { ResourceType, WatchEvent } from '../../../src/net/api.js';
import type { KubeObject } from '../../../src/core/api/types.js';

const pods: ResourceType = { group: '', version: 'v1', plural: 'pods' };

interface Pem {
  readonly cert: Buffer;
  readonly key: Buffer;
}

interface Certificates {
  readonly ca: Pem;
  /** A CA the clients are not told about. */
  readonly otherCa: Pem;
  /** Signed by `ca` for IP 127.0.0.1. */
  readonly server: Pem;
  /** Signed by `ca` for DNS api.coxswain.test only. */
  readonly namedServer: Pem;
  /** Signed by `otherCa` for IP 127.0.0.1. */
  readonly strangerServer: Pem;
  /** Signed by `ca`, CN cox-client, for client authentication. */
  readonly client: Pem;
}

function openssl(args: readonly string[]): void {
  const r = spawnSync('openssl', args);
  if (r.error !== undefined) throw new Error(`openssl is needed for the TLS tests (.ci/run installs it): ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr.toString());
}

/** P-256 keys: quick to make and to handshake with. */
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): Pem {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-x509', ...ecKey, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', key, '-out', cert]);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function makeLeaf(dir: string, name: string, ca: string, subject: string, extensions: string): Pem {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['req', '-new', ...ecKey, '-subj', subject, '-keyout', key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`), '-set_serial', String(Date.now()), '-days', '1', '-extfile', ext, '-out', cert]);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function makeCertificates(dir: string): Certificates {
  const ca = makeCa(dir, 'ca');
  const otherCa = makeCa(dir, 'other-ca');
  const serverExt = 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
  return {
    ca,
    otherCa,
    server: makeLeaf(dir, 'server', 'ca', '/CN=127.0.0.1', serverExt),
    namedServer: makeLeaf(dir, 'named', 'ca', '/CN=api.coxswain.test', 'subjectAltName=DNS:api.coxswain.test\nextendedKeyUsage=serverAuth\n'),
    strangerServer: makeLeaf(dir, 'stranger', 'other-ca', '/CN=127.0.0.1', serverExt),
    client: makeLeaf(dir, 'client', 'ca', '/CN=cox-client', 'extendedKeyUsage=clientAuth\n'),
  };
}

function pod(name: string, resourceVersion: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion } } as KubeObject;
}

/** What every watch of the https server below sends, in order. */
const script: readonly { readonly type: WatchEventType; readonly object: KubeObject }[] = [
  { type: 'ADDED', object: pod('web', '11') },
  { type: 'MODIFIED', object: pod('web', '12') },
  { type: 'ADDED', object: pod('db', '13') },
];

function frame(codec: WatchCodec, type: WatchEventType, object: unknown): Buffer {
  return codec.frameOfObject !== undefined ? codec.frameOfObject(type, object) : codec.frame(type, codec.encodeObject(object));
}

/** What the https server saw of each request's TLS session. */
interface Seen {
  readonly path: string;
  readonly servername: string | false | null;
  readonly clientCn: string;
}

/** An HTTPS server: a watch gets `script`, one chunk per frame; any other GET an empty PodList. */
async function startHttps(options: ServerOptions): Promise<{ server: HttpsServer; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createHttpsServer(options, (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    seen.push({ path: req.url ?? '', servername: socket.servername, clientCn: typeof peer.subject?.CN === 'string' ? peer.subject.CN : '' });
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (url.searchParams.get('watch') !== 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '10' }, items: [] }));
      return;
    }
    const codec = (req.headers.accept ?? '').includes('msgpack') ? msgpackWatchCodec : jsonWatchCodec;
    // No Content-Length: node:http frames the body as chunked, each write one chunk.
    res.writeHead(200, { 'Content-Type': codec.contentType });
    for (const e of script) res.write(frame(codec, e.type, e.object));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function stop(server: HttpsServer | TlsServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function readAll(stream: AsyncIterable<WatchEvent>): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

function summary(events: readonly WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name ?? ''}@${(e.object as KubeObject).metadata?.resourceVersion ?? ''}`);
}

const expected = summary(script as readonly WatchEvent[]);

/** Watches through a client with these TLS options; the client is closed afterwards. */
async function watchAll(url: string, tls: HttpClientTlsOptions | undefined, encoding: WireEncoding = 'msgpack'): Promise<WatchEvent[]> {
  const api = new HttpClient({ url, encoding, requestTimeoutMs: 10_000, ...(tls === undefined ? {} : { tls }) });
  try {
    return await readAll(await api.watch(pods, 'default'));
  } finally {
    await api.close();
  }
}

let dir = '';
let certs: Certificates;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cox-watch-tls-'));
  certs = makeCertificates(dir);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a watch over HTTPS with a trusted CA', () => {
  for (const encoding of ['msgpack', 'json'] as const) {
    it(`receives ADDED and MODIFIED events and ends with the response (${encoding})`, async () => {
      const { server, url, seen } = await startHttps({ key: certs.server.key, cert: certs.server.cert });
      try {
        const api = new HttpClient({ url, encoding, tls: { ca: certs.ca.cert } });
        try {
          // Requests (undici) and the watch (its own socket) both trust the CA.
          const list = await api.list(pods, 'default');
          assert.equal(list.metadata?.resourceVersion, '10');
          const events = await readAll(await api.watch(pods, 'default', { resourceVersion: '10' }));
          assert.deepEqual(summary(events), expected);
        } finally {
          await api.close();
        }
        assert.deepEqual(seen.map((s) => s.path), ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=10']);
        // An IP address is not sent as the server name (RFC 6066), by either path.
        assert.deepEqual(seen.map((s) => Boolean(s.servername)), [false, false]);
      } finally {
        await stop(server);
      }
    });
  }

  it('takes the CA as a list of PEMs, and stops at close() while the server keeps the stream open', async () => {
    // A server that sends one event and then holds the response open.
    const server = createHttpsServer({ key: certs.server.key, cert: certs.server.cert }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': msgpackWatchCodec.contentType });
      res.write(frame(msgpackWatchCodec, 'ADDED', pod('web', '11')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const api = new HttpClient({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, tls: { ca: [certs.otherCa.cert, certs.ca.cert] } });
      const stream = await api.watch(pods, 'default');
      const it = stream[Symbol.asyncIterator]();
      const first = await it.next();
      assert.equal(first.done, false);
      assert.deepEqual(summary([first.value as WatchEvent]), ['ADDED web@11']);
      await api.close();
      assert.deepEqual(await it.next(), { value: undefined, done: true });
    } finally {
      await stop(server);
    }
  });
});

describe('a server certificate the client does not trust', () => {
  // The server's certificate is signed by otherCa, which neither client trusts.
  const untrusted = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_GET_ISSUER_CERT/;
  const cases: readonly { readonly name: string; readonly tls: (c: Certificates) => HttpClientTlsOptions | undefined }[] = [
    { name: 'a CA is given, not the one that signed it', tls: (c) => ({ ca: c.ca.cert }) },
    { name: 'no CA is given (public roots only)', tls: () => undefined },
  ];
  for (const c of cases) {
    it(`fails the watch at once with the TLS reason: ${c.name}`, async () => {
      const { server, url, seen } = await startHttps({ key: certs.strangerServer.key, cert: certs.strangerServer.cert });
      try {
        const tls = c.tls(certs);
        const api = new HttpClient({ url, requestTimeoutMs: 60_000, ...(tls === undefined ? {} : { tls }) });
        try {
          const port = new URL(url).port;
          await assert.rejects(api.watch(pods, 'default'), (e: Error) => {
            assert.match(e.message, new RegExp(`^watch: TLS handshake with 127\\.0\\.0\\.1:${port} failed: `));
            assert.match(e.message, untrusted);
            return true;
          });
          // Requests refuse the same certificate.
          await assert.rejects(api.list(pods, 'default'), (e: Error & { code?: string }) => {
            assert.match(e.code ?? '', untrusted);
            return true;
          });
        } finally {
          await api.close();
        }
        assert.deepEqual(seen, [], 'no request got through');
      } finally {
        await stop(server);
      }
    });
  }

  it('is accepted with rejectUnauthorized: false (insecure-skip-tls-verify)', async () => {
    const { server, url } = await startHttps({ key: certs.strangerServer.key, cert: certs.strangerServer.cert });
    try {
      assert.deepEqual(summary(await watchAll(url, { rejectUnauthorized: false })), expected);
    } finally {
      await stop(server);
    }
  });
});

describe('a server that never finishes the handshake', () => {
  it('fails the watch after the client\'s request timeout, saying so', async () => {
    // Accepts TCP and says nothing: the client's ClientHello is never answered.
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const api = new HttpClient({ url: `https://127.0.0.1:${port}`, requestTimeoutMs: 300, tls: { ca: certs.ca.cert } });
      try {
        await assert.rejects(api.watch(pods, 'default'), { message: `watch: no TLS handshake with 127.0.0.1:${port} finished within 300 ms` });
      } finally {
        await api.close();
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the server name', () => {
  it('defaults to the host, so a certificate for another name fails; servername names it', async () => {
    const { server, url, seen } = await startHttps({ key: certs.namedServer.key, cert: certs.namedServer.cert });
    try {
      await assert.rejects(watchAll(url, { ca: certs.ca.cert }), (e: Error) => {
        assert.match(e.message, /^watch: TLS handshake with .* failed: .*ERR_TLS_CERT_ALTNAME_INVALID/);
        return true;
      });
      assert.deepEqual(summary(await watchAll(url, { ca: certs.ca.cert, servername: 'api.coxswain.test' })), expected);
      assert.deepEqual(seen.map((s) => s.servername), ['api.coxswain.test'], 'sent as SNI');
    } finally {
      await stop(server);
    }
  });
});

describe('a client certificate', () => {
  it('is presented by watches and requests; a client without one is refused, not left hanging', async () => {
    const { server, url, seen } = await startHttps({
      key: certs.server.key,
      cert: certs.server.cert,
      ca: certs.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    });
    try {
      const api = new HttpClient({ url, tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } });
      try {
        await api.list(pods, 'default');
        assert.deepEqual(summary(await readAll(await api.watch(pods, 'default'))), expected);
      } finally {
        await api.close();
      }
      assert.deepEqual(seen.map((s) => s.clientCn), ['cox-client', 'cox-client']);
      // TLS 1.3 refuses a missing client certificate after the client's side of the handshake:
      // the watch fails either way.
      await assert.rejects(watchAll(url, { ca: certs.ca.cert }), Error);
      assert.equal(seen.length, 2, 'the refused watch reached no handler');
    } finally {
      await stop(server);
    }
  });
});

describe('chunked frames split across TLS records', () => {
  /** A raw TLS server: each connection gets `response` written in `pieces`, one record each. */
  let server: TlsServer;
  let url = '';
  let response: Buffer = Buffer.alloc(0);
  let cuts: readonly number[] = [];

  before(async () => {
    server = createTlsServer({ key: certs.server.key, cert: certs.server.cert }, (socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      let head = '';
      const onData = (d: Buffer): void => {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        void writePieces(socket, response, cuts).catch(() => socket.destroy());
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await stop(server);
  });

  /** Writes `bytes` cut at `at` (sorted offsets); waits for each write so each is its own record. */
  async function writePieces(socket: TLSSocket, bytes: Buffer, at: readonly number[]): Promise<void> {
    let pos = 0;
    for (const cut of [...at, bytes.length]) {
      if (cut <= pos) continue;
      await new Promise<void>((resolve, reject) => socket.write(bytes.subarray(pos, cut), (e) => (e ? reject(e) : resolve())));
      await new Promise<void>((resolve) => setImmediate(resolve));
      pos = cut;
    }
    socket.end();
  }

  function chunkedResponse(contentType: string, frames: readonly Buffer[], chunkSizes: readonly number[]): Buffer {
    const body = Buffer.concat(frames);
    const parts: Buffer[] = [Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`)];
    let pos = 0;
    for (let i = 0; pos < body.length; i++) {
      const n = Math.min(body.length - pos, chunkSizes[i % chunkSizes.length] as number);
      parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(pos, pos + n), Buffer.from('\r\n'));
      pos += n;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    return Buffer.concat(parts);
  }

  it('decodes msgpack and JSON frames whatever bytes the records end at', async () => {
    const events = Array.from({ length: 6 }, (_, i) => ({ type: (i % 2 === 0 ? 'ADDED' : 'MODIFIED') as WatchEventType, object: pod(`p${i >> 1}`, String(20 + i)) }));
    const want = summary(events as readonly WatchEvent[]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<WireEncoding>('msgpack', 'json'),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { maxLength: 12 }),
        async (encoding, chunkSizes, rawCuts) => {
          const codec = encoding === 'msgpack' ? msgpackWatchCodec : jsonWatchCodec;
          response = chunkedResponse(codec.contentType, events.map((e) => frame(codec, e.type, e.object)), chunkSizes);
          cuts = rawCuts.filter((c) => c < response.length).sort((a, b) => a - b);
          assert.deepEqual(summary(await watchAll(url, { ca: certs.ca.cert }, encoding)), want);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('decodes a frame larger than a TLS record (16 KiB) sent in one chunk', async () => {
    const big = { ...pod('big', '30'), data: { blob: 'x'.repeat(100_000) } } as KubeObject;
    const frames = [frame(msgpackWatchCodec, 'ADDED', big), frame(msgpackWatchCodec, 'MODIFIED', pod('big', '31'))];
    response = chunkedResponse(msgpackWatchCodec.contentType, frames, [1 << 20]);
    cuts = [];
    const events = await watchAll(url, { ca: certs.ca.cert });
    assert.deepEqual(summary(events), ['ADDED big@30', 'MODIFIED big@31']);
    assert.equal(((events[0]?.object as { data?: { blob?: string } }).data?.blob ?? '').length, 100_000);
  });
});
