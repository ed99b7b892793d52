// State the scheduler caches work against (volumes, workload selectors): a version bumped on every
// change, and listeners told of it so cached evaluations can be dropped.

export class ChangeNotifier {
  /** Bumped on every change: results prepared before it may be stale. */
  version = 0;
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
