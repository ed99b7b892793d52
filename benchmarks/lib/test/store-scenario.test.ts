// End to end: `npm run bench -- store` as a user runs it (the compiled entry point), tiny sizes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findEtcdBinary } from '../etcd.js';

const mainJs = fileURLToPath(new URL('../../main.js', import.meta.url));

function bench(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [mainJs, 'store', ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
}

function ourTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith('cox-bench-store-') || d.startsWith('cox-etcd-'));
}

const small = ['--ops', '64', '--get-ops', '200', '--rounds', '1', '--phase-seconds', '30'];
const required = [
  'createsPerSec64', 'updatesPerSec64', 'createsPerSec1', 'p99WriteMs64', 'getsPerSec', 'list10kMs',
  'etcdPutsPerSec64', 'etcdP99WriteMs64', 'ratioVsEtcd',
];
const ours = ['createsPerSec64', 'updatesPerSec64', 'createsPerSec1', 'updatesPerSec1', 'p99WriteMs64', 'getsPerSec', 'list10kMs'];
const etcdFields = ['etcdPutsPerSec64', 'etcdUpdatesPerSec64', 'etcdPutsPerSec1', 'etcdP99WriteMs64', 'etcdGetsPerSec', 'etcdList10kMs', 'ratioVsEtcd'];

describe('npm run bench -- store', () => {
  it('with --no-etcd: measures the store, says etcd was skipped, nulls every etcd figure, leaves no temp dir', () => {
    const before = new Set(ourTempDirs());
    const { code, stdout, stderr } = bench([...small, '--no-etcd', '--json']);
    assert.equal(code, 0, stderr);
    const report = lastJson(stdout);
    for (const field of required) assert.ok(field in report, `missing ${field}`);
    for (const field of ours) assert.ok(typeof report[field] === 'number' && (report[field] as number) > 0, `${field} = ${String(report[field])}`);
    for (const field of etcdFields) assert.equal(report[field], null, field);
    assert.equal(report['etcdSkipped'], '--no-etcd');
    assert.equal(report['targetMet'], null);
    assert.match(stdout, /etcd part SKIPPED \(--no-etcd\)/);
    assert.match(stdout, /creates\/s, 64 writers/);
    assert.deepEqual(ourTempDirs().filter((d) => !before.has(d)), []);
  });

  it('says clearly that it skips etcd when etcd is not installed', () => {
    const { code, stdout, stderr } = bench([...small, '--json'], { ...process.env, PATH: '', ETCD_BIN: '' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /etcd part SKIPPED \(etcd is not installed\)/);
    assert.match(stderr, /etcd part skipped: etcd is not installed/);
    const report = lastJson(stdout);
    assert.equal(report['etcdPutsPerSec64'], null);
    assert.equal(report['ratioVsEtcd'], null);
  });

  it('without --json, prints the table and no JSON line', () => {
    const { code, stdout } = bench([...small, '--no-etcd']);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /^\{/m);
    assert.match(stdout, /list of 10,000, ms/);
  });

  it('rejects a bad option with exit code 2 and the usage', () => {
    const { code, stderr, stdout } = bench(['--ops', 'many']);
    assert.equal(code, 2);
    assert.match(stderr, /--ops: expected an integer, got "many"/);
    assert.match(stderr, /usage: npm run bench -- store/);
    assert.equal(stdout, '');
  });

  if (findEtcdBinary() !== undefined) {
    it('against etcd: reports both sides, the ratio, and stops etcd', () => {
      const before = new Set(ourTempDirs());
      const { code, stdout, stderr } = bench([...small, '--json']);
      assert.equal(code, 0, stderr);
      const report = lastJson(stdout);
      for (const field of [...ours, ...etcdFields]) {
        assert.ok(typeof report[field] === 'number' && (report[field] as number) > 0, `${field} = ${String(report[field])}`);
      }
      assert.match(String(report['etcdVersion']), /^3\./);
      const ratio = (report['createsPerSec64'] as number) / (report['etcdPutsPerSec64'] as number);
      assert.ok(Math.abs(ratio - (report['ratioVsEtcd'] as number)) / ratio < 0.01, `ratio ${ratio} vs ${String(report['ratioVsEtcd'])}`);
      assert.equal(typeof report['targetMet'], 'boolean');
      assert.match(stdout, /target: creates\/s with 64 writers >= 3x etcd/);
      assert.deepEqual(ourTempDirs().filter((d) => !before.has(d)), []);
    });
  }
});
