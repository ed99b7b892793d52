import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadManifests, setPath } from './manifests.js';
import { applyDefaults } from '../../../../src/core/api/defaults/index.js';
import { prepareForCreate, prepareForUpdate } from '../../../../src/core/api/meta.js';
import { validate } from '../../../../src/core/api/validation/index.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

const manifests = ['pod.yaml', 'workloads.yaml', 'core.yaml', 'other.yaml'].flatMap((f) => loadManifests(f));

/** Every path into a manifest (objects and arrays), as `a.b[0].c`. */
function paths(v: unknown, prefix: string, out: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      const p = `${prefix}[${i}]`;
      out.push(p);
      paths(x, p, out);
    });
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('.') || k.includes('[')) continue;
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.push(p);
      paths(x, p, out);
    }
  }
}

const targets = manifests.map((m) => {
  const out: string[] = [];
  paths(m, '', out);
  // Metadata fields a manifest may not carry, and whole sections.
  const extra = ['metadata.generateName', 'metadata.labels', 'metadata.annotations', 'metadata.ownerReferences', 'metadata.finalizers', 'metadata.name', 'metadata.namespace', 'spec', 'status'];
  return { manifest: m, paths: [...out.filter((p) => p !== 'apiVersion' && p !== 'kind'), ...extra] };
});

// Values of the wrong type where the manifest had something else: what a careless client sends.
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 70000 }),
  fc.string({ maxLength: 8 }),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxKeys: 2 }),
);

test('defaulting, create/update preparation and validation never throw on mistyped fields', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: targets.length - 1 }),
      fc.array(fc.tuple(fc.nat(), wrongValue), { minLength: 1, maxLength: 3 }),
      (which, edits) => {
        const t = targets[which];
        assert.ok(t);
        const obj = structuredClone(t.manifest);
        for (const [i, value] of edits) {
          const path = t.paths[i % t.paths.length];
          if (path !== undefined) setPath(obj, path, structuredClone(value));
        }
        if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
        const created = prepareForCreate(applyDefaults(obj), now, () => 'uid-1');
        const errs = validate(created);
        assert.ok(Array.isArray(errs));
        const stored: KubeObject = { ...created, metadata: { ...created.metadata, resourceVersion: '1' } };
        validate(prepareForUpdate(applyDefaults(stored, 'update'), stored), stored);
      },
    ),
    { numRuns: 3000 },
  );
});

test('defaulting is idempotent and leaves its input alone', () => {
  for (const m of manifests) {
    const before = structuredClone(m);
    const once = applyDefaults(m);
    assert.deepEqual(m, before, m.kind);
    assert.deepEqual(applyDefaults(once), once, `${m.kind}/${m.metadata.name ?? ''}`);
  }
});
