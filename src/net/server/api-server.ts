// Assembles the API server: the LMDB store, the watch hub with one cache per kind, the registry,
// the HTTP server, the bootstrap objects, and a kubeconfig for kubectl. `cox up` runs this; the
// end-to-end tests and the API benchmark start it on a free port with a temporary directory.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { kinds, kindByResource } from '../../core/api/kinds.js';
import type { KubeObject } from '../../core/api/types.js';
import { builtinPriorityClasses } from '../../core/api/defaults/pod.js';
import { isStatusError } from '../../core/errors.js';
import { openLmdbStore, type LmdbStore } from '../../core/store/lmdb-store.js';
import { WatchHub } from '../../watch/hub.js';
import type { WatchCache, WatchCacheOptions } from '../../watch/cache.js';
import { ApiServer, type OpenApiProvider } from './http-server.js';
import { OpenAPIDocuments } from './openapi.js';
import { Registry } from './registry/registry.js';

export interface StartApiServerOptions {
  /** Data directory of the embedded store. */
  readonly dataDir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Where to write the kubeconfig (default `<dataDir>/kubeconfig`). */
  readonly kubeconfigPath?: string;
  readonly openapi?: OpenApiProvider;
  readonly historyWindowMs?: number;
  /** Options of every watch cache (history ring size, watcher buffers…). */
  readonly watchCache?: WatchCacheOptions;
  /** Watch timeout when a client gives none (default 30 minutes, randomized up to 2×). */
  readonly watchTimeoutSecondsDefault?: number;
  /** Events are deleted this long after their last write (kube-apiserver --event-ttl; default limits.eventTtlMs, 1 h; 0: never). */
  readonly eventTtlMs?: number;
  readonly onInternalError?: (error: unknown) => void;
}

export interface RunningApiServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly registry: Registry;
  readonly store: LmdbStore<KubeObject>;
  readonly hub: WatchHub;
  /** Graceful stop: ends watches, waits for requests in flight, closes the store. */
  close(): Promise<void>;
}

/** The namespaces kube-apiserver keeps in existence. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function startApiServer(options: StartApiServerOptions): Promise<RunningApiServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir);
  const store = await openLmdbStore<KubeObject>({
    path: dataDir,
    ...(options.historyWindowMs === undefined ? {} : { historyWindowMs: options.historyWindowMs }),
  });
  let hub: WatchHub | undefined;
  let api: ApiServer | undefined;
  try {
    hub = new WatchHub(store, options.watchCache === undefined ? {} : { cache: options.watchCache });
    for (const kind of kinds) hub.register(kind);
    await hub.start();
    const caches = hub;
    const registry = new Registry({
      store,
      caches: {
        cacheFor(kind): WatchCache {
          const cache = caches.cacheFor(kind);
          if (cache === undefined) throw new Error(`invariant: no watch cache for ${kind.plural}`);
          return cache;
        },
      },
      ...(options.eventTtlMs === undefined ? {} : { eventTtlMs: options.eventTtlMs }),
    });
    await bootstrap(registry);
    api = new ApiServer({
      registry,
      openapi: options.openapi ?? new OpenAPIDocuments(kinds),
      ...(options.watchTimeoutSecondsDefault === undefined ? {} : { watchTimeoutSecondsDefault: options.watchTimeoutSecondsDefault }),
      ...(options.onInternalError === undefined ? {} : { onInternalError: options.onInternalError }),
    });
    const address = await api.listen(options.port ?? 6443, host);
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${urlHost}:${address.port}`;
    const kubeconfigPath = resolve(options.kubeconfigPath ?? `${dataDir}/kubeconfig`);
    writeKubeconfig(kubeconfigPath, url);
    const server = api;
    const watchHub = hub;
    let closed: Promise<void> | undefined;
    return {
      url,
      host,
      port: address.port,
      kubeconfigPath,
      registry,
      store,
      hub,
      close(): Promise<void> {
        closed ??= (async () => {
          await server.close();
          registry.close();
          watchHub.close();
          await store.close();
        })();
        return closed;
      },
    };
  } catch (e) {
    await api?.close().catch(() => undefined);
    hub?.close();
    await store.close().catch(() => undefined);
    throw e;
  }
}

/** Creates what kube-apiserver ensures on start: system namespaces, the `kubernetes` Service. */
const systemPriorityClassDescriptions: Readonly<Record<string, string>> = {
  'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
  'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
};

async function bootstrap(registry: Registry): Promise<void> {
  for (const name of systemNamespaces) {
    await ignoreAlreadyExists(
      registry.create({ group: '', version: 'v1', plural: 'namespaces' }, '', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      }),
    );
  }
  // kube-apiserver's system PriorityClasses (AddSystemPriorityClasses), listed by `kubectl get pc`.
  for (const [name, value] of builtinPriorityClasses) {
    await ignoreAlreadyExists(
      registry.create({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' }, '', {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name },
        value,
        description: systemPriorityClassDescriptions[name] ?? '',
      } as KubeObject),
    );
  }
  const svcKind = kindByResource('', 'services');
  if (svcKind !== undefined && registry.cacheOf(svcKind).get('default', 'kubernetes') === undefined) {
    await ignoreAlreadyExists(
      registry.create({ group: '', version: 'v1', plural: 'services' }, 'default', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP',
          clusterIP: registry.clusterIps.apiServerIp,
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
          sessionAffinity: 'None',
        },
      }),
    );
  }
}

async function ignoreAlreadyExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (isStatusError(e) && e.reason === 'AlreadyExists') return;
    throw e;
  }
}

/**
 * A kubeconfig for this server. `insecure-skip-tls-verify` is there for
 * @kubernetes/client-node, which refuses plain-HTTP clusters without it; kubectl ignores it.
 */
export function writeKubeconfig(path: string, url: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: coxswain',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'contexts:',
      '- name: coxswain',
      '  context:',
      '    cluster: coxswain',
      '    user: coxswain',
      '    namespace: default',
      'current-context: coxswain',
      'users:',
      '- name: coxswain',
      '  user: {}',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}
