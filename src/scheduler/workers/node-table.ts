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
// Multi-valued fields (labels, taints, images, host ports) have a fixed number of slots per node
// (`*Max`, see limits below); strings in them are interned ids (see intern.ts).

export interface NodeTableDims {
  readonly nodesMax: number;
  readonly labelsMax: number;
  readonly taintsMax: number;
  readonly imagesMax: number;
  readonly portsMax: number;
}

export const defaultNodeTableDims: NodeTableDims = Object.freeze({
  nodesMax: 32_768,
  labelsMax: 32,
  taintsMax: 8,
  imagesMax: 16,
  portsMax: 16,
});

export interface NodeTableBuffers {
  readonly dims: NodeTableDims;
  readonly buffer: SharedArrayBuffer;
}

// Header fields (Int32, accessed with Atomics).
const kEpochField = 0;
const kHighWaterField = 1;
const headerBytes = 64;

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

function layout(dims: NodeTableDims): { readonly f64Count: number; readonly i32Count: number; readonly u8Count: number } {
  const n = dims.nodesMax;
  return {
    f64Count: n * 10 + n * dims.imagesMax,
    i32Count: n * 2 * dims.labelsMax + n * 2 * dims.taintsMax + n * dims.imagesMax + n * 2 * dims.portsMax + n * 6,
    u8Count: n + n * dims.taintsMax,
  };
}

export class NodeTable {
  readonly dims: NodeTableDims;
  readonly buffers: NodeTableBuffers;
  private readonly header: Int32Array;

  // Resources. CPU in milli-cores, memory and ephemeral storage in bytes, pods as a count.
  // Owner: main thread.
  readonly allocCpuMilli: Float64Array;
  readonly allocMemBytes: Float64Array;
  readonly allocEphBytes: Float64Array;
  readonly allocPods: Float64Array;
  /** Sum of the requests of the pods on the node (assumed or bound). */
  readonly reqCpuMilli: Float64Array;
  readonly reqMemBytes: Float64Array;
  readonly reqEphBytes: Float64Array;
  readonly reqPods: Float64Array;
  /** As req*, with containers that request nothing counted as 100m / 200Mi (scoring only). */
  readonly nonZeroCpuMilli: Float64Array;
  readonly nonZeroMemBytes: Float64Array;
  /** imageBytes[node * imagesMax + k]: size of the node's k-th image. */
  readonly imageBytes: Float64Array;

  /** labelKey/labelValue[node * labelsMax + k]: the node's k-th label, interned. */
  readonly labelKey: Int32Array;
  readonly labelValue: Int32Array;
  readonly taintKey: Int32Array;
  readonly taintValue: Int32Array;
  readonly imageId: Int32Array;
  /** (protocolCode << 16) | hostPort of the k-th host port in use. */
  readonly portKey: Int32Array;
  /** Interned host IP of the k-th port in use ("0.0.0.0" for all). */
  readonly portHostIp: Int32Array;
  readonly labelCount: Int32Array;
  readonly taintCount: Int32Array;
  readonly imageCount: Int32Array;
  readonly portCount: Int32Array;
  /** Interned node name. */
  readonly nameId: Int32Array;
  /** Tie-break rank, a hash of the seed and the node name: equal scores go to the higher rank. */
  readonly rank: Int32Array;

  readonly flags: Uint8Array;
  readonly taintEffect: Uint8Array;

  constructor(buffers: NodeTableBuffers) {
    this.buffers = buffers;
    const dims = (this.dims = buffers.dims);
    const n = dims.nodesMax;
    const buf = buffers.buffer;
    this.header = new Int32Array(buf, 0, headerBytes / 4);
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
    this.flags = u8(n);
    this.taintEffect = u8(n * dims.taintsMax);
  }

  static allocate(dims: NodeTableDims = defaultNodeTableDims): NodeTable {
    const l = layout(dims);
    const bytes = headerBytes + l.f64Count * 8 + l.i32Count * 4 + l.u8Count;
    return new NodeTable({ dims, buffer: new SharedArrayBuffer(bytes) });
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
}
