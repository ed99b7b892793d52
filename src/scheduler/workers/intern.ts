// String interning: label keys and values, taint keys and values, image names and host IPs become
// small integer ids before the hot loop, so workers compare ints over shared memory, never strings.
//
// Owner: the main thread (the one writer). Ids are dense; the empty string is 0; -1 means "absent". The string → id
// map lives only on the main thread; what a worker needs about a string is in shared columns indexed
// by id: its integer value (label values compared by Gt / Lt) and, for images, on how many nodes it is.

export interface InternBuffers {
  readonly idsMax: number;
  readonly buffer: SharedArrayBuffer;
}

/** The shared, read-only-for-workers part of an intern table. */
export class InternColumns {
  /** The string's value parsed as a base-10 int64 (strconv.ParseInt), or NaN. */
  readonly numeric: Float64Array;
  /** For image names: how many live nodes report the image (ImageLocality's spread). */
  readonly imageNodes: Int32Array;

  constructor(readonly buffers: InternBuffers) {
    const { idsMax, buffer } = buffers;
    this.numeric = new Float64Array(buffer, 0, idsMax);
    this.imageNodes = new Int32Array(buffer, idsMax * 8, idsMax);
  }

  static allocate(idsMax: number): InternColumns {
    return new InternColumns({ idsMax, buffer: new SharedArrayBuffer(idsMax * 12) });
  }
}

export class InternTableFullError extends Error {
  override readonly name = 'InternTableFullError';
}

const intPattern = /^[+-]?\d{1,18}$/;

export class InternTable {
  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly strings: string[] = [''];
  readonly columns: InternColumns;

  constructor(idsMax: number) {
    this.columns = InternColumns.allocate(idsMax);
    this.columns.numeric[0] = Number.NaN;
  }

  /** The id of `s`, assigning one if new. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id !== undefined) return id;
    id = this.strings.length;
    if (id >= this.columns.buffers.idsMax) {
      throw new InternTableFullError(`more than ${this.columns.buffers.idsMax - 1} distinct strings interned`);
    }
    this.ids.set(s, id);
    this.strings.push(s);
    this.columns.numeric[id] = intPattern.test(s) ? Number.parseInt(s, 10) : Number.NaN;
    return id;
  }

  /** The id of `s` if it was interned, else -1 (no node can hold it). */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  string(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`unknown interned id ${id}`);
    return s;
  }

  get size(): number {
    return this.strings.length - 1;
  }
}
