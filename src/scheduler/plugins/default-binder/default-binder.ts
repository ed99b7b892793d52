// DefaultBinder: writes the binding through the scheduler's Binder (an API server's pods/binding,
// a store, or memory in library mode).
import type { CycleState } from '../../framework/cycle-state.js';
import type { BindPlugin, Binder, FactoryHandle } from '../../framework/interfaces.js';
import { names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Code, newStatus, success, type Status } from '../../framework/status.js';

export class DefaultBinder implements BindPlugin {
  readonly name = names.DefaultBinder;

  constructor(private readonly binder: Binder) {}

  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    try {
      await this.binder.bind(pod, nodeName);
      return success;
    } catch (e) {
      return newStatus(Code.Error, this.name, (e as Error).message);
    }
  }
}

export function newDefaultBinder(_args: unknown, _field: string, handle: FactoryHandle): DefaultBinder {
  return new DefaultBinder(handle.binder);
}
