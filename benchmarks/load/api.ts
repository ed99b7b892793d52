// `npm run bench -- api [--ops N] [--watchers N] [--watch-events N] [--server child|same] [--no-etcd] [--json]`
//
// The API over HTTP on loopback, through our HttpClient (undici, 64 keep-alive connections), on
// ~1 KiB Pods, against a real etcd 3.4 in the same run:
//
//   phase            what                                                   concurrency
//   create-msgpack   POST /api/v1/namespaces/<ns>/pods, msgpack bodies       64
//   create-json      the same with JSON bodies                               64
//   get              GET of created pods, msgpack                            64
//   list-10k         one unpaginated LIST of a 10,000-pod namespace, msgpack 1 (median of 3)
//   watch-1000       1000 watch streams on one namespace; 64 writers create --watch-events pods
//                    there; time until every stream has received and decoded every event
//   etcd-put-64      the create workload as raw etcd puts (JSON value)       64
//
// Every kube-apiserver sits on etcd, so etcd's raw put rate bounds its create rate from above;
// ours goes through the whole API path (HTTP, decode, admission, validation, durable store commit,
// watch cache, encode) and is still compared with the raw puts.
//
// The server runs in a child process by default (`--server child`: client and server do not share
// one event loop), or in this process (`--server same`). `--cpu-prof DIR` runs the child server
// under `node --cpu-prof` and leaves its profile in DIR.
//
// Targets (issue 4): createsPerSecMsgpack ≥ 1.5 × etcdPutsPerSec64 with p99 < 20 ms;
// watchEventsPerSec1000 ≥ 1M.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../../src/core/api/types.js';
import type { ResourceType, WatchStream } from '../../src/net/api.js';
import { HttpClient, type WireEncoding } from '../../src/net/client/http-client.js';
import { startApiServer, type RunningApiServer } from '../../src/net/server/api-server.js';
import { parseArgsOrExit, type OptionsSpec, type ParsedOptions } from '../lib/args.js';
import { installSignalHandlers, interruptedSignal, makeTempDir, onCleanup } from '../lib/cleanup.js';
import { CpuMeter } from '../lib/cpu.js';
import { EtcdNotInstalledError, startEtcd, type EtcdServer } from '../lib/etcd.js';
import { runLoad, timeOnceMs, type LoadResult } from '../lib/load.js';
import { makePod, podKey } from '../lib/pods.js';
import { progress, writeJsonLast, type JsonReport } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { formatMs, formatRate, formatRatio, formatTable, ratioOrNull, type Cell } from '../lib/table.js';

const spec = {
  ops: { kind: 'int', default: 10_000, min: 64, max: 1_000_000, help: 'creates per create phase' },
  getOps: { kind: 'int', default: 20_000, min: 64, max: 10_000_000, help: 'gets in the get phase' },
  connections: { kind: 'int', default: 64, min: 1, max: 1024, help: 'keep-alive connections (and concurrent requests)' },
  watchers: { kind: 'int', default: 1000, min: 1, max: 10_000, help: 'concurrent watch streams' },
  watchEvents: { kind: 'int', default: 1000, min: 1, max: 100_000, help: 'events every watch stream receives' },
  listSize: { kind: 'int', default: 10_000, min: 1, max: 200_000, help: 'pods in the listed namespace' },
  phaseSeconds: { kind: 'number', default: 60, min: 0.1, max: 600, help: 'time budget of one phase' },
  server: { kind: 'string', default: 'child', choices: ['child', 'same'], help: 'where the API server runs' },
  cpuProf: { kind: 'string', default: '', help: 'directory for the child server\'s --cpu-prof profile' },
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

interface ServerHandle {
  readonly url: string;
  /** The child's pid; undefined when the server runs in this process. */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

// The child's program: start the server, print its URL as one JSON line, stop on SIGTERM.
function childProgram(apiServerUrl: string, dataDir: string): string {
  return [
    `import { startApiServer } from ${JSON.stringify(apiServerUrl)};`,
    `const server = await startApiServer({ dataDir: ${JSON.stringify(dataDir)}, port: 0, host: '127.0.0.1' });`,
    `process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');`,
    `const stop = async () => { await server.close(); process.exit(0); };`,
    `process.once('SIGTERM', stop);`,
    `process.once('SIGINT', stop);`,
    `process.stdin.on('end', stop);`,
    `process.stdin.resume();`,
  ].join('\n');
}

async function startChildServer(dataDir: string, cpuProfDir: string): Promise<ServerHandle> {
  const apiServerUrl = pathToFileURL(fileURLToPath(new URL('../../src/net/server/api-server.js', import.meta.url))).href;
  const execArgv = ['--input-type=module', '-e', childProgram(apiServerUrl, dataDir)];
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
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the API server child did not start within 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(buffered.slice(0, nl)) as { url: string }).url);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
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
  return {
    url,
    pid: child.pid,
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
}

function checked(phase: string, result: LoadResult): LoadResult {
  if (result.errors > 0) {
    const reason = result.firstError instanceof Error ? result.firstError.message : String(result.firstError);
    throw new Error(`${phase}: ${result.errors} operation(s) failed; first: ${reason}`);
  }
  if (result.timedOut) progress(`${phase}: time budget reached after ${result.ops} ops`);
  return result;
}

function figuresOf(result: LoadResult, cpu: CpuMeter): RateFigures {
  const { ownPct, pidPct } = cpu.read();
  return {
    opsPerSec: result.opsPerSec,
    p50Ms: result.latency.p50Ms,
    p99Ms: result.latency.p99Ms,
    clientCpuPct: ownPct,
    serverCpuPct: pidPct ?? Number.NaN,
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

async function createPhase(client: HttpClient, name: string, namespace: string, pods: readonly KubeObject[], options: Options, serverPid: number | undefined): Promise<RateFigures> {
  await createNamespace(client, namespace);
  const cpu = new CpuMeter(serverPid);
  const result = await runLoad(
    { opsMax: pods.length, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 },
    (i) => client.create(podsResource, namespace, pods[i] as KubeObject),
  );
  return figuresOf(checked(name, result), cpu);
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
}

/** One watch stream's reader: counts events until it has `expected`. A method, not a closure per event. */
class WatchReader {
  received = 0;
  bytesCheck = 0;
  constructor(
    private readonly stream: WatchStream,
    private readonly expected: number,
  ) {}

  async read(): Promise<void> {
    for await (const ev of this.stream) {
      if (ev.type !== 'ADDED') continue;
      // Touch the decoded object, so decoding cannot be skipped by laziness anywhere.
      this.bytesCheck += (ev.object as KubeObject).metadata.name?.length ?? 0;
      if (++this.received >= this.expected) break;
    }
  }
}

async function watchPhase(url: string, writer: HttpClient, options: Options, serverPid: number | undefined): Promise<WatchFigures> {
  const namespace = 'bench-watch';
  await createNamespace(writer, namespace);
  // Watches get a client of their own (its watch pool opens one connection per stream).
  const watchClient = new HttpClient({ url, encoding: 'msgpack', connections: 4, watchBufferEventsMax: 4096 });
  try {
    const start = await writer.list(podsResource, namespace, { limit: 1 });
    const rv = start.metadata.resourceVersion ?? '0';
    progress(`opening ${options.watchers} watch streams`);
    const streams: WatchStream[] = [];
    for (let i = 0; i < options.watchers; i += 50) {
      const batch: Promise<WatchStream>[] = [];
      for (let j = i; j < Math.min(i + 50, options.watchers); j++) {
        batch.push(watchClient.watch(podsResource, namespace, { resourceVersion: rv, timeoutSeconds: 600 }));
      }
      streams.push(...(await Promise.all(batch)));
    }
    const readers = streams.map((s) => new WatchReader(s, options.watchEvents));
    const pods = podsFor(namespace, options.watchEvents, 3_000_000);
    progress(`writing ${options.watchEvents} pods to ${options.watchers} streams`);
    const cpu = new CpuMeter(serverPid);
    const t0 = performance.now();
    const reading = Promise.all(readers.map((r) => r.read()));
    const writing = runLoad(
      { opsMax: pods.length, concurrency: options.connections, timeMsMax: options.phaseSeconds * 1000 },
      (i) => writer.create(podsResource, namespace, pods[i] as KubeObject),
    );
    checked('watch writes', await writing);
    const deadline = new Promise<'timeout'>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), options.phaseSeconds * 1000);
      t.unref();
    });
    const outcome = await Promise.race([reading.then(() => 'done' as const), deadline]);
    const elapsedMs = performance.now() - t0;
    const { ownPct, pidPct } = cpu.read();
    let events = 0;
    for (const r of readers) events += r.received;
    if (outcome === 'timeout') progress(`watch: time budget reached with ${events} of ${options.watchers * options.watchEvents} events`);
    for (const s of streams) s.close();
    return { eventsPerSec: (events * 1000) / elapsedMs, events, elapsedMs, clientCpuPct: ownPct, serverCpuPct: pidPct ?? Number.NaN };
  } finally {
    await watchClient.close();
  }
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
  watch: WatchFigures;
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
    progress(`API server (${options.server === 'child' ? `child process ${String(server.pid)}` : 'this process'}) at ${server.url}`);
    const client = (encoding: WireEncoding): HttpClient => {
      const c = new HttpClient({ url: server?.url ?? '', encoding, connections: options.connections });
      clients.push(c);
      return c;
    };
    const msgpack = client('msgpack');
    const json = client('json');

    // Warm-up (JIT, connections), not measured.
    const warm = podsFor('bench-warm', 2000, 9_000_000);
    await createNamespace(msgpack, 'bench-warm');
    checked('warm-up', await runLoad({ opsMax: warm.length, concurrency: options.connections, timeMsMax: 60_000 }, (i) =>
      (i % 2 === 0 ? msgpack : json).create(podsResource, 'bench-warm', warm[i] as KubeObject)));

    const podsMsgpack = podsFor('bench-create-msgpack', options.ops, 0);
    const createMsgpack = await createPhase(msgpack, 'create msgpack', 'bench-create-msgpack', podsMsgpack, options, server.pid);
    report('create msgpack', createMsgpack);
    const podsJson = podsFor('bench-create-json', options.ops, 0);
    const createJson = await createPhase(json, 'create json', 'bench-create-json', podsJson, options, server.pid);
    report('create json', createJson);
    const get = await getPhase(msgpack, 'bench-create-msgpack', podsMsgpack.map((p) => p.metadata.name ?? ''), options, server.pid);
    report('get', get);
    const list10kMs = await listPhase(msgpack, options);
    progress(`list of ${options.listSize}: ${formatMs(list10kMs) ?? '-'} ms`);
    const watch = await watchPhase(server.url, msgpack, options, server.pid);
    progress(`watch: ${formatRate(watch.eventsPerSec) ?? '-'} events/s (${watch.events} events in ${formatMs(watch.elapsedMs) ?? '-'} ms)`);

    etcd = await openEtcd(options.etcd);
    let etcdPut: RateFigures | undefined;
    if (typeof etcd !== 'string') {
      // Warm the etcd client the same way, then the same create workload.
      await runLoad({ opsMax: 2000, concurrency: options.connections, timeMsMax: 60_000 }, (i) =>
        (etcd as EtcdHandle).client.kv.put({ key: Buffer.from(`/warm/${i}`), value: Buffer.from(JSON.stringify(warm[i])) }));
      etcdPut = await etcdPutPhase(etcd, podsMsgpack, options);
      report('etcd put', etcdPut);
    } else {
      progress(`etcd part skipped: ${etcd}; etcd figures will be null`);
    }
    const results: Results = {
      createMsgpack,
      createJson,
      get,
      list10kMs,
      watch,
      etcdPut,
      etcdVersion: typeof etcd === 'string' ? undefined : etcd.server.version,
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

function report(phase: string, f: RateFigures): void {
  progress(
    `${phase.padEnd(15)} ${formatRate(f.opsPerSec) ?? '-'}/s  p50 ${formatMs(f.p50Ms) ?? '-'} ms  p99 ${formatMs(f.p99Ms) ?? '-'} ms  ` +
      `cpu client ${f.clientCpuPct.toFixed(0)}% server ${Number.isFinite(f.serverCpuPct) ? f.serverCpuPct.toFixed(0) : '-'}%`,
  );
}

function jsonReport(r: Results, options: Options): JsonReport {
  const etcdRate = r.etcdPut?.opsPerSec ?? null;
  const ratio = ratioOrNull(r.createMsgpack.opsPerSec, etcdRate);
  return {
    scenario: 'api',
    server: options.server,
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
    getsPerSec: r.get.opsPerSec,
    p99GetMs: r.get.p99Ms,
    list10kMs: r.list10kMs,
    listSize: options.listSize,
    watchers: options.watchers,
    watchEventsPerWatcher: options.watchEvents,
    watchEventsPerSec1000: r.watch.eventsPerSec,
    watchEventsDelivered: r.watch.events,
    watchClientCpuPct: r.watch.clientCpuPct,
    watchServerCpuPct: r.watch.serverCpuPct,
    etcdVersion: r.etcdVersion ?? null,
    etcdSkipped: r.etcdSkipped ?? null,
    etcdPutsPerSec64: etcdRate,
    etcdP99PutMs64: r.etcdPut?.p99Ms ?? null,
    ratioVsEtcd: ratio,
    targetMet: targetMet(r),
  };
}

/** Both targets of the issue; null when etcd was not measured. */
function targetMet(r: Results): boolean | null {
  const ratio = ratioOrNull(r.createMsgpack.opsPerSec, r.etcdPut?.opsPerSec ?? null);
  if (ratio === null) return null;
  return ratio >= 1.5 && r.createMsgpack.p99Ms < 20 && r.watch.eventsPerSec >= 1_000_000;
}

function printTable(r: Results, options: Options): void {
  const pct = (v: number): Cell => (Number.isFinite(v) ? v.toFixed(0) : null);
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
      `~1 KiB Pods (${JSON.stringify(makePod(0)).length} B JSON), ${options.ops} creates per phase; every write durable`,
    '',
    formatTable(['', 'ops/s', 'p50 ms', 'p99 ms', 'client CPU %', 'server CPU %'], rows),
    '',
    `list of ${options.listSize.toLocaleString('en-US')} pods (msgpack): ${formatMs(r.list10kMs) ?? '-'} ms`,
    `watch: ${options.watchers} streams × ${options.watchEvents} events: ${formatRate(r.watch.eventsPerSec) ?? '-'} events/s received and decoded ` +
      `(client CPU ${pct(r.watch.clientCpuPct) ?? '-'}%, server CPU ${pct(r.watch.serverCpuPct) ?? '-'}%)`,
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
  lines.push(`target: 1000 watch streams >= 1M events/s: ${formatRate(r.watch.eventsPerSec) ?? '-'}/s  ${r.watch.eventsPerSec >= 1_000_000 ? 'met' : 'NOT MET'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

