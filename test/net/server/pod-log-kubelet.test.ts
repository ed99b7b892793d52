// Where the API server finds a node's kubelet endpoint (node-proxy.ts), and the HTTPS path a
// real kubelet takes: a self-signed certificate is accepted, as kube-apiserver accepts it when
// no kubelet CA is configured.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Node } from '../../../src/core/api/types.js';
import {
  kubeletConnection,
  kubeletPortDefault,
  kubeletSchemeAnnotation,
  kubeletUrl,
  streamFromKubelet,
  UnknownReasonError,
  type KubeletConnection,
} from '../../../src/net/server/node-proxy.js';

function nodeWith(addresses: { type: string; address: string }[], port?: number, annotations?: Record<string, string>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n', ...(annotations === undefined ? {} : { annotations }) },
    status: { addresses, ...(port === undefined ? {} : { daemonEndpoints: { kubeletEndpoint: { Port: port } } }) },
  };
}

describe('kubeletConnection', () => {
  const cases: readonly [string, Node, KubeletConnection][] = [
    [
      'InternalIP before Hostname and ExternalIP, the reported port, http by annotation',
      nodeWith(
        [
          { type: 'ExternalIP', address: '203.0.113.9' },
          { type: 'Hostname', address: 'n.example' },
          { type: 'InternalIP', address: '127.0.0.2' },
        ],
        10255,
        { [kubeletSchemeAnnotation]: 'http' },
      ),
      { scheme: 'http', host: '127.0.0.2', port: 10255 },
    ],
    ['Hostname when there is no InternalIP', nodeWith([{ type: 'ExternalIP', address: '203.0.113.9' }, { type: 'Hostname', address: 'n.example' }], 1), { scheme: 'https', host: 'n.example', port: 1 }],
    ['the first address of a type wins', nodeWith([{ type: 'InternalIP', address: '127.0.0.3' }, { type: 'InternalIP', address: '127.0.0.4' }]), { scheme: 'https', host: '127.0.0.3', port: kubeletPortDefault }],
    ['no port reported, or 0 → 10250', nodeWith([{ type: 'InternalDNS', address: 'n.internal' }], 0), { scheme: 'https', host: 'n.internal', port: 10250 }],
    ['any other annotation value → https', nodeWith([{ type: 'ExternalDNS', address: 'n.public' }], 443, { [kubeletSchemeAnnotation]: 'HTTP' }), { scheme: 'https', host: 'n.public', port: 443 }],
  ];
  for (const [name, node, expected] of cases) {
    it(name, () => assert.deepEqual(kubeletConnection(node), expected));
  }

  it('no address of a known type: kube-apiserver’s error, no reason', () => {
    assert.throws(
      () => kubeletConnection(nodeWith([{ type: 'Weird', address: 'x' }])),
      (e: unknown) => e instanceof UnknownReasonError && e.status.code === 500 && e.status.reason === '' && e.message === 'no preferred addresses found; known addresses: [{Weird x}]',
    );
  });

  it('kubeletUrl brackets IPv6 hosts', () => {
    assert.equal(kubeletUrl({ scheme: 'https', host: '::1', port: 10250 }, '/containerLogs/a/b/c', 'follow=true'), 'https://[::1]:10250/containerLogs/a/b/c?follow=true');
    assert.equal(kubeletUrl({ scheme: 'http', host: '127.0.0.1', port: 1 }, '/x', ''), 'http://127.0.0.1:1/x');
  });
});

const openssl = spawnSync('openssl', ['version']);
const noOpenssl = openssl.error !== undefined || openssl.status !== 0 ? 'openssl is not installed; skipping the HTTPS kubelet test' : undefined;

describe('a kubelet over HTTPS', { skip: noOpenssl }, () => {
  it('is read with its self-signed certificate unverified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cox-kubelet-tls-'));
    try {
      const made = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubelet',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ]);
      assert.equal(made.status, 0, made.stderr.toString());
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`log of ${req.url ?? ''}\n`);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        // A ServerResponse over an in-memory socket collects what the client would receive.
        const socket = new PassThrough() as unknown as Socket;
        let wire = '';
        (socket as unknown as PassThrough).on('data', (c: Buffer) => (wire += c.toString('utf8')));
        const res = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as never);
        res.assignSocket(socket);
        await streamFromKubelet({
          connection: { scheme: 'https', host: '127.0.0.1', port: (server.address() as AddressInfo).port },
          path: '/containerLogs/default/web/c',
          query: 'tailLines=1',
          contentType: 'text/plain',
          resource: 'pods/log',
          name: 'web',
          res,
        });
        assert.match(wire, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(wire, /\r\nContent-Type: text\/plain\r\n/);
        assert.match(wire, /log of \/containerLogs\/default\/web\/c\?tailLines=1\n/);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
