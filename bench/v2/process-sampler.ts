// CPU and memory of server processes over one benchmark row, read from /proc (Linux only):
// CPU from utime + stime in /proc/<pid>/stat (all threads), RSS from VmRSS in /proc/<pid>/status.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const samplingIntervalMs = 200;

export interface ProcessUsage {
  readonly pid: number;
  /** CPU time over the row's wall time, as a percentage of one core. */
  readonly cpuPercent: number;
  readonly rssMbPeak: number;
  readonly rssMbEnd: number;
}

/** utime + stime of the process, in seconds; null once it is gone. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return (userTicks + systemTicks) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

/** Resident set size in MB; null once the process is gone. */
function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples the given processes from construction until `stop()`. */
export class ProcessSampler {
  private readonly cpuAtStart: (number | null)[];
  private readonly rssPeak: number[];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: readonly number[]) {
    this.cpuAtStart = pids.map(cpuSeconds);
    this.rssPeak = pids.map(() => 0);
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), samplingIntervalMs);
  }

  private sampleRss(): void {
    this.pids.forEach((pid, i) => {
      this.rssPeak[i] = Math.max(this.rssPeak[i]!, rssMb(pid) ?? 0);
    });
  }

  stop(): ProcessUsage[] {
    clearInterval(this.timer);
    this.sampleRss();
    const wallSeconds = Math.max(0.001, (performance.now() - this.started) / 1000);
    return this.pids.map((pid, i) => {
      const before = this.cpuAtStart[i];
      const after = cpuSeconds(pid);
      const cpuPercent =
        before == null || after === null ? Number.NaN : ((after - before) / wallSeconds) * 100;
      return { pid, cpuPercent, rssMbPeak: this.rssPeak[i]!, rssMbEnd: rssMb(pid) ?? Number.NaN };
    });
  }
}
