// Decoding msgpack watch streams on the client, for many streams at once.
//
// The server encodes each event once and writes the same bytes to every watcher of it (src/watch:
// "encode once, fan out"). A process that holds many watches of one resource — a fleet of
// simulated node agents, a benchmark's 1000 streams — receives those identical frames once per
// stream. `SharedFrameDecoder` decodes identical frame bytes once per client and hands every
// stream the same deeply frozen event, as the in-process client hands out the cache's frozen
// objects:
//
//   frame body ──► hash (FNV) ──► cache hit and bytes equal (memcmp)? ──yes──► shared event
//                                              │no
//                                              ▼
//                                     unpack → check → deep-freeze → cache (bounded, 2 generations)
//
// The hash only picks the slot; equality is always checked on the full bytes, so a collision
// costs a decode, never a wrong event. `FrameSplitter` cuts a stream's chunks into frames in
// place (no copy of whole chunks; only a frame cut across chunks is assembled).

import { Unpackr } from 'msgpackr';
import type { DecodedWatchEvent, WatchEventType } from '../wire/watch-frames.js';
import { deepFreeze } from './in-process-client.js';

// The frame's outer map is a plain msgpack map, the object a self-contained records encoding.
const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

const eventTypes: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Decodes one frame body (without its length prefix) into a checked event. */
export function decodeFrameBody(body: Uint8Array): DecodedWatchEvent {
  const parsed: unknown = unpackr.unpack(body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('watch frame is not a map');
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string' || !eventTypes.has(type)) throw new Error(`watch frame has an unknown type: ${String(type)}`);
  return { type: type as WatchEventType, object: (parsed as { object?: unknown }).object };
}

/** Something that turns a frame body into an event. */
export interface FrameDecoder {
  /** `body` is valid only during the call (it may be a view into a reused chunk). */
  decode(body: Buffer): DecodedWatchEvent;
}

/** Decodes every frame anew; events are the caller's own (not frozen). */
export const plainFrameDecoder: FrameDecoder = { decode: decodeFrameBody };

interface CachedFrame {
  /** A private copy of the frame body. */
  readonly bytes: Buffer;
  /** Deeply frozen: shared by every stream that received these bytes. */
  readonly event: DecodedWatchEvent;
}

/**
 * FNV-1a over the whole body, 4 bytes at a time, and its length. Every byte counts: events of one
 * resource differ in a few bytes (name, uid, resourceVersion) whose place depends on the kind
 * (a defaulted Pod puts spec before metadata). Still ~20× cheaper than decoding; it picks a slot.
 */
function frameHash(body: Buffer): number {
  const n = body.length;
  let h = (0x811c9dc5 ^ n) >>> 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    const word = (body[i] as number) | ((body[i + 1] as number) << 8) | ((body[i + 2] as number) << 16) | ((body[i + 3] as number) << 24);
    h = Math.imul(h ^ word, 16777619);
  }
  for (; i < n; i++) h = Math.imul(h ^ (body[i] as number), 16777619);
  return h >>> 0;
}

export class SharedFrameDecoder implements FrameDecoder {
  private current = new Map<number, CachedFrame>();
  private previous = new Map<number, CachedFrame>();

  /** `entriesMax`: frames kept per generation (two generations: at most twice this many). */
  constructor(private readonly entriesMax = 4096) {
    if (!(entriesMax >= 1)) throw new RangeError(`entriesMax must be at least 1, got ${entriesMax}`);
  }

  decode(body: Buffer): DecodedWatchEvent {
    const h = frameHash(body);
    const hit = this.current.get(h);
    if (hit !== undefined && hit.bytes.equals(body)) return hit.event;
    const old = this.previous.get(h);
    if (old !== undefined && old.bytes.equals(body)) {
      this.insert(h, old);
      return old.event;
    }
    const event = deepFreeze(decodeFrameBody(body));
    this.insert(h, { bytes: Buffer.from(body), event });
    return event;
  }

  private insert(h: number, entry: CachedFrame): void {
    if (this.current.size >= this.entriesMax) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(h, entry);
  }
}

/**
 * Cuts one stream's chunks (`u32 big-endian length | body`) into frames. Whole frames inside a
 * chunk are decoded in place; a frame cut across chunks is gathered (chunks kept in a list, joined
 * once complete, so a large frame in many small chunks costs one copy).
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the pending frame needs in all (prefix included); 0 while its prefix is incomplete. */
  private needBytes = 0;

  constructor(
    private readonly decoder: FrameDecoder,
    private readonly frameBytesMax: number = 64 * 1024 * 1024,
  ) {}

  /** Appends the events completed by `chunk` to `out`. Throws on a frame over the limit or a bad frame. */
  push(chunk: Buffer, out: DecodedWatchEvent[]): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.needBytes === 0 && this.pendingBytes >= 4) this.needBytes = 4 + this.frameLength(Buffer.concat(this.pending, 4), 0);
      if (this.needBytes === 0 || this.pendingBytes < this.needBytes) {
        // Kept past this call: copy (the caller may reuse its chunk).
        this.pending[this.pending.length - 1] = Buffer.from(chunk);
        return;
      }
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.needBytes = 0;
    }
    let offset = 0;
    const n = buf.length;
    while (n - offset >= 4) {
      const length = this.frameLength(buf, offset);
      if (n - offset - 4 < length) {
        this.needBytes = 4 + length;
        break;
      }
      out.push(this.decoder.decode(buf.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    if (offset < n) {
      // Copy: the rest of this chunk must outlive it.
      const rest = Buffer.from(buf.subarray(offset));
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      if (rest.length < 4) this.needBytes = 0;
    }
  }

  /** True when part of a frame is buffered (a stream that ends now was cut mid-event). */
  get hasPartial(): boolean {
    return this.pendingBytes > 0;
  }

  private frameLength(buf: Buffer, offset: number): number {
    const length = buf.readUInt32BE(offset);
    if (length > this.frameBytesMax) throw new Error(`watch frame of ${length} bytes, over ${this.frameBytesMax}`);
    return length;
  }
}
