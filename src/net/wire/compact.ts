// Compact msgpack for watch frames: standard msgpack in which the map keys that Kubernetes objects
// repeat in every event ("metadata", "containers", "terminationMessagePolicy"…) are written as
// small integers from a fixed dictionary, and every other key as its string.
//
// About half of a Pod's msgpack bytes are keys (699 of 1253 for the benchmark's Pod). A watch
// event is encoded once and sent to every watcher of it, so at 1000 streams the bytes sent,
// copied and compared per event are what costs, not the encoding: keys as dictionary ids halve
// them (a Pod's frame: ~1270 → ~630 bytes).
//
//   plain     {"metadata": {"name": "web-1", "labels": {"app": "web"}}}
//             81 a8 metadata 82 a4 name a5 web-1 a6 labels 81 a3 app a3 web
//   compact   81 01 82 02 a5 web-1 06 81 a3 app a3 web
//                ^^    ^^          ^^      ^^^^^^ not a dictionary key: a string
//
// Likewise the string values Kubernetes repeats ("IfNotPresent", "/dev/termination-log",
// "node.kubernetes.io/not-ready"…) are written as ids from a second dictionary, in a 3-byte msgpack
// extension (fixext1, type 0x56), which brings a Pod's frame to ~470 bytes.
//
// The dictionaries are part of the format: ids are positions in `compactKeys` and
// `compactValues`, which may only grow at their end. Every compact value is preceded (in the frame) by the dictionary's fingerprint, so
// a reader with another dictionary fails loudly instead of misreading keys. Values are written as
// msgpack writes them: nil, booleans, integers (as small as they fit), float64, UTF-8 strings,
// binary, arrays and maps; `undefined` in an object is skipped (as JSON.stringify does).

/**
 * Keys written as ids: the fields of Kubernetes objects, most frequent first (ids 0–127 take one
 * byte, 128–255 two). Append only: an id never changes meaning.
 */
export const compactKeys: readonly string[] = Object.freeze([
  // 0–: every object
  'apiVersion', 'kind', 'metadata', 'spec', 'status', 'name', 'namespace', 'uid', 'resourceVersion',
  'creationTimestamp', 'generation', 'labels', 'annotations', 'ownerReferences', 'controller',
  'blockOwnerDeletion', 'finalizers', 'deletionTimestamp', 'deletionGracePeriodSeconds',
  'generateName', 'managedFields', 'manager', 'operation', 'time', 'fieldsType', 'fieldsV1',
  'subresource',
  // pods
  'containers', 'image', 'imagePullPolicy', 'ports', 'containerPort', 'protocol', 'hostPort',
  'env', 'value', 'valueFrom', 'resources', 'requests', 'limits', 'cpu', 'memory',
  'terminationMessagePath', 'terminationMessagePolicy', 'nodeName', 'dnsPolicy', 'restartPolicy',
  'securityContext', 'terminationGracePeriodSeconds', 'schedulerName', 'enableServiceLinks',
  'tolerations', 'key', 'operator', 'effect', 'tolerationSeconds', 'serviceAccountName',
  'serviceAccount', 'priority', 'preemptionPolicy', 'phase', 'qosClass', 'conditions', 'type',
  'lastTransitionTime', 'lastProbeTime', 'reason', 'message', 'hostIP', 'hostIPs', 'podIP',
  'podIPs', 'ip', 'startTime', 'containerStatuses', 'ready', 'started', 'restartCount', 'imageID',
  'containerID', 'state', 'running', 'startedAt', 'terminated', 'waiting', 'exitCode',
  'finishedAt', 'lastState', 'volumeMounts', 'mountPath', 'readOnly', 'volumes', 'configMap',
  'secret', 'secretName', 'emptyDir', 'persistentVolumeClaim', 'claimName', 'hostPath', 'path',
  'command', 'args', 'workingDir', 'livenessProbe', 'readinessProbe', 'startupProbe', 'httpGet',
  'tcpSocket', 'exec', 'port', 'scheme', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds',
  'successThreshold', 'failureThreshold', 'initContainers', 'initContainerStatuses', 'affinity',
  'nodeSelector', 'nodeAffinity', 'podAffinity', 'podAntiAffinity', 'topologySpreadConstraints',
  'priorityClassName', 'hostNetwork', 'runtimeClassName', 'nominatedNodeName', 'overhead',
  // 128–: workloads, services, nodes, the rest
  'replicas', 'selector', 'matchLabels', 'matchExpressions', 'values', 'template', 'strategy',
  'rollingUpdate', 'maxSurge', 'maxUnavailable', 'revisionHistoryLimit', 'progressDeadlineSeconds',
  'minReadySeconds', 'observedGeneration', 'readyReplicas', 'availableReplicas',
  'updatedReplicas', 'unavailableReplicas', 'fullyLabeledReplicas', 'lastUpdateTime',
  'collisionCount', 'serviceName', 'podManagementPolicy', 'updateStrategy',
  'volumeClaimTemplates', 'currentReplicas', 'currentRevision', 'updateRevision',
  'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'completions', 'parallelism',
  'backoffLimit', 'completionMode', 'suspend', 'active', 'succeeded', 'failed', 'completionTime',
  'clusterIP', 'clusterIPs', 'targetPort', 'nodePort', 'sessionAffinity', 'ipFamilies',
  'ipFamilyPolicy', 'internalTrafficPolicy', 'externalTrafficPolicy', 'loadBalancer', 'ingress',
  'subsets', 'addresses', 'notReadyAddresses', 'targetRef', 'endpoints', 'addressType',
  'podCIDR', 'podCIDRs', 'providerID', 'taints', 'unschedulable', 'capacity', 'allocatable',
  'address', 'daemonEndpoints', 'kubeletEndpoint', 'Port', 'nodeInfo', 'machineID', 'systemUUID',
  'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion',
  'kubeProxyVersion', 'operatingSystem', 'architecture', 'images', 'names', 'sizeBytes',
  'lastHeartbeatTime', 'pods', 'ephemeral-storage', 'data', 'binaryData', 'stringData',
  'immutable', 'holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime',
  'leaseTransitions', 'involvedObject', 'source', 'component', 'host', 'firstTimestamp',
  'lastTimestamp', 'count', 'reportingComponent', 'reportingInstance', 'eventTime', 'action',
  'accessModes', 'storageClassName', 'volumeName', 'volumeMode', 'storage', 'fsGroup', 'runAsUser',
  'runAsNonRoot', 'runAsGroup', 'seccompProfile', 'allowPrivilegeEscalation', 'capabilities',
  'drop', 'add', 'privileged', 'readOnlyRootFilesystem', 'fieldRef', 'fieldPath',
  'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'optional', 'items', 'defaultMode',
  'envFrom', 'configMapRef', 'secretRef', 'prefix', 'dnsConfig', 'hostname', 'subdomain',
  'automountServiceAccountToken', 'shareProcessNamespace', 'hostPID', 'hostIPC', 'stdin', 'tty',
  'lifecycle', 'preStop', 'postStart', 'sleep', 'seconds', 'weight', 'preference',
  'requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution',
  'nodeSelectorTerms', 'matchFields', 'labelSelector', 'topologyKey', 'podAffinityTerm',
  'maxSkew', 'whenUnsatisfiable', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy',
  'matchLabelKeys', 'resourceClaims', 'claims', 'allocatedResources', 'resize',
]);

/**
 * String values written as ids (a msgpack fixext1/fixext2 of type `compactValueExtType`, 3–4
 * bytes): the enumerations and defaults of Kubernetes objects. Append only, like the keys.
 */
export const compactValues: readonly string[] = Object.freeze([
  'v1', 'Pod', 'apps/v1', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'batch/v1', 'Job',
  'Node', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Namespace', 'Event', 'Lease',
  'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'EndpointSlice', 'TCP', 'UDP', 'SCTP',
  'IfNotPresent', 'Always', 'Never', 'OnFailure', '/dev/termination-log', 'File',
  'FallbackToLogsOnError', 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None',
  'default-scheduler', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'Exists',
  'Equal', 'NoExecute', 'NoSchedule', 'PreferNoSchedule', 'default', 'PreemptLowerPriority',
  'Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'BestEffort', 'Burstable', 'Guaranteed',
  'True', 'False', 'true', 'false', 'Ready', 'PodScheduled', 'Initialized', 'ContainersReady',
  'PodReadyToStartContainers', 'RollingUpdate', 'Recreate', 'OnDelete', 'OrderedReady', 'Parallel',
  'ClusterIP', 'NodePort', 'LoadBalancer', 'Cluster', 'Local', 'SingleStack', 'IPv4', 'IPv6',
  'RuntimeDefault', 'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'In', 'NotIn',
  'DoesNotExist', 'Available', 'Progressing', 'NewReplicaSetAvailable', 'MinimumReplicasAvailable',
  'ReplicaSetUpdated', 'NodeReady', 'KubeletReady', 'MemoryPressure', 'DiskPressure', 'PIDPressure',
  'NetworkUnavailable', 'KubeletHasSufficientMemory', 'KubeletHasNoDiskPressure',
  'KubeletHasSufficientPID', 'InternalIP', 'Hostname', 'linux', 'amd64', 'arm64', 'ReadWriteOnce',
  'ReadOnlyMany', 'ReadWriteMany', 'Filesystem', 'Block', 'Bound', 'Delete', 'Retain', 'Normal',
  'Warning', 'Scheduled', 'Pulled', 'Created', 'Started', 'Killing', 'FailedScheduling', 'Update',
  'Apply', 'FieldsV1', 'Complete', 'NonIndexed', 'Indexed', 'Terminating', 'Active', 'Opaque',
  'kubernetes.io/service-account-token',
]);

/** The msgpack extension type of a dictionary value. */
export const compactValueExtType = 0x56;

/** Map of key → id (the first occurrence wins: ids never move). */
const idByKey = new Map<string, number>();
for (let i = 0; i < compactKeys.length; i++) {
  const k = compactKeys[i] as string;
  if (!idByKey.has(k)) idByKey.set(k, i);
}

const idByValue = new Map<string, number>();
for (let i = 0; i < compactValues.length; i++) {
  const v = compactValues[i] as string;
  if (!idByValue.has(v)) idByValue.set(v, i);
}

/** FNV-1a over both dictionaries: different dictionaries (almost surely) differ here. */
export const compactDictionaryFingerprint: number = (() => {
  let h = 0x811c9dc5;
  for (const list of [compactKeys, compactValues]) {
    for (const k of list) {
      for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 16777619);
      h = Math.imul(h ^ 0, 16777619);
    }
    h = Math.imul(h ^ 1, 16777619);
  }
  return h >>> 0;
})();

export class CompactDecodeError extends Error {
  override readonly name = 'CompactDecodeError';
}

// ---- encoding ----

/**
 * Writes values into one growing scratch buffer (owned here, reused across calls; `encode`
 * returns a copy of its output).
 */
class CompactWriter {
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  /** `value` compact-encoded, after `headBytes` bytes the caller fills in (a frame's head). */
  encode(value: unknown, headBytes: number): Buffer {
    this.pos = headBytes;
    this.write(value, 0);
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private write(value: unknown, depth: number): void {
    if (depth > 512) throw new RangeError('compact encode: nesting deeper than 512');
    switch (typeof value) {
      case 'string': {
        const id = idByValue.get(value);
        if (id === undefined) {
          this.writeString(value);
        } else if (id < 0x100) {
          this.ensure(3);
          this.buf[this.pos++] = 0xd4;
          this.buf[this.pos++] = compactValueExtType;
          this.buf[this.pos++] = id;
        } else {
          this.ensure(4);
          this.buf[this.pos++] = 0xd5;
          this.buf[this.pos++] = compactValueExtType;
          this.buf.writeUInt16BE(id, this.pos);
          this.pos += 2;
        }
        return;
      }
      case 'number':
        this.writeNumber(value);
        return;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = value ? 0xc3 : 0xc2;
        return;
      case 'object':
        if (value === null) {
          this.ensure(1);
          this.buf[this.pos++] = 0xc0;
        } else if (Array.isArray(value)) {
          this.writeArray(value, depth);
        } else if (value instanceof Uint8Array) {
          this.writeBinary(value);
        } else {
          // Plain objects only: a Date or a Map would silently lose its content as a map.
          const proto: unknown = Object.getPrototypeOf(value);
          if (proto !== Object.prototype && proto !== null) throw new TypeError(`compact encode: cannot encode a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'non-plain object'}`);
          this.writeMap(value as Record<string, unknown>, depth);
        }
        return;
      case 'undefined':
        // In arrays (objects skip undefined members), as JSON writes it.
        this.ensure(1);
        this.buf[this.pos++] = 0xc0;
        return;
      default:
        throw new TypeError(`compact encode: cannot encode a ${typeof value}`);
    }
  }

  private writeString(s: string): void {
    // At most 3 bytes per UTF-16 unit, plus a 5-byte header.
    this.ensure(s.length * 3 + 5);
    const buf = this.buf;
    if (s.length < 32) {
      // Optimistic fixstr: write, then fix the header (most strings are short and ASCII).
      const start = this.pos;
      const n = buf.write(s, start + 1, 'utf8');
      if (n < 32) {
        buf[start] = 0xa0 | n;
        this.pos = start + 1 + n;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    if (n < 32) {
      buf[this.pos++] = 0xa0 | n;
    } else if (n < 0x100) {
      buf[this.pos++] = 0xd9;
      buf[this.pos++] = n;
    } else if (n < 0x10000) {
      buf[this.pos++] = 0xda;
      buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xdb;
      buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.pos += buf.write(s, this.pos, 'utf8');
  }

  private writeNumber(v: number): void {
    this.ensure(9);
    const buf = this.buf;
    if (Number.isInteger(v) && !Object.is(v, -0)) {
      if (v >= 0) {
        if (v < 0x80) {
          buf[this.pos++] = v;
          return;
        }
        if (v < 0x100) {
          buf[this.pos++] = 0xcc;
          buf[this.pos++] = v;
          return;
        }
        if (v < 0x10000) {
          buf[this.pos++] = 0xcd;
          buf.writeUInt16BE(v, this.pos);
          this.pos += 2;
          return;
        }
        if (v < 0x100000000) {
          buf[this.pos++] = 0xce;
          buf.writeUInt32BE(v, this.pos);
          this.pos += 4;
          return;
        }
      } else {
        if (v >= -32) {
          buf[this.pos++] = v & 0xff;
          return;
        }
        if (v >= -0x80) {
          buf[this.pos++] = 0xd0;
          buf.writeInt8(v, this.pos++);
          return;
        }
        if (v >= -0x8000) {
          buf[this.pos++] = 0xd1;
          buf.writeInt16BE(v, this.pos);
          this.pos += 2;
          return;
        }
        if (v >= -0x80000000) {
          buf[this.pos++] = 0xd2;
          buf.writeInt32BE(v, this.pos);
          this.pos += 4;
          return;
        }
      }
    }
    // Beyond 32 bits, fractions, -0, NaN, infinities: float64 (exact for every safe integer).
    buf[this.pos++] = 0xcb;
    buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  private writeBinary(b: Uint8Array): void {
    this.ensure(b.length + 5);
    const buf = this.buf;
    if (b.length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = b.length;
    } else if (b.length < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf.writeUInt16BE(b.length, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xc6;
      buf.writeUInt32BE(b.length, this.pos);
      this.pos += 4;
    }
    buf.set(b, this.pos);
    this.pos += b.length;
  }

  private writeLength(n: number, fix: number, op16: number, op32: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (n < 16) {
      buf[this.pos++] = fix | n;
    } else if (n < 0x10000) {
      buf[this.pos++] = op16;
      buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = op32;
      buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  private writeArray(a: readonly unknown[], depth: number): void {
    this.writeLength(a.length, 0x90, 0xdc, 0xdd);
    for (let i = 0; i < a.length; i++) this.write(a[i], depth + 1);
  }

  private writeMap(o: Record<string, unknown>, depth: number): void {
    let n = 0;
    for (const k in o) if (o[k] !== undefined) n++;
    this.writeLength(n, 0x80, 0xde, 0xdf);
    for (const k in o) {
      const v = o[k];
      if (v === undefined) continue;
      const id = idByKey.get(k);
      if (id === undefined) {
        this.writeString(k);
      } else if (id < 0x80) {
        this.ensure(1);
        this.buf[this.pos++] = id;
      } else if (id < 0x100) {
        this.ensure(2);
        this.buf[this.pos++] = 0xcc;
        this.buf[this.pos++] = id;
      } else {
        this.ensure(3);
        this.buf[this.pos++] = 0xcd;
        this.buf.writeUInt16BE(id, this.pos);
        this.pos += 2;
      }
      this.write(v, depth + 1);
    }
  }
}

const writer = new CompactWriter();

/**
 * `value` in compact msgpack, after `headBytes` bytes left for the caller to fill (a frame's
 * head, so the frame is one allocation).
 */
export function encodeCompact(value: unknown, headBytes = 0): Buffer {
  return writer.encode(value, headBytes);
}

// ---- decoding ----

/**
 * Reads compact msgpack back into plain objects (any standard msgpack reads too: string keys stay
 * strings). One reader per call; `buf[start, end)` must hold exactly one value.
 */
class CompactReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  readAll(): unknown {
    const v = this.read(0);
    if (this.pos !== this.end) throw new CompactDecodeError(`compact decode: ${this.end - this.pos} bytes after the value`);
    return v;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CompactDecodeError('compact decode: value cut short');
  }

  private read(depth: number): unknown {
    if (depth > 512) throw new CompactDecodeError('compact decode: nesting deeper than 512');
    this.need(1);
    const buf = this.buf;
    const b = buf[this.pos++] as number;
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0xa0 && b < 0xc0) return this.str(b & 0x1f);
    if (b >= 0x90 && b < 0xa0) return this.array(b & 0x0f, depth);
    if (b >= 0x80 && b < 0x90) return this.map(b & 0x0f, depth);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xcc:
        this.need(1);
        return buf[this.pos++] as number;
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        this.need(8);
        const v = Number(buf.readBigUInt64BE(this.pos));
        this.pos += 8;
        return v;
      }
      case 0xd0: {
        this.need(1);
        return buf.readInt8(this.pos++);
      }
      case 0xd1: {
        this.need(2);
        const v = buf.readInt16BE(this.pos);
        this.pos += 2;
        return v;
      }
      case 0xd2: {
        this.need(4);
        const v = buf.readInt32BE(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xd3: {
        this.need(8);
        const v = Number(buf.readBigInt64BE(this.pos));
        this.pos += 8;
        return v;
      }
      case 0xca: {
        this.need(4);
        const v = buf.readFloatBE(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = buf.readDoubleBE(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xd9:
        this.need(1);
        return this.str(buf[this.pos++] as number);
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xc4:
        this.need(1);
        return this.bin(buf[this.pos++] as number);
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xd4: {
        this.need(2);
        if (buf[this.pos] !== compactValueExtType) throw new CompactDecodeError(`compact decode: unsupported extension type ${String(buf[this.pos])}`);
        const id = buf[this.pos + 1] as number;
        this.pos += 2;
        return this.dictionaryValue(id);
      }
      case 0xd5: {
        this.need(3);
        if (buf[this.pos] !== compactValueExtType) throw new CompactDecodeError(`compact decode: unsupported extension type ${String(buf[this.pos])}`);
        const id = buf.readUInt16BE(this.pos + 1);
        this.pos += 3;
        return this.dictionaryValue(id);
      }
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new CompactDecodeError(`compact decode: unsupported msgpack type 0x${b.toString(16)}`);
    }
  }

  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  private str(n: number): string {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return this.buf.toString('utf8', start, start + n);
  }

  private bin(n: number): Buffer {
    this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private array(n: number, depth: number): unknown[] {
    if (n > this.end - this.pos) throw new CompactDecodeError('compact decode: value cut short');
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.read(depth + 1);
    return out;
  }

  private map(n: number, depth: number): Record<string, unknown> {
    if (n * 2 > this.end - this.pos) throw new CompactDecodeError('compact decode: value cut short');
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.key();
      // Never let a key reach the prototype chain.
      if (key === '__proto__') throw new CompactDecodeError('compact decode: key __proto__');
      out[key] = this.read(depth + 1);
    }
    return out;
  }

  private key(): string {
    this.need(1);
    const b = this.buf[this.pos] as number;
    if (b < 0x80) {
      this.pos++;
      return this.dictionaryKey(b);
    }
    if (b === 0xcc) {
      this.pos++;
      this.need(1);
      return this.dictionaryKey(this.buf[this.pos++] as number);
    }
    if (b === 0xcd) {
      this.pos++;
      return this.dictionaryKey(this.u16());
    }
    const k = this.read(0);
    if (typeof k !== 'string') throw new CompactDecodeError(`compact decode: a map key of type ${typeof k}`);
    return k;
  }

  private dictionaryValue(id: number): string {
    const v = compactValues[id];
    if (v === undefined) throw new CompactDecodeError(`compact decode: value id ${id} is not in this dictionary (${compactValues.length} values)`);
    return v;
  }

  private dictionaryKey(id: number): string {
    const k = compactKeys[id];
    if (k === undefined) throw new CompactDecodeError(`compact decode: key id ${id} is not in this dictionary (${compactKeys.length} keys)`);
    return k;
  }
}

/** Decodes the one compact msgpack value in `buf[start, end)`. Throws CompactDecodeError. */
export function decodeCompact(buf: Buffer, start = 0, end = buf.length): unknown {
  return new CompactReader(buf, start, end).readAll();
}
