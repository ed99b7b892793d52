// One watch over its own TCP connection: an HTTP/1.1 GET written by hand, the response read
// straight off the socket.
//
// A watch is one long response on a connection of its own, never reused while it runs, so a
// general HTTP client's machinery (pool, dispatcher, parser callbacks per body piece, handler
// objects) costs per chunk and per connection without giving anything back. Here the socket's
// reads go to the frame decoder directly; the only HTTP parsing past the headers is the chunked
// framing, a few bytes per chunk (the server writes one chunk per batch of frames):
//
//   socket read ──► [headers] ──► chunked framing: size line │ data ──► decoder ──► event queue
//                                                             └──── only these bytes are examined
//
//   reader: nextBatch() (every queued event, one promise) or `for await` (one event at a time).
//
// The queue is bounded: past `bufferEventsMax` unread events the socket is paused (TCP
// backpressure reaches the server, whose bounded buffer for this watcher then decides), and it is
// resumed at half.
//
// Over https:// the socket is node:tls with the client's own TLS settings (the ones its undici pool
// connects with); TLS hands over decrypted records as fresh buffers, so the framing sees the same
// bytes cut wherever records end.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { WatchEvent, WatchStream } from '../api.js';
import type { DecodedWatchEvent } from '../wire/watch-frames.js';

/** What cuts a stream's body into events (FrameSplitter for msgpack, JsonWatchDecoder for JSON). */
export interface WatchBodyDecoder {
  /** Appends the events completed by `chunk` (valid only during the call) to `out`. */
  push(chunk: Buffer, out: DecodedWatchEvent[]): void;
}

/** The node:tls options a client connects with (a subset of tls.ConnectionOptions). */
export interface TlsConnectOptions {
  readonly ca?: string | Buffer | (string | Buffer)[];
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

/** A response that was not 200: what the client turns into a StatusError. */
export interface WatchErrorResponse {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface SocketWatchOptions {
  readonly url: URL;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly decoder: WatchBodyDecoder;
  readonly bufferEventsMax: number;
  /** The response headers must arrive within this long (TLS handshake included). */
  readonly headersTimeoutMs: number;
  /**
   * For an https:// url: the node:tls options the client's requests also connect with.
   * undefined: Node's defaults (public roots, verified, SNI not sent).
   */
  readonly tls?: TlsConnectOptions | undefined;
  /** Turns a non-200 response into the error the watch fails with. */
  readonly errorOf: (response: WatchErrorResponse) => Error;
  /** Called once when the watch has ended or failed (the client forgets it). */
  readonly onDone: (w: SocketWatch) => void;
}

/**
 * Where every plain-TCP watch socket of this process reads into. Shared safely: a read's bytes are
 * consumed (decoded, or copied when a frame is cut) inside its callback, before any other read.
 */
const sharedReadBuffer = Buffer.allocUnsafe(256 * 1024);

/** Response headers longer than this are an error (kube-apiserver's are well under 1 KiB). */
const headerBytesMax = 64 * 1024;
/** Error bodies are kept up to this size. */
const errorBodyBytesMax = 3 * 1024 * 1024;

// Chunked framing states (numeric: switched on per byte of framing).
const ChunkSize = 0;
const ChunkExtension = 1;
const ChunkData = 2;
const ChunkDataEnd = 3;
const Trailer = 4;
const BodyDone = 5;
type ChunkState = typeof ChunkSize | typeof ChunkExtension | typeof ChunkData | typeof ChunkDataEnd | typeof Trailer | typeof BodyDone;

const CR = 0x0d;
const LF = 0x0a;

/** How the body is delimited. */
type BodyMode = 'chunked' | 'length' | 'close';

type State =
  | { readonly kind: 'starting' }
  | { readonly kind: 'streaming' }
  | { readonly kind: 'ended' }
  | { readonly kind: 'failed'; readonly error: Error };

export class SocketWatch implements WatchStream, AsyncIterator<WatchEvent> {
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (e: Error) => void;
  private state: State = { kind: 'starting' };
  private readonly socket: Socket;
  private headersTimer: NodeJS.Timeout | undefined;

  // Response, as parsed.
  private headerChunks: Buffer[] = [];
  private headerBytes = 0;
  private headersDone = false;
  private statusCode = 0;
  private contentType = '';
  private bodyMode: BodyMode = 'close';
  private lengthLeft = 0;
  private readonly errorChunks: Buffer[] = [];
  private errorBytes = 0;

  // Chunked framing.
  private chunkState: ChunkState = ChunkSize;
  private chunkLeft = 0;
  private sizeDigits = 0;
  private trailerLineBytes = 0;

  // Events decoded and not yet read: queue[head..].
  private queue: DecodedWatchEvent[] = [];
  private head = 0;
  private paused = false;
  private waiter: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private batchWaiter: ((batch: readonly WatchEvent[] | undefined) => void) | undefined;
  private waiterReject: ((e: Error) => void) | undefined;
  private closedByUs = false;
  /** How far an https:// connection got: errors in 'handshake' are reported as TLS failures. */
  private tlsPhase: 'tcp' | 'handshake' | 'secured' = 'tcp';

  constructor(private readonly o: SocketWatchOptions) {
    this.started = new Promise<void>((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
    const request = requestText(o.url, o.path, o.headers);
    const port = o.url.port === '' ? (o.url.protocol === 'https:' ? 443 : 80) : Number(o.url.port);
    const host = o.url.hostname.startsWith('[') ? o.url.hostname.slice(1, -1) : o.url.hostname;
    if (o.url.protocol === 'https:') {
      // host and port last: the url decides where to connect, whatever the options carry.
      const socket = tlsConnect({ ...o.tls, host, port });
      socket.once('connect', () => {
        if (this.tlsPhase === 'tcp') this.tlsPhase = 'handshake';
      });
      socket.once('secureConnect', () => {
        this.tlsPhase = 'secured';
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      this.socket = socket;
    } else {
      // Reads land in the one shared buffer (no allocation per read); onData consumes them at once.
      this.socket = netConnect({ host, port, onread: { buffer: sharedReadBuffer, callback: (bytes: number, buf: Uint8Array) => this.onRead(bytes, buf) } });
    }
    this.socket.setNoDelay(true);
    this.socket.write(request);
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (e: Error) => this.onSocketError(e));
    this.socket.on('close', () => this.onSocketClose());
    this.headersTimer = setTimeout(() => {
      this.headersTimer = undefined;
      const what = this.tlsPhase === 'handshake' ? `TLS handshake with ${o.url.host} finished` : 'response headers';
      this.fail(new Error(`watch: no ${what} within ${o.headersTimeoutMs} ms`));
    }, o.headersTimeoutMs);
  }

  // ---- socket side ----

  private onRead(bytes: number, buf: Uint8Array): boolean {
    this.onData(Buffer.from(buf.buffer, buf.byteOffset, bytes));
    // false pauses the socket (the queue is full); resumeIfDrained resumes it.
    return !this.paused;
  }

  /** Handles one read; `chunk` may be the shared read buffer, valid only during the call. */
  private onData(chunk: Buffer): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    let body = chunk;
    if (!this.headersDone) {
      const rest = this.readHeaders(chunk);
      if (rest === undefined) return;
      body = rest;
    }
    const before = this.queue.length;
    try {
      this.readBody(body);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.queue.length !== before) {
      if (!this.paused && this.queue.length - this.head >= this.o.bufferEventsMax) {
        this.paused = true;
        this.socket.pause();
      }
      this.wake();
    }
    if (this.chunkState === BodyDone) this.finishBody();
  }

  /** Gathers the header block; returns the bytes after it, or undefined while incomplete. */
  private readHeaders(chunk: Buffer): Buffer | undefined {
    this.headerChunks.push(chunk);
    this.headerBytes += chunk.length;
    const all = this.headerChunks.length === 1 ? chunk : Buffer.concat(this.headerChunks, this.headerBytes);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.headerBytes > headerBytesMax) this.fail(new Error(`watch: response headers over ${headerBytesMax} bytes`));
      // A copy: the chunk may be the shared read buffer.
      else this.headerChunks = [Buffer.from(all)];
      return undefined;
    }
    this.headerChunks = [];
    this.headersDone = true;
    if (this.headersTimer !== undefined) clearTimeout(this.headersTimer);
    this.headersTimer = undefined;
    const lines = all.toString('latin1', 0, end).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (status === null) {
      this.fail(new Error(`watch: not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`));
      return undefined;
    }
    this.statusCode = Number(status[1]);
    let transferEncoding = '';
    let contentLength = -1;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-type') this.contentType = value;
      else if (name === 'transfer-encoding') transferEncoding = value.toLowerCase();
      else if (name === 'content-length') contentLength = Number(value);
    }
    if (transferEncoding.split(',').some((t) => t.trim() === 'chunked')) {
      this.bodyMode = 'chunked';
    } else if (contentLength >= 0 && Number.isSafeInteger(contentLength)) {
      this.bodyMode = 'length';
      this.lengthLeft = contentLength;
      if (contentLength === 0) this.chunkState = BodyDone;
    }
    if (this.statusCode === 200) {
      this.state = { kind: 'streaming' };
      this.startResolve();
    }
    return all.subarray(end + 4);
  }

  /** Feeds body bytes through the framing to the decoder (or the error body). */
  private readBody(buf: Buffer): void {
    if (this.bodyMode === 'close') {
      if (buf.length > 0) this.consume(buf);
      return;
    }
    if (this.bodyMode === 'length') {
      const take = Math.min(this.lengthLeft, buf.length);
      if (take > 0) this.consume(take === buf.length ? buf : buf.subarray(0, take));
      this.lengthLeft -= take;
      if (this.lengthLeft === 0) this.chunkState = BodyDone;
      return;
    }
    const n = buf.length;
    let pos = 0;
    // Bounded: every pass consumes at least one byte, or a whole run of chunk data.
    while (pos < n && this.chunkState !== BodyDone) {
      switch (this.chunkState) {
        case ChunkSize: {
          const c = buf[pos++] as number;
          const digit = hexValue(c);
          if (digit >= 0) {
            if (++this.sizeDigits > 12) throw new Error('watch: chunk size too large');
            this.chunkLeft = this.chunkLeft * 16 + digit;
          } else if (c === LF) {
            this.endSizeLine();
          } else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) {
            this.chunkState = ChunkExtension;
          } else if (c !== CR) {
            throw new Error(`watch: bad chunk size byte 0x${c.toString(16)}`);
          }
          break;
        }
        case ChunkExtension: {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) {
            pos = n;
          } else {
            pos = lf + 1;
            this.endSizeLine();
          }
          break;
        }
        case ChunkData: {
          const take = Math.min(this.chunkLeft, n - pos);
          this.consume(pos === 0 && take === n ? buf : buf.subarray(pos, pos + take));
          pos += take;
          this.chunkLeft -= take;
          if (this.chunkLeft === 0) this.chunkState = ChunkDataEnd;
          break;
        }
        case ChunkDataEnd: {
          const c = buf[pos++] as number;
          if (c === LF) this.chunkState = ChunkSize;
          else if (c !== CR) throw new Error('watch: chunk data not followed by CRLF');
          break;
        }
        case Trailer: {
          const c = buf[pos++] as number;
          if (c === LF) {
            if (this.trailerLineBytes === 0) this.chunkState = BodyDone;
            this.trailerLineBytes = 0;
          } else if (c !== CR) {
            this.trailerLineBytes++;
          }
          break;
        }
        default:
          throw new Error(`invariant: chunk state ${this.chunkState}`);
      }
    }
  }

  private endSizeLine(): void {
    if (this.sizeDigits === 0) throw new Error('watch: empty chunk size');
    this.sizeDigits = 0;
    if (this.chunkLeft === 0) {
      this.chunkState = Trailer;
      this.trailerLineBytes = 0;
    } else {
      this.chunkState = ChunkData;
    }
  }

  private consume(bytes: Buffer): void {
    if (this.statusCode === 200) {
      this.o.decoder.push(bytes, this.queue);
      return;
    }
    if (this.errorBytes + bytes.length > errorBodyBytesMax) throw new Error(`watch: error response over ${errorBodyBytesMax} bytes`);
    this.errorChunks.push(Buffer.from(bytes));
    this.errorBytes += bytes.length;
  }

  /** The response is complete. */
  private finishBody(): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    if (this.statusCode !== 200) {
      this.fail(this.o.errorOf({ statusCode: this.statusCode, contentType: this.contentType, body: Buffer.concat(this.errorChunks, this.errorBytes) }));
      return;
    }
    this.end();
  }

  private onEnd(): void {
    if (!this.headersDone) {
      this.fail(new Error('watch: the server closed the connection before responding'));
      return;
    }
    if (this.bodyMode === 'close') this.chunkState = BodyDone;
    if (this.chunkState === BodyDone) this.finishBody();
    else this.fail(new Error('watch: the server closed the connection mid-response'));
  }

  private onSocketError(e: Error): void {
    if (this.closedByUs) return;
    this.fail(this.tlsPhase === 'handshake' ? tlsError(this.o.url, e) : e);
  }

  private onSocketClose(): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    if (this.closedByUs) return;
    this.onEnd();
  }

  /** The stream ended normally: readers drain the queue, then see the end. */
  private end(): void {
    this.state = { kind: 'ended' };
    this.release();
    this.wake();
  }

  private fail(error: Error): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    this.state = { kind: 'failed', error };
    this.release();
    this.startReject(error);
    const reject = this.waiterReject;
    if (reject !== undefined) {
      this.waiter = undefined;
      this.batchWaiter = undefined;
      this.waiterReject = undefined;
      reject(error);
    }
  }

  private release(): void {
    if (this.headersTimer !== undefined) clearTimeout(this.headersTimer);
    this.headersTimer = undefined;
    this.socket.destroy();
    this.o.onDone(this);
  }

  private wake(): void {
    const resolveBatch = this.batchWaiter;
    if (resolveBatch !== undefined) {
      const batch = this.takeBatch();
      if (batch === null) return;
      this.batchWaiter = undefined;
      this.waiterReject = undefined;
      resolveBatch(batch);
      return;
    }
    const resolve = this.waiter;
    if (resolve === undefined) return;
    const r = this.take();
    if (r === undefined) return;
    this.waiter = undefined;
    this.waiterReject = undefined;
    resolve(r);
  }

  private resumeIfDrained(): void {
    if (this.paused && this.queue.length - this.head <= this.o.bufferEventsMax >> 1) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** The next result if one is ready: an event, or the end. */
  private take(): IteratorResult<WatchEvent> | undefined {
    if (this.head < this.queue.length) {
      const ev = this.queue[this.head] as DecodedWatchEvent;
      this.queue[this.head] = undefined as unknown as DecodedWatchEvent;
      this.head++;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        // A reader that never quite catches up: drop the dead prefix now and then.
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.resumeIfDrained();
      return { value: ev as WatchEvent, done: false };
    }
    if (this.state.kind === 'ended') return { value: undefined, done: true };
    return undefined;
  }

  /** Every queued event (the queue itself is handed over), undefined at the end, null if none yet. */
  private takeBatch(): readonly WatchEvent[] | undefined | null {
    if (this.head < this.queue.length) {
      const batch = this.head === 0 ? this.queue : this.queue.slice(this.head);
      this.queue = [];
      this.head = 0;
      this.resumeIfDrained();
      return batch as readonly WatchEvent[];
    }
    if (this.state.kind === 'ended') return undefined;
    return null;
  }

  // ---- reader side ----

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.state.kind === 'failed' && this.head === this.queue.length) return Promise.reject(this.state.error);
    const r = this.take();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise<IteratorResult<WatchEvent>>((resolve, reject) => {
      this.waiter = resolve;
      this.waiterReject = reject;
    });
  }

  nextBatch(): Promise<readonly WatchEvent[] | undefined> {
    if (this.state.kind === 'failed' && this.head === this.queue.length) return Promise.reject(this.state.error);
    const batch = this.takeBatch();
    if (batch !== null) return Promise.resolve(batch);
    return new Promise<readonly WatchEvent[] | undefined>((resolve, reject) => {
      this.batchWaiter = resolve;
      this.waiterReject = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the watch now; events not yet read are dropped. */
  close(): void {
    if (this.state.kind === 'ended' || this.state.kind === 'failed') return;
    this.closedByUs = true;
    this.queue = [];
    this.head = 0;
    this.startResolve();
    this.end();
  }
}

/**
 * A failed TLS handshake, said as such: which server, why (Node's words, e.g. "self-signed
 * certificate in certificate chain"), and OpenSSL's code; the original error is the cause.
 */
function tlsError(url: URL, e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const suffix = code === undefined ? '' : ` (${code})`;
  const error = new Error(`watch: TLS handshake with ${url.host} failed: ${e.message}${suffix}`, { cause: e });
  if (code !== undefined) (error as NodeJS.ErrnoException).code = code;
  return error;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The request head. Header names and values may not carry CR or LF (no header injection). */
function requestText(url: URL, path: string, headers: Readonly<Record<string, string>>): string {
  let text = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n`;
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value) || name.includes(':')) throw new Error(`watch: invalid header ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'connection') continue;
    text += `${name}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}
