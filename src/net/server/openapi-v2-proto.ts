// `GET /openapi/v2` in protobuf: a Swagger 2.0 document as gnostic's `openapi.v2.Document`
// (github.com/google/gnostic, openapiv2/OpenAPIv2.proto), the form kubectl asks for with
// `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
//
// Only what the JSON document holds is encoded: swagger, info, an empty paths object and the
// definitions. Field numbers of the messages used (from OpenAPIv2.proto):
//
//   Document    swagger=1 info=2 paths=8 definitions=9
//   Info        title=1 version=2
//   Definitions additional_properties=1 (NamedSchema: name=1 value=2)
//   Schema      _ref=1 format=2 title=3 description=4 default=5 maximum=7 minimum=9
//               max_length=11 min_length=12 pattern=13 max_items=14 min_items=15
//               unique_items=16 required=19 enum=20 additional_properties=21 type=22
//               items=23 all_of=24 properties=25 read_only=27 example=30 vendor_extension=31
//   AdditionalPropertiesItem schema=1 boolean=2   TypeItem value=1   ItemsItem schema=1
//   Properties  additional_properties=1 (NamedSchema)
//   NamedAny    name=1 value=2 (Any: yaml=2)
//
// `Any` values (enum, default, example, vendor extensions) carry YAML text; JSON is YAML, so a
// value is written as its JSON. kube-openapi's parser (pkg/util/proto) then reads the schemas:
// `$ref` without type or properties, arrays with exactly one `items` schema, primitive types
// string/number/integer/boolean — the JSON document is built to those rules.

import type { JsonValue } from './openapi.js';

/** What kubectl asks for; Go's mime parser rejects the `@`, so responses carry the next one. */
export const openapiV2ProtobufMediaType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The Content-Type kube-apiserver answers protobuf requests for /openapi/v2 with. */
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const wireVarint = 0;
const wireFixed64 = 1;
const wireBytes = 2;

/**
 * Writes protobuf fields into one growable buffer. A nested message is written by a child writer
 * and copied in behind its length when closed: a copy per nesting level (documents here nest
 * about six deep), instead of a small Buffer per field, which is what the garbage collector
 * spent most of the encoding on.
 */
class ProtoWriter {
  private buf: Buffer = Buffer.allocUnsafe(256);
  /** Bytes written so far (the valid prefix of `buf`). */
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  private varint(value: number): void {
    // Lengths, tags and counts: non-negative integers below 2^53.
    if (!(Number.isSafeInteger(value) && value >= 0)) throw new Error(`protobuf: varint out of range: ${value}`);
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, value: string): void {
    const n = Buffer.byteLength(value, 'utf8');
    this.tag(field, wireBytes);
    this.varint(n);
    this.ensure(n);
    this.length += this.buf.write(value, this.length, 'utf8');
  }

  bool(field: number, value: boolean): void {
    this.tag(field, wireVarint);
    this.varint(value ? 1 : 0);
  }

  int64(field: number, value: number): void {
    this.tag(field, wireVarint);
    this.varint(value);
  }

  double(field: number, value: number): void {
    this.tag(field, wireFixed64);
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  message(field: number, child: ProtoWriter): void {
    this.tag(field, wireBytes);
    this.varint(child.length);
    this.ensure(child.length);
    child.buf.copy(this.buf, this.length, 0, child.length);
    this.length += child.length;
  }

  /** The encoded bytes (a copy; the writer may go on). */
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

function isObject(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `Any { yaml }`: JSON text is YAML. */
function anyMessage(value: JsonValue): ProtoWriter {
  const w = new ProtoWriter();
  w.string(2, JSON.stringify(value));
  return w;
}

function namedAny(name: string, value: JsonValue): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  w.message(2, anyMessage(value));
  return w;
}

function namedSchema(name: string, value: JsonValue, where: string): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  w.message(2, schemaMessage(value, where));
  return w;
}

function expect<T>(ok: boolean, value: T, key: string, where: string): T {
  if (!ok) throw new Error(`openapi v2 protobuf: ${where}: "${key}" has an unexpected value`);
  return value;
}

/** One Swagger 2.0 schema as `openapi.v2.Schema`; `where` names it in errors. */
function schemaMessage(schema: JsonValue, where: string): ProtoWriter {
  if (!isObject(schema)) throw new Error(`openapi v2 protobuf: ${where}: a schema must be an object`);
  const w = new ProtoWriter();
  const extensions: string[] = [];
  // Written in field-number order, as Go's marshaller does (parsers accept any order).
  const str = (key: string): string | undefined => {
    const v = schema[key];
    return v === undefined ? undefined : expect(typeof v === 'string', v as string, key, where);
  };
  const num = (key: string): number | undefined => {
    const v = schema[key];
    return v === undefined ? undefined : expect(typeof v === 'number', v as number, key, where);
  };
  const ref = str('$ref');
  if (ref !== undefined) w.string(1, ref);
  const format = str('format');
  if (format !== undefined) w.string(2, format);
  const title = str('title');
  if (title !== undefined) w.string(3, title);
  const description = str('description');
  if (description !== undefined) w.string(4, description);
  if (schema['default'] !== undefined) w.message(5, anyMessage(schema['default']));
  const maximum = num('maximum');
  if (maximum !== undefined) w.double(7, maximum);
  const minimum = num('minimum');
  if (minimum !== undefined) w.double(9, minimum);
  const maxLength = num('maxLength');
  if (maxLength !== undefined) w.int64(11, maxLength);
  const minLength = num('minLength');
  if (minLength !== undefined) w.int64(12, minLength);
  const pattern = str('pattern');
  if (pattern !== undefined) w.string(13, pattern);
  const maxItems = num('maxItems');
  if (maxItems !== undefined) w.int64(14, maxItems);
  const minItems = num('minItems');
  if (minItems !== undefined) w.int64(15, minItems);
  if (schema['uniqueItems'] !== undefined) w.bool(16, schema['uniqueItems'] === true);
  const required = schema['required'];
  if (required !== undefined) {
    for (const r of expect(Array.isArray(required), required as readonly JsonValue[], 'required', where)) {
      w.string(19, expect(typeof r === 'string', r as string, 'required', where));
    }
  }
  const enumValues = schema['enum'];
  if (enumValues !== undefined) {
    for (const e of expect(Array.isArray(enumValues), enumValues as readonly JsonValue[], 'enum', where)) w.message(20, anyMessage(e));
  }
  const additional = schema['additionalProperties'];
  if (additional !== undefined) {
    const item = new ProtoWriter();
    if (typeof additional === 'boolean') item.bool(2, additional);
    else item.message(1, schemaMessage(additional, `${where}.additionalProperties`));
    w.message(21, item);
  }
  const type = schema['type'];
  if (type !== undefined) {
    const item = new ProtoWriter();
    for (const t of Array.isArray(type) ? (type as readonly JsonValue[]) : [type]) item.string(1, expect(typeof t === 'string', t as string, 'type', where));
    w.message(22, item);
  }
  const items = schema['items'];
  if (items !== undefined) {
    const item = new ProtoWriter();
    for (const s of Array.isArray(items) ? (items as readonly JsonValue[]) : [items]) item.message(1, schemaMessage(s, `${where}[]`));
    w.message(23, item);
  }
  const allOf = schema['allOf'];
  if (allOf !== undefined) {
    for (const s of expect(Array.isArray(allOf), allOf as readonly JsonValue[], 'allOf', where)) w.message(24, schemaMessage(s, `${where}.allOf`));
  }
  const properties = schema['properties'];
  if (properties !== undefined) {
    const props = expect(isObject(properties), properties as { readonly [key: string]: JsonValue }, 'properties', where);
    const item = new ProtoWriter();
    for (const name of Object.keys(props)) item.message(1, namedSchema(name, props[name] as JsonValue, `${where}.${name}`));
    w.message(25, item);
  }
  if (schema['readOnly'] !== undefined) w.bool(27, schema['readOnly'] === true);
  if (schema['example'] !== undefined) w.message(30, anyMessage(schema['example']));
  for (const key of Object.keys(schema)) {
    if (key.startsWith('x-')) extensions.push(key);
    else if (!schemaKeys.has(key)) throw new Error(`openapi v2 protobuf: ${where}: unsupported schema keyword "${key}"`);
  }
  for (const key of extensions) w.message(31, namedAny(key, schema[key] as JsonValue));
  return w;
}

/** The Swagger 2.0 schema keywords encoded above. */
const schemaKeys: ReadonlySet<string> = new Set([
  '$ref',
  'format',
  'title',
  'description',
  'default',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'required',
  'enum',
  'additionalProperties',
  'type',
  'items',
  'allOf',
  'properties',
  'readOnly',
  'example',
]);

/** A Swagger 2.0 document (swagger, info, paths, definitions) as `openapi.v2.Document` bytes. */
export function encodeOpenApiV2Protobuf(doc: JsonValue): Buffer {
  if (!isObject(doc)) throw new Error('openapi v2 protobuf: the document must be an object');
  const w = new ProtoWriter();
  const swagger = doc['swagger'];
  if (typeof swagger === 'string') w.string(1, swagger);
  const info = doc['info'];
  if (isObject(info)) {
    const i = new ProtoWriter();
    if (typeof info['title'] === 'string') i.string(1, info['title']);
    if (typeof info['version'] === 'string') i.string(2, info['version']);
    w.message(2, i);
  }
  // Paths: present and empty (the JSON document lists none either).
  w.message(8, new ProtoWriter());
  const definitions = doc['definitions'];
  if (isObject(definitions)) {
    const d = new ProtoWriter();
    for (const name of Object.keys(definitions)) d.message(1, namedSchema(name, definitions[name] as JsonValue, name));
    w.message(9, d);
  }
  return w.bytes();
}
