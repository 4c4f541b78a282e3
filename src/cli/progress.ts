import type { ProgressEvent, ProgressListener } from '../ops/backup/progress.js';
import type { CliContext } from './command.js';

const EVERY_MS = 1000;

/** Progress lines on stderr for people, at most one a second per phase plus each phase's last; none with --json. */
export function progressPrinter(ctx: CliContext): ProgressListener {
  if (ctx.json) return () => undefined;
  let phase = '';
  let last = 0;
  return (p: ProgressEvent) => {
    const now = Date.now();
    const finished = p.total !== undefined && p.done >= p.total;
    if (p.phase === phase && now - last < EVERY_MS && !finished) return;
    phase = p.phase;
    last = now;
    const pct = p.total ? ` (${Math.floor((100 * p.done) / p.total)}%)` : '';
    ctx.err(
      `  ${p.phase}: ${p.done}${p.total !== undefined ? `/${p.total}` : ''}${pct}${p.bytes !== undefined ? `, ${humanSize(p.bytes)}` : ''}`,
    );
  };
}

/** 16344170 → "15.6 MB": for people reading progress and summaries (formatSize keeps exact config values). */
export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
