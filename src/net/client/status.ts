// Error responses → StatusError. A body that is a Status becomes a StatusError with the server's
// reason, code, message and details, unchanged; anything else (a proxy's HTML page, an empty body)
// becomes the generic error client-go builds for that HTTP code (NewGenericServerResponse).

import { StatusError, type Status, type StatusDetails, type StatusReason } from '../../core/errors.js';

const genericByCode: ReadonlyMap<number, { readonly reason: StatusReason; readonly message: string }> = new Map([
  [400, { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason' }],
  [401, { reason: 'Unauthorized', message: 'the server has asked for the client to provide credentials' }],
  [403, { reason: 'Forbidden', message: 'forbidden' }],
  [404, { reason: 'NotFound', message: 'the server could not find the requested resource' }],
  [405, { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' }],
  [406, { reason: 'NotAcceptable', message: 'the server was unable to respond with a content type that the client supports' }],
  [409, { reason: 'Conflict', message: 'the server reported a conflict' }],
  [410, { reason: 'Gone', message: 'the server has asked for the client to provide a newer resource version' }],
  [413, { reason: 'RequestEntityTooLarge', message: 'the server has rejected the request because the request entity is too large' }],
  [415, { reason: 'UnsupportedMediaType', message: 'the server was unable to handle the media type requested' }],
  [422, { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' }],
  [429, { reason: 'TooManyRequests', message: 'the server has received too many requests and has asked us to try again later' }],
  [503, { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' }],
  [504, { reason: 'Timeout', message: 'the server was unable to return a response in the time allotted, but may still be processing the request' }],
]);

export function isStatus(value: unknown): value is Status {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'Status' &&
    typeof (value as { code?: unknown }).code === 'number'
  );
}

/** The StatusError for an error response: the Status it carries, or client-go's generic one. */
export function statusErrorOf(httpCode: number, body: unknown, bodyText: string): StatusError {
  if (isStatus(body) && body.status !== 'Success') {
    const reason = body.reason === '' ? (genericByCode.get(body.code)?.reason ?? 'InternalError') : body.reason;
    const details: StatusDetails | undefined = body.details;
    return new StatusError(reason, body.message, details, body.code);
  }
  const generic = genericByCode.get(httpCode);
  if (generic !== undefined) {
    const message = bodyText === '' ? generic.message : `${generic.message} (${bodyText.slice(0, 256)})`;
    return new StatusError(generic.reason, message, {}, httpCode);
  }
  return new StatusError(
    'InternalError',
    `an error on the server (${JSON.stringify(bodyText.slice(0, 256))}) has prevented the request from succeeding`,
    {},
    httpCode,
  );
}

/**
 * The texts of `Warning: 299 - "text"` headers (RFC 7234 warn-code 299, as kube-apiserver sends
 * fieldValidation=Warn findings).
 */
export function parseWarnings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: string[] = [];
  for (const v of values) {
    // One header line may hold several comma-separated warnings; texts are quoted strings.
    let i = 0;
    while (i < v.length) {
      const q = v.indexOf('"', i);
      if (q < 0) break;
      let j = q + 1;
      let text = '';
      while (j < v.length && v[j] !== '"') {
        if (v[j] === '\\' && j + 1 < v.length) j++;
        text += v[j];
        j++;
      }
      out.push(text);
      const comma = v.indexOf(',', j);
      if (comma < 0) break;
      i = comma + 1;
    }
  }
  return out;
}
