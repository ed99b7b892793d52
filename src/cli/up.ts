// `cox up`: the API server on the embedded store, until SIGINT or SIGTERM.
// stdout carries one line, `KUBECONFIG=<absolute path>`, for scripts; everything else goes to
// stderr.

import { isStatusError } from '../core/errors.js';
import { StoreError } from '../core/store/store.js';
import { startApiServer } from '../net/server/api-server.js';
import { InProcessClient } from '../net/client/in-process-client.js';
import { SchedulerService } from '../scheduler/service/scheduler-service.js';
import { ConfigError } from '../scheduler/framework/errors.js';
import { loadSchedulerConfig } from './scheduler.js';

export interface UpOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly kubeconfig?: string;
  /** Run the scheduler in this process (default true). */
  readonly scheduler?: boolean;
  readonly schedulerConfig?: string;
  readonly schedulerWorkers?: number;
  /** Annotate scheduled pods with kube-scheduler-simulator's filter / score results. */
  readonly recordResults?: boolean;
  /** Events are deleted this long after their last write (default limits.eventTtlMs; 0: never). */
  readonly eventTtlMs?: number;
}

export async function runUp(opts: UpOptions): Promise<number> {
  let profiles: string | undefined;
  try {
    profiles = opts.schedulerConfig === undefined ? undefined : loadSchedulerConfig(opts.schedulerConfig);
  } catch (e) {
    console.error(`cox up: ${(e as Error).message}`);
    return 1;
  }
  let server;
  try {
    server = await startApiServer({
      dataDir: opts.dataDir,
      host: opts.host,
      port: opts.port,
      ...(opts.kubeconfig === undefined ? {} : { kubeconfigPath: opts.kubeconfig }),
      ...(opts.eventTtlMs === undefined ? {} : { eventTtlMs: opts.eventTtlMs }),
      onInternalError: (e) => console.error('cox: internal error:', e),
    });
  } catch (e) {
    console.error(`cox up: ${describeStartError(e, opts)}`);
    return 1;
  }
  // Components talk to the cluster through the in-process client: no sockets, no encoding.
  let scheduler: SchedulerService | undefined;
  if (opts.scheduler !== false) {
    try {
      scheduler = new SchedulerService(new InProcessClient(server.registry), {
        ...(profiles === undefined ? {} : { profiles }),
        ...(opts.schedulerWorkers === undefined ? {} : { workers: opts.schedulerWorkers }),
        ...(opts.recordResults === true ? { recordResults: true } : {}),
        onError: (e) => console.error('cox: scheduler:', e instanceof Error ? e.message : e),
      });
    } catch (e) {
      await server.close();
      if (e instanceof ConfigError) {
        console.error(`cox up: invalid scheduler config ${opts.schedulerConfig ?? ''}: ${e.message}`);
        return 1;
      }
      throw e;
    }
    await scheduler.start();
  }
  console.log(`KUBECONFIG=${server.kubeconfigPath}`);
  console.error(`cox: serving the Kubernetes API at ${server.url} (data in ${opts.dataDir})`);
  console.error(`cox: try  export KUBECONFIG=${server.kubeconfigPath}; kubectl get namespaces`);

  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      console.error(`cox: ${signal}: stopping`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const stopping = scheduler === undefined ? Promise.resolve() : scheduler.stop();
      stopping
        .then(() => running.close())
        .then(resolve, (e: unknown) => {
          console.error('cox: error while stopping:', e);
          resolve();
        });
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  console.error('cox: stopped');
  return 0;
}

function describeStartError(e: unknown, opts: UpOptions): string {
  if (e instanceof StoreError) return e.message;
  if (isStatusError(e)) return e.message;
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE') return `port ${opts.port} on ${opts.host} is in use; choose another with --port (0 picks a free one)`;
  if (code === 'EACCES') return `not allowed to listen on ${opts.host}:${opts.port}`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${opts.host}: no such local address`;
  return e instanceof Error ? e.message : String(e);
}
