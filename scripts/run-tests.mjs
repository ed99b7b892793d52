#!/usr/bin/env node
// Runs every compiled test file with node:test. Node 20's `node --test` needs explicit file
// paths (a folder or a quoted glob finds nothing), so this script lists them.
// Usage: node scripts/run-tests.mjs [substring ...]  — only files whose path contains a substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
// Tests live under test/ (mirroring src/) and beside the benchmark helpers they check.
const testRoots = [join(root, 'dist', 'test'), join(root, 'dist', 'benchmarks')];

function listTestFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...listTestFiles(path));
    else if (entry.endsWith('.test.js')) files.push(path);
  }
  return files;
}

const filters = process.argv.slice(2);
const files = testRoots.flatMap((dir) => listTestFiles(dir)).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)),
);
if (files.length === 0) {
  console.error('no test files found under dist/test or dist/benchmarks (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
