// A real etcd server to compare against: one member on loopback, its data in a fresh temp dir,
// started from the installed binary (Debian: `apt-get install etcd-server`, 3.4) and stopped by pid.
//
//   const etcd = await startEtcd();          // EtcdNotInstalledError if there is no binary
//   try { …etcd.endpoint… } finally { await etcd.stop(); }
//
// Ports are free ones picked by the kernel; if another process grabs one between our probe and
// etcd's bind, the start is retried on new ports. etcd runs with its defaults (fsync on every
// commit, as in production): the point is to compare durable writes with durable writes.
// stop() is also registered as a cleanup (SIGINT, SIGTERM) and the process is SIGKILLed at exit
// if still running, so no etcd outlives the benchmark.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, onCleanup } from './cleanup.js';

export class EtcdNotInstalledError extends Error {
  readonly code = 'COX_BENCH_ETCD_NOT_INSTALLED';
  constructor() {
    super('etcd is not installed (no `etcd` on PATH and ETCD_BIN unset); on Debian: apt-get install etcd-server');
    this.name = 'EtcdNotInstalledError';
  }
}

export class EtcdStartError extends Error {
  readonly code = 'COX_BENCH_ETCD_START';
  constructor(message: string, readonly logTail: string) {
    super(`${message}${logTail === '' ? '' : `\n--- etcd log (last lines) ---\n${logTail}`}`);
    this.name = 'EtcdStartError';
  }
}

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123. */
  readonly endpoint: string;
  readonly pid: number;
  /** The temp dir holding data/ and etcd.log; removed by stop(). */
  readonly dir: string;
  readonly version: string;
  /** True until the process has exited. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL if it has not exited in time; then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** The etcd binary (default: ETCD_BIN, else `etcd` on PATH). */
  readonly binary?: string;
  /** How long to wait for /health to answer true (default 20 s). */
  readonly startTimeoutMs?: number;
  /** Extra command-line flags, e.g. ['--quota-backend-bytes=8589934592']. */
  readonly extraArgs?: readonly string[];
}

const stopGraceMs = 5_000;
const healthPollMs = 50;
const startAttemptsMax = 3;

/** The etcd binary to use, or undefined if there is none. */
export function findEtcdBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['ETCD_BIN'];
  const candidates = explicit !== undefined && explicit !== ''
    ? [explicit]
    : (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'etcd'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}

/** `etcd --version` → "3.4.23"; "unknown" if the output has no version line. EtcdStartError if it fails. */
export function etcdVersion(binary: string): string {
  let out: string;
  try {
    out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new EtcdStartError(
      `\`${binary} --version\` failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      typeof stderr === 'string' ? stderr.trim() : '',
    );
  }
  return /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
}

/** Ports the kernel considers free on 127.0.0.1 right now (all distinct). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function readTail(path: string, linesMax = 20): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    return lines.slice(-linesMax).join('\n');
  } catch {
    return '';
  }
}

// The environment for etcd: ours minus ETCD_* variables, which etcd reads as flags.
function etcdEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ETCD_')) env[key] = value;
  return env;
}

class RunningEtcd implements EtcdServer {
  private exited = false;
  private readonly exitedPromise: Promise<void>;
  private stopping: Promise<void> | undefined;
  private readonly unregisterCleanup: () => void;
  private readonly killAtExit = (): void => {
    // Synchronous, last resort (process.exit without stop()): the event loop is gone, so no
    // waiting for the exit; the files are removed best-effort.
    if (!this.exited) this.child.kill('SIGKILL');
    try {
      this.removeDir();
    } catch {
      // etcd may still be closing its files; nothing more can be done at exit
    }
  };

  constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly endpoint: string,
    readonly dir: string,
    readonly version: string,
    private readonly removeDir: () => void,
  ) {
    this.exitedPromise = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.exited = true;
        resolve();
        return;
      }
      child.once('exit', () => {
        this.exited = true;
        resolve();
      });
    });
    process.once('exit', this.killAtExit);
    this.unregisterCleanup = onCleanup(() => this.stop());
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Resolves when the process has exited, or after `ms`; true if it exited. */
  async waitExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    const timer = sleep(ms, false, { ref: false });
    return Promise.race([this.exitedPromise.then(() => true), timer]);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unregisterCleanup();
      try {
        if (!this.exited) {
          process.kill(this.pid, 'SIGTERM');
          if (!(await this.waitExit(stopGraceMs))) {
            process.kill(this.pid, 'SIGKILL');
            if (!(await this.waitExit(stopGraceMs))) {
              throw new Error(`etcd (pid ${this.pid}) did not exit after SIGKILL; its data is left in ${this.dir}`);
            }
          }
        }
        this.removeDir();
      } finally {
        process.removeListener('exit', this.killAtExit);
      }
    })();
    return this.stopping;
  }
}

async function isHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { health?: unknown };
    return response.ok && body.health === 'true';
  } catch {
    return false;
  }
}

async function startOnce(binary: string, version: string, options: StartEtcdOptions): Promise<RunningEtcd> {
  const tmp = makeTempDir('cox-etcd-');
  const logPath = join(tmp.path, 'etcd.log');
  let etcd: RunningEtcd | undefined;
  try {
    const [clientPort, peerPort] = await freePorts(2);
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const args = [
      '--name=default',
      `--data-dir=${join(tmp.path, 'data')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-outputs=stderr',
      '--log-level=warn',
      ...(options.extraArgs ?? []),
    ];
    const logFd = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, args, { stdio: ['ignore', logFd, logFd], env: etcdEnv() });
    } finally {
      closeSync(logFd); // the child has its own copy
    }
    const pid = child.pid;
    if (pid === undefined) {
      // spawn failed (ENOENT, EACCES); the error event says why.
      const reason = await new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
      throw new EtcdStartError(`could not start ${binary}: ${reason}`, '');
    }
    etcd = new RunningEtcd(child, pid, endpoint, tmp.path, version, tmp.remove);

    const deadlineMs = Date.now() + (options.startTimeoutMs ?? 20_000);
    while (!(await isHealthy(endpoint))) {
      if (!etcd.running) {
        throw new EtcdStartError(`etcd exited during startup (code ${String(child.exitCode)})`, readTail(logPath));
      }
      if (Date.now() >= deadlineMs) {
        throw new EtcdStartError(`etcd did not become healthy within ${options.startTimeoutMs ?? 20_000} ms`, readTail(logPath));
      }
      await sleep(healthPollMs);
    }
    return etcd;
  } catch (error) {
    if (etcd !== undefined) await etcd.stop();
    else tmp.remove();
    throw error;
  }
}

/**
 * Starts a one-member etcd on loopback in a fresh temp dir and waits until it is healthy.
 * EtcdNotInstalledError if there is no binary; EtcdStartError (with the log's tail) if it fails.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? findEtcdBinary();
  if (binary === undefined) throw new EtcdNotInstalledError();
  const version = etcdVersion(binary);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, version, options);
    } catch (error) {
      // A port taken between our probe and etcd's bind: try again on new ports.
      const portRace = error instanceof EtcdStartError && /address already in use/.test(error.logTail);
      if (!portRace || attempt >= startAttemptsMax) throw error;
    }
  }
}
