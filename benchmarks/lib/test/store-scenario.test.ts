// End to end: `npm run bench -- store` as a user runs it (the compiled entry point), tiny sizes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findEtcdBinary } from '../etcd.js';

const mainJs = fileURLToPath(new URL('../../main.js', import.meta.url));

// Each run gets its own TMPDIR, so "it left nothing behind" is checked on a directory no other
// test (running in parallel) writes to.
const privateTmp = mkdtempSync(join(tmpdir(), 'cox-scenario-test-'));
after(() => rmSync(privateTmp, { recursive: true, force: true }));

function freshTmp(): string {
  return mkdtempSync(join(privateTmp, 'run-'));
}

function bench(
  args: readonly string[],
  tmp: string,
  env: NodeJS.ProcessEnv = process.env,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [mainJs, 'store', ...args], {
    encoding: 'utf8',
    env: { ...env, TMPDIR: tmp },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
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
    const tmp = freshTmp();
    const { code, stdout, stderr } = bench([...small, '--no-etcd', '--json'], tmp);
    assert.equal(code, 0, stderr);
    const report = lastJson(stdout);
    for (const field of required) assert.ok(field in report, `missing ${field}`);
    for (const field of ours) assert.ok(typeof report[field] === 'number' && (report[field] as number) > 0, `${field} = ${String(report[field])}`);
    for (const field of [...etcdFields, 'ratioVsEtcdRoundMin', 'ratioVsEtcdRoundMax']) assert.equal(report[field], null, field);
    assert.equal(report['etcdSkipped'], '--no-etcd');
    assert.equal(report['targetMet'], null);
    assert.match(stdout, /etcd part SKIPPED \(--no-etcd\)/);
    assert.match(stdout, /creates\/s, 64 writers/);
    assert.deepEqual(readdirSync(tmp), []);
  });

  it('without etcd installed: says clearly that it skips etcd; without --json: the table and no JSON', () => {
    const { code, stdout, stderr } = bench(small, freshTmp(), { ...process.env, PATH: '', ETCD_BIN: '' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /etcd part SKIPPED \(etcd is not installed\)/);
    assert.match(stderr, /etcd part skipped: etcd is not installed/);
    assert.match(stdout, /list of 10,000, ms/);
    assert.doesNotMatch(stdout, /^\{/m);
  });

  it('rejects a bad option with exit code 2 and the usage', () => {
    const { code, stderr, stdout } = bench(['--ops', 'many'], freshTmp());
    assert.equal(code, 2);
    assert.match(stderr, /--ops: expected an integer, got "many"/);
    assert.match(stderr, /usage: npm run bench -- store/);
    assert.equal(stdout, '');
  });

  it('on Ctrl-C: stops etcd, removes every temp dir and exits 130', async () => {
    const tmp = freshTmp();
    const child = spawn(process.execPath, [mainJs, 'store', '--ops', '2000'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    // Interrupt mid-run: once the first system is being loaded (etcd, if installed, is up by then).
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr });
      lines.on('line', (line) => {
        stderr += `${line}\n`;
        if (line.includes('creating the 10,000 objects')) resolve();
      });
      child.once('exit', () => reject(new Error(`benchmark ended before the interrupt:\n${stderr}`)));
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.doesNotMatch(stderr, /store benchmark failed/);
    assert.deepEqual(processesMentioning(tmp), []);
    assert.deepEqual(readdirSync(tmp), []);
  });

  if (findEtcdBinary() !== undefined) {
    it('against etcd: reports both sides, the ratio, and stops etcd', () => {
      const tmp = freshTmp();
      const { code, stdout, stderr } = bench([...small, '--json'], tmp);
      assert.equal(code, 0, stderr);
      const report = lastJson(stdout);
      for (const field of [...ours, ...etcdFields]) {
        assert.ok(typeof report[field] === 'number' && (report[field] as number) > 0, `${field} = ${String(report[field])}`);
      }
      assert.match(String(report['etcdVersion']), /^3\./);
      const ratio = (report['createsPerSec64'] as number) / (report['etcdPutsPerSec64'] as number);
      assert.ok(Math.abs(ratio - (report['ratioVsEtcd'] as number)) / ratio < 0.01, `ratio ${ratio} vs ${String(report['ratioVsEtcd'])}`);
      assert.equal(typeof report['targetMet'], 'boolean');
      const [min, max] = [report['ratioVsEtcdRoundMin'], report['ratioVsEtcdRoundMax']];
      assert.ok(typeof min === 'number' && typeof max === 'number' && min > 0 && min <= max, `${String(min)}..${String(max)}`);
      assert.match(stdout, /target: creates\/s with 64 writers >= 3x etcd/);
      assert.deepEqual(processesMentioning(tmp), []);
      assert.deepEqual(readdirSync(tmp), []);
    });
  }
});
