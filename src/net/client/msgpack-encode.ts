// Request bodies in msgpack: a writer for the values a client sends (plain objects, arrays,
// strings, numbers, booleans, null), byte for byte what msgpackr's
// `new Packr({ useRecords: false, variableMapSize: true })` writes for them, with less work per
// value (msgpackr's general `pack` also checks, per value, for string bundles, records, shared
// structures, references, Maps, extensions and toJSON hooks). Any other value anywhere in the tree
// (undefined, a Date, a Map, a class instance, a bigint …) sends the whole value to that Packr, so
// every value encodes exactly as before; so does a value too big for the slab's free space.
//
//   slab (64 KiB, shared)  [ body 1 | body 2 | body 3 |  free …                         ]
//                            ^ views handed out, never written again   ^ pos
//
// Bodies are views into a shared slab that is only appended to: a view stays valid for as long as
// its holder keeps it (undici until the request is written). When less than `slabFreeBytesMin`
// is left, the next body starts a new slab; the old one is freed with its last view.

import { Packr } from 'msgpackr';

/** The encoder used for whatever the plain writer does not take; the output format it matches. */
const fallback = new Packr({ useRecords: false, variableMapSize: true });

const slabBytes = 64 * 1024;
/** A body starts in a new slab when less than this is free (most bodies are a few KiB). */
const slabFreeBytesMin = 16 * 1024;
/** Room for the largest fixed-size item (a float64: 9 bytes) or container header (5 bytes). */
const itemBytesMax = 9;

export class PlainMsgpackEncoder {
  private slab: Buffer = Buffer.allocUnsafeSlow(slabBytes);
  /** Next free byte of `slab`. */
  private pos = 0;
  /** Writes of fixed-size items and headers stay below this (strings check their own size). */
  private end = slabBytes - itemBytesMax;
  /** `slab` as a DataView, for the multi-byte numbers. */
  private slabView = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);

  /**
   * `value` as msgpack. The returned Buffer is a view of a slab that is never written again
   * where it lies; the caller may keep it as long as it likes.
   */
  encode(value: unknown): Buffer {
    if (this.slab.length - this.pos < slabFreeBytesMin) this.newSlab();
    const start = this.pos;
    if (this.write(value)) {
      // Word-aligned starts, as msgpackr keeps them (copies of a body are then aligned).
      const body = this.slab.subarray(start, this.pos);
      this.pos = (this.pos + 7) & ~7;
      return body;
    }
    this.pos = start;
    return fallback.pack(value);
  }

  private newSlab(): void {
    this.slab = Buffer.allocUnsafeSlow(slabBytes);
    this.slabView = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);
    this.pos = 0;
    this.end = slabBytes - itemBytesMax;
  }

  /** Writes `v`; false when it (or something in it) is not plain, or the slab has no room. */
  private write(v: unknown): boolean {
    if (this.pos > this.end) return false;
    switch (typeof v) {
      case 'string':
        return this.writeString(v);
      case 'number':
        this.writeNumber(v);
        return true;
      case 'boolean':
        this.slab[this.pos++] = v ? 0xc3 : 0xc2;
        return true;
      case 'object': {
        if (v === null) {
          this.slab[this.pos++] = 0xc0;
          return true;
        }
        const constructor: unknown = (v as { constructor?: unknown }).constructor;
        if (constructor === Object) return this.writeObject(v as Record<string, unknown>);
        if (constructor === Array) return this.writeArray(v as unknown[]);
        return false;
      }
      default:
        return false;
    }
  }

  private writeObject(o: Record<string, unknown>): boolean {
    const keys = Object.keys(o);
    this.writeHeader(keys.length, 0x80, 0xde);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!this.writeString(key) || !this.write(o[key])) return false;
    }
    return true;
  }

  private writeArray(a: unknown[]): boolean {
    this.writeHeader(a.length, 0x90, 0xdc);
    for (let i = 0; i < a.length; i++) {
      if (!this.write(a[i])) return false;
    }
    return true;
  }

  /** A map or array header: fix form under 16 entries, else 16- or 32-bit count (`wide` + 1). */
  private writeHeader(n: number, fix: number, wide: number): void {
    const b = this.slab;
    if (n < 0x10) {
      b[this.pos++] = fix | n;
    } else if (n < 0x10000) {
      b[this.pos++] = wide;
      b[this.pos++] = n >> 8;
      b[this.pos++] = n & 0xff;
    } else {
      b[this.pos++] = wide + 1;
      this.slabView.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  private writeNumber(n: number): void {
    const b = this.slab;
    if (n >>> 0 === n) {
      if (n < 0x80) {
        b[this.pos++] = n;
      } else if (n < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = n;
      } else if (n < 0x10000) {
        b[this.pos++] = 0xcd;
        b[this.pos++] = n >> 8;
        b[this.pos++] = n & 0xff;
      } else {
        b[this.pos++] = 0xce;
        this.slabView.setUint32(this.pos, n);
        this.pos += 4;
      }
    } else if (n >> 0 === n) {
      if (n >= -0x20) {
        b[this.pos++] = 0x100 + n;
      } else if (n >= -0x80) {
        b[this.pos++] = 0xd0;
        b[this.pos++] = n + 0x100;
      } else if (n >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.slabView.setInt16(this.pos, n);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xd2;
        this.slabView.setInt32(this.pos, n);
        this.pos += 4;
      }
    } else {
      b[this.pos++] = 0xcb;
      this.slabView.setFloat64(this.pos, n);
      this.pos += 8;
    }
  }

  /**
   * A str item. As msgpackr: strings under 64 UTF-16 units are encoded here (a lone surrogate as
   * its three-byte form), longer ones by Buffer#write (utf8, as msgpackr's utf8Write); the header is the smallest for the
   * byte length, the bytes moved up when the first guess (from the UTF-16 length) was too small.
   */
  private writeString(s: string): boolean {
    const units = s.length;
    const b = this.slab;
    if (this.pos + units * 3 + 5 > b.length) return false;
    const headerBytes = units < 0x20 ? 1 : units < 0x100 ? 2 : units < 0x10000 ? 3 : 5;
    const at = this.pos + headerBytes;
    let bytes: number;
    if (units < 0x40) {
      let p = at;
      for (let i = 0; i < units; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) {
          b[p++] = c;
        } else if (c < 0x800) {
          b[p++] = (c >> 6) | 0xc0;
          b[p++] = (c & 0x3f) | 0x80;
        } else {
          let c2: number;
          if ((c & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
            c = 0x10000 + ((c & 0x03ff) << 10) + (c2 & 0x03ff);
            i++;
            b[p++] = (c >> 18) | 0xf0;
            b[p++] = ((c >> 12) & 0x3f) | 0x80;
            b[p++] = ((c >> 6) & 0x3f) | 0x80;
            b[p++] = (c & 0x3f) | 0x80;
          } else {
            b[p++] = (c >> 12) | 0xe0;
            b[p++] = ((c >> 6) & 0x3f) | 0x80;
            b[p++] = (c & 0x3f) | 0x80;
          }
        }
      }
      bytes = p - at;
    } else {
      bytes = b.write(s, at, b.length - at, 'utf8');
    }
    let pos = this.pos;
    if (bytes < 0x20) {
      b[pos++] = 0xa0 | bytes;
    } else if (bytes < 0x100) {
      if (headerBytes < 2) b.copyWithin(pos + 2, pos + 1, pos + 1 + bytes);
      b[pos++] = 0xd9;
      b[pos++] = bytes;
    } else if (bytes < 0x10000) {
      if (headerBytes < 3) b.copyWithin(pos + 3, pos + headerBytes, pos + headerBytes + bytes);
      b[pos++] = 0xda;
      b[pos++] = bytes >> 8;
      b[pos++] = bytes & 0xff;
    } else {
      if (headerBytes < 5) b.copyWithin(pos + 5, pos + headerBytes, pos + headerBytes + bytes);
      b[pos++] = 0xdb;
      this.slabView.setUint32(pos, bytes);
      pos += 4;
    }
    this.pos = pos + bytes;
    return true;
  }
}
