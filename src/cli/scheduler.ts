// `cox scheduler --server <url> | --kubeconfig <path>`: the scheduler as its own process, watching
// pods and nodes of any Kubernetes-style API server through the HTTP client, binding through
// pods/binding.

import { readFileSync } from 'node:fs';
import { HttpClient } from '../net/client/http-client.js';
import { connectionFromKubeconfigFile, type KubeconfigConnection } from '../net/client/kubeconfig.js';
import { ConfigError } from '../scheduler/framework/errors.js';
import { parseSchedulerConfig } from '../scheduler/framework/config.js';
import { SchedulerService } from '../scheduler/service/scheduler-service.js';

export interface SchedulerCommandOptions {
  /** The API server's URL; overrides the kubeconfig's. One of server and kubeconfig is needed. */
  readonly server?: string;
  readonly kubeconfig?: string;
  /** The kubeconfig's context (default its current-context). */
  readonly context?: string;
  readonly config?: string;
  readonly workers?: number;
  readonly encoding?: 'msgpack' | 'json';
  /** Write each pod's filter and score results as kube-scheduler-simulator annotations. */
  readonly recordResults?: boolean;
}

/** Reads and checks a KubeSchedulerConfiguration file; throws a one-line message naming the field. */
export function loadSchedulerConfig(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read scheduler config ${path}: ${(e as Error).message}`);
  }
  try {
    parseSchedulerConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`invalid scheduler config ${path}: ${e.message}`);
    throw e;
  }
  return text;
}

/** Where and how to connect: the kubeconfig's server and credentials, --server over its URL. */
function connectionOf(opts: SchedulerCommandOptions): KubeconfigConnection {
  if (opts.kubeconfig === undefined) {
    if (opts.server === undefined) throw new Error('give --server or --kubeconfig');
    if (opts.context !== undefined) throw new Error('--context needs --kubeconfig');
    return { url: opts.server };
  }
  const fromFile = connectionFromKubeconfigFile(opts.kubeconfig, opts.context);
  return opts.server === undefined ? fromFile : { ...fromFile, url: opts.server };
}

export async function runScheduler(opts: SchedulerCommandOptions): Promise<number> {
  let profiles: string | undefined;
  try {
    profiles = opts.config === undefined ? undefined : loadSchedulerConfig(opts.config);
  } catch (e) {
    console.error(`cox scheduler: ${(e as Error).message}`);
    return 1;
  }
  let connection: KubeconfigConnection;
  try {
    connection = connectionOf(opts);
  } catch (e) {
    console.error(`cox scheduler: ${(e as Error).message}`);
    return 1;
  }
  const api = new HttpClient({ ...connection, ...(opts.encoding === undefined ? {} : { encoding: opts.encoding }) });
  let service: SchedulerService;
  try {
    service = new SchedulerService(api, {
      ...(profiles === undefined ? {} : { profiles }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.recordResults === true ? { recordResults: true } : {}),
      onError: (e) => console.error('cox scheduler:', e instanceof Error ? e.message : e),
    });
  } catch (e) {
    await api.close();
    if (e instanceof ConfigError) {
      console.error(`cox scheduler: invalid scheduler config ${opts.config ?? ''}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const synced = await service.start();
  if (!synced) console.error(`cox scheduler: not synced with ${opts.server} yet; retrying in the background`);
  console.error(`cox scheduler: scheduling pods of ${opts.server}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await service.stop();
  await api.close();
  console.error('cox scheduler: stopped');
  return 0;
}
