// LIST continue tokens, in kube-apiserver's format: base64url (no padding) of
// `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the list prefix>\u0000"}`.
// `start` is the last key returned plus a NUL: the next page starts strictly after that key.

import { invalidContinue } from './errors.js';

export interface ContinuePoint {
  readonly revision: number;
  /** The last key returned (absolute); the next page starts after it. */
  readonly afterKey: string;
}

export function encodeContinue(revision: number, lastKey: string, listPrefix: string): string {
  if (!lastKey.startsWith(listPrefix)) throw new Error(`invariant: ${lastKey} outside ${listPrefix}`);
  const json = JSON.stringify({
    v: 'meta.k8s.io/v1',
    rv: revision,
    start: `${lastKey.slice(listPrefix.length)}\u0000`,
  });
  return Buffer.from(json).toString('base64url');
}

/** Parses a token; throws a 400 StatusError when it is not one of ours. */
export function decodeContinue(token: string, listPrefix: string): ContinuePoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidContinue('continue key is not valid: not base64-encoded JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw invalidContinue('continue key is not valid: not an object');
  }
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== 'meta.k8s.io/v1') {
    throw invalidContinue('continue key is not valid: server does not recognize this encoded key');
  }
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) {
    throw invalidContinue('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof start !== 'string' || start.length === 0 || !start.endsWith('\u0000')) {
    throw invalidContinue('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  }
  const rel = start.slice(0, -1);
  if (rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '.')) {
    throw invalidContinue('continue key is not valid: path traversal');
  }
  return { revision: rv, afterKey: listPrefix + rel };
}
