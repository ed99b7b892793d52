// The protobuf message table (table.ts) parsed once into linked descriptors the decoder walks.
//
// Each field carries what the wire needs (number, element kind, repeated or map) and the Go facts
// that decide what kube-apiserver's JSON of the decoded object contains: encoding/json omits a
// zero scalar, a nil pointer and an empty slice or map only under `omitempty`, and never omits a
// struct; inline structs merge their fields into the parent object.

import { protobufMessages, protobufRoots } from './table.js';

/** Element kinds. Numbers, so that the decoder's switch is over small integers. */
export const Kind = {
  String: 0,
  Bool: 1,
  Int32: 2,
  Int64: 3,
  Bytes: 4,
  Time: 5,
  MicroTime: 6,
  FieldsV1: 7,
  Quantity: 8,
  IntOrString: 9,
  RawExtension: 10,
  Message: 11,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export const Shape = { Single: 0, Repeated: 1, Map: 2 } as const;
export type Shape = (typeof Shape)[keyof typeof Shape];

export interface FieldSpec {
  readonly number: number;
  /** JSON name; '' for an inline field. */
  readonly json: string;
  readonly kind: Kind;
  readonly shape: Shape;
  /** The nested message when kind is Message (linked after every message is parsed). */
  message: MessageSpec | undefined;
  readonly omitEmpty: boolean;
  readonly pointer: boolean;
  /**
   * A plain (non-pointer) string, bool, integer or []byte under omitempty: its zero value is left
   * out of the JSON even when the wire carries it (gogo writes non-pointer scalars always).
   * Structs are never left out, whatever their tag.
   */
  readonly omitZero: boolean;
  readonly inline: boolean;
}

export interface MessageSpec {
  /** Our name: `core.Pod`, `meta.ObjectMeta`. */
  readonly name: string;
  /** Indexed by field number; holes for numbers not in the table (skipped as unknown fields). */
  readonly byNumber: readonly (FieldSpec | undefined)[];
  /**
   * Fields Go's JSON prints even when absent from the wire: non-pointer structs (always printed),
   * and scalars, pointers, slices and maps without omitempty (printed as zero or null).
   */
  readonly printedWhenAbsent: readonly FieldSpec[];
}

const kindByCode: Readonly<Record<string, Kind>> = {
  s: Kind.String,
  b: Kind.Bool,
  i: Kind.Int32,
  l: Kind.Int64,
  y: Kind.Bytes,
  T: Kind.Time,
  M: Kind.MicroTime,
  F: Kind.FieldsV1,
  Q: Kind.Quantity,
  O: Kind.IntOrString,
  R: Kind.RawExtension,
};

/** The highest field number a table entry may use (Kubernetes' largest is in the 40s). */
const fieldNumberMax = 1000;

function parseField(messageName: string, text: string): { spec: FieldSpec; typeName: string } {
  const parts = text.split(':');
  const numberText = parts[0] ?? '';
  const json = parts[1] ?? '';
  let type = parts[2] ?? '';
  const flags = parts[3] ?? '';
  const number = Number(numberText);
  if (!Number.isInteger(number) || number < 1 || number > fieldNumberMax) {
    throw new Error(`protobuf table: ${messageName}: bad field number in "${text}"`);
  }
  let shape: Shape = Shape.Single;
  if (type.startsWith('[')) {
    shape = Shape.Repeated;
    type = type.slice(1);
  } else if (type.startsWith('{')) {
    shape = Shape.Map;
    type = type.slice(1);
  }
  const scalar = kindByCode[type];
  const kind = scalar ?? Kind.Message;
  if (scalar === undefined && !type.includes('.')) {
    throw new Error(`protobuf table: ${messageName}: unsupported type "${type}" in "${text}"`);
  }
  const inline = flags.includes('n');
  if (inline !== (json === '') || (inline && (kind !== Kind.Message || shape !== Shape.Single))) {
    throw new Error(`protobuf table: ${messageName}: inline field must be an unnamed message: "${text}"`);
  }
  const omitEmpty = flags.includes('o');
  const pointer = flags.includes('p');
  const plainScalar =
    shape === Shape.Single &&
    !pointer &&
    (kind === Kind.String || kind === Kind.Bool || kind === Kind.Int32 || kind === Kind.Int64 || kind === Kind.Bytes);
  return {
    spec: { number, json, kind, shape, message: undefined, omitEmpty, pointer, omitZero: omitEmpty && plainScalar, inline },
    typeName: kind === Kind.Message ? type : '',
  };
}

function printedWhenAbsent(f: FieldSpec): boolean {
  if (f.shape !== Shape.Single || f.pointer) return !f.omitEmpty;
  switch (f.kind) {
    case Kind.Time:
    case Kind.MicroTime:
    case Kind.FieldsV1:
    case Kind.Quantity:
    case Kind.IntOrString:
    case Kind.RawExtension:
    case Kind.Message:
      return true; // structs: encoding/json never omits them
    case Kind.String:
    case Kind.Bool:
    case Kind.Int32:
    case Kind.Int64:
    case Kind.Bytes:
      return !f.omitEmpty;
    default: {
      const never: never = f.kind;
      return never;
    }
  }
}

function build(): { messages: ReadonlyMap<string, MessageSpec>; roots: ReadonlyMap<string, MessageSpec> } {
  const messages = new Map<string, MessageSpec>();
  const links: { spec: FieldSpec; typeName: string; from: string }[] = [];
  for (const name of Object.keys(protobufMessages)) {
    const text = protobufMessages[name] ?? '';
    const fields: FieldSpec[] = [];
    const absent: FieldSpec[] = [];
    let numberMax = 0;
    for (const fieldText of text.split(' ')) {
      if (fieldText === '') continue;
      const { spec, typeName } = parseField(name, fieldText);
      if (fields.some((f) => f.number === spec.number)) {
        throw new Error(`protobuf table: ${name}: field number ${spec.number} twice`);
      }
      fields.push(spec);
      if (spec.number > numberMax) numberMax = spec.number;
      if (printedWhenAbsent(spec)) absent.push(spec);
      if (typeName !== '') links.push({ spec, typeName, from: name });
    }
    // Filled, not holey, so element reads stay on V8's fast path.
    const byNumber = new Array<FieldSpec | undefined>(numberMax + 1).fill(undefined);
    for (const f of fields) byNumber[f.number] = f;
    messages.set(name, Object.freeze({ name, byNumber: Object.freeze(byNumber), printedWhenAbsent: Object.freeze(absent) }));
  }
  for (const { spec, typeName, from } of links) {
    const m = messages.get(typeName);
    if (m === undefined) throw new Error(`protobuf table: ${from}: unknown message ${typeName}`);
    spec.message = m;
  }
  const roots = new Map<string, MessageSpec>();
  for (const gvk of Object.keys(protobufRoots)) {
    const m = messages.get(protobufRoots[gvk] ?? '');
    if (m === undefined) throw new Error(`protobuf table: root ${gvk}: unknown message`);
    roots.set(gvk, m);
  }
  return { messages, roots };
}

const built = build();

/** Every message of the table by our name (`core.Pod`). */
export const protobufMessageSpecs: ReadonlyMap<string, MessageSpec> = built.messages;

/**
 * The root message of `apiVersion` + `kind`. DeleteOptions is registered in every group version
 * (metav1.AddToGroupVersion), so any apiVersion with that kind finds it.
 */
export function rootMessageOf(apiVersion: string, kind: string): MessageSpec | undefined {
  const m = built.roots.get(`${apiVersion}/${kind}`);
  if (m !== undefined || kind !== 'DeleteOptions') return m;
  return built.roots.get('meta.k8s.io/v1/DeleteOptions');
}
