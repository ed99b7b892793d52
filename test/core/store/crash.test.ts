// Crash test: a child writes in a loop and reports each acknowledged write; we SIGKILL it at
// random moments, 50 times, and after every kill check that the store opens cleanly, that every
// acknowledged write is there, and that the revision never went back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import type { StoreEvent } from '../../../src/core/store/store.js';
import { tempDir } from './helpers.js';

const childPath = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const kills = 50;

interface Ack {
  readonly revision: number;
  readonly key: string;
  readonly n: number;
}

/**
 * One writing child. Spawned ahead of its round, it loads its modules and waits, so that start-up
 * overlaps the parent's checks of the previous round; run() lets it go.
 */
class WriterChild {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private out = '';
  private err = '';
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(dir: string, tag: string) {
    this.child = spawn(process.execPath, [childPath, 'write', dir, tag], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.out += chunk;
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.err += chunk;
    });
    this.closed = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /**
   * Lets the child write and kills it `delayMs` after its trigger: the store being open
   * (`opened`), or its first acknowledged write (`ack`). Resolves to what it acknowledged.
   */
  async run(trigger: 'opened' | 'ack', delayMs: number): Promise<{ acks: Ack[] }> {
    const marker = trigger === 'opened' ? 'opened\n' : '\nack ';
    let killTimer: NodeJS.Timeout | undefined;
    // Bound: kill after 10 s whatever happens (the child never runs that long when healthy).
    const guard = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const onData = (): void => {
      if (killTimer === undefined && this.out.includes(marker)) {
        killTimer = setTimeout(() => this.child.kill('SIGKILL'), delayMs);
      }
    };
    this.child.stdout.on('data', onData);
    this.child.stdin.on('error', () => {}); // the child may already be gone
    this.child.stdin.write('go\n');
    const { code, signal } = await this.closed;
    clearTimeout(guard);
    if (killTimer !== undefined) clearTimeout(killTimer);
    if (signal !== 'SIGKILL') {
      throw new ChildFailedError(
        `child exited with ${code ?? signal} before the kill: ${this.err}`,
        !this.out.includes('loaded\n'),
      );
    }
    const acks: Ack[] = [];
    // Only complete lines: a line cut by the kill was not fully reported.
    const lines = this.out.split('\n');
    lines.pop();
    for (const line of lines) {
      const [word, revision, key, n] = line.split(' ');
      if (word !== 'ack' || revision === undefined || key === undefined || n === undefined) continue;
      acks.push({ revision: Number(revision), key, n: Number(n) });
    }
    return { acks };
  }

  /** Ends a child that will not be run (stdin closed: it exits). */
  dismiss(): void {
    this.child.stdin.end();
  }
}

class ChildFailedError extends Error {
  constructor(
    message: string,
    /** It died loading its modules, before touching the store. */
    readonly beforeLoad: boolean,
  ) {
    super(message);
  }
}

/**
 * Runs a round, retried (at most 3 times, each with a fresh child) when the child died while
 * loading its modules. That happens when another build rewrites dist/ under it (several engineers
 * share this tree); it never touched the store, so the round is simply run again.
 */
async function runRound(
  first: WriterChild,
  dir: string,
  tag: string,
  trigger: 'opened' | 'ack',
  delayMs: number,
): Promise<{ acks: Ack[] }> {
  let child = first;
  for (let attempt = 1; ; attempt++) {
    try {
      return await child.run(trigger, delayMs);
    } catch (e) {
      // Before `loaded` the child never touched the store, whatever it died of (a module half
      // rewritten is a SyntaxError; one caught empty runs nothing and exits 0): run it again.
      const loadFailure = e instanceof ChildFailedError && e.beforeLoad;
      if (!loadFailure || attempt === 3) throw e;
      await new Promise<void>((resolve) => setTimeout(resolve, 2_000));
      child = new WriterChild(dir, tag);
    }
  }
}

describe('LmdbStore: crash safety', () => {
  it(`keeps every acknowledged write across ${kills} SIGKILLs at random moments`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    let next: WriterChild | undefined;
    try {
      // Most kills land while writes are in flight (0-40 ms after the first acknowledgement);
      // every fifth lands around the open (0-40 ms after it), often before any write.
      const delays = fc.sample(fc.integer({ min: 0, max: 40 }), { numRuns: kills, seed: 20261123 });
      let lastRevision = 0;
      let counterFloor = 0;
      let totalAcks = 0;
      let killsAfterWrites = 0;
      next = new WriterChild(dir.path, '0');
      for (let round = 0; round < kills && next !== undefined; round++) {
        const trigger = round % 5 === 4 ? 'opened' : 'ack';
        const { acks } = await runRound(next, dir.path, String(round), trigger, delays[round] ?? 0);
        // The next child loads while this round is checked; it opens the store only on `go`.
        next = round + 1 < kills ? new WriterChild(dir.path, String(round + 1)) : undefined;
        totalAcks += acks.length;
        if (acks.length > 0) killsAfterWrites++;
        const store = await openLmdbStore<{ n: number; w: number }>({ path: dir.path });
        try {
          assert.ok(store.currentRevision >= lastRevision, `revision went back: ${store.currentRevision} < ${lastRevision}`);
          for (const ack of acks) {
            assert.ok(store.currentRevision >= ack.revision, `acknowledged revision ${ack.revision} lost`);
            if (ack.key === '/crash/counter') {
              counterFloor = Math.max(counterFloor, ack.n);
              continue;
            }
            const kv = await store.get(ack.key);
            assert.ok(kv !== undefined, `round ${round}: acknowledged ${ack.key} (rev ${ack.revision}) missing`);
            assert.equal(kv.modRevision, ack.revision);
            assert.equal(kv.value.n, ack.n);
          }
          const counter = await store.get('/crash/counter');
          assert.ok((counter?.value.n ?? 0) >= counterFloor, `counter ${counter?.value.n} below acknowledged ${counterFloor}`);
          // The history is whole: replay from 0 gives every revision once, in order, and the
          // index agrees with the log (each create's key is listed with its revision).
          if (round % 10 === 9 || round === kills - 1) {
            const events: StoreEvent<{ n: number; w: number }>[] = [];
            store.subscribe(0, (batch) => {
              events.push(...batch);
            })();
            assert.equal(events.length, store.currentRevision);
            events.forEach((e, i) => assert.equal(e.revision, i + 1));
            const list = await store.list('/crash/');
            const created = events.filter((e) => e.type === 'create' && e.key !== '/crash/counter').length;
            assert.equal(list.items.length, created + (counter === undefined ? 0 : 1));
          }
          lastRevision = store.currentRevision;
          // Writes work after the crash: the next child continues from here.
          const probe = await store.guaranteedUpdate('/crash/probe', (cur) => ({ n: (cur?.value.n ?? 0) + 1, w: -1 }), { ignoreNotFound: true });
          assert.equal(probe?.modRevision, lastRevision + 1);
          lastRevision = probe?.modRevision ?? lastRevision;
        } finally {
          await store.close();
        }
      }
      assert.ok(totalAcks > 0);
      assert.ok(killsAfterWrites >= (kills * 4) / 5, `only ${killsAfterWrites} kills happened mid-writes`);
    } finally {
      next?.dismiss();
      dir.remove();
    }
  });
});

describe('LmdbStore: crash after compaction', () => {
  it('keeps the revision and the compacted boundary when compaction removed the newest log entry', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    try {
      const child = spawn(process.execPath, [childPath, 'compact', dir.path], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        err += chunk;
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const closed = new Promise<NodeJS.Signals | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (_code, signal) => resolve(signal));
      });
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) child.kill('SIGKILL');
      });
      assert.equal(await closed, 'SIGKILL', err);
      clearTimeout(guard);
      const match = /^compacted (\d+)\n/.exec(out);
      assert.ok(match !== null, `child said ${JSON.stringify(out)}; stderr: ${err}`);
      const revision = Number(match[1]);
      const store = await openLmdbStore<{ n: number }>({ path: dir.path });
      try {
        assert.equal(store.currentRevision, revision);
        assert.equal(store.compactedRevision, revision);
        assert.equal(await store.get('/compact/x'), undefined);
        const next = await store.create('/compact/y', { n: 2 });
        assert.equal(next.modRevision, revision + 1);
      } finally {
        await store.close();
      }
    } finally {
      dir.remove();
    }
  });
});
