// `npm run bench -- api [--ops N] [--rounds N] [--watchers N] [--watch-events N] [--server child|same]
//                      [--watch-rounds N] [--watch-read batch|event] [--watch-connects N] [--phases all|create|watch|delivery] [--no-shared-decode] [--cpu-prof DIR]
//                      [--no-etcd] [--json]`
//
// The API over HTTP on loopback, through our HttpClient (undici, 64 keep-alive connections), on
// ~1 KiB Pods, against a real etcd 3.4 in the same run:
//
//   phase            what                                                   concurrency
//   create-msgpack   POST /api/v1/namespaces/<ns>/pods, msgpack bodies       64
//   create-json      the same with JSON bodies                               64
//   etcd-put         the same creates as raw etcd puts (JSON value)          64
//                    (these three once per round, alternating; medians)
//   get              GET of created pods, msgpack                            64
//   list-10k         one unpaginated LIST of a 10,000-pod namespace, msgpack 1 (median of 3)
//   watch live/HTTP  1000 streams on one namespace; 64 writer connections create --watch-events
//                    pods there; first create to the last event read and decoded by every stream
//                    (bounded by the create rate)                → watchEventsPerSec1000Live
//   watch live/local 1000 new streams; the server process creates --watch-events pods through its
//                    registry (--watch-writers at a time, no HTTP), so the source runs as fast as the store
//                    commits and the figure measures fan-out      → watchEventsPerSec1000LiveInProcess
//   watch delivery   1000 new streams from the revision before the local creates: the events come
//                    from the watch cache's history; first connect to the last event read
//                    (--watch-rounds times; medians)                → watchEventsPerSec1000
//
// Readers take events with WatchStream.nextBatch (`--watch-read event`: `for await`, one promise
// per event); either way every event is decoded and its object read.
// `--phases create` runs the create rounds (and etcd's) alone: a quick loop for work on writes.
// `--phases watch` runs the watch phases alone (the other figures are null), `--phases delivery`
// only the delivery (its events created with nobody watching): quick loops for work on watches. CPU per event (client and server, µs) is reported beside each rate: on this
// shared machine it is steadier than the rate.
//
// Each create phase also reports the GC pauses of both processes (count, median, longest, sum):
// a pause stops every request in flight in that process, so they are what the p99 is made of.
//
// Every kube-apiserver sits on etcd, so etcd's raw put rate bounds its create rate from above;
// ours goes through the whole API path (HTTP, decode, admission, validation, durable store commit,
// watch cache, encode) and is still compared with the raw puts.
//
// The server runs in a child process by default (`--server child`: client and server do not share
// one event loop), or in this process (`--server same`). `--cpu-prof DIR` runs the child server
// under `node --cpu-prof` and leaves its profile in DIR. The watch streams share one client, which
// decodes identical frames once (`--no-shared-decode`: once per stream).
//
// Targets (issue 4): createsPerSecMsgpack ≥ 1.5 × etcdPutsPerSec64 with p99 < 20 ms;
// watchEventsPerSec1000 ≥ 1M.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../../src/core/api/types.js';
import type { ResourceType, WatchEvent, WatchStream } from '../../src/net/api.js';
import { HttpClient, type WireEncoding } from '../../src/net/client/http-client.js';
import { startApiServer, type RunningApiServer } from '../../src/net/server/api-server.js';
import type { Registry } from '../../src/net/server/registry/registry.js';
import { parseArgsOrExit, type OptionsSpec, type ParsedOptions } from '../lib/args.js';
import { installSignalHandlers, interruptedSignal, makeTempDir, onCleanup } from '../lib/cleanup.js';
import { CpuMeter } from '../lib/cpu.js';
import { GcPauses, type GcPauseFigures } from '../lib/gc.js';
import { EtcdNotInstalledError, startEtcd, type EtcdServer } from '../lib/etcd.js';
import { runLoad, timeOnceMs, type LoadResult } from '../lib/load.js';
import { makePod, podKey } from '../lib/pods.js';
import { progress, writeJsonLast, type JsonReport } from '../lib/report.js';
import { median, medianOfEach } from '../lib/stats.js';
import { formatMs, formatRate, formatRatio, formatTable, ratioOrNull, type Cell } from '../lib/table.js';

const spec = {
  ops: { kind: 'int', default: 5000, min: 64, max: 1_000_000, help: 'creates per create phase' },
  rounds: { kind: 'int', default: 3, min: 1, max: 25, help: 'create phases per system (alternating; medians reported)' },
  getOps: { kind: 'int', default: 20_000, min: 64, max: 10_000_000, help: 'gets in the get phase' },
  connections: { kind: 'int', default: 64, min: 1, max: 1024, help: 'keep-alive connections (and concurrent requests)' },
  watchers: { kind: 'int', default: 1000, min: 1, max: 10_000, help: 'concurrent watch streams' },
  watchEvents: { kind: 'int', default: 2000, min: 1, max: 100_000, help: 'events every watch stream receives' },
  watchRounds: { kind: 'int', default: 3, min: 1, max: 25, help: 'delivery rounds (medians reported)' },
  watchConnects: { kind: 'int', default: 500, min: 1, max: 511, help: 'watch connects in flight at once (within the listen backlog, 511)' },
  watchRead: { kind: 'string', default: 'batch', choices: ['batch', 'event'], help: 'how readers take events: nextBatch, or for await one by one' },
  phases: { kind: 'string', default: 'all', choices: ['all', 'create', 'watch', 'delivery'], help: 'which phases run (create: the create rounds alone; watch: the watch phases alone; delivery: watch delivery alone)' },
  watchWriters: { kind: 'int', default: 512, min: 1, max: 10_000, help: 'concurrent creates of the in-process event source (bigger commit batches)' },
  listSize: { kind: 'int', default: 10_000, min: 1, max: 200_000, help: 'pods in the listed namespace' },
  phaseSeconds: { kind: 'number', default: 60, min: 0.1, max: 600, help: 'time budget of one phase' },
  server: { kind: 'string', default: 'child', choices: ['child', 'same'], help: 'where the API server runs' },
  cpuProf: { kind: 'string', default: '', help: 'directory for the child server\'s --cpu-prof profile' },
  sharedDecode: { kind: 'flag', default: true, help: 'decode identical watch frames once per client (--no-shared-decode: once per stream)' },
  etcd: { kind: 'flag', default: true, help: 'compare with a real etcd started for the run' },
  json: { kind: 'flag', default: false, help: 'print one JSON object as the last line of stdout' },
} as const satisfies OptionsSpec;

type Options = ParsedOptions<typeof spec>;

const summary =
  'The API over HTTP on loopback (msgpack and JSON): creates/s with p50/p99, gets/s, a 10,000-pod\n' +
  'list, watch events/s to 1000 streams; and the same creates as raw puts on a real etcd 3.4.';

const podsResource: ResourceType = { group: '', version: 'v1', plural: 'pods' };
const namespacesResource: ResourceType = { group: '', version: 'v1', plural: 'namespaces' };

// ---------------------------------------------------------------------------------------------
// The server: in a child process (default) or in this one.

/** Creates of benchmark pods made inside the server process, through its registry (no HTTP). */
interface InProcessWrites {
  readonly namespace: string;
  readonly count: number;
  /** makePod index of the first pod. */
  readonly offset: number;
  readonly concurrency: number;
  readonly timeMsMax: number;
}

interface InProcessWriteResult {
  readonly ops: number;
  readonly errors: number;
  readonly firstError: string;
  readonly opsPerSec: number;
}

interface ServerHandle {
  readonly url: string;
  /** The child's pid; undefined when the server runs in this process. */
  readonly pid: number | undefined;
  /** Runs creates inside the server process (an event source that is not bounded by HTTP). */
  writeInProcess(w: InProcessWrites): Promise<InProcessWriteResult>;
  /**
   * The server's GC pauses since the previous call; undefined when the server runs in this
   * process (then this process's figures are the server's too).
   */
  gcPauses(): Promise<GcPauseFigures | undefined>;
  close(): Promise<void>;
}

/** The in-process writer, shared by the child's program and `--server same`. */
async function writePods(registry: Registry, w: InProcessWrites): Promise<InProcessWriteResult> {
  const pods = podsFor(w.namespace, w.count, w.offset);
  const r = await runLoad({ opsMax: pods.length, concurrency: w.concurrency, timeMsMax: w.timeMsMax }, (i) =>
    registry.create(podsResource, w.namespace, pods[i] as KubeObject));
  const firstError = r.firstError instanceof Error ? r.firstError.message : r.errors > 0 ? String(r.firstError) : '';
  return { ops: r.ops, errors: r.errors, firstError, opsPerSec: r.opsPerSec };
}

// The child's program: start the server, print its URL as one JSON line, then answer one JSON line
// per command line on stdin ({"writes": InProcessWrites}, or {"gc": true} for its GC pauses since
// the last such command); stop on SIGTERM or the end of stdin.
function childProgram(moduleUrl: string, dataDir: string): string {
  return [
    `import { createInterface } from 'node:readline';`,
    `import { startApiServer, writePods, GcPauses } from ${JSON.stringify(moduleUrl)};`,
    `const gcPauses = new GcPauses();`,
    `const server = await startApiServer({ dataDir: ${JSON.stringify(dataDir)}, port: 0, host: '127.0.0.1' });`,
    `process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');`,
    `const stop = async () => { await server.close(); process.exit(0); };`,
    `process.once('SIGTERM', stop);`,
    `process.once('SIGINT', stop);`,
    `const lines = createInterface({ input: process.stdin });`,
    `lines.on('line', async (line) => {`,
    `  const command = JSON.parse(line);`,
    `  if (command.gc === true) {`,
    `    process.stdout.write(JSON.stringify({ gc: gcPauses.take() }) + '\\n');`,
    `    return;`,
    `  }`,
    `  const result = await writePods(server.registry, command.writes);`,
    `  process.stdout.write(JSON.stringify({ result }) + '\\n');`,
    `});`,
    `lines.on('close', stop);`,
  ].join('\n');
}

/** What the child's program imports: the server, the in-process writer and the GC pause meter. */
export { startApiServer, writePods, GcPauses };

async function startChildServer(dataDir: string, cpuProfDir: string): Promise<ServerHandle> {
  const moduleUrl = pathToFileURL(fileURLToPath(import.meta.url)).href;
  const execArgv = ['--input-type=module', '-e', childProgram(moduleUrl, dataDir)];
  if (cpuProfDir !== '') execArgv.unshift('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  // stdin is a pipe: if this process dies, the child sees the end of it and stops.
  const child: ChildProcess = spawn(process.execPath, execArgv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const unregister = onCleanup(kill);
  // stdout: the URL line, then one reply line per command, in order.
  const replies: ((line: string) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error('the API server child did not start within 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (started) {
          replies.shift()?.(line);
          continue;
        }
        started = true;
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API server child exited (${String(code)}) before it started`));
    });
  }).catch(async (e: unknown) => {
    await kill();
    unregister();
    throw e;
  });
  /** Sends one command line; resolves to its reply line, parsed (replies come in order). */
  const ask = <T>(command: object): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      replies.push((line) => {
        try {
          resolve(JSON.parse(line) as T);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      child.stdin?.write(`${JSON.stringify(command)}\n`);
    });
  return {
    url,
    pid: child.pid,
    writeInProcess(w) {
      return ask<{ result: InProcessWriteResult }>({ writes: w }).then((reply) => reply.result);
    },
    gcPauses() {
      // JSON has no NaN: a figure without pauses comes back as null.
      return ask<{ gc: Record<keyof GcPauseFigures, number | null> }>({ gc: true }).then(({ gc }) => ({
        gcPauses: gc.gcPauses ?? 0,
        gcPauseP50Ms: gc.gcPauseP50Ms ?? Number.NaN,
        gcPauseMaxMs: gc.gcPauseMaxMs ?? Number.NaN,
        gcPauseTotalMs: gc.gcPauseTotalMs ?? 0,
      }));
    },
    async close() {
      unregister();
      await kill();
    },
  };
}

async function startSameProcessServer(dataDir: string): Promise<ServerHandle> {
  const server: RunningApiServer = await startApiServer({ dataDir, port: 0, host: '127.0.0.1' });
  const unregister = onCleanup(() => server.close());
  return {
    url: server.url,
    pid: undefined,
    writeInProcess: (w) => writePods(server.registry, w),
    gcPauses: () => Promise.resolve(undefined),
    async close() {
      unregister();
      await server.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Phases.

interface RateFigures {
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of this process (the client), % of one core. */
  readonly clientCpuPct: number;
  /** CPU of the server process, % of one core (NaN when it is this process). */
  readonly serverCpuPct: number;
  /** GC pauses during the phase (create phases): the server's (none when it is this process) and this process's. */
  readonly serverGcPauses: number;
  readonly serverGcPauseP50Ms: number;
  readonly serverGcPauseMaxMs: number;
  readonly serverGcPauseTotalMs: number;
  readonly clientGcPauses: number;
  readonly clientGcPauseP50Ms: number;
  readonly clientGcPauseMaxMs: number;
  readonly clientGcPauseTotalMs: number;
}

/** GC pause figures of a phase that did not measure them. */
const gcNotMeasured: GcPauseFigures = Object.freeze({ gcPauses: Number.NaN, gcPauseP50Ms: Number.NaN, gcPauseMaxMs: Number.NaN, gcPauseTotalMs: Number.NaN });

function checked(phase: string, result: LoadResult): LoadResult {
  if (result.errors > 0) {
    const reason = result.firstError instanceof Error ? result.firstError.message : String(result.firstError);
    throw new Error(`${phase}: ${result.errors} operation(s) failed; first: ${reason}`);
  }
  if (result.timedOut) progress(`${phase}: time budget reached after ${result.ops} ops`);
  return result;
}

function figuresOf(result: LoadResult, cpu: CpuMeter, serverGc: GcPauseFigures = gcNotMeasured, clientGc: GcPauseFigures = gcNotMeasured): RateFigures {
  const { ownPct, pidPct } = cpu.read();
  return {
    opsPerSec: result.opsPerSec,
    p50Ms: result.latency.p50Ms,
    p99Ms: result.latency.p99Ms,
    clientCpuPct: ownPct,
    serverCpuPct: pidPct ?? Number.NaN,
    serverGcPauses: serverGc.gcPauses,
    serverGcPauseP50Ms: serverGc.gcPauseP50Ms,
    serverGcPauseMaxMs: serverGc.gcPauseMaxMs,
    serverGcPauseTotalMs: serverGc.gcPauseTotalMs,
    clientGcPauses: clientGc.gcPauses,
    clientGcPauseP50Ms: clientGc.gcPauseP50Ms,
    clientGcPauseMaxMs: clientGc.gcPauseMaxMs,
    clientGcPauseTotalMs: clientGc.gcPauseTotalMs,
  };
}

/** Pods for one phase, built before timing (the API fills uid and creationTimestamp itself). */
function podsFor(namespace: string, count: number, offset: number): KubeObject[] {
  const out: KubeObject[] = new Array<KubeObject>(count);
  for (let i = 0; i < count; i++) {
    const p = makePod(offset + i, namespace) as KubeObject;
    const { uid: _uid, creationTimestamp: _ts, ...metadata } = p.metadata;
    out[i] = { ...p, metadata };
  }
  return out;
}

async function createNamespace(client: HttpClient, name: string): Promise<void> {
  await client.create(namespacesResource, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** The GC pause meters of the create phases: the server's (through its handle) and this process's. */
interface GcMeters {
  readonly server: ServerHandle;
  readonly client: GcPauses;
}

async function createPhase(client: HttpClient, name: string, namespace: string, pods: readonly KubeObject[], options: Options, gc: GcMeters): Promise<RateFigures> {
  await createNamespace(client, namespace);
  // Both meters start over here: the figures are the phase's own.
  await gc.server.gcPauses();
  gc.client.take();
  const cpu = new CpuMeter(gc.server.pid);
  const result = await runLoad(
    { opsMax: pods.length, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 },
    (i) => client.create(podsResource, namespace, pods[i] as KubeObject),
  );
  const clientGc = gc.client.take();
  const serverGc = (await gc.server.gcPauses()) ?? gcNotMeasured;
  return figuresOf(checked(name, result), cpu, serverGc, clientGc);
}

async function getPhase(client: HttpClient, namespace: string, names: readonly string[], options: Options, serverPid: number | undefined): Promise<RateFigures> {
  const cpu = new CpuMeter(serverPid);
  const n = names.length;
  const result = await runLoad(
    { opsMax: options.getOps, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 },
    // A prime stride spreads reads over the keys instead of walking them in order.
    (i) => client.get(podsResource, namespace, names[(i * 7919) % n] as string),
  );
  return figuresOf(checked('get', result), cpu);
}

async function listPhase(client: HttpClient, options: Options): Promise<number> {
  const namespace = 'bench-list';
  await createNamespace(client, namespace);
  const pods = podsFor(namespace, options.listSize, 2_000_000);
  progress(`creating the ${options.listSize.toLocaleString('en-US')} pods to list`);
  const setup = await runLoad(
    { opsMax: pods.length, concurrency: options.connections, timeMsMax: 300_000 },
    (i) => client.create(podsResource, namespace, pods[i] as KubeObject),
  );
  checked('list setup', setup);
  if (setup.ops !== pods.length) throw new Error(`created only ${setup.ops} of ${pods.length} pods to list`);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    let count = 0;
    samples.push(await timeOnceMs(async () => {
      count = (await client.list(podsResource, namespace)).items.length;
    }));
    if (count !== options.listSize) throw new Error(`list returned ${count} pods, expected ${options.listSize}`);
  }
  return median(samples);
}

interface WatchFigures {
  readonly eventsPerSec: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly clientCpuPct: number;
  readonly serverCpuPct: number;
  /** CPU time per event delivered, µs (NaN for the server when it runs in this process). */
  readonly clientCpuUsPerEvent: number;
  readonly serverCpuUsPerEvent: number;
}

/** One watch stream's reader: counts events until it has `expected`. */
class WatchReader {
  received = 0;
  nameBytes = 0;
  constructor(
    private readonly stream: WatchStream,
    private expected: number,
  ) {}

  /** Fewer events than planned were written (a time budget): stop at `n`. */
  expect(n: number): void {
    this.expected = n;
    if (this.received >= n) this.stream.close();
  }

  async read(batches: boolean): Promise<void> {
    if (!batches || this.stream.nextBatch === undefined) {
      for await (const ev of this.stream) {
        if (ev.type !== 'ADDED') continue;
        // Touch the decoded object: every event is really decoded and handed over.
        this.nameBytes += (ev.object as KubeObject).metadata.name?.length ?? 0;
        if (++this.received >= this.expected) break;
      }
      return;
    }
    for (;;) {
      const batch = await this.stream.nextBatch();
      if (batch === undefined) return;
      for (let i = 0; i < batch.length; i++) {
        const ev = batch[i] as WatchEvent;
        if (ev.type !== 'ADDED') continue;
        this.nameBytes += (ev.object as KubeObject).metadata.name?.length ?? 0;
        if (++this.received >= this.expected) {
          this.stream.close();
          return;
        }
      }
    }
  }
}


/**
 * Opens `count` streams from `rv`, `connectsInFlightMax` connects at a time (`--watch-connects`),
 * starting a reader on each as soon as it is open. Resolves when all are open.
 */
async function openStreams(client: HttpClient, namespace: string, rv: string, count: number, expected: number, batches: boolean, connectsInFlightMax: number): Promise<{ streams: WatchStream[]; readers: WatchReader[]; reading: Promise<unknown> }> {
  const streams: WatchStream[] = [];
  const readers: WatchReader[] = [];
  const reads: Promise<void>[] = [];
  let next = 0;
  const opener = async (): Promise<void> => {
    while (next < count) {
      next++;
      const stream = await client.watch(podsResource, namespace, { resourceVersion: rv, timeoutSeconds: 600 });
      const reader = new WatchReader(stream, expected);
      streams.push(stream);
      readers.push(reader);
      reads.push(reader.read(batches));
    }
  };
  const openers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(connectsInFlightMax, count); i++) openers.push(opener());
  await Promise.all(openers);
  return { streams, readers, reading: Promise.all(reads) };
}

function receivedBy(readers: readonly WatchReader[]): number {
  let n = 0;
  for (const r of readers) n += r.received;
  return n;
}

/** Waits until every reader is done or the phase's time budget is over; returns the events read. */
async function readAll(readers: readonly WatchReader[], reading: Promise<unknown>, options: Options, what: string, perStream: number): Promise<number> {
  for (const r of readers) r.expect(perStream);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.phaseSeconds * 1000);
  });
  const outcome = await Promise.race([reading.then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  const events = receivedBy(readers);
  if (outcome === 'timeout') progress(`${what}: time budget reached with ${events} of ${readers.length * perStream} events`);
  return events;
}

/**
 * Measures on one namespace, `watchers` streams at a time, `watchEvents` pod creates per source:
 *   live, HTTP-fed        streams open at the namespace's revision; 64 writer connections create
 *                         the pods over HTTP; from the first create to the last event read by
 *                         every stream (bounded by the create rate as well as by delivery);
 *   live, in-process-fed  new streams at the revision after those; the server process creates the
 *                         pods through its own registry, as fast as the store commits (no HTTP):
 *                         the fan-out at full speed;
 *   delivery              new streams from the revision before the in-process-fed creates, so the
 *                         events come from the watch cache's history: delivery alone (fan-out,
 *                         transfer, decode), from the first watch request to the last event read —
 *                         the connects included, as they overlap the delivery (`connectMs`: until
 *                         every stream was open).
 */
async function watchPhase(server: ServerHandle, writer: HttpClient, options: Options, serverPid: number | undefined): Promise<WatchResults> {
  const namespace = 'bench-watch';
  await createNamespace(writer, namespace);
  // Watches get a client of their own (each stream opens a connection of its own).
  const watchClient = new HttpClient({
    url: server.url,
    encoding: 'msgpack',
    connections: 4,
    watchDecodeCacheEntries: options.sharedDecode ? Math.max(4096, options.watchEvents + 64) : 0,
  });
  const figures = (events: number, elapsedMs: number, cpu: CpuMeter): WatchFigures => {
    const usage = cpu.read();
    const serverCpuPct = usage.pidPct ?? Number.NaN;
    // pct × ms / 100 = CPU ms; × 1000 / events = µs per event.
    const usPerEvent = (pct: number): number => (events > 0 ? (pct * elapsedMs * 10) / events : Number.NaN);
    return {
      eventsPerSec: (events * 1000) / elapsedMs,
      events,
      elapsedMs,
      clientCpuPct: usage.ownPct,
      serverCpuPct,
      clientCpuUsPerEvent: usPerEvent(usage.ownPct),
      serverCpuUsPerEvent: usPerEvent(serverCpuPct),
    };
  };
  const revisionNow = async (): Promise<string> => (await writer.list(podsResource, namespace, { limit: 1 })).metadata.resourceVersion ?? '0';
  const batches = options.watchRead === 'batch';
  const live = options.phases !== 'delivery';
  try {
    let rv = await revisionNow();
    let liveHttp = watchNotMeasured;
    let httpWritesPerSec = Number.NaN;
    let streams: Awaited<ReturnType<typeof openStreams>> | undefined;
    let cpu: CpuMeter;
    let t0: number;
    let events: number;
    if (live) {
      // Live, fed over HTTP.
      progress(`opening ${options.watchers} watch streams`);
      streams = await openStreams(watchClient, namespace, rv, options.watchers, options.watchEvents, batches, options.watchConnects);
      const pods = podsFor(namespace, options.watchEvents, 3_000_000);
      progress(`live, HTTP-fed: creating ${options.watchEvents} pods over HTTP, read by ${options.watchers} streams`);
      cpu = new CpuMeter(serverPid);
      t0 = performance.now();
      const httpWrites = checked(
        'watch writes (HTTP)',
        await runLoad({ opsMax: pods.length, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 }, (i) =>
          writer.create(podsResource, namespace, pods[i] as KubeObject)),
      );
      events = await readAll(streams.readers, streams.reading, options, 'live watch (HTTP-fed)', httpWrites.ops);
      liveHttp = figures(events, performance.now() - t0, cpu);
      httpWritesPerSec = httpWrites.opsPerSec;
      for (const s of streams.streams) s.close();
      progress(`live, HTTP-fed: ${formatRate(liveHttp.eventsPerSec) ?? '-'} events/s (creates ${formatRate(httpWritesPerSec) ?? '-'}/s)`);
      rv = await revisionNow();
      streams = await openStreams(watchClient, namespace, rv, options.watchers, options.watchEvents, batches, options.watchConnects);
    }

    // Live, fed in the server process (with `--phases delivery`: the events only, nobody watching).
    progress(`${live ? 'live, in-process-fed: ' : ''}the server creates ${options.watchEvents} pods${live ? `, read by ${options.watchers} streams` : ''}`);
    cpu = new CpuMeter(serverPid);
    t0 = performance.now();
    const localWrites = await server.writeInProcess({
      namespace,
      count: options.watchEvents,
      offset: 4_000_000,
      concurrency: options.watchWriters,
      timeMsMax: options.phaseSeconds * 1000,
    });
    if (localWrites.errors > 0) throw new Error(`in-process writes: ${localWrites.errors} failed; first: ${localWrites.firstError}`);
    let liveLocal = watchNotMeasured;
    if (streams !== undefined) {
      events = await readAll(streams.readers, streams.reading, options, 'live watch (in-process-fed)', localWrites.ops);
      liveLocal = figures(events, performance.now() - t0, cpu);
      for (const s of streams.streams) s.close();
      progress(`live, in-process-fed: ${formatRate(liveLocal.eventsPerSec) ?? '-'} events/s (creates ${formatRate(localWrites.opsPerSec) ?? '-'}/s)`);
    }

    // Delivery of those same events from the history, in rounds.
    const rounds: WatchFigures[] = [];
    const connects: number[] = [];
    for (let round = 0; round < options.watchRounds; round++) {
      progress(`delivery ${round + 1}/${options.watchRounds}: ${options.watchers} new streams from revision ${rv}`);
      cpu = new CpuMeter(serverPid);
      t0 = performance.now();
      streams = await openStreams(watchClient, namespace, rv, options.watchers, localWrites.ops, batches, options.watchConnects);
      connects.push(performance.now() - t0);
      events = await readAll(streams.readers, streams.reading, options, 'delivery', localWrites.ops);
      const f = figures(events, performance.now() - t0, cpu);
      for (const s of streams.streams) s.close();
      rounds.push(f);
      progress(
        `delivery ${round + 1}: ${formatRate(f.eventsPerSec) ?? '-'} events/s, all open after ${formatMs(connects[round] ?? Number.NaN) ?? '-'} ms; ` +
          `CPU/event client ${f.clientCpuUsPerEvent.toFixed(2)} µs, server ${f.serverCpuUsPerEvent.toFixed(2)} µs`,
      );
    }
    const delivery = medianOfEach(rounds);
    return { liveHttp, liveLocal, delivery, connectMs: median(connects), httpWritesPerSec, localWritesPerSec: localWrites.opsPerSec };
  } finally {
    await watchClient.close();
  }
}

interface WatchResults {
  readonly liveHttp: WatchFigures;
  readonly liveLocal: WatchFigures;
  readonly delivery: WatchFigures;
  readonly connectMs: number;
  readonly httpWritesPerSec: number;
  readonly localWritesPerSec: number;
}

// ---------------------------------------------------------------------------------------------
// etcd: the same creates as raw puts.

interface EtcdHandle {
  readonly server: EtcdServer;
  readonly client: Etcd3;
  close(): Promise<void>;
}

async function openEtcd(wanted: boolean): Promise<EtcdHandle | string> {
  if (!wanted) return '--no-etcd';
  try {
    progress('starting etcd…');
    const server = await startEtcd();
    const client = new Etcd3({ hosts: server.endpoint });
    const unregister = onCleanup(() => client.close());
    progress(`etcd ${server.version} is up`);
    return {
      server,
      client,
      async close() {
        unregister();
        try {
          client.close();
        } finally {
          await server.stop();
        }
      },
    };
  } catch (error) {
    if (error instanceof EtcdNotInstalledError) return 'etcd is not installed';
    throw error;
  }
}

async function etcdPutPhase(etcd: EtcdHandle, pods: readonly KubeObject[], options: Options): Promise<RateFigures> {
  const keys = pods.map((p) => Buffer.from(podKey(p.metadata.namespace ?? '', p.metadata.name ?? '')));
  const cpu = new CpuMeter(etcd.server.pid);
  // JSON encoded per write, as kube-apiserver encodes per write.
  const result = await runLoad(
    { opsMax: pods.length, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 },
    (i) => etcd.client.kv.put({ key: keys[i] as Buffer, value: Buffer.from(JSON.stringify(pods[i])) }),
  );
  return figuresOf(checked('etcd put', result), cpu);
}

// ---------------------------------------------------------------------------------------------
// The run.

export async function run(args: readonly string[]): Promise<void> {
  const options = parseArgsOrExit('api', summary, args, spec);
  installSignalHandlers();
  try {
    await measure(options);
  } catch (error) {
    if (interruptedSignal() !== undefined) return;
    process.stderr.write(`api benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}

interface Results {
  createMsgpack: RateFigures;
  createJson: RateFigures;
  get: RateFigures;
  list10kMs: number;
  watchLiveHttp: WatchFigures;
  watchLiveLocal: WatchFigures;
  watchDelivery: WatchFigures;
  watchConnectMs: number;
  watchHttpWritesPerSec: number;
  watchLocalWritesPerSec: number;
  etcdPut: RateFigures | undefined;
  etcdVersion: string | undefined;
  etcdSkipped: string | undefined;
}

async function measure(options: Options): Promise<void> {
  const dir = makeTempDir('cox-bench-api-');
  let server: ServerHandle | undefined;
  let etcd: EtcdHandle | string = 'not started';
  const clients: HttpClient[] = [];
  try {
    const dataDir = join(dir.path, 'data');
    server = options.server === 'child' ? await startChildServer(dataDir, options.cpuProf) : await startSameProcessServer(dataDir);
    const serverPid = server.pid;
    progress(`API server (${options.server === 'child' ? `child process ${String(serverPid)}` : 'this process'}) at ${server.url}`);
    const client = (encoding: WireEncoding): HttpClient => {
      const c = new HttpClient({ url: server?.url ?? '', encoding, connections: options.connections });
      clients.push(c);
      return c;
    };
    const msgpack = client('msgpack');
    const json = client('json');
    if (options.phases === 'watch' || options.phases === 'delivery') {
      const watch = await watchPhase(server, msgpack, options, serverPid);
      const results = watchOnlyResults(watch);
      printTable(results, options);
      if (options.json) writeJsonLast(jsonReport(results, options));
      return;
    }
    etcd = await openEtcd(options.etcd);
    if (typeof etcd === 'string') progress(`etcd part skipped: ${etcd}; etcd figures will be null`);
    const etcdOrNone = typeof etcd === 'string' ? undefined : etcd;

    // Warm-up (JIT, connections) of every path measured, not itself measured.
    const warm = podsFor('bench-warm', 2000, 9_000_000);
    await createNamespace(msgpack, 'bench-warm');
    checked('warm-up', await runLoad({ opsMax: warm.length, concurrency: options.connections, timeMsMax: 60_000 }, (i) =>
      (i % 2 === 0 ? msgpack : json).create(podsResource, 'bench-warm', warm[i] as KubeObject)));
    if (etcdOrNone !== undefined) {
      checked('etcd warm-up', await runLoad({ opsMax: 2000, concurrency: options.connections, timeMsMax: 60_000 }, (i) =>
        etcdOrNone.client.kv.put({ key: Buffer.from(`/warm/${i}`), value: Buffer.from(JSON.stringify(warm[i])) })));
    }

    const gcMeters: GcMeters = { server, client: new GcPauses() };
    // Rounds: each system's create phase once per round, in an order that alternates, so a noisy
    // neighbour on this shared machine hurts all alike.
    const byPhase: { msgpack: RateFigures[]; json: RateFigures[]; etcd: RateFigures[] } = { msgpack: [], json: [], etcd: [] };
    let lastMsgpackNs = '';
    let lastMsgpackPods: KubeObject[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order: ('msgpack' | 'json' | 'etcd')[] = round % 2 === 0 ? ['msgpack', 'etcd', 'json'] : ['json', 'etcd', 'msgpack'];
      for (const phase of order) {
        const ns = `bench-r${round}-${phase}`;
        const pods = podsFor(ns, options.ops, 0);
        let f: RateFigures;
        if (phase === 'etcd') {
          if (etcdOrNone === undefined) continue;
          f = await etcdPutPhase(etcdOrNone, pods, options);
        } else {
          f = await createPhase(phase === 'msgpack' ? msgpack : json, `create ${phase}`, ns, pods, options, gcMeters);
          if (phase === 'msgpack') {
            lastMsgpackNs = ns;
            lastMsgpackPods = pods;
          }
        }
        byPhase[phase].push(f);
        report(`r${round + 1} ${phase === 'etcd' ? 'etcd put' : `create ${phase}`}`, f);
      }
    }
    if (options.phases === 'create') {
      const results = createOnlyResults(medianOfEach(byPhase.msgpack), medianOfEach(byPhase.json), byPhase.etcd, etcdOrNone?.server.version, etcd);
      printTable(results, options);
      if (options.json) writeJsonLast(jsonReport(results, options));
      return;
    }
    const get = await getPhase(msgpack, lastMsgpackNs, lastMsgpackPods.map((p) => p.metadata.name ?? ''), options, serverPid);
    report('get', get);
    const list10kMs = await listPhase(msgpack, options);
    progress(`list of ${options.listSize}: ${formatMs(list10kMs) ?? '-'} ms`);
    const watch = await watchPhase(server, msgpack, options, serverPid);
    progress(`watch delivery: ${formatRate(watch.delivery.eventsPerSec) ?? '-'} events/s (${watch.delivery.events} events in ${formatMs(watch.delivery.elapsedMs) ?? '-'} ms)`);

    const results: Results = {
      createMsgpack: medianOfEach(byPhase.msgpack),
      createJson: medianOfEach(byPhase.json),
      get,
      list10kMs,
      watchLiveHttp: watch.liveHttp,
      watchLiveLocal: watch.liveLocal,
      watchDelivery: watch.delivery,
      watchConnectMs: watch.connectMs,
      watchHttpWritesPerSec: watch.httpWritesPerSec,
      watchLocalWritesPerSec: watch.localWritesPerSec,
      etcdPut: byPhase.etcd.length === 0 ? undefined : medianOfEach(byPhase.etcd),
      etcdVersion: etcdOrNone?.server.version,
      etcdSkipped: typeof etcd === 'string' ? etcd : undefined,
    };
    printTable(results, options);
    if (options.json) writeJsonLast(jsonReport(results, options));
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
    if (typeof etcd !== 'string') await etcd.close();
    dir.remove();
  }
}

/** Figures of a phase that did not run (null in the JSON). */
const notMeasured: RateFigures = Object.freeze({
  opsPerSec: Number.NaN,
  p50Ms: Number.NaN,
  p99Ms: Number.NaN,
  clientCpuPct: Number.NaN,
  serverCpuPct: Number.NaN,
  serverGcPauses: Number.NaN,
  serverGcPauseP50Ms: Number.NaN,
  serverGcPauseMaxMs: Number.NaN,
  serverGcPauseTotalMs: Number.NaN,
  clientGcPauses: Number.NaN,
  clientGcPauseP50Ms: Number.NaN,
  clientGcPauseMaxMs: Number.NaN,
  clientGcPauseTotalMs: Number.NaN,
});

/** Watch figures of phases that did not run. */
const watchNotMeasured: WatchFigures = Object.freeze({
  eventsPerSec: Number.NaN,
  events: 0,
  elapsedMs: Number.NaN,
  clientCpuPct: Number.NaN,
  serverCpuPct: Number.NaN,
  clientCpuUsPerEvent: Number.NaN,
  serverCpuUsPerEvent: Number.NaN,
});

/** `--phases create`: the create figures (and etcd's), every other one not measured. */
function createOnlyResults(
  createMsgpack: RateFigures,
  createJson: RateFigures,
  etcdRounds: RateFigures[],
  etcdVersion: string | undefined,
  etcd: EtcdHandle | string,
): Results {
  return {
    createMsgpack,
    createJson,
    get: notMeasured,
    list10kMs: Number.NaN,
    watchLiveHttp: watchNotMeasured,
    watchLiveLocal: watchNotMeasured,
    watchDelivery: watchNotMeasured,
    watchConnectMs: Number.NaN,
    watchHttpWritesPerSec: Number.NaN,
    watchLocalWritesPerSec: Number.NaN,
    etcdPut: etcdRounds.length === 0 ? undefined : medianOfEach(etcdRounds),
    etcdVersion,
    etcdSkipped: typeof etcd === 'string' ? etcd : undefined,
  };
}

/** `--phases watch`: the watch figures, every other one not measured. */
function watchOnlyResults(watch: WatchResults): Results {
  return {
    createMsgpack: notMeasured,
    createJson: notMeasured,
    get: notMeasured,
    list10kMs: Number.NaN,
    watchLiveHttp: watch.liveHttp,
    watchLiveLocal: watch.liveLocal,
    watchDelivery: watch.delivery,
    watchConnectMs: watch.connectMs,
    watchHttpWritesPerSec: watch.httpWritesPerSec,
    watchLocalWritesPerSec: watch.localWritesPerSec,
    etcdPut: undefined,
    etcdVersion: undefined,
    etcdSkipped: '--phases (not all)',
  };
}

function report(phase: string, f: RateFigures): void {
  const gc = (n: number, p50: number, max: number): string => (Number.isFinite(n) ? `${n}×${formatMs(p50) ?? '-'}/${formatMs(max) ?? '-'}` : '-');
  progress(
    `${phase.padEnd(15)} ${formatRate(f.opsPerSec) ?? '-'}/s  p50 ${formatMs(f.p50Ms) ?? '-'} ms  p99 ${formatMs(f.p99Ms) ?? '-'} ms  ` +
      `cpu client ${f.clientCpuPct.toFixed(0)}% server ${Number.isFinite(f.serverCpuPct) ? f.serverCpuPct.toFixed(0) : '-'}%` +
      (Number.isFinite(f.clientGcPauses)
        ? `  gc pauses (count×p50/max ms) server ${gc(f.serverGcPauses, f.serverGcPauseP50Ms, f.serverGcPauseMaxMs)} client ${gc(f.clientGcPauses, f.clientGcPauseP50Ms, f.clientGcPauseMaxMs)}`
        : ''),
  );
}

function jsonReport(r: Results, options: Options): JsonReport {
  const etcdRate = r.etcdPut?.opsPerSec ?? null;
  const ratio = ratioOrNull(r.createMsgpack.opsPerSec, etcdRate);
  return {
    scenario: 'api',
    server: options.server,
    rounds: options.rounds,
    connections: options.connections,
    ops: options.ops,
    objectBytes: JSON.stringify(makePod(0)).length,
    createsPerSecMsgpack: r.createMsgpack.opsPerSec,
    p50CreateMsMsgpack: r.createMsgpack.p50Ms,
    p99CreateMs: r.createMsgpack.p99Ms,
    createsPerSecJson: r.createJson.opsPerSec,
    p50CreateMsJson: r.createJson.p50Ms,
    p99CreateMsJson: r.createJson.p99Ms,
    serverCpuPctCreateMsgpack: r.createMsgpack.serverCpuPct,
    clientCpuPctCreateMsgpack: r.createMsgpack.clientCpuPct,
    // GC pauses during a msgpack create phase (medians over rounds): each stops every request in
    // flight in that process, so they make the p99.
    serverGcPausesCreateMsgpack: r.createMsgpack.serverGcPauses,
    serverGcPauseP50MsCreateMsgpack: r.createMsgpack.serverGcPauseP50Ms,
    serverGcPauseMaxMsCreateMsgpack: r.createMsgpack.serverGcPauseMaxMs,
    serverGcPauseTotalMsCreateMsgpack: r.createMsgpack.serverGcPauseTotalMs,
    clientGcPausesCreateMsgpack: r.createMsgpack.clientGcPauses,
    clientGcPauseMaxMsCreateMsgpack: r.createMsgpack.clientGcPauseMaxMs,
    clientGcPauseTotalMsCreateMsgpack: r.createMsgpack.clientGcPauseTotalMs,
    getsPerSec: r.get.opsPerSec,
    p99GetMs: r.get.p99Ms,
    list10kMs: r.list10kMs,
    listSize: options.listSize,
    watchers: options.watchers,
    watchEventsPerWatcher: options.watchEvents,
    watchSharedDecode: options.sharedDecode,
    watchEventsPerSec1000: r.watchDelivery.eventsPerSec,
    watchEventsDelivered: r.watchDelivery.events,
    watchClientCpuPct: r.watchDelivery.clientCpuPct,
    watchServerCpuPct: r.watchDelivery.serverCpuPct,
    watchClientCpuUsPerEvent: r.watchDelivery.clientCpuUsPerEvent,
    watchServerCpuUsPerEvent: r.watchDelivery.serverCpuUsPerEvent,
    watchDeliveryRounds: options.watchRounds,
    watchRead: options.watchRead,
    watchConnectsInFlight: options.watchConnects,
    watchConnectMs: r.watchConnectMs,
    watchEventsPerSec1000Live: r.watchLiveHttp.eventsPerSec,
    watchLiveCreatesPerSec: r.watchHttpWritesPerSec,
    watchEventsPerSec1000LiveInProcess: r.watchLiveLocal.eventsPerSec,
    watchLiveInProcessCreatesPerSec: r.watchLocalWritesPerSec,
    watchLiveInProcessServerCpuPct: r.watchLiveLocal.serverCpuPct,
    etcdVersion: r.etcdVersion ?? null,
    etcdSkipped: r.etcdSkipped ?? null,
    etcdPutsPerSec64: etcdRate,
    etcdP99PutMs64: r.etcdPut?.p99Ms ?? null,
    ratioVsEtcd: ratio,
    targetMet: targetMet(r),
  };
}

/** Both targets of the issue; null when etcd or the watch delivery was not measured. */
function targetMet(r: Results): boolean | null {
  const ratio = ratioOrNull(r.createMsgpack.opsPerSec, r.etcdPut?.opsPerSec ?? null);
  if (ratio === null || Number.isNaN(r.watchDelivery.eventsPerSec)) return null;
  return ratio >= 1.5 && r.createMsgpack.p99Ms < 20 && r.watchDelivery.eventsPerSec >= 1_000_000;
}

function printTable(r: Results, options: Options): void {
  const pct = (v: number): Cell => (Number.isFinite(v) ? v.toFixed(0) : null);
  const us = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const row = (label: string, f: RateFigures | undefined): Cell[] =>
    f === undefined
      ? [label, null, null, null, null, null]
      : [label, formatRate(f.opsPerSec), formatMs(f.p50Ms), formatMs(f.p99Ms), pct(f.clientCpuPct), pct(f.serverCpuPct)];
  const rows: Cell[][] = [
    row('create, msgpack', r.createMsgpack),
    row('create, JSON', r.createJson),
    row('get, msgpack', r.get),
    row(`etcd ${r.etcdVersion ?? ''} put (raw)`, r.etcdPut),
  ];
  const ratio = ratioOrNull(r.createMsgpack.opsPerSec, r.etcdPut?.opsPerSec ?? null);
  const lines = [
    `api benchmark: HTTP on loopback, ${options.connections} keep-alive connections, server in ${options.server === 'child' ? 'a child process' : 'this process'}; ` +
      `~1 KiB Pods (${JSON.stringify(makePod(0)).length} B JSON), ${options.ops} creates per phase, medians of ${options.rounds} round(s); every write durable`,
    '',
    formatTable(['', 'ops/s', 'p50 ms', 'p99 ms', 'client CPU %', 'server CPU %'], rows),
    '',
    `list of ${options.listSize.toLocaleString('en-US')} pods (msgpack): ${formatMs(r.list10kMs) ?? '-'} ms`,
    `watch, ${options.watchers} streams × ${options.watchEvents} events, received and decoded (${options.sharedDecode ? 'identical frames decoded once per client' : 'every frame decoded per stream'}):`,
    `  delivery from the watch cache's history, connects included: ${formatRate(r.watchDelivery.eventsPerSec) ?? '-'} events/s ` +
      `(client CPU ${pct(r.watchDelivery.clientCpuPct) ?? '-'}%, server CPU ${pct(r.watchDelivery.serverCpuPct) ?? '-'}%; ` +
      `CPU per event client ${us(r.watchDelivery.clientCpuUsPerEvent)} µs, server ${us(r.watchDelivery.serverCpuUsPerEvent)} µs; ` +
      `all streams open after ${formatMs(r.watchConnectMs) ?? '-'} ms; medians of ${options.watchRounds} round(s))`,
    `  live, fed over HTTP (first create to last event; creates ${formatRate(r.watchHttpWritesPerSec) ?? '-'}/s): ${formatRate(r.watchLiveHttp.eventsPerSec) ?? '-'} events/s ` +
      `(client CPU ${pct(r.watchLiveHttp.clientCpuPct) ?? '-'}%, server CPU ${pct(r.watchLiveHttp.serverCpuPct) ?? '-'}%)`,
    `  live, fed in the server process (creates ${formatRate(r.watchLocalWritesPerSec) ?? '-'}/s): ${formatRate(r.watchLiveLocal.eventsPerSec) ?? '-'} events/s ` +
      `(client CPU ${pct(r.watchLiveLocal.clientCpuPct) ?? '-'}%, server CPU ${pct(r.watchLiveLocal.serverCpuPct) ?? '-'}%)`,
    '',
  ];
  if (r.etcdPut === undefined) {
    lines.push(`etcd part SKIPPED (${r.etcdSkipped ?? '?'}): no comparison, etcd figures are null in the JSON.`);
  } else {
    lines.push(
      `target: msgpack creates/s >= 1.5x etcd puts: ${formatRatio(ratio) ?? '-'}  ${ratio !== null && ratio >= 1.5 ? 'met' : 'NOT MET'}`,
      `target: p99 create < 20 ms: ${formatMs(r.createMsgpack.p99Ms) ?? '-'} ms  ${r.createMsgpack.p99Ms < 20 ? 'met' : 'NOT MET'}`,
    );
  }
  lines.push(`target: 1000 watch streams >= 1M events/s (delivery): ${formatRate(r.watchDelivery.eventsPerSec) ?? '-'}/s  ${r.watchDelivery.eventsPerSec >= 1_000_000 ? 'met' : 'NOT MET'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

