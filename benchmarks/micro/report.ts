// The report every micro benchmark prints after `bench.run()`: ops/s and ns/op per task as a
// table, and with --json one object (task → ops/s) as the last line. A task that times a batch of
// N operations per iteration says so through `opsPerIteration`.
import type { Bench, Task } from 'tinybench';

export function reportMicroBench(bench: Bench, opsPerIteration: (task: Task, index: number) => number = () => 1): void {
  const rows: { task: string; opsPerSec: number; nsPerOp: number }[] = [];
  for (const [i, task] of bench.tasks.entries()) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    const opsPerSec = r.throughput.mean * opsPerIteration(task, i);
    rows.push({ task: task.name, opsPerSec: Math.round(opsPerSec), nsPerOp: Math.round((1e9 / opsPerSec) * 10) / 10 });
  }
  console.table(rows);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(Object.fromEntries(rows.map((r) => [r.task, r.opsPerSec]))));
  }
}
