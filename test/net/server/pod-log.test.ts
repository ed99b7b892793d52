// GET …/pods/<name>/log over HTTP against a real API server and a fake kubelet endpoint: what
// the kubelet is asked, what the client gets (the stream, its end, its abort, backpressure), and
// every error kube-apiserver answers with before or instead of proxying.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/api/types.js';
import { startApiServer, type RunningApiServer } from '../../../src/net/server/api-server.js';
import { kubeletSchemeAnnotation } from '../../../src/net/server/node-proxy.js';
import { FakeKubelet } from '../../e2e/fake-kubelet.js';

const nodes = { group: '', version: 'v1', plural: 'nodes' };
const pods = { group: '', version: 'v1', plural: 'pods' };

function node(name: string, port: number, addresses: { type: string; address: string }[], http = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(http ? { annotations: { [kubeletSchemeAnnotation]: 'http' } } : {}) },
    status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  } as KubeObject;
}

function pod(name: string, nodeName: string, containers: string[], initContainers: string[] = []): KubeObject {
  const c = (n: string): { name: string; image: string } => ({ name: n, image: 'busybox' });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      ...(nodeName === '' ? {} : { nodeName }),
      containers: containers.map(c),
      ...(initContainers.length === 0 ? {} : { initContainers: initContainers.map(c) }),
    },
  } as KubeObject;
}

interface Answer {
  readonly code: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** One GET, the whole body read. */
function get(base: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** A GET whose response is handed over as it starts (for streams). */
function open(base: string, path: string): Promise<{ res: IncomingMessage; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, (res) => resolve({ res, close: () => req.destroy() }));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}

/** Reads a stream until `predicate` holds for the text so far. */
function readUntil(res: IncomingMessage, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('utf8');
      if (predicate(text)) {
        res.off('data', onData);
        resolve(text);
      }
    };
    res.on('data', onData);
    res.once('end', () => (predicate(text) ? resolve(text) : reject(new Error(`stream ended with ${JSON.stringify(text)}`))));
  });
}

describe('pods/log through the API server', () => {
  let dir: string;
  let server: RunningApiServer;
  let kubelet: FakeKubelet;
  let base: string;
  let closedPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cox-podlog-'));
    server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
    base = server.url;
    kubelet = new FakeKubelet();
    await kubelet.start();
    // A port nothing listens on: bind one, note it, close it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const r = server.registry;
    await r.create(nodes, '', node('n1', kubelet.port, [{ type: 'Hostname', address: 'n1.invalid' }, { type: 'InternalIP', address: '127.0.0.1' }]));
    await r.create(nodes, '', node('down', closedPort, [{ type: 'InternalIP', address: '127.0.0.1' }]));
    await r.create(nodes, '', node('bare', kubelet.port, []));
    await r.create(pods, 'default', pod('web', 'n1', ['c']));
    await r.create(pods, 'default', pod('multi', 'n1', ['a', 'b'], ['init']));
    await r.create(pods, 'default', pod('pending', '', ['c']));
    await r.create(pods, 'default', pod('orphan', 'ghost', ['c']));
    await r.create(pods, 'default', pod('unreachable', 'down', ['c']));
    await r.create(pods, 'default', pod('noaddr', 'bare', ['c']));
    kubelet.setLog('default', 'web', 'c', ['one', 'two', 'three']);
    kubelet.setLog('default', 'multi', 'b', ['from b']);
    kubelet.setLog('default', 'multi', 'init', ['from init']);
  });
  after(async () => {
    await kubelet?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('streams the single container’s log as text/plain from /containerLogs on the pod’s node', async () => {
    const before = kubelet.requests.length;
    const a = await get(base, '/api/v1/namespaces/default/pods/web/log');
    assert.equal(a.code, 200);
    assert.equal(a.contentType, 'text/plain');
    assert.equal(a.body, 'one\ntwo\nthree\n');
    assert.deepEqual(kubelet.requests.slice(before), [{ path: '/containerLogs/default/web/c', query: '' }]);
  });

  const forwarded: readonly [string, string][] = [
    ['container=c&tailLines=2&timestamps=true', 'tailLines=2&timestamps=true'],
    ['previous=true&limitBytes=100&sinceSeconds=30', 'limitBytes=100&previous=true&sinceSeconds=30'],
    ['follow=false&previous=0&timestamps=FALSE', ''],
    // Go's query conversion: any value other than 0/false is true, even an empty one.
    ['timestamps=&previous=yes', 'previous=true&timestamps=true'],
    ['sinceTime=2026-01-02T03:04:05.250%2B01:00', 'sinceTime=2026-01-02T02%3A04%3A05Z'],
    ['insecureSkipTLSVerifyBackend=true&pretty=true', ''],
  ];
  for (const [query, upstream] of forwarded) {
    it(`?${query} → kubelet ?${upstream}`, async () => {
      const before = kubelet.requests.length;
      const a = await get(base, `/api/v1/namespaces/default/pods/web/log?${query}`);
      assert.equal(a.code, 200, a.body);
      assert.deepEqual(kubelet.requests.slice(before), [{ path: '/containerLogs/default/web/c', query: upstream }]);
    });
  }

  it('names the container asked for, init containers included', async () => {
    assert.equal((await get(base, '/api/v1/namespaces/default/pods/multi/log?container=b')).body, 'from b\n');
    assert.equal((await get(base, '/api/v1/namespaces/default/pods/multi/log?container=init')).body, 'from init\n');
  });

  it('an unscheduled pod has an empty log: 204, the kubelet is not asked', async () => {
    const before = kubelet.requests.length;
    const a = await get(base, '/api/v1/namespaces/default/pods/pending/log');
    assert.equal(a.code, 204);
    assert.equal(a.body, '');
    assert.equal(kubelet.requests.length, before);
  });

  const failures: readonly [string, number, string, string][] = [
    ['pods/web/log?tailLines=-1', 422, 'Invalid', 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'],
    ['pods/web/log?limitBytes=0', 422, 'Invalid', 'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: must be greater than 0'],
    ['pods/web/log?sinceSeconds=0', 422, 'Invalid', 'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0'],
    [
      'pods/web/log?sinceSeconds=10&sinceTime=2026-01-02T03:04:05Z',
      422,
      'Invalid',
      'PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    ],
    [
      'pods/web/log?tailLines=-1&limitBytes=0',
      422,
      'Invalid',
      'PodLogOptions "web" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]',
    ],
    ['pods/web/log?tailLines=ten', 400, 'BadRequest', 'strconv.ParseInt: parsing "ten": invalid syntax'],
    ['pods/web/log?limitBytes=9223372036854775808', 400, 'BadRequest', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['pods/web/log?sinceTime=2026-13-01T00:00:00Z', 400, 'BadRequest', 'parsing time "2026-13-01T00:00:00Z": month out of range'],
    ['pods/nope/log', 404, 'NotFound', 'pods "nope" not found'],
    ['pods/multi/log', 400, 'BadRequest', 'a container name must be specified for pod multi, choose one of: [init a b]'],
    ['pods/web/log?container=x', 400, 'BadRequest', 'container x is not valid for pod web'],
    ['pods/orphan/log', 404, 'NotFound', 'nodes "ghost" not found'],
    ['pods/noaddr/log', 500, '', 'no preferred addresses found; known addresses: []'],
  ];
  for (const [path, code, reason, message] of failures) {
    it(`${path} → ${code} ${reason || '(no reason)'}`, async () => {
      const a = await get(base, `/api/v1/namespaces/default/${path}`);
      assert.equal(a.code, code, a.body);
      const status = JSON.parse(a.body) as { kind: string; reason?: string; message: string; code: number };
      assert.equal(status.kind, 'Status');
      assert.equal(status.code, code);
      // Go omits an empty reason.
      assert.equal(status.reason, reason === '' ? undefined : reason);
      assert.equal(status.message, message);
    });
  }

  it('an unreachable kubelet: 500 with Go’s error text and no reason', async () => {
    const a = await get(base, '/api/v1/namespaces/default/pods/unreachable/log');
    assert.equal(a.code, 500);
    const status = JSON.parse(a.body) as { reason?: string; message: string };
    assert.equal('reason' in status, false);
    assert.equal(
      status.message,
      `Get "http://127.0.0.1:${closedPort}/containerLogs/default/unreachable/c": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
    );
  });

  const kubeletAnswers: readonly [number, string, number, string, string][] = [
    [400, 'container "c" in pod "web" is waiting to start: ContainerCreating', 400, 'BadRequest', 'container "c" in pod "web" is waiting to start: ContainerCreating'],
    [404, 'no such container', 404, 'NotFound', 'the server could not find the requested resource ( pods/log web)'],
    [500, 'runtime down', 500, 'InternalError', 'Internal error occurred: runtime down'],
    [503, 'busy', 503, 'ServiceUnavailable', 'the server is currently unable to handle the request ( pods/log web)'],
    [418, 'teapot', 418, '', 'the server responded with the status code 418 but did not return more information ( pods/log web)'],
  ];
  for (const [kubeletCode, kubeletBody, code, reason, message] of kubeletAnswers) {
    it(`the kubelet answering ${kubeletCode} → ${code} ${reason || '(no reason)'}`, async () => {
      kubelet.setFailure('default', 'web', 'c', { code: kubeletCode, body: kubeletBody });
      try {
        const a = await get(base, '/api/v1/namespaces/default/pods/web/log');
        assert.equal(a.code, code);
        const status = JSON.parse(a.body) as { reason?: string; message: string };
        assert.equal(status.reason, reason === '' ? undefined : reason);
        assert.equal(status.message, message);
      } finally {
        kubelet.clearFailure('default', 'web', 'c');
      }
    });
  }

  it('follow=true streams lines as the kubelet writes them and ends when it ends', async () => {
    const s = await open(base, '/api/v1/namespaces/default/pods/web/log?follow=true');
    assert.equal(s.res.statusCode, 200);
    assert.equal(s.res.headers['content-type'], 'text/plain');
    await kubelet.until(() => kubelet.followerCount('default', 'web', 'c') === 1);
    kubelet.append('default', 'web', 'c', 'four');
    const first = await readUntil(s.res, (t) => t.includes('four\n'));
    assert.equal(first, 'one\ntwo\nthree\nfour\n');
    kubelet.append('default', 'web', 'c', 'five');
    const ended = new Promise<string>((resolve) => {
      let rest = '';
      s.res.on('data', (c: Buffer) => (rest += c.toString('utf8')));
      s.res.on('end', () => resolve(rest));
    });
    kubelet.endFollowers('default', 'web', 'c');
    assert.equal(await ended, 'five\n');
  });

  it('the client hanging up aborts the kubelet request', async () => {
    const closedBefore = kubelet.closedFollowers;
    const s = await open(base, '/api/v1/namespaces/default/pods/web/log?follow=true');
    await readUntil(s.res, (t) => t.includes('three\n'));
    assert.equal(kubelet.followerCount('default', 'web', 'c'), 1);
    s.close();
    await kubelet.until(() => kubelet.closedFollowers === closedBefore + 1);
    assert.equal(kubelet.followerCount('default', 'web', 'c'), 0);
  });

  it('applies backpressure: a client that does not read stops the kubelet’s writes, and then gets every byte', async () => {
    // A kubelet of its own whose writer waits for 'drain', counting what it has written.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunksMax = 1024; // 64 MiB if nothing held it back
    let written = 0;
    const slow = createServer((_req, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const writeMore = (): void => {
        while (written < chunksMax) {
          written++;
          if (!res.write(chunk)) {
            res.once('drain', writeMore);
            return;
          }
        }
        res.end();
      };
      writeMore();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    let hangUp = (): void => undefined;
    try {
      const port = (slow.address() as AddressInfo).port;
      await server.registry.create(nodes, '', node('slow', port, [{ type: 'InternalIP', address: '127.0.0.1' }]));
      await server.registry.create(pods, 'default', pod('flood', 'slow', ['c']));
      const s = await open(base, '/api/v1/namespaces/default/pods/flood/log');
      hangUp = s.close;
      s.res.pause();
      // Wait until the kubelet's writes stop (bounded: 50 rounds); the count is what is checked.
      for (let round = 0, last = -1; round < 50 && written !== last; round++) {
        last = written;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Socket buffers on both hops hold a few MiB at most; without backpressure all 64 MiB go.
      assert.ok(written < chunksMax / 4, `the kubelet wrote ${written} chunks to a client that read none`);
      let received = 0;
      s.res.on('data', (c: Buffer) => (received += c.length));
      s.res.resume();
      await new Promise<void>((r) => s.res.once('end', () => r()));
      assert.equal(received, chunk.length * chunksMax);
    } finally {
      hangUp(); // on a failure, a paused stream would keep the API server from closing
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });
});
