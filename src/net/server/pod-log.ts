// GET /api/v1/namespaces/<ns>/pods/<name>/log: kube-apiserver's LogREST. In order, as it does:
//
//   1. query → PodLogOptions (a value that does not convert: 400 with Go's conversion error)
//   2. ValidatePodLogOptions (422 `PodLogOptions "web" is invalid: …`)
//   3. the pod (404 `pods "web" not found`)
//   4. the container: named ones must exist in the pod; none named → the only container, or 400
//      `a container name must be specified for pod web, choose one of: [init a b]` (every
//      container: init, regular, ephemeral). kubectl applies the
//      `kubectl.kubernetes.io/default-container` annotation itself before asking.
//   5. not scheduled (no spec.nodeName): 204 No Content, an empty log (LogLocation returns no
//      location and LocationStreamer a null stream)
//   6. the node (404 `nodes "n1" not found`) → its kubelet endpoint (node-proxy.ts), then
//      `GET /containerLogs/<ns>/<pod>/<container>?<params>` streamed back as text/plain.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, badRequest, type StatusCause } from '../../core/errors.js';
import type { Node, Pod } from '../../core/api/types.js';
import { fieldErrorBody, formatFieldError, forbidden, invalid, type FieldError } from '../../core/api/validation/field.js';
import { kubeletConnection, streamFromKubelet, UnknownReasonError } from './node-proxy.js';
import type { Registry } from './registry/registry.js';

export interface PodLogRequest {
  readonly registry: Registry;
  readonly namespace: string;
  readonly name: string;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** PodLogOptions as decoded from the query (absent = undefined, as Go's nil pointers). */
export interface PodLogOptions {
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly insecureSkipTLSVerifyBackend: boolean;
  readonly sinceSeconds: bigint | undefined;
  /** RFC 3339, as the kubelet is sent it. */
  readonly sinceTime: string | undefined;
  readonly tailLines: bigint | undefined;
  readonly limitBytes: bigint | undefined;
}

const int64Max = 2n ** 63n - 1n;
const int64Min = -(2n ** 63n);

/** strconv.ParseInt(s, 10, 64), with Go's error text. */
function parseInt64(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > int64Max || v < int64Min) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

/** Go's query conversion to bool: absent → false; `0` or `false` (any case) → false; else true. */
function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function queryInt64(query: URLSearchParams, name: string): bigint | undefined {
  const v = query.get(name);
  return v === null ? undefined : parseInt64(v);
}

const rfc3339Layout = '2006-01-02T15:04:05Z07:00';
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * metav1.Time's UnmarshalQueryParameter: '' and `null` are the zero time; otherwise RFC 3339
 * (time.Parse's error text on failure, reduced to the whole value). Returns the instant in UTC.
 */
function parseSinceTime(s: string): string {
  if (s === '' || s === 'null') return '0001-01-01T00:00:00Z';
  const m = rfc3339.exec(s);
  const fail = (why: string): never => {
    throw badRequest(`parsing time ${JSON.stringify(s)}${why}`);
  };
  if (m === null) return fail(` as ${JSON.stringify(rfc3339Layout)}: cannot parse ${JSON.stringify(s)} as ${JSON.stringify(rfc3339Layout)}`);
  const [, , month, day, hour, minute, second] = m;
  if (Number(month) < 1 || Number(month) > 12) fail(': month out of range');
  if (Number(day) < 1 || Number(day) > 31) fail(': day out of range');
  if (Number(hour) > 23) fail(': hour out of range');
  if (Number(minute) > 59) fail(': minute out of range');
  if (Number(second) > 59) fail(': second out of range');
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) fail(': day out of range');
  // Go formats RFC 3339 without fractions: the kubelet gets whole seconds.
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The query as kube-apiserver decodes PodLogOptions from it (400 on a value that does not convert). */
export function podLogOptionsOf(query: URLSearchParams): PodLogOptions {
  const sinceTime = query.get('sinceTime');
  return {
    container: query.get('container') ?? '',
    follow: queryBool(query, 'follow'),
    previous: queryBool(query, 'previous'),
    timestamps: queryBool(query, 'timestamps'),
    insecureSkipTLSVerifyBackend: queryBool(query, 'insecureSkipTLSVerifyBackend'),
    sinceSeconds: queryInt64(query, 'sinceSeconds'),
    sinceTime: sinceTime === null ? undefined : parseSinceTime(sinceTime),
    tailLines: queryInt64(query, 'tailLines'),
    limitBytes: queryInt64(query, 'limitBytes'),
  };
}

/** ValidatePodLogOptions (pkg/apis/core/validation). */
export function validatePodLogOptions(o: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0n) errs.push(invalid('tailLines', o.tailLines, 'must be greater than or equal to 0', String(o.tailLines)));
  if (o.limitBytes !== undefined && o.limitBytes < 1n) errs.push(invalid('limitBytes', o.limitBytes, 'must be greater than 0', String(o.limitBytes)));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1n) {
    errs.push(invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0', String(o.sinceSeconds)));
  }
  return errs;
}

/** apierrors.NewInvalid(Kind("PodLogOptions"), name, errs). */
function invalidOptions(name: string, errs: readonly FieldError[]): StatusError {
  const all = [...new Set(errs.map(formatFieldError))];
  const message = `PodLogOptions ${JSON.stringify(name)} is invalid: ${all.length === 1 ? all[0] : `[${all.join(', ')}]`}`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return new StatusError('Invalid', message, { name, group: '', kind: 'PodLogOptions', causes });
}

/** Every container name of a pod, in VisitContainers order: init, regular, ephemeral. */
function containerNames(pod: Pod): string[] {
  const names: string[] = [];
  for (const list of [pod.spec?.initContainers, pod.spec?.containers, pod.spec?.ephemeralContainers]) {
    for (const c of list ?? []) names.push(c.name);
  }
  return names;
}

/** validateContainer (pkg/registry/core/pod/strategy.go): the container the log is of. */
export function logContainer(pod: Pod, requested: string): string {
  const name = pod.metadata.name ?? '';
  if (requested === '') {
    const containers = pod.spec?.containers ?? [];
    if (containers.length === 1) return (containers[0] as { name: string }).name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
  }
  if (!containerNames(pod).includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The kubelet's query, as LogLocation builds it (url.Values.Encode: keys sorted). */
export function kubeletLogQuery(o: PodLogOptions): string {
  const q = new URLSearchParams();
  if (o.follow) q.append('follow', 'true');
  if (o.limitBytes !== undefined) q.append('limitBytes', String(o.limitBytes));
  if (o.previous) q.append('previous', 'true');
  if (o.sinceSeconds !== undefined) q.append('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) q.append('sinceTime', o.sinceTime);
  if (o.tailLines !== undefined) q.append('tailLines', String(o.tailLines));
  if (o.timestamps) q.append('timestamps', 'true');
  return q.toString();
}

/** Serves a pod's log, or throws a StatusError (written by the caller as a Status). */
export async function servePodLog(request: PodLogRequest): Promise<void> {
  const { registry, namespace, name, res } = request;
  const options = podLogOptionsOf(request.query);
  const errs = validatePodLogOptions(options);
  if (errs.length > 0) throw invalidOptions(name, errs);
  const pod = await registry.get<Pod>({ group: '', version: 'v1', plural: 'pods' }, namespace, name);
  const container = logContainer(pod, options.container);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') {
    res.writeHead(204);
    res.end();
    return;
  }
  const node = await registry.get<Node>({ group: '', version: 'v1', plural: 'nodes' }, '', nodeName);
  try {
    await streamFromKubelet({
      connection: kubeletConnection(node),
      path: `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`,
      query: kubeletLogQuery(options),
      contentType: 'text/plain',
      resource: 'pods/log',
      name,
      res,
    });
  } catch (e) {
    if (!(e instanceof UnknownReasonError)) throw e;
    // A Status without a reason (a plain Go error in kube-apiserver): written here, as the
    // caller's StatusError carries a reason; Go omits the empty reason from the JSON.
    const { reason: _none, ...status } = e.status;
    const body = Buffer.from(JSON.stringify(status));
    res.writeHead(e.status.code, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }
}
