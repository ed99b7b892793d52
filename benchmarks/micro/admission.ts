// Micro benchmark: a Pod create's admission on the API server, from the decoded body to the
// object handed to the store: the unknown-field check (checkFields), prepareForCreate (uid,
// timestamps, status with the QoS class), defaultInPlace (defaults and the create-time
// mutations) and validate, in registry.create's order. The body is the api bench's ~1 KiB Pod
// (makePod without uid and creationTimestamp), packed as HttpClient packs it and unpacked as
// the server unpacks it, so shapes and strings are the server's.
// Run: npx tsc -p . && node dist/benchmarks/micro/admission.js [--json] [--alloc-top N]
//   ops/s, ns/op   admission alone (each timed batch is decoded before, untimed)
//   bytesPerOp     JS heap bytes per create, from V8's sampling heap profiler over 20,000 creates
//                  (objects collected by minor and major GCs included); --alloc-top N also
//                  prints the N functions that allocate most, by self bytes per create
import { Session } from 'node:inspector/promises';
import { Packr, Unpackr } from 'msgpackr';
import { Bench } from 'tinybench';
import type { KubeObject, ObjectMeta } from '../../src/core/api/types.js';
import { checkFields } from '../../src/core/api/schema/index.js';
import { prepareForCreate } from '../../src/core/api/meta.js';
import { defaultInPlace } from '../../src/core/api/defaults/index.js';
import { validate } from '../../src/core/api/validation/index.js';
import { makePod } from '../lib/pods.js';

const batchSize = 500;
const allocCreates = 20_000;
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

/** The api bench's create bodies: makePod without the fields the server sets. */
const packed: Buffer[] = Array.from({ length: batchSize }, (_, i) => {
  const p = makePod(i, 'bench') as KubeObject;
  const { uid: _uid, creationTimestamp: _ts, ...metadata } = p.metadata;
  return packr.pack({ ...p, metadata });
});

function decodeBatch(): KubeObject[] {
  const out = new Array<KubeObject>(packed.length);
  for (let i = 0; i < packed.length; i++) out[i] = unpackr.unpack(packed[i] as Buffer) as KubeObject;
  return out;
}

const now = new Date();
let uidCounter = 0;
function uid(): string {
  return `00000000-0000-4000-8000-${(uidCounter++ % 1e12).toString().padStart(12, '0')}`;
}

// Results land here so the work cannot be optimized away.
let sink = 0;

/** What registry.create runs on one decoded body before the store write (fieldValidation=Warn). */
function admit(decoded: KubeObject): void {
  // checkBody's copy of the top level and metadata (registry code, kept for a realistic shape).
  const body = { ...decoded, apiVersion: 'v1', kind: 'Pod', metadata: { ...(decoded.metadata as ObjectMeta) } } as KubeObject;
  const check = checkFields(body, 'v1', 'Pod');
  if (check === undefined || check.typeErrors.length + check.unknownFields.length > 0) throw new Error('body not clean');
  body.metadata.namespace = 'bench';
  const obj = prepareForCreate(body, now, uid);
  defaultInPlace(obj, 'create');
  const errors = validate(obj);
  if (errors.length > 0) throw new Error(`invalid: ${JSON.stringify(errors)}`);
  sink += obj.metadata.name?.length ?? 0;
}

let batch: KubeObject[] = [];
const bench = new Bench({ time: 1000, warmupTime: 300 });
bench.add(
  `admission of a Pod create (batch of ${batchSize})`,
  () => {
    for (let i = 0; i < batch.length; i++) admit(batch[i] as KubeObject);
  },
  { beforeEach: () => { batch = decodeBatch(); } },
);
await bench.run();
const task = bench.tasks[0];
if (task === undefined || task.result.state !== 'completed') throw new Error('admission bench did not complete');
const opsPerSec = task.result.throughput.mean * batchSize;

// ---- allocation ----

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const batches: KubeObject[][] = [];
for (let n = 0; n < allocCreates; n += batchSize) batches.push(decodeBatch());
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (const b of batches) for (let i = 0; i < b.length; i++) admit(b[i] as KubeObject);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
session.disconnect();

const byFunction = new Map<string, number>();
let totalBytes = 0;
/** A function as the table names it: `name file:line`; a builtin (no file) with its JS caller. */
function nameOf(node: ProfileNode, caller: string): string {
  const f = node.callFrame;
  const name = f.functionName || '(anonymous)';
  if (f.url === '') return `${name} ← ${caller}`;
  return `${name} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
}

const stack: { node: ProfileNode; caller: string }[] = [{ node: profile.head, caller: '' }];
for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
  const { node, caller } = top;
  const where = nameOf(node, caller);
  totalBytes += node.selfSize;
  if (node.selfSize > 0) byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize);
  for (const c of node.children) stack.push({ node: c, caller: node.callFrame.url === '' ? caller : where });
}
const bytesPerCreate = Math.round(totalBytes / allocCreates);
console.table([{ task: task.name, opsPerSec: Math.round(opsPerSec), nsPerOp: Math.round(1e9 / opsPerSec), bytesPerOp: bytesPerCreate }]);
const topIndex = process.argv.indexOf('--alloc-top');
if (topIndex >= 0) {
  const top = Number(process.argv[topIndex + 1] ?? '15');
  const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.table(rows.map(([fn, bytes]) => ({ function: fn, bytesPerCreate: Math.round(bytes / allocCreates) })));
}
if (sink === Number.MIN_VALUE) console.log(sink);
if (process.argv.includes('--json')) console.log(JSON.stringify({ opsPerSec: Math.round(opsPerSec), bytesPerCreate }));
