// The cluster API in process: every call goes straight to a ClusterApi (the registry), with no
// encoding and no copies. This is what `cox up`'s controllers, scheduler and agents use.
//
// Objects handed out are frozen: reads and watch events are the watch cache's own objects (frozen
// by the cache), and what a write returns is frozen here when the registry did not already (dry
// runs). A component that mutates what it read fails loudly here (TypeError in strict mode)
// rather than corrupting the cache — the same component over HTTP gets private copies, so code
// written against this client runs unchanged over both.

import type { KubeList, KubeObject } from '../../core/api/types.js';
import type { Status } from '../../core/errors.js';
import type {
  ClusterApi,
  DeleteOptions,
  DeleteResult,
  GetOptions,
  ListOptions,
  PatchOptions,
  PatchType,
  ResourceType,
  WatchOptions,
  WatchStream,
  WriteOptions,
  WriteResult,
} from '../api.js';
import { deepFreeze } from '../../watch/items.js';

// One deep-freeze for the codebase: the watch cache's (frozen subtrees, the cache's own, are skipped).
export { deepFreeze };

export class InProcessClient implements ClusterApi {
  constructor(private readonly api: ClusterApi) {}

  async get<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: GetOptions, subresource?: string): Promise<T> {
    return deepFreeze(await this.api.get<T>(r, namespace, name, options, subresource));
  }

  async list<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, options?: ListOptions): Promise<KubeList<T>> {
    // The envelope is new; the items are the cache's (already frozen: skipped).
    return deepFreeze(await this.api.list<T>(r, namespace, options));
  }

  watch<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, options?: WatchOptions): Promise<WatchStream<T>> {
    return this.api.watch<T>(r, namespace, options);
  }

  async create<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: { readonly name: string; readonly subresource: string },
  ): Promise<WriteResult<T>> {
    return frozenResult(await this.api.create<T>(r, namespace, object, options, subresource));
  }

  async update<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    object: KubeObject,
    options?: WriteOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    return frozenResult(await this.api.update<T>(r, namespace, name, object, options, subresource));
  }

  async patch<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: PatchOptions,
    subresource?: string,
  ): Promise<WriteResult<T>> {
    return frozenResult(await this.api.patch<T>(r, namespace, name, patchType, patch, options, subresource));
  }

  async delete<T extends KubeObject = KubeObject>(r: ResourceType, namespace: string, name: string, options?: DeleteOptions): Promise<DeleteResult<T>> {
    const result = await this.api.delete<T>(r, namespace, name, options);
    deepFreeze(result.object as T | Status);
    return result;
  }

  async deleteCollection<T extends KubeObject = KubeObject>(
    r: ResourceType,
    namespace: string,
    listOptions?: ListOptions,
    options?: DeleteOptions,
  ): Promise<KubeList<T>> {
    return deepFreeze(await this.api.deleteCollection<T>(r, namespace, listOptions, options));
  }
}

function frozenResult<T extends KubeObject>(result: WriteResult<T>): WriteResult<T> {
  deepFreeze(result.object);
  return result;
}
