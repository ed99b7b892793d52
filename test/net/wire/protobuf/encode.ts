// A tiny protobuf writer for crafting bodies in tests. Field numbers are written out by hand at
// each use (from Kubernetes' generated.proto), independently of src/net/wire/protobuf/table.ts, so
// that a wrong number in the table fails a test instead of agreeing with itself.

/** One encoded field (tag + payload). */
export type Field = Buffer;

export function varintBytes(value: bigint | number): Buffer {
  // Negative numbers are 64-bit two's complement, as protobuf writes int32 and int64.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}

function tag(field: number, wire: number): Buffer {
  return varintBytes((field << 3) | wire);
}

export function varint(field: number, value: bigint | number | boolean): Field {
  return Buffer.concat([tag(field, 0), varintBytes(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);
}

export function bytes(field: number, value: Buffer): Field {
  return Buffer.concat([tag(field, 2), varintBytes(value.length), value]);
}

export function str(field: number, value: string): Field {
  return bytes(field, Buffer.from(value, 'utf8'));
}

export function msg(field: number, ...fields: Field[]): Field {
  return bytes(field, Buffer.concat(fields));
}

export function fixed64(field: number, value: bigint): Field {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return Buffer.concat([tag(field, 1), b]);
}

export function fixed32(field: number, value: number): Field {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return Buffer.concat([tag(field, 5), b]);
}

/** A map entry of a map<string, string> field. */
export function entry(field: number, key: string, value: string): Field {
  return msg(field, str(1, key), str(2, value));
}

export const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
export function envelope(
  apiVersion: string,
  kind: string,
  raw: Buffer,
  extra: { contentEncoding?: string; contentType?: string } = {},
): Buffer {
  return Buffer.concat([
    magic,
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, raw),
    str(3, extra.contentEncoding ?? ''),
    str(4, extra.contentType ?? ''),
  ]);
}

/** ObjectMeta with a name (field 1), as field `field` of the enclosing message. */
export function meta(field: number, name: string, ...more: Field[]): Field {
  return msg(field, str(1, name), ...more);
}
