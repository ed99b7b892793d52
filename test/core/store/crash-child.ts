// Child process for the crash and lock tests (compiled to dist/test/core/store/crash-child.js).
//
//   node crash-child.js write <dir> <tag>   loads, prints `loaded`, waits for `go` on stdin (so
//                                          the parent can start it while it checks the previous
//                                          round), then 8 writers create /crash/<tag>/<w>-<i> and
//                                          bump /crash/counter; prints `opened`, then one line per
//                                          acknowledged write: `ack <revision> <key> <n>`
//   node crash-child.js hold <dir>          creates /lock/held, prints `ready`, and stays open until
//                                          stdin closes (then closes the store cleanly)
//   node crash-child.js compact <dir>       creates and deletes /compact/x, compacts at the delete
//                                          (whose log entry goes: the newest revision leaves the
//                                          log), prints `compacted <revision>`, waits to be killed
//
// stdout is a pipe, which Node writes synchronously on Linux: a line printed is in the parent's
// pipe before the next write starts, so a SIGKILL cannot lose an acknowledgement already printed.
// Every loop is bounded (writes and time) in case the parent dies without killing us.
import { openLmdbStore } from '../../../src/core/store/lmdb-store.js';

const writesMax = 20_000;
const runMsMax = 30_000;

/** Resolves when stdin carries `go`; exits if stdin ends first or after runMsMax. */
function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.exit(3), runMsMax);
    let input = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      input += chunk;
      if (input.includes('go\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    process.stdin.on('end', () => process.exit(0));
  });
}

async function write(dir: string, tag: string): Promise<void> {
  process.stdout.write('loaded\n');
  await waitForGo();
  // Index writes every few commits, so kills also land while one is in flight.
  const store = await openLmdbStore<{ n: number; w: number }>({ path: dir, indexFlushKeysMin: 16 });
  process.stdout.write('opened\n');
  const deadline = Date.now() + runMsMax;
  let written = 0;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; written < writesMax && Date.now() < deadline; i++) {
      written++;
      const key = `/crash/${tag}/${w}-${i}`;
      const kv = await store.create(key, { n: i, w });
      process.stdout.write(`ack ${kv.modRevision} ${key} ${i}\n`);
      const counter = await store.guaranteedUpdate(
        '/crash/counter',
        (cur) => ({ n: (cur?.value.n ?? 0) + 1, w }),
        { ignoreNotFound: true },
      );
      if (counter !== undefined) {
        process.stdout.write(`ack ${counter.modRevision} /crash/counter ${counter.value.n}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
  await store.close();
}

async function hold(dir: string): Promise<void> {
  const store = await openLmdbStore<{ pid: number }>({ path: dir });
  await store.guaranteedUpdate('/lock/held', () => ({ pid: process.pid }), { ignoreNotFound: true });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, runMsMax);
    process.stdin.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    process.stdin.resume();
  });
  await store.close();
}

async function compactAtDelete(dir: string): Promise<void> {
  const store = await openLmdbStore<{ n: number }>({ path: dir });
  await store.create('/compact/x', { n: 1 });
  const deleted = await store.delete('/compact/x');
  const revision = store.currentRevision;
  if (revision !== deleted.modRevision + 1) throw new Error(`unexpected revision ${revision}`);
  await store.compact(revision);
  process.stdout.write(`compacted ${revision}\n`);
  // Killed by the parent; the timer bounds the wait if it never comes.
  await new Promise<void>((resolve) => setTimeout(resolve, runMsMax));
  await store.close();
}

const [mode, dir, tag] = process.argv.slice(2);
if (mode === 'write' && dir !== undefined && tag !== undefined) await write(dir, tag);
else if (mode === 'hold' && dir !== undefined) await hold(dir);
else if (mode === 'compact' && dir !== undefined) await compactAtDelete(dir);
else {
  process.stderr.write('usage: crash-child.js write <dir> <tag> | hold <dir> | compact <dir>\n');
  process.exit(2);
}
