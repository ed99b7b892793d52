// Test fixture for etcd.test.ts, kept outside test/ so that test runners do not run it as a test:
// starts etcd with the benchmark's signal handling, prints {pid, dir} as one JSON line, then idles
// (at most 60 s) until the parent sends it a signal.
import { installSignalHandlers } from '../cleanup.js';
import { startEtcd } from '../etcd.js';

installSignalHandlers();
const etcd = await startEtcd();
process.stdout.write(`${JSON.stringify({ pid: etcd.pid, dir: etcd.dir })}\n`);
setTimeout(() => process.exit(3), 60_000);
