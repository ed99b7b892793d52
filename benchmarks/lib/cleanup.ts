// Cleanup that runs however a benchmark ends: normal return, thrown error, or Ctrl-C.
//
// Benchmarks start child processes (etcd) and fill temporary directories with gigabytes; neither
// may outlive the run. Each resource registers its cleanup here when it is created and removes it
// when it is released normally. On SIGINT / SIGTERM the registered cleanups run (newest first,
// bounded in time) and the process exits with 128 + the signal number, as a shell expects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Cleanup = () => Promise<void> | void;

// Insertion-ordered; run newest first, as resources are usually nested.
const cleanups = new Set<Cleanup>();
let signalHandlersInstalled = false;
let running: Promise<void> | undefined;
let interruptedBy: NodeJS.Signals | undefined;

/** The signal that interrupted the run, if any: failures after it are consequences, not causes. */
export function interruptedSignal(): NodeJS.Signals | undefined {
  return interruptedBy;
}

/** How long all cleanups together may take after a signal before the process exits anyway. */
export const signalCleanupMsMax = 10_000;

/** Registers `fn` to run on signals (and on runCleanups). Returns the function that unregisters it. */
export function onCleanup(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Runs every registered cleanup once, newest first; failures are reported on stderr, not thrown. */
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    const pending = [...cleanups].reverse();
    cleanups.clear();
    for (const fn of pending) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

const signalNumbers = { SIGINT: 2, SIGTERM: 15 } as const;

/** Makes SIGINT and SIGTERM run the cleanups, then exit. Idempotent. */
export function installSignalHandlers(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interruptedBy = signal;
      process.stderr.write(`\n${signal}: cleaning up…\n`);
      const exitCode = 128 + signalNumbers[signal];
      const timer = setTimeout(() => process.exit(exitCode), signalCleanupMsMax);
      timer.unref();
      void runCleanups().finally(() => process.exit(exitCode));
    });
  }
}

/** A new empty directory under the system temp dir, removed on cleanup. */
export function makeTempDir(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => {
    unregister();
    rmSync(path, { recursive: true, force: true });
  };
  const unregister = onCleanup(remove);
  return { path, remove };
}

/** Runs `fn` with a fresh temp dir that is removed afterwards, whether `fn` succeeds or throws. */
export async function withTempDir<R>(prefix: string, fn: (path: string) => Promise<R>): Promise<R> {
  const dir = makeTempDir(prefix);
  try {
    return await fn(dir.path);
  } finally {
    dir.remove();
  }
}
