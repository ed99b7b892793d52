// Requests from the API server to a node's kubelet endpoint (`/containerLogs/...` today;
// exec, attach and port-forward later), as kube-apiserver makes them: where the kubelet is
// (NodeConnectionInfoGetter), and a GET whose body is streamed back to the client with
// backpressure (LocationStreamer + GenericHttpResponseChecker).
//
// Where: the node's first address of the preferred types (InternalIP, Hostname, InternalDNS,
// ExternalIP, ExternalDNS — kube-apiserver's default puts Hostname first; a simulated node's
// hostname need not resolve, its InternalIP does) and `status.daemonEndpoints.kubeletEndpoint.Port`
// (10250 when unset).
//
// Scheme — the rule, explicit and per node:
//   annotation `node.coxswain.dev/kubelet-scheme: http` → plain HTTP. Our node agent sets it: it
//     serves its endpoint over HTTP on loopback.
//   anything else (a real kubelet)                      → HTTPS, certificate not verified, as
//     kube-apiserver does when no `--kubelet-certificate-authority` is configured (none can be
//     here), so `insecureSkipTLSVerifyBackend=true` changes nothing.
//
// Failures reach the client as kube-apiserver's Status: the kubelet unreachable → 500 with no
// reason and Go's error text (`Get "http://…": dial tcp 127.0.0.1:1: connect: connection
// refused`); a kubelet answer outside 200–206 → its body as the message of the Status
// GenericHttpResponseChecker makes of its code.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type ClientRequest, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIPv6 } from 'node:net';
import { StatusError, type Status } from '../../core/errors.js';
import type { Node } from '../../core/api/types.js';

/** The node annotation that makes the API server reach the node's kubelet endpoint over HTTP. */
export const kubeletSchemeAnnotation = 'node.coxswain.dev/kubelet-scheme';

/** kube-apiserver's `--kubelet-port` default, used when the node reports no port. */
export const kubeletPortDefault = 10250;

/** Address types tried in order (`--kubelet-preferred-address-types`, ours; see the header). */
export const kubeletPreferredAddressTypes: readonly string[] = Object.freeze(['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS']);

/** Connecting to the kubelet and receiving its response headers (kube: a 30 s dial timeout). */
export const kubeletResponseTimeoutMs = 30_000;

/** How much of a failed kubelet response becomes the message (GenericHttpResponseChecker). */
export const kubeletErrorBodyBytesMax = 50_000;

export interface KubeletConnection {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

/** Raised where kube-apiserver returns a Status with no reason (a plain Go error): code 500. */
export class UnknownReasonError extends Error {
  readonly status: Status;
  constructor(message: string, code = 500) {
    super(message);
    this.name = 'UnknownReasonError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: '', code };
  }
}

/** Go's `%v` of a NodeAddress list: `[{InternalIP 10.0.0.1} {Hostname n1}]`. */
function goAddresses(addresses: readonly { readonly type?: string; readonly address?: string }[]): string {
  return `[${addresses.map((a) => `{${a.type ?? ''} ${a.address ?? ''}}`).join(' ')}]`;
}

/** Where a node's kubelet endpoint is, or why it cannot be reached (NodeConnectionInfoGetter). */
export function kubeletConnection(node: Node): KubeletConnection {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const type of kubeletPreferredAddressTypes) {
    for (const a of addresses) {
      if (a.type === type && a.address !== undefined && a.address !== '') {
        host = a.address;
        break;
      }
    }
    if (host !== undefined) break;
  }
  if (host === undefined) throw new UnknownReasonError(`no preferred addresses found; known addresses: ${goAddresses(addresses)}`);
  const reported = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const port = reported > 0 ? reported : kubeletPortDefault;
  const scheme = node.metadata.annotations?.[kubeletSchemeAnnotation] === 'http' ? 'http' : 'https';
  return { scheme, host, port };
}

/** `scheme://host:port` + path + `?query` (query already encoded), IPv6 hosts bracketed. */
export function kubeletUrl(c: KubeletConnection, path: string, query: string): string {
  const host = isIPv6(c.host) ? `[${c.host}]` : c.host;
  return `${c.scheme}://${host}:${c.port}${path}${query === '' ? '' : `?${query}`}`;
}

const httpAgent = new HttpAgent({ keepAlive: true });
// No CA is configured for kubelets: their certificates are not verified (see the header).
const httpsAgent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: false });

/** The text Go's net/http puts after `Get "<url>": ` for a failed connection or request. */
function goDialError(e: NodeJS.ErrnoException, c: KubeletConnection): string {
  const addr = isIPv6(c.host) ? `[${c.host}]:${c.port}` : `${c.host}:${c.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${c.host}: no such host`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    default:
      return `dial tcp ${addr}: ${e.message}`;
  }
}

/** What the client is told for a kubelet response outside 200–206 (GenericHttpResponseChecker). */
export function kubeletResponseError(code: number, body: string, resource: string, name: string): StatusError | UnknownReasonError {
  if (code === 500) return new StatusError('InternalError', `Internal error occurred: ${body}`, { causes: [{ message: body }] });
  if (code === 400) return new StatusError('BadRequest', body);
  // NewGenericServerResponse with an empty verb: hence `( pods/log web)`.
  const suffix = ` ( ${resource} ${name})`;
  const details = { name, group: '', kind: resource };
  const known = (reason: ConstructorParameters<typeof StatusError>[0], message: string): StatusError =>
    new StatusError(reason, `${message}${suffix}`, details, code);
  switch (code) {
    case 401:
      return known('Unauthorized', 'the server has asked for the client to provide credentials');
    case 403:
      return known('Forbidden', body);
    case 404:
      return known('NotFound', 'the server could not find the requested resource');
    case 405:
      return known('MethodNotAllowed', 'the server does not allow this method on the requested resource');
    case 406:
      return known('NotAcceptable', body);
    case 409:
      return known('Conflict', 'the server reported a conflict');
    case 415:
      return known('UnsupportedMediaType', body);
    case 422:
      return known('Invalid', 'the server rejected our request due to an error in our request');
    case 429:
      return known('TooManyRequests', 'the server has received too many requests and has asked us to try again later');
    case 503:
      return known('ServiceUnavailable', 'the server is currently unable to handle the request');
    case 504:
      return known('Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request');
    default:
      if (code >= 500) return known('InternalError', `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`);
      return new UnknownReasonError(`the server responded with the status code ${code} but did not return more information${suffix}`, code);
  }
}

export interface StreamFromKubelet {
  readonly connection: KubeletConnection;
  /** Path and encoded query on the kubelet: `/containerLogs/ns/pod/c`, `follow=true`. */
  readonly path: string;
  readonly query: string;
  /** Content-Type of the response to the client (kube: `text/plain` for logs). */
  readonly contentType: string;
  /** For GenericHttpResponseChecker's messages: `pods/log` and the pod's name. */
  readonly resource: string;
  readonly name: string;
  readonly res: ServerResponse;
}

/**
 * GETs the kubelet URL and streams its body to `res` (200, `contentType`) with backpressure: the
 * upstream is paused while the client's socket is full. Resolves when the stream ends: the
 * kubelet ended it (or failed mid-way — the client then sees the end of a well-formed response,
 * as from kube-apiserver), or the client went away (the upstream request is aborted). Rejects
 * before anything is written with a StatusError or UnknownReasonError for the client.
 */
export function streamFromKubelet(s: StreamFromKubelet): Promise<void> {
  const { connection: c, res } = s;
  const url = kubeletUrl(c, s.path, s.query);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      res.off('close', onClientClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const requestFn = c.scheme === 'http' ? httpRequest : httpsRequest;
    const upstream: ClientRequest = requestFn(url, { method: 'GET', agent: c.scheme === 'http' ? httpAgent : httpsAgent });
    // The client hanging up (kubectl logs -f interrupted) aborts the kubelet request.
    const onClientClose = (): void => {
      upstream.destroy();
      settle();
    };
    res.once('close', onClientClose);
    upstream.setTimeout(kubeletResponseTimeoutMs, () => {
      const e: NodeJS.ErrnoException = new Error('timeout');
      e.code = 'ETIMEDOUT';
      upstream.destroy(e);
    });
    let streaming = false;
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      // Once the body flows, a failure ends the client's response (pump), not an error Status.
      if (!streaming) settle(new UnknownReasonError(`Get ${JSON.stringify(url)}: ${goDialError(e, c)}`));
    });
    upstream.once('response', (up: IncomingMessage) => {
      upstream.setTimeout(0); // a followed log may stay quiet for hours
      const code = up.statusCode ?? 0;
      if (code < 200 || code > 206) {
        readLimited(up, kubeletErrorBodyBytesMax).then(
          (body) => settle(kubeletResponseError(code, body, s.resource, s.name)),
          (e: Error) => settle(new StatusError('InternalError', `Internal error occurred: ${e.message}`, { causes: [{ message: e.message }] })),
        );
        return;
      }
      if (settled) {
        up.destroy();
        return;
      }
      streaming = true;
      res.writeHead(200, { 'Content-Type': s.contentType, 'Cache-Control': 'no-cache, private' });
      // Headers at once: `kubectl logs -f` shows nothing until they come, however quiet the log.
      res.flushHeaders();
      pump(up, res, () => settle());
    });
    upstream.end();
  });
}

/** Copies `from` to `to` with backpressure; ends `to` when `from` ends or fails; then `done`. */
function pump(from: IncomingMessage, to: ServerResponse, done: () => void): void {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    from.off('data', onData);
    to.off('drain', onDrain);
    if (!to.writableEnded && !to.destroyed) to.end();
    done();
  };
  const onData = (chunk: Buffer): void => {
    if (!to.write(chunk)) from.pause();
  };
  const onDrain = (): void => {
    from.resume();
  };
  from.on('data', onData);
  to.on('drain', onDrain);
  from.once('end', finish);
  // A kubelet that dies mid-stream ends the response cleanly, as Go's io.Copy returning does.
  from.on('error', finish);
  from.once('aborted', finish);
  from.once('close', finish);
}

/** Up to `max` bytes of a response body as UTF-8; the rest is discarded. */
function readLimited(from: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    from.on('data', (chunk: Buffer) => {
      if (size >= max) return;
      const take = chunk.length <= max - size ? chunk : chunk.subarray(0, max - size);
      chunks.push(take);
      size += take.length;
    });
    from.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    from.on('error', reject);
  });
}
