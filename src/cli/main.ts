#!/usr/bin/env node
// The `cox` command.
import { Command } from 'commander';

const program = new Command();
program
  .name('cox')
  .description('Coxswain: a container orchestrator in the Kubernetes model, built for speed.')
  .showHelpAfterError();

program
  .command('up')
  .description('run an all-in-one cluster on the embedded store')
  .action(() => {
    // The API server lands with the API issue; until then, say what exists rather than pretend.
    console.log(
      [
        'Coxswain is under construction. Available today:',
        '  - the object model (src/core/api): kinds, quantities, selectors, defaulting, validation',
        '  - the LMDB MVCC store (src/core/store)',
        '  - benchmarks: npm run bench -- <scenario> [--json]   (scenarios: store)',
        'The API server, scheduler and controllers are not there yet; `cox up` will start them.',
      ].join('\n'),
    );
  });

await program.parseAsync(process.argv);
