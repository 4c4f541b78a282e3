// Memory of whole process trees from /proc, the way `smem` counts it: PSS (proportional set size)
// charges each shared page to the processes sharing it in equal parts, so the PSS of several
// processes adds up to what they hold together. That is what makes a one-process server and a
// suite of forked daemons comparable; RSS would count a forked daemon's shared pages once per child.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface ProcMemory {
  pid: number;
  name: string;
  /** KiB */
  pss: number;
  /** KiB */
  rss: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // the process exited between listing and reading
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  // the name field is in parentheses and may itself hold spaces or ')'
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields ? Number(fields[1]) : undefined;
}

/** `pid` and every process descended from it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const p = Number(e);
    const parent = parentOf(p);
    if (parent === undefined) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(p);
  }
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return tree;
}

export function procMemory(pid: number): ProcMemory | undefined {
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  const cmdline = read(`/proc/${pid}/cmdline`);
  if (rollup === undefined || cmdline === undefined) return undefined;
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  const name = cmdline.split('\0').filter(Boolean).join(' ').slice(0, 60);
  return { pid, name, pss: kb('Pss'), rss: kb('Rss') };
}

/** The memory of every process in the trees rooted at `roots`. */
export function treeMemory(roots: number[]): ProcMemory[] {
  return roots.flatMap((r) => processTree(r)).flatMap((p) => procMemory(p) ?? []);
}

export const sumPss = (procs: ProcMemory[]): number => procs.reduce((s, p) => s + p.pss, 0);
export const sumRss = (procs: ProcMemory[]): number => procs.reduce((s, p) => s + p.rss, 0);
export const mib = (kib: number): string => (kib / 1024).toFixed(1);

/**
 * Samples the trees every `everyMs` until `stop` is called; `peak` is the largest sum seen, of
 * PSS and of RSS (each at its own moment).
 */
export function samplePeak(
  roots: () => number[],
  everyMs = 200,
): { stop: () => { pss: number; rss: number; samples: number } } {
  let pss = 0;
  let rss = 0;
  let samples = 0;
  const take = () => {
    const procs = treeMemory(roots());
    pss = Math.max(pss, sumPss(procs));
    rss = Math.max(rss, sumRss(procs));
    samples++;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { pss, rss, samples };
    },
  };
}

/**
 * KiB of distinct physical pages the processes map, read from /proc/PID/pagemap (needs root).
 * Unlike PSS it does not depend on what else runs: PSS halves a page shared with an unrelated
 * process (the node binary's pages with every other node process here, libc's with everything),
 * while this counts every page the set uses once, whoever else uses it too. It is what the
 * processes would weigh alone on a machine.
 */
export function distinctPages(pids: number[]): number {
  const frames = new Set<number>();
  const entry = Buffer.alloc(8 * 4096);
  for (const pid of pids) {
    const smaps = read(`/proc/${pid}/smaps`);
    if (smaps === undefined) continue;
    let fd: number;
    try {
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch {
      continue;
    }
    try {
      for (const m of smaps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) [^\n]*\n(?:[^\n]*\n)*?Rss:\s+(\d+) kB/gm)) {
        if (m[3] === '0') continue;
        const first = parseInt(m[1]!, 16) / 4096;
        const end = parseInt(m[2]!, 16) / 4096;
        for (let page = first; page < end; page += 4096) {
          const n = Math.min(4096, end - page);
          const got = readSync(fd, entry, 0, n * 8, page * 8);
          for (let i = 0; i < got / 8; i++) {
            const v = entry.readBigUInt64LE(i * 8);
            // bit 63: present in RAM; bits 0-54: the page frame number
            if (v >> 63n) frames.add(Number(v & 0x7fffffffffffffn));
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  return frames.size * 4;
}
