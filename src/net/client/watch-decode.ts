// Decoding msgpack watch streams on the client, for many streams at once.
//
// The server encodes each event once and writes the same bytes to every watcher of it (src/watch:
// "encode once, fan out"). A process that holds many watches of one resource — a fleet of
// simulated node agents, a benchmark's 1000 streams — receives those identical frames once per
// stream. `SharedFrameDecoder` decodes identical frame bytes once per client and hands every
// stream the same deeply frozen event, as the in-process client hands out the cache's frozen
// objects:
//
//   frame ──► equal (memcmp) to the log entry after this stream's last? ──yes──► shared event
//                 │no
//                 ▼
//             hash (FNV) → entry with equal bytes? ──yes──► shared event
//                 │no
//                 ▼
//             unpack → check → deep-freeze → append to the log (a bounded ring)
//
// Equality is always checked on the full bytes, so a hash collision costs a decode, never a
// wrong event. `FrameSplitter` cuts a stream's chunks into frames in
// place (no copy of whole chunks; only a frame cut across chunks is assembled).

import { Unpackr } from 'msgpackr';
import { decodeMsgpackFrameBody, type DecodedWatchEvent, type WatchEventType } from '../wire/watch-frames.js';
import { deepFreeze } from './in-process-client.js';

// The frame is a plain msgpack map, its object plain maps too (or, from older servers, msgpackr
// records with inline definitions): both decode alone. copyBuffers: binary values are copied, not
// views into the frame's buffer (a socket's reused read buffer, watch-socket.ts).
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true, copyBuffers: true });

const eventTypes: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** A frame whose object is plain msgpack, through msgpackr. */
function unpackPlain(body: Buffer): unknown {
  const parsed: unknown = unpackr.unpack(body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('watch frame is not a map');
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string' || !eventTypes.has(type)) throw new Error(`watch frame has an unknown type: ${String(type)}`);
  return parsed;
}

/** Decodes one frame body (without its length prefix) into a checked event. */
export function decodeFrameBody(body: Uint8Array): DecodedWatchEvent {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return decodeMsgpackFrameBody(buf, 0, buf.length, unpackPlain);
}

/** One stream's position in a SharedFrameDecoder's log: the sequence number it matched last. */
export class StreamCursor {
  seq = -1;
}

/** Something that turns a frame body into an event. */
export interface FrameDecoder {
  /** Decodes `buf[start, end)`, valid only during the call (it may be a reused chunk). */
  decode(buf: Buffer, start: number, end: number, cursor: StreamCursor): DecodedWatchEvent;
  /**
   * Optional fast path: when the whole frames (prefix and body) at `buf[start, end)` are, byte for
   * byte, the frames the log holds right after `cursor`, appends their events to `out` and returns
   * the bytes they span; otherwise 0 (decode frame by frame).
   */
  matchRun?(buf: Buffer, start: number, end: number, cursor: StreamCursor, out: DecodedWatchEvent[]): number;
}

/** Decodes every frame anew; events are the caller's own (not frozen). */
export const plainFrameDecoder: FrameDecoder = {
  decode: (buf, start, end) => decodeFrameBody(buf.subarray(start, end)),
};

interface CachedFrame {
  /** Position in the log (increasing). */
  readonly seq: number;
  readonly hash: number;
  /** A private copy of the frame body, inside `segment` right after its 4-byte length prefix. */
  readonly bytes: Buffer;
  /** The log's wire image this frame was appended to (frames of one segment are contiguous). */
  readonly segment: Buffer;
  /** Where the frame's length prefix starts in `segment`. */
  readonly wireStart: number;
  /** Deeply frozen: shared by every stream that received these bytes. */
  readonly event: DecodedWatchEvent;
}

/**
 * FNV-1a over the whole body, 4 bytes at a time, and its length. Every byte counts: events of one
 * resource differ in a few bytes (name, uid, resourceVersion) whose place depends on the kind
 * (a defaulted Pod puts spec before metadata). It picks a slot only.
 */
function frameHash(buf: Buffer, start: number, end: number): number {
  let h = (0x811c9dc5 ^ (end - start)) >>> 0;
  let i = start;
  for (const last = end - 3; i < last; i += 4) {
    const word = (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
    h = Math.imul(h ^ word, 16777619);
  }
  for (; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 16777619);
  return h >>> 0;
}

/**
 * The log of distinct frames decoded, newest last, in a ring of `entriesMax`, indexed by hash.
 * Streams of one resource receive the same frames in the same (revision) order, so the frame a
 * stream gets next is almost always the log entry after the one it matched last: one memcmp
 * against that entry, no hashing. Only a stream that is first to a frame, or out of step (a
 * selector skipped events, it joined late), hashes and looks up; only the first decodes.
 *
 *   log:    … [seq 41: ev A] [seq 42: ev B] [seq 43: ev C]      stream cursors: s1 → 42, s2 → 41
 *   s1 receives C: entry 43 equals → C, s1 → 43.   s2 receives B: entry 42 equals → B, s2 → 42.
 */
export class SharedFrameDecoder implements FrameDecoder {
  private readonly ring: (CachedFrame | undefined)[];
  private readonly byHash = new Map<number, CachedFrame>();
  private nextSeq = 0;
  /** Where new frames are appended (owned by this decoder; entries keep older segments alive). */
  private segment: Buffer = Buffer.alloc(0);
  private segmentUsed = 0;

  constructor(private readonly entriesMax = 4096) {
    if (!(entriesMax >= 1)) throw new RangeError(`entriesMax must be at least 1, got ${entriesMax}`);
    this.ring = new Array<CachedFrame | undefined>(entriesMax).fill(undefined);
  }

  decode(buf: Buffer, start: number, end: number, cursor: StreamCursor): DecodedWatchEvent {
    const length = end - start;
    const wanted = cursor.seq + 1;
    if (wanted < this.nextSeq) {
      const next = this.ring[wanted % this.entriesMax];
      if (next !== undefined && next.seq === wanted && next.bytes.length === length && next.bytes.compare(buf, start, end) === 0) {
        cursor.seq = wanted;
        return next.event;
      }
    }
    const hash = frameHash(buf, start, end);
    const hit = this.byHash.get(hash);
    if (hit !== undefined && hit.bytes.length === length && hit.bytes.compare(buf, start, end) === 0) {
      cursor.seq = hit.seq;
      return hit.event;
    }
    const body = buf.subarray(start, end);
    const event = deepFreeze(decodeFrameBody(body));
    // Append the frame as it is on the wire (prefix + body) to the current segment.
    const wireBytes = 4 + length;
    if (this.segmentUsed + wireBytes > this.segment.length) {
      this.segment = Buffer.allocUnsafe(Math.max(segmentBytes, wireBytes));
      this.segmentUsed = 0;
    }
    const segment = this.segment;
    const wireStart = this.segmentUsed;
    segment.writeUInt32BE(length, wireStart);
    buf.copy(segment, wireStart + 4, start, end);
    this.segmentUsed += wireBytes;
    const entry: CachedFrame = { seq: this.nextSeq++, hash, bytes: segment.subarray(wireStart + 4, wireStart + wireBytes), segment, wireStart, event };
    const slot = entry.seq % this.entriesMax;
    const evicted = this.ring[slot];
    if (evicted !== undefined && this.byHash.get(evicted.hash) === evicted) this.byHash.delete(evicted.hash);
    this.ring[slot] = entry;
    this.byHash.set(hash, entry);
    cursor.seq = entry.seq;
    return entry.event;
  }

  /**
   * A stream in step receives runs of frames that are consecutive log entries, and the log keeps
   * them contiguous in a segment exactly as on the wire: one compare checks the whole run (the
   * cost of a compare is mostly its fixed call overhead, not its bytes).
   *
   *   chunk:   … [len|f43][len|f44][len|f45] …        segment: … [len|f43][len|f44][len|f45] …
   *                 └──────── one compare ────────┘
   */
  matchRun(buf: Buffer, start: number, end: number, cursor: StreamCursor, out: DecodedWatchEvent[]): number {
    const first = cursor.seq + 1;
    const entriesMax = this.entriesMax;
    const head = this.ring[first % entriesMax];
    if (first >= this.nextSeq || head === undefined || head.seq !== first) return 0;
    const segment = head.segment;
    let pos = start;
    let wirePos = head.wireStart;
    let count = 0;
    // Walk the chunk's whole frames while the log's entries follow, contiguous in one segment.
    while (end - pos >= 4 && first + count < this.nextSeq && count < entriesMax) {
      const length = buf.readUInt32BE(pos);
      if (end - pos - 4 < length) break;
      const entry = this.ring[(first + count) % entriesMax];
      if (entry === undefined || entry.seq !== first + count || entry.segment !== segment || entry.wireStart !== wirePos || entry.bytes.length !== length) break;
      pos += 4 + length;
      wirePos += 4 + length;
      count++;
    }
    if (count < 2) return 0;
    if (segment.compare(buf, start, pos, head.wireStart, wirePos) !== 0) return 0;
    for (let i = 0; i < count; i++) out.push((this.ring[(first + i) % entriesMax] as CachedFrame).event);
    cursor.seq = first + count - 1;
    return pos - start;
  }
}

/** Size of the log's wire-image segments (a larger frame gets a segment of its own). */
const segmentBytes = 1024 * 1024;

/**
 * Cuts one stream's chunks (`u32 big-endian length | body`) into frames. Whole frames inside a
 * chunk are decoded in place; a frame cut across chunks is gathered into a buffer of its own size
 * (its prefix into a 4-byte one), so only the bytes of cut frames are ever copied — never the rest
 * of a chunk:
 *
 *   chunk 1: [f1][f2][f3 head…]          f1, f2 decoded in place; f3's bytes so far → frame buffer
 *   chunk 2: […f3 tail][f4][f5][f6…]     f3 completed from the front of chunk 2, then f4, f5 in
 *                                        place, f6's start → a new frame buffer
 */
export class FrameSplitter {
  /** The length prefix of a cut frame, while incomplete (`headBytes` of 4 known). */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  /** The body of a cut frame whose prefix is complete, `frameFilled` bytes in. */
  private frame: Buffer | undefined = undefined;
  private frameFilled = 0;

  private readonly cursor = new StreamCursor();

  constructor(
    private readonly decoder: FrameDecoder,
    private readonly frameBytesMax: number = 64 * 1024 * 1024,
  ) {}

  /** Appends the events completed by `chunk` to `out`. Throws on a frame over the limit or a bad frame. */
  push(chunk: Buffer, out: DecodedWatchEvent[]): void {
    const n = chunk.length;
    let offset = this.headBytes > 0 || this.frame !== undefined ? this.completeCut(chunk, out) : 0;
    if (this.decoder.matchRun !== undefined && offset < n) offset += this.decoder.matchRun(chunk, offset, n, this.cursor, out);
    while (n - offset >= 4) {
      const length = this.frameLength(chunk, offset);
      if (n - offset - 4 < length) break;
      out.push(this.decoder.decode(chunk, offset + 4, offset + 4 + length, this.cursor));
      offset += 4 + length;
    }
    if (offset < n) this.keepCut(chunk, offset);
  }

  /** True when part of a frame is buffered (a stream that ends now was cut mid-event). */
  get hasPartial(): boolean {
    return this.headBytes > 0 || this.frame !== undefined;
  }

  /** Feeds the cut frame from the front of `chunk`; returns how many bytes of it were used. */
  private completeCut(chunk: Buffer, out: DecodedWatchEvent[]): number {
    let offset = 0;
    if (this.frame === undefined) {
      while (this.headBytes < 4 && offset < chunk.length) this.head[this.headBytes++] = chunk[offset++] as number;
      if (this.headBytes < 4) return offset;
      this.frame = Buffer.allocUnsafe(this.frameLength(this.head, 0));
      this.frameFilled = 0;
    }
    const frame = this.frame;
    const take = Math.min(frame.length - this.frameFilled, chunk.length - offset);
    chunk.copy(frame, this.frameFilled, offset, offset + take);
    this.frameFilled += take;
    offset += take;
    if (this.frameFilled < frame.length) return offset;
    this.frame = undefined;
    this.headBytes = 0;
    out.push(this.decoder.decode(frame, 0, frame.length, this.cursor));
    return offset;
  }

  /** Keeps `chunk[offset..]`, the start of a frame, past this call (the caller may reuse chunk). */
  private keepCut(chunk: Buffer, offset: number): void {
    const rest = chunk.length - offset;
    if (rest < 4) {
      chunk.copy(this.head, 0, offset);
      this.headBytes = rest;
      return;
    }
    const frame = Buffer.allocUnsafe(this.frameLength(chunk, offset));
    this.frameFilled = chunk.copy(frame, 0, offset + 4);
    this.frame = frame;
    this.headBytes = 4;
  }

  private frameLength(buf: Buffer, offset: number): number {
    const length = buf.readUInt32BE(offset);
    if (length > this.frameBytesMax) throw new Error(`watch frame of ${length} bytes, over ${this.frameBytesMax}`);
    return length;
  }
}
