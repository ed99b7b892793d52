// The `meta.k8s.io/v1` Table shapes and the Printer contract every kind's printer implements.

import type { KubeObject } from '../../../core/api/types.js';

/** A cell: kube-apiserver's printers emit strings, int64s and bools. */
export type TableCell = string | number | boolean;

/** `metav1.TableColumnDefinition`; every field is always serialized (no omitempty). */
export interface TableColumnDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format: string;
  readonly description: string;
  /** 0: always shown; 1: shown by `kubectl get -o wide` only. */
  readonly priority: number;
}

/** `metav1.TableRowCondition`; kube-apiserver only sets `Completed` (finished pods). */
export interface TableRowCondition {
  readonly type: 'Completed';
  readonly status: 'True';
  readonly reason: string;
  readonly message: string;
}

/** `?includeObject=`: what each row carries besides its cells (`Metadata` when absent). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The meta.k8s.io version a client asked its Table in (kubectl lists v1, then v1beta1). */
export type MetaVersion = 'v1' | 'v1beta1';

/** PartialObjectMetadata, what a row carries by default. */
export interface PartialObjectMetadata {
  readonly kind: 'PartialObjectMetadata';
  readonly apiVersion: `meta.k8s.io/${MetaVersion}`;
  readonly metadata: KubeObject['metadata'];
}

export interface TableRow {
  readonly cells: TableCell[];
  readonly conditions?: readonly TableRowCondition[];
  /** PartialObjectMetadata, the object itself, or null (includeObject=None). */
  readonly object: PartialObjectMetadata | KubeObject | null;
}

export interface TableListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface Table {
  readonly kind: 'Table';
  readonly apiVersion: `meta.k8s.io/${MetaVersion}`;
  readonly metadata: TableListMeta;
  /** Empty when headers are not wanted (every watch event after the first). */
  readonly columnDefinitions: readonly TableColumnDefinition[];
  readonly rows: TableRow[];
}

/**
 * One kind's printer: its columns and, per object, the cells in the same order. The server
 * always generates every column (kube-apiserver prints with Wide=true); kubectl hides the
 * priority-1 ones unless `-o wide`.
 */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  /** The cells of one object's row. Pure; `nowMs` is the moment ages are measured from. */
  cells(obj: KubeObject, nowMs: number): TableCell[];
  /** Row conditions (a finished pod is Completed); undefined for none. */
  conditions?(obj: KubeObject): readonly TableRowCondition[] | undefined;
}

/** A column definition; `format: 'name'` marks the NAME column. */
export function column(
  name: string,
  type: TableColumnDefinition['type'],
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return Object.freeze({ name, type, format, description, priority });
}
