#!/usr/bin/env node
// The `cox` command.
import { Command, InvalidArgumentError } from 'commander';
import { runUp } from './up.js';

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
  .action(async (opts: { dataDir: string; port: number; host: string; kubeconfig?: string }) => {
    process.exitCode = await runUp(opts);
  });

await program.parseAsync(process.argv);
