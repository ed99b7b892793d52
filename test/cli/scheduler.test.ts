// `cox scheduler --kubeconfig`: the scheduler as its own process, connected the way the kubeconfig
// `cox up` writes says, binds a pending pod to a node; bad connection flags are refused.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cox-scheduler-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function post(url: string, body: unknown): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 201, await r.text());
}

test('cox scheduler --kubeconfig binds a pending pod through the server the kubeconfig names', async () => {
  const up = spawn(process.execPath, [main, 'up', '--data-dir', join(dir, 'data'), '--port', '0', '--no-scheduler'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    let out = '';
    up.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^KUBECONFIG=(.+)$/m.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    up.once('exit', (code) => reject(new Error(`cox up exited with ${code}`)));
  });
  const url = /server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? '';
  const scheduler = spawn(process.execPath, [main, 'scheduler', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let schedulerErr = '';
  scheduler.stderr?.on('data', (d: Buffer) => (schedulerErr += d.toString()));
  try {
    await post(`${url}/api/v1/nodes`, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    await post(`${url}/api/v1/namespaces/default/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p1' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    // Bound within a bounded wait (the bound only keeps a broken build from hanging).
    let nodeName: string | undefined;
    for (let i = 0; i < 200 && nodeName === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const pod = (await (await fetch(`${url}/api/v1/namespaces/default/pods/p1`)).json()) as { spec?: { nodeName?: string } };
      nodeName = pod.spec?.nodeName;
    }
    assert.equal(nodeName, 'n1', `scheduler stderr: ${schedulerErr}`);
  } finally {
    scheduler.kill('SIGTERM');
    up.kill('SIGTERM');
    await Promise.all([exited(scheduler), exited(up)]);
  }
});

test('cox scheduler refuses to start without a server, or with a kubeconfig context that is not there', async () => {
  const cases: [string[], RegExp][] = [
    [[], /give --server or --kubeconfig/],
    [['--server', 'http://127.0.0.1:1', '--context', 'x'], /--context needs --kubeconfig/],
    [['--kubeconfig', join(dir, 'absent')], /cannot read kubeconfig/],
  ];
  for (const [args, message] of cases) {
    const child = spawn(process.execPath, [main, 'scheduler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    assert.equal(await exited(child), 1, args.join(' '));
    assert.match(err, message);
  }
});
