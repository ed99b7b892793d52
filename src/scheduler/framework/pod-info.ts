// PodInfo: what the scheduler computes once per pod (requests, priority, host ports) so plugins do
// not walk the spec per node. Plain data: it travels to workers by structured clone.
import type { Container, Pod } from '../../core/api/types.js';
import { parseMilli, parseValue } from '../../core/api/quantity.js';

/** kube-scheduler's defaults for a container that requests nothing (scoring only). */
export const defaultMilliCpuRequest = 100;
export const defaultMemoryRequestBytes = 200 * 1024 * 1024;

export interface HostPort {
  /** (protocolCode << 16) | hostPort, as in the node table. */
  readonly key: number;
  readonly hostIp: string;
  readonly protocol: string;
  readonly port: number;
}

export interface PodInfo {
  readonly pod: Pod;
  /** namespace/name */
  readonly key: string;
  readonly uid: string;
  readonly priority: number;
  readonly cpuMilli: number;
  readonly memBytes: number;
  readonly ephBytes: number;
  /** Requests with missing cpu / memory counted as 100m / 200Mi (what scoring uses). */
  readonly nonZeroCpuMilli: number;
  readonly nonZeroMemBytes: number;
  readonly hostPorts: readonly HostPort[];
}

interface Requests {
  cpu: number;
  mem: number;
  eph: number;
  nzCpu: number;
  nzMem: number;
}

function containerRequests(c: Container, out: Requests): void {
  const r = c.resources?.requests;
  const cpu = r?.['cpu'];
  const mem = r?.['memory'];
  const eph = r?.['ephemeral-storage'];
  out.cpu = cpu === undefined ? 0 : parseMilli(cpu);
  out.mem = mem === undefined ? 0 : parseValue(mem);
  out.eph = eph === undefined ? 0 : parseValue(eph);
  out.nzCpu = cpu === undefined ? defaultMilliCpuRequest : out.cpu;
  out.nzMem = mem === undefined ? defaultMemoryRequestBytes : out.mem;
}

function protocolCodeOf(protocol: string | undefined): number {
  return protocol === 'UDP' ? 2 : protocol === 'SCTP' ? 3 : 1;
}

/**
 * The pod's effective requests, as resourcehelper.PodRequests: the containers' sum plus restartable
 * (sidecar) init containers, or the largest regular init container (with the sidecars started
 * before it) if larger, plus the pod overhead.
 */
export function newPodInfo(pod: Pod): PodInfo {
  const spec = pod.spec;
  const sum: Requests = { cpu: 0, mem: 0, eph: 0, nzCpu: 0, nzMem: 0 };
  const one: Requests = { cpu: 0, mem: 0, eph: 0, nzCpu: 0, nzMem: 0 };
  const ports: HostPort[] = [];
  for (const c of spec?.containers ?? []) {
    containerRequests(c, one);
    sum.cpu += one.cpu; sum.mem += one.mem; sum.eph += one.eph; sum.nzCpu += one.nzCpu; sum.nzMem += one.nzMem;
    for (const p of c.ports ?? []) {
      if (p.hostPort !== undefined && p.hostPort > 0) {
        const protocol = p.protocol ?? 'TCP';
        ports.push({ key: (protocolCodeOf(protocol) << 16) | p.hostPort, hostIp: p.hostIP || '0.0.0.0', protocol, port: p.hostPort });
      }
    }
  }
  const sidecars: Requests = { cpu: 0, mem: 0, eph: 0, nzCpu: 0, nzMem: 0 };
  const init: Requests = { cpu: 0, mem: 0, eph: 0, nzCpu: 0, nzMem: 0 };
  for (const c of spec?.initContainers ?? []) {
    containerRequests(c, one);
    if (c.restartPolicy === 'Always') {
      sidecars.cpu += one.cpu; sidecars.mem += one.mem; sidecars.eph += one.eph; sidecars.nzCpu += one.nzCpu; sidecars.nzMem += one.nzMem;
      for (const p of c.ports ?? []) {
        if (p.hostPort !== undefined && p.hostPort > 0) {
          const protocol = p.protocol ?? 'TCP';
          ports.push({ key: (protocolCodeOf(protocol) << 16) | p.hostPort, hostIp: p.hostIP || '0.0.0.0', protocol, port: p.hostPort });
        }
      }
    } else {
      init.cpu = Math.max(init.cpu, one.cpu + sidecars.cpu);
      init.mem = Math.max(init.mem, one.mem + sidecars.mem);
      init.eph = Math.max(init.eph, one.eph + sidecars.eph);
      init.nzCpu = Math.max(init.nzCpu, one.nzCpu + sidecars.nzCpu);
      init.nzMem = Math.max(init.nzMem, one.nzMem + sidecars.nzMem);
    }
  }
  const overhead = spec?.overhead;
  const ohCpu = overhead?.['cpu'] === undefined ? 0 : parseMilli(overhead['cpu']);
  const ohMem = overhead?.['memory'] === undefined ? 0 : parseValue(overhead['memory']);
  const ohEph = overhead?.['ephemeral-storage'] === undefined ? 0 : parseValue(overhead['ephemeral-storage']);
  const meta = pod.metadata;
  return {
    pod,
    key: `${meta.namespace ?? 'default'}/${meta.name ?? ''}`,
    uid: meta.uid ?? '',
    priority: spec?.priority ?? 0,
    cpuMilli: Math.max(sum.cpu + sidecars.cpu, init.cpu) + ohCpu,
    memBytes: Math.max(sum.mem + sidecars.mem, init.mem) + ohMem,
    ephBytes: Math.max(sum.eph + sidecars.eph, init.eph) + ohEph,
    nonZeroCpuMilli: Math.max(sum.nzCpu + sidecars.nzCpu, init.nzCpu) + ohCpu,
    nonZeroMemBytes: Math.max(sum.nzMem + sidecars.nzMem, init.nzMem) + ohMem,
    hostPorts: ports,
  };
}
