// The bytes the LMDB store writes. Two records, both fixed-layout binary so the hot path reads
// numbers without decoding an object, plus the value codec (plain MessagePack):
//
//   kv table   key (string) → KeyRecord, 24 bytes, the key's head:
//       0  f64  modRevision      revision of the key's last write (its put or its delete)
//       8  f64  createRevision   revision of the create of the live generation (0: tombstone)
//      16  f64  version          writes since create (0: tombstone, the key is deleted)
//
//   log table  revision (number key; lmdb's ordered-binary keeps numeric order, so byte order is
//              revision order, as etcd's big-endian revisions) → LogEntry:
//       0  u8   type             1 create · 2 update · 3 delete
//       1  u8   format           1 (this layout)
//       2  u16  reserved
//       4  u32  keyBytes         length of the UTF-8 key that follows the header
//       8  f64  createRevision   of the value written (0 for delete)
//      16  f64  version          of the value written (0 for delete)
//      24  f64  prevModRevision  the key's previous log entry (0: none), a back pointer
//      32  f64  commitTimeMs     wall clock when the write was accepted (history window)
//      40  key bytes, then the value's MessagePack bytes (none for delete)
//
// The value of a key at its modRevision lives only in the log (written once per write); the kv
// table points at it. lmdb-store.ts explains how reads walk the back pointers.

import { Packr, RESET_BUFFER_MODE } from 'msgpackr';
import { BufferArena } from './arena.js';
import type { Revision } from './store.js';

export const LogType = { Create: 1, Update: 2, Delete: 3 } as const;
export type LogType = (typeof LogType)[keyof typeof LogType];

export const keyRecordBytes = 24;
export const logHeaderBytes = 40;
const logFormat = 1;

/** A key's head as the kv table holds it. version 0 marks a tombstone (deleted key). */
export interface KeyRecord {
  readonly modRevision: Revision;
  readonly createRevision: Revision;
  readonly version: number;
}

export function encodeKeyRecord(
  modRevision: Revision,
  createRevision: Revision,
  version: number,
): Buffer {
  const out = Buffer.allocUnsafe(keyRecordBytes);
  out.writeDoubleLE(modRevision, 0);
  out.writeDoubleLE(createRevision, 8);
  out.writeDoubleLE(version, 16);
  return out;
}

export function decodeKeyRecord(bytes: Uint8Array): KeyRecord {
  if (bytes.length !== keyRecordBytes) {
    throw new Error(`corrupt kv record: ${bytes.length} bytes, expected ${keyRecordBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return {
    modRevision: view.getFloat64(0, true),
    createRevision: view.getFloat64(8, true),
    version: view.getFloat64(16, true),
  };
}

/** Reads only the modRevision of a kv record (the CAS check needs nothing else). */
export function keyRecordModRevision(bytes: Uint8Array): Revision {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getFloat64(0, true);
}

/**
 * Where log entries are carved from. They live about as long as each other: until their commit,
 * or while the store remembers the write's value (its encoding is a view into the entry).
 */
const logEntries = new BufferArena(64 * 1024);

/** Builds one log entry; `valueBytes` is empty for a delete. Never written again once built. */
export function encodeLogEntry(
  type: LogType,
  keyBytes: Buffer,
  createRevision: Revision,
  version: number,
  prevModRevision: Revision,
  commitTimeMs: number,
  valueBytes: Uint8Array,
): Buffer {
  const out = logEntries.allocate(logHeaderBytes + keyBytes.length + valueBytes.length);
  out.writeUInt8(type, 0);
  out.writeUInt8(logFormat, 1);
  out.writeUInt16LE(0, 2);
  out.writeUInt32LE(keyBytes.length, 4);
  out.writeDoubleLE(createRevision, 8);
  out.writeDoubleLE(version, 16);
  out.writeDoubleLE(prevModRevision, 24);
  out.writeDoubleLE(commitTimeMs, 32);
  keyBytes.copy(out, logHeaderBytes);
  out.set(valueBytes, logHeaderBytes + keyBytes.length);
  return out;
}

/** A log entry's fields, with the value still encoded (a view into the entry's bytes). */
export interface LogEntry {
  readonly type: LogType;
  readonly key: string;
  readonly createRevision: Revision;
  readonly version: number;
  readonly prevModRevision: Revision;
  readonly commitTimeMs: number;
  readonly valueBytes: Buffer;
}

export function decodeLogEntry(bytes: Buffer): LogEntry {
  const type = bytes.length >= logHeaderBytes ? bytes.readUInt8(0) : 0;
  if (
    (type !== LogType.Create && type !== LogType.Update && type !== LogType.Delete) ||
    bytes.readUInt8(1) !== logFormat
  ) {
    throw new Error(`corrupt log entry (${bytes.length} bytes, type ${type})`);
  }
  const keyLength = bytes.readUInt32LE(4);
  const valueStart = logHeaderBytes + keyLength;
  return {
    type,
    key: bytes.toString('utf8', logHeaderBytes, valueStart),
    createRevision: bytes.readDoubleLE(8),
    version: bytes.readDoubleLE(16),
    prevModRevision: bytes.readDoubleLE(24),
    commitTimeMs: bytes.readDoubleLE(32),
    valueBytes: bytes.subarray(valueStart),
  };
}

/** Header fields only, for compaction's scan (no key or value decoding). */
export function logEntryType(bytes: Uint8Array): LogType {
  return bytes[0] as LogType;
}
export function logEntryPrevModRevision(bytes: Buffer): Revision {
  return bytes.readDoubleLE(24);
}
export function logEntryCommitTimeMs(bytes: Buffer): number {
  return bytes.readDoubleLE(32);
}
export function logEntryKey(bytes: Buffer): string {
  return bytes.toString('utf8', logHeaderBytes, logHeaderBytes + bytes.readUInt32LE(4));
}

// Values: standard MessagePack maps (no records, so the bytes stand alone and another process or
// the wire layer can decode them without shared structures). Properties whose value is
// `undefined` are skipped, as JSON.stringify does, so a stored object reads back as its JSON would.
// Decoded values are frozen all the way down (msgpackr's freezeData covers arrays, not maps).
const packrOptions = {
  useRecords: false,
  // Binary fields are copied out, so values may be decoded from lmdb's reusable read buffer.
  copyBuffers: true,
  mapsAsObjects: true,
  skipValues: [undefined],
} as const;
const packr = new Packr(packrOptions);
/**
 * For values frozenPlainCopy or frozenPlainInPlace returned, which hold no undefined property:
 * without skipValues msgpackr takes its fast path for objects (one for-in, maps written as map16)
 * instead of building an array of the kept keys per object. Encoding a stored Pod (1.2 KiB):
 * ~20% less time and no garbage (the key arrays were ~2.8 KiB of a create's allocation).
 */
const plainPackr = new Packr({ useRecords: false, copyBuffers: true, mapsAsObjects: true });

/**
 * Encodes a value. The result is a view into msgpackr's reusable buffer: valid only until the
 * next call, so copy it (encodeLogEntry does) before encoding again. RESET_BUFFER_MODE makes the
 * next call write over it; without it msgpackr moves on and takes a new 8 KiB buffer every few
 * ~1 KiB values (encoding a Pod measured ~30% slower that way).
 */
export function encodeValueTransient(value: unknown): Buffer {
  return packr.pack(value, RESET_BUFFER_MODE);
}

/**
 * encodeValueTransient for a value frozenPlainCopy or frozenPlainInPlace returned (nothing else:
 * an undefined property would be written as msgpack's undefined instead of being skipped). The
 * same transient buffer rules apply; the bytes decode to an equal value.
 */
export function encodeFrozenPlainTransient(value: unknown): Buffer {
  return plainPackr.pack(value, RESET_BUFFER_MODE);
}

/** Decodes a value; the result is deeply frozen. */
export function decodeValue<T>(bytes: Uint8Array): T {
  return deepFreeze(packr.unpack(bytes)) as T;
}

const notPlain: unique symbol = Symbol('notPlain');

/**
 * A deeply frozen copy of `value` equal to what decodeValue(encode(value)) returns, for the
 * JSON-like values Kubernetes objects are (plain objects, arrays, strings, numbers, booleans,
 * null): about four times cheaper than decoding, and strings are shared, not copied. Undefined
 * properties are dropped as the encoder drops them. Anything else (Dates, buffers, class
 * instances, bigints, `__proto__` keys…) returns undefined: decode the bytes instead.
 */
export function frozenPlainCopy<T>(value: T): T | undefined {
  const copy = copyPlain(value);
  return copy === notPlain ? undefined : (copy as T);
}

function copyPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // The encoder writes -0 as the integer 0.
      return value === 0 ? 0 : value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          // Array holes and undefined elements round-trip as undefined.
          const element: unknown = value[i];
          const copy = element === undefined ? undefined : copyPlain(element);
          if (copy === notPlain) return notPlain;
          out[i] = copy;
        }
        return Object.freeze(out);
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return notPlain;
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        const field = record[key];
        if (field === undefined) continue;
        if (key === '__proto__') return notPlain;
        const copy = copyPlain(field);
        if (copy === notPlain) return notPlain;
        out[key] = copy;
      }
      return Object.freeze(out);
    }
    default:
      return notPlain;
  }
}

/**
 * Makes `value` itself what frozenPlainCopy would return a copy of, for a value the caller hands
 * over: freezes it deeply in place, deleting undefined properties and turning -0 into 0 on the
 * way (what the encoder writes), with no second tree to allocate and copy. Subtrees already frozen
 * (values the store handed out) are taken as they are. Anything not JSON-like returns undefined
 * and leaves the value partly frozen: decode the stored bytes instead.
 */
export function frozenPlainInPlace<T>(value: T): T | undefined {
  if (typeof value !== 'object' || value === null) return frozenPlainCopy(value);
  return freezePlain(value) ? value : undefined;
}

function freezePlain(value: object): boolean {
  if (Object.isFrozen(value)) return Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
  if (Array.isArray(value)) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      const element = array[i];
      if (typeof element === 'object') {
        if (element !== null && !freezePlain(element)) return false;
      } else if (element === undefined) {
        // A hole reads back as an undefined element.
        array[i] = undefined;
      } else if (!isPlainScalar(element)) {
        return false;
      } else if (element === 0) {
        array[i] = 0;
      }
    }
    Object.freeze(array);
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key === '__proto__') return false;
    const field = record[key];
    if (typeof field === 'object') {
      if (field !== null && !freezePlain(field)) return false;
    } else if (field === undefined) {
      delete record[key];
    } else if (!isPlainScalar(field)) {
      return false;
    } else if (field === 0) {
      record[key] = 0;
    }
  }
  Object.freeze(record);
  return true;
}

function isPlainScalar(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/**
 * Freezes a freshly decoded value in place (no cycles). Byte arrays cannot be frozen in
 * JavaScript; they are fresh copies (copyBuffers), so sharing them is the caller's choice.
 */
function deepFreeze(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) deepFreeze(record[key]);
  }
  return Object.freeze(value);
}
