// The Status errors of watches and cached lists, with kube-apiserver's messages.

import { StatusError, badRequest, expired } from '../core/errors.js';

/** A watch or exact list from a revision older than the window (kube: watch_cache.go). */
export function tooOldResourceVersion(requested: number, windowRevision: number): StatusError {
  return expired(`too old resource version: ${requested} (${windowRevision})`);
}

/**
 * A revision newer than the cache after waiting for it (kube: storage.NewTooLargeResourceVersionError,
 * a Timeout with cause ResourceVersionTooLarge and Retry-After 1 s).
 */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(
    'Timeout',
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
  );
}

export const continueExpiredMessage =
  'The provided continue parameter is too old to display a consistent list result. You can start ' +
  'a new list without the continue parameter, or use the continue token in this response to ' +
  'retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the ' +
  'first chunk was returned and now may show up in the list.';

export function continueExpired(): StatusError {
  return expired(continueExpiredMessage);
}

export function invalidContinue(detail: string): StatusError {
  return badRequest(`invalid continue token: ${detail}`);
}

/** A resourceVersion that is not a decimal revision (kube: the versioner's ParseUint error). */
export function invalidResourceVersion(rv: string): StatusError {
  return badRequest(
    `resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`,
  );
}
