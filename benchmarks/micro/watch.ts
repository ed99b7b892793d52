// Micro benchmark: the watch cache's hot functions, one event at a time.
// Run: npx tsc -p . && node dist/benchmarks/micro/watch.js [--json]
//   apply              one pod update into a 10,000-pod cache with no watcher (the cache's own
//                      cost per event: stamp, state, ring)
//   fan-out ×1000      one update delivered to 1000 watchers and read by each (ops/s is
//                      deliveries per second)
//   bind, 5000 nodes   one bind with 5000 node watchers (node index: one of them gets it)
//   list 10k           a consistent LIST of 10,000 pods (ops/s is items per second)
//   JSON frame         encoding one pod's watch frame (once per event, shared by every watcher)
import { Bench } from 'tinybench';
import type { KubeObject } from '../../src/core/api/types.js';
import type { StoreEvent } from '../../src/core/store/store.js';
import { WatchCache } from '../../src/watch/cache.js';
import { type WatchItem, deepFreeze } from '../../src/watch/items.js';
import { jsonWatchCodec } from '../../src/net/wire/watch-frames.js';
import { makePod } from '../lib/pods.js';
import { reportMicroBench } from './report.js';

const pods = { group: '', plural: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true } as const;

function frozenPod(i: number, nodeName: string): KubeObject {
  const p = makePod(i) as KubeObject;
  return deepFreeze({ ...p, spec: { ...(p.spec as object), nodeName } });
}

function keyOf(p: KubeObject): string {
  return `/core/pods/${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
}

function cacheWith(n: number): { cache: WatchCache; values: KubeObject[] } {
  const cache = new WatchCache(pods, { historyEventsMax: 100_000 });
  const values: KubeObject[] = [];
  const kvs = [];
  for (let i = 0; i < n; i++) {
    const value = frozenPod(i, `node-${i % 5000}`);
    values.push(value);
    kvs.push({ key: keyOf(value), value, createRevision: i + 1, modRevision: i + 1, version: 1 });
  }
  kvs.sort((a, b) => (a.key < b.key ? -1 : 1));
  cache.reset(kvs, n);
  return { cache, values };
}

function updateEvent(cache: WatchCache, value: KubeObject): StoreEvent<KubeObject>[] {
  const revision = cache.revision + 1;
  const key = keyOf(value);
  return [{ type: 'update', key, revision, kv: { key, value, createRevision: 1, modRevision: revision, version: 2 }, prev: undefined }];
}

let sink = 0;
const out: WatchItem[] = [];

const plain = cacheWith(10_000);
const fan = cacheWith(1000);
const fanWatchers = Array.from({ length: 1000 }, () => fan.cache.watch({ resourceVersion: String(fan.cache.revision) }));
for (const w of fanWatchers) w.next(); // caught up: in the fan-out groups
const nodes = cacheWith(10_000);
const nodeWatchers = Array.from({ length: 5000 }, (_, n) =>
  nodes.cache.watch({ resourceVersion: String(nodes.cache.revision), filter: { nodeName: `node-${n}` } }),
);
for (const w of nodeWatchers) w.next();
const framePod = frozenPod(7, 'node-7');

let i = 0;
const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  .add('apply (10k pods, no watcher)', () => {
    plain.cache.apply(updateEvent(plain.cache, plain.values[i++ % 10_000] as KubeObject));
  })
  .add('fan-out ×1000 (per delivery)', () => {
    fan.cache.apply(updateEvent(fan.cache, fan.values[i++ % 1000] as KubeObject));
    for (let w = 0; w < fanWatchers.length; w++) {
      out.length = 0;
      sink += (fanWatchers[w] as (typeof fanWatchers)[number]).take(out, 16);
    }
  })
  .add('bind, 5000 node watchers', () => {
    const k = i++ % 10_000;
    nodes.cache.apply(updateEvent(nodes.cache, nodes.values[k] as KubeObject));
    out.length = 0;
    sink += (nodeWatchers[k % 5000] as (typeof nodeWatchers)[number]).take(out, 16);
  })
  .add('list 10k (per item)', () => {
    sink += plain.cache.listNow({}).items.length;
  })
  .add('JSON frame of a pod', () => {
    sink += jsonWatchCodec.frame('MODIFIED', jsonWatchCodec.encodeObject(framePod)).length;
  });

await bench.run();

const perOp: Record<string, number> = {
  'fan-out ×1000 (per delivery)': 1000,
  'list 10k (per item)': 10_000,
};
if (sink === Number.MIN_VALUE) console.log(sink);
reportMicroBench(bench, (task) => perOp[task.name] ?? 1);
