// metadata.remainingItemCount of paginated LISTs over HTTP, as kube-apiserver sends it: on every
// page with a continue token, the items after that page at the list's revision; absent on the
// last page and whenever a label or field selector is given. JSON, msgpack and Table alike, and
// as @kubernetes/client-node reads it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpack } from 'msgpackr';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type RunningApiServer } from '../../../src/net/server/api-server.js';

interface ListMetaSeen {
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

interface Page {
  readonly metadata: ListMetaSeen;
  readonly names: readonly string[];
}

const jsonAccept = 'application/json';
const msgpackAccept = 'application/vnd.coxswain.msgpack';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('remainingItemCount over HTTP', () => {
  let server: RunningApiServer;
  let dir: string;
  const podCount = 23;
  const ns = 'ric';

  async function call(method: string, path: string, accept = jsonAccept, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const init: RequestInit = { method, headers: { Accept: accept, 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(server.url + path, init);
    const buf = Buffer.from(await r.arrayBuffer());
    const ct = r.headers.get('content-type') ?? '';
    const parsed = ct.includes('msgpack') ? (unpack(buf) as Record<string, unknown>) : (JSON.parse(buf.toString()) as Record<string, unknown>);
    return { status: r.status, body: parsed };
  }

  function podBody(i: number): unknown {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${String(i).padStart(2, '0')}`, labels: { parity: i % 2 === 0 ? 'even' : 'odd' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cox-ric-'));
    server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
    assert.equal((await call('POST', '/api/v1/namespaces', jsonAccept, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
    for (let i = 0; i < podCount; i++) {
      assert.equal((await call('POST', `/api/v1/namespaces/${ns}/pods`, jsonAccept, podBody(i))).status, 201);
    }
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One page in any of the three shapes. */
  async function page(path: string, accept: string): Promise<Page> {
    const r = await call('GET', path, accept);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const metadata = r.body['metadata'] as ListMetaSeen;
    if (accept === tableAccept) {
      assert.equal(r.body['kind'], 'Table');
      const rows = r.body['rows'] as { cells: unknown[] }[];
      return { metadata, names: rows.map((row) => String(row.cells[0])) };
    }
    const items = r.body['items'] as { metadata: { name: string } }[];
    return { metadata, names: items.map((o) => o.metadata.name) };
  }

  /** Pages through `base` (a list path with its query) `limit` at a time; returns every page. */
  async function pages(base: string, limit: number, accept: string, between?: () => Promise<void>): Promise<Page[]> {
    const out: Page[] = [];
    let token = '';
    for (let i = 0; i < 100; i++) {
      const sep = base.includes('?') ? '&' : '?';
      const p = await page(`${base}${sep}limit=${limit}${token === '' ? '' : `&continue=${encodeURIComponent(token)}`}`, accept);
      out.push(p);
      token = p.metadata.continue ?? '';
      if (token === '') return out;
      await between?.();
    }
    assert.fail('more than 100 pages');
  }

  const shapes = [
    { label: 'JSON', accept: jsonAccept },
    { label: 'msgpack', accept: msgpackAccept },
    { label: 'Table', accept: tableAccept },
  ];

  test('every page but the last says how many items follow it, in JSON, msgpack and Table', async () => {
    for (const { label, accept } of shapes) {
      for (const limit of [1, 5, 10, 22]) {
        const got = await pages(`/api/v1/namespaces/${ns}/pods`, limit, accept);
        assert.equal(got.length, Math.ceil(podCount / limit), `${label} limit ${limit}`);
        let seen = 0;
        for (const [i, p] of got.entries()) {
          seen += p.names.length;
          if (i === got.length - 1) {
            assert.equal(p.metadata.continue, undefined);
            assert.equal('remainingItemCount' in p.metadata, false, `${label} limit ${limit}: none on the last page`);
          } else {
            assert.equal(p.names.length, limit);
            assert.equal(p.metadata.remainingItemCount, podCount - seen, `${label} limit ${limit} page ${i}`);
          }
        }
        assert.equal(seen, podCount);
      }
    }
  });

  test('the count is at the list\'s revision while pods are created and deleted between pages', async () => {
    let next = 100;
    let deleted = false;
    const churn = async (): Promise<void> => {
      assert.equal((await call('POST', `/api/v1/namespaces/${ns}/pods`, jsonAccept, podBody(next++))).status, 201);
      if (!deleted) {
        assert.equal((await call('DELETE', `/api/v1/namespaces/${ns}/pods/p00?gracePeriodSeconds=0`, jsonAccept)).status, 200);
        deleted = true;
      }
    };
    const got = await pages(`/api/v1/namespaces/${ns}/pods`, 4, jsonAccept, churn);
    const rv = got[0]?.metadata.resourceVersion;
    let seen = 0;
    for (const [i, p] of got.entries()) {
      assert.equal(p.metadata.resourceVersion, rv, 'every page at the first page\'s revision');
      seen += p.names.length;
      if (i < got.length - 1) assert.equal(p.metadata.remainingItemCount, podCount - seen, `page ${i}`);
    }
    assert.equal(seen, podCount, 'the list is the state at its revision');
    // Put the namespace back as it was for the other tests.
    for (let i = 100; i < next; i++) await call('DELETE', `/api/v1/namespaces/${ns}/pods/p${i}?gracePeriodSeconds=0`);
    assert.equal((await call('POST', `/api/v1/namespaces/${ns}/pods`, jsonAccept, podBody(0))).status, 201);
  });

  test('the count covers every namespace in a list across namespaces', async () => {
    const all = await page('/api/v1/pods', jsonAccept);
    const total = (all.names as readonly string[]).length;
    assert.ok(total >= podCount);
    const first = await page('/api/v1/pods?limit=3', jsonAccept);
    assert.equal(first.metadata.remainingItemCount, total - 3);
  });

  test('no count with a label or field selector, on any page', async () => {
    const selectors = [
      'labelSelector=parity%3Deven',
      'fieldSelector=metadata.namespace%3Dric',
      'fieldSelector=spec.nodeName%3D',
      'labelSelector=parity&fieldSelector=status.phase!%3DFailed',
    ];
    for (const q of selectors) {
      for (const { label, accept } of shapes) {
        const got = await pages(`/api/v1/namespaces/${ns}/pods?${q}`, 3, accept);
        assert.ok(got.length > 1, `${q}: paginated`);
        for (const p of got) assert.equal('remainingItemCount' in p.metadata, false, `${label} ${q}`);
      }
    }
    // An empty selector selects everything: the count is there.
    const empty = await page(`/api/v1/namespaces/${ns}/pods?labelSelector=&fieldSelector=&limit=3`, jsonAccept);
    assert.equal(empty.metadata.remainingItemCount, podCount - 3);
  });

  test('the in-process list carries it too', async () => {
    const list = await server.registry.list({ group: '', version: 'v1', plural: 'pods' }, ns, { limit: 20 });
    assert.equal(list.items.length, 20);
    assert.equal(list.metadata.remainingItemCount, podCount - 20);
    const rest = await server.registry.list({ group: '', version: 'v1', plural: 'pods' }, ns, { limit: 20, continue: list.metadata.continue ?? '' });
    assert.equal(rest.metadata.remainingItemCount, undefined);
  });

  test('@kubernetes/client-node reads it from listNamespacedPod with a limit', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await core.listNamespacedPod({ namespace: ns, limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.metadata?.remainingItemCount, podCount - 10);
    const second = await core.listNamespacedPod({ namespace: ns, limit: 10, _continue: first.metadata?._continue ?? '' });
    assert.equal(second.metadata?.remainingItemCount, podCount - 20);
    const last = await core.listNamespacedPod({ namespace: ns, limit: 10, _continue: second.metadata?._continue ?? '' });
    assert.equal(last.items.length, podCount - 20);
    assert.equal(last.metadata?.remainingItemCount, undefined);
    const selected = await core.listNamespacedPod({ namespace: ns, limit: 10, labelSelector: 'parity=odd' });
    assert.ok(selected.metadata?._continue !== undefined);
    assert.equal(selected.metadata?.remainingItemCount, undefined);
  });
});
