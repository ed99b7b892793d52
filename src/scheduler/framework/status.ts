// Status: the outcome of a plugin call, as a value (kube-scheduler's framework.Status). Expected
// outcomes (a node does not fit, a pod must wait) are Statuses; exceptions are for bugs only.

/** Status codes, as in kube-scheduler. */
export const Code = {
  /** The plugin ran and the pod may proceed. */
  Success: 0,
  /** An internal failure: the pod goes back to the queue with backoff. */
  Error: 1,
  /** The pod does not fit now; preemption (PostFilter) may help. */
  Unschedulable: 2,
  /** The pod does not fit and preemption on this node cannot help. */
  UnschedulableAndUnresolvable: 3,
  /** Permit only: the pod waits before binding. */
  Wait: 4,
  /** PreFilter/PreScore/Bind: this plugin has nothing to do for this pod; its later points are skipped. */
  Skip: 5,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const codeNames: readonly string[] = ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Wait', 'Skip'];

export function codeName(code: Code): string {
  return codeNames[code] ?? `Code(${code})`;
}

export interface Status {
  readonly code: Code;
  /** Human-readable reasons ("Insufficient cpu"); the node histogram counts these. */
  readonly reasons: readonly string[];
  /** The plugin that returned it, when not Success. */
  readonly plugin: string;
}

/** The shared Success status (plugins return it instead of allocating). */
export const success: Status = Object.freeze({ code: Code.Success, reasons: Object.freeze([]), plugin: '' });
export const skip: Status = Object.freeze({ code: Code.Skip, reasons: Object.freeze([]), plugin: '' });

export function newStatus(code: Code, plugin: string, ...reasons: string[]): Status {
  return Object.freeze({ code, reasons: Object.freeze(reasons), plugin });
}

export function isSuccess(s: Status): boolean {
  return s.code === Code.Success;
}

/** Unschedulable or UnschedulableAndUnresolvable: the pod goes to the unschedulable set. */
export function isRejected(s: Status): boolean {
  return s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable;
}

export function statusMessage(s: Status): string {
  return s.reasons.join(', ');
}
