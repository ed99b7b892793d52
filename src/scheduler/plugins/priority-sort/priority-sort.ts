// PrioritySort: higher spec.priority first; equal priorities by the time they entered the queue.
import type { QueueSortPlugin, QueuedPodInfo } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';

export class PrioritySort implements QueueSortPlugin {
  readonly name = names.PrioritySort;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.info.priority;
    const pb = b.info.priority;
    return pa > pb || (pa === pb && a.timestampMs < b.timestampMs);
  }
}

export function newPrioritySort(): PrioritySort {
  return new PrioritySort();
}
