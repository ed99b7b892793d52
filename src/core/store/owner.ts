// Who owns a data directory. One process at a time may open it: the store validates
// compare-and-swap writes in memory and assigns revisions itself, so a second writer would break
// both (LMDB alone would allow it and stay uncorrupted, but revisions would be reused).
//
// A pid file is not enough: after SIGKILL it stays, and the pid may be reused by an unrelated
// process. Instead the owner record lives inside the LMDB environment and is read and replaced in
// one write transaction, which LMDB serializes across processes with a robust mutex (released by
// the kernel when its holder dies). The record names the pid, the process start time
// (/proc/<pid>/stat field 22) and the boot id, so a dead owner, or a reused pid, is recognised:
//
//   process A opens  → txn: owner absent → write {pid A, start A, boot B}        → A owns
//   process C opens  → txn: owner {A…} and A alive with start A                    → StoreLockedError(pid A)
//   A is SIGKILLed; later pid A is reused by process D (start D ≠ start A)
//   process C opens  → txn: owner {A…}, /proc/A/stat says start D: A is dead     → C owns
//
// A second open in the same process is refused before LMDB is touched (openDataDirs below):
// lmdb-js shares one environment per path inside a process, so the record cannot tell them apart.

import { readFileSync } from 'node:fs';

export interface OwnerRecord {
  readonly pid: number;
  /** Process start time in clock ticks since boot ('' where /proc is not available). */
  readonly startTicks: string;
  /** /proc/sys/kernel/random/boot_id ('' where not available). */
  readonly bootId: string;
}

/** Real paths of data directories open in this process. Owned by lmdb-store.ts (open/close). */
export const openDataDirs = new Set<string>();

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function processStartTicks(pid: number): string {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const afterName = stat.lastIndexOf(')');
  if (afterName < 0) return '';
  // Fields from 3 (state) onward; field 22 is at index 22 - 3.
  return stat.slice(afterName + 2).split(' ')[19] ?? '';
}

export function currentOwnerRecord(): OwnerRecord {
  return {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    bootId: readOrEmpty('/proc/sys/kernel/random/boot_id'),
  };
}

export function isOwnerRecord(value: unknown): value is OwnerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r['pid'] === 'number' &&
    typeof r['startTicks'] === 'string' &&
    typeof r['bootId'] === 'string'
  );
}

/** Whether the process that wrote `owner` is still running. */
export function isOwnerAlive(owner: OwnerRecord): boolean {
  const bootId = readOrEmpty('/proc/sys/kernel/random/boot_id');
  if (owner.bootId !== '' && bootId !== '' && owner.bootId !== bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the pid exists but belongs to another user; treat as alive.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTicks === '') return true;
  const startTicks = processStartTicks(owner.pid);
  return startTicks === '' || startTicks === owner.startTicks;
}
