// ClusterIP and NodePort allocation for Services (kube-apiserver's ipallocator and portallocator).
//
// Service IPs come from a range inside 127.0.0.0/8 (ARCHITECTURE: Linux routes all of it to
// loopback, so the service proxy can listen on a Service's own IP). The first address of the range
// is the `kubernetes` Service's, as in Kubernetes. The allocators hold what is in use in memory;
// the registry rebuilds them from the Services cache on start and keeps them in step with every
// Service write, so the store stays the only truth.

import { StatusError } from '../../../core/errors.js';

/** 127.96.0.0/12 — the loopback twin of Kubernetes' default 10.96.0.0/12. */
export const serviceCidrDefault = '127.96.0.0/12';
export const nodePortRangeDefault = { min: 30000, max: 32767 } as const;

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function intToIp(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export class ClusterIpAllocator {
  /** Network and broadcast addresses are never handed out. */
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(readonly cidr: string = serviceCidrDefault) {
    const [base, bitsText] = cidr.split('/');
    const baseInt = ipToInt(base ?? '');
    const bits = Number(bitsText);
    if (baseInt === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
      throw new Error(`invalid service CIDR ${cidr}`);
    }
    const size = 2 ** (32 - bits);
    const network = baseInt - (baseInt % size);
    this.first = network + 1;
    this.last = network + size - 2;
    // .1 is reserved for the `kubernetes` Service: dynamic allocation starts after it.
    this.cursor = this.first + 1;
  }

  /** The address of the `kubernetes` Service (the range's first). */
  get apiServerIp(): string {
    return intToIp(this.first);
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n >= this.first && n <= this.last;
  }

  /** Marks an address in use (from an existing Service); false if it is outside the range. */
  markUsed(ip: string): boolean {
    const n = ipToInt(ip);
    if (n === undefined || n < this.first || n > this.last) return false;
    this.used.add(n);
    return true;
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }

  /** Allocates the given address, or the next free one. Throws a 422 StatusError when it can't. */
  allocate(requested: string | undefined, field: string): string {
    if (requested !== undefined && requested !== '') {
      const n = ipToInt(requested);
      if (n === undefined || n < this.first || n > this.last) {
        throw invalidIp(field, requested, `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
      }
      if (this.used.has(n)) {
        throw invalidIp(field, requested, `failed to allocate IP ${requested}: provided IP is already allocated`);
      }
      this.used.add(n);
      return requested;
    }
    const span = this.last - this.first;
    for (let i = 0; i < span; i++) {
      const n = this.cursor;
      this.cursor = this.cursor >= this.last ? this.first + 1 : this.cursor + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIp(n);
      }
    }
    throw new StatusError('InternalError', `Internal error occurred: failed to allocate a serviceIP: range is full`);
  }
}

/** An address or port that cannot be had: the registry reports it as a field error (422). */
export class AllocationError extends Error {
  constructor(
    readonly field: string,
    /** The bad value as Kubernetes prints it (`[]string{"10.96.0.10"}`, `30080`). */
    readonly badValue: string,
    readonly detail: string,
  ) {
    super(`${field}: Invalid value: ${badValue}: ${detail}`);
    this.name = 'AllocationError';
  }
}

function invalidIp(field: string, value: string, detail: string): AllocationError {
  return new AllocationError(field, `[]string{"${value}"}`, detail);
}

export class NodePortAllocator {
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(
    readonly min: number = nodePortRangeDefault.min,
    readonly max: number = nodePortRangeDefault.max,
  ) {
    this.cursor = min;
  }

  markUsed(port: number): void {
    if (port >= this.min && port <= this.max) this.used.add(port);
  }

  release(port: number): void {
    this.used.delete(port);
  }

  allocate(requested: number | undefined, field: string): number {
    if (requested !== undefined && requested !== 0) {
      if (requested < this.min || requested > this.max) {
        throw new AllocationError(field, String(requested), `provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}`);
      }
      if (this.used.has(requested)) {
        throw new AllocationError(field, String(requested), 'provided port is already allocated');
      }
      this.used.add(requested);
      return requested;
    }
    const span = this.max - this.min + 1;
    for (let i = 0; i < span; i++) {
      const p = this.cursor;
      this.cursor = this.cursor >= this.max ? this.min : this.cursor + 1;
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    throw new StatusError('InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }
}
