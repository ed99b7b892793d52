// Loads the example manifests under test/fixtures/manifests and runs them through the write
// path the API server uses: defaults, create preparation, validation.

import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { applyDefaults } from '../../../../src/core/api/defaults/index.js';
import { prepareForCreate } from '../../../../src/core/api/meta.js';
import { validate, formatFieldError } from '../../../../src/core/api/validation/index.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

const dir = new URL('../../../../../test/fixtures/manifests/', import.meta.url);

export function loadManifests(file: string): KubeObject[] {
  const text = readFileSync(new URL(file, dir), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
}

const byName = new Map<string, KubeObject>();
for (const f of ['pod.yaml', 'workloads.yaml', 'core.yaml', 'other.yaml']) {
  for (const m of loadManifests(f)) byName.set(`${m.kind}/${m.metadata.name ?? ''}`, m);
}

/** A fresh copy of the fixture `Kind/name`. */
export function manifest(key: string): KubeObject {
  const m = byName.get(key);
  if (m === undefined) throw new Error(`no fixture ${key}`);
  return structuredClone(m);
}

export const now = new Date('2024-05-06T07:08:09Z');

/** What a create stores: defaulted and prepared (uid, generated names and selectors). */
export function created(obj: KubeObject): KubeObject {
  return prepareForCreate(applyDefaults(obj), now, () => '3f2d8a4e-1111-4c2b-9a57-0c8d8b2f6e01');
}

/** The messages a create of `obj` is rejected with, as kube-apiserver prints them. */
export function createErrors(obj: KubeObject): string[] {
  return validate(created(obj)).map(formatFieldError);
}

/** The messages an update from `old` (as stored) to `next` (as sent) is rejected with. */
export function updateErrors(next: KubeObject, old: KubeObject): string[] {
  return validate(applyDefaults(next, 'update'), old).map(formatFieldError);
}

/** Marks a field to remove in an edit. */
export const removed = Symbol('removed');

/** One change: a field path as Kubernetes prints it (`spec.containers[0].image`) and its new value. */
export type Edit = readonly [path: string, value: unknown];

/** Sets (or with `removed`, deletes) the field at `path`, creating objects on the way. */
export function setPath(obj: object, path: string, value: unknown): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let cur = obj as Record<string, unknown>;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i] ?? '';
    let next = cur[k];
    if (typeof next !== 'object' || next === null) {
      next = /^\d+$/.test(parts[i + 1] ?? '') ? [] : {};
      cur[k] = next;
    }
    cur = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] ?? '';
  if (value === removed) delete cur[last];
  else cur[last] = value;
}

/** A copy of the fixture `Kind/name` with the edits applied. */
export function variant(key: string, ...edits: readonly Edit[]): KubeObject {
  const m = manifest(key);
  for (const [path, value] of edits) setPath(m, path, value);
  return m;
}
