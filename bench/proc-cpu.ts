/** CPU time of benchmarked processes from /proc, for CPU per message beside throughput. */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** utime, stime, cutime, cstime (seconds) and parent pid, from /proc/PID/stat (or a thread's). */
function procTimes(pid: number, tid?: number): { self: number; children: number; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the command name in parentheses, which may itself contain spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(f[1]),
    self: (Number(f[11]) + Number(f[12])) / TICKS,
    children: (Number(f[13]) + Number(f[14])) / TICKS,
  };
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function processCpu(pid: number): number {
  return procTimes(pid)?.self ?? 0;
}

/** CPU seconds (user + system) one thread of a process has used so far. */
export function threadCpu(pid: number, tid: number): number {
  return procTimes(pid, tid)?.self ?? 0;
}

/**
 * CPU seconds used so far by a process, its live children and the children it has reaped: the
 * whole of a Postfix instance when given its master's pid (every daemon is the master's child).
 */
export function processTreeCpu(pid: number): number {
  const root = procTimes(pid);
  if (!root) return 0;
  let total = root.self + root.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const t = procTimes(Number(name));
    if (t?.ppid === pid) total += t.self;
  }
  return total;
}
