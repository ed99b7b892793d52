// The client side of the cluster API (src/net/api.ts's ClusterApi), two ways — over HTTP with
// msgpack (HttpClient) or in process (InProcessClient) — and what controllers build on it:
// informers (list + watch into an indexed store, with handlers) and a rate-limited work queue.
export { HttpClient, type HttpClientOptions, type WireEncoding } from './http-client.js';
export { InProcessClient, deepFreeze } from './in-process-client.js';
export {
  Informer,
  SharedInformerFactory,
  createInformer,
  type EventHandler,
  type InformerOptions,
  type InformerStats,
} from './informer.js';
export { Indexer, namespaceIndex, namespaceIndexFunc, objectKeyOf, splitObjectKey, type IndexFunc } from './indexer.js';
export {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  WorkQueue,
  defaultControllerRateLimiter,
  queueShutDown,
  type QueueShutDown,
  type RateLimiter,
  type WorkQueueOptions,
} from './workqueue.js';
export { FrameSplitter, SharedFrameDecoder, StreamCursor, plainFrameDecoder, type FrameDecoder } from './watch-decode.js';
export { resourcePath } from './paths.js';
export { statusErrorOf, parseWarnings } from './status.js';
