// Buffers carved from shared chunks: one ArrayBuffer per chunk instead of one per buffer.
//
// Node's Buffer.allocUnsafe slices an 8 KiB pool, so a create, which needs ~2.3 KiB of buffers
// that outlive the call (its log entry, its response bytes), took a new pool every ~3.5 creates:
// creating pools was ~4% of the API server's busy samples in a create profile, and each is one
// more ArrayBuffer for the GC to track. An arena takes a new chunk every few dozen buffers.
// (Fresh memory still costs its page faults when it is kept, as the watch cache keeps objects.)
//
//   chunk   [buf 0][buf 1][buf 2] … [buf k][unused]   next chunk once the next buffer won't fit
//
// A chunk stays allocated while any buffer carved from it is alive, so an arena suits buffers of
// similar lifetimes: one arena per kind of buffer, not one for everything.

export class BufferArena {
  #chunk: ArrayBuffer;
  /** Bytes of #chunk handed out. */
  #used = 0;
  /** Buffers larger than this get an allocation of their own (a chunk holds at least 4). */
  readonly #ownBytesMin: number;

  constructor(readonly chunkBytes: number) {
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 64) {
      throw new RangeError(`chunkBytes must be an integer of at least 64, got ${chunkBytes}`);
    }
    this.#chunk = new ArrayBuffer(chunkBytes);
    this.#ownBytesMin = chunkBytes >>> 2;
  }

  /** A buffer of `length` bytes, not zeroed (as Buffer.allocUnsafe): write all of it. */
  allocate(length: number): Buffer {
    if (length > this.#ownBytesMin) return Buffer.allocUnsafeSlow(length);
    if (this.#used + length > this.chunkBytes) {
      this.#chunk = new ArrayBuffer(this.chunkBytes);
      this.#used = 0;
    }
    const out = Buffer.from(this.#chunk, this.#used, length);
    // 8-byte aligned starts, as the Buffer pool keeps them.
    this.#used += (length + 7) & ~7;
    return out;
  }
}
