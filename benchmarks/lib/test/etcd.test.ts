import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { EtcdNotInstalledError, EtcdStartError, findEtcdBinary, freePorts, startEtcd } from '../etcd.js';

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'cox-etcd-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('findEtcdBinary', () => {
  it('finds nothing on an empty PATH', () => {
    assert.equal(findEtcdBinary({ PATH: '' }), undefined);
  });

  it('finds an executable named etcd on PATH, and ETCD_BIN overrides PATH', () => {
    const dir = join(scratch, 'bin');
    mkdirSync(dir);
    const fake = join(dir, 'etcd');
    writeFileSync(fake, '#!/bin/sh\necho "etcd Version: 9.9.9"\n');
    chmodSync(fake, 0o755);
    const notExecutable = join(scratch, 'not-executable');
    writeFileSync(notExecutable, '');
    assert.equal(findEtcdBinary({ PATH: `/nonexistent:${dir}` }), fake);
    assert.equal(findEtcdBinary({ PATH: '', ETCD_BIN: fake }), fake);
    assert.equal(findEtcdBinary({ PATH: dir, ETCD_BIN: notExecutable }), undefined);
  });
});

describe('freePorts', () => {
  it('returns distinct ports that can be bound on 127.0.0.1', async () => {
    const ports = await freePorts(4);
    assert.equal(new Set(ports).size, 4);
    for (const p of ports) assert.ok(p > 0 && p < 65536);
  });
});

const installed = findEtcdBinary() !== undefined;

describe('startEtcd', () => {
  it('fails with EtcdNotInstalledError when there is no binary', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '';
    try {
      await assert.rejects(startEtcd(), EtcdNotInstalledError);
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('fails with EtcdStartError, carrying the log, when the binary does not start etcd', async () => {
    const fake = join(scratch, 'broken-etcd');
    writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "etcd Version: 0.0.1"; exit 0; fi\necho "fatal: cannot start" >&2\nexit 1\n',
    );
    chmodSync(fake, 0o755);
    await assert.rejects(startEtcd({ binary: fake, startTimeoutMs: 5_000 }), (error: unknown) => {
      assert.ok(error instanceof EtcdStartError);
      assert.match(error.message, /exited during startup/);
      assert.match(error.logTail, /fatal: cannot start/);
      return true;
    });
  });

  it('fails with EtcdStartError when the binary cannot even print its version', async () => {
    const fake = join(scratch, 'no-version-etcd');
    writeFileSync(fake, '#!/bin/sh\necho "unknown flag" >&2\nexit 2\n');
    chmodSync(fake, 0o755);
    await assert.rejects(startEtcd({ binary: fake }), (error: unknown) => {
      assert.ok(error instanceof EtcdStartError);
      assert.match(error.message, /--version` failed/);
      assert.match(error.logTail, /unknown flag/);
      return true;
    });
  });

  if (!installed) {
    it('reports etcd as not installed on this machine', async () => {
      await assert.rejects(startEtcd(), EtcdNotInstalledError);
    });
    return;
  }

  it('starts a healthy etcd on loopback that stores keys, and stop() ends it and removes its dir', async () => {
    const etcd = await startEtcd();
    let client: Etcd3 | undefined;
    try {
      assert.match(etcd.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(etcd.version, /^3\.\d+\.\d+/);
      assert.ok(existsSync(join(etcd.dir, 'data')));
      client = new Etcd3({ hosts: etcd.endpoint });
      await client.put('/pods/default/a').value('x');
      assert.equal(await client.get('/pods/default/a').string(), 'x');
    } finally {
      client?.close();
      await etcd.stop();
    }
    assert.equal(etcd.running, false);
    assert.equal(processExists(etcd.pid), false);
    assert.equal(existsSync(etcd.dir), false);
    await etcd.stop(); // idempotent
  });

  it('runs two at once on different ports', async () => {
    const [a, b] = await Promise.all([startEtcd(), startEtcd()]);
    try {
      assert.notEqual(a.endpoint, b.endpoint);
      assert.notEqual(a.dir, b.dir);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('is stopped and its dir removed when the benchmark gets SIGINT', async () => {
    const fixture = new URL('../test-fixtures/etcd-child.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`fixture exited (${String(code)}) before starting etcd`)));
    });
    const { pid, dir } = JSON.parse(first) as { pid: number; dir: string };
    assert.equal(processExists(pid), true);
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(processExists(pid), false);
    assert.equal(existsSync(dir), false);
  });
});
