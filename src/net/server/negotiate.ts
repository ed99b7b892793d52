// Content negotiation: which encoding a request body is in, and which encoding and shape the
// client wants back. Kubernetes clients send JSON (kubectl asks for Tables when printing); our own
// client sends msgpack. A client that asks for protobuf (kubectl describe does, with JSON as the
// fallback) gets JSON.

export type WireFormat = 'json' | 'msgpack' | 'yaml';

/** msgpack media type of our own client. */
export const msgpackMediaType = 'application/vnd.coxswain.msgpack';

/**
 * The framed msgpack watch stream's media type (src/net/wire/watch-frames.ts). A watch request may
 * name it in Accept, alone or before `msgpackMediaType`, as kube clients name the protobuf stream
 * type; anywhere else it is not acceptable.
 */
export const msgpackWatchMediaType = 'application/vnd.coxswain.watch+msgpack';

/** What the response body should be: the object(s) as they are, a Table, or metadata only. */
export type ResponseShape = 'object' | 'table' | 'partial-metadata';

export interface ResponseNegotiation {
  readonly format: WireFormat;
  readonly shape: ResponseShape;
  /** meta.k8s.io version of the Table / PartialObjectMetadata asked for (v1 or v1beta1). */
  readonly metaVersion: string;
  /** The Content-Type to answer with. */
  readonly contentType: string;
}

interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Splits an Accept header into media ranges in the client's order (q-values are not used by
 * Kubernetes clients; we honour order, which is what kube-apiserver effectively does). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*/*', params: new Map() }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [typePart, ...paramParts] = part.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    ranges.push({ type, params });
  }
  return ranges;
}

const jsonObject: ResponseNegotiation = Object.freeze({
  format: 'json',
  shape: 'object',
  metaVersion: 'v1',
  contentType: 'application/json',
});
const msgpackObject: ResponseNegotiation = Object.freeze({
  format: 'msgpack',
  shape: 'object',
  metaVersion: 'v1',
  contentType: msgpackMediaType,
});
const yamlObject: ResponseNegotiation = Object.freeze({
  format: 'yaml',
  shape: 'object',
  metaVersion: 'v1',
  contentType: 'application/yaml',
});

/** The plain-object response in `format` (no Table, no metadata-only shape). */
export function objectNegotiation(format: WireFormat): ResponseNegotiation {
  return format === 'json' ? jsonObject : format === 'msgpack' ? msgpackObject : yamlObject;
}

function formatOf(type: string, watch: boolean): WireFormat | undefined {
  switch (type) {
    case msgpackWatchMediaType:
      return watch ? 'msgpack' : undefined;
    case 'application/json':
    case 'application/*':
    case '*/*':
      return 'json';
    case msgpackMediaType:
    case 'application/msgpack':
    case 'application/x-msgpack':
      return 'msgpack';
    case 'application/yaml':
      return 'yaml';
    default:
      return undefined;
  }
}

/**
 * Picks the response for an Accept header, or undefined when nothing acceptable is offered (406).
 * `tableAllowed` is false where kube-apiserver serves no Table (e.g. subresources like scale);
 * `watch` accepts the watch stream media types as well.
 */
export function negotiateResponse(
  accept: string | undefined,
  tableAllowed = true,
  watch = false,
): ResponseNegotiation | undefined {
  // Clients send the same few Accept headers on every request: parse each once.
  const memoKey = `${tableAllowed ? 't' : '-'}${watch ? 'w' : '-'}${accept ?? ''}`;
  const memo = negotiated.get(memoKey);
  if (memo !== undefined) return memo === notAcceptable ? undefined : memo;
  const result = negotiate(accept, tableAllowed, watch);
  if (negotiated.size >= negotiatedMax) negotiated.clear();
  negotiated.set(memoKey, result ?? notAcceptable);
  return result;
}

/** Negotiations by Accept header (bounded: cleared when full, a few distinct headers are usual). */
const negotiated = new Map<string, ResponseNegotiation>();
const negotiatedMax = 256;
const notAcceptable: ResponseNegotiation = Object.freeze({ format: 'json', shape: 'object', metaVersion: '', contentType: '' });

function negotiate(accept: string | undefined, tableAllowed: boolean, watch: boolean): ResponseNegotiation | undefined {
  for (const range of parseAccept(accept)) {
    const format = formatOf(range.type, watch);
    if (format === undefined) continue;
    const as = range.params.get('as');
    if (as === undefined) {
      return objectNegotiation(format);
    }
    if (range.params.get('g') !== 'meta.k8s.io') continue;
    const metaVersion = range.params.get('v') ?? 'v1';
    if (metaVersion !== 'v1' && metaVersion !== 'v1beta1') continue;
    let shape: ResponseShape;
    if (as === 'Table' && tableAllowed) shape = 'table';
    else if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      shape = 'partial-metadata';
    } else continue;
    const base = format === 'msgpack' ? msgpackMediaType : format === 'yaml' ? 'application/yaml' : 'application/json';
    return Object.freeze({
      format,
      shape,
      metaVersion,
      contentType: `${base};as=${as};g=meta.k8s.io;v=${metaVersion}`,
    });
  }
  return undefined;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Request bodies may also be Kubernetes protobuf (kubectl's typed clients send it). */
export type BodyFormat = WireFormat | 'protobuf';

export type BodyType =
  | { readonly type: 'object'; readonly format: BodyFormat }
  | { readonly type: 'patch'; readonly patchType: PatchType; readonly format: WireFormat };

/** The body's encoding from its Content-Type; undefined for an unsupported media type (415). */
export function bodyTypeOf(contentType: string | undefined): BodyType | undefined {
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case '':
    case 'application/json':
      return { type: 'object', format: 'json' };
    case 'application/yaml':
    case 'application/x-yaml':
      return { type: 'object', format: 'yaml' };
    case msgpackMediaType:
    case 'application/msgpack':
    case 'application/x-msgpack':
      return { type: 'object', format: 'msgpack' };
    case 'application/vnd.kubernetes.protobuf':
      return { type: 'object', format: 'protobuf' };
    case 'application/json-patch+json':
      return { type: 'patch', patchType: 'json', format: 'json' };
    case 'application/merge-patch+json':
      return { type: 'patch', patchType: 'merge', format: 'json' };
    case 'application/strategic-merge-patch+json':
      return { type: 'patch', patchType: 'strategic', format: 'json' };
    case 'application/apply-patch+yaml':
      return { type: 'patch', patchType: 'apply', format: 'yaml' };
    case 'application/apply-patch+cbor':
      return undefined;
    default:
      return undefined;
  }
}

/** The Content-Type values a PATCH accepts, as kube-apiserver lists them in its 415 message. */
export const patchContentTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
