// Patch application for the API server: JSON patch, merge patch, strategic merge patch and
// server-side apply with managedFields. Pure functions: no I/O, inputs never mutated (live
// objects may be frozen), errors are StatusErrors worded as kube-apiserver words them.
//
// How a PATCH handler uses it (kube-apiserver's patcher, in order):
//   1. patchTypeOf(Content-Type) picks the mechanism (undefined → 415);
//   2. json / merge / strategic: new = apply…(live, body[, gvk]); then
//      managedFields = updateManagedFields(live, new, fieldManager, 'Update', { now, subresource });
//      apply: { object } = applyServerSideApply(live | undefined, body, { manager, force, now,
//      gvk, subresource }) — a missing object is created from it (201);
//   3. then admission, validation and the store's compare-and-swap, as for an update.
// Creates and updates call updateManagedFields too (old undefined on create), after defaulting
// (as kube-apiserver: the creator owns the defaulted fields), so that later applies see who owns
// what. Not done here, as in kube-apiserver it is the kind's strategy: resetting status on writes
// to the main resource (apply merges a status the configuration carries; it is not tracked).

export type { Gvk, JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json.js';
export { applyJsonPatch, applyMergePatch, createMergePatch, jsonPatchOperationsMax } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export { applyServerSideApply, goJsonStringify, updateManagedFields, updateManagersMax } from './apply.js';
export type {
  ApplyOptions,
  ApplyResult,
  ManagedFieldsEntry,
  ManagedFieldsOperation,
  UpdateOptions,
} from './apply.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** The patch mechanism of a request's Content-Type (parameters ignored), as kube-apiserver's. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  switch (media) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      return undefined;
  }
}
