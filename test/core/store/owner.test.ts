// One owner per data directory: a second open (same process or another) gets StoreLockedError
// naming the holder; a holder killed with SIGKILL does not lock the directory forever.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';
import { currentOwnerRecord, isOwnerAlive } from '../../../src/core/store/owner.js';
import { StoreLockedError } from '../../../src/core/store/store.js';
import { rejection, tempDir } from './helpers.js';

const childPath = fileURLToPath(new URL('./crash-child.js', import.meta.url));

type Holder = ChildProcessByStdio<Writable, Readable, null>;

/** Starts a child holding the store open; resolves once it has written and said `ready`. */
function startHolder(dir: string): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, 'hold', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('holder did not get ready in 10 s'));
    }, 10_000);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready\n')) {
        clearTimeout(guard);
        resolve(child);
      }
    });
    child.on('error', reject);
  });
}

function exited(child: Holder): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

describe('LmdbStore: data directory ownership', () => {
  it('refuses a second open in the same process, then allows it after close', async () => {
    const dir = tempDir();
    try {
      const first = await openLmdbStore({ path: dir.path });
      const error = await rejection(openLmdbStore({ path: dir.path }));
      assert.ok(error instanceof StoreLockedError);
      assert.equal(error.holderPid, process.pid);
      assert.equal(error.code, 'COX_STORE_LOCKED');
      assert.match(error.message, new RegExp(`data directory ${dir.path} is in use by another process \\(pid ${process.pid}\\)`));
      await first.create('/a', 1);
      await first.close();
      const second = await openLmdbStore({ path: dir.path });
      assert.equal((await second.get('/a'))?.value, 1);
      await second.close();
    } finally {
      dir.remove();
    }
  });

  it('refuses an open while another process holds the directory, naming its pid', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const holder = await startHolder(dir.path);
    try {
      const error = await rejection(openLmdbStore({ path: dir.path }));
      assert.ok(error instanceof StoreLockedError, String(error));
      assert.equal(error.holderPid, holder.pid);
      // The holder is unharmed and closes cleanly; then the directory opens, data intact.
      holder.stdin.end();
      await exited(holder);
      assert.equal(holder.exitCode, 0);
      const store = await openLmdbStore<{ pid: number }>({ path: dir.path });
      try {
        assert.equal((await store.get('/lock/held'))?.value.pid, holder.pid);
      } finally {
        await store.close();
      }
    } finally {
      holder.kill('SIGKILL');
      dir.remove();
    }
  });

  it('opens a directory whose holder was killed with SIGKILL', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const holder = await startHolder(dir.path);
    try {
      holder.kill('SIGKILL');
      await exited(holder);
      // The key index is written without sync; after an unclean stop it may be torn (power
      // loss). It is rebuilt from the log, so even garbage in its place does not matter.
      writeFileSync(join(dir.path, 'index', 'data.mdb'), Buffer.alloc(64 * 1024, 0xa5));
      const store = await openLmdbStore<{ pid: number }>({ path: dir.path });
      try {
        assert.equal((await store.get('/lock/held'))?.value.pid, holder.pid);
        await store.create('/after', { pid: process.pid });
      } finally {
        await store.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('recognises a live owner, a dead pid and a reused pid', async () => {
    const me = currentOwnerRecord();
    assert.equal(me.pid, process.pid);
    assert.equal(isOwnerAlive(me), true);
    if (me.startTicks !== '') {
      // Same pid, different start time: the pid was reused by another process.
      assert.equal(isOwnerAlive({ ...me, startTicks: String(Number(me.startTicks) + 1) }), false);
    }
    if (me.bootId !== '') assert.equal(isOwnerAlive({ ...me, bootId: 'another-boot' }), false);
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid;
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    assert.ok(pid !== undefined);
    assert.equal(isOwnerAlive({ pid, startTicks: '', bootId: me.bootId }), false);
  });
});
