// Field errors as Kubernetes reports them (k8s.io/apimachinery/pkg/util/validation/field), their
// exact text, and the 422 Invalid Status built from them (apierrors.NewInvalid).
//
//   spec.containers[0].image: Required value
//   metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of …
//   spec.replicas: Invalid value: -1: must be greater than or equal to 0
//   spec.restartPolicy: Unsupported value: "x": supported values: "Always", "OnFailure", "Never"

import { StatusError, type StatusCause } from '../../errors.js';
import { qualifiedKind, type KindInfo } from '../kinds.js';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  readonly type: FieldErrorType;
  /** The field path: `spec.containers[0].image`, `metadata.labels`, `data[key]`. */
  readonly field: string;
  readonly detail: string;
  readonly badValue: unknown;
  /**
   * The bad value as Go prints it, when that differs from the generic rendering (an
   * IntOrString prints unquoted; a LabelSelector prints as a Go struct).
   */
  readonly badValueText?: string;
}

/** Error list under construction; validators append to it. */
export type FieldErrors = FieldError[];

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail, badValue: '' };
}

export function invalid(field: string, badValue: unknown, detail: string, badValueText?: string): FieldError {
  return badValueText === undefined
    ? { type: 'FieldValueInvalid', field, detail, badValue }
    : { type: 'FieldValueInvalid', field, detail, badValue, badValueText };
}

export function notSupported(field: string, badValue: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length === 0 ? '' : `supported values: ${supported.map(goQuote).join(', ')}`;
  return { type: 'FieldValueNotSupported', field, detail, badValue };
}

export function duplicate(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: '', badValue };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail, badValue: '' };
}

export function tooLong(field: string, badValue: unknown, bytesMax: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `must have at most ${bytesMax} bytes`, badValue };
}

export function notFound(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, detail: '', badValue };
}

export function typeInvalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field, detail, badValue };
}

const typeText: Readonly<Record<FieldErrorType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
  InternalError: 'Internal error',
};

/** The message without the field (ErrorBody): what goes into a Status cause's `message`. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      break;
    default:
      s += `: ${e.badValueText ?? formatGoValue(e.badValue)}`;
  }
  if (e.detail !== '') s += `: ${e.detail}`;
  return s;
}

/** `<field>: <body>`, exactly as kube-apiserver prints a field error. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** Go's %q for a string (JSON escaping is the same for the printable text we handle). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * A bad value as Go's field error prints it: numbers and booleans bare, strings quoted, null as
 * `null`, string lists and maps as `%#v` does (`[]string{"a", "b"}`,
 * `map[string]string{"app":"web"}`), anything else as JSON.
 */
export function formatGoValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      break;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => goQuote(x as string)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.every((k) => typeof o[k] === 'string')) return goStringMap(o as Record<string, string>);
  }
  return JSON.stringify(v) ?? 'null';
}

/** `map[string]string{"a":"b", "c":"d"}` with sorted keys, or `map[string]string(nil)`. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined): string {
  if (m === undefined) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k] ?? '')}`).join(', ')}}`;
}

/**
 * Kubernetes' error list aggregate: one message as is, several in brackets, duplicates (same
 * full text) dropped.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  for (const e of errors) seen.add(formatFieldError(e));
  const all = [...seen];
  if (all.length === 1) return all[0] ?? '';
  return `[${all.join(', ')}]`;
}

/**
 * The 422 Invalid Status kube-apiserver returns:
 * `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be …`, with one
 * cause per error (reason = the error type, message = the body, field = the path).
 */
export function invalidError(kind: KindInfo, name: string, errors: readonly FieldError[]): StatusError {
  const qk = qualifiedKind(kind);
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  const message =
    errors.length === 0 ? `${qk} ${goQuote(name)} is invalid` : `${qk} ${goQuote(name)} is invalid: ${aggregateMessage(errors)}`;
  return new StatusError('Invalid', message, { name, group: kind.group, kind: kind.kind, causes });
}
