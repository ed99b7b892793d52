// Watch stream framing, one frame per event, in the two wire formats:
//
//   JSON     `{"type":"ADDED","object":{…}}\n`   (what kubectl and client-go read: one event per
//            line, as kube-apiserver's watch streams with Content-Type application/json)
//   msgpack  `u32 big-endian length | msgpack map {type, object}` (our own wire; the length prefix
//            lets a reader cut frames out of arbitrary chunks without parsing them). The object is
//            an extension (ext32, type 0x4b) holding the key dictionary's fingerprint (u32) and
//            the object in compact msgpack (compact.ts: Kubernetes field names as small integer
//            ids, about half the bytes of plain msgpack):
//
//              82 a4 "type" a5 "ADDED" a6 "object" c9 <u32 n> 4b <u32 fingerprint> <compact value>
//
//            Readers (MsgpackWatchDecoder, decodeMsgpackFrameBody) also take frames whose object is
//            plain msgpack (msgpackr's Unpackr({ useRecords: true, mapsAsObjects: true })).
//
// A frame is built from the object's own encoding (`encode*Object`), so the watch cache encodes an
// object once and reuses those bytes for every frame that carries it (ADDED for one watcher,
// MODIFIED for another, list responses, and the response to the write itself). Each msgpack
// object encoding is self-contained (plain maps, no shared structures), so frames can be sent to
// any reader in any order and spliced into an outer map verbatim.

import { Packr, Unpackr } from 'msgpackr';
import { compactDictionaryFingerprint, decodeCompact, encodeCompact } from './compact.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export const watchEventTypes: readonly WatchEventType[] = Object.freeze([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
  'ERROR',
]);

/** A decoded watch frame, as a client sees it. */
export interface DecodedWatchEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

/** One wire format's watch framing. `id` indexes per-format frame caches (0 = JSON, 1 = msgpack). */
export interface WatchCodec {
  readonly id: 0 | 1;
  readonly name: 'json' | 'msgpack';
  /** Content-Type of a watch response in this format. */
  readonly contentType: string;
  /** The object's own encoding: reusable inside frames and list responses. */
  encodeObject(object: unknown): Buffer;
  /** One frame from an object already encoded with `encodeObject`. */
  frame(type: WatchEventType, objectBytes: Uint8Array): Buffer;
  /** Where the object's bytes start inside a frame of `type`. */
  frameObjectOffset(type: WatchEventType): number;
  /**
   * When present, frames are built from the object by this (and `frame`/`frameObjectOffset`
   * describe only the plain form the readers also accept): the frame does not contain the
   * object's `encodeObject` bytes.
   */
  frameOfObject?(type: WatchEventType, object: unknown): Buffer;
}

// ---- JSON ----

const jsonPrefixByType: Readonly<Record<WatchEventType, Buffer>> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
  BOOKMARK: Buffer.from('{"type":"BOOKMARK","object":'),
  ERROR: Buffer.from('{"type":"ERROR","object":'),
};
const jsonSuffix = Buffer.from('}\n');

export function encodeJsonObject(object: unknown): Buffer {
  return Buffer.from(JSON.stringify(object));
}

export function encodeJsonWatchFrame(type: WatchEventType, objectJson: Uint8Array): Buffer {
  const prefix = jsonPrefixByType[type];
  const out = Buffer.allocUnsafe(prefix.length + objectJson.length + jsonSuffix.length);
  prefix.copy(out, 0);
  out.set(objectJson, prefix.length);
  jsonSuffix.copy(out, prefix.length + objectJson.length);
  return out;
}

export const jsonWatchCodec: WatchCodec = Object.freeze({
  id: 0,
  name: 'json',
  contentType: 'application/json',
  encodeObject: encodeJsonObject,
  frame: encodeJsonWatchFrame,
  frameObjectOffset: (type: WatchEventType) => jsonPrefixByType[type].length,
});

/**
 * Splits a JSON watch stream into events. Chunks may cut lines anywhere (even inside a UTF-8
 * sequence: bytes are kept until the newline). Lines longer than `lineBytesMax` are an error.
 */
export class JsonWatchDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly lineBytesMax: number = 64 * 1024 * 1024) {}

  /** Feeds one chunk; returns the events completed by it, in order. */
  push(chunk: Uint8Array): DecodedWatchEvent[] {
    const out: DecodedWatchEvent[] = [];
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let nl = buf.indexOf(0x0a);
    while (nl >= 0) {
      let line: Buffer;
      if (this.pending.length > 0) {
        this.pending.push(buf.subarray(0, nl));
        line = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        line = buf.subarray(0, nl);
      }
      if (line.length > 0) out.push(parseJsonEvent(line));
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    if (buf.length > 0) {
      this.pendingBytes += buf.length;
      if (this.pendingBytes > this.lineBytesMax) {
        throw new Error(`watch frame longer than ${this.lineBytesMax} bytes`);
      }
      // Copy: the caller may reuse its chunk buffer.
      this.pending.push(Buffer.from(buf));
    }
    return out;
  }

  /** True when a partial frame is buffered (a stream that ends now was cut mid-event). */
  get hasPartial(): boolean {
    return this.pendingBytes > 0;
  }
}

function parseJsonEvent(line: Buffer): DecodedWatchEvent {
  const parsed: unknown = JSON.parse(line.toString('utf8'));
  return checkEvent(parsed);
}

function checkEvent(parsed: unknown): DecodedWatchEvent {
  if (typeof parsed !== 'object' || parsed === null) throw new Error('watch frame is not an object');
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string' || !(watchEventTypes as readonly string[]).includes(type)) {
    throw new Error(`watch frame has an unknown type: ${String(type)}`);
  }
  return { type: type as WatchEventType, object: (parsed as { object?: unknown }).object };
}

// ---- msgpack ----

// Plain maps, no shared structures: every encoding decodes alone (frames are shared by readers
// that joined at different points), and packs in about half the time of inline records.
const packr = new Packr({ useRecords: false });

export function encodeMsgpackObject(object: unknown): Buffer {
  return packr.pack(object);
}

// Header of a 2-entry map: fixmap(2), fixstr "type", fixstr <type>, fixstr "object".
const msgpackHeadByType: Readonly<Record<WatchEventType, Buffer>> = {
  ADDED: msgpackHead('ADDED'),
  MODIFIED: msgpackHead('MODIFIED'),
  DELETED: msgpackHead('DELETED'),
  BOOKMARK: msgpackHead('BOOKMARK'),
  ERROR: msgpackHead('ERROR'),
};

function msgpackHead(type: WatchEventType): Buffer {
  const parts = [0x82, 0xa4, ...Buffer.from('type'), 0xa0 | type.length, ...Buffer.from(type)];
  parts.push(0xa6, ...Buffer.from('object'));
  // Leave 4 bytes in front for the length prefix.
  return Buffer.from([0, 0, 0, 0, ...parts]);
}

export function encodeMsgpackWatchFrame(type: WatchEventType, objectBytes: Uint8Array): Buffer {
  const head = msgpackHeadByType[type];
  const out = Buffer.allocUnsafe(head.length + objectBytes.length);
  head.copy(out, 0);
  out.writeUInt32BE(out.length - 4, 0);
  out.set(objectBytes, head.length);
  return out;
}

/** The msgpack extension type of a compact object (with its dictionary's fingerprint). */
export const compactObjectExtType = 0x4b;
/** ext32 header (c9, u32 length, type) + the fingerprint. */
const compactObjectHeadBytes = 6 + 4;

/** One frame with the object in compact msgpack (see the top of this file). */
export function encodeMsgpackCompactWatchFrame(type: WatchEventType, object: unknown): Buffer {
  const head = msgpackHeadByType[type];
  const start = head.length + compactObjectHeadBytes;
  const out = encodeCompact(object, start);
  head.copy(out, 0);
  out.writeUInt32BE(out.length - 4, 0);
  let p = head.length;
  out[p++] = 0xc9;
  out.writeUInt32BE(out.length - start + 4, p);
  p += 4;
  out[p++] = compactObjectExtType;
  out.writeUInt32BE(compactDictionaryFingerprint, p);
  return out;
}

export const msgpackWatchCodec: WatchCodec = Object.freeze({
  id: 1,
  name: 'msgpack',
  contentType: 'application/vnd.coxswain.watch+msgpack',
  encodeObject: encodeMsgpackObject,
  frame: encodeMsgpackWatchFrame,
  frameObjectOffset: (type: WatchEventType) => msgpackHeadByType[type].length,
  frameOfObject: encodeMsgpackCompactWatchFrame,
});

const msgpackTypeKey = Buffer.from('type');
const msgpackObjectKey = Buffer.from('object');

/**
 * Decodes one msgpack frame body (without its length prefix): the compact form directly, any
 * other through `unpack` (a plain msgpack map {type, object}).
 */
export function decodeMsgpackFrameBody(buf: Buffer, start: number, end: number, unpack: (body: Buffer) => unknown): DecodedWatchEvent {
  // 82 a4 "type" (a0|n) <type> a6 "object" c9 <u32> 4b <u32 fingerprint> <value>
  const n = (buf[start + 6] as number) & 0x1f;
  const objectAt = start + 7 + n;
  if (
    end - start > 7 + n + 7 + compactObjectHeadBytes &&
    buf[start] === 0x82 &&
    buf[start + 1] === 0xa4 &&
    buf.compare(msgpackTypeKey, 0, 4, start + 2, start + 6) === 0 &&
    ((buf[start + 6] as number) & 0xe0) === 0xa0 &&
    buf[objectAt] === 0xa6 &&
    buf.compare(msgpackObjectKey, 0, 6, objectAt + 1, objectAt + 7) === 0 &&
    buf[objectAt + 7] === 0xc9 &&
    buf[objectAt + 12] === compactObjectExtType
  ) {
    const type = buf.toString('latin1', start + 7, objectAt);
    if (!(watchEventTypes as readonly string[]).includes(type)) throw new Error(`watch frame has an unknown type: ${type}`);
    const payloadBytes = buf.readUInt32BE(objectAt + 8);
    const valueStart = objectAt + 7 + compactObjectHeadBytes;
    if (objectAt + 13 + payloadBytes !== end) throw new Error('watch frame: the compact object does not end with the frame');
    const fingerprint = buf.readUInt32BE(objectAt + 13);
    if (fingerprint !== compactDictionaryFingerprint) {
      throw new Error(
        `watch frame uses key dictionary ${fingerprint.toString(16)}, this client knows ${compactDictionaryFingerprint.toString(16)}: client and server versions differ`,
      );
    }
    return { type: type as WatchEventType, object: decodeCompact(buf, valueStart, end) };
  }
  return checkEvent(unpack(buf.subarray(start, end)));
}

/** Cuts a length-prefixed msgpack watch stream into events; chunks may split frames anywhere. */
export class MsgpackWatchDecoder {
  private buf: Buffer = Buffer.alloc(0);
  // mapsAsObjects: the frame's outer map is a plain msgpack map (not a record).
  private readonly unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });
  private readonly unpack = (body: Buffer): unknown => this.unpackr.unpack(body);

  constructor(private readonly frameBytesMax: number = 64 * 1024 * 1024) {}

  push(chunk: Uint8Array): DecodedWatchEvent[] {
    const out: DecodedWatchEvent[] = [];
    this.buf =
      this.buf.length === 0
        ? Buffer.from(chunk)
        : Buffer.concat([this.buf, chunk]);
    let offset = 0;
    while (this.buf.length - offset >= 4) {
      const length = this.buf.readUInt32BE(offset);
      if (length > this.frameBytesMax) {
        throw new Error(`watch frame of ${length} bytes, over ${this.frameBytesMax}`);
      }
      if (this.buf.length - offset - 4 < length) break;
      out.push(decodeMsgpackFrameBody(this.buf, offset + 4, offset + 4 + length, this.unpack));
      offset += 4 + length;
    }
    this.buf = offset === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(offset);
    return out;
  }

  get hasPartial(): boolean {
    return this.buf.length > 0;
  }
}

export function codecByName(name: 'json' | 'msgpack'): WatchCodec {
  return name === 'json' ? jsonWatchCodec : msgpackWatchCodec;
}
