// Kubernetes Status errors. Every expected failure that reaches a client is a StatusError whose
// `status` is exactly the `Status` object Kubernetes would send (reason, code, details, causes),
// so kubectl prints `Error from server (NotFound): pods "x" not found` as it does against
// kube-apiserver. Exceptions that are not StatusErrors are bugs and become 500 InternalError.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'Timeout'
  | 'ServerTimeout'
  | 'TooManyRequests'
  | 'RequestEntityTooLarge'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable';

/** A field-level cause, as in `details.causes` of an Invalid Status. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The `meta.k8s.io/v1` Status object, as sent on the wire. */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: StatusReason | '';
  readonly details?: StatusDetails;
  readonly code: number;
}

const codeByReason: Readonly<Record<StatusReason, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  Invalid: 422,
  Timeout: 504,
  ServerTimeout: 500,
  TooManyRequests: 429,
  RequestEntityTooLarge: 413,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  InternalError: 500,
  ServiceUnavailable: 503,
};

export class StatusError extends Error {
  readonly status: Status;

  constructor(reason: StatusReason, message: string, details?: StatusDetails, code?: number) {
    super(message);
    this.name = 'StatusError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details === undefined ? {} : { details }),
      code: code ?? codeByReason[reason],
    };
  }

  get reason(): StatusReason | '' {
    return this.status.reason;
  }

  get code(): number {
    return this.status.code;
  }
}

/**
 * A resource as Kubernetes names it in messages: `pods`, `deployments.apps`.
 * (`qualifiedResource` in apimachinery.)
 */
export interface QualifiedResource {
  readonly group: string;
  readonly resource: string;
}

function qualified(r: QualifiedResource): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

export function notFound(r: QualifiedResource, name: string): StatusError {
  return new StatusError('NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.resource,
  });
}

export function alreadyExists(r: QualifiedResource, name: string): StatusError {
  return new StatusError('AlreadyExists', `${qualified(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.resource,
  });
}

export function conflict(r: QualifiedResource, name: string, why: string): StatusError {
  return new StatusError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`,
    { name, group: r.group, kind: r.resource },
  );
}

/** The message kube-apiserver uses for a stale resourceVersion on update. */
export const conflictStaleMessage =
  'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): StatusError {
  return new StatusError('BadRequest', message);
}

export function expired(message: string): StatusError {
  return new StatusError('Expired', message);
}

export function internalError(message: string): StatusError {
  return new StatusError('InternalError', `Internal error occurred: ${message}`);
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}
