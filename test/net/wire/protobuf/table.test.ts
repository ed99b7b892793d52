// The protobuf table (from Go struct tags) against two independent sources: the registry of kinds
// served (every kind has a root message) and the field schema from @kubernetes/client-node's
// models (src/core/api/schema): every JSON name the decoder can print exists there with a
// matching type, and every field there is one the decoder can fill.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds } from '../../../../src/core/api/kinds.js';
import { fieldsOfType, schemaTypeOf } from '../../../../src/core/api/schema/index.js';
import { Kind, Shape, rootMessageOf, type FieldSpec, type MessageSpec } from '../../../../src/net/wire/protobuf/schema.js';
import { protobufRoots } from '../../../../src/net/wire/protobuf/table.js';

test('every kind served, and the subresource bodies, have a root message', () => {
  const gvks = [
    ...kinds.map((k) => [k.apiVersion, k.kind] as const),
    ['v1', 'Binding'],
    ['policy/v1', 'Eviction'],
    ['autoscaling/v1', 'Scale'],
    ['meta.k8s.io/v1', 'DeleteOptions'],
  ] as const;
  for (const [apiVersion, kind] of gvks) {
    assert.ok(rootMessageOf(apiVersion, kind) !== undefined, `${apiVersion} ${kind}`);
  }
});

/** The client-node descriptor a field of ours should have (see schema/generated.ts's legend). */
function expectedDescriptor(f: FieldSpec, schemaType: string | undefined): string {
  let element: string;
  switch (f.kind) {
    case Kind.String:
    case Kind.Bytes:
    case Kind.Quantity:
      element = 's';
      break;
    case Kind.Bool:
      element = 'b';
      break;
    case Kind.Int32:
    case Kind.Int64:
      element = 'i';
      break;
    case Kind.Time:
    case Kind.MicroTime:
      element = 't';
      break;
    case Kind.IntOrString:
      element = 'o';
      break;
    case Kind.FieldsV1:
    case Kind.RawExtension:
      element = 'a';
      break;
    case Kind.Message:
      element = schemaType ?? '?';
      break;
    default: {
      const never: never = f.kind;
      throw new Error(String(never));
    }
  }
  if (f.shape === Shape.Repeated) return `[${element}`;
  if (f.shape === Shape.Map) return `{${element}`;
  return element;
}

/** Type descriptor without its [ or { prefix. */
function elementOf(descriptor: string): string {
  return descriptor.startsWith('[') || descriptor.startsWith('{') ? descriptor.slice(1) : descriptor;
}

/** Fields of a message with inline structs flattened, as they appear in JSON. */
function jsonFields(m: MessageSpec): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const f of m.byNumber) {
    if (f === undefined) continue;
    if (f.inline) out.push(...jsonFields(f.message as MessageSpec));
    else out.push(f);
  }
  return out;
}

test('JSON names and types agree with client-node’s models for every kind both know', () => {
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (m: MessageSpec, schemaType: string, path: string): void => {
    const key = `${m.name}=${schemaType}`;
    if (seen.has(key)) return;
    seen.add(key);
    const schemaFields = fieldsOfType(schemaType);
    if (schemaFields === undefined) {
      problems.push(`${path}: no schema type ${schemaType}`);
      return;
    }
    const ours = jsonFields(m);
    const names = new Set(ours.map((f) => f.json));
    for (const f of ours) {
      const d = schemaFields[f.json];
      if (d === undefined) {
        problems.push(`${path}.${f.json}: not in ${schemaType}`);
        continue;
      }
      const nested = f.kind === Kind.Message ? elementOf(d) : undefined;
      const want = expectedDescriptor(f, nested);
      if (want !== d) problems.push(`${path}.${f.json}: ours ${want}, client-node ${d}`);
      if (f.kind === Kind.Message && nested !== undefined) visit(f.message as MessageSpec, nested, `${path}.${f.json}`);
    }
    for (const name of Object.keys(schemaFields)) {
      // An inline TypeMeta has no protobuf field: the envelope carries it.
      if (!names.has(name) && name !== 'apiVersion' && name !== 'kind') problems.push(`${path}.${name}: missing from the table`);
    }
  };
  let compared = 0;
  for (const gvk of Object.keys(protobufRoots)) {
    const slash = gvk.lastIndexOf('/');
    const apiVersion = gvk.slice(0, slash);
    const kind = gvk.slice(slash + 1);
    // client-node's schema names DeleteOptions meta/v1.
    const schemaType = schemaTypeOf(apiVersion, kind) ?? schemaTypeOf(apiVersion.replace('.k8s.io', ''), kind);
    if (schemaType === undefined) continue;
    visit(rootMessageOf(apiVersion, kind) as MessageSpec, schemaType, kind);
    compared++;
  }
  assert.ok(compared >= 28, `compared ${compared} kinds`);
  assert.deepEqual(problems, []);
});
