// GET /api/v1/namespaces/<ns>/pods/<name>/log: kube-apiserver proxies it to the kubelet of the
// pod's node, which serves the container's log. Until that proxy lands, the request fails with a
// Status naming why.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../core/errors.js';
import type { Registry } from './registry/registry.js';

export interface PodLogRequest {
  readonly registry: Registry;
  readonly namespace: string;
  readonly name: string;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** Serves a pod's log, or throws a StatusError (written by the caller as a Status). */
export async function servePodLog(request: PodLogRequest): Promise<void> {
  throw new StatusError('BadRequest', `pod "${request.name}" has no node to serve its logs (the node agent serves them)`);
}
