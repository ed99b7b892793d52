#!/usr/bin/env node
// The `cox` command.
import { Command, InvalidArgumentError } from 'commander';
import { runUp } from './up.js';
import { runScheduler } from './scheduler.js';
import { parseGoDuration } from './duration.js';

function workerCount(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 64) throw new InvalidArgumentError('must be a number of worker threads (0 to 64)');
  return n;
}

function eventTtl(value: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  if (ms < 0) throw new InvalidArgumentError('must not be negative (0 keeps Events)');
  return Math.round(ms);
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

const program = new Command();
program
  .name('cox')
  .description('Coxswain: a container orchestrator in the Kubernetes model, built for speed.')
  .showHelpAfterError();

program
  .command('up')
  .description('run the cluster on the embedded store: the Kubernetes API for kubectl and client libraries')
  .option('--data-dir <dir>', 'data directory of the embedded store', '.cox/data')
  .option('--port <port>', 'port to serve the API on (0 picks a free port)', portNumber, 6443)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--kubeconfig <path>', 'where to write the kubeconfig (default <data-dir>/kubeconfig)')
  .option('--no-scheduler', 'do not run the scheduler in this process')
  .option('--scheduler-config <file>', 'KubeSchedulerConfiguration YAML: profiles, plugins, weights')
  .option('--scheduler-workers <n>', 'worker threads that filter and score nodes', workerCount)
  .option('--event-ttl <duration>', 'how long an Event is kept after its last write, as kube-apiserver --event-ttl (1h0m0s; 0 keeps them)', eventTtl)
  .option('--record-results', "annotate each scheduled pod with its per-node filter and score results (kube-scheduler-simulator's format; costly)")
  .action(
    async (opts: {
      dataDir: string;
      port: number;
      host: string;
      kubeconfig?: string;
      scheduler: boolean;
      schedulerConfig?: string;
      schedulerWorkers?: number;
      recordResults?: boolean;
      eventTtl?: number;
    }) => {
      const { eventTtl: eventTtlMs, ...rest } = opts;
      process.exitCode = await runUp({ ...rest, ...(eventTtlMs === undefined ? {} : { eventTtlMs }) });
    },
  );

program
  .command('scheduler')
  .description('run the scheduler against an API server: watch pods and nodes, bind through pods/binding')
  .option('--server <url>', 'the API server, e.g. http://127.0.0.1:6443 (overrides the kubeconfig\'s)')
  .option('--kubeconfig <path>', 'connect as this kubeconfig says: server, CA, client certificate, token')
  .option('--context <name>', 'the kubeconfig context to use (default its current-context)')
  .option('--config <file>', 'KubeSchedulerConfiguration YAML: profiles, plugins, weights')
  .option('--workers <n>', 'worker threads that filter and score nodes', workerCount)
  .option('--json', 'speak JSON to the server instead of msgpack (for servers other than Coxswain)')
  .option('--record-results', "annotate each scheduled pod with its per-node filter and score results (kube-scheduler-simulator's format; costly)")
  .action(async (opts: { server?: string; kubeconfig?: string; context?: string; config?: string; workers?: number; json?: boolean; recordResults?: boolean }) => {
    process.exitCode = await runScheduler({
      ...(opts.server === undefined ? {} : { server: opts.server }),
      ...(opts.kubeconfig === undefined ? {} : { kubeconfig: opts.kubeconfig }),
      ...(opts.context === undefined ? {} : { context: opts.context }),
      ...(opts.config === undefined ? {} : { config: opts.config }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.json === true ? { encoding: 'json' as const } : {}),
      ...(opts.recordResults === true ? { recordResults: true } : {}),
    });
  });

await program.parseAsync(process.argv);
