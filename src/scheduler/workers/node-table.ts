// The node table: the scheduler's node state as columns over one SharedArrayBuffer, indexed by node
// number, so Piscina workers filter and score chunks of nodes without copying anything.
//
//   SharedArrayBuffer
//   ┌────────┬──────────────── f64 columns, nodesMax each ──────────────┬── i32 columns ──┬─ u8 ─┐
//   │ header │ allocCpuMilli allocMemBytes … nonZeroMemBytes imageBytes │ labels taints … │ flags│
//   └────────┴──────────────────────────────────────────────────────────┴─────────────────┴──────┘
//
// Ownership: only the thread that created the table (the scheduler's main thread) writes. It never
// writes while a round of worker tasks is in flight: writes are applied between rounds and each
// applied batch bumps `epoch`. A task carries the epoch it was planned at and the worker checks it
// before and after reading, so a reader always sees one consistent snapshot (a mismatch is a bug and
// fails loudly).
//
// Multi-valued fields (labels, taints, images, host ports) have a number of slots per node (`*Max`);
// strings in them are interned ids (see intern.ts). A node with more labels, taints or images than
// the slots grows the table (grow): the buffer is a growable SharedArrayBuffer, the columns are laid
// out again in it and `layout` in the header is bumped; a worker sees the new length (the buffer is
// shared) and rebinds its views from the header's dims before reading (sync). Growth happens only
// between rounds, like every write.
//
// Extended resources (example.com/gpu, hugepages-2Mi…) get one column each, cluster-wide:
// allocScalar / reqScalar[column * nodesMax + node], the column's resource in scalarName[column].

export interface NodeTableDims {
  readonly nodesMax: number;
  readonly labelsMax: number;
  readonly taintsMax: number;
  readonly imagesMax: number;
  readonly portsMax: number;
  /** Extended-resource columns (grows by doubling when a new resource name appears). */
  readonly scalarsMax: number;
}

export const defaultNodeTableDims: NodeTableDims = Object.freeze({
  nodesMax: 32_768,
  labelsMax: 32,
  taintsMax: 8,
  imagesMax: 16,
  portsMax: 16,
  scalarsMax: 4,
});

export interface NodeTableBuffers {
  /** The dims at allocation; the header holds the current ones. */
  readonly dims: NodeTableDims;
  readonly buffer: SharedArrayBuffer;
}

// Header fields (Int32, accessed with Atomics).
const kEpochField = 0;
const kHighWaterField = 1;
/** Bumped by grow: readers rebind their views from the dims below. */
const kLayoutField = 2;
const kDimsField = 3; // nodesMax, labelsMax, taintsMax, imagesMax, portsMax, scalarsMax
const kScalarCountField = 9;
const headerBytes = 64;
/** The buffer may grow to this many times its first size (virtual address space only). */
const growthFactorMax = 16;

/** ES2024's growable SharedArrayBuffer (Node 20 has it; the compiler's lib does not describe it). */
interface GrowableBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (byteLength: number, options: { readonly maxByteLength: number }) => GrowableBuffer;

/** Node flags (u8 column). */
export const NodeFlag = {
  live: 1,
  unschedulable: 2,
  /** More host ports in use than the table has slots for: NodePorts treats it as full. */
  portsOverflow: 4,
} as const;

/** Taint effects (u8 column). */
export const TaintEffect = { None: 0, NoSchedule: 1, PreferNoSchedule: 2, NoExecute: 3 } as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];

export function taintEffectCode(effect: string | undefined): TaintEffect {
  switch (effect) {
    case 'NoSchedule': return TaintEffect.NoSchedule;
    case 'PreferNoSchedule': return TaintEffect.PreferNoSchedule;
    case 'NoExecute': return TaintEffect.NoExecute;
    default: return TaintEffect.None;
  }
}

/** Host-port protocols, packed with the port as (protocol << 16) | port. */
export function protocolCode(protocol: string | undefined): number {
  switch (protocol) {
    case 'UDP': return 2;
    case 'SCTP': return 3;
    default: return 1; // TCP, the default
  }
}

function layoutBytes(dims: NodeTableDims): number {
  const n = dims.nodesMax;
  const f64Count = n * 10 + n * dims.imagesMax + 2 * n * dims.scalarsMax;
  const i32Count = n * 2 * dims.labelsMax + n * 2 * dims.taintsMax + n * dims.imagesMax + n * 2 * dims.portsMax + n * 6 + dims.scalarsMax;
  const u8Count = n + n * dims.taintsMax;
  return headerBytes + f64Count * 8 + i32Count * 4 + u8Count;
}

function readDims(header: Int32Array): NodeTableDims {
  const at = (k: number): number => Atomics.load(header, kDimsField + k);
  return { nodesMax: at(0), labelsMax: at(1), taintsMax: at(2), imagesMax: at(3), portsMax: at(4), scalarsMax: at(5) };
}

/** Per-node columns with `per` slots each (node * per + k): re-strided when `per` grows. */
type Strided = 'imageBytes' | 'labelKey' | 'labelValue' | 'taintKey' | 'taintValue' | 'imageId' | 'portKey' | 'portHostIp' | 'taintEffect';
const stridedBy: Readonly<Record<Strided, keyof NodeTableDims>> = {
  imageBytes: 'imagesMax',
  labelKey: 'labelsMax',
  labelValue: 'labelsMax',
  taintKey: 'taintsMax',
  taintValue: 'taintsMax',
  imageId: 'imagesMax',
  portKey: 'portsMax',
  portHostIp: 'portsMax',
  taintEffect: 'taintsMax',
};
const flatColumns = [
  'allocCpuMilli', 'allocMemBytes', 'allocEphBytes', 'allocPods', 'reqCpuMilli', 'reqMemBytes', 'reqEphBytes', 'reqPods', 'nonZeroCpuMilli',
  'nonZeroMemBytes', 'labelCount', 'taintCount', 'imageCount', 'portCount', 'nameId', 'rank', 'flags',
] as const;

export class NodeTable {
  readonly buffers: NodeTableBuffers;
  private readonly header: Int32Array;
  /** The layout these views were bound for (see sync). */
  private layout = -1;

  // Every view below is rebound by grow (main thread) and sync (readers): read them through the
  // table on each call, never keep one across calls.
  dims!: NodeTableDims;
  // Resources. CPU in milli-cores, memory and ephemeral storage in bytes, pods as a count.
  // Owner: main thread.
  allocCpuMilli!: Float64Array;
  allocMemBytes!: Float64Array;
  allocEphBytes!: Float64Array;
  allocPods!: Float64Array;
  /** Sum of the requests of the pods on the node (assumed or bound). */
  reqCpuMilli!: Float64Array;
  reqMemBytes!: Float64Array;
  reqEphBytes!: Float64Array;
  reqPods!: Float64Array;
  /** As req*, with containers that request nothing counted as 100m / 200Mi (scoring only). */
  nonZeroCpuMilli!: Float64Array;
  nonZeroMemBytes!: Float64Array;
  /** imageBytes[node * imagesMax + k]: size of the node's k-th image. */
  imageBytes!: Float64Array;
  /** allocScalar / reqScalar[column * nodesMax + node]: the extended resource of that column (Value()). */
  allocScalar!: Float64Array;
  reqScalar!: Float64Array;

  /** labelKey/labelValue[node * labelsMax + k]: the node's k-th label, interned. */
  labelKey!: Int32Array;
  labelValue!: Int32Array;
  taintKey!: Int32Array;
  taintValue!: Int32Array;
  imageId!: Int32Array;
  /** (protocolCode << 16) | hostPort of the k-th host port in use. */
  portKey!: Int32Array;
  /** Interned host IP of the k-th port in use ("0.0.0.0" for all). */
  portHostIp!: Int32Array;
  labelCount!: Int32Array;
  taintCount!: Int32Array;
  imageCount!: Int32Array;
  portCount!: Int32Array;
  /** Interned node name. */
  nameId!: Int32Array;
  /** Tie-break rank, a hash of the seed and the node name: equal scores go to the higher rank. */
  rank!: Int32Array;
  /** scalarName[column]: the interned resource name of an extended-resource column. */
  scalarName!: Int32Array;

  flags!: Uint8Array;
  taintEffect!: Uint8Array;

  constructor(buffers: NodeTableBuffers) {
    this.buffers = buffers;
    this.header = new Int32Array(buffers.buffer, 0, headerBytes / 4);
    if (Atomics.load(this.header, kDimsField) === 0) {
      // A fresh buffer: the header takes the allocation's dims.
      const d = buffers.dims;
      const values = [d.nodesMax, d.labelsMax, d.taintsMax, d.imagesMax, d.portsMax, d.scalarsMax];
      for (let k = 0; k < values.length; k++) Atomics.store(this.header, kDimsField + k, values[k] as number);
    }
    this.sync();
  }

  /** Rebinds the views if the table grew since (readers call it before reading; cheap otherwise). */
  sync(): void {
    const layout = Atomics.load(this.header, kLayoutField);
    if (layout === this.layout) return;
    this.bind(readDims(this.header));
    this.layout = layout;
  }

  private bind(dims: NodeTableDims): void {
    this.dims = Object.freeze({ ...dims });
    const n = dims.nodesMax;
    const buf = this.buffers.buffer;
    let off = headerBytes;
    const f64 = (count: number): Float64Array => {
      const a = new Float64Array(buf, off, count);
      off += count * 8;
      return a;
    };
    const i32 = (count: number): Int32Array => {
      const a = new Int32Array(buf, off, count);
      off += count * 4;
      return a;
    };
    const u8 = (count: number): Uint8Array => {
      const a = new Uint8Array(buf, off, count);
      off += count;
      return a;
    };
    this.allocCpuMilli = f64(n);
    this.allocMemBytes = f64(n);
    this.allocEphBytes = f64(n);
    this.allocPods = f64(n);
    this.reqCpuMilli = f64(n);
    this.reqMemBytes = f64(n);
    this.reqEphBytes = f64(n);
    this.reqPods = f64(n);
    this.nonZeroCpuMilli = f64(n);
    this.nonZeroMemBytes = f64(n);
    this.imageBytes = f64(n * dims.imagesMax);
    this.allocScalar = f64(n * dims.scalarsMax);
    this.reqScalar = f64(n * dims.scalarsMax);
    this.labelKey = i32(n * dims.labelsMax);
    this.labelValue = i32(n * dims.labelsMax);
    this.taintKey = i32(n * dims.taintsMax);
    this.taintValue = i32(n * dims.taintsMax);
    this.imageId = i32(n * dims.imagesMax);
    this.portKey = i32(n * dims.portsMax);
    this.portHostIp = i32(n * dims.portsMax);
    this.labelCount = i32(n);
    this.taintCount = i32(n);
    this.imageCount = i32(n);
    this.portCount = i32(n);
    this.nameId = i32(n);
    this.rank = i32(n);
    this.scalarName = i32(dims.scalarsMax);
    this.flags = u8(n);
    this.taintEffect = u8(n * dims.taintsMax);
  }

  static allocate(dims: Partial<NodeTableDims> = {}): NodeTable {
    const full: NodeTableDims = { ...defaultNodeTableDims, ...dims };
    const bytes = layoutBytes(full);
    return new NodeTable({ dims: full, buffer: new GrowableSharedArrayBuffer(bytes, { maxByteLength: bytes * growthFactorMax }) });
  }

  /**
   * Makes room for at least these slots per node (main thread, between rounds: it writes every
   * column). Each dimension at least doubles, so a node set grows the table O(log) times.
   */
  ensure(want: Partial<NodeTableDims>): void {
    const d = this.dims;
    // The common case (everything fits) allocates nothing.
    if (!((want.labelsMax ?? 0) > d.labelsMax || (want.taintsMax ?? 0) > d.taintsMax || (want.imagesMax ?? 0) > d.imagesMax || (want.portsMax ?? 0) > d.portsMax || (want.scalarsMax ?? 0) > d.scalarsMax)) return;
    const grown = { ...d };
    let changed = false;
    for (const k of ['labelsMax', 'taintsMax', 'imagesMax', 'portsMax', 'scalarsMax'] as const) {
      const w = want[k];
      if (w !== undefined && w > d[k]) {
        grown[k] = Math.max(w, 2 * d[k]);
        changed = true;
      }
    }
    if (changed) this.grow(grown);
  }

  private grow(dims: NodeTableDims): void {
    const bytes = layoutBytes(dims);
    const buf = this.buffers.buffer as GrowableBuffer;
    if (bytes > buf.maxByteLength) throw new RangeError(`the node table cannot grow to ${bytes} bytes (at most ${buf.maxByteLength}); raise its dims (nodeTable option)`);
    const old = this.dims;
    // Copies of the columns before the new layout overwrites them.
    const flat = flatColumns.map((c) => this[c].slice());
    const strided = (Object.keys(stridedBy) as Strided[]).map((c) => [c, this[c].slice()] as const);
    const allocScalar = this.allocScalar.slice();
    const reqScalar = this.reqScalar.slice();
    const scalarName = this.scalarName.slice();
    if (bytes > buf.byteLength) buf.grow(bytes);
    new Uint8Array(buf, headerBytes).fill(0);
    this.bind(dims);
    for (const [i, c] of flatColumns.entries()) this[c].set(flat[i] as never);
    const n = dims.nodesMax;
    for (const [c, copy] of strided) {
      const from = old[stridedBy[c]];
      const to = dims[stridedBy[c]];
      const target = this[c];
      for (let node = 0; node < n; node++) target.set(copy.subarray(node * from, node * from + from) as never, node * to);
    }
    this.allocScalar.set(allocScalar);
    this.reqScalar.set(reqScalar);
    this.scalarName.set(scalarName);
    const values = [dims.nodesMax, dims.labelsMax, dims.taintsMax, dims.imagesMax, dims.portsMax, dims.scalarsMax];
    for (let k = 0; k < values.length; k++) Atomics.store(this.header, kDimsField + k, values[k] as number);
    this.layout = Atomics.add(this.header, kLayoutField, 1) + 1;
    this.bumpEpoch();
  }

  /** Bumped by the writer after each batch of writes. */
  get epoch(): number {
    return Atomics.load(this.header, kEpochField);
  }

  bumpEpoch(): number {
    return Atomics.add(this.header, kEpochField, 1) + 1;
  }

  /** One past the highest node index ever used: loops run over [0, highWater). */
  get highWater(): number {
    return Atomics.load(this.header, kHighWaterField);
  }

  setHighWater(value: number): void {
    Atomics.store(this.header, kHighWaterField, value);
  }

  isLive(node: number): boolean {
    return ((this.flags[node] as number) & NodeFlag.live) !== 0;
  }

  /** The interned value of label `keyId` on `node`, or -1 if the node has no such label. */
  labelValueOf(node: number, keyId: number): number {
    const base = node * this.dims.labelsMax;
    const end = base + (this.labelCount[node] as number);
    for (let k = base; k < end; k++) if (this.labelKey[k] === keyId) return this.labelValue[k] as number;
    return -1;
  }

  /** Extended-resource columns in use. */
  get scalarCount(): number {
    return Atomics.load(this.header, kScalarCountField);
  }

  /** The column of an extended resource (interned name), or -1 when no node or pod has named it. */
  scalarColumn(nameId: number): number {
    const count = this.scalarCount;
    const names = this.scalarName;
    for (let c = 0; c < count; c++) if (names[c] === nameId) return c;
    return -1;
  }

  /** The column of an extended resource, added if new (main thread, between rounds). */
  addScalarColumn(nameId: number): number {
    const found = this.scalarColumn(nameId);
    if (found >= 0) return found;
    const c = this.scalarCount;
    if (c >= this.dims.scalarsMax) this.ensure({ scalarsMax: c + 1 });
    this.scalarName[c] = nameId;
    Atomics.store(this.header, kScalarCountField, c + 1);
    return c;
  }
}
