// Patch errors, worded as kube-apiserver words them.

import { StatusError } from '../../../core/errors.js';
import type { JsonValue } from './json.js';

/** `errors.NewBadRequest(msg)`: 400 BadRequest. */
export function patchBadRequest(message: string): StatusError {
  return new StatusError('BadRequest', message);
}

/**
 * `errors.NewGenericServerResponse(422, "", GroupResource{}, "", msg, 0, false)`: kube-apiserver
 * drops the underlying message and sends this fixed one (kubectl prints "The request is invalid:
 * the server rejected our request due to an error in our request").
 */
export function patchUnprocessable(): StatusError {
  return new StatusError(
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
}

/**
 * A plain Go error that reaches `ErrorToAPIStatus`: 500 with the error text as the message.
 * (kube-apiserver leaves the reason empty; StatusError needs one, so InternalError.)
 */
export function patchInternal(message: string): StatusError {
  return new StatusError('InternalError', message, undefined, 500);
}

/** Go's `%v` formatting of a decoded JSON value (`map[a:1 b:[x y]]`), for error texts. */
export function goFormat(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => goFormat(x)).join(' ')}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
}
