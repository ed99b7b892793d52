// Columns every printer shares, and the default printer for kinds without their own.

import type { KubeObject } from '../../../core/api/types.js';
import { docs } from './descriptions.js';
import { translateTimestampSince } from './format.js';
import { column, type Printer, type TableCell } from './types.js';

export const nameColumn = column('Name', 'string', docs.meta.name, 0, 'name');
export const ageColumn = column('Age', 'string', docs.meta.creationTimestamp);
export const containersColumn = column('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn = column('Images', 'string', 'Images referenced by each container in the template.', 1);

/** The object's age cell. */
export function age(obj: KubeObject, nowMs: number): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, nowMs);
}

/** NAME and AGE, for any kind without a printer of its own. */
export const defaultPrinter: Printer = Object.freeze({
  columns: Object.freeze([nameColumn, ageColumn]),
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    return [obj.metadata.name ?? '', age(obj, nowMs)];
  },
});
