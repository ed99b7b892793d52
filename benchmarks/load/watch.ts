// `npm run bench -- watch [--json]`: the watch cache in process (issue 3).
//
//   fan-out      1000 watchers of all pods, a stream of pod updates applied in store-sized
//                batches; every watcher reads every event (in process: the shared item, no
//                encoding) → eventsPerSec1000 = events × watchers / time. Also with every
//                watcher taking JSON frames (encoded once, shared) → eventsPerSec1000Json.
//   node-filtered 5000 node watchers (fieldSelector spec.nodeName=<node>, the node index) while
//                150,000 pods are created unbound and then bound → nsPerEventNodeFiltered =
//                time / events (apply + fan-out + delivery). The same binds with the node
//                filter as a plain predicate (no index) give nsPerEventUnindexed, for contrast.
//   list         a consistent LIST of the 150,000 pods from the cache → list150kMs (median);
//                paged by 500 through continue tokens → list150kPagedMs; the PodList body as
//                JSON parts ready for writev: encoding every pod (first time) → list150kJsonColdMs,
//                from the cached per-object encodings → list150kJsonMs.
//
// Anchors (issue 3): etcd 3.4 ~0.8M events/s to 1000 watchers of one key; kube-apiserver's
// consistent list from cache ~0.5 s p50 for 300,000 1 KiB objects. Targets: eventsPerSec1000 ≥
// 5M/s, list150kMs < 150 ms.

import type { KubeObject } from '../../src/core/api/types.js';
import type { StoreEvent } from '../../src/core/store/store.js';
import { WatchCache } from '../../src/watch/cache.js';
import { type WatchItem, deepFreeze } from '../../src/watch/items.js';
import type { Watcher } from '../../src/watch/watcher.js';
import { jsonWatchCodec } from '../../src/net/wire/watch-frames.js';
import { type OptionsSpec, parseArgsOrExit } from '../lib/args.js';
import { makePod, updatedPod } from '../lib/pods.js';
import { progress, writeJsonLast } from '../lib/report.js';
import { formatMs, formatRate, formatTable } from '../lib/table.js';

const spec = {
  watchers: { kind: 'int', default: 1000, min: 1, help: 'watchers in the fan-out phase' },
  events: { kind: 'int', default: 20_000, min: 1, help: 'events in the fan-out phase' },
  batch: { kind: 'int', default: 100, min: 1, help: 'events per store batch' },
  nodes: { kind: 'int', default: 5000, min: 1, help: 'node watchers in the node-filtered phase' },
  pods: { kind: 'int', default: 150_000, min: 1, help: 'pods created and bound' },
  unindexedBinds: { kind: 'int', default: 5000, min: 1, help: 'binds measured without the index' },
  listRuns: { kind: 'int', default: 5, min: 1, help: 'LIST repetitions (median reported)' },
  json: { kind: 'flag', default: false, help: 'print one JSON object as the last line' },
} as const satisfies OptionsSpec;

const pods = { group: '', plural: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true } as const;

function key(p: KubeObject): string {
  return `/core/pods/${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
}

/**
 * The index-th benchmark pod, bound to `nodeName` or not, deeply frozen as the store hands its
 * values out (it decodes each committed value into a frozen copy): freezing is the store's cost.
 */
function podObject(i: number, nodeName: string | undefined): KubeObject {
  const p = makePod(i) as KubeObject;
  const specIn = p.spec as Record<string, unknown>;
  const { nodeName: _, ...rest } = specIn;
  return deepFreeze({ ...p, spec: nodeName === undefined ? rest : { ...rest, nodeName } });
}

/** Lets the cache's notifications (a microtask after each batch) run. */
function yieldMicrotasks(): Promise<void> {
  return Promise.resolve();
}

function nowMs(): number {
  return performance.now();
}

/** Counts what a watcher reads, reusing one array (no allocation per item). */
class Reader {
  count = 0;
  bytes = 0;
  private readonly out: WatchItem[] = [];
  private readonly bufs: Buffer[] = [];
  constructor(
    readonly w: Watcher,
    private readonly frames: boolean,
  ) {
    w.onReadable(() => this.read());
    this.read();
  }
  read(): void {
    if (this.frames) {
      // What the HTTP pipe does: take the shared frames (no copy), count their bytes.
      for (;;) {
        this.bufs.length = 0;
        const bytes = this.w.takeFrames(jsonWatchCodec, this.bufs, 1 << 20);
        if (bytes === 0) return;
        this.bytes += bytes;
        this.count += this.bufs.length;
      }
    }
    for (;;) {
      this.out.length = 0;
      const n = this.w.take(this.out, 4096);
      this.count += n;
      if (n < 4096) return;
    }
  }
}

async function fanOut(
  watchers: number,
  events: number,
  batch: number,
  frames: boolean,
): Promise<{ perSec: number; ms: number; delivered: number }> {
  const cache = new WatchCache(pods, { bufferEventsMax: Math.max(10_000, batch * 2) });
  const podCount = 1000;
  const initial = [];
  for (let i = 0; i < podCount; i++) {
    const value = podObject(i, `node-${i % 100}`);
    initial.push({ key: key(value), value, createRevision: i + 1, modRevision: i + 1, version: 1 });
  }
  cache.reset(initial, podCount);
  let rev = podCount;
  const stream: StoreEvent<KubeObject>[] = [];
  const latest = initial.map((kv) => kv.value);
  for (let e = 0; e < events; e++) {
    const i = e % podCount;
    const prevValue = latest[i] as KubeObject;
    const value = deepFreeze(updatedPod(prevValue as never, e) as unknown as KubeObject);
    latest[i] = value;
    rev++;
    stream.push({
      type: 'update',
      key: key(value),
      revision: rev,
      kv: { key: key(value), value, createRevision: i + 1, modRevision: rev, version: 2 },
      prev: undefined,
    });
  }
  const readers: Reader[] = [];
  for (let i = 0; i < watchers; i++) {
    readers.push(new Reader(cache.watch({ resourceVersion: String(podCount) }), frames));
  }
  await yieldMicrotasks();
  const t0 = nowMs();
  for (let at = 0; at < events; at += batch) {
    cache.apply(stream.slice(at, at + batch));
    await yieldMicrotasks();
  }
  await yieldMicrotasks();
  const ms = nowMs() - t0;
  let delivered = 0;
  for (const r of readers) delivered += r.count;
  if (delivered !== events * watchers) {
    throw new Error(`fan-out delivered ${delivered}, expected ${events * watchers}`);
  }
  cache.close();
  return { perSec: delivered / (ms / 1000), ms, delivered };
}

function createEvent(i: number, rev: number): StoreEvent<KubeObject> {
  const value = podObject(i, undefined);
  const k = key(value);
  return { type: 'create', key: k, revision: rev, kv: { key: k, value, createRevision: rev, modRevision: rev, version: 1 }, prev: undefined };
}

/** The bind of a created pod: same object with spec.nodeName set (sharing the other parts). */
function bindEvent(created: StoreEvent<KubeObject>, node: string, rev: number): StoreEvent<KubeObject> {
  const before = (created.kv as NonNullable<StoreEvent<KubeObject>['kv']>).value;
  const value = deepFreeze({ ...before, spec: { ...(before.spec as object), nodeName: node } });
  const k = created.key;
  return { type: 'update', key: k, revision: rev, kv: { key: k, value, createRevision: created.revision, modRevision: rev, version: 2 }, prev: undefined };
}

/**
 * Applies `events` in batches of `batch`; only apply() and the delivery to the watchers (the
 * notifications after each batch) are timed. The events are made beforehand, as the store
 * would have decoded them.
 */
async function timedApply(cache: WatchCache, events: readonly StoreEvent<KubeObject>[], batch: number): Promise<number> {
  const t = nowMs();
  for (let at = 0; at < events.length; at += batch) {
    cache.apply(events.slice(at, at + batch));
    await yieldMicrotasks();
  }
  return nowMs() - t;
}

async function nodeFiltered(
  nodes: number,
  podCount: number,
  batch: number,
  unindexedBinds: number,
): Promise<{ nsPerEvent: number; nsPerEventUnindexed: number; cache: WatchCache }> {
  const cache = new WatchCache(pods, { historyEventsMax: 4 * podCount });
  cache.reset([], 1);
  const readers: Reader[] = [];
  for (let n = 0; n < nodes; n++) {
    readers.push(new Reader(cache.watch({ resourceVersion: '1', filter: { nodeName: `node-${n}` } }), false));
  }
  // Revisions: creates 2..podCount+1, binds after them.
  const creates: StoreEvent<KubeObject>[] = [];
  for (let i = 0; i < podCount; i++) creates.push(createEvent(i, i + 2));
  const binds: StoreEvent<KubeObject>[] = [];
  for (let i = 0; i < podCount; i++) binds.push(bindEvent(creates[i] as StoreEvent<KubeObject>, `node-${i % nodes}`, podCount + 2 + i));
  await yieldMicrotasks();
  const ms = (await timedApply(cache, creates, batch)) + (await timedApply(cache, binds, batch));
  let delivered = 0;
  for (const r of readers) delivered += r.count;
  if (delivered !== podCount) throw new Error(`node watchers got ${delivered}, expected ${podCount}`);
  for (const r of readers) r.w.close();

  // The same binds with the node filter as a plain predicate: every event visits every watcher.
  const plain = new WatchCache(pods);
  const sample = Math.min(unindexedBinds, podCount);
  plain.reset(creates.slice(0, sample).map((e) => e.kv as NonNullable<StoreEvent<KubeObject>['kv']>), sample + 1);
  for (let n = 0; n < nodes; n++) {
    const node = `node-${n}`;
    const w = plain.watch({
      resourceVersion: String(plain.revision),
      filter: { predicate: (o) => (o.spec as { nodeName?: string }).nodeName === node },
    });
    new Reader(w, false);
  }
  await yieldMicrotasks();
  const sampleBinds = creates.slice(0, sample).map((c, i) => bindEvent(c, `node-${i % nodes}`, sample + 2 + i));
  const msPlain = await timedApply(plain, sampleBinds, batch);
  plain.close();
  return { nsPerEvent: (ms * 1e6) / (2 * podCount), nsPerEventUnindexed: (msPlain * 1e6) / sample, cache };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function listPhase(
  cache: WatchCache,
  runs: number,
): { listMs: number; pagedMs: number; jsonMs: number; jsonColdMs: number; items: number } {
  const listTimes: number[] = [];
  let items = 0;
  for (let r = 0; r < runs; r++) {
    const t = nowMs();
    // The objects as an in-process client receives them (the items array is built, too).
    items = cache.listNow({}).items.length;
    listTimes.push(nowMs() - t);
  }
  const pagedTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = nowMs();
    let token: string | undefined;
    let got = 0;
    for (let page = 0; page < 10_000; page++) {
      const res = cache.listNow({ limit: 500, ...(token === undefined ? {} : { continue: token }) });
      got += res.items.length; // built, as for an in-process client
      token = res.continue;
      if (token === undefined) break;
    }
    pagedTimes.push(nowMs() - t);
    if (got !== items) throw new Error(`paged list got ${got}, expected ${items}`);
  }
  // A PodList body as the server writes it: the items' cached JSON bytes between the list's
  // head and tail, handed to the socket as parts (writev), never concatenated. The first run
  // encodes every object (cold); later runs reuse the cached bytes (warm).
  const jsonTimes: number[] = [];
  let coldMs = 0;
  for (let r = 0; r < runs + 1; r++) {
    const t = nowMs();
    const res = cache.listNow({});
    const parts: Buffer[] = [
      Buffer.from(`{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${res.resourceVersion}"},"items":[`),
    ];
    let size = 0;
    const comma = Buffer.from(',');
    for (let i = 0; i < res.entries.length; i++) {
      if (i > 0) parts.push(comma);
      const b = (res.entries[i] as (typeof res.entries)[number]).bytes(jsonWatchCodec);
      parts.push(b);
      size += b.length;
    }
    parts.push(Buffer.from(']}'));
    if (r === 0) coldMs = nowMs() - t;
    else jsonTimes.push(nowMs() - t);
    if (size < items) throw new Error('list body too small');
  }
  return { listMs: median(listTimes), pagedMs: median(pagedTimes), jsonMs: median(jsonTimes), jsonColdMs: coldMs, items };
}

export async function run(args: readonly string[]): Promise<void> {
  const o = parseArgsOrExit('watch', 'watch cache fan-out, node-filtered watches and LIST, in process', args, spec);
  progress(`fan-out: ${o.watchers} watchers × ${o.events} events`);
  const inproc = await fanOut(o.watchers, o.events, o.batch, false);
  progress(`fan-out with JSON frames`);
  const framed = await fanOut(o.watchers, Math.max(1, Math.floor(o.events / 4)), o.batch, true);
  progress(`node-filtered: ${o.nodes} node watchers, ${o.pods} pods created and bound`);
  const nf = await nodeFiltered(o.nodes, o.pods, o.batch, o.unindexedBinds);
  progress(`list: ${nf.cache.size} pods`);
  const l = listPhase(nf.cache, o.listRuns);
  nf.cache.close();

  const rows = [
    ['eventsPerSec1000', formatRate(inproc.perSec), 'events delivered/s, in process', '≥ 5,000,000'],
    ['eventsPerSec1000Json', formatRate(framed.perSec), 'events delivered/s as JSON frames', ''],
    ['nsPerEventNodeFiltered', formatMs(nf.nsPerEvent), 'ns per event, 5000 node watchers', ''],
    ['nsPerEventUnindexed', formatMs(nf.nsPerEventUnindexed), 'ns per bind, node filter without index', ''],
    ['list150kMs', formatMs(l.listMs), `ms, LIST of ${l.items} pods (median)`, '< 150'],
    ['list150kPagedMs', formatMs(l.pagedMs), 'ms, the same in pages of 500', ''],
    ['list150kJsonColdMs', formatMs(l.jsonColdMs), 'ms, PodList JSON parts, encoding every pod', ''],
    ['list150kJsonMs', formatMs(l.jsonMs), 'ms, PodList JSON parts from cached bytes', ''],
  ];
  process.stdout.write(`${formatTable(['figure', 'value', 'unit', 'target'], rows)}\n`);
  if (o.json) {
    writeJsonLast({
      eventsPerSec1000: inproc.perSec,
      eventsPerSec1000Json: framed.perSec,
      nsPerEventNodeFiltered: nf.nsPerEvent,
      nsPerEventUnindexed: nf.nsPerEventUnindexed,
      list150kMs: l.listMs,
      list150kPagedMs: l.pagedMs,
      list150kJsonColdMs: l.jsonColdMs,
      list150kJsonMs: l.jsonMs,
      watchers: o.watchers,
      events: o.events,
      nodes: o.nodes,
      pods: l.items,
    });
  }
}
