// `cox up` as a user runs it: one KUBECONFIG line on stdout, graceful stop on SIGTERM/SIGINT,
// the same objects after a restart, a clear error for a second instance on the same directory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cox-up-'));
const dataDir = join(dir, 'data');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  readonly child: ChildProcess;
  readonly kubeconfig: string;
  readonly url: string;
  stderr(): string;
}

function start(extra: readonly string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [main, 'up', '--data-dir', dataDir, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^KUBECONFIG=(.+)$/m.exec(out);
      if (m?.[1] === undefined) return;
      const kubeconfig = m[1];
      const url = /server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? '';
      resolve({ child, kubeconfig, url, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`cox up exited with ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('cox up serves, stops gracefully, restarts with the same objects, and refuses a second instance', async () => {
  const first = await start();
  assert.ok(first.kubeconfig.startsWith('/'), 'the KUBECONFIG path is absolute');
  const create = await fetch(`${first.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { a: '1' } }),
  });
  assert.equal(create.status, 201);

  // A second instance on the same directory fails with a message naming the problem.
  const second = spawn(process.execPath, [main, 'up', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let secondErr = '';
  second.stderr.on('data', (d: Buffer) => (secondErr += d.toString()));
  assert.equal(await exited(second), 1);
  assert.match(secondErr, /data directory .* is in use by another process \(pid \d+\)/);

  first.child.kill('SIGTERM');
  assert.equal(await exited(first.child), 0);
  assert.match(first.stderr(), /SIGTERM: stopping/);

  const again = await start();
  const r = await fetch(`${again.url}/api/v1/namespaces/default/configmaps/kept`);
  assert.equal(r.status, 200);
  assert.deepEqual(((await r.json()) as { data: unknown }).data, { a: '1' });
  again.child.kill('SIGINT');
  assert.equal(await exited(again.child), 0);
});

test('cox up refuses an invalid scheduler profile, naming the field', async () => {
  const bad = join(dir, 'bad.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: default-scheduler\n  plugins:\n    score:\n      enabled:\n      - name: NoSuchPlugin\n');
  const child = spawn(process.execPath, [main, 'up', '--data-dir', join(dir, 'other'), '--port', '0', '--scheduler-config', bad], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  assert.equal(await exited(child), 1);
  assert.match(err, /profiles\[0\]\.plugins\.score\.enabled\[0\]\.name: Invalid value: "NoSuchPlugin"/);
});

test('cox up --event-ttl deletes an Event that long after its last write, and refuses a bad duration', async () => {
  const running = await start(['--event-ttl', '300ms']);
  try {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'short-lived' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
      reason: 'Tested',
      message: 'expires',
      type: 'Normal',
    };
    const created = await fetch(`${running.url}/api/v1/namespaces/default/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
    assert.equal(created.status, 201);
    // Gone within a bounded wait (the TTL is 300 ms; the bound only keeps a broken build from hanging).
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await fetch(`${running.url}/api/v1/namespaces/default/events/short-lived`)).status;
    }
    assert.equal(status, 404);
  } finally {
    running.child.kill('SIGTERM');
    await exited(running.child);
  }
  const bad = spawn(process.execPath, [main, 'up', '--data-dir', join(dir, 'ttl'), '--port', '0', '--event-ttl', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
  assert.notEqual(await exited(bad), 0);
  assert.match(err, /--event-ttl <duration>' argument '5' is invalid\. time: missing unit in duration "5"/);
});
