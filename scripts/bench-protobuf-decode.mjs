#!/usr/bin/env node
// Decode speed of Kubernetes protobuf bodies (src/net/wire/protobuf), next to JSON.parse of the same
// object's JSON as the yardstick. Runs on the build: `npx tsc -p . && node scripts/bench-protobuf-decode.mjs [--json]`.
// (Kept here, next to the capture script, until benchmarks/micro/ takes a file for it.)
import { Bench } from 'tinybench';
import { decodeKubernetesProtobuf } from '../dist/src/net/wire/protobuf/index.js';
import { kubectlFixtures } from '../dist/test/net/wire/protobuf/kubectl-fixtures.js';

const pick = (name) => {
  const f = kubectlFixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  const body = Buffer.from(f.body, 'base64');
  const json = Buffer.from(JSON.stringify(decodeKubernetesProtobuf(body).object));
  return { name, body, json };
};
const cases = [pick('create configmap'), pick('create deployment'), pick('debug copy pod')];

const bench = new Bench({ time: 300, warmupTime: 100 });
for (const c of cases) {
  bench.add(`protobuf ${c.name} (${c.body.length} B)`, () => decodeKubernetesProtobuf(c.body));
  bench.add(`JSON.parse ${c.name} (${c.json.length} B)`, () => JSON.parse(c.json.toString('utf8')));
}
await bench.run();

const rows = bench.tasks.map((t) => {
  const opsPerSec = Math.round(t.result?.throughput?.mean ?? t.result?.hz ?? 0);
  return { name: t.name, opsPerSec, meanUs: Number((1e6 / opsPerSec).toFixed(2)) };
});
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, r.opsPerSec]))));
} else {
  console.table(rows);
}
