import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OperatorError } from '../core/errors.js';

/** What every command gets: the data dir and a place to write. */
export interface CliContext {
  dataDir: string;
  out: (line: string) => void;
  err: (line: string) => void;
  json: boolean;
}

/** The code of one command group (`mailstead queue …`), in its own file under cli/. */
export interface CommandGroup {
  run(args: string[], ctx: CliContext): Promise<number | void>;
}

/**
 * What the CLI knows of a command group before running it. Help and dispatch read only this;
 * the group's code, and the services it opens, load when the command runs, so one command never
 * pays for all the others (importing them all took 2–3 s of CPU and 120 MB).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Usage lines shown by `mailstead help NAME`. */
  usage: string[];
  load(): Promise<CommandGroup>;
}

/** parseArgs with errors that read as one line naming the problem. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    throw new OperatorError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '').split('\n')[0]!);
  }
}

/** Prints rows as aligned columns, or as JSON when --json was given. */
export function printTable(ctx: CliContext, rows: Record<string, unknown>[], columns?: string[]): void {
  if (ctx.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return;
  }
  if (!rows.length) return;
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  ctx.out(
    cols
      .map((c, i) => c.toUpperCase().padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  for (const r of rows)
    ctx.out(
      cols
        .map((c, i) => cell(r[c]).padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

/** Prints one object as `key: value` lines, or JSON. */
export function printRecord(ctx: CliContext, rec: Record<string, unknown>): void {
  if (ctx.json) {
    ctx.out(JSON.stringify(rec, null, 2));
    return;
  }
  const w = Math.max(...Object.keys(rec).map((k) => k.length));
  for (const [k, v] of Object.entries(rec)) {
    ctx.out(
      `${(k + ':').padEnd(w + 1)} ${v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    );
  }
}

export function requireArg(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new OperatorError(`missing ${what}`);
  return value;
}
