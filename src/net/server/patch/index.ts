// Patch application for the API server: JSON patch, merge patch, strategic merge patch and
// server-side apply with managedFields. Pure functions: no I/O, inputs never mutated.

export type { Gvk, JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json.js';
export { applyJsonPatch, applyMergePatch, createMergePatch, jsonPatchOperationsMax } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export { applyServerSideApply, updateManagedFields } from './apply.js';
export type {
  ApplyOptions,
  ApplyResult,
  ManagedFieldsEntry,
  ManagedFieldsOperation,
  UpdateOptions,
} from './apply.js';
