// Wire formats: watch framing (JSON lines for Kubernetes clients, length-prefixed msgpack for
// ours) and the pipe from a watch to an HTTP response.
export * from './watch-frames.js';
export * from './pipe.js';
