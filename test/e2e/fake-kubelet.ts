// A stand-in for a node's kubelet endpoint: `GET /containerLogs/<ns>/<pod>/<container>` on
// 127.0.0.1 over plain HTTP, as our node agent will serve it. Logs are lines set by the test;
// `tailLines` and `timestamps` are applied as the kubelet does; `follow=true` keeps the response
// open until the test appends lines and ends it. Every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly path: string;
  readonly query: string;
}

/** What one container's endpoint answers instead of its log. */
export interface FailureAnswer {
  readonly code: number;
  readonly body: string;
}

export class FakeKubelet {
  readonly requests: RecordedRequest[] = [];
  private readonly logs = new Map<string, string[]>();
  private readonly failures = new Map<string, FailureAnswer>();
  private readonly followers = new Map<string, Set<ServerResponse>>();
  private closedFollowerCount = 0;
  private readonly waiters = new Set<() => void>();
  private server: Server | undefined;
  port = 0;

  /** A timestamp every line carries with `timestamps=true` (the kubelet writes RFC 3339 nano). */
  static readonly timestamp = '2026-01-02T03:04:05.000000000Z';

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const set of this.followers.values()) for (const r of set) r.destroy();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setLog(namespace: string, pod: string, container: string, lines: readonly string[]): void {
    this.logs.set(`${namespace}/${pod}/${container}`, [...lines]);
  }

  setFailure(namespace: string, pod: string, container: string, answer: FailureAnswer): void {
    this.failures.set(`${namespace}/${pod}/${container}`, answer);
  }

  clearFailure(namespace: string, pod: string, container: string): void {
    this.failures.delete(`${namespace}/${pod}/${container}`);
  }

  /** Appends a line to the log and to every follower of it. */
  append(namespace: string, pod: string, container: string, line: string): void {
    const key = `${namespace}/${pod}/${container}`;
    this.logs.get(key)?.push(line);
    for (const r of this.followers.get(key) ?? []) r.write(`${line}\n`);
  }

  /** Ends every follower of a log (the container exited). */
  endFollowers(namespace: string, pod: string, container: string): void {
    const key = `${namespace}/${pod}/${container}`;
    for (const r of this.followers.get(key) ?? []) r.end();
    this.followers.get(key)?.clear();
  }

  /** Followers open now, of one log. */
  followerCount(namespace: string, pod: string, container: string): number {
    return this.followers.get(`${namespace}/${pod}/${container}`)?.size ?? 0;
  }

  /** Followers whose connection closed before the kubelet ended them. */
  get closedFollowers(): number {
    return this.closedFollowerCount;
  }

  /** Resolves once `predicate` holds (checked at every request, line and close); no timeout. */
  until(predicate: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    this.requests.push({ path: url.pathname, query: url.search.slice(1) });
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (m === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
      this.changed();
      return;
    }
    const key = `${m[1]}/${m[2]}/${m[3]}`;
    const failure = this.failures.get(key);
    if (failure !== undefined) {
      res.writeHead(failure.code, { 'Content-Type': 'text/plain' });
      res.end(failure.body);
      this.changed();
      return;
    }
    let lines = this.logs.get(key) ?? [];
    const tail = url.searchParams.get('tailLines');
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    const stamp = url.searchParams.get('timestamps') === 'true' ? `${FakeKubelet.timestamp} ` : '';
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    for (const line of lines) res.write(`${stamp}${line}\n`);
    if (url.searchParams.get('follow') !== 'true') {
      res.end();
      this.changed();
      return;
    }
    let set = this.followers.get(key);
    if (set === undefined) {
      set = new Set();
      this.followers.set(key, set);
    }
    set.add(res);
    const followers = set;
    res.once('close', () => {
      if (followers.delete(res) && !res.writableFinished) this.closedFollowerCount++;
      this.changed();
    });
    this.changed();
  }
}
