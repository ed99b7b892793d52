// JSON patch (RFC 6902, application/json-patch+json) and JSON merge patch (RFC 7386,
// application/merge-patch+json), with kube-apiserver's error wording.

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError } from '../../../core/errors.js';
import { cloneJson, isObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { patchBadRequest, patchUnprocessable } from './errors.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const jsonPatchOperationsMax = 10_000;

const knownOps: ReadonlySet<string> = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies RFC 6902 operations to `obj` (not mutated). A body that is not a list of operations is
 * 400 BadRequest; more than 10,000 operations 413; any operation that fails (a missing path, a
 * failed `test`, an unknown op) 422 Invalid with kube-apiserver's fixed message.
 */
export function applyJsonPatch(obj: JsonObject, patchOps: unknown): JsonObject {
  if (!Array.isArray(patchOps)) {
    const got = patchOps === null ? 'null' : isObject(patchOps) ? 'object' : typeof patchOps;
    throw patchBadRequest(`json: cannot unmarshal ${got} into Go value of type jsonpatch.Patch`);
  }
  if (patchOps.length > jsonPatchOperationsMax) {
    throw new StatusError(
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${jsonPatchOperationsMax}, got ${patchOps.length}`,
    );
  }
  for (const op of patchOps) {
    // evanphx/json-patch fails these at apply time ("Unexpected kind", missing path): 422.
    if (!isObject(op) || typeof op['op'] !== 'string' || !knownOps.has(op['op'])) {
      throw patchUnprocessable();
    }
    if (typeof op['path'] !== 'string') throw patchUnprocessable();
  }
  let result: JsonValue;
  try {
    // Cloned first: fast-json-patch mutates in place, and `obj` may be frozen.
    const doc = cloneJson(obj);
    result = jsonpatch.applyPatch(doc, patchOps as Operation[], true, true, true)
      .newDocument as JsonValue;
  } catch {
    // JsonPatchError (a missing path, a failed test…): the message is not sent, as upstream.
    throw patchUnprocessable();
  }
  if (!isObject(result)) throw patchUnprocessable();
  return result;
}

/**
 * Applies an RFC 7386 merge patch to `obj` (not mutated): objects merge recursively, `null`
 * deletes, anything else (lists included) replaces. A patch that is not an object is 400
 * ("Invalid JSON Patch", as evanphx/json-patch's ErrBadJSONPatch).
 */
export function applyMergePatch(obj: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw patchBadRequest('Invalid JSON Patch');
  return mergeInto(obj, patch);
}

function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const k in patch) {
    const pv = patch[k] as JsonValue;
    if (pv === null) {
      delete out[k];
      continue;
    }
    const tv = out[k];
    if (isObject(pv)) {
      out[k] = mergeInto(isObject(tv) ? tv : {}, pv);
    } else {
      out[k] = cloneJson(pv);
    }
  }
  return out;
}

/**
 * The merge patch that turns `from` into `to` (RFC 7386 §3 in reverse): changed keys with their
 * new values, removed keys as null. Lists are replaced whole. `to` must hold no nulls inside
 * objects (a merge patch cannot set a null).
 */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const k in from) {
    if (!(k in to)) patch[k] = null;
  }
  for (const k in to) {
    const a = from[k];
    const b = to[k] as JsonValue;
    if (a !== undefined && jsonEqual(a, b)) continue;
    if (isObject(a) && isObject(b)) patch[k] = createMergePatch(a, b);
    else patch[k] = cloneJson(b);
  }
  return patch;
}
