// CPU time of this process and of child processes (Linux /proc), to tell how much of a phase's
// cost is the system under test and how much the client driving it. A benchmark that saturates
// its own client measures the client: the CPU split says when that happens.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSec: number | undefined;

// Kernel clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat times. 100 on every
// mainstream Linux, asked once anyway.
function clockTicksPerSec(): number {
  if (ticksPerSec === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
      ticksPerSec = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      ticksPerSec = 100;
    }
  }
  return ticksPerSec;
}

/** User + system CPU milliseconds used so far by `pid`; undefined if unknown (not Linux, exited). */
export function cpuMsOfPid(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / clockTicksPerSec();
}

/** User + system CPU milliseconds used so far by this process (all threads). */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Measures CPU use over an interval, as a percentage of one core. */
export class CpuMeter {
  private readonly ownStartMs = ownCpuMs();
  private readonly pidStartMs: number | undefined;
  private readonly wallStartMs = performance.now();

  /** `pid`: another process to meter as well (a server), or undefined. */
  constructor(private readonly pid: number | undefined) {
    this.pidStartMs = pid === undefined ? undefined : cpuMsOfPid(pid);
  }

  /** CPU % of one core since construction: this process, and the other one (undefined if none). */
  read(): { readonly ownPct: number; readonly pidPct: number | undefined } {
    const wallMs = performance.now() - this.wallStartMs;
    const ownPct = wallMs > 0 ? ((ownCpuMs() - this.ownStartMs) * 100) / wallMs : Number.NaN;
    const pidNowMs = this.pid === undefined ? undefined : cpuMsOfPid(this.pid);
    const pidPct =
      pidNowMs === undefined || this.pidStartMs === undefined || wallMs <= 0
        ? undefined
        : ((pidNowMs - this.pidStartMs) * 100) / wallMs;
    return { ownPct, pidPct };
  }
}
