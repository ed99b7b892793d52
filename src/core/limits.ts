// Every limit Coxswain enforces, named in one place. Units are last in names.
// Values match Kubernetes' defaults where Kubernetes has one.

export const limits = {
  /** Largest request body the API server reads (kube-apiserver: 3 MiB → 413). */
  requestBodyBytesMax: 3 * 1024 * 1024,
  /** Largest encoded object the store accepts (etcd's default value limit: 1.5 MiB). */
  objectBytesMax: 1.5 * 1024 * 1024,
  /** Default LIST page size when a client asks for one without a number (kubectl sends 500). */
  listPageSizeDefault: 500,
  /** How long history is kept for watches and continue tokens (kube-apiserver: ~5 minutes). */
  historyWindowMs: 5 * 60 * 1000,
  /** At most this many revisions are kept in history, whatever their age. */
  historyRevisionsMax: 1_000_000,
  /** Events buffered for one watcher before its stream is ended (it resumes or re-lists). */
  watchBufferEventsMax: 10_000,
  /** Read-only requests served at once (kube-apiserver --max-requests-inflight). */
  inflightRequestsMax: 400,
  /** Mutating requests served at once (kube-apiserver --max-mutating-requests-inflight). */
  inflightMutatingRequestsMax: 200,
  /** Writes the store folds into one durable commit. */
  storeCommitBatchWritesMax: 4096,
  /**
   * How long an Event is kept after its last write, then deleted (kube-apiserver --event-ttl,
   * default 1 h; 0 keeps Events forever).
   */
  eventTtlMs: 60 * 60 * 1000,
  /** Expiry entries one sweep of the Event TTL examines (each deletes at most one Event). */
  eventTtlSweepEntriesMax: 1000,
} as const;

export type Limits = typeof limits;
