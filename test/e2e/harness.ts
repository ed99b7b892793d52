// Shared set-up for end-to-end tests: a real API server on a free loopback port with a temporary
// data directory, and a kubectl runner bound to its kubeconfig.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer, type StartApiServerOptions } from '../../src/net/server/api-server.js';

/** Why kubectl tests cannot run here, or undefined when they can. */
export function kubectlMissing(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    return 'kubectl is not installed (apt-get install -y kubernetes-client); skipping kubectl end-to-end tests';
  }
  return undefined;
}

export interface TestCluster {
  readonly server: RunningApiServer;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`); the caller kills it. */
  spawnKubectl(args: readonly string[]): Background;
  close(): Promise<void>;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function startTestCluster(options: Partial<StartApiServerOptions> = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cox-e2e-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0, ...options });
  // A HOME of its own: kubectl caches discovery under $HOME/.kube.
  const env = { ...process.env, KUBECONFIG: server.kubeconfigPath, HOME: dir };
  return {
    server,
    dir,
    env,
    kubectl(args, input) {
      return new Promise((resolve) => {
        const child = execFile('kubectl', [...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        });
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    spawnKubectl(args) {
      return new Background(spawn('kubectl', [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running process whose output is collected from the start, so no line is missed. */
export class Background {
  private out = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    const collect = (d: Buffer): void => {
      this.out += d.toString();
      for (const w of this.waiters) w();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /** Everything printed so far (stdout and stderr). */
  get output(): string {
    return this.out;
  }

  /** Resolves with the output once `predicate` holds for it; rejects after `ms`. */
  waitFor(predicate: (out: string) => boolean, ms = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.out)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.out);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for output; got:\n${this.out}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  kill(): void {
    this.child.kill();
  }
}
