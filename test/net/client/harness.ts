// A real API server on a free loopback port with a temporary data directory, and the clients
// under test bound to it: HTTP with msgpack, HTTP with JSON, and in process on its registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/api/types.js';
import type { ClusterApi, ResourceType } from '../../../src/net/api.js';
import { HttpClient } from '../../../src/net/client/http-client.js';
import { InProcessClient } from '../../../src/net/client/in-process-client.js';
import { startApiServer, type RunningApiServer, type StartApiServerOptions } from '../../../src/net/server/api-server.js';

export const pods: ResourceType = { group: '', version: 'v1', plural: 'pods' };
export const configMaps: ResourceType = { group: '', version: 'v1', plural: 'configmaps' };
export const namespaces: ResourceType = { group: '', version: 'v1', plural: 'namespaces' };
export const deployments: ResourceType = { group: 'apps', version: 'v1', plural: 'deployments' };

export type ClientKind = 'http-msgpack' | 'http-json' | 'in-process';
export const clientKinds: readonly ClientKind[] = ['http-msgpack', 'http-json', 'in-process'];

export interface TestServer {
  readonly server: RunningApiServer;
  client(kind: ClientKind): ClusterApi;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<StartApiServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cox-client-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0, ...options });
  const https: HttpClient[] = [];
  return {
    server,
    client(kind) {
      if (kind === 'in-process') return new InProcessClient(server.registry);
      const c = new HttpClient({ url: server.url, encoding: kind === 'http-msgpack' ? 'msgpack' : 'json', connections: 8 });
      https.push(c);
      return c;
    },
    async close() {
      await Promise.all(https.map((c) => c.close()));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function configMap(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data } as KubeObject;
}

export function pod(name: string, labels: Record<string, string> = {}, nodeName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...(nodeName === undefined ? {} : { nodeName }) },
  };
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs` (a bound, not a timing assertion). */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
